"""Readers the ETL tests share: the quarantine a load wrote, and plain SQL on a built database."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb


def quarantine(db: Path) -> list[tuple]:
    """(line, column, rule, value) of every quarantine row beside the database."""
    con = sqlite3.connect(db.with_name("state.sqlite"))
    try:
        return con.execute("SELECT regel, kolom, regel_fout, waarde FROM quarantaine ORDER BY regel, kolom").fetchall()
    finally:
        con.close()


def table(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
