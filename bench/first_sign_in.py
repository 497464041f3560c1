"""The first sign-in after a server start, against the time spent on the login form (issue 17).

    .venv/bin/python -m bench.first_sign_in --db DB [--pauzes 0,2,4,8] [--rol analist]

For every pause: a dashboard server freshly started on `DB`, the login form loaded in
Chromium, then `pause` seconds (a person typing name and password; 0 = a password manager
and an instant click), then the click on Inloggen until the role's Briefing is settled,
timed as bench/national.py's Briefing row (Playwright's view and the browser's clock). The
server's warm-up (dijkwacht/app/warmup.py) runs from the form's first paint: this shows
how much of it a first sign-in still waits for.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def first_sign_in(db: Path, pause_s: float, role: str, workdir: Path) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.browser_round import _server, _sign_in_timed
    from tests.browser import browser_harness as h

    srv = _server(db, workdir, f"pauze-{pause_s:g}").start()
    try:
        with sync_playwright() as playwright:
            browser = h.launch(playwright)
            page = h.new_context(browser).new_page()
            t0 = time.perf_counter()
            h.open_app(page, srv)
            form_s = time.perf_counter() - t0
            time.sleep(pause_s)
            sign_in_s, browser_s = _sign_in_timed(page, srv, role, h.TIMEOUT_MS)
            browser.close()
    finally:
        srv.stop()
    return {"pause_s": pause_s, "form_s": form_s, "sign_in_s": sign_in_s, "browser_s": browser_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--pauzes", default="0,2,4,8", help="seconds on the login form, comma-separated")
    parser.add_argument("--rol", default="analist")
    args = parser.parse_args(argv)
    print("| pause on the form (s) | login form after start (s) | sign-in → settled Briefing (s)"
          " | browser's clock (s) |")
    print("|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="dijkwacht-aanmelden-") as tmp:
        for pause in (float(p) for p in args.pauzes.split(",")):
            r = first_sign_in(args.db, pause, args.rol, Path(tmp))
            browser = "–" if r["browser_s"] is None else f"{r['browser_s']:.2f}"
            print(f"| {pause:g} | {r['form_s']:.2f} | {r['sign_in_s']:.2f} | {browser} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
