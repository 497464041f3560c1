"""Issue 23 ("Hardening, round two"), items 5, 6, 7 and 10 and three suspicions, each as the
attack that worked, replayed against the app (AppTest through the router, the demo database,
the project's clock), and now failing:

5  a shared tab kept the previous user's opened key timeline (no purpose, no audit row);
6  the 20-second refresh renewed the idle clock, and an expired session kept its figures;
7  an unknown area code from the URL was echoed into markdown (a phishing link, an image);
10 five wrong passwords from anywhere locked the mayor out for 15 minutes; `aaaaaaaaaaaa`
   and `wachtwoord12` were accepted;
suspicions: a password typed into the name field stored in the audit log; a closed tab's
Streamlit session resumable for `server.disconnectedSessionTTL` (real server, websocket).
"""
from __future__ import annotations

import functools
import re
from datetime import timedelta

import pytest
from apptest_support import (
    DASHBOARD,
    START,
    StreamlitTab,
    account,
    elements,
    free_port,
    new_app,
    on_tab,
    shows_login,
    sign_in_form,
    signed_in,
)
from streamlit.testing.v1 import AppTest

from dijkwacht import accounts, clock, config, state
from dijkwacht.app import auth, data, session, ui


def audit_rows(actie: str) -> list:
    with state.opened() as con:
        return con.execute("SELECT actor, resultaat, object FROM auditlog WHERE actie = ?"
                           " ORDER BY nr", (actie,)).fetchall()


def run_timed_refresh(at: AppTest) -> AppTest:
    """What the browser does every 20 seconds: rerun only the refresh fragment
    (data.watch_for_new_data), marked as an automatic rerun. AppTest has no API for it, so
    this run's request carries the fragment's id, as the app session would set it."""
    import streamlit.testing.v1.local_script_runner as lsr

    ids = [fid for fid, fragment in at._fragment_storage._fragments.items()
           if "watch_for_new_data" in repr(getattr(fragment, "__wrapped__", fragment))
           or "watch_for_new_data" in getattr(fragment, "__qualname__", "")]
    if not ids:      # the only fragment of the router's sidebar
        ids = list(at._fragment_storage._fragments)
    assert len(ids) == 1, ids
    real = lsr.RerunData
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lsr, "RerunData", functools.partial(real, fragment_id=ids[0], is_auto_rerun=True))
        return at.run()


def last_seen(session_id: str) -> str:
    with state.opened() as con:
        return con.execute("SELECT laatst_gezien_op FROM sessies WHERE sessie_hash = ?",
                           (accounts._digest(session_id),)).fetchone()[0]


# --- 5: a shared tab ------------------------------------------------------------------------

@pytest.fixture
def koppelingen_first(monkeypatch):
    """Koppelingen as the router's default page. Through st.navigation, AppTest asks for the
    page it finished on, which each new script runner takes for a page change, and drops a
    button's click (callbacks still run); on the default page, asked for as "", a click
    reaches the page as in a browser (see `here`)."""
    from dijkwacht import access
    pages = sorted(access.PAGES, key=lambda p: p.key != "koppelingen")
    monkeypatch.setattr(access, "PAGES", tuple(pages))


def here(at: AppTest) -> AppTest:
    """Stay on the default page for the next run (see koppelingen_first)."""
    at._page_hash = at._finished_page_script_hash = ""
    return at


def _on_keys_tab(at: AppTest) -> AppTest:
    """Run with Koppelingen's Sleutels tab open, where the timeline is."""
    return on_tab(here(at), "koppelingen_tab", "Sleutels")


def _open_timeline(at: AppTest) -> AppTest:
    assert [t.value for t in at.title] == ["Koppelingen"], [t.value for t in at.title]
    _on_keys_tab(at)
    next(s for s in here(at).selectbox if s.label == "Doel van het inzien").select("RIEC-casus")
    _on_keys_tab(at)
    next(b for b in here(at).button if b.label == "Tijdlijn openen").click()
    return _on_keys_tab(at)


def _timeline_shown(at: AppTest) -> bool:
    return any(c.value.startswith("Tijdlijn van sleutel") for c in at.caption)


