"""Who is signed in (DESIGN §6): the login page, the session check on every run, logout.

Two ways to sign in, chosen by configuration (`config.sign_in_mode()`):
- "lokaal" (default): accounts in state.sqlite (dijkwacht/accounts.py) and a Dutch form.
- "oidc": the municipality's identity provider through st.login / st.user; the identity is
  mapped to a role by the reviewed file data/oidc-rollen.csv. Identities not in that file
  get a short message and no data.
Either way the role comes from a server-side session checked on every run (idle and
absolute timeouts, logout), and anything unexpected means no role at all. The tab holds the
session id in st.session_state; the browser holds it in an HttpOnly cookie
(dijkwacht/app/session_cookie.py), so a reload, a bookmark or a second tab continues the same
session within its terms.

Only a user's own action renews the idle clock: the router passes renew=True unless the run
was started by the timed refresh (data.watch_for_new_data marks those with
mark_automatic()); every other check leaves the clock alone. At sign-out, at expiry and at a
new sign-in all of the tab's session state is cleared, so nothing one user opened (a key's
timeline, filters, the audit dedupe) is there for the next.
"""
from __future__ import annotations

import csv
import hashlib
import ipaddress
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import streamlit as st

from dijkwacht import access, accounts, clock, config, formats, state
from dijkwacht.app import session_cookie
from dijkwacht.app.session import NAME_KEY, SESSION_KEY, log_login, record

NOTICE_KEY = "dijkwacht_melding"      # one-time notice on the login page
OIDC_LOGGED_KEY = "dijkwacht_oidc_gelogd"   # a refused OIDC identity is audited once
AUTO_KEY = "dijkwacht_automatisch"    # this run was started by the timed refresh, not a user
TICKET_KEY = "dijkwacht_overdracht"   # a cookie hand-over the page still has to post
CLEAR_KEY = "dijkwacht_cookie_weg"    # the page still has to clear the cookie
SPENT_KEY = "dijkwacht_cookie_op"     # hash of a cookie this tab has seen end: ignore it

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


def current_role(*, renew: bool = False) -> str | None:
    """The signed-in user's role, or None. Checked against the server on every call.

    renew: this run is a user's own action, so the session's idle clock starts again. Only
    the router passes it (once per run, see user_action); pages and the timed refresh
    check without renewing."""
    if _outside_router():
        from streamlit.runtime.pages_manager import PagesManager
        PagesManager.uses_pages_directory = False
        st.rerun()
    role = _oidc_role(renew) if config.sign_in_mode() == "oidc" else _local_role(renew)
    return role if role in access.ROLES else None


def mark_automatic() -> None:
    """The next run is started by the timed refresh, not by the user (call before st.rerun)."""
    st.session_state[AUTO_KEY] = True


def user_action() -> bool:
    """For the router, once per run: True unless mark_automatic() started this run."""
    return not st.session_state.pop(AUTO_KEY, False)


def session_alive() -> bool:
    """Whether this tab's session is still live, without renewing its idle clock: the timed
    refresh asks this and reruns the app when it is not, so the login replaces the figures."""
    session_id = st.session_state.get(SESSION_KEY)
    if not session_id:
        return False
    with _state() as con:
        session = accounts.check_session(con, session_id, touch=False)
    if session is None:
        return False
    if session.kind == "oidc":
        age = _oidc_token_age()
        return (st.user.is_logged_in and age is not None
                and age <= timedelta(hours=config.sessies().maximaal_uren))
    return True


def session_ref() -> str | None:
    """A one-way reference to this tab's sign-in, to bind what it opened to it."""
    session_id = st.session_state.get(SESSION_KEY)
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:24] if session_id else None


def client_origin() -> str | None:
    """Where a sign-in attempt comes from, for throttling: the connection's address; when the
    connection comes from this machine (the reverse proxy), the address nginx sets in
    X-Forwarded-For (deploy/dijkwacht-proxy.conf sets it to $remote_addr, replacing what the
    client sent). None when unknown: then all such attempts count as one client."""
    try:
        address = st.context.ip_address
        if not address:
            address = (st.context.headers.get("X-Forwarded-For") or "").split(",")[-1]
        return str(ipaddress.ip_address(address.strip()))
    except Exception:  # noqa: BLE001 — no context, no header, not an address
        return None


