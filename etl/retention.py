"""Retention of detail (DESIGN §6): detail rows older than the configured term are purged at
load; what was published stays reproducible from yearly aggregates kept in the served DB.

`[bewaartermijnen] detail_dagen` in gemeente.toml (config.gemeente().retentie_detail_dagen);
0 = off (the default: the municipality sets the term with its archivist; the demo has none).

Before any row of a year is purged, that year's aggregates per source and wijk are frozen in
`jaaraggregaten` from the still complete detail: the count, and the amount where the source
has one. A frozen year is never recomputed (later purges would make it incomplete).
Called inside the load's build (etl/load.py), on the new copy, before publication: a failed
load purges nothing in the served file.
"""
from __future__ import annotations

from datetime import date, timedelta

import duckdb

from dijkwacht import config

# table → (date column, amount column or None). Fixed identifiers, never user input.
RETAINED: dict[str, tuple[str, str | None]] = {
    "hennepkwekerijen": ("datum_ontmanteling", "aantal_planten"),
    "verdachte_transacties": ("datum", "bedrag"),
    "signalen": ("ontvangen_op", None),
    "controles": ("datum", "bedrag_dwangsom"),
    "eigendommen": ("peildatum", None),
}

# To be moved into dijkwacht/schema.sql (the served schema's one source of truth).
AGGREGATES_DDL = """
CREATE TABLE IF NOT EXISTS jaaraggregaten (
    bron        VARCHAR NOT NULL,
    jaar        INTEGER NOT NULL,
    wijkcode    VARCHAR NOT NULL,       -- 'onbekend' for rows without a known buurt
    aantal      BIGINT NOT NULL,
    bedrag      DOUBLE,                 -- planten (hennep), euro (transacties, dwangsommen)
    bevroren_op DATE NOT NULL,
    PRIMARY KEY (bron, jaar, wijkcode)
)
"""


def cutoff(days: int, today: date | None = None) -> date | None:
    """Rows dated before this day are purged; None when retention is off."""
    if days <= 0:
        return None
    return (today or date.today()) - timedelta(days=days)


def keep_aggregates(con: duckdb.DuckDBPyConnection, table: str, before: date, today: date) -> int:
    """Freeze the yearly aggregates per wijk of every not yet frozen year that has rows
    before `before`. Returns the number of aggregate rows written."""
    column, amount = RETAINED[table]
    has_wijk = table != "eigendommen"
    wijk = "coalesce(b.wijkcode, 'onbekend')" if has_wijk else "'onbekend'"
    join = "LEFT JOIN buurten b ON b.buurtcode = t.buurtcode" if has_wijk else ""
    years_sql = (f"SELECT DISTINCT CAST(year({column}) AS INTEGER) FROM {table} "
                 f"WHERE {column} < ? AND CAST(year({column}) AS INTEGER) NOT IN "
                 f"(SELECT jaar FROM jaaraggregaten WHERE bron = ?)")
    years = [r[0] for r in con.execute(years_sql, [before, table]).fetchall()]
    if not years:
        return 0
    insert_sql = (
        f"INSERT INTO jaaraggregaten "
        f"SELECT ?, CAST(year(t.{column}) AS INTEGER), {wijk}, count(*), "
        f"{f'sum(CAST(t.{amount} AS DOUBLE))' if amount else 'NULL'}, ? "
        f"FROM {table} t {join} WHERE list_contains(?, CAST(year(t.{column}) AS INTEGER)) "
        f"GROUP BY ALL")
    before_count = con.execute("SELECT count(*) FROM jaaraggregaten").fetchall()[0][0]
    con.execute(insert_sql, [table, today, years])
    return con.execute("SELECT count(*) FROM jaaraggregaten").fetchall()[0][0] - before_count


def purge_detail(con: duckdb.DuckDBPyConnection, table: str, before: date) -> int:
    column, _ = RETAINED[table]
    n = con.execute(f"SELECT count(*) FROM {table} WHERE {column} < ?", [before]).fetchall()[0][0]
    if n:
        con.execute(f"DELETE FROM {table} WHERE {column} < ?", [before])
    return int(n)


def apply(con: duckdb.DuckDBPyConnection, days: int | None = None,
          today: date | None = None) -> dict[str, int]:
    """Freeze aggregates, then purge detail older than the term. {table: rows purged};
    empty when retention is off."""
    days = config.gemeente().retentie_detail_dagen if days is None else int(days)
    today = today or date.today()
    before = cutoff(days, today)
    con.execute(AGGREGATES_DDL)
    if before is None:
        return {}
    purged = {}
    for table in RETAINED:
        keep_aggregates(con, table, before, today)
        purged[table] = purge_detail(con, table, before)
    return purged
