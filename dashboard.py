"""Dijkwacht — router only: sign-in, navigation per role, run the chosen page."""
import streamlit as st

from dijkwacht import access, auth, data

st.set_page_config(page_title="Dijkwacht", page_icon=":material/shield:", layout="wide")

role = auth.current_role()
pages = access.pages_for(role)
if not pages:
    st.error("U heeft geen toegang tot Dijkwacht. Neem contact op met de beheerder.")
    st.stop()

if data.meta(role).get("demo"):
    st.sidebar.warning("**Demodata** — alle cijfers zijn verzonnen.", icon=":material/science:")

navigation = st.navigation([st.Page(p.script, title=p.title, icon=p.icon, url_path=p.key) for p in pages])
navigation.run()
