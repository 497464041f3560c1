"""Who signs in, end to end through the router (AppTest, demo database, frozen clock).

URL gating runs against a copy of dashboard.py whose pages are sentinels: each shows
"GEHEIM-<page>" unconditionally once it runs, so only the router stands between a role and
a page it may not see. A page counts as reachable when its sentinel appears.
"""
from __future__ import annotations

import dataclasses
import re
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from apptest_support import (
    DASHBOARD,
    START,
    StreamlitTab,
    elements,
    free_port,
    new_app,
    session_for,
    shows_login,
    sign_in_form,
)
from layers import one_fast
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dijkwacht import access, accounts, clock, config, queries, state
from dijkwacht.app import auth, session_cookie

# Element types that carry data; none may appear for someone without a role.
DATA_TYPES = {"metric", "arrow_data_frame", "dataframe", "table", "plotly_chart",
              "vega_lite_chart", "deck_gl_json_chart", "map", "download_button", "json",
              "graphviz_chart", "imgs", "image", "iframe", "component_instance",
              "bidi_component", "arrow_vega_lite_chart"}
SENTINEL_PAGE = '''import streamlit as st
from dijkwacht.app import auth
role = auth.current_role()        # as every page does; this page then trusts the router
st.markdown("GEHEIM-{key}")
'''


@dataclasses.dataclass
class SentinelApp:
    """dashboard.py copied beside a pages/ folder of sentinels, one per page in access.
    Its runs see access.PAGES pointing at the sentinels; other runs see the real pages."""
    script: Path
    pages: tuple

    def run(self, at: AppTest) -> AppTest:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(access, "PAGES", self.pages)
            return at.run()


@pytest.fixture
def sentinel_app(app_state) -> SentinelApp:
    app = app_state / "app"
    (app / "pages").mkdir(parents=True)
    shutil.copy(DASHBOARD, app / "dashboard.py")
    pages = []
    for page in access.PAGES:
        script = app / "pages" / f"{page.key}.py"
        script.write_text(SENTINEL_PAGE.format(key=page.key), encoding="utf-8")
        pages.append(dataclasses.replace(page, script=str(script)))
    return SentinelApp(app / "dashboard.py", tuple(pages))


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def rendered_text(at: AppTest) -> str:
    parts = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        parts.append(str(proto) if proto is not None else "")
        value = getattr(node, "value", None)
        parts.append(value if isinstance(value, str) else "")
    return "\n".join(parts)


def data_elements(at: AppTest) -> int:
    return sum(getattr(n, "type", None) in DATA_TYPES for n in walk(at._tree))


def open_url(app: SentinelApp, key: str, session_id: str | None, *, first_run: bool) -> AppTest:
    """Emulate a browser opening /<key>: the request names the page's hash.

    first_run: the very first run of a session (Streamlit's pages-folder mode is still on,
    the hole auth._outside_router closes); else after a normal first run."""
    at = new_app(app.script, session_id)
    if not first_run:
        app.run(at)
        assert not at.exception, at.exception
    at._page_hash = calc_hash(key)
    app.run(at)
    assert not at.exception, at.exception
    return at


# --- URL gating --------------------------------------------------------------------------

@pytest.mark.parametrize("role", one_fast(access.ROLES))
def test_pages_outside_the_role_are_neither_listed_nor_reachable(sentinel_app, role):
    session_id = session_for(role)
    at = sentinel_app.run(new_app(sentinel_app.script, session_id))
    pages = at._registered_pages.values()
    listed = {Path(str(info["script_path"])).stem for info in pages if info.get("script_path")}
    assert listed == {p.key for p in access.pages_for(role)}
    # Another role's URLs exist only as redirects (a bookmark never meets "Page not found"):
    # a function in the router, never the page's script.
    redirects = {info["url_pathname"] for info in pages if not info.get("script_path")}
    assert redirects == {p.key for p in access.PAGES if p not in access.pages_for(role)}

    allowed = {p.key for p in access.PAGES if role in p.roles}
    forbidden = [p for p in access.PAGES if role not in p.roles]
    reachable_forbidden, reachable_allowed = [], []
    for page in access.PAGES:
        for first_run in (True, False):
            text = rendered_text(open_url(sentinel_app, page.key, session_id, first_run=first_run))
            if f"GEHEIM-{page.key}" in text:
                (reachable_allowed if page.key in allowed else reachable_forbidden).append(page.key)
    for page in forbidden:
        with pytest.raises(ValueError):
            sentinel_app.run(new_app(sentinel_app.script, session_id)).switch_page(
                f"pages/{page.key}.py")
    print(f"URL gating {role}: {len(set(reachable_forbidden))} of {len(forbidden)} pages outside "
          f"the role reachable; {len(set(reachable_allowed))} of {len(allowed)} own pages reachable")
    assert reachable_forbidden == []
    assert sorted(set(reachable_allowed)) == sorted(allowed)     # positive control
    if role == "bestuur":
        assert len(forbidden) == 6       # the analysts' pages and Data (branches: city figures only)


