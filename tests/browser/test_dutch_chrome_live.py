"""Dutch where she looks (issue "The triangle path", 6), in a real Chromium at 1920×1080:
the Trends tooltip she points at reads a Dutch period, no English main menu, and the map's
scale in metres only with Dutch zoom buttons."""
from __future__ import annotations

import re

import browser_harness as h
import pytest

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api",
                    reason="browserlaag overgeslagen: playwright niet geïnstalleerd")
pytestmark = [pytest.mark.browser, pytest.mark.slow]

ENGLISH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
                     r"|\b(?:quarter|january|february|march|june|july|august|october)\b", re.I)
TOOLTIP = re.compile(r"^[A-Z][\w -]+, [1-4]e kwartaal (?:19|20)\d\d(?: \(onvolledig\))?: (?:[\d.]+|<5|x|–)$")


def test_mayor_reads_dutch_chrome_on_the_projector(server, browser):
    context = h.new_context(browser)
    try:
        page = h.signed_in_page(context, server, "bestuur")
        page.set_viewport_size({"width": 1920, "height": 1080})
        h.wait_for_app(page)
        # toolbarMode "minimal": no main menu (Print, Record a screencast, About)
        assert page.get_by_role("button", name="Main menu").count() == 0
        assert page.locator('[data-testid="stMainMenu"]').count() == 0

        with h.new_run(page):
            h.nav_link(page, "trends").click()
        with h.new_run(page):
            page.locator('[data-testid="stMain"] [data-testid="stRadioGroup"]') \
                .get_by_text("Kwartaal", exact=True).click()
        chart = page.locator(".js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        points = chart.locator("g.scatterlayer g.trace g.points path")
        assert points.count() > 10
        read = []
        for i in (0, points.count() // 2, points.count() - 1):
            points.nth(i).hover(force=True)
            page.wait_for_timeout(300)
            read.append((chart.locator("g.hoverlayer").text_content() or "").strip())
        assert all(TOOLTIP.match(t) for t in read), read
        ticks = chart.locator("g.xtick text").all_text_contents()
        assert ticks and all(re.fullmatch(r"K[1-4] (?:19|20)\d\d\*?", t) for t in ticks), ticks
        assert not ENGLISH.search(" ".join(read + ticks))

        with h.new_run(page):
            h.nav_link(page, "kaart").click()
        frame = page.frame_locator("iframe").first
        scale = frame.locator(".leaflet-control-scale-line")
        scale.first.wait_for(state="attached", timeout=h.TIMEOUT_MS)
        lines = scale.all_inner_texts()
        assert len(lines) == 1 and re.fullmatch(r"\d+ k?m", lines[0].strip()), lines
        titles = frame.locator(".leaflet-control-zoom a").evaluate_all("els => els.map(e => e.title)")
        assert titles == ["Inzoomen", "Uitzoomen"], titles
        assert h.page_errors(page) == []
    finally:
        context.close()
