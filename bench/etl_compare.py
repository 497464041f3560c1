"""ETL throughput against DuckDB's bare read_csv (issue 17 item 3): the working tree's etl/
against an earlier revision's, side by side, on the same demo files.

    .venv/bin/python -m bench.etl_compare --demo DIR [--tegen HEAD] [--runs 3] [--alleen-laden]

DIR holds the demo exports (`python -m etl.demo --out DIR --schaal 100`). `--tegen` is a
git revision whose etl/ is unpacked into a temp folder (`git archive`) and run with the
working tree's dijkwacht/. Every run is a child process, timed from spawn to exit as in
bench/national.py: DuckDB (`CREATE TABLE … AS SELECT * FROM read_csv(file)` of the same files,
`etl_throughput.time_duckdb`), then `python -m etl --demo DIR --db NEW` of the old and of the
new etl/, interleaved so all three see the same machine load; medians of `--runs`.
`--ook dijkwacht`: the revision's dijkwacht/ too (it then shadows the working tree's for the
old run: the layouts of the Koppelingen tables are computed in dijkwacht/linkage.py).
`--alleen-laden`: the loading path only (read, clean, keys, write, publish): the post-load
builds (facts, the protection search, the Koppelingen tables) are skipped in both.

Prints rows/s and the ratio ETL ÷ DuckDB of both versions, and checks that both loaded the
same rows (per table: count and a hash sum per column) with the same load reports (rows,
quarantine, warnings): the speed-up must not change what is loaded.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DUCKDB_CHILD = "import sys; from bench.etl_throughput import time_duckdb; print(time_duckdb(*sys.argv[1:]))"
# The ETL's command line with the three post-load builds made no-ops (--alleen-laden).
LOAD_ONLY_CHILD = ("import contextlib, sys, etl.load as L\n"
                   "for name in ('build_facts', 'build_protection', 'build_linkage'):\n"
                   "    setattr(L, name, lambda con: None)\n"
                   "L.building_linkage = L.protecting = lambda con: contextlib.nullcontext()\n"
                   "from etl.__main__ import main\n"
                   "sys.exit(main(sys.argv[1:]))")


def unpack_etl(revision: str, into: Path, also: tuple[str, ...] = ()) -> Path:
    """etl/ (and the folders `also`) as it was at `revision`, in `into`."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision, "etl", *also], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    if "dijkwacht" in also:
        # config finds data/ (gemeente.toml, the buurt file) beside its package; read only.
        (into / "data").symlink_to(ROOT / "data", target_is_directory=True)
    return into


def child(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} … failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall, done.stdout


def etl_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DIJKWACHT_STATE", None)
    # cwd is the etl/ to run; PYTHONPATH gives the working tree's dijkwacht/ (and bench/).
    env.update(DIJKWACHT_BASISKAART="geen", PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    return env


def fingerprint(db: Path) -> dict[str, list]:
    """Per source table (those with `bestand_sha256`): row count and a hash sum per column,
    independent of row order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'bestand_sha256' "
            "ORDER BY 1").fetchall()]
        return {table: [str(v) for v in con.execute(
            f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{table}"').fetchone()] for table in tables}
    finally:
        con.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--demo", type=Path, required=True, help="folder with the demo exports (python -m etl.demo --out)")
    p.add_argument("--tegen", default="HEAD", help="the git revision to compare with (default HEAD)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--ook", action="append", default=[], choices=["dijkwacht"],
                   help="also run the revision's dijkwacht/ (default: only its etl/)")
    p.add_argument("--alleen-laden", action="store_true", help="skip the post-load builds in both")
    args = p.parse_args()
    files = sorted(str(f) for f in args.demo.glob("*.csv"))
    if not files:
        raise SystemExit(f"geen CSV-bestanden in {args.demo}")

    with tempfile.TemporaryDirectory(prefix="dijkwacht-etl-compare-") as tmp:
        work = Path(tmp)
        versions = {"old": unpack_etl(args.tegen, work / "old", tuple(args.ook)), "new": ROOT}
        etl = [PY, "-c", LOAD_ONLY_CHILD] if args.alleen_laden else [PY, "-m", "etl"]
        times: dict[str, list[float]] = {"duckdb": [], "old": [], "new": []}
        reports: dict[str, object] = {}
        prints: dict[str, dict] = {}
        rows = 0
        for i in range(args.runs):
            times["duckdb"].append(child([PY, "-c", DUCKDB_CHILD, *files], ROOT, dict(os.environ))[0])
            for kind, cwd in versions.items():
                db = work / f"{kind}-{i}" / "dijkwacht.duckdb"
                wall, out = child([*etl, "--demo", str(args.demo), "--db", str(db), "--json"], cwd, etl_env())
                report = json.loads(out.strip().splitlines()[-1])["files"]
                loaded = [f for f in report if f["status"] == "loaded"]
                if len(loaded) != len(files):
                    raise SystemExit(f"{kind}: {len(loaded)} of {len(files)} files loaded: {report}")
                rows = sum(f["rows_in"] for f in loaded)
                times[kind].append(wall)
                if i == 0:
                    reports[kind] = [{k: f[k] for k in ("source", "rows_in", "loaded", "quarantined", "warnings")}
                                     for f in report]
                    prints[kind] = fingerprint(db)
                shutil.rmtree(db.parent, ignore_errors=True)
                print(f"run {i + 1} {kind}: {wall:.2f} s (DuckDB {times['duckdb'][-1]:.2f} s)", flush=True)

    duck = statistics.median(times["duckdb"])
    print(f"{rows:,} rows; DuckDB read_csv: median {duck:.2f} s, {rows / duck:,.0f} rows/s "
          f"(runs {', '.join(f'{t:.2f}' for t in times['duckdb'])})")
    revision = args.tegen + "".join(f" +{extra}/" for extra in args.ook)
    for kind, label in (("old", f"old ({revision})"), ("new", "new (working tree)")):
        median = statistics.median(times[kind])
        print(f"ETL {label}: median {median:.2f} s, {rows / median:,.0f} rows/s, ETL ÷ DuckDB {duck / median:.3f} "
              f"(runs {', '.join(f'{t:.2f}' for t in times[kind])})")
    old, new = statistics.median(times["old"]), statistics.median(times["new"])
    print(f"new ÷ old time {new / old:.3f} ({old / new:.2f}× as fast)"
          + ("; loading path only (no facts, protection, Koppelingen)" if args.alleen_laden else ""))
    same = reports["old"] == reports["new"] and prints["old"] == prints["new"]
    print(f"loaded rows and reports: {'identical' if same else 'DIFFERENT'}")
    if not same:
        print(json.dumps({"reports": reports, "tables": prints}, indent=1, default=str))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