# --- no role, no data --------------------------------------------------------------------

def _roles_file(tmp_path, rows: str):
    path = tmp_path / "oidc-rollen.csv"
    path.write_text("identiteit,rol,beoordeeld_op,beoordeeld_door\n" + rows, encoding="utf-8")
    return path


UNKNOWN = ["geen sessie", "vervalst sessie-id", "account verwijderd",
           "oidc niet in bestand", "oidc onbekende rol", "oidc niet beoordeeld"]


def _unknown_identity(kind: str, tmp_path, monkeypatch) -> tuple[str | None, dict | None]:
    """(session id, OIDC user) for each kind of identity that must get nothing."""
    monkeypatch.setenv("DIJKWACHT_OIDC_ROLLEN", str(_roles_file(tmp_path, (
        "onbekend@dordrecht.nl,superuser,2026-11-01,CISO\n"
        "nietbeoordeeld@dordrecht.nl,analist,,\n"
        "analist@dordrecht.nl,analist,2026-11-01,CISO\n"))))
    if kind == "geen sessie":
        return None, None
    if kind == "vervalst sessie-id":
        return "niet-een-echte-sessie-" + "x" * 30, None
    if kind == "account verwijderd":
        session_id = session_for("analist")
        con = state.connect(config.state_path())
        accounts.remove(con, "test-analist")
        con.close()
        return session_id, None
    monkeypatch.setenv("DIJKWACHT_AANMELDEN", "oidc")
    email = {"oidc niet in bestand": "vreemde@example.org",
             "oidc onbekende rol": "onbekend@dordrecht.nl",
             "oidc niet beoordeeld": "nietbeoordeeld@dordrecht.nl"}[kind]
    return None, {"is_logged_in": True, "email": email, "sub": "sub-" + email}


@pytest.mark.parametrize("kind", one_fast(UNKNOWN))
def test_unknown_identity_gets_no_data_on_any_page(sentinel_app, app_state, monkeypatch, kind):
    session_id, user = _unknown_identity(kind, app_state, monkeypatch)
    leaks = []
    for page in access.PAGES:
        for script in (sentinel_app, DASHBOARD):
            at = new_app(getattr(script, "script", script), session_id)
            if user:
                at.user = dict(user)
            at._page_hash = calc_hash(page.key)
            sentinel_app.run(at) if script is sentinel_app else at.run()
            assert not at.exception, at.exception
            if data_elements(at) or "GEHEIM-" in rendered_text(at) or at.metric:
                leaks.append((page.key, str(script)))
            if user:
                assert auth.NO_ROLE in [e.value for e in at.error]
            else:
                assert shows_login(at)
    print(f"Unknown identity ({kind}): data on {len(leaks)} of {2 * len(access.PAGES)} page requests")
    assert leaks == []


def test_oidc_identity_in_the_reviewed_file_gets_its_role(app_state, sentinel_app, monkeypatch):
    """Positive control for the test above: the same road with a reviewed analyst."""
    _unknown_identity("oidc niet in bestand", app_state, monkeypatch)
    at = new_app(DASHBOARD)
    at.user = {"is_logged_in": True, "email": "Analist@Dordrecht.nl", "sub": "abc",
               "email_verified": True, "iat": START.timestamp()}
    at.run()
    assert not at.exception and at.metric and not at.error
    at = new_app(sentinel_app.script)
    at.user = {"is_logged_in": True, "email": "analist@dordrecht.nl", "sub": "abc",
               "email_verified": True, "iat": START.timestamp()}
    at._page_hash = calc_hash("hennep")
    assert "GEHEIM-hennep" in rendered_text(sentinel_app.run(at))
    # An unverified e-mail address does not count, nor one the provider says nothing about.
    for verified in ({"email_verified": False}, {}, {"email_verified": "true"}):
        at = new_app(DASHBOARD)
        at.user = {"is_logged_in": True, "email": "analist@dordrecht.nl", "sub": "abc",
                   "iat": START.timestamp(), **verified}
        assert not new_app_has_data(at.run())