@pytest.mark.parametrize("how", ["uitloggen", "verlopen"])
def test_item5_next_user_of_a_shared_tab_sees_no_timeline(app_state, koppelingen_first, how):
    first = signed_in("analist")
    _open_timeline(first)
    assert _timeline_shown(first) and len(audit_rows("detail")) == 1     # the first user's view
    # The first user leaves the tab: logs out, or walks away until the session expires.
    if how == "uitloggen":
        here(first).sidebar.button(key="uitloggen").click().run()
    else:
        clock.advance(timedelta(minutes=15, seconds=1))
        here(first).run()
    assert shows_login(first)
    # The next user signs in in the same tab and opens Koppelingen: the same key is chosen
    # (the first), no purpose. The attack: the timeline was there, and no row said so.
    naam, wachtwoord = account("analist", "tweede-analist")
    sign_in_form(here(first), naam, wachtwoord)
    here(first).run()                               # the page, as after a sign-in's rerun
    _on_keys_tab(first)                             # where the first user's timeline was
    assert not first.exception and [t.value for t in first.title] == ["Koppelingen"]
    print(f"Shared tab ({how}): timeline shown to the next user: {_timeline_shown(first)}")
    assert not _timeline_shown(first)
    assert [r["actor"] for r in audit_rows("detail")] == ["test-analist"]
    assert next(b for b in first.button if b.label == "Tijdlijn openen").disabled
    # Nothing the first user held is left (filters, purpose, audit dedupe, visit date).
    leftover = [k for k in (data.DETAIL_LOGGED_KEY, "koppelingen_open") if k in first.session_state]
    assert leftover == []
    # Positive control: the second user opens it with a purpose, and that is audited.
    _open_timeline(first)
    assert _timeline_shown(first)
    assert [r["actor"] for r in audit_rows("detail")] == ["test-analist", "tweede-analist"]


def test_item5_sign_out_clears_all_user_state(app_state):
    at = signed_in("analist", {"gebied": "wijk:WK050503"})
    at.session_state["iets_van_deze_gebruiker"] = "x"
    at.run()
    at.sidebar.button(key="uitloggen").click().run()
    left = {k for k in at.session_state.keys() if not k.startswith("FormSubmitter:")}   # the login form's
    assert left <= {auth.NOTICE_KEY}, left
    assert auth.LOGGED_OUT in [i.value for i in at.info]


# --- 6: idle sessions -------------------------------------------------------------------------

def test_item6_timed_refresh_never_renews_the_idle_clock(app_state):
    at = signed_in("analist")                       # analyst: 15 minutes idle
    assert at.metric
    session_id = at.session_state[auth.SESSION_KEY]
    seen = last_seen(session_id)
    # Ten minutes later the inbox publishes new data: the refresh reruns the whole app.
    clock.advance(timedelta(minutes=10))
    at.session_state["dijkwacht_dataversie"] = "een eerdere versie"
    run_timed_refresh(at)
    assert not at.exception, at.exception
    assert at.session_state["dijkwacht_dataversie"] != "een eerdere versie"   # it did rerun
    assert at.metric                                # the figures, renewed with the new data
    assert last_seen(session_id) == seen            # ... but not the idle clock
    # Plain ticks without new data do not renew it either.
    for _ in range(3):
        clock.advance(timedelta(seconds=20))
        run_timed_refresh(at)
        assert not at.metric and not shows_login(at)    # only the fragment ran (the plumbing)
    assert last_seen(session_id) == seen
    # Six minutes more (16 since the user's last action): the user's next click finds the
    # session over. The attack: publications every few minutes kept it alive for ever.
    clock.advance(timedelta(minutes=6) - timedelta(seconds=60))
    at.run()
    print(f"Idle with refreshes: signed in after 16 idle minutes: {not shows_login(at)}")
    assert shows_login(at) and not at.metric
    assert auth.EXPIRED in [i.value for i in at.info]


def test_item6_a_users_action_still_renews(app_state):
    at = signed_in("analist")
    clock.advance(timedelta(minutes=10))
    at.run()                                        # a click
    clock.advance(timedelta(minutes=10))
    assert at.run().metric                          # 10 minutes since the click: still in


def test_item6_expired_session_blanks_at_the_next_refresh(app_state):
    at = signed_in("bestuur")                       # bestuur: 30 minutes idle
    assert at.metric
    clock.advance(timedelta(minutes=29))
    run_timed_refresh(at)
    assert auth.SESSION_KEY in at.session_state     # not yet
    clock.advance(timedelta(minutes=1, seconds=1))
    # No click: the refresh notices expiry and reruns the app, so the login replaces the
    # figures. The attack: they stayed on screen until someone touched the page.
    run_timed_refresh(at)
    assert not at.exception, at.exception
    print(f"Expired, no click: login shown by the refresh: {shows_login(at)}")
    assert shows_login(at) and not at.metric and not at.dataframe
    assert auth.EXPIRED in [i.value for i in at.info]
    assert auth.SESSION_KEY not in at.session_state


# --- 7: markdown injection through the URL --------------------------------------------------

PHISHING = "[Sessie verlopen: log hier opnieuw in](https://aanvaller.example/inloggen)"
IMAGE = "![x](https://aanvaller.example/pixel.png)"


