"""Dijkwacht — router only: sign-in, navigation per role, run the chosen page."""
import streamlit as st

from dijkwacht import access, config
from dijkwacht.app import auth, warmup

# An emoji icon: a Material icon would make the browser tab fetch a web font (not offline).
st.set_page_config(page_title="Dijkwacht", page_icon="🛡️", layout="wide")

# Only a user's own action renews the idle clock; a run started by the timed refresh
# (data.watch_for_new_data) checks the session without renewing it.
role = auth.current_role(renew=auth.user_action())
auth.page_scripts()
# Every page URL exists for everyone, so a bookmark never meets Streamlit's English "Page not
# found": signed out, each one shows the login (and after sign-in the URL opens its page);
# signed in, a page of another role sends to the first page with one line saying why.
known = [p for p in access.PAGES if (config.ROOT / p.script).exists()]
if role is None:
    st.navigation([st.Page(auth.login_page, title="Inloggen", url_path="inloggen", default=True)]
                  + [st.Page(auth.login_page, title=p.title, url_path=p.key, visibility="hidden")
                     for p in known],
                  position="hidden").run()
    warmup.page_served()             # the login form is out: the warm-up may start
    st.stop()

from dijkwacht.app import data  # noqa: E402 — after sign-in: the login page loads without it

auth.sidebar(role)
# Only the role's pages exist in this session; another role's URL only leads back.
mine = [p for p in known if p in access.pages_for(role)]
# The Week page's title carries the badge: open items the alert rules flag (issue 18).
badge = data.week_badge(role)
navigation = st.navigation(
    [st.Page(p.script, title=p.title + (f" ({badge})" if p.key == "week" and badge else ""), icon=p.icon,
             url_path=p.key) for p in mine]
    + [st.Page(auth.not_for_role(p, role, mine[0]), title=p.title, url_path=p.key,
               visibility="hidden") for p in known if p not in mine])
auth.route_notice()
if data.meta(role).get("demo"):
    st.sidebar.warning("**Demodata** — alle cijfers zijn verzonnen.", icon=":material/science:")
# A late delivery opens the list and says so in its title: a closed list hides nothing.
late = data.late_deliveries(role)
with st.sidebar.expander("Stand per bron" + (f" — ⚠ {late} te laat" if late else ""), expanded=bool(late)):
    st.caption("  \n".join(data.freshness_lines(role)))
with st.sidebar:
    data.watch_for_new_data()
data.run_guarded(navigation, role)   # Dutch message + incident id; traceback to the log
warmup.page_served()