def new_app_has_data(at: AppTest) -> bool:
    return bool(data_elements(at))


def _oidc_tab(user: dict) -> AppTest:
    """A new browser tab (or a reload): a new Streamlit session with the same cookie."""
    at = new_app(DASHBOARD)
    at.user = dict(user)
    return at.run()


def test_oidc_session_terms(app_state, monkeypatch):
    _unknown_identity("oidc niet in bestand", app_state, monkeypatch)
    user = {"is_logged_in": True, "email": "analist@dordrecht.nl", "sub": "abc",
            "email_verified": True, "iat": START.timestamp()}
    at = _oidc_tab(user)
    assert at.metric
    # Idle in this tab past the analyst's 15 minutes: logged out (st.logout called).
    clock.advance(timedelta(minutes=15, seconds=1))
    at.run()
    assert not at.metric and at.user.get("is_logged_in") is False
    # A reload with the same cookie does not bring it back: no live session any more.
    assert not _oidc_tab(user).metric
    # Active in one tab: a reload 10 minutes later continues.
    clock.set_time(START + timedelta(hours=1))
    user["iat"] = clock.now().timestamp()
    active = _oidc_tab(user)
    clock.advance(timedelta(minutes=14))
    assert active.run().metric
    clock.advance(timedelta(minutes=10))
    assert _oidc_tab(user).metric
    # Past the absolute term since the token was issued, even when active: out.
    for _ in range(12 * 6):
        clock.advance(timedelta(minutes=10))
        active.run()
    assert not active.metric and not _oidc_tab(user).metric
    # No issue time in the token: ask the provider again.
    assert not _oidc_tab({k: v for k, v in user.items() if k != "iat"}).metric


def test_oidc_roles_file_rules(tmp_path):
    path = _roles_file(tmp_path, (
        "# commentaar\n"
        "A@X.NL,analist,2026-01-01,CISO\n"
        "b@x.nl,bestuur,2099-01-01,CISO\n"          # review in the future: not yet valid
        "c@x.nl,beheerder,gisteren,CISO\n"          # not a date
        "d@x.nl,beheerder,2026-01-01,\n"))          # no reviewer
    clock.set_time(START)
    try:
        assert auth.oidc_roles(path) == {"a@x.nl": "analist"}
    finally:
        clock.reset()


def test_oidc_email_without_email_verified_gives_no_role(tmp_path):
    """Suspicion (issue 23): an e-mail address was accepted when the provider sent no
    `email_verified` claim, as Entra ID usually does not; anyone who may set their own e-mail
    attribute could take the role of the address in the reviewed file. Now only a verified
    e-mail counts; Entra users are matched on their object id (`oid`), and app roles in the
    `roles` claim are supported as reviewed rows `rol:<app role>`."""
    roles = {"burgemeester@dordrecht.nl": "bestuur",
             "5f0c2b1e-8d7a-4c1b-9e3f-2a6d4b8c0e11": "analist",
             "rol:dijkwacht.bestuur": "bestuur", "rol:dijkwacht.beheer": "beheerder"}
    impostor = {"sub": "pairwise-mallory", "email": "Burgemeester@Dordrecht.nl"}
    assert auth.oidc_identity_role(impostor, roles) == ("pairwise-mallory", None)
    assert auth.oidc_identity_role({**impostor, "email_verified": False}, roles)[1] is None
    assert auth.oidc_identity_role({**impostor, "email_verified": "true"}, roles)[1] is None
    assert auth.oidc_identity_role({**impostor, "email_verified": True}, roles) == \
        ("burgemeester@dordrecht.nl", "bestuur")                      # positive control
    entra = {"sub": "pairwise-abc", "oid": "5F0C2B1E-8D7A-4C1B-9E3F-2A6D4B8C0E11",
             "email": "burgemeester@dordrecht.nl"}
    assert auth.oidc_identity_role(entra, roles) == ("5f0c2b1e-8d7a-4c1b-9e3f-2a6d4b8c0e11", "analist")
    # App roles: one role through the claim; conflicting app roles or a sub that pretends to
    # be a role row give nothing.
    holder = {"sub": "pairwise-def", "oid": "0a0b", "roles": ["Dijkwacht.Bestuur"]}
    assert auth.oidc_identity_role(holder, roles) == ("0a0b", "bestuur")
    assert auth.oidc_identity_role({**holder, "roles": "Dijkwacht.Bestuur"}, roles)[1] == "bestuur"
    assert auth.oidc_identity_role({**holder, "roles": ["Dijkwacht.Bestuur", "Dijkwacht.Beheer"]},
                                   roles)[1] is None
    assert auth.oidc_identity_role({**holder, "roles": ["Iets.Anders"]}, roles)[1] is None
    assert auth.oidc_identity_role({"sub": "rol:dijkwacht.bestuur"}, roles)[1] is None
    assert auth.oidc_identity_role({"roles": ["Dijkwacht.Bestuur"]}, roles)[1] is None   # no subject


