"""Server-side render time of each dashboard page (AppTest) on the demo data.

    DIJKWACHT_DB=/tmp/pages/dijkwacht.duckdb .venv/bin/python bench/pages_render.py

cold = first run with empty data caches (imports already done, so it measures queries and
rendering, not Python start-up); warm = median of 5 reruns of the same session.
The state database (for the test sign-in) goes to a temporary folder.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("DIJKWACHT_STATE", str(Path(tempfile.mkdtemp()) / "state.sqlite"))

import streamlit as st  # noqa: E402

import dijkwacht.charts  # noqa: E402,F401  (imports out of the cold figure)
import dijkwacht.ui  # noqa: E402,F401
from apptest_support import app_for  # noqa: E402
from dijkwacht import config  # noqa: E402

PAGES = ("briefing", "trends", "hennep", "geldstromen", "meldpunt", "handhaving")
WARM_RUNS = 5


def timed(at) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed * 1000


def main() -> None:
    if not config.db_path().exists():
        sys.exit(f"Geen database op {config.db_path()}: bouw de demo met `python -m etl --demo`.")
    app_for("analist", "pages/briefing.py").run()       # warm up AppTest and the imports
    rows = []
    for page in PAGES:
        st.cache_data.clear()
        at = app_for("analist", f"pages/{page}.py")
        cold = timed(at)
        warm = statistics.median(timed(at) for _ in range(WARM_RUNS))
        rows.append((page, cold, warm))
    print(f"database: {config.db_path()}")
    print(f"{'pagina':<12} {'koud (ms)':>10} {'warm (ms)':>10}")
    for page, cold, warm in rows:
        print(f"{page:<12} {cold:>10.0f} {warm:>10.0f}")


if __name__ == "__main__":
    main()
