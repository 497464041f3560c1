"""The app's read access: a replaced database is seen at once, in the same process."""
from __future__ import annotations

import os

import duckdb

from dijkwacht import queries


def build(path, rows: int) -> None:
    tmp = path.with_name(path.name + ".nieuw")
    con = duckdb.connect(str(tmp))
    con.execute("CREATE TABLE meta AS SELECT 1 AS schema_versie, true AS demo, 'GM0505' AS gemeente_code, "
                "'X' AS gemeente_naam, ? AS load_id, now()::TIMESTAMP AS gebouwd_op, DATE '2026-10-30' AS stand_per",
                [f"load-{rows}"])
    con.execute("CHECKPOINT")
    con.close()
    os.replace(tmp, path)


def test_a_replaced_file_is_read_by_the_next_query(tmp_path):
    """DuckDB keeps one instance per path per process: a connection kept open to the old
    file would make every new connect read the old file forever (STACK-NOTES)."""
    db = tmp_path / "dijkwacht.duckdb"
    build(db, 1)
    served = queries.Served(db)
    assert served.query("meta")["load_id"].to_list() == ["load-1"]
    for n in range(2, 6):
        build(db, n)
        assert served.query("meta")["load_id"].to_list() == [f"load-{n}"]


def test_the_connection_refuses_files_and_settings(tmp_path):
    db = tmp_path / "dijkwacht.duckdb"
    build(db, 1)
    con = queries.open_hardened(db)
    for statement in ("SELECT * FROM read_csv('/etc/passwd')", "SET enable_external_access = true"):
        try:
            con.execute(statement)
        except duckdb.Error:
            continue
        raise AssertionError(f"allowed: {statement}")
