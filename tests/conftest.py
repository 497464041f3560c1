"""Shared fixtures: an in-memory database from schema.sql, and the demo database built
once per test session through the real ETL (the same road real partner files take)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dijkwacht import config

ROOT = config.ROOT


@pytest.fixture
def memdb() -> duckdb.DuckDBPyConnection:
    """An empty served database in memory, built from the one schema."""
    con = duckdb.connect(":memory:")
    con.execute(config.SCHEMA_SQL.read_text(encoding="utf-8"))
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo exports loaded by `python -m etl --demo` logic into a fresh database."""
    from etl.load import run

    db = tmp_path_factory.mktemp("demo") / "dijkwacht.duckdb"
    reports = run([config.DEMO_DIR], db, demo=True, progress=lambda _: None)
    assert reports and all(r.status == "loaded" for r in reports), [r.message for r in reports]
    return db


@pytest.fixture(scope="session")
def demo_con(demo_db) -> duckdb.DuckDBPyConnection:
    from dijkwacht.queries import open_hardened

    con = open_hardened(demo_db)   # the app's settings, so AppTests can open the same file
    yield con
    con.close()


@pytest.fixture
def served_demo(demo_db, monkeypatch) -> Path:
    """Point the app (DIJKWACHT_DB) at the demo database for AppTests."""
    monkeypatch.setenv("DIJKWACHT_DB", str(demo_db))
    monkeypatch.setenv("DIJKWACHT_STATE", str(demo_db.with_name("state.sqlite")))
    return demo_db


@pytest.fixture
def app_state(served_demo, tmp_path, monkeypatch) -> Path:
    """Demo data, an empty state database of this test's own, local sign-in, the clock frozen
    at apptest_support.START. Yields the test's tmp_path."""
    from apptest_support import START

    from dijkwacht import clock

    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    monkeypatch.setenv("DIJKWACHT_AANMELDEN", "lokaal")
    clock.set_time(START)
    yield tmp_path
    clock.reset()
