"""The app's writable state database (SQLite, WAL): one connection helper for all writers."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from dijkwacht import config


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def connect(path: Path | None = None) -> sqlite3.Connection:
    path = Path(path or config.state_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA busy_timeout=30000")
    con.execute("PRAGMA foreign_keys=ON")
    con.executescript(config.STATE_SQL.read_text(encoding="utf-8"))
    return con


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def opened(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """The state database (config.state_path() unless given), closed when done: the one way
    the app and the CLIs open it for a short read or write."""
    from dijkwacht import config
    con = connect(path or config.state_path())
    try:
        yield con
    finally:
        con.close()
