"""What the bestuur protection costs (docs/disclosure.md): per Briefing layer, how many
wijk × year and wijk × quarter cells are hidden as a secondary "x", and how many of those
hold 10 or more; and how long the protection takes.

    .venv/bin/python -m bench.lattice_cost [--db data/dijkwacht.duckdb]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from dijkwacht import lattice, measures, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="data/dijkwacht.duckdb")
    args = parser.parse_args()
    db = queries.served(Path(args.db))
    stand_per = db.query("meta")["stand_per"][0]
    start = time.perf_counter()
    protected = lattice.build(db, stand_per, tuple(measures.LAYERS))
    print(f"protection of {len(measures.LAYERS)} layers: {time.perf_counter() - start:.1f} s")
    wijken = [i for i, a in enumerate(protected.area_ids) if a.startswith("wijk:")]
    kinds = {"jaar": [i for i, p in enumerate(protected.period_ids) if p.startswith("jaar:")],
             "kwartaal": [i for i, p in enumerate(protected.period_ids) if p.startswith("kwartaal:")]}
    print(f"{'laag':<24} {'per':<9} {'cellen':>6} {'<5':>5} {'x':>5} {'x ≥ 10':>7}")
    for table in protected.tables:
        layer = table.layers[-1].split("|")[0]
        if layer not in ("hennepkwekerijen", "verdachte_transacties", "signalen", "controles"):
            continue
        for kind, periods in kinds.items():
            v = table.values[-1][np.ix_(wijken, periods)]
            h = table.hidden[-1][np.ix_(wijken, periods)]
            p = table.primary[-1][np.ix_(wijken, periods)]
            print(f"{layer:<24} {kind:<9} {v.size:>6} {int(p.sum()):>5} {int((h & ~p).sum()):>5} "
                  f"{int((h & ~p & (v >= 10)).sum()):>7}")


if __name__ == "__main__":
    main()
