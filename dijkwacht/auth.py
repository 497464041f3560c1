"""Who is signed in (DESIGN §6): the login page, the session check on every run, logout.

Two ways to sign in, chosen by configuration (`config.sign_in_mode()`):
- "lokaal" (default): accounts in state.sqlite (dijkwacht/accounts.py) and a Dutch form.
  The session id lives in st.session_state only: Streamlit offers no supported way to set
  a cookie of our own, so a browser reload asks for the password again.
- "oidc": the municipality's identity provider through st.login / st.user; the identity is
  mapped to a role by the reviewed file data/oidc-rollen.csv. Identities not in that file
  get a short message and no data.
Either way the role comes from a server-side session checked on every run (idle and
absolute timeouts, logout), and anything unexpected means no role at all.
"""
from __future__ import annotations

import csv
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import streamlit as st

from dijkwacht import access, accounts, clock, config, state


def _data():
    """The data layer, imported when first needed: the login page then loads without polars
    and DuckDB, which halves its first paint."""
    from dijkwacht import data
    return data

SESSION_KEY = "dijkwacht_sessie"      # the session id; never shown, never logged
NAME_KEY = "dijkwacht_naam"           # who is signed in, for the sidebar
NOTICE_KEY = "dijkwacht_melding"      # one-time notice on the login page
OIDC_LOGGED_KEY = "dijkwacht_oidc_gelogd"   # a refused OIDC identity is audited once

WRONG = "Onjuiste gebruikersnaam of wachtwoord, of het account is tijdelijk geblokkeerd."
EXPIRED = "Uw sessie is verlopen. Log opnieuw in."
LOGGED_OUT = "U bent uitgelogd."
NO_ROLE = ("U bent aangemeld, maar uw account heeft geen toegang tot Dijkwacht. "
           "Neem contact op met de beheerder.")


@contextmanager
def _state() -> Iterator:
    con = state.connect(config.state_path())
    try:
        yield con
    finally:
        con.close()


def _outside_router() -> bool:
    """True when Streamlit runs a pages/ script without the router.

    With a pages/ folder, Streamlit's first run in a fresh process (and every AppTest run)
    uses its old pages-folder mode until some run calls st.navigation: a URL like /hennep
    then runs pages/hennep.py directly, past dashboard.py. That run gets no role: the mode
    is switched off and the run restarted, so it goes through the router.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if not PagesManager.uses_pages_directory:
        return False
    ctx = get_script_run_ctx()
    if ctx is None:
        return True
    page = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    script = Path(str(page.get("script_path") or "")).resolve()
    return script != Path(ctx.pages_manager.main_script_path).resolve()


def current_role() -> str | None:
    """The signed-in user's role, or None. Checked against the server on every call."""
    if _outside_router():
        from streamlit.runtime.pages_manager import PagesManager
        PagesManager.uses_pages_directory = False
        st.rerun()
    role = _oidc_role() if config.sign_in_mode() == "oidc" else _local_role()
    return role if role in access.ROLES else None


def _local_role() -> str | None:
    session_id = st.session_state.get(SESSION_KEY)
    if not session_id:
        return None
    with _state() as con:
        session = accounts.check_session(con, session_id)
    if session is None or session.soort != "lokaal":
        _forget(EXPIRED)
        return None
    st.session_state[NAME_KEY] = session.naam
    return session.rol


