"""ETL throughput against DuckDB's bare read_csv of the same file (issue 5, item 6).

    .venv/bin/python -m bench.etl_throughput [--rows 1000000] [--runs 3] [--keep DIR]

Writes a seeded hennepkwekerijen CSV in the partner format (';', dd-mm-jjjj dates, comma
decimals in the coordinates, 1.040-style thousands in the plant counts, some lower-case
vocabulary, ~0.5 % broken rows), then measures in one run, median of `--runs`:

- DuckDB: `CREATE TABLE t AS SELECT * FROM read_csv(file)` in a fresh in-memory database;
- the ETL: `etl.load.run([file], fresh.duckdb)` — read, parse, validate, quarantine, keys,
  buurt from coordinates, upsert, checkpoint, fsync and publish.

Prints rows/s for both and the ratio ETL / DuckDB (the aim is ≥ 0.33).
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

# numpy, polars and the ETL are imported where used: bench/national.py imports
# `time_duckdb` in a child process that should pay for DuckDB's import only.

LOCATIETYPE = ["woning", "Woning", "bedrijfspand", "buitengebied", "overig"]
JA_NEE = ["ja", "nee", "onbekend", "Ja"]
EIGENDOM = ["eigenaar-bewoner", "corporatie", "particuliere verhuur", "onbekend"]
MAATREGEL = ["sluiting", "last onder dwangsom", "bestuurlijke waarschuwing", "geen", "onbekend"]
STREETS = ["Voorstraat", "Kerkstraat", "Spuiweg", "Singel", "Krispijnseweg", "Mijlweg", "Wijnstraat",
           "Reeweg-Oost", "Noordendijk", "Vrieseplein", "Sint Jorisweg", "Zeehavenkade"]


def write_file(path: Path, rows: int, seed: int = 20261128) -> None:
    import numpy as np
    import polars as pl

    from etl.reference import valid_buurtcodes

    rng = np.random.default_rng(seed)
    codes = np.array(sorted(valid_buurtcodes()))
    n_addresses = 20_000
    addr_street = rng.integers(0, len(STREETS), n_addresses)
    addr_number = rng.integers(1, 400, n_addresses)
    addr_suffix = rng.choice(["", "", "", "a", " B", "-1"], n_addresses)
    addr_pc = np.array([f"{3300 + i % 30}{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}" for i in range(n_addresses)])
    pick = rng.integers(0, n_addresses, rows)
    day = rng.integers(0, 365 * 14, rows)
    dates = (np.datetime64("2012-01-01") + day.astype("timedelta64[D]"))
    frame = pl.DataFrame({
        "registratienummer": [f"HK-{i:08d}" for i in range(rows)],
        "datum": dates,
        "street": np.array(STREETS)[addr_street[pick]],
        "number": addr_number[pick],
        "suffix": addr_suffix[pick],
        "postcode": addr_pc[pick],
        "has_code": rng.random(rows) < 0.9,
        "code": codes[rng.integers(0, len(codes), rows)],
        "x": rng.uniform(101_000, 110_000, rows),
        "y": rng.uniform(421_000, 427_000, rows),
        "locatietype": rng.choice(LOCATIETYPE, rows),
        "planten": rng.integers(0, 2500, rows),
        "stroom": rng.choice(JA_NEE, rows),
        "eigendom": rng.choice(EIGENDOM, rows),
        "eigenaar": rng.integers(0, 5000, rows),
        "maatregel": rng.choice(MAATREGEL, rows),
        "broken": rng.random(rows) < 0.005,
    })
    out = frame.select(
        pl.col("registratienummer"),
        pl.when(pl.col("broken")).then(pl.lit("31-02-2020"))
        .otherwise(pl.col("datum").dt.strftime("%d-%m-%Y")).alias("datum_ontmanteling"),
        pl.format("{} {}{}", "street", "number", "suffix").alias("adres"),
        pl.concat_str([pl.col("postcode").str.slice(0, 4), pl.col("postcode").str.slice(4, 2).str.to_lowercase()],
                      separator=" ").alias("postcode"),
        pl.when(pl.col("has_code")).then(pl.col("code")).alias("buurtcode"),
        pl.when(~pl.col("has_code")).then(pl.col("x").round(1).cast(pl.String).str.replace(".", ",", literal=True))
        .alias("x_rd"),
        pl.when(~pl.col("has_code")).then(pl.col("y").round(1).cast(pl.String).str.replace(".", ",", literal=True))
        .alias("y_rd"),
        pl.col("locatietype"),
        pl.when(pl.col("planten") >= 1000)
        .then(pl.format("{}.{}", pl.col("planten") // 1000, (pl.col("planten") % 1000).cast(pl.String).str.zfill(3)))
        .otherwise(pl.col("planten").cast(pl.String)).alias("aantal_planten"),
        pl.col("stroom").alias("stroomdiefstal"),
        pl.col("eigendom"),
        pl.format("NL-{}", "eigenaar").alias("eigenaar_id"),
        pl.col("maatregel"),
    )
    out.write_csv(path, separator=";")


def time_duckdb(*paths: Path) -> float:
    """Seconds for DuckDB's bare `read_csv` of `paths`, each into a table of a fresh
    in-memory database (one table per file)."""
    con = duckdb.connect(":memory:")
    start = time.perf_counter()
    for i, path in enumerate(paths):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv(?)", [str(path)])
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def time_etl(path: Path, workdir: Path, i: int, key: bytes) -> tuple[float, object]:
    from etl.load import run

    db = workdir / f"run{i}" / "dijkwacht.duckdb"
    start = time.perf_counter()
    reports = run([path], db, key=key, progress=lambda _: None)
    elapsed = time.perf_counter() - start
    return elapsed, reports[0]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--keep", type=Path, help="write the file and databases here (default: a temp dir)")
    args = p.parse_args()
    key = secrets.token_urlsafe(48).encode()   # a fresh strong key: real loads refuse weak ones

    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / "hennepkwekerijen_bench.csv"
        start = time.perf_counter()
        write_file(path, args.rows)
        print(f"bestand: {path.name}, {args.rows:,} rijen, {path.stat().st_size / 1e6:.0f} MB "
              f"(geschreven in {time.perf_counter() - start:.1f} s)")
        # Warm up imports and reference data once, outside the timings.
        time_duckdb(path)
        from etl.reference import reference_frames  # noqa: F401
        duck, etl = [], []
        report = None
        for i in range(args.runs):
            duck.append(time_duckdb(path))
            elapsed, report = time_etl(path, workdir, i, key)
            etl.append(elapsed)
        d, e = statistics.median(duck), statistics.median(etl)
        for name, median, runs in (("DuckDB read_csv", d, duck), ("ETL (python -m etl)", e, etl)):
            print(f"{name}: {median:6.2f} s  {args.rows / median:12,.0f} rijen/s  "
                  f"(runs: {', '.join(f'{t:.2f}' for t in runs)})")
        print(f"  laatste run: {report.rows_in:,} in, {report.loaded:,} geladen, "
              f"{report.quarantined:,} in quarantaine, status {report.status}")
        print(f"verhouding ETL / DuckDB: {d / e:.2f}  (doel ≥ 0.33)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