def test_shipped_roles_file_grants_nothing():
    assert auth.oidc_roles(config.DATA_DIR / "oidc-rollen.csv") == {}


# --- cache isolation ---------------------------------------------------------------------

def _plant(monkeypatch, sentinel: str):
    """From now on the served database's meta says: not a demo, municipality <sentinel>."""
    import polars as pl
    real_query = queries.Served.query

    def planted(self, name, **params):
        frame = real_query(self, name, **params)
        if name != "meta":
            return frame
        return frame.with_columns(gemeente_naam=pl.lit(sentinel), demo=pl.lit(False))

    monkeypatch.setattr(queries.Served, "query", planted)
    return lambda: monkeypatch.setattr(queries.Served, "query", real_query)


def test_result_cached_for_analist_never_reaches_bestuur_data_layer(app_state, monkeypatch):
    import streamlit as st

    from dijkwacht.app import data
    sentinel = "SENTINEL-ALLEEN-ANALIST"
    st.cache_data.clear()
    restore = _plant(monkeypatch, sentinel)
    assert data.meta("analist")["gemeente_naam"] == sentinel       # cached for analist
    restore()
    assert data.meta("analist")["gemeente_naam"] == sentinel       # control: served from cache
    seen = [role for role in ("bestuur", "beheerder") if data.meta(role)["gemeente_naam"] == sentinel]
    print(f"Cache isolation (data layer): sentinel reached {len(seen)} of 2 other roles")
    assert seen == []
    with pytest.raises(access.AccessDenied):
        data.meta("onbekend")
    st.cache_data.clear()


@pytest.mark.slow    # every page twice in AppTest; the data-layer test above is the loop's
def test_result_cached_for_analist_never_reaches_bestuur_in_the_app(app_state, monkeypatch):
    """Same, through the router in one process: the planted meta (no demo) hides the demo
    banner for analist sessions; a bestuur session must still see the banner."""
    import streamlit as st
    banner = "Demodata"
    st.cache_data.clear()
    restore = _plant(monkeypatch, "SENTINEL-ALLEEN-ANALIST")
    analist = new_app(session_id=session_for("analist")).run()
    assert not analist.exception and banner not in rendered_text(analist)   # planted
    restore()
    again = new_app(session_id=session_for("analist")).run()
    assert banner not in rendered_text(again)                 # control: the cache is shared
    bestuur = new_app(session_id=session_for("bestuur")).run()
    text = rendered_text(bestuur)
    print(f"Cache isolation (app): bestuur saw the analist's cached meta: {banner not in text}")
    assert bestuur.metric and banner in text and "SENTINEL-ALLEEN-ANALIST" not in text
    st.cache_data.clear()


# --- login, lock, timeouts, logout -------------------------------------------------------

