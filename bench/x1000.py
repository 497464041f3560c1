"""×1000 (issue 17): the ETL and the Briefing at a thousand times Dordrecht, opt-in.

Run by `python -m bench.national --met-1000` after the other scales. Generating ×1000 takes
about 20 min at a 12 GB peak and writes 1.7 GB of files (4 Dec 2026), so it is not part of a
plain run. Steps, each reported with its time; the first that fails ends the ×1000 part
with its measured reason (exit code, timeout, memory, free disk), never the whole run:

1. `python -m etl.demo --schaal 1000` (time, MB on disk);
2. one DuckDB `read_csv` child and one ETL child into a new database, as at the other
   scales (time, rows/s, ratio, peak RSS of the ETL child from wait4);
3. the Briefing in Chromium on that database: a freshly started server, from the click on
   Inloggen (analist) until the Briefing is settled, then a second sign-in in a new
   context; the server's VmHWM afterwards.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

SCALE = 1000
NEED_FREE_GB = 6.0                     # files 1.7 GB + database 1.7 GB + margin
GENERATE_TIMEOUT_S = 3600
ETL_TIMEOUT_S = 3600
BRIEFING_TIMEOUT_MS = 600_000


def free_gb(path: Path) -> float:
    return shutil.disk_usage(path).free / 1e9


def run(workdir: Path, browser: bool = True) -> dict:
    from bench import national as n

    out: dict = {"scale": SCALE, "steps": []}
    t_all = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)

    def step(name: str, fn):
        t0 = time.perf_counter()
        try:
            value = fn()
            out["steps"].append({"step": name, "s": time.perf_counter() - t0, "ok": True})
            return value
        except Exception as exc:  # the reason is the result
            out["steps"].append({"step": name, "s": time.perf_counter() - t0, "ok": False,
                                 "error": f"{type(exc).__name__}: {str(exc)[:600]}"})
            out["failed"] = f"{name}: {type(exc).__name__}: {str(exc)[:600]}"
            raise

    try:
        free = free_gb(workdir)
        out["free_gb_before"] = free
        if free < NEED_FREE_GB:
            out["failed"] = f"not started: {free:.1f} GB free in {workdir}, {NEED_FREE_GB} GB needed"
            return out
        demo = workdir / "demo"
        out["demo"] = step("generate", lambda: _generate(demo))

        def duck():
            d = n.must(n.run_child([n.PY, "-c", n.DUCKDB_CHILD, *out["demo"]["files"]],
                                   timeout=ETL_TIMEOUT_S), "DuckDB read_csv")
            return {"duck_s": d.wall_s, "duck_peak_mb": d.peak_mb,
                    "duck_inner_s": float(d.stdout.strip().splitlines()[-1])}
        out["duck"] = step("duckdb", duck)

        def etl():
            db = workdir / "etl" / "dijkwacht.duckdb"
            e = n.run_child([n.PY, "-m", "etl", "--demo", str(demo), "--db", str(db), "--json"],
                            env=n.base_env(), timeout=ETL_TIMEOUT_S)
            result = {"etl_s": e.wall_s, "etl_peak_mb": e.peak_mb, "returncode": e.returncode}
            if e.returncode != 0:
                # -9: killed (the kernel's OOM killer, most likely); the peak says how far it got
                raise RuntimeError(f"ETL exit {e.returncode} after {e.wall_s:.0f} s, peak RSS "
                                   f"{e.peak_mb:.0f} MB: {e.stderr.strip()[-400:]}")
            result.update(n.load_counts(e.stdout))
            result["db"] = str(db)
            result["db_mb"] = db.stat().st_size / 1e6
            return result
        out["etl"] = step("etl", etl)
        rows = out["etl"]["rows"]
        out["etl"]["rows_per_s"] = rows / out["etl"]["etl_s"]
        out["duck"]["rows_per_s"] = rows / out["duck"]["duck_s"]
        out["ratio"] = out["etl"]["rows_per_s"] / out["duck"]["rows_per_s"]
        shutil.rmtree(demo, ignore_errors=True)          # the disk for the database
        if browser:
            out["briefing"] = step("briefing", lambda: briefing(Path(out["etl"]["db"]), workdir))
    except Exception:  # noqa: BLE001 — recorded in out["failed"] by step()
        pass
    finally:
        out["total_s"] = time.perf_counter() - t_all
    return out


def _generate(demo: Path) -> dict:
    from bench import national as n

    child = n.must(n.run_child([n.PY, "-m", "etl.demo", "--out", str(demo), "--schaal", str(SCALE)],
                               timeout=GENERATE_TIMEOUT_S), f"demo ×{SCALE}")
    files = sorted(demo.glob("*.csv"))
    return {"generate_s": child.wall_s, "generate_peak_mb": child.peak_mb,
            "files": [str(f) for f in files], "mb": sum(f.stat().st_size for f in files) / 1e6}


def briefing(db: Path, workdir: Path, role: str = "analist", timeout: int | None = None) -> dict:
    """Login → settled Briefing on a freshly started server, twice (new contexts)."""
    timeout = timeout or BRIEFING_TIMEOUT_MS
    from playwright.sync_api import sync_playwright

    from bench.browser_round import _server, _sign_in_timed
    from tests.browser import browser_harness as h

    srv = _server(db, workdir, "x1000").start()
    out: dict = {"start_s": srv.start_s, "role": role}
    try:
        with sync_playwright() as playwright:
            browser = h.launch(playwright)
            try:
                for label in ("first_s", "second_s"):
                    context = h.new_context(browser)
                    context.set_default_timeout(timeout)
                    page = context.new_page()
                    h.open_app(page, srv)
                    try:
                        out[label], out[label.replace("_s", "_browser_s")] = _sign_in_timed(
                            page, srv, role, timeout)
                        out.setdefault("errors", []).extend(h.page_errors(page))
                    finally:
                        context.close()
            finally:
                browser.close()
        out["peak_mb"] = srv.peak_mb()
    finally:
        out.setdefault("peak_mb", srv.peak_mb() if srv.process and srv.process.poll() is None else None)
        srv.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    """Standalone: `python -m bench.x1000 [--werkmap DIR] [--json FILE] [--max-min M]`."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--werkmap", type=Path, help="keep the files and the database here")
    parser.add_argument("--json", type=Path, help="write the result as JSON")
    parser.add_argument("--max-min", type=float, help="time limit per step in minutes")
    parser.add_argument("--geen-browser", action="store_true", help="skip the Briefing in Chromium")
    args = parser.parse_args(argv)
    global GENERATE_TIMEOUT_S, ETL_TIMEOUT_S, BRIEFING_TIMEOUT_MS
    if args.max_min:
        GENERATE_TIMEOUT_S = ETL_TIMEOUT_S = args.max_min * 60
        BRIEFING_TIMEOUT_MS = int(min(BRIEFING_TIMEOUT_MS, args.max_min * 60_000))
    root = args.werkmap or Path(tempfile.mkdtemp(prefix="dijkwacht-bench-1000-"))
    try:
        result = run(root / "x1000", browser=not args.geen_browser)
    finally:
        if args.werkmap is None:
            shutil.rmtree(root, ignore_errors=True)
    text = json.dumps(result, indent=2, default=str)
    if args.json:
        args.json.write_text(text)
    print(text)
    return 1 if result.get("failed") else 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
