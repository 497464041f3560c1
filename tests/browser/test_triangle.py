"""The mayor's two minutes on a projector (issue "The triangle path"): presentation mode at
1920×1080 and 1280×720 — figures measured in the page, one screen, Dutch page language —
the snapshot, one click to a PDF that holds the period and the headline figures, and a
sign-in that survives F5, a bookmark and a second tab (the HttpOnly session cookie)."""
from __future__ import annotations

import hashlib
import io
import re
import sqlite3
import time

import browser_harness as h
import pytest

from dijkwacht.app import session_cookie

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api",
                    reason="browserlaag overgeslagen: playwright niet geïnstalleerd")
pytestmark = [pytest.mark.browser, pytest.mark.slow]
from playwright.sync_api import expect  # noqa: E402 — after the skip: playwright may be missing

# The size a metric is drawn at is its innermost element's computed font size (STACK-NOTES).
MEASURE = """() => {
  const size = el => { let e = el; while (e.firstElementChild) e = e.firstElementChild;
                       return parseFloat(getComputedStyle(e).fontSize); };
  const all = id => [...document.querySelectorAll(`[data-testid="${id}"]`)].map(size);
  const main = document.querySelector('[data-testid="stMain"]');
  return {values: all("stMetricValue"), labels: all("stMetricLabel"), deltas: all("stMetricDelta"),
          period: all("stCaptionContainer"),
          lang: document.documentElement.lang, scroll: main.scrollHeight, client: main.clientHeight};
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_presentation_mode_fills_one_screen_in_large_type(server, browser, size):
    context = h.new_context(browser)
    try:
        page = h.signed_in_page(context, server, "bestuur")
        page.set_viewport_size({"width": size[0], "height": size[1]})
        with h.new_run(page):
            page.get_by_text("Presentatiemodus").click()
        h.wait_for_app(page)
        seen = page.evaluate(MEASURE)
        assert len(seen["values"]) == 6
        assert min(seen["values"]) >= 48
        assert min(seen["values"]) >= 1.5 * max(seen["labels"])
        assert min(seen["deltas"]) >= 24
        assert min(seen["period"]) >= 18                      # the period and stand per line
        assert seen["scroll"] <= seen["client"] + 2          # no scrolling
        assert seen["lang"] == "nl"
        assert page.locator('[data-testid="stSidebar"]').is_hidden()
        assert h.page_errors(page) == []
        with h.new_run(page):                                 # one obvious way out
            page.get_by_text("Presentatiemodus").click()
        h.wait_for_app(page)
        assert page.locator('[data-testid="stSidebar"]').is_visible()
    finally:
        context.close()


def test_snapshot_is_one_click_to_a_pdf(role_pages):
    import pypdf

    page = role_pages("bestuur")
    h.wait_for_app(page)
    headline = page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
    with page.expect_download(timeout=h.TIMEOUT_MS) as download:
        page.get_by_role("button", name=re.compile("Momentopname maken")).click()
    pdf = download.value.path().read_bytes()
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    period = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text().split("·")[0]
    assert period.replace("Periode", "").strip() in text
    assert "Ontmantelde hennepkwekerijen" in text and headline in text
    assert h.page_errors(page) == []
    # the next run of the Briefing lists it under her last snapshots
    with h.new_run(page):
        page.get_by_text("Presentatiemodus").click()
    with h.new_run(page):
        page.get_by_text("Presentatiemodus").click()
    h.wait_for_app(page)
    page.get_by_text("Uw laatste momentopnamen").wait_for(state="visible", timeout=h.TIMEOUT_MS)


# --- sessions that survive a reload, a bookmark and a second tab (point 3 and 4) -----------

def _reload(page) -> None:
    page.reload()
    page.wait_for_function("() => (window.__dwRuns || 0) > 0", timeout=h.TIMEOUT_MS)
    h.wait_for_app(page)
    page.get_by_label("Gebruikersnaam").or_(page.locator(h.SIDEBAR_NAV)).first.wait_for(
        state="visible", timeout=h.TIMEOUT_MS)
    h.wait_for_app(page)


def _title(page) -> str:
    return page.locator(h.MAIN).locator("h1").first.inner_text().strip()


def _session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == session_cookie.COOKIE), None)


def _await_cookie(context, present: bool = True) -> dict | None:
    """The hand-over (or the clearing) is a fetch after the run: wait up to 10 s for it."""
    deadline = time.monotonic() + 10
    while (_session_cookie(context) is None) == present and time.monotonic() < deadline:
        time.sleep(0.2)
    return _session_cookie(context)


def test_bookmark_reload_and_second_tab_keep_one_session(server, browser):
    context = h.new_context(browser)
    try:
        page = context.new_page()
        # A bookmark to the Kaart, signed out: the Dutch login and no other dialog...
        assert h.open_app(page, server, "kaart") is None
        assert h.login_form_shown(page)
        assert page.evaluate("document.documentElement.lang") == "nl"
        # ...and after signing in, the Kaart itself.
        h.sign_in(page, server, "bestuur")
        assert h.current_path(page) == "kaart" and _title(page) == "Kaart"
        cookie = _await_cookie(context)
        assert cookie is not None, "no session cookie after sign-in"
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert cookie["expires"] == -1                      # ends with the browser
        assert session_cookie.COOKIE not in page.evaluate("document.cookie")   # no script reads it
        with sqlite3.connect(server.state) as con:          # only its hash is stored
            hashes = [r[0] for r in con.execute("SELECT sessie_hash FROM sessies")]
        assert hashlib.sha256(cookie["value"].encode()).hexdigest() in hashes
        assert cookie["value"] not in hashes
        # F5: the same page, still signed in.
        _reload(page)
        assert not h.login_form_shown(page) and _title(page) == "Kaart"
        # A second tab on another bookmark: the same session.
        tab = context.new_page()
        assert h.open_app(tab, server, "trends") is None
        assert not h.login_form_shown(tab) and _title(tab) == "Trends"
        assert tab.get_by_text("rol bestuur").is_visible()
        # A bookmark of a page her role does not have: the Briefing and one Dutch line.
        assert h.open_app(tab, server, "koppelingen") is None
        expect(tab.get_by_text("De pagina Koppelingen hoort niet bij uw rol (bestuur); "
                               "u ziet nu de Briefing.")).to_be_visible()
        assert _title(tab) == "Briefing" and h.page_errors(tab) == []
        # Logout in one tab ends the session in both, and the browser forgets the cookie.
        with h.new_run(page):
            page.get_by_role("button", name="Uitloggen").click()
        expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
        assert _await_cookie(context, present=False) is None
        with h.new_run(tab):
            h.nav_link(tab, "trends").click()
        assert h.login_form_shown(tab)
        _reload(page)
        assert h.login_form_shown(page)
    finally:
        context.close()


def test_signed_out_bookmark_of_another_roles_page_opens_the_briefing(server, browser):
    context = h.new_context(browser)
    try:
        page = context.new_page()
        assert h.open_app(page, server, "koppelingen") is None
        assert h.login_form_shown(page)
        h.sign_in(page, server, "bestuur")
        expect(page.get_by_text("De pagina Koppelingen hoort niet bij uw rol (bestuur)")).to_be_visible()
        assert _title(page) == "Briefing" and h.dismiss_dialog(page) is None
    finally:
        context.close()


def test_removing_the_account_ends_the_cookie_session(server, browser):
    from dijkwacht import accounts, state

    con = state.connect(server.state)
    try:
        name, password = accounts.ensure_test_account(con, "analist", "tijdelijk_analist")
    finally:
        con.close()
    context = h.new_context(browser)
    try:
        page = context.new_page()
        h.open_app(page, server)
        page.get_by_label("Gebruikersnaam").fill(name)
        page.get_by_label("Wachtwoord").fill(password)
        with h.new_run(page):
            page.get_by_role("button", name="Inloggen").click()
        page.get_by_text("rol analist").wait_for(state="visible", timeout=h.TIMEOUT_MS)
        _await_cookie(context)
        _reload(page)
        assert not h.login_form_shown(page)                 # the cookie works...
        con = state.connect(server.state)
        try:
            assert accounts.remove(con, name)
        finally:
            con.close()
        _reload(page)                                       # ...until the account is gone
        assert h.login_form_shown(page)
        expect(page.get_by_text("Uw sessie is verlopen. Log opnieuw in.")).to_be_visible()
    finally:
        context.close()
