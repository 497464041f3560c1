"""Renaming a database file over another, and connecting to one, never overlap.

DuckDB (2.0.1) opens the path three times in one connect: for the magic bytes, for the
headers and for the blocks (seen with strace). A publication's rename between those opens
hands the connection the headers of one file and the blocks of the other: "Could not read
enough bytes", "No more data remaining in MetadataReader", "field id mismatch" (23 of 1,000
connects while a copy was renamed over the path in a loop; tests/test_swap.py). CI once
failed a reader that way during a load.

So every rename over a database file takes its directory's swap lock exclusively, for the
rename only, and every connect takes it shared, for the connect only: a rename waits for
the connects in progress (milliseconds), a connect waits for one rename. Once connected,
DuckDB reads the file it holds open, whatever is renamed over the path later.

An flock is released by the kernel when its holder dies, so a killed process never blocks
the others. The lock file is empty, made by whoever comes first, and only its owner may open
it (0600, like the publish lock): another local user who could read it could hold it and
stop every connect. The ETL and the dashboard run as one user (deploy/). In a folder it may
not write, a reader opens the lock file that is there, and connects without one only when
none exists: then nothing renames a database there either.
"""
from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOCK_NAME = ".wissel.lock"


def lock_path(db: Path) -> Path:
    return Path(db).parent / LOCK_NAME


@contextmanager
def _held(db: Path, operation: int) -> Iterator[None]:
    fd = _open(lock_path(db))
    if fd is None:                      # nobody renames here through this module
        yield
        return
    try:
        fcntl.flock(fd, operation)
        yield
    finally:
        os.close(fd)                    # releases the lock


class LockRefused(OSError):
    """The lock path is not a plain file of ours (a planted symbolic link): fail closed."""


def _open(path: Path) -> int | None:
    # O_NOFOLLOW: a symbolic link planted at the lock path would otherwise make every reader
    # create (and lock) whatever file it points to.
    try:
        return os.open(path, os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:              # a read-only directory or file system, or none at all
        if exc.errno == errno.ELOOP:
            raise LockRefused(f"{path} is een symbolische koppeling; verwijder die") from None
        try:
            return os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return None


def replace(source: Path, db: Path) -> None:
    """os.replace(source, db), never while a connect to `db` is opening it."""
    with _held(db, fcntl.LOCK_EX):
        os.replace(source, db)


@contextmanager
def connecting(db: Path) -> Iterator[None]:
    """Around a connect to `db`: no rename over it until the connect has returned."""
    with _held(db, fcntl.LOCK_SH):
        yield
