"""An analyst exports one chart from each analysis page as PNG and SVG (issue 21, item 4):
the files are what their buttons promise, the SVG holds the source line as text, and every
download is in the audit log with the SHA-256 of the bytes she received."""
from __future__ import annotations

import hashlib
import re
import sqlite3

import browser_harness as h
import pytest
from downloads import check_png, check_svg

from dijkwacht import access, chart_export

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="browserlaag overgeslagen: playwright niet geïnstalleerd")
pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The pages whose charts go through ui.chart; the Koppelingen charts need a chosen key first.
PAGES = [p.key for p in access.PAGES if p.key in ("trends", "hennep", "geldstromen", "meldpunt", "handhaving")]


def _audited(server, name: str) -> list[str]:
    with sqlite3.connect(server.state) as con:
        return [r[0] for r in con.execute(
            "SELECT export_sha256 FROM auditlog WHERE actie = 'export' AND object = ? AND actor = ?",
            [name, server.accounts["analist"][0]])]


@pytest.mark.parametrize("key", PAGES)
def test_analyst_exports_a_chart_per_page_as_png_and_svg(server, role_pages, key):
    assert chart_export.available()
    page = role_pages("analist")
    h.go_to(page, server, "analist", key)
    button = page.locator(h.MAIN).get_by_role("button", name=re.compile(r"^\W*PNG$")).first
    button.wait_for(state="visible", timeout=h.TIMEOUT_MS)
    got = {}
    for fmt in ("PNG", "SVG"):
        with page.expect_download(timeout=h.TIMEOUT_MS) as download:
            page.locator(h.MAIN).get_by_role("button", name=re.compile(rf"^\W*{fmt}$")).first.click()
        got[fmt] = (download.value.suggested_filename, download.value.path().read_bytes())
    (png_name, png), (svg_name, svg) = got["PNG"], got["SVG"]
    assert png_name.startswith("grafiek-") and png_name.endswith(".png") and svg_name.endswith(".svg")
    assert check_png(png).startswith(f"PNG {chart_export.WIDTH * chart_export.PNG_SCALE}×")
    check_svg(svg)
    text = svg.decode("utf-8")
    assert "Bron:" in text and "stand per" in text                  # the source line, as text
    for name, data in ((png_name, png), (svg_name, svg)):
        assert hashlib.sha256(data).hexdigest() in _audited(server, name), f"{name} not audited"
    assert h.page_errors(page) == []