def _text(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "title", "info", "error")
                     for e in getattr(at, kind))


@pytest.mark.parametrize("gebied", [
    f"wijk:{PHISHING}", f"focus:{IMAGE}", f"buurt:{PHISHING} {IMAGE}",
    "focus:Sessie verlopen log hier opnieuw in via aanvaller.example (www.aanvaller.example)",
    "focus:Bestaat niet", "wijk:WK059999",
])
def test_item7_unknown_area_from_the_url_is_never_echoed(app_state, gebied):
    at = signed_in("bestuur", {"gebied": gebied, "presentatie": "1"})
    assert not at.exception, at.exception
    text = _text(at)
    print(f"URL area {gebied[:40]!r}: echoed: {'aanvaller' in text or 'Sessie verlopen' in text}")
    assert "aanvaller" not in text and "Sessie verlopen" not in text and "WK059999" not in text
    assert "Hele stad" in text and ui.UNKNOWN_AREA_TEXT in text
    assert at.metric                                # the whole city's figures, not nothing
    assert at.session_state[ui.STATE_KEY].gebied == "stad"


def test_item7_known_area_from_the_url_still_works(app_state):
    at = signed_in("bestuur", {"gebied": "wijk:WK050503"})
    assert "Wijk 03 Oud Krispijn" in _text(at) and ui.UNKNOWN_AREA_TEXT not in _text(at)
    assert data.area_name("bestuur", "wijk:WK059999") == data.UNKNOWN_AREA


def _only_literal(escaped: str) -> bool:
    """True when every ASCII punctuation character is backslash-escaped and there is no line
    break: CommonMark (and Streamlit's extensions) can then form no construct at all."""
    punct = re.compile(r"[!-/:-@\[-`{-~]")
    i = 0
    while i < len(escaped):
        c = escaped[i]
        if c in "\n\r":
            return False
        if c == "\\":
            if i + 1 >= len(escaped) or not punct.match(escaped[i + 1]):
                return False
            i += 2
            continue
        if punct.match(c):
            return False
        i += 1
    return True


@pytest.mark.parametrize("payload", [
    PHISHING, IMAGE, "https://aanvaller.example", "www.aanvaller.example", "a@aanvaller.example",
    ":red[rood] :material/lock: :smile:", "$x^2$", "<img src=x onerror=alert(1)>", "# kop",
    "1. lijst", "- lijst", "**vet** _schuin_ `code` ~~weg~~", "regel\n\n# kop\r\n[x](y)",
    "\\[x](https://a.example)", "a\u2028b", "Kon. Wilhelminastraat & omgeving (BU05050114)",
])
def test_item7_md_leaves_only_literal_text(payload):
    escaped = ui.md(payload)
    assert _only_literal(escaped), escaped
    # The letters themselves are kept: unescaping gives the text back (line breaks as spaces).
    assert re.sub(r"\\(.)", r"\1", escaped) == re.sub(r"[\n\r\u2028]", " ", payload)


def test_item7_user_name_in_the_sidebar_is_escaped(app_state, monkeypatch):
    path = app_state / "oidc-rollen.csv"
    path.write_text("identiteit,rol,beoordeeld_op,beoordeeld_door\n"
                    "j_jansen@dordrecht.nl,analist,2026-11-01,CISO\n", encoding="utf-8")
    monkeypatch.setenv("DIJKWACHT_OIDC_ROLLEN", str(path))
    monkeypatch.setenv("DIJKWACHT_AANMELDEN", "oidc")
    at = new_app()
    at.user = {"is_logged_in": True, "sub": "x", "email": "J_Jansen@dordrecht.nl",
               "email_verified": True, "iat": START.timestamp()}
    at.run()
    captions = [c.value for c in at.sidebar.caption]
    assert any("j\\_jansen\\@dordrecht\\.nl" in c for c in captions), captions


# --- 10: lockout and weak passwords ---------------------------------------------------------

