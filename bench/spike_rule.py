"""How well the week's spike rule works (dijkwacht/week.py, "stijging"), on the demo.

(i) False alarms: every cell (layer × area) the rule tests in each of the last 36 complete
months — the demo has no planted spikes, so every flag is a false alarm — and the share
flagged, per area level and per size of the expected count.
(ii) Detection: the same cells with the month's count scaled by 1.5 and by 2 (rounded half
up; in a copy of the series, the database is not touched) and the share flagged.

Both for the rule as built (the mean of the 36 months before) and for the alternative it was
chosen over (the mean of the same month in the 3 years before: seasonality), at the
settings of [week] in gemeente.toml.

    .venv/bin/python -m bench.spike_rule [--db data/dijkwacht.duckdb] [--maanden 36]

Without the database file the demo is built first, in a temporary folder.
"""
from __future__ import annotations

import argparse
import atexit
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from dijkwacht import config, queries, week

FACTORS = (1.5, 2.0)
# Bands of the expected count per month: what a rule can see depends on it.
BANDS = ((0.0, 1.0, "< 1"), (1.0, float("inf"), "≥ 1"), (1.0, 2.0, "1 – 2"), (2.0, 5.0, "2 – 5"),
         (5.0, float("inf"), "≥ 5"))


def served(path: Path):
    if path.exists():
        return queries.served(path)
    from etl.load import run

    folder = Path(tempfile.mkdtemp(prefix="dijkwacht-spike-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["DIJKWACHT_STATE"] = str(folder / "state.sqlite")    # the load log too stays in it
    db = folder / "dijkwacht.duckdb"
    print(f"{path} bestaat niet: de demo wordt gebouwd in {folder} (weg na afloop) …")
    reports = run([config.DEMO_DIR], db, demo=True, progress=lambda _: None)
    assert all(r.status == "loaded" for r in reports), [r.message for r in reports]
    return queries.served(db)


def cells(db, months: list, settings) -> pl.DataFrame:
    """Every tested cell of `months`, with the baseline of both rules: basis (36 months) and
    basis_seizoen (the same month 1, 2 and 3 years before)."""
    cache: dict = {}

    def month_cells(m):
        if m not in cache:
            cache[m] = week.spike_cells(db, m, settings)
        return cache[m]

    keys = ["laag", "niveau", "gebied"]
    parts = []
    for m in months:
        frame = month_cells(m)
        season = sum(month_cells(week.add_months(m, -12 * k))["aantal"].to_numpy() for k in (1, 2, 3))
        # the same query orders its rows by layer and area: the frames line up row by row
        assert all(month_cells(week.add_months(m, -12 * k)).select(keys).equals(frame.select(keys))
                   for k in (1, 2, 3))
        first_season = week.add_months(m, -36)
        parts.append(frame.with_columns(
            pl.lit(m).alias("maand"), pl.Series("basis_seizoen", season),
            (pl.col("eerste_dag") <= first_season).fill_null(False).alias("getest_seizoen")))
    return pl.concat(parts)


def verdicts(frame: pl.DataFrame, settings, factor: float = 1.0) -> dict[str, np.ndarray]:
    """Per rule: flagged, for the month's count scaled by `factor`."""
    count = np.floor(frame["aantal"].to_numpy() * factor + 0.5).astype(np.int64)
    out = {}
    for rule, basis, months, tested in (
            ("36 maanden", "basis", settings.basis_maanden, "getest"),
            ("zelfde maand", "basis_seizoen", 3, "getest_seizoen")):
        expected, _, _, flagged = week.spike_rule(count, frame[basis].to_numpy(), months,
                                                  settings.alfa, settings.minimum_aantal)
        out[rule] = (flagged & frame[tested].to_numpy(), expected, frame[tested].to_numpy())
    return out


def share(flags: np.ndarray, mask: np.ndarray) -> str:
    n = int(mask.sum())
    return "–" if n == 0 else f"{100 * flags[mask].mean():.2f}% ({int(flags[mask].sum())}/{n})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(config.db_path()))
    parser.add_argument("--maanden", type=int, default=36, help="the months tested, back from the last complete one")
    args = parser.parse_args()
    db = served(Path(args.db))
    settings = config.week()
    stand_per = db.query("meta")["stand_per"][0]
    last = week.last_complete_month(stand_per)
    months = [week.add_months(last, -k) for k in range(args.maanden - 1, -1, -1)]
    start = time.perf_counter()
    frame = cells(db, months, settings)
    took = time.perf_counter() - start
    start = time.perf_counter()
    week.items(db, stand_per, settings, [])
    warm = time.perf_counter() - start

    print(f"stand per {stand_per}; maanden {months[0]:%Y-%m} t/m {months[-1]:%Y-%m}; alfa {settings.alfa}, "
          f"minimum {settings.minimum_aantal}, basis {settings.basis_maanden} maanden; "
          f"cellen ingelezen in {took:.1f} s; week.items {1000 * warm:.0f} ms")
    base = verdicts(frame, settings)
    planted = {f: verdicts(frame, settings, f) for f in FACTORS}
    level = frame["niveau"].to_numpy()
    for rule, (flagged, _, tested) in base.items():
        print(f"{rule}: {int(tested.sum() / len(months))} cellen per maand getest, "
              f"{flagged.sum() / len(months):.1f} vals alarm per maand")
    print()
    print("| regel | gebieden | verwachting per maand | getest | vals alarm | gevonden bij 1,5× | gevonden bij 2× |")
    print("|---|---|---|---|---|---|---|")
    for rule in base:
        flagged, expected, tested = base[rule]
        rows = [("alle", "alle", tested)]
        rows += [(lv, "alle", tested & (level == lv)) for lv in ("buurt", "wijk", "focus")]
        rows += [("alle", label, tested & (expected >= lo) & (expected < hi)) for lo, hi, label in BANDS]
        for area, band, mask in rows:
            found = [share(planted[f][rule][0], mask) for f in FACTORS]
            print(f"| {rule} | {area} | {band} | {int(mask.sum())} | {share(flagged, mask)} | "
                  f"{found[0]} | {found[1]} |")


if __name__ == "__main__":
    main()
