"""Atomic publication of the served database, and rollback to a kept version (DESIGN §7).

Everything that replaces the served file lives here and goes through one lock,
`exclusive(served)`: a load (etl/load.py holds it from reading the served state to the
rename) and a rollback (`roll_back`, below). So a rollback never interleaves with a load:
it waits for the load's publication, or the load waits for the rollback and builds on the
restored version.

A load builds a new file beside the served one, checkpoints and closes it, fsyncs it
and renames it over the served path. A reader never sees a half-load, and a crash at any
moment leaves the served file as it was. The rename waits for readers that are connecting
(dijkwacht/swap.py: DuckDB opens the path three times per connect). The last few published
versions are kept as hard links for rollback; detail past its retention term is purged from
them at every publication too (etl/retention.py), so a version never brings purged detail
back.

Rolling back links the newest kept version to a temporary name and renames it over the
served file, so it is as atomic as a load. The restored version leaves the list, so a
second rollback goes one further back. It first applies the retention term to the kept
versions (nothing purged comes back) and records itself in the load log and the audit log
before it lets go of the lock.

Public API: exclusive, building, purge_versions,
roll_back, NothingToRollBack, load_id_of.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

from dijkwacht import audit, config, state, swap
from dijkwacht.queries import open_hardened
from etl.versions import (
    SCHEMA_VERSION,
    fsync,
    list_versions,
    next_version_number,
    prune_versions,
    schema_of,
    versions_dir,
)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(config.SCHEMA_SQL.read_text(encoding="utf-8"))


def lock_path(served: Path) -> Path:
    return served.with_name(f".{served.name}.lock")


@contextmanager
def exclusive(served: Path) -> Iterator[None]:
    """One writer at a time per served database, loads and rollbacks alike: two loads that
    both copied the served file would otherwise publish over each other (the later rename
    would lose the earlier load), and a rollback between a load's copy and its rename would
    be undone by it. An flock (on its own open file, so threads of one process exclude each
    other too) is released by the kernel when its holder dies, so a killed ETL never blocks."""
    served.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(served), os.O_RDWR | os.O_CREAT, 0o600)
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
    _rollback_link(served).unlink(missing_ok=True)   # a rollback killed before its rename


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
        fsync(work)
        publish(work, served, load_id)
    except BaseException:
        con.close()
        work.unlink(missing_ok=True)
        Path(str(work) + ".wal").unlink(missing_ok=True)
        raise


def publish(work: Path, served: Path, load_id: str) -> None:
    """Keep the current served file as a version, then rename the new one over it.
    The caller holds `exclusive(served)` (`building` is only used inside it)."""
    versions = versions_dir(served)
    if served.exists():
        versions.mkdir(exist_ok=True)
        target = versions / f"{next_version_number(versions):06d}-{load_id}.duckdb"
        os.link(served, target)
    swap.replace(work, served)
    fsync(served.parent)
    prune_versions(served)
    purge_versions(served)


def purge_versions(served: Path) -> None:
    """The retention term on the kept versions (called under the publish lock). Published is
    published: an unexpected failure here drops the versions rather than failing the load."""
    from etl import retention

    try:
        retention.purge_kept_versions(served)
    except Exception:
        import logging
        logging.getLogger("dijkwacht.etl").exception("bewaartermijn op bewaarde versies mislukt")
        for version in list_versions(served):
            version.unlink(missing_ok=True)


# --- Rollback: the same lock, the same rename ------------------------------------------

class NothingToRollBack(Exception):
    pass


def load_id_of(path: Path) -> str | None:
    # With the app's own settings: in the app process (the Data page's rollback) the served
    # file is already open, and DuckDB refuses a second connection configured differently.
    con = open_hardened(path)
    try:
        rows = con.execute("SELECT load_id FROM meta").fetchall()
    finally:
        con.close()
    return rows[0][0] if rows else None


def _rollback_link(served: Path) -> Path:
    return served.with_name(f".{served.name}.terugdraaien")


def roll_back(db: Path | None = None, actor: str = "etl", role: str | None = None) -> str:
    """Put the previous version back; returns its load id. Recorded in the load log and the
    audit log (who did it). Holds the publish lock throughout, so no load publishes between
    choosing the version and recording the rollback."""
    db = Path(db or config.db_path())
    with exclusive(db):
        purge_versions(db)                  # retention first: nothing purged comes back
        versions = list_versions(db)
        if not versions:
            raise NothingToRollBack("er is geen eerdere versie om naar terug te gaan")
        previous = versions[0]
        current_id = load_id_of(db) if db.exists() else None
        restored_id, schema = load_id_of(previous), schema_of(previous)
        if schema < SCHEMA_VERSION:         # fail closed: its pages would miss tables
            raise NothingToRollBack("de vorige versie is gebouwd door een oudere versie van Dijkwacht "
                                    f"(schemaversie {schema}, nu {SCHEMA_VERSION}) en kan niet terug; "
                                    "laad de bestanden zo nodig opnieuw")
        temporary = _rollback_link(db)
        temporary.unlink(missing_ok=True)
        os.link(previous, temporary)
        swap.replace(temporary, db)
        fsync(db.parent)
        previous.unlink()
        _record_rollback(db, current_id, restored_id, actor, role)
    return restored_id


def _record_rollback(db: Path, current_id: str | None, restored_id: str | None,
                     actor: str, role: str | None) -> None:
    """The rollback's row in the load log and the audit log, written under the publish lock
    so its time lies between the publication it undid and the next one."""
    now = state.utc_now()
    # unique like a load id: two rollbacks in one second must not collide
    rollback_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-terug-" + uuid.uuid4().hex[:6]
    log = state.connect(config.state_path(db))
    try:
        log.execute("INSERT INTO laadruns (load_id, gestart_op, klaar_op, soort, database, gepubliceerd,"
                    " status, melding) VALUES (?, ?, ?, 'terugdraaien', ?, 1, 'klaar', ?)",
                    [rollback_id, now, now, str(db),
                     f"teruggedraaid van {current_id} naar {restored_id}"])
        audit.record("terugdraaien", actor=actor, rol=role, herkomst="etl" if actor == "etl" else "app",
                     object=f"{current_id} → {restored_id}", load_id=restored_id, con=log)
    finally:
        log.close()