def test_item10_knowing_the_mayors_name_does_not_lock_her_out(app_state, monkeypatch):
    origin = {"adres": "192.0.2.10"}
    monkeypatch.setattr(auth, "client_origin", lambda: origin["adres"])
    naam, wachtwoord = account("bestuur", "burgemeester")
    mayor = new_app().run()
    assert sign_in_form(mayor, naam, wachtwoord).metric                 # her own PC, once
    mayor.sidebar.button(key="uitloggen").click().run()
    # The attack: a stranger types wrong passwords for her name, again and again.
    origin["adres"] = "203.0.113.7"
    attacker = new_app().run()
    messages = set()
    for i in range(12):
        sign_in_form(attacker, naam, f"fout-{i}-wachtwoord")
        messages.update(e.value for e in attacker.error)
        clock.advance(timedelta(seconds=30))
    assert messages == {auth.WRONG}
    assert not sign_in_form(attacker, naam, wachtwoord).metric          # the stranger waits
    # The mayor, at her own PC, signs in right away, at any moment of the attack.
    # (A new tab: AppTest, unlike the browser, loses a form's submit click on the login
    # shown at the Briefing's URL after a logout; tests/browser/test_triangle.py signs out and
    # in again in one real tab.)
    origin["adres"] = "192.0.2.10"
    signed = sign_in_form(new_app().run(), naam, wachtwoord).metric
    print(f"Mayor signs in during the attack: {bool(signed)}")
    assert signed
    # Every attempt is audited, with one generic message; the attacker's origin is kept.
    rows = audit_rows("inloggen")
    assert [r["resultaat"] for r in rows].count("mislukt") == 13
    assert {r["actor"] for r in rows} == {"burgemeester"}


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "wachtwoord12", "Welkom2026!!"])
def test_item10_common_and_repetitive_passwords_refused(app_state, weak):
    with state.opened() as con, pytest.raises(accounts.AccountError, match="te makkelijk"):
        accounts.add(con, "burgemeester", "bestuur", weak)
    assert accounts.password_problem("paarse fiets onder de oude brug", "burgemeester") is None


# --- suspicions -----------------------------------------------------------------------------

def test_password_typed_into_the_name_field_is_not_audited(app_state):
    naam, wachtwoord = account("analist")
    at = new_app().run()
    sign_in_form(at, wachtwoord, wachtwoord)            # the password in both fields
    sign_in_form(at, naam, "fout-wachtwoord-x")
    rows = audit_rows("inloggen")
    assert [r["actor"] for r in rows] == [session.UNKNOWN_NAME, naam]
    with state.opened() as con:
        dump = "\n".join(con.iterdump())
    assert wachtwoord not in dump and wachtwoord.lower() not in dump


def test_closed_tab_session_ttl_is_short():
    """The setting the real-server test below relies on (and why: see config.toml)."""
    import tomllib
    settings = tomllib.loads((config.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["disconnectedSessionTTL"] <= 15


@pytest.mark.slow
def test_closed_tab_session_cannot_be_resumed_after_the_ttl(served_demo, tmp_path):
    """Suspicion: whoever has a closed tab's session id (reopening the tab restores it) gets
    its signed-in session back while Streamlit keeps it (server.disconnectedSessionTTL).
    Within the window it does resume (Streamlit's reconnect, the first half); past the short
    window set in config.toml the id gives a fresh session: the login form."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    ttl = 15
    state_file = tmp_path / "state.sqlite"
    with state.opened(state_file) as con:
        naam, wachtwoord = accounts.ensure_test_account(con, "analist")
    port = free_port()
    env = dict(os.environ, DIJKWACHT_AANMELDEN="lokaal", DIJKWACHT_STATE=str(state_file),
               DIJKWACHT_DB=str(served_demo))
    server = subprocess.Popen(       # from the project root: its .streamlit/config.toml applies
        [sys.executable, "-m", "streamlit", "run", str(DASHBOARD), "--server.headless=true",
         f"--server.port={port}", "--server.address=localhost", "--browser.gatherUsageStats=false"],
        cwd=config.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
            http.get(f"http://localhost:{port}/_stcore/health")      # the XSRF cookie
            cookies = dict(http.cookies)
        tab = StreamlitTab(port, cookies)
        page = tab.run()
        inputs = {e.label: e.id for e in elements(page, "text_input")}
        submit = next(e.id for e in elements(page, "button") if e.label == "Inloggen")
        signed = tab.run([(inputs["Gebruikersnaam"], "string_value", naam),
                          (inputs["Wachtwoord"], "string_value", wachtwoord),
                          (submit, "trigger_value", True)])
        signed += tab.run()                                          # st.rerun after sign-in
        assert elements(signed, "metric"), "not signed in"
        session_id = tab.session_id
        assert session_id
        tab.close()                                                  # the tab is closed

        reopened = StreamlitTab(port, cookies, resume=session_id)            # ... and reopened at once
        within = reopened.run()
        reopened.close()
        resumed = bool(elements(within, "metric"))
        time.sleep(ttl + 3)                                          # past the window
        late = StreamlitTab(port, cookies, resume=session_id)
        after = late.run()
        late.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"Closed tab: resumed within {ttl} s: {resumed}; after: {bool(elements(after, 'metric'))}")
    assert resumed                                   # the window exists (Streamlit's reconnect)
    assert not elements(after, "metric")
    assert [e.label for e in elements(after, "text_input")] == ["Gebruikersnaam", "Wachtwoord"]
