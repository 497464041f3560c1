"""Dijkwacht's web server: Streamlit running dashboard.py, plus the one HTTP route Streamlit
has no element for — the hand-over that sets the HttpOnly session cookie
(dijkwacht/app/session_cookie.py). Start it with `streamlit run server.py` (`make run` does)."""
import faulthandler
import signal
import threading

import streamlit as st

from dijkwacht.app import session_cookie, warmup

# `kill -USR1 <pid>` has a server that stopped answering print every thread's stack to its
# log (stderr): files, lines and functions, never values. The bench sends it when a click
# does not settle (bench/browser_round.py).
if hasattr(signal, "SIGUSR1"):
    faulthandler.register(signal.SIGUSR1, all_threads=True)
session_cookie.ACTIVE = True   # the router hands sign-ins over to the cookie route
app = st.App("dashboard.py", routes=session_cookie.routes())
# The login page loads without the data layer (fast first paint); the first sign-in after a
# start or a load should not pay for its imports or cold caches either (issue 17).
threading.Thread(target=warmup.run, name="dijkwacht-warmup", daemon=True).start()
