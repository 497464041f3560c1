"""The app side of Dijkwacht, the only part that imports Streamlit: sign-in and sessions
(auth, session, session_cookie), the data gateway (data: every page's one door to the
figures, role-checked and cached) and the page kit (ui). The router is dashboard.py, the
pages are pages/*.py; everything else in dijkwacht/ is the core, plain Python."""
