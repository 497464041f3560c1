"""Polars or DuckDB, step by step (issue 17 item 3: "the ETL in DuckDB where it is faster …
Polars where it wins").

    .venv/bin/python -m bench.engines --demo DIR [--runs 5]

DIR holds the demo exports (`python -m etl.demo --out DIR --schaal 100`). Each step of
preparing a file that costs time at that scale is done both ways on the same input, the
two alternating, in one process, medians of `--runs`; both must give the same values (the
script stops if they differ), so only the engine differs:

- reading every file into raw strings: polars' `read_csv` against DuckDB's `read_csv`
  (every column text, as etl.read needs them; the line checks of etl.read come on top of
  either);
- the digits rule (etl.clean.parse_digits) over the Handelsregister's vestigingsnummers;
- the address message (etl.clean.address_message) over the Handelsregister's addresses;
- HMAC-SHA256 of those messages (etl.keys): DuckDB's sha256 as SQL against Python's hmac.

Prints one line per step: both times, which engine is faster and by how much, and what the
ETL uses.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import statistics
import time
from pathlib import Path
from typing import Callable

import duckdb
import polars as pl

from etl import keys
from etl.clean import address_message, normalise_postcode, parse_digits
from etl.read import read_csv_bytes

# The same rules as etl.clean, written as DuckDB SQL over a registered frame `t` with a
# text column `v` (digits) or `a` and `p` (address, postcode already normalised).
DIGITS_SQL = r"""
SELECT CASE WHEN regexp_full_match(w, '\d{12}') THEN w END AS v FROM (
  SELECT regexp_replace(regexp_replace(v, '[\s\x{00a0}\x{202f}]', '', 'g'), '^(\d+)[.,]0+$', '\1') AS w FROM t)"""
ADDRESS_SQL = r"""
WITH g AS (SELECT p, regexp_extract(trim(a), '^(?s)(.*?)(\d+)(\D*)$', ['s', 'n', 't']) AS x FROM t),
     parts AS (SELECT p, trim(regexp_replace(replace(lower(x.s), ',', ' '), '\s+', ' ', 'g')) AS street,
                      regexp_replace(x.n, '^0+(\d)', '\1') AS n,
                      upper(regexp_replace(x.t, '[\s\-]+', '', 'g')) AS tail FROM g)
SELECT CASE WHEN n = '' THEN NULL WHEN p IS NOT NULL THEN p || '|' || n || '|' || tail
            WHEN street <> '' THEN street || '|' || n || '|' || tail END AS m FROM parts"""


def compare(name: str, first: tuple[str, Callable[[], object]], second: tuple[str, Callable[[], object]],
            used: str, runs: int) -> None:
    """Both ways alternating, `runs` times each; the results must be equal."""
    times: dict[str, list[float]] = {first[0]: [], second[0]: []}
    outputs = {}
    for _ in range(runs):
        for engine, step in (first, second):
            start = time.perf_counter()
            outputs[engine] = step()
            times[engine].append(time.perf_counter() - start)
    if _values(outputs[first[0]]) != _values(outputs[second[0]]):
        raise SystemExit(f"{name}: {first[0]} and {second[0]} differ; the comparison would not be fair")
    a, b = (statistics.median(times[engine]) for engine, _ in (first, second))
    faster = first[0] if a < b else second[0]
    print(f"{name:<36} {first[0]} {a:6.3f} s   {second[0]} {b:6.3f} s   "
          f"{faster} {max(a, b) / min(a, b):3.1f}x sneller   ETL: {used}")


def _values(out: pl.Series | list[pl.DataFrame]) -> list:
    if isinstance(out, list):
        return [(frame.columns, frame.rows()) for frame in out]
    return out.to_list()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    files = sorted(args.demo.glob("*.csv"))
    if not files:
        raise SystemExit(f"geen CSV-bestanden in {args.demo}")
    con = duckdb.connect()
    con.execute("SET threads = 2")

    def read_polars() -> list:
        return [pl.read_csv(f.read_bytes(), infer_schema=False) for f in files]

    def read_duckdb() -> list:
        return [con.sql("SELECT * FROM read_csv(?, all_varchar = true, header = true)",
                        params=[str(f)]).pl() for f in files]

    register = args.demo / "vestigingen.csv"
    frame, _ = read_csv_bytes(register.read_bytes())
    ids = frame.select(pl.col("vestigingsnummer").str.strip_chars().alias("v"))
    address = frame.select(
        pl.concat_str([pl.col("huisnummer"), pl.col("toevoeging").fill_null("")], separator=" ").alias("a"),
        normalise_postcode(pl.col("postcode")).alias("p"))
    messages = address.select(address_message(pl.col("a"), pl.col("p")).alias("m"))["m"]
    key = b"bench-" + b"k" * 32

    def digits_duckdb() -> pl.Series:
        con.register("t", ids)
        return con.sql(DIGITS_SQL).pl().to_series()

    def address_duckdb() -> pl.Series:
        con.register("t", address)
        return con.sql(ADDRESS_SQL).pl().to_series()

    def hmac_duckdb() -> pl.Series:
        return keys._hmac(key, messages)       # the ETL's own path, row by row as for these messages

    def hmac_python() -> pl.Series:
        return pl.Series([None if m is None else hmac.new(key, m.encode(), hashlib.sha256).hexdigest()
                          for m in messages], dtype=pl.String)

    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} bestanden, {size / 1e6:.0f} MB; Handelsregister {frame.height:,} regels; "
          f"mediaan van {args.runs}, afwisselend")
    compare(f"lezen als tekst ({len(files)} bestanden)", ("polars", read_polars), ("DuckDB", read_duckdb),
            "polars", args.runs)
    compare("cijferregel (vestigingsnummer)",
            ("polars", lambda: ids.select(parse_digits(pl.col("v"), 12)).to_series()), ("DuckDB", digits_duckdb),
            "polars", args.runs)
    compare("adresbericht (Handelsregister)",
            ("polars", lambda: address.select(address_message(pl.col("a"), pl.col("p"))).to_series()),
            ("DuckDB", address_duckdb), "polars", args.runs)
    compare("HMAC-SHA256 van de adresberichten", ("Python", hmac_python), ("DuckDB", hmac_duckdb),
            "DuckDB", args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
