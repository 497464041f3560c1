"""The one place where AppTests sign in (swap the mechanism here when the login changes).

`app_for(role, script)` returns an AppTest for a page script with a user of that role
signed in: a server-side session in state.sqlite when the local login is present (the
router's auth), and the placeholder session key of the first auth module otherwise.
"""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dijkwacht import config
from dijkwacht.app import auth

TIMEOUT = 60


def sign_in(at: AppTest, role: str) -> AppTest:
    if hasattr(auth, "SESSION_KEY"):
        from dijkwacht import accounts, state
        con = state.connect(config.state_path())
        try:
            naam, _ = accounts.ensure_test_account(con, role)
            at.session_state[auth.SESSION_KEY] = accounts.start_session(con, naam, role)
        finally:
            con.close()
    at.session_state["dijkwacht_rol"] = role       # the placeholder auth's key
    return at


def app_for(role: str | None, script: str, query: dict[str, str] | None = None) -> AppTest:
    """An AppTest for `script` (a path from the project root) signed in as `role`; `query`
    sets the URL's query parameters before the first run. Call .run() yourself."""
    at = AppTest.from_file(str(config.ROOT / script), default_timeout=TIMEOUT)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return sign_in(at, role) if role else at
