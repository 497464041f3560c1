"""The one place where AppTests sign in (swap the mechanism here when the login changes).

`app_for(role, script)` returns an AppTest for a page script with a user of that role
signed in: a server-side session in state.sqlite when the local login is present (the
router's auth), and the placeholder session key of the first auth module otherwise.

Through the router (dashboard.py), as the sign-in tests do (with the `app_state` fixture of
conftest.py: an empty state database, local sign-in, the clock frozen at START):
`account`, `session_for`, `new_app`, `signed_in`, `sign_in_form`, `shows_login`.
`on_tab` runs a page with one of its tabs open.
"""
from __future__ import annotations

import socket
from datetime import datetime, timezone

from streamlit.testing.v1 import AppTest

from dijkwacht import accounts, config, state
from dijkwacht.app import auth

TIMEOUT = 60
ROUTER_TIMEOUT = 90                 # a run through the router: sign-in plus the first page
START = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)     # the clock of `app_state`
DASHBOARD = config.ROOT / "dashboard.py"


def on_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Run with tab `label` of the st.tabs with `key` open. Pages run only the open tab's
    content; a browser sends the open tab with every rerun, AppTest does not, so it is set
    before each run that needs it."""
    at.session_state[key] = label
    return at.run()


def sign_in(at: AppTest, role: str) -> AppTest:
    if hasattr(auth, "SESSION_KEY"):
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


# --- through the router ---------------------------------------------------------------------

def account(rol: str, naam: str | None = None) -> tuple[str, str]:
    """(name, password) of a fresh local account with this role (the password reset)."""
    with state.opened() as con:
        return accounts.ensure_test_account(con, rol, naam)


def session_for(rol: str, naam: str | None = None) -> str:
    """The session id of a fresh sign-in as `rol` (what the router keeps in the session)."""
    naam, wachtwoord = account(rol, naam)
    with state.opened() as con:
        return accounts.login(con, naam, wachtwoord)


def new_app(script=DASHBOARD, session_id: str | None = None,
            query: dict[str, str] | None = None) -> AppTest:
    """An AppTest of the router (or `script`), signed in with `session_id` if given, with
    `query` as the URL's query parameters. Not run yet."""
    at = AppTest.from_file(str(script), default_timeout=ROUTER_TIMEOUT)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    if session_id:
        at.session_state[auth.SESSION_KEY] = session_id
    return at


def signed_in(rol: str, query: dict[str, str] | None = None) -> AppTest:
    """The router signed in as `rol` (a fresh account), after its first run."""
    return new_app(session_id=session_for(rol), query=query).run()


def sign_in_form(at: AppTest, naam: str, wachtwoord: str) -> AppTest:
    """Fill in the login form and press Inloggen."""
    at.text_input[0].set_value(naam)
    at.text_input[1].set_value(wachtwoord)
    next(b for b in at.button if b.label == "Inloggen").click()
    return at.run()


def shows_login(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["Gebruikersnaam", "Wachtwoord"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for a real server started by a test)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitTab:
    """The browser's side of one tab of a real `streamlit run` (what the frontend does): a
    websocket to /_stcore/stream with the server's XSRF cookie, optionally asking to resume
    a session by id. `run` sends one rerun with the given widget states and returns every
    message up to the end of that script run (or an OIDC redirect)."""

    def __init__(self, port: int, cookies: dict[str, str], resume: str | None = None):
        from websockets.sync.client import connect
        protocols = ["streamlit", cookies["_streamlit_xsrf"]] + ([resume] if resume else [])
        self.ws = connect(f"ws://localhost:{port}/_stcore/stream",
                          subprotocols=protocols,
                          additional_headers={"Origin": f"http://localhost:{port}",
                                              "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
                          max_size=None, open_timeout=60)
        self.session_id = None

    def run(self, widgets=()) -> list:
        """`widgets`: (widget id, value field, value), e.g. (id, "trigger_value", True)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        for widget_id, kind, value in widgets:
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id = widget_id
            setattr(widget, kind, value)
        self.ws.send(msg.SerializeToString())
        received = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=120))
            received.append(fwd)
            if fwd.WhichOneof("type") == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
            if fwd.WhichOneof("type") in ("script_finished", "auth_redirect"):
                return received

    def click(self, button_id: str) -> list:
        return self.run([(button_id, "trigger_value", True)])

    def close(self):
        self.ws.close()


def elements(messages, kind: str) -> list:
    """The elements of one kind ("button", "metric", ...) among a run's messages."""
    return [getattr(m.delta.new_element, kind) for m in messages
            if m.WhichOneof("type") == "delta" and m.delta.new_element.WhichOneof("type") == kind]
