"""The fact table `feiten` of the measure registry (dijkwacht/measures.py): counts and sums per
measure, theme, buurt and day, built from the loaded rows (dijkwacht/sql/build/feiten.sql) in
every new database before it is published, and again after retention purges a kept version."""
from __future__ import annotations

import duckdb

from dijkwacht import config

FACTS_SQL = config.SQL_DIR / "build" / "feiten.sql"


def build_facts(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the fact table from the loaded rows, the facilitating branches' facts included
    (issue 19; nothing without a `vestigingen` table)."""
    from dijkwacht import branche_figures

    con.execute(FACTS_SQL.read_text(encoding="utf-8"))
    branche_figures.build_facts(con)
