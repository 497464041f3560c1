"""This tab's sign-in as Streamlit session state holds it, and the audit rows the tab writes.

App side (imports Streamlit). The router's auth.py and the data gateway data.py both read who
is signed in here and both write audit rows through record(), so neither needs the other
for it (dijkwacht/audit.py is the pure chain underneath).
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, TypeVar

import streamlit as st

from dijkwacht import accounts, audit, config, state

SESSION_KEY = "dijkwacht_sessie"      # the session id; never shown, never logged
NAME_KEY = "dijkwacht_naam"           # who is signed in, for the sidebar and the audit
UNKNOWN_NAME = "(onbekende naam)"
T = TypeVar("T")


@dataclass(frozen=True)
class Identity:
    """Who a tab is, for the audit: name, session, origin."""
    user: str | None
    session: str | None
    origin: str


# Set while a download button's data is made: Streamlit calls that function on a worker
# thread that has no session state, so the tab's identity is taken along (in_session).
_acting = threading.local()


def _origin() -> str:
    try:
        address = getattr(st.context, "ip_address", None)
    except Exception:  # noqa: BLE001 — outside a session (tests, CLI)
        address = None
    return f"app {address}" if address else "app"


def _session() -> str | None:
    """The sign-in's id for the audit row; before a sign-in, Streamlit's own session id."""
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        session = getattr(get_script_run_ctx(), "session_id", None)
    return session


def identity() -> Identity:
    """This tab's identity: the one a made-on-click download acts as, else the session's."""
    acting = getattr(_acting, "who", None)
    return acting or Identity(st.session_state.get(NAME_KEY), _session(), _origin())


def user() -> str | None:
    return identity().user


def in_session(make: Callable[[], T]) -> Callable[[], T]:
    """`make`, to be called later on another thread (a download button's data), acting as this
    tab: what it audits or archives names the user and session that clicked."""
    who = identity()

    def made() -> T:
        with _acting_as(who):
            return make()
    return made


@contextmanager
def _acting_as(who: Identity) -> Iterator[None]:
    _acting.who = who
    try:
        yield
    finally:
        _acting.who = None


def record(actie: str, role: str | None, *, dedupe: bool = False, **fields) -> int | None:
    """Write one audit row for this tab: actor, role, origin, session. A failure to write is
    logged, never shown to the user (and never blocks the page)."""
    who = identity()
    try:
        return audit.record(actie, actor=fields.pop("actor", None) or who.user, rol=role,
                            herkomst=who.origin, sessie=who.session, dedupe=dedupe,
                            path=config.state_path(), **fields)
    except Exception:
        logging.getLogger("dijkwacht.audit").exception("auditregel niet geschreven: %s", actie)
        return None


def log_login(name: str, ok: bool, role: str | None = None, *, oidc: bool = False) -> int | None:
    """A login attempt, ok or failed; never the password. A local attempt names the account
    only when an account by that name exists, else "(onbekende naam)": what was typed in the
    name field may be a password typed in the wrong field. An OIDC identity comes from the
    provider, not from a keyboard, and is kept as it is."""
    actor = (name or "").strip().lower()[:100]
    if not oidc:
        try:
            with state.opened() as con:
                known = bool(actor) and accounts.exists(con, actor)
        except Exception:  # noqa: BLE001 — cannot tell: keep nothing typed
            known = False
        actor = accounts.normalize_name(actor) if known else UNKNOWN_NAME
    return record("inloggen", role if ok else None, actor=actor,
                  resultaat="ok" if ok else "mislukt", load_id=None)
