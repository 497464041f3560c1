"""Time to build the factsheet and the briefing snapshot as documents (issue 11).

    .venv/bin/python -m bench.factsheet_build [--db data/dijkwacht.duckdb] [--year 2025]
                                              [--runs 3] [--docs] [--snapshot]

Everything from pip, no browser: figures from DuckDB, charts with matplotlib (Agg, SVG),
layout with Typst (tagged PDF/UA-1 + PDF/A-2a), every page rendered to PNG with pypdfium2. Measures, median of
`--runs` after one cold run (imports, font registration, the first query):

- figures      build_factsheet: every measure of the registry × 2 years (measures.values),
               per wijk from the wijk's own rows, the publication profile (rounding, wijk
               table), the series (up to 10 years), activities, sources
- charts       four matplotlib charts + the wijk map (SVG, text as text), as the app makes them
- pdf          Typst layout of the two pages (the SVGs placed as vectors)
- png          every page → PNG at 300 dpi (pypdfium2)
- snapshot     (--snapshot) briefing snapshot for the last complete quarter: figures + map +
               PDF; off by default while the snapshot moves to the measure registry

`--docs` also writes page 1 to docs/factsheet-<year>.png (for the README).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "data" / "dijkwacht.duckdb"))
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--docs", action="store_true")
    parser.add_argument("--snapshot", action="store_true", help="time the briefing snapshot too")
    args = parser.parse_args()

    start = time.perf_counter()
    from dijkwacht import queries
    from dijkwacht.documents import charts as doc_charts
    from dijkwacht.documents import figures as doc_figures
    from dijkwacht.documents import pdf as doc_pdf
    from dijkwacht.filters import latest_complete_quarter
    from dijkwacht.measures import latest_complete_year
    import_s = time.perf_counter() - start

    db = queries.served(Path(args.db))
    import os
    os.environ["DIJKWACHT_DB"] = str(Path(args.db).resolve())
    from dijkwacht.app import data
    from dijkwacht.filters import Period

    def briefing(period):        # the mayor's Briefing through the data layer, as the app builds it
        return data.briefing("bestuur", period, "stad")
    meta = db.query("meta").row(0, named=True)
    year = args.year or latest_complete_year(meta["stand_per"])
    qy, q = latest_complete_quarter(meta["stand_per"])
    from datetime import date
    van = date(qy, 3 * (q - 1) + 1, 1)
    tot = date(qy + (q == 4), 1 if q == 4 else 3 * q + 1, 1)

    rows = {k: [] for k in ("figures", "charts", "pdf", "png", "total", "snapshot")}
    pdf = b""
    for run in range(args.runs + 1):
        fs, t_fig = timed(lambda: doc_figures.build_factsheet(db, year))
        charts, t_chart = timed(lambda fs=fs: doc_charts.chart_files(fs, "svg"))
        pdf, t_pdf = timed(lambda fs=fs, charts=charts: doc_pdf.factsheet_pdf(fs, charts))
        pngs, t_png = timed(lambda pdf=pdf: doc_pdf.page_pngs(pdf))
        png = pngs[0]
        t_snap = (timed(lambda: doc_pdf.snapshot_pdf(doc_figures.build_snapshot(
            meta, van, tot, "stad", "Hele stad", briefing(Period(van, tot)))))[1]
                  if args.snapshot else float("nan"))
        label = "cold" if run == 0 else f"run {run}"
        print(f"{label:>6}: figures {t_fig:5.2f} s · charts {t_chart:5.2f} s · pdf {t_pdf:5.2f} s · "
              f"png {t_png:5.2f} s · total {t_fig + t_chart + t_pdf + t_png:5.2f} s · "
              f"snapshot {t_snap:5.2f} s", flush=True)
        if run:
            for k, v in (("figures", t_fig), ("charts", t_chart), ("pdf", t_pdf), ("png", t_png),
                         ("total", t_fig + t_chart + t_pdf + t_png), ("snapshot", t_snap)):
                rows[k].append(v)
    print(f"imports {import_s:.2f} s; factsheet {year}: PDF {len(pdf) / 1024:.0f} KiB, "
          f"PNG {len(png) / 1024:.0f} KiB; snapshot {van}–{tot}")
    print("median: " + " · ".join(f"{k} {statistics.median(v):.2f} s" for k, v in rows.items()))
    if args.docs:
        out = ROOT / "docs" / f"factsheet-{year}.png"
        out.parent.mkdir(exist_ok=True)
        out.write_bytes(png)
        print(f"written: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
