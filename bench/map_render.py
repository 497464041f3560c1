"""Time to build the Kaart page's map (issue 7), without a browser.

    .venv/bin/python -m bench.map_render [--db data/dijkwacht.duckdb] [--runs 5]

Measures, median of `--runs` after one cold run (imports, reading the CBS files):

- counts     feiten_per_gebied.sql for one year (the fact table, all layers, buurt level)
- values     maps.choropleth: a map frame → value, classes, legend (129 buurten)
- html       maps.folium_map + render to HTML (what st_folium sends to the browser)
- gistar     maps.hotspots: Gi*, exact randomisation p-values, FDR
- png        maps.png: the same choropleth drawn by matplotlib (Agg), 16 cm at 150 dpi

The browser's own drawing time (Leaflet, 129 SVG paths) is measured by the browser tests.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "data" / "dijkwacht.duckdb"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    import polars as pl

    from dijkwacht import maps, queries
    from dijkwacht.measures import LAYERS
    imports = time.perf_counter() - t0

    db = queries.served(Path(args.db))
    stand_per = db.query("meta")["stand_per"][0]
    year = stand_per.year - 1
    laag = "controles"
    timings: dict[str, list[float]] = {}
    for _run in range(args.runs + 1):
        counts, t_counts = _timed(lambda: db.query("feiten_per_gebied", van=date(year, 1, 1),
                                                   tot=date(year + 1, 1, 1), niveau="buurt", thema="alle",
                                                   maten=list(LAYERS)))
        # The analyst's map frame (nothing hidden) at buurt level.
        layer = counts.filter((counts["maat"] == laag) & (counts["code"] != "onbekend")).select(
            "code", "aantal", weergave=pl.col("aantal").cast(pl.String))
        kaart, t_values = _timed(lambda layer=layer: maps.choropleth(layer, "buurt", "per_1000", laag, str(year)))
        page, t_html = _timed(lambda kaart=kaart: maps.html_page(maps.folium_map(kaart, "geen")))
        _, t_gi = _timed(lambda kaart=kaart: maps.hotspots(kaart.frame["aantal"].to_numpy()))
        png, t_png = _timed(lambda kaart=kaart: maps.png(kaart))
        for name, t in (("counts", t_counts), ("values", t_values), ("html", t_html),
                        ("gistar", t_gi), ("png", t_png)):
            timings.setdefault(name, []).append(t)

    print(f"map render, {args.db}, layer {laag} {year}, {args.runs} runs after one cold run")
    print(f"  imports (dijkwacht.maps, queries)   {imports:6.2f} s")
    for name, ts in timings.items():
        print(f"  {name:<8} cold {ts[0]:6.3f} s   median {statistics.median(ts[1:]):6.3f} s")
    print(f"  html size {len(page) / 1024:.0f} KiB, png size {len(png) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
