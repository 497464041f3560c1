"""Server-side render time of each dashboard page (AppTest) on the demo data.

    DIJKWACHT_DB=/tmp/pages/dijkwacht.duckdb .venv/bin/python -m bench.pages_render
        [--warm 5] [--json] [--pagina briefing --pagina trends ...]

Every page in access.PAGES whose script exists, signed in as a role that may see it
(`role_for`: analist where allowed, else beheerder). cold = first run with empty data
caches (imports already done, so it measures queries and rendering, not Python start-up);
warm = median of `--warm` reruns of the same session. The state database (for the test
sign-in) goes to a temporary folder. `--json` prints one JSON object (used by
bench/national.py, which runs this in a child process per scale).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DIJKWACHT_STATE", str(Path(tempfile.mkdtemp()) / "state.sqlite"))

WARM_RUNS = 5
ROLE_PREFERENCE = ("analist", "beheerder", "bestuur")


def role_for(page) -> str:
    """A role that may see `page`: the analyst's view where allowed (the widest data)."""
    return next(r for r in ROLE_PREFERENCE if r in page.roles)


def timed(at) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        exc = at.exception[0]
        trace = [line for line in (getattr(exc, "stack_trace", None) or []) if line.strip()]
        raise RuntimeError(trace[-1].strip() if trace else exc.value)
    return elapsed * 1000


def measure(keys: list[str] | None = None, warm_runs: int = WARM_RUNS) -> list[dict]:
    """[{page, role, cold_ms, warm_ms}] for the pages `keys` (default: all that exist)."""
    import streamlit as st

    import dijkwacht.app.ui
    import dijkwacht.charts  # noqa: F401  (imports out of the cold figure)
    from dijkwacht import access, config
    from tests.apptest_support import app_for

    if not config.db_path().exists():
        raise SystemExit(f"Geen database op {config.db_path()}: bouw de demo met `python -m etl --demo`.")
    pages = [p for p in access.PAGES if (ROOT / p.script).exists() and (keys is None or p.key in keys)]
    app_for("analist", "pages/briefing.py").run()       # warm up AppTest and the imports
    rows = []
    for page in pages:
        role = role_for(page)
        st.cache_data.clear()
        at = app_for(role, page.script)
        try:
            cold = timed(at)
            warm = statistics.median(timed(at) for _ in range(warm_runs))
        except RuntimeError as exc:     # a broken page is reported, the others still measured
            rows.append({"page": page.key, "role": role, "cold_ms": None, "warm_ms": None,
                         "error": str(exc)[:300]})
            continue
        rows.append({"page": page.key, "role": role, "cold_ms": cold, "warm_ms": warm})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=WARM_RUNS, help="warm reruns per page (median)")
    parser.add_argument("--pagina", action="append", help="only this page key (repeatable)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    from dijkwacht import config

    rows = measure(args.pagina, args.warm)
    if args.json:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"db": str(config.db_path()), "pages": rows, "peak_rss_mb": peak_mb}))
        return
    print(f"database: {config.db_path()}")
    print(f"{'pagina':<12} {'rol':<10} {'koud (ms)':>10} {'warm (ms)':>10}")
    for row in rows:
        if row["cold_ms"] is None:
            print(f"{row['page']:<12} {row['role']:<10} fout: {row['error']}")
        else:
            print(f"{row['page']:<12} {row['role']:<10} {row['cold_ms']:>10.0f} {row['warm_ms']:>10.0f}")


if __name__ == "__main__":
    main()
