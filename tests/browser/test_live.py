"""Live data in a real browser: a partner file dropped in the inbox while the Briefing is
open is on screen within 60 seconds, without a reload by the user.

Its own server, because this one serves a database with real (non-demo) keys and runs the
inbox watcher beside it, as `make run` and the systemd units do.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import browser_harness as h
import pytest

from dijkwacht import config

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api",
                    reason="browserlaag overgeslagen: playwright niet geïnstalleerd")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KEY = "EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"  # strong enough for a real load (etl key rule)
NEW_SITES = 7
METRIC = '[data-testid="stMetric"]'


@dataclass
class LiveServer(h.Server):
    """Real keys instead of the demo's, and the inbox watcher running beside the app."""
    watcher: subprocess.Popen | None = None

    @property
    def inbox(self) -> Path:
        return self.workdir / "inbox"

    def env(self) -> dict[str, str]:
        return {**super().env(), "DIJKWACHT_PSEUDONIEM_SLEUTEL": KEY}

    def build(self) -> None:
        files = sorted(str(p) for p in config.DEMO_DIR.glob("*.csv"))
        run = subprocess.run([sys.executable, "-m", "etl", *files, "--db", str(self.db)],
                             cwd=h.ROOT, env=self.env(), capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
        self.accounts = h.create_accounts(self.env())
        self.inbox.mkdir()
        self.watcher = subprocess.Popen(
            [sys.executable, "-m", "etl", "--watch", str(self.inbox), "--db", str(self.db)],
            cwd=h.ROOT, env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        super().stop()
        if self.watcher is not None:
            self.watcher.terminate()
            self.watcher.wait(timeout=10)


def grow_sites_shown(page) -> int:
    card = page.locator(METRIC).filter(has_text="Ontmantelde hennepkwekerijen").first
    value = card.locator('[data-testid="stMetricValue"]').inner_text()
    return int(re.sub(r"\D", "", value))


def briefing_day(db: Path) -> str:
    """A day inside the Briefing's default period (filters.Filters(), as the page opens)."""
    from datetime import timedelta

    from dijkwacht.filters import Filters
    from dijkwacht.queries import open_hardened

    con = open_hardened(db)
    try:
        stand_per = con.execute("SELECT stand_per FROM meta").fetchall()[0][0]
    finally:
        con.close()
    return (Filters().period(stand_per, "analist").van + timedelta(days=14)).strftime("%d-%m-%Y")


def test_dropped_file_appears_on_the_open_briefing(tmp_path, browser):
    server = LiveServer(tmp_path)
    try:
        server.build()
        server.start()
        context = h.new_context(browser)
        page = h.signed_in_page(context, server, "analist")      # lands on the Briefing
        before = grow_sites_shown(page)
        day = briefing_day(server.db)

        rows = "".join(f"LIVE-{i};{day};BU05050202;100\n" for i in range(NEW_SITES))
        partial = server.inbox / ".hennepkwekerijen_live.csv.deel"
        partial.write_text("registratienummer;datum_ontmanteling;buurtcode;aantal_planten\n" + rows,
                           encoding="utf-8")
        partial.rename(server.inbox / "hennepkwekerijen_live.csv")
        dropped = time.monotonic()

        deadline = dropped + 60
        shown = before
        while time.monotonic() < deadline and shown != before + NEW_SITES:
            time.sleep(1)
            h.wait_for_app(page)
            shown = grow_sites_shown(page)
        elapsed = time.monotonic() - dropped
        print(f"\nlive: {before} → {shown} kwekerijen, {elapsed:.0f} s na het neerzetten")
        assert shown == before + NEW_SITES, f"after {elapsed:.0f} s still {shown} (was {before})"
        assert (server.inbox / "verwerkt").exists()
        context.close()
    finally:
        server.stop()
