"""`make bench` runs at ×1 (issue 12): python -m bench.national --schalen 1 --snel, end to end.

A benchmark is not a test: nothing here looks at a timing. It checks that the run finishes
and writes a report in the docs format (to a temp path, never over docs/benchmarks.md).
Without Chromium the browser part is skipped by the script, with its reason in the report.
"""
from __future__ import annotations

import re
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
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    text = report.read_text(encoding="utf-8")
    for heading in ("# Benchmarks at national scale", "## Machine", "## Summary",
                    "## Pages, server side (AppTest, ms)", "## Pages in Chromium (s)",
                    "## Ten users at once", "## ×1000", "## Definitions"):
        assert heading in text
    # ×1000 is opt-in (--met-1000): the report says so rather than leaving the section empty.
    assert "Not run (opt-in: `python -m bench.national --met-1000`" in section(text, "## ×1000")
    assert "| | ×1 | goal |" in text
    for label in ("ETL ÷ DuckDB throughput", "slowest page warm", "peak RSS ETL", "Load average"):
        assert label in text
    # The demo is valid, so the load it times quarantines nothing (×1000 once quarantined 82 %
    # of its vestigingen and the bench measured a different load without saying so).
    summary = section(text, "## Summary")
    assert row_cells(summary, "rows the ETL quarantined (the demo has no bad rows: must be 0)")[1] == "0 ✓"
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
    # Every page has a first and a second visit in Chromium, both measured, each also on the
    # browser's clock (in brackets).
    chromium = section(text, "## Pages in Chromium (s)")
    for page in access.PAGES:
        if (ROOT / page.script).exists():
            cells = row_cells(chromium, page.key)
            assert cells is not None, f"no Chromium row for {page.key}"
            assert all(re.fullmatch(r"\d+\.\d\d \(\d+\.\d\d\)", c) for c in cells[2:4]), cells
    # The round (--snel: one user per role) ran, every click settled, and has a p95 and a peak.
    users = section(text, "## Ten users at once")
    assert row_cells(users, "clicks (failed)")[1].endswith("(0)"), users
    assert re.fullmatch(r"\*\*\d+\.\d\d\*\*", row_cells(users, "**p95 click to settled page (s)**")[1])
    assert re.fullmatch(r"\*\*\d+\*\*.*", row_cells(users, "**peak RSS server after the round (MB)**")[1])


def section(text: str, heading: str) -> str:
    """The text from `heading` up to the next heading of the same or a higher level."""
    start = text.index(heading + "\n")
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


def row_cells(text: str, label: str) -> list[str] | None:
    """The cells of the table row whose first cell is `label` (after the label: the values)."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == label:
            return cells
    return None


def test_engines_bench_compares_equal_results_on_the_demo():
    """bench.engines stops when the SQL it times gives other values than the ETL's polars
    rules, so a run over the demo files is also a check that the comparison is fair."""
    run = subprocess.run([sys.executable, "-m", "bench.engines", "--demo", str(config.DEMO_DIR), "--runs", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = [line for line in run.stdout.splitlines() if "ETL:" in line]
    assert [line.split()[0] for line in lines] == ["lezen", "cijferregel", "adresbericht", "HMAC-SHA256"]
    assert all(re.search(r"(polars|DuckDB|Python) [\d.]+x sneller {3}ETL: (polars|DuckDB)$", line) for line in lines)


def test_week_list_bench_finds_the_stored_and_the_computed_list_equal(demo_db):
    run = subprocess.run([sys.executable, "-m", "bench.week_list", "--db", str(demo_db), "--runs", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.stdout.splitlines()[-1] == "dezelfde punten: ja"
    counts = re.findall(r"MB +([\d,]+) punten", run.stdout)
    assert len(counts) == 2 and counts[0] == counts[1] and int(counts[0].replace(",", "")) > 20
