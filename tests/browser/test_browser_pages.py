"""Per role, in a real browser: sign in through the form, see every page the role may see
(rendered, no exception, its main figure, working downloads) and reach none it may not.

Roles and pages come from dijkwacht.access, never from this file: a page added there is
checked here without a change. Pages declared there whose script does not exist yet are
skipped with a reason.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import browser_harness as h
import pytest
from browser_harness import SESSION, STATS
from downloads import CHECKS, allowed_exports

from dijkwacht import access

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api",
                    reason="browserlaag overgeslagen: playwright niet geïnstalleerd")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# --- what each page must show -------------------------------------------------------------

METRIC = "[data-testid='stMetric']"
PLOTLY = "[data-testid='stPlotlyChart']"
TABLE = "[data-testid='stDataFrame'], [data-testid='stTable']"
MAP = "iframe[title*='folium'], [data-testid='stCustomComponentV1'], .leaflet-container"
ANY_FIGURE = ", ".join([METRIC, PLOTLY, TABLE, "[data-testid='stVegaLiteChart']",
                        "[data-testid='stImage']"])

# page key → selector of its main figure; pages not listed need some metric/chart/table.
MAIN_FIGURE: dict[str, str] = {
    "briefing": METRIC,
    "trends": PLOTLY,
    "kaart": MAP,
    "hennep": PLOTLY,
    "geldstromen": PLOTLY,
    "meldpunt": PLOTLY,
    "handhaving": PLOTLY,
    "koppelingen": TABLE,
    "data": TABLE,
}

# --- downloads: what each kind must be is in downloads.py ----------------------------------


DOWNLOAD_TIMEOUT_MS = 30_000
MAX_PER_KIND = 2     # per page and extension: enough to know the kind works, and fast


# --- the (role, page) tables ----------------------------------------------------------------

VISIBLE = [(role, page) for role in access.ROLES for page in access.pages_for(role)]
FORBIDDEN = [(role, page) for role in access.ROLES for page in access.PAGES
             if page not in access.pages_for(role)]


def _ids(pairs):
    return [f"{role}-{page.key}" for role, page in pairs]


def _require_script(page: access.Page) -> None:
    if not (h.ROOT / page.script).exists():
        pytest.skip(f"pagina nog niet aanwezig: {page.script}")


def _assert_clean(page) -> None:
    errors = h.page_errors(page)
    if errors:
        pytest.fail(f"error on {page.url}:\n" + "\n---\n".join(errors))


def _assert_not_showing(page, target: access.Page) -> None:
    """The page is not displayed: not in the navigation, not its title. (Its URL may stay in
    the address bar: signed out, a bookmark keeps it while the login waits, so that the page
    opens after the sign-in.)"""
    assert target.key not in h.nav_paths(page), f"navigation links to /{target.key}"
    title = re.compile(rf"^{re.escape(target.title)}(\s|$)")
    headings = [t.strip() for t in page.locator(f"{h.MAIN} h1").all_inner_texts()]
    assert not any(title.match(t) for t in headings), f"heading of {target.title}: {headings}"
    _assert_clean(page)


def _check_downloads(page, role: str, key: str) -> list[str]:
    buttons = page.locator(f"{h.MAIN} [data-testid='stDownloadButton'] button")
    seen: dict[str, int] = {}
    done = []
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if not button.is_visible():      # in a closed expander or another tab
            continue
        label = button.inner_text().strip()
        download = None
        for attempt in (1, 2):
            # Not while a run is going (the sidebar's live-data fragment reruns every 20 s):
            # a click during a run can hit a deferred file that run just replaced.
            h.wait_for_app(page)
            try:
                with h.download_expected(page, DOWNLOAD_TIMEOUT_MS) as info:
                    button.click()
                download = info.value
                break
            except Exception as exc:
                if attempt == 2:
                    raise AssertionError(f"button {label!r} ({i + 1} of {buttons.count()}) on "
                                         f"{key} gave no download (twice): "
                                         f"{str(exc).splitlines()[0]}") from exc
                STATS["download_retries"] += 1     # shown in the summary: a retry is a smell
        name = download.suggested_filename
        ext = Path(name).suffix.lower()
        assert ext in allowed_exports(role), f"{role} may not download {name} ({label})"
        if seen.get(ext, 0) >= MAX_PER_KIND:
            download.cancel()
            continue
        seen[ext] = seen.get(ext, 0) + 1
        assert ext in CHECKS, f"no check for {name}: add one to CHECKS"
        data = Path(download.path()).read_bytes()
        try:
            done.append(f"{name}: {CHECKS[ext](data)}")
        except AssertionError as exc:
            raise AssertionError(f"download {name!r} ({label}) on {key}: {exc}") from exc
        STATS["downloads"] += 1
    _assert_clean(page)
    return done


# --- tests ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", access.ROLES)
def test_navigation_lists_exactly_the_roles_pages(role_pages, role):
    page = role_pages(role)
    expected = [h.url_path(role, p.key) for p in h.existing_pages(role)]
    assert h.nav_paths(page) == expected


@pytest.mark.parametrize(("role", "target"), VISIBLE, ids=_ids(VISIBLE))
def test_page_renders(role_pages, server, role, target, record_property):
    _require_script(target)
    page = role_pages(role)
    started = time.monotonic()
    h.go_to(page, server, role, target.key)
    _assert_clean(page)
    figure = page.locator(h.MAIN).locator(MAIN_FIGURE.get(target.key, ANY_FIGURE))
    expect(figure.first).to_be_visible(timeout=h.TIMEOUT_MS)
    STATS["page_checks"] += 1
    done = _check_downloads(page, role, target.key)
    record_property("downloads", "; ".join(done))
    record_property("seconds", round(time.monotonic() - started, 1))


@pytest.mark.parametrize(("role", "target"), FORBIDDEN, ids=_ids(FORBIDDEN))
def test_forbidden_page_unreachable_by_url(role_pages, server, role, target):
    page = role_pages(role)
    # 1. Within the signed-in session, the address changes to /key (history + popstate).
    h.push_url(page, target.key)
    h.dismiss_dialog(page)
    _assert_not_showing(page, target)
    # 2. Typed into the address bar (a bookmark): a new Streamlit session that the session
    #    cookie signs in; the role's first page with one Dutch line, no dialog, not the page.
    assert h.open_app(page, server, target.key) is None
    assert not h.login_form_shown(page)
    expect(page.get_by_text(f"De pagina {target.title} hoort niet bij uw rol ({role})")).to_be_visible()
    _assert_not_showing(page, target)
    STATS["forbidden_checks"] += 1


def test_signed_out_every_url_shows_only_the_login(fresh_page, server):
    for target in access.PAGES:
        h.open_app(fresh_page, server, target.key)
        assert h.login_form_shown(fresh_page), f"/{target.key} without a sign-in"
        assert not fresh_page.locator(h.SIDEBAR_NAV).count()
        _assert_not_showing(fresh_page, target)
        expect(fresh_page.locator(h.MAIN).locator(ANY_FIGURE)).to_have_count(0)


def test_wrong_password_is_refused(fresh_page, server):
    h.open_app(fresh_page, server)
    name, _ = server.accounts["analist"]
    fresh_page.get_by_label("Gebruikersnaam").fill(name)
    fresh_page.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
    with h.new_run(fresh_page):
        fresh_page.get_by_role("button", name="Inloggen").click()
    expect(fresh_page.get_by_text("Onjuiste gebruikersnaam of wachtwoord")).to_be_visible()
    assert h.login_form_shown(fresh_page)
    assert not fresh_page.locator(h.SIDEBAR_NAV).count()


def test_cold_start_deep_link_asks_for_sign_in(server, browser):
    """A fresh server process starts in Streamlit's pages-folder mode until a run calls
    st.navigation: the very first URL to a page must not run that page past the router."""
    target = next((p for p in h.existing_pages() if p.key != "briefing"),
                  h.existing_pages()[0])
    cold = h.Server(server.workdir, accounts=server.accounts)
    cold.start()
    context = h.new_context(browser)
    try:
        page = context.new_page()
        SESSION["page"] = page
        h.open_app(page, cold, target.key)
        try:
            expect(page.get_by_label("Gebruikersnaam")).to_be_visible()
            _assert_not_showing(page, target)
            expect(page.locator(h.MAIN).locator(ANY_FIGURE)).to_have_count(0)
        except AssertionError as exc:
            page.screenshot(path=str(h.failure_dir() / "cold-start.png"))
            raise AssertionError(f"cold start, /{target.key}: {page.url}\n"
                                 f"{page.locator(h.MAIN).inner_text()[:1000]}\n{cold.output()}") from exc
    finally:
        context.close()
        cold.stop()
