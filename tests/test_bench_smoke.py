"""`make bench` runs at ×1 (issue 12): python -m bench.national --schalen 1 --snel, end to end.

A benchmark is not a test: nothing here looks at a timing. It checks that the run finishes
and writes a report in the docs format (to a temp path, never over docs/benchmarks.md).
Without Chromium the browser part is skipped by the script, with its reason in the report.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from bench import national
from dijkwacht import config

ROOT = config.ROOT
# A whole benchmark run (ETL, every page, Chromium when present): the full layer only.
pytestmark = pytest.mark.slow


def test_national_bench_runs_at_scale_1(tmp_path):
    report = tmp_path / "benchmarks.md"
    args = [sys.executable, "-m", "bench.national", "--schalen", "1", "--snel",
            "--uit", str(report), "--werkmap", str(tmp_path / "werk")]
    no_browser = national.browser_unavailable()     # the script skips that part by itself
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    text = report.read_text(encoding="utf-8")
    for heading in ("# Benchmarks at national scale", "## Machine", "## Summary",
                    "## Pages, server side (AppTest, ms)", "## Definitions"):
        assert heading in text
    assert "| | ×1 | goal |" in text
    for label in ("ETL ÷ DuckDB throughput", "slowest page warm", "peak RSS ETL", "Load average"):
        assert label in text
    # Every page the router knows has a row.
    from dijkwacht import access
    for page in access.PAGES:
        if (ROOT / page.script).exists():
            assert f"| {page.key} |" in text
    if no_browser:
        assert "Browser part skipped" in text
        pytest.skip(f"browser part not run: {no_browser}")
    assert "first paint ratio dashboard ÷ hello" in text
    assert "peak RSS dashboard server" in text