def test_form_login_slowdown_and_generic_message(app_state):
    con = state.connect(config.state_path())
    naam, wachtwoord = accounts.ensure_test_account(con, "analist")
    con.close()
    at = new_app().run()
    assert shows_login(at) and not at.metric
    messages = set()
    for attempt in ("fout-wachtwoord-1",) * 5 + (wachtwoord,):
        sign_in_form(at, naam, attempt)
        messages.update(e.value for e in at.error)
        assert not at.metric and shows_login(at)
    sign_in_form(at, "bestaat-niet", wachtwoord)
    messages.update(e.value for e in at.error)
    assert messages == {auth.WRONG}      # one message for wrong, slowed down and unknown
    # Five failures from this client: it waits a minute (then 2, 4, ... at most 15).
    clock.advance(timedelta(seconds=59))
    assert not sign_in_form(at, naam, wachtwoord).metric
    clock.advance(timedelta(seconds=2))
    assert sign_in_form(at, naam, wachtwoord).metric
    assert auth.SESSION_KEY in at.session_state
    # Every attempt is in the audit log, ok or failed, without the password; a name that
    # is no account is not kept as typed.
    con = state.connect(config.state_path())
    rows = con.execute("SELECT actor, resultaat FROM auditlog WHERE actie = 'inloggen'").fetchall()
    dump = "\n".join(map(str, con.iterdump()))
    con.close()
    assert [r["resultaat"] for r in rows] == ["mislukt"] * 8 + ["ok"]
    assert {r["actor"] for r in rows} == {naam, "(onbekende naam)"}
    assert "bestaat-niet" not in dump
    assert wachtwoord not in dump and at.session_state[auth.SESSION_KEY] not in dump


@pytest.mark.parametrize("role, idle", [("analist", 15), ("bestuur", 30)])
def test_idle_session_past_its_timeout_shows_the_login_again(app_state, role, idle):
    at = new_app(session_id=session_for(role)).run()
    assert at.metric
    clock.advance(timedelta(minutes=idle))
    assert at.run().metric                                   # exactly the term: still in
    clock.advance(timedelta(minutes=idle, seconds=1))
    at.run()
    assert shows_login(at) and not at.metric and not data_elements(at)
    assert auth.EXPIRED in [e.value for e in at.info]


def test_logout_invalidates_the_saved_session_id(app_state):
    session_id = session_for("beheerder")
    at = new_app(session_id=session_id).run()
    assert at.metric
    at.sidebar.button(key="uitloggen").click()
    at.run()
    assert shows_login(at) and not at.metric
    assert auth.LOGGED_OUT in [e.value for e in at.info]
    replay = new_app(session_id=session_id).run()            # the id saved before logout
    assert shows_login(replay) and not replay.metric
    con = state.connect(config.state_path())
    assert accounts.check_session(con, session_id) is None
    con.close()


# --- OIDC end to end, offline: a real Streamlit server and a local OIDC provider ---------

def _button_id(messages, label: str) -> str:
    for button in elements(messages, "button"):
        if button.label == label:
            return button.id
    raise AssertionError(f"no button {label!r}")


def _oidc_login(port: int, http, sub: str) -> list:
    """Click the app's OIDC button, sign in at the provider as `sub`, open the app again."""
    http.get(f"http://localhost:{port}/_stcore/health")         # sets the XSRF cookie
    first = StreamlitTab(port, dict(http.cookies))
    try:
        page = first.run()
        redirect = first.click(_button_id(page, "Inloggen met uw organisatieaccount"))[-1]
    finally:
        first.close()
    assert redirect.WhichOneof("type") == "auth_redirect"
    url = redirect.auth_redirect.url
    url = url if url.startswith("http") else f"http://localhost:{port}{url}"
    to_provider = http.get(url)
    assert to_provider.status_code in (302, 303, 307), to_provider.text[:300]
    authorize = to_provider.headers["location"]
    assert http.get(authorize).status_code == 200              # the provider's login form
    back = http.post(authorize, data={"sub": sub})
    assert back.status_code in (302, 303), back.text[:300]
    done = http.get(back.headers["location"])                  # /oauth2callback
    assert done.status_code in (302, 303, 307)
    assert any(name.startswith("_streamlit_user") for name in http.cookies), "no login cookie"
    second = StreamlitTab(port, dict(http.cookies))
    try:
        return second.run()
    finally:
        second.close()


