"""The mayor's protection search at load (`etl.protection.build_protection`, issue "National
scale without growing"): the working tree's code against an earlier commit's, side by side.

    .venv/bin/python -m bench.protection --db /tmp/x10/demo.duckdb [--tegen 01c15bc] [--runs 3]

Loads `dijkwacht/lattice.py` and `etl/protection.py` of `--tegen` (a git revision) as
separate modules, then runs old and new `build_protection` alternately, each on a fresh copy
of the database, in this one process (imports done beforehand). Prints the seconds of every
run, the medians and their ratio, and whether both stored the same secondary cells
(`bescherming`): the speed-up must not change the protection.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]


def module_at(revision: str, path: str, name: str) -> types.ModuleType:
    """The file `path` as it was at `revision`, as a module of its own."""
    source = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{revision}:{path}"
    sys.modules[name] = module              # dataclasses look their module up while defining
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def run_once(build, db: Path, scratch: Path) -> tuple[float, list[tuple]]:
    copy = scratch / "kopie.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    try:
        start = time.perf_counter()
        build(con)
        seconds = time.perf_counter() - start
        cells = con.execute("SELECT laag, gebied, periode FROM bescherming ORDER BY ALL").fetchall()
    finally:
        con.close()
        copy.unlink()
    return seconds, cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a loaded database (python -m etl --demo … --db …)")
    parser.add_argument("--tegen", default="HEAD", help="the git revision to compare with (default HEAD)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from etl import protection as new

    old_lattice = module_at(args.tegen, "dijkwacht/lattice.py", "bench_old_lattice")
    old = module_at(args.tegen, "etl/protection.py", "bench_old_protection")
    old.lattice = old_lattice               # its `from dijkwacht import lattice`, at that revision
    times: dict[str, list[float]] = {"old": [], "new": []}
    found: dict[str, list[tuple]] = {}
    with tempfile.TemporaryDirectory(prefix="dijkwacht-protection-") as scratch:
        for i in range(args.runs):
            for kind, module in (("old", old), ("new", new)):
                seconds, cells = run_once(module.build_protection, args.db, Path(scratch))
                times[kind].append(seconds)
                if found.setdefault(kind, cells) != cells:
                    raise SystemExit(f"{kind}: run {i + 1} stored other cells than run 1")
                print(f"run {i + 1} {kind}: {seconds:.2f} s ({len(cells)} secondary cells)", flush=True)
    old_s, new_s = statistics.median(times["old"]), statistics.median(times["new"])
    same = found["old"] == found["new"]
    print(f"median old ({args.tegen}) {old_s:.2f} s, new (working tree) {new_s:.2f} s: "
          f"ratio new/old {new_s / old_s:.3f} ({old_s / new_s:.1f}× faster)")
    print(f"secondary cells old {len(found['old'])}, new {len(found['new'])}: "
          f"{'identical' if same else 'DIFFERENT'}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
