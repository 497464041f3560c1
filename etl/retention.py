"""Retention of detail (DESIGN §6): detail rows older than the configured term are purged at
load; what was published stays reproducible from yearly aggregates kept in the served DB.

`[bewaartermijnen] detail_dagen` in gemeente.toml (config.gemeente().retentie_detail_dagen);
0 = off (the default: the municipality sets the term with its archivist; the demo has none).

Before any row of a year is purged, that year's aggregates per source and wijk are frozen in
`jaaraggregaten` from the still complete detail: the count, and the amount where the source
has one. A frozen year is never recomputed (later purges would make it incomplete).
Called inside the load's build (etl/load.py), on the new copy, before publication: a failed
load purges nothing in the served file.

The kept versions (etl/publish.py, the last five, for rollback) would otherwise hold the
purged detail for five more loads, and a rollback would serve it again. So every publication
and every rollback, under the publish lock, purges the same detail (same term, same day)
from each kept version that still has some: a copy is purged, its fact table and Koppelingen
tables (etl/linkage_tables.py) rebuilt, and renamed over the version (a reader with the old
file open keeps its view until it closes).
A version that cannot be purged is removed: retention goes before rollback.

Not every source is purged (`Source.retained`): the Handelsregister extract (vestigingen) is
a state of a public register, not a record of events. Its date, datum_inschrijving, says
when a business registered, so a purge by it would delete long-established vestigingen that
are still active and leave the co-location and location quotients wrong. Each extract
replaces its rows per vestigingsnummer; what it keeps is what the register keeps.
"""
from __future__ import annotations

import logging
import os
import shutil
import stat
from datetime import date, timedelta
from pathlib import Path

import duckdb

from dijkwacht import config, swap
from dijkwacht.sources import SOURCES
from etl.facts import build_facts
from etl.linkage_tables import build_linkage
from etl.protection import build_protection
from etl.versions import fsync, list_versions
from etl.week_list import build_week_list

_LOG = logging.getLogger("dijkwacht.etl")

# table → (date column, amount column or None), from the source registry. Fixed
# identifiers, never user input.
RETAINED: dict[str, tuple[str, str | None]] = {
    s.name: (s.date_column, s.amount_column) for s in SOURCES.values() if s.retained}

# The aggregates' table, jaaraggregaten, is defined in dijkwacht/schema.sql.


def cutoff(days: int, today: date | None = None) -> date | None:
    """Rows dated before this day are purged; None when retention is off."""
    if days <= 0:
        return None
    return (today or date.today()) - timedelta(days=days)


def keep_aggregates(con: duckdb.DuckDBPyConnection, table: str, before: date, today: date) -> int:
    """Freeze the yearly aggregates per wijk of every not yet frozen year that has rows
    before `before`. Returns the number of aggregate rows written."""
    column, amount = RETAINED[table]
    has_wijk = SOURCES[table].has_buurt
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
    if before is None:
        return {}
    purged = {}
    for table in RETAINED:
        keep_aggregates(con, table, before, today)
        purged[table] = purge_detail(con, table, before)
    return purged


def _has_detail_before(path: Path, before: date) -> bool:
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table, (column, _) in RETAINED.items():
            if con.execute(f"SELECT count(*) FROM {table} WHERE {column} < ?", [before]).fetchall()[0][0]:
                return True
        return False
    finally:
        con.close()


def _purge_copy(version: Path, days: int, today: date) -> int:
    """Purge a copy of `version` and rename it over the version; returns rows purged."""

    work = version.with_name(f".{version.name}.bewaartermijn.bouw")
    work.unlink(missing_ok=True)
    before = os.stat(version)
    shutil.copyfile(version, work)
    try:
        con = duckdb.connect(str(work))
        try:
            purged = apply(con, days, today)
            build_facts(con)            # the fact table holds day totals of the purged rows
            build_protection(con)       # so the protection of its cells is found again
            build_linkage(con)          # and the Koppelingen tables their records
            build_week_list(con)        # and the work list its items
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.chmod(work, stat.S_IMODE(before.st_mode))
        os.utime(work, ns=(before.st_atime_ns, before.st_mtime_ns))   # "bewaard sinds" stays
        fsync(work)
        swap.replace(work, version)
        fsync(version.parent)
    except BaseException:
        work.unlink(missing_ok=True)
        Path(str(work) + ".wal").unlink(missing_ok=True)
        raise
    return sum(purged.values())


def purge_kept_versions(served: Path, days: int | None = None,
                        today: date | None = None) -> dict[str, int]:
    """Apply the term to every kept version of `served` (caller holds the publish lock).
    {version name: rows purged}; -1 for a version removed because it could not be purged."""

    days = config.gemeente().retentie_detail_dagen if days is None else int(days)
    today = today or date.today()
    before = cutoff(days, today)
    if before is None:
        return {}
    out: dict[str, int] = {}
    for version in list_versions(served):
        try:
            if _has_detail_before(version, before):
                out[version.name] = _purge_copy(version, days, today)
        except Exception:  # noqa: BLE001 — fail closed: a version we cannot purge is not kept
            _LOG.exception("bewaartermijn: versie %s niet op te schonen; verwijderd", version.name)
            version.unlink(missing_ok=True)
            out[version.name] = -1
    return out