def _cookie_session() -> str | None:
    """The session id the browser's cookie holds, unless this tab has seen it end."""
    try:
        value = st.context.cookies.get(session_cookie.COOKIE)
    except Exception:  # noqa: BLE001 — no browser context (bare runs, tests)
        return None
    if not isinstance(value, str) or not value or _digest(value) == st.session_state.get(SPENT_KEY):
        return None
    return value


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _tab_session() -> tuple[str | None, bool]:
    """(session id, from the cookie): the tab's own, else the browser's cookie."""
    session_id = st.session_state.get(SESSION_KEY)
    if session_id:
        return session_id, False
    return _cookie_session(), True


def _local_role(renew: bool = False) -> str | None:
    session_id, from_cookie = _tab_session()
    if not session_id:
        return None
    with _state() as con:
        session = accounts.check_session(con, session_id, touch=renew)
    if session is None or session.kind != "lokaal":
        _forget(EXPIRED)
        return None
    if from_cookie:
        st.session_state[SESSION_KEY] = session_id
    st.session_state[NAME_KEY] = session.name
    return session.role


def _forget(notice: str | None) -> None:
    """Clear everything this tab holds for its user (session id, name, filters, opened
    timelines, what was audited): a new sign-in starts clean. The router needs nothing from
    session state but the one-time notice, set after.

    The cookie this tab connected with can no longer speak for it (a live one would have
    signed it in): it is marked spent, and after a logout or an expiry the page clears the
    browser's cookie, which holds the session that ended."""
    try:
        connected_with = st.context.cookies.get(session_cookie.COOKIE)
    except Exception:  # noqa: BLE001 — no browser context (bare runs, tests)
        connected_with = None
    for key in list(st.session_state.keys()):
        try:
            del st.session_state[key]
        except Exception:  # noqa: BLE001 — a key Streamlit will not let go is no user state
            pass
    if notice:
        st.session_state[NOTICE_KEY] = notice
        st.session_state[CLEAR_KEY] = True
    if isinstance(connected_with, str) and connected_with:
        st.session_state[SPENT_KEY] = _digest(connected_with)


def _start(con, name: str, role: str, kind: str = "lokaal") -> str:
    """A new server-side session for this tab, handed over to the browser's cookie."""
    session_id = accounts.start_session(con, name, role, kind=kind)
    st.session_state[SESSION_KEY] = session_id
    if session_cookie.ACTIVE:
        st.session_state[TICKET_KEY] = session_cookie.issue(session_id)
    return session_id


# Streamlit's own English chrome that configuration cannot turn off, said in Dutch.
_DUTCH_PAGE = """
document.documentElement.lang = "nl";
for (const a of document.querySelectorAll("a")) {
  if (a.textContent.trim() === "Skip to main content") a.textContent = "Naar de inhoud";
}"""


def page_scripts() -> None:
    """Once per run, from the router, signed in or not: the page's language is Dutch (screen
    readers, hyphenation), and a pending cookie hand-over is posted or an ended cookie
    cleared. One st.html script in the page: our fixed text and a URL-safe ticket only."""
    script = _DUTCH_PAGE
    ticket = st.session_state.pop(TICKET_KEY, None)
    clear = st.session_state.pop(CLEAR_KEY, False)
    if session_cookie.ACTIVE and ticket:
        script += session_cookie.hand_over_script(ticket)
    elif session_cookie.ACTIVE and clear:
        script += session_cookie.clear_script()
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


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


ROLE_CLAIM_PREFIX = "rol:"    # a row for an app role in the token's `roles` claim


