"""The steward's rehearsal in a real browser (issue 22): as beheerder on the demo, download
the practice file, upload it, read the preview and its quarantine, accept, see the Briefing's
figure change, roll back, see it return — and find every step in the audit log.

Its own server with the inbox watcher beside it, as `make run` runs them.
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

from etl import rehearsal

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="browserlaag overgeslagen: playwright niet geïnstalleerd")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

METRIC = '[data-testid="stMetric"]'
LOAD_WAIT_S = 240           # the watcher settles the file, loads it and searches the protection


@dataclass
class RehearsalServer(h.Server):
    """The demo, its inbox and the watcher, as `make run` starts them."""
    watcher: subprocess.Popen | None = None

    @property
    def inbox(self) -> Path:
        return self.workdir / "inbox"

    def env(self) -> dict[str, str]:
        return {**super().env(), "DIJKWACHT_INBOX": str(self.inbox)}

    def build(self) -> None:
        super().build()
        self.inbox.mkdir()
        self.watcher = subprocess.Popen(
            [sys.executable, "-m", "etl", "--watch", str(self.inbox), "--db", str(self.db)],
            cwd=h.ROOT, env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        super().stop()
        if self.watcher is not None:
            self.watcher.terminate()
            self.watcher.wait(timeout=10)


def grow_sites(page) -> int:
    card = page.locator(METRIC).filter(has_text="Ontmantelde hennepkwekerijen").first
    return int(re.sub(r"\D", "", card.locator('[data-testid="stMetricValue"]').inner_text()))


def open_page(page, server, path: str) -> None:
    page.goto(f"{server.url}/{path}")
    h.wait_for_app(page)


def briefing_until(page, server, wanted: int) -> int:
    """The Briefing's grow-site figure, reloaded until it is `wanted` or time runs out."""
    deadline = time.monotonic() + LOAD_WAIT_S
    shown = None
    while time.monotonic() < deadline:
        open_page(page, server, "")
        shown = grow_sites(page)
        if shown == wanted:
            break
        time.sleep(3)
    return shown


def test_upload_preview_accept_and_roll_back(tmp_path, browser):
    server = RehearsalServer(tmp_path)
    try:
        server.build()
        server.start()
        context = h.new_context(browser)
        page = h.signed_in_page(context, server, "beheerder")
        before = grow_sites(page)

        # The practice file, as the steward gets it: the Data page's download.
        open_page(page, server, "data")
        assert page.get_by_text("Oefenomgeving", exact=False).first.is_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="Oefenbestand downloaden").click()
        practice = tmp_path / download.value.suggested_filename
        download.value.save_as(practice)
        assert practice.name.startswith("hennepkwekerijen_oefenen_")

        # Upload → preview with its quarantine, grouped by rule.
        with h.new_run(page):
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(practice))
        preview = page.locator("[data-testid='stAlert']").filter(has_text=re.compile(r"^Voorbeeld"))
        preview.wait_for(timeout=h.TIMEOUT_MS)
        text = preview.inner_text()
        assert f"{rehearsal.GOOD + len(rehearsal.BAD)} regels" in text
        assert f"{rehearsal.GOOD} worden geladen" in text and f"{len(rehearsal.BAD)} gaan naar de quarantaine" in text
        page.screenshot(path=str(h.failure_dir() / "oefenen-voorbeeld.png"), full_page=True)

        # Accept: the watcher loads it; the Briefing shows the new sites.
        with h.new_run(page):
            page.get_by_role("button", name="Accepteren en in de inbox zetten").click()
        assert page.get_by_text("staat in de inbox", exact=False).first.is_visible()
        after = briefing_until(page, server, before + rehearsal.GOOD)
        assert after == before + rehearsal.GOOD, f"Briefing shows {after}, expected {before} + {rehearsal.GOOD}"

        # Roll back, confirmed: the figure returns.
        open_page(page, server, "data")
        with h.new_run(page):
            page.get_by_role("button", name="Vorige versie terugzetten").click()
        with h.new_run(page):
            page.get_by_role("button", name="Ja, terugzetten").click()
        assert page.get_by_text("Teruggezet naar de vorige versie", exact=False).first.is_visible()
        assert briefing_until(page, server, before) == before

        # Every step in the audit log (the state database the page reads).
        from dijkwacht import audit, state
        con = state.connect(server.state)
        try:
            rows = audit.query(con, limit=200)
        finally:
            con.close()
        steps = [(r["actie"], r["object"]) for r in rows]
        assert ("beheer", f"upload {practice.name}") in steps
        assert ("laden", "oefenen") in steps
        assert any(actie == "terugdraaien" for actie, _ in steps)
        context.close()
    finally:
        server.stop()
