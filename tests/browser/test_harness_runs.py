"""The browser harness's run counter (browser_harness.COUNT_RUNS), checked against the server's
own messages as Python decodes them: every wait for "the next run" in the browser layer and
the bench relies on it. A slow browser can skip rendering a fast run's "running" state, so the
counter also reads the websocket frames; a parse error there would count runs that never
happened (a wrong skip over a length-delimited field once counted 19 for 3)."""
from __future__ import annotations

import browser_harness as h
import pytest

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api",
                    reason="browserlaag overgeslagen: playwright niet geïnstalleerd")
pytestmark = [pytest.mark.browser, pytest.mark.slow]

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402 — after the skip


def test_the_run_counter_counts_each_finished_run_as_the_server_sent_it(server, browser):
    finished: list[int] = []

    def frame(payload) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            if msg.WhichOneof("type") == "script_finished":
                finished.append(msg.script_finished)

    context = h.new_context(browser)
    try:
        page = context.new_page()
        page.on("websocket", lambda ws: ws.on("framereceived", frame))
        h.open_app(page, server)
        h.sign_in(page, server, "analist")          # the form's run ends early for a rerun
        with h.new_run(page):
            h.nav_link(page, "trends").click()
        completed = [s for s in finished if s != ForwardMsg.FINISHED_EARLY_FOR_RERUN]
        assert ForwardMsg.FINISHED_EARLY_FOR_RERUN in finished   # the case the counter skips
        assert len(completed) >= 3                                # login form, Briefing, Trends
        starts, counted, runs = page.evaluate("[window.__dwStarts, window.__dwFinished, window.__dwRuns]")
        assert counted == len(completed)
        assert runs == starts + counted and starts >= 1
    finally:
        context.close()
