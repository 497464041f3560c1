"""The Week's work list on a request: read from the list stored at load, or computed from the
events (issue 17; etl/week_list.py, dijkwacht.week.items).

    .venv/bin/python -m bench.week_list --db DB [--runs 3]

DB is a database built by the ETL (for instance `python -m etl --demo DIR --db DB` over
`python -m etl.demo --out DIR --schaal 100`). Each measurement is a child process that
imports what the server has imported by then, opens DB as the app does and asks for the
list once: `week.items` as the server calls it (the stored list), then `week.data_items`
(what every request computed before). The two alternate, `--runs` times each; printed are
the median seconds of the call and the child's peak RSS (ru_maxrss), and whether both gave
the same items.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import hashlib, json, resource, sys, time
from pathlib import Path
from dijkwacht import config, queries, week
served = queries.served(Path(sys.argv[1]))
stand_per = week.stand_per_of(served)
settings = config.week()
start = time.perf_counter()
if sys.argv[2] == "opgeslagen":
    found = week.items(served, stand_per, settings, [])
else:
    found = week.order(week.data_items(served, stand_per, settings))
seconds = time.perf_counter() - start
print(json.dumps({"s": seconds, "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "items": len(found), "hash": hashlib.sha256(repr(found).encode()).hexdigest()}))
"""
WAYS = {"opgeslagen": "uit de lijst van de laadronde (week.items)",
        "berekend": "berekend uit de gebeurtenissen (week.data_items)"}


def measure(db: Path, way: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(db), way], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    results: dict[str, list[dict]] = {way: [] for way in WAYS}
    for _ in range(args.runs):
        for way in WAYS:
            results[way].append(measure(args.db, way))
    hashes = {r["hash"] for runs in results.values() for r in runs}
    for way, runs in results.items():
        print(f"{WAYS[way]:<50} {statistics.median(r['s'] for r in runs):6.2f} s   "
              f"piek {statistics.median(r['mb'] for r in runs):6.0f} MB   {runs[0]['items']:,} punten")
    print("dezelfde punten: " + ("ja" if len(hashes) == 1 else "NEE"))
    return 0 if len(hashes) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