def _forget(notice: str | None) -> None:
    for key in (SESSION_KEY, NAME_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


# --- OIDC --------------------------------------------------------------------------------

def oidc_roles(path: Path | None = None) -> dict[str, str]:
    """identity (lower case) → role from the reviewed file. Rows without a known role, a
    review date (jjjj-mm-dd, not in the future) and a reviewer are left out: no role."""
    path = Path(path or config.oidc_roles_path())
    if not path.exists():
        return {}
    lines = [ln for ln in path.read_text(encoding="utf-8-sig").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    roles: dict[str, str] = {}
    today = clock.now().date()
    for row in csv.DictReader(lines):
        ident = (row.get("identiteit") or "").strip().lower()
        rol = (row.get("rol") or "").strip().lower()
        door = (row.get("beoordeeld_door") or "").strip()
        try:
            op = date.fromisoformat((row.get("beoordeeld_op") or "").strip())
        except ValueError:
            continue
        if ident and rol in access.ROLES and door and op <= today:
            roles[ident] = rol
    return roles


def oidc_identity_role(user: dict, roles: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """(identity, role) for an OIDC user: the subject first, then a verified e-mail."""
    roles = oidc_roles() if roles is None else roles
    sub = str(user.get("sub") or "").strip().lower()
    email = str(user.get("email") or "").strip().lower()
    if user.get("email_verified") is False:
        email = ""
    for ident in (sub, email):
        if ident and ident in roles:
            return ident, roles[ident]
    return (email or sub or None), None


def _oidc_role() -> str | None:
    if not st.user.is_logged_in:
        return None
    ident, rol = oidc_identity_role(st.user.to_dict())
    if rol is None:
        st.session_state[NAME_KEY] = None
        if not st.session_state.get(OIDC_LOGGED_KEY):
            st.session_state[OIDC_LOGGED_KEY] = True
            _data().log_login(ident or "", False)         # once per session, not per rerun
        return None
    # Streamlit's login cookie lives for weeks, so the terms are ours: the absolute term
    # counts from the identity token's issue time (no issue time: ask the provider again).
    terms = config.sessies()
    try:
        age = clock.now() - datetime.fromtimestamp(float(st.user.get("iat")), timezone.utc)
    except (TypeError, ValueError):
        age = None
    session_id = st.session_state.get(SESSION_KEY)
    with _state() as con:
        if age is None or age > timedelta(hours=terms.maximaal_uren):
            return _oidc_end(con, session_id)
        if session_id:
            session = accounts.check_session(con, session_id)
            if session is None:                       # idle too long in this tab
                return _oidc_end(con, session_id)
            if session.soort == "oidc" and session.naam == ident and session.rol == rol:
                st.session_state[NAME_KEY] = ident
                return rol
            accounts.end_session(con, session_id)     # role file changed: start afresh
        # A new Streamlit session from the cookie (a reload, a new tab): past the idle term
        # since the token was issued, only a live session of this identity lets it in.
        elif (age > timedelta(minutes=terms.idle_minutes(rol))
              and not accounts.recently_active(con, ident, "oidc")):
            return _oidc_end(con, None)
        st.session_state[SESSION_KEY] = accounts.start_session(con, ident, rol, soort="oidc")
    st.session_state[NAME_KEY] = ident
    _data().log_login(ident, True, rol)
    return rol


def _oidc_end(con, session_id: str | None) -> None:
    """Session over: forget it here and at Streamlit (the provider is asked again)."""
    accounts.end_session(con, session_id)
    _forget(EXPIRED)
    st.logout()
    return None


def _oidc_provider() -> str | None:
    """The [auth.NAME] provider when secrets.toml names one ([dijkwacht] oidc_provider)."""
    return config._secrets_value("oidc_provider")


# --- pages and widgets -------------------------------------------------------------------

def login_page() -> None:
    """The only page without a role: the form (or the OIDC button), nothing else."""
    st.title("Dijkwacht")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if config.sign_in_mode() == "oidc":
        if st.user.is_logged_in:
            st.error(NO_ROLE)
            st.button("Uitloggen", on_click=st.logout)
            return
        if notice:
            st.info(notice)
        provider = _oidc_provider()
        st.button("Inloggen met uw organisatieaccount", type="primary",
                  on_click=st.login, args=(provider,) if provider else ())
        return
    if notice:
        st.info(notice)
    with st.form("inloggen", clear_on_submit=True):
        naam = st.text_input("Gebruikersnaam", autocomplete="username")
        wachtwoord = st.text_input("Wachtwoord", type="password",
                                   autocomplete="current-password")
        submitted = st.form_submit_button("Inloggen", type="primary")
    if submitted:
        with _state() as con:
            accounts.end_session(con, st.session_state.get(SESSION_KEY))
            rol = accounts.verify(con, naam, wachtwoord)
            session_id = rol and accounts.start_session(con, accounts.normalize_name(naam), rol)
        _forget(None)
        if session_id:
            st.session_state[SESSION_KEY] = session_id
        _data().log_login(naam, bool(session_id), rol)    # after the id is set: the row refers to it
        if not session_id:
            st.error(WRONG)
            return
        st.rerun()


def logout() -> None:
    """Ends the session on the server: the id no longer works, in any tab."""
    with _state() as con:
        accounts.end_session(con, st.session_state.get(SESSION_KEY))
    _forget(LOGGED_OUT)
    if config.sign_in_mode() == "oidc" and st.user.is_logged_in:
        st.logout()


def sidebar(role: str) -> None:
    """Who is signed in, and the logout button."""
    name = st.session_state.get(NAME_KEY) or ""
    st.sidebar.caption(f"Aangemeld als **{name}** · rol {role}")
    st.sidebar.button("Uitloggen", icon=":material/logout:", on_click=logout, key="uitloggen")
