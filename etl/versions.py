"""The kept versions of the served database, beside it in <name>.versies/: listing, pruning,
and the fsync every rename needs. Shared by publishing (etl/publish.py) and by the retention
purge of kept versions (etl/retention.py)."""
from __future__ import annotations

import os
from pathlib import Path

KEEP_VERSIONS = 5
# The served database's layout (meta.schema_versie). 2: bronstand.eerste_datum;
# 3: the Koppelingen tables and the bestuur protection built at load (etl/linkage_tables.py,
# etl/protection.py); 4: the source table vestigingen (issue 19), added to an older database
# at its next load by `add_missing_tables`; 5: the work list stored at load (etl/week_list.py).
SCHEMA_VERSION = 5


def add_missing_tables(con) -> list[str]:
    """Create every source table of dijkwacht/schema.sql that the database lacks (a database
    built before the source existed), from the same CREATE TABLE text a new database gets.
    Returns the tables created. Only whole tables are added here; a new column of an existing
    table is appended where it is first needed (as bronstand.eerste_datum in etl/load.py)."""
    import re

    from dijkwacht import config
    from dijkwacht.sources import SOURCES

    schema = config.SCHEMA_SQL.read_text(encoding="utf-8")
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    created = []
    for name in SOURCES:
        if name in present:
            continue
        found = re.search(rf"^CREATE TABLE {name} \(.*?^\);", schema, flags=re.S | re.M)
        if found is None:
            raise RuntimeError(f"schema.sql has no table {name}")
        con.execute(found.group(0))
        created.append(name)
    return created


def versions_dir(served: Path) -> Path:
    return served.with_name(served.stem + ".versies")


def fsync(path: Path) -> None:
    """fsync a file, or a directory after a rename in it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def next_version_number(versions: Path) -> int:
    numbers = [int(p.name.split("-", 1)[0]) for p in versions.glob("*.duckdb") if p.name[:6].isdigit()]
    return max(numbers, default=0) + 1


def list_versions(served: Path) -> list[Path]:
    """Kept versions, newest first."""
    return sorted(versions_dir(served).glob("*.duckdb"), reverse=True)


def prune_versions(served: Path) -> None:
    for old in list_versions(served)[KEEP_VERSIONS:]:
        old.unlink(missing_ok=True)


def schema_of(db: Path) -> int:
    """The schema version a database file was built with (0: none recorded)."""
    from dijkwacht.queries import open_hardened
    con = open_hardened(db)
    try:
        rows = con.execute("SELECT schema_versie FROM meta").fetchall()
    finally:
        con.close()
    return (rows[0][0] or 0) if rows else 0


if __name__ == "__main__":      # `python -m etl.versions DB`: exit 0 when DB is up to date (make run)
    import sys
    sys.exit(0 if Path(sys.argv[1]).exists() and schema_of(Path(sys.argv[1])) >= SCHEMA_VERSION else 1)
