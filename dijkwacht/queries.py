"""Read access to the served database: one query per .sql file, parameters always bound.

The ETL replaces the served file by renaming a new one over it; an open connection keeps
reading the file it opened. So a connection is kept per version of the file (its identity
is checked on every query) and a new one is opened when the file changed (DESIGN §7).
Connections are read-only with external access off and the configuration locked, so no
query can read or write other files, attach databases or install extensions.
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from dijkwacht import config, swap

# With external access off DuckDB still allows its own temp directory (<db>.tmp/, listed in
# `allowed_directories`), so once it existed `COPY … TO '<db>.tmp/x.csv'` wrote there (issue
# 23 item 11). The served database is read-only and small: spilling is off (no temp
# directory, 0 bytes allowed), which also empties `allowed_directories`; a query that would
# need to spill fails instead of writing.
HARDENED = {"enable_external_access": False, "lock_configuration": True,
            "autoinstall_known_extensions": False, "autoload_known_extensions": False,
            "temp_directory": "", "max_temp_directory_size": "0KiB"}


class NoDatabase(Exception):
    """The served database does not exist (yet)."""


@lru_cache(maxsize=None)
def sql(name: str) -> str:
    """The text of dijkwacht/sql/<name>.sql."""
    return (config.SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def open_hardened(path: Path) -> duckdb.DuckDBPyConnection:
    with swap.connecting(path):         # a publication's rename mid-connect mixes two files
        return duckdb.connect(str(path), read_only=True, config=HARDENED)


class Served:
    """The served database, reopened when the ETL has published a new version."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._identity: tuple | None = None
        self._con: duckdb.DuckDBPyConnection | None = None

    def identity(self) -> tuple:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise NoDatabase(str(self.path)) from None
        return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        identity = self.identity()
        with self._lock:
            if identity != self._identity or self._con is None:
                # DuckDB keeps one database instance per path in a process: while any
                # connection to the old file lives, connecting again returns that old
                # instance (the replaced file). So the old connection is closed first; a
                # query still running on it fails once and is retried (query()).
                if self._con is not None:
                    self._con.close()
                self._con = open_hardened(self.path)
                self._identity = identity
            return self._con.cursor()

    def query(self, name: str, **params) -> pl.DataFrame:
        """Run dijkwacht/sql/<name>.sql with bound $parameters; returns a polars frame."""
        for attempt in (1, 2):
            cur = self._cursor()
            try:
                return cur.sql(sql(name), params=params or None).pl()
            except duckdb.ConnectionException:
                if attempt == 2:           # not a swap: a real problem
                    raise
            finally:
                cur.close()

    def version(self) -> str:
        """Changes whenever a new database is published (used as part of cache keys)."""
        return ":".join(map(str, self.identity()))


class OnConnection:
    """The same `.query` over an open connection (tests, the ETL's build, documents)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def query(self, name: str, **params) -> pl.DataFrame:
        return self.con.sql(sql(name), params=params or None).pl()


_served: dict[Path, Served] = {}
_served_lock = threading.Lock()


def served(path: Path | None = None) -> Served:
    path = Path(path or config.db_path()).resolve()
    with _served_lock:
        if path not in _served:
            _served[path] = Served(path)
        return _served[path]
