"""Dijkwacht — router only: sign-in, navigation per role, run the chosen page."""
import streamlit as st

from dijkwacht import access, auth, config

# An emoji icon: a Material icon would make the browser tab fetch a web font (not offline).
st.set_page_config(page_title="Dijkwacht", page_icon="🛡️", layout="wide")

# Only a user's own action renews the idle clock; a run started by the timed refresh
# (data.watch_for_new_data) checks the session without renewing it.
role = auth.current_role(renew=auth.user_action())
if role is None:
    # Signed out, expired or without a role: the login is the only page that exists, so
    # any other URL falls back to it.
    st.navigation([st.Page(auth.login_page, title="Inloggen", url_path="inloggen")],
                  position="hidden").run()
    st.stop()

from dijkwacht import data  # noqa: E402 — after sign-in: the login page loads without it

auth.sidebar(role)
# Only the role's pages exist in this session: others are neither listed nor reachable.
pages = [p for p in access.pages_for(role) if (config.ROOT / p.script).exists()]
navigation = st.navigation([st.Page(p.script, title=p.title, icon=p.icon, url_path=p.key)
                            for p in pages])
if data.meta(role).get("demo"):
    st.sidebar.warning("**Demodata** — alle cijfers zijn verzonnen.", icon=":material/science:")
with st.sidebar.expander("Stand per bron"):
    st.caption("  \n".join(data.freshness_lines(role)))
with st.sidebar:
    data.watch_for_new_data()
data.run_guarded(navigation, role)   # Dutch message + incident id; traceback to the log