@pytest.mark.slow
def test_oidc_login_against_a_local_provider(served_demo, tmp_path):
    import os
    import subprocess
    import sys
    import time

    import httpx
    from oidc_provider_mock import run_server_in_thread

    roles = _roles_file(tmp_path, "analist@dordrecht.nl,analist,2026-11-01,CISO\n"
                               "5f0c2b1e-8d7a-4c1b-9e3f-2a6d4b8c0e11,analist,2026-11-01,CISO\n"
                               "rol:Dijkwacht.Analist,analist,2026-11-01,CISO\n")
    # Claims as the provider sends them (issue 23): an impostor whose unverified e-mail is
    # the analyst's address (Entra ID sends no email_verified), an Entra user known by object
    # id, and one who holds the app role.
    claims = {"mallory": {"email": "analist@dordrecht.nl"},
              "pairwise-1": {"oid": "5f0c2b1e-8d7a-4c1b-9e3f-2a6d4b8c0e11", "email": "x@example.org"},
              "rolhouder": {"roles": ["Dijkwacht.Analist"], "email": "y@example.org"}}
    port = free_port()
    with run_server_in_thread() as provider:
        issuer = f"http://localhost:{provider.server_port}"
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            f'cookie_secret = "{"k" * 40}"\n'
            'client_id = "dijkwacht"\nclient_secret = "geheim-voor-de-test"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8")
        env = dict(os.environ, DIJKWACHT_AANMELDEN="oidc", DIJKWACHT_OIDC_ROLLEN=str(roles),
                   DIJKWACHT_STATE=str(tmp_path / "state.sqlite"))
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(config.ROOT / "server.py"), "--server.headless=true",
             f"--server.port={port}", "--server.address=localhost",
             f"--secrets.files={secrets}", "--browser.gatherUsageStats=false"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for _ in range(240):
                try:
                    if httpx.get(f"http://localhost:{port}/_stcore/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            else:
                pytest.fail("Streamlit did not start")
            with httpx.Client(timeout=60) as http:
                known = _oidc_login(port, http, "analist@dordrecht.nl")
                # F5 (issue "The triangle path"): the page posts its ticket, gets the
                # session cookie, and a new websocket continues the same session.
                ticket = re.search(session_cookie.HEADER + r'[\\"]+: [\\"]+([A-Za-z0-9_-]{40,})',
                                   "\n".join(str(m) for m in known)).group(1)
                handed = http.post(f"http://localhost:{port}{session_cookie.ROUTE}",
                                   headers={session_cookie.HEADER: ticket,
                                            "Origin": f"http://localhost:{port}"})
                assert handed.status_code == 204 and session_cookie.COOKIE in http.cookies
                reload = StreamlitTab(port, dict(http.cookies))
                try:
                    reloaded = reload.run()
                finally:
                    reload.close()
                with sqlite3.connect(tmp_path / "state.sqlite") as con:
                    oidc_sessions = con.execute("SELECT count(*) FROM sessies WHERE soort = 'oidc'"
                                                " AND naam = 'analist@dordrecht.nl'").fetchone()[0]
            with httpx.Client(timeout=60) as http:
                stranger = _oidc_login(port, http, "vreemde@example.org")
            others = {}
            for sub, user_claims in claims.items():
                assert httpx.put(f"{issuer}/users/{sub}", json=user_claims).status_code == 204
                with httpx.Client(timeout=60) as http:
                    others[sub] = _oidc_login(port, http, sub)
        finally:
            server.terminate()
            server.wait(timeout=30)

    def kinds(messages):
        return [m.delta.new_element.WhichOneof("type") for m in messages
                if m.WhichOneof("type") == "delta" and m.delta.HasField("new_element")]

    known_text = "\n".join(str(m) for m in known)
    stranger_text = "\n".join(str(m) for m in stranger)
    print(f"OIDC: reviewed analyst got {kinds(known).count('metric')} metrics; "
          f"unknown identity got {kinds(stranger).count('metric')} metrics")
    assert "metric" in kinds(known) and auth.NO_ROLE not in known_text
    print(f"OIDC: after F5 {kinds(reloaded).count('metric')} metrics, "
          f"{oidc_sessions} server session(s) for the analyst")
    assert "metric" in kinds(reloaded) and oidc_sessions == 1     # the same session, not a new one
    assert auth.NO_ROLE in stranger_text
    assert not set(kinds(stranger)) & DATA_TYPES
    impostor = "\n".join(str(m) for m in others["mallory"])
    print(f"OIDC: unverified e-mail of a reviewed analyst got "
          f"{kinds(others['mallory']).count('metric')} metrics")
    assert auth.NO_ROLE in impostor and not set(kinds(others["mallory"])) & DATA_TYPES
    for sub in ("pairwise-1", "rolhouder"):                    # object id, app role: in
        assert "metric" in kinds(others[sub]), sub
