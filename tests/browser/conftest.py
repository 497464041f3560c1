"""Fixtures for the browser layer: one server, one Chromium, one signed-in context per role.

The whole layer is skipped, with a plain reason, when Chromium or Playwright is missing.
When a test fails, the Streamlit server's output and a screenshot path are added to the
report.
"""
from __future__ import annotations

import time

import browser_harness as h
import pytest
from browser_harness import SESSION, STATS


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Fresh demo database + test accounts + `streamlit run server.py` on a free port."""
    SESSION["started"] = time.monotonic()
    workdir = tmp_path_factory.mktemp("browser")
    with h.running_server(workdir) as srv:
        SESSION["server"] = srv
        STATS["server_ready_s"] = round(time.monotonic() - SESSION["started"], 1)
        yield srv
    SESSION["server"] = None


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = h.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def role_pages(server, browser):
    """role → a page signed in through the real form, in a context of its own (made on
    first use). Every request that leaves the machine is aborted and remembered."""
    made: dict = {}

    def get(role: str):
        if role not in made:
            blocker = h.Blocker()
            context = h.new_context(browser, blocker)
            page = h.signed_in_page(context, server, role)
            page.blocker = blocker
            made[role] = page
            STATS["sign_ins"] += 1
        SESSION["page"] = made[role]
        return made[role]

    yield get
    for page in made.values():
        page.context.close()


@pytest.fixture
def fresh_page(server, browser):
    """A page in a new context: a new, signed-out browser, for one test."""
    blocker = h.Blocker()
    context = h.new_context(browser, blocker)
    page = context.new_page()
    page.blocker = blocker
    SESSION["page"] = page
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or item.get_closest_marker("browser") is None:
        return
    page = SESSION["page"]
    if page is not None and not page.is_closed():
        try:
            shot = h.failure_dir() / f"{item.name}.png"
            page.screenshot(path=str(shot))
            report.sections.append(("browser", f"url {page.url}\nscreenshot {shot}"))
        except Exception as exc:  # noqa: BLE001 — the page may be gone; the server log matters more
            report.sections.append(("browser", f"no screenshot: {exc}"))
    srv = SESSION["server"]
    if srv is not None:
        report.sections.append(("streamlit server output", srv.output() or "(no output)"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not STATS and SESSION["started"] is None:
        return
    took = time.monotonic() - SESSION["started"] if SESSION["started"] else 0
    tr = terminalreporter
    tr.section("browserlaag")
    tr.write_line(f"(rol, pagina) bezocht: {STATS['page_checks']}; "
                  f"verboden (rol, pagina) via URL geprobeerd: {STATS['forbidden_checks']}; "
                  f"downloads gecontroleerd: {STATS['downloads']} "
                  f"(opnieuw geprobeerd: {STATS['download_retries']}); aanmeldingen: {STATS['sign_ins']}")
    if STATS["offline_pages"]:
        tr.write_line(f"offline: {STATS['offline_blocked']} geblokkeerde verzoeken over "
                      f"{STATS['offline_pages']} pagina's; kaart: {STATS['map_polygons']} buurtvlakken")
    tr.write_line(f"server klaar na {STATS['server_ready_s']} s; browserlaag totaal {took:.0f} s")