def oidc_identity_role(user: dict, roles: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """(identity, role) for an OIDC user.

    The identity is the provider's stable id of the person: `oid` (Entra ID's object id)
    when sent, else `sub`. An e-mail address counts only when the provider vouches for it
    (`email_verified` is true): Entra ID usually sends no such claim, and there anyone who
    may set their own e-mail attribute could claim someone else's address.
    The role: the row of the reviewed file for the oid, sub or verified e-mail; else the
    rows `rol:<app role>` for the app roles in the token's `roles` claim, which must all
    give the same role (anything ambiguous: no role)."""
    roles = oidc_roles() if roles is None else roles
    oid = str(user.get("oid") or "").strip().lower()
    sub = str(user.get("sub") or "").strip().lower()
    email = str(user.get("email") or "").strip().lower() if user.get("email_verified") is True else ""
    ident = oid or sub or None
    for candidate in (oid, sub, email):
        if candidate and not candidate.startswith(ROLE_CLAIM_PREFIX) and candidate in roles:
            return candidate, roles[candidate]
    claimed = user.get("roles")
    claimed = [claimed] if isinstance(claimed, str) else claimed
    if ident and isinstance(claimed, (list, tuple)):
        found = {roles.get(ROLE_CLAIM_PREFIX + str(c).strip().lower()) for c in claimed} - {None}
        if len(found) == 1:
            return ident, found.pop()
    return ident or email or None, None


def _oidc_token_age() -> timedelta | None:
    """Time since the identity token was issued (its `iat`); None without one."""
    try:
        return clock.now() - datetime.fromtimestamp(float(st.user.get("iat")), timezone.utc)
    except (TypeError, ValueError):
        return None


def _oidc_role(renew: bool = False) -> str | None:
    if not st.user.is_logged_in:
        return None
    ident, rol = oidc_identity_role(st.user.to_dict())
    if rol is None:
        st.session_state[NAME_KEY] = None
        if not st.session_state.get(OIDC_LOGGED_KEY):
            st.session_state[OIDC_LOGGED_KEY] = True
            log_login(ident or "", False, oidc=True)   # once per session, not per rerun
        return None
    # Streamlit's login cookie lives for weeks, so the terms are ours: the absolute term
    # counts from the identity token's issue time (no issue time: ask the provider again).
    terms = config.sessies()
    age = _oidc_token_age()
    session_id, from_cookie = _tab_session()
    with _state() as con:
        if age is None or age > timedelta(hours=terms.maximaal_uren):
            return _oidc_end(con, session_id)
        if session_id:
            session = accounts.check_session(con, session_id, touch=renew)
            if session is None:                       # idle too long in this tab
                return _oidc_end(con, session_id)
            if session.kind == "oidc" and session.name == ident and session.role == rol:
                st.session_state[SESSION_KEY] = session_id
                st.session_state[NAME_KEY] = ident
                return rol
            if not from_cookie:                       # role file changed: start afresh
                accounts.end_session(con, session_id)
        # A new Streamlit session from the cookie (a reload, a new tab): past the idle term
        # since the token was issued, only a live session of this identity lets it in.
        elif (age > timedelta(minutes=terms.idle_minutes(rol))
              and not accounts.recently_active(con, ident, "oidc")):
            return _oidc_end(con, None)
        _start(con, ident, rol, kind="oidc")
    st.session_state[NAME_KEY] = ident
    log_login(ident, True, rol, oidc=True)
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
            rol = accounts.verify(con, naam, wachtwoord, client_origin())
        session_id = None
        _forget(None)                                     # a new sign-in starts clean
        if rol:
            with _state() as con:
                session_id = _start(con, accounts.normalize_name(naam), rol)
        log_login(naam, bool(session_id), rol)    # after the id is set: the row refers to it
        if not session_id:
            st.error(WRONG)
            return
        st.rerun()


def logout(role: str | None = None) -> None:
    """Ends the session on the server: the id no longer works, in any tab, and the page
    clears the browser's cookie."""
    with _state() as con:
        accounts.end_session(con, st.session_state.get(SESSION_KEY))
    record("uitloggen", role)           # before the tab forgets who it was
    _forget(LOGGED_OUT)
    if config.sign_in_mode() == "oidc" and st.user.is_logged_in:
        st.logout()


ROUTE_NOTICE_KEY = "dijkwacht_route_melding"


def not_for_role(page: access.Page, role: str, home: access.Page):
    """The page behind another role's URL (a bookmark, a shared link): it shows nothing of
    that page, only sends to the role's first page with one line saying why."""
    def elsewhere() -> None:
        st.session_state[ROUTE_NOTICE_KEY] = (
            f"De pagina {page.title} hoort niet bij uw rol ({role}); u ziet nu de {home.title}.")
        st.switch_page(home.script)
    elsewhere.__name__ = f"niet_voor_{page.key}"
    return elsewhere


def route_notice() -> None:
    """The line not_for_role left for the page it sent to."""
    notice = st.session_state.pop(ROUTE_NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/info:")


def sidebar(role: str) -> None:
    """Who is signed in, and the logout button."""
    name = st.session_state.get(NAME_KEY) or ""
    st.sidebar.caption(f"Aangemeld als **{formats.md(name)}** · rol {role}")
    st.sidebar.button("Uitloggen", icon=":material/logout:", on_click=logout, args=(role,), key="uitloggen")
