"""One screenshot per (role, page) into docs/screenshots/<role>-<page>.png, at 1440×900.

    .venv/bin/python -m tests.browser.screenshots [--uit docs/screenshots] [--rol analist]

Starts the same server as the browser tests (fresh demo database, test accounts, the
basemap off, no internet), signs in per role through the form and visits the role's
pages from dijkwacht.access. PNGs are reduced to a 256-colour palette to stay small.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

from dijkwacht import access
from tests.browser import browser_harness as h

MAP_FRAME = "streamlit_folium"
PROJECTOR_SIZES = ((1920, 1080), (1280, 720))


def _wait_for_map(page) -> None:
    for frame in page.frames:
        if MAP_FRAME in frame.url:
            frame.wait_for_function(
                "() => document.querySelectorAll('.leaflet-overlay-pane svg path').length > 0",
                timeout=h.TIMEOUT_MS)


def _save(png: bytes, path: Path) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)
    return path.stat().st_size


def _presentation(page, server, out: Path) -> int:
    """The mayor's presentation mode at the two projector sizes (issue "The triangle path")."""
    for width, height in PROJECTOR_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        h.go_to(page, server, "bestuur", "briefing")
        with h.new_run(page):
            page.get_by_text("Presentatiemodus").click()
        h.wait_for_app(page)
        path = out / f"bestuur-presentatie-{width}x{height}.png"
        print(f"{path.name}  {_save(page.screenshot(), path) // 1024} kB", flush=True)
        with h.new_run(page):
            page.get_by_text("Presentatiemodus").click()
        h.wait_for_app(page)
    page.set_viewport_size(h.VIEWPORT)
    return len(PROJECTOR_SIZES)


def _branche_layer(page, server, out: Path) -> int:
    """The Kaart page's facilitating-branche layer (issue 19): the car trade per buurt."""
    h.go_to(page, server, "analist", "kaart")
    layer = page.get_by_label("Laag")
    layer.click()
    with h.new_run(page):
        page.locator("[role='listbox'] [role='option']").filter(has_text="Faciliterende branche").click()
    _wait_for_map(page)
    page.evaluate("window.scrollTo(0, 0)")
    path = out / "analist-kaart-branches.png"
    print(f"{path.name}  {_save(page.screenshot(), path) // 1024} kB", flush=True)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uit", type=Path, default=h.ROOT / "docs" / "screenshots",
                        help="map voor de PNG's (standaard docs/screenshots)")
    parser.add_argument("--rol", choices=access.ROLES, action="append",
                        help="alleen deze rol(len); standaard alle")
    args = parser.parse_args(argv)
    if not h.chromium_available():
        print(h.SKIP_REASON.replace("browserlaag", "screenshots"), file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.uit.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    written = 0
    with h.running_server() as server, sync_playwright() as playwright:
        browser = h.launch(playwright)
        for role in args.rol or access.ROLES:
            context = h.new_context(browser)
            page = h.signed_in_page(context, server, role)
            for target in h.existing_pages(role):
                h.go_to(page, server, role, target.key)
                if target.key == "kaart":
                    _wait_for_map(page)
                page.evaluate("window.scrollTo(0, 0)")
                path = args.uit / f"{role}-{target.key}.png"
                size = _save(page.screenshot(), path)
                written += 1
                print(f"{path.relative_to(h.ROOT) if path.is_relative_to(h.ROOT) else path}"
                      f"  {size // 1024} kB", flush=True)
            if role == "bestuur":
                written += _presentation(page, server, args.uit)
            if role == "analist":
                written += _branche_layer(page, server, args.uit)
            context.close()
        browser.close()
    print(f"{written} screenshots in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
