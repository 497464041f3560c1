"""The mayor's two minutes on a projector (issue "The triangle path"): presentation mode at
1920×1080 and 1280×720 — figures measured in the page, one screen, Dutch page language —
and the snapshot, one click to a PDF that holds the period and the headline figures."""
from __future__ import annotations

import io
import re

import pytest

import browser_harness as h

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api",
                    reason="browserlaag overgeslagen: playwright niet geïnstalleerd")
pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The size a metric is drawn at is its innermost element's computed font size (STACK-NOTES).
MEASURE = """() => {
  const size = el => { let e = el; while (e.firstElementChild) e = e.firstElementChild;
                       return parseFloat(getComputedStyle(e).fontSize); };
  const all = id => [...document.querySelectorAll(`[data-testid="${id}"]`)].map(size);
  const main = document.querySelector('[data-testid="stMain"]');
  return {values: all("stMetricValue"), labels: all("stMetricLabel"), deltas: all("stMetricDelta"),
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
