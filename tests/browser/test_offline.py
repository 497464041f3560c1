"""Offline (DESIGN §5 "works with no internet"): with the basemap set to none
(DIJKWACHT_BASISKAART=geen, set by the server fixture), every page, the map included,
works with every request outside localhost aborted, and needs none of them.
"""
from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

import browser_harness as h
import pytest
from browser_harness import SESSION, STATS

from dijkwacht import access

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api",
                    reason="browserlaag overgeslagen: playwright niet geïnstalleerd")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The role that sees every page: the one with the most pages in the access table.
ROLE = max(access.ROLES, key=lambda role: len(access.pages_for(role)))
MAP_KEY = "kaart"
MAP_SCRIPT = next(p.script for p in access.PAGES if p.key == MAP_KEY)
MAP_FRAME = "streamlit_folium"          # the component iframe's URL contains this
POLYGONS = ".leaflet-overlay-pane svg path"
LEGEND = ".dw-legenda, .legend"
MIN_LAND_BUURTEN = 129                  # Dordrecht's buurten with land (CBS wijk- en buurtkaart)


@pytest.fixture(scope="module")
def offline(server, browser):
    """A signed-in page whose context aborts and counts every request leaving the machine,
    and the blocked URLs per page visited (the sign-in counted as a page of its own)."""
    blocker = h.Blocker()
    context = h.new_context(browser, blocker)
    page = context.new_page()
    SESSION["page"] = page
    h.open_app(page, server)
    h.sign_in(page, server, ROLE)
    per_page = {"(inloggen)": list(blocker.blocked)}
    yield page, blocker, per_page
    context.close()


def _settle(page) -> None:
    """Let what the page loads lazily (component iframes) finish loading."""
    try:
        page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # noqa: BLE001 — a busy page never idles: the blocked count is still valid
        pass


def _map_frame(page):
    for frame in page.frames:
        if MAP_FRAME in frame.url:
            return frame
    return None


def test_every_page_works_without_internet(offline, server):
    page, blocker, per_page = offline
    pages = h.existing_pages(ROLE)
    for target in pages:
        mark = blocker.mark()
        h.go_to(page, server, ROLE, target.key)
        _settle(page)
        assert not h.page_errors(page), f"error on {target.key} offline: {h.page_errors(page)}"
        per_page[target.key] = blocker.since(mark)
    STATS["offline_pages"] = len(pages)
    STATS["offline_blocked"] = len(blocker.blocked)
    if blocker.blocked:
        hosts = defaultdict(set)
        for key, urls in per_page.items():
            for url in urls:
                hosts[urlsplit(url).hostname].add(key)
        lines = [f"  {host}: {sum(urlsplit(u).hostname == host for u in blocker.blocked)}× "
                 f"(op {', '.join(sorted(keys))})" for host, keys in sorted(hosts.items())]
        examples = sorted(set(blocker.blocked))[:8]
        pytest.fail(f"{len(blocker.blocked)} requests outside localhost over {len(pages)} pages "
                    f"(+ sign-in):\n" + "\n".join(lines) + "\nfor example:\n  "
                    + "\n  ".join(examples))


def test_map_draws_every_buurt_and_its_legend_offline(offline, server):
    if not (h.ROOT / MAP_SCRIPT).exists():
        pytest.skip("kaartpagina nog niet aanwezig")
    page, blocker, _ = offline
    mark = blocker.mark()
    h.go_to(page, server, ROLE, MAP_KEY)
    component = page.locator(f"iframe[src*='{MAP_FRAME}']")
    expect(component.first).to_be_visible(timeout=h.TIMEOUT_MS)
    frame = page.frame_locator(f"iframe[src*='{MAP_FRAME}']").first
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=h.TIMEOUT_MS)
    # Wait until Leaflet has drawn the polygons, then count them.
    _map_frame(page).wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n",
        arg=[POLYGONS, MIN_LAND_BUURTEN], timeout=h.TIMEOUT_MS)
    drawn = frame.locator(POLYGONS).count()
    STATS["map_polygons"] = drawn
    assert drawn >= MIN_LAND_BUURTEN, f"{drawn} polygons drawn"
    legend = frame.locator(LEGEND).first
    expect(legend).to_be_visible()
    assert legend.inner_text().strip(), "legend is empty"
    assert not h.page_errors(page), h.page_errors(page)
    assert blocker.since(mark) == [], f"the map asked the internet for {blocker.since(mark)}"
