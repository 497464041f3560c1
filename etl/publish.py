"""Atomic publication of the served database (DESIGN §7).

A load builds a new file beside the served one, checkpoints and closes it, fsyncs it
and renames it over the served path. A reader never sees a half-load, and a crash at any
moment leaves the served file as it was. The last few published versions are kept as
hard links for rollback; detail past its retention term is purged from them at every
publication too (etl/retention.py), so a version never brings purged detail back.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from dijkwacht import config

KEEP_VERSIONS = 5


def versions_dir(served: Path) -> Path:
    return served.with_name(served.stem + ".versies")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(config.SCHEMA_SQL.read_text(encoding="utf-8"))


@contextmanager
def exclusive(served: Path) -> Iterator[None]:
    """One load at a time per served database: two loads that both copied the served file
    would otherwise publish over each other (the later rename would lose the earlier load).
    An flock is released by the kernel when its holder dies, so a killed ETL never blocks."""
    served.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(served.with_name(f".{served.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _remove_stale_builds(served)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _remove_stale_builds(served: Path) -> None:
    """Builds left by a load that was killed (only called while holding the lock)."""
    for stale in served.parent.glob(f".{served.name}.*.bouw*"):
        stale.unlink(missing_ok=True)
    for stale in versions_dir(served).glob(".*.bewaartermijn.bouw*"):
        stale.unlink(missing_ok=True)


@contextmanager
def building(served: Path, load_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a copy of the served database (or a new one);
    on success publish it, on any error throw the copy away."""
    served.parent.mkdir(parents=True, exist_ok=True)
    work = served.with_name(f".{served.name}.{load_id}.bouw")
    if served.exists():
        shutil.copyfile(served, work)
    con = duckdb.connect(str(work))
    try:
        if not served.exists():
            create_schema(con)
        yield con
        con.execute("CHECKPOINT")
        con.close()
        _fsync(work)
        publish(work, served, load_id)
    except BaseException:
        con.close()
        work.unlink(missing_ok=True)
        Path(str(work) + ".wal").unlink(missing_ok=True)
        raise


def publish(work: Path, served: Path, load_id: str) -> None:
    """Keep the current served file as a version, then rename the new one over it."""
    versions = versions_dir(served)
    if served.exists():
        versions.mkdir(exist_ok=True)
        target = versions / f"{_next_version_number(versions):06d}-{load_id}.duckdb"
        os.link(served, target)
    os.replace(work, served)
    _fsync(served.parent)
    prune_versions(served)
    purge_versions(served)


def purge_versions(served: Path) -> None:
    """The retention term on the kept versions (called under the publish lock). Published is
    published: an unexpected failure here drops the versions rather than failing the load."""
    from etl import retention

    try:
        retention.purge_kept_versions(served)
    except Exception:  # noqa: BLE001
        import logging
        logging.getLogger("dijkwacht.etl").exception("bewaartermijn op bewaarde versies mislukt")
        for version in list_versions(served):
            version.unlink(missing_ok=True)


def _next_version_number(versions: Path) -> int:
    numbers = [int(p.name.split("-", 1)[0]) for p in versions.glob("*.duckdb") if p.name[:6].isdigit()]
    return max(numbers, default=0) + 1


def list_versions(served: Path) -> list[Path]:
    """Kept versions, newest first."""
    return sorted(versions_dir(served).glob("*.duckdb"), reverse=True)


def prune_versions(served: Path) -> None:
    for old in list_versions(served)[KEEP_VERSIONS:]:
        old.unlink(missing_ok=True)
