"""Roll the served database back to the previous published version (DESIGN §7).

Publishing keeps the last versions as hard links (etl.publish); rolling back links the
newest kept version to a temporary name and renames it over the served file, so it is as
atomic as a load. The restored version leaves the list, so a second rollback goes one
further back. The rollback is recorded in the load log. It holds the publish lock (no load
publishes in between) and first applies the retention term to the kept versions, so the
version it restores holds no detail past its term.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from dijkwacht import audit, config, state
from etl.publish import _fsync, exclusive, list_versions, purge_versions


class NothingToRollBack(Exception):
    pass


def load_id_of(path: Path) -> str | None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT load_id FROM meta").fetchall()
    finally:
        con.close()
    return rows[0][0] if rows else None


def roll_back(db: Path | None = None, actor: str = "etl", rol: str | None = None) -> str:
    """Put the previous version back; returns its load id. Recorded in the load log and the
    audit log (who did it)."""
    db = Path(db or config.db_path())
    with exclusive(db):
        purge_versions(db)                  # retention first: nothing purged comes back
        versions = list_versions(db)
        if not versions:
            raise NothingToRollBack("er is geen eerdere versie om naar terug te gaan")
        previous = versions[0]
        current_id = load_id_of(db) if db.exists() else None
        restored_id = load_id_of(previous)
        temporary = db.with_name(f".{db.name}.terugdraaien")
        temporary.unlink(missing_ok=True)
        os.link(previous, temporary)
        os.replace(temporary, db)
        _fsync(db.parent)
        previous.unlink()
    now = state.utc_now()
    # unique like a load id: two rollbacks in one second must not collide
    rollback_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-terug-" + uuid.uuid4().hex[:6]
    log = state.connect(config.state_path(db))
    try:
        log.execute("INSERT INTO laadruns (load_id, gestart_op, klaar_op, soort, database, gepubliceerd, status, melding)"
                    " VALUES (?, ?, ?, 'terugdraaien', ?, 1, 'klaar', ?)",
                    [rollback_id, now, now, str(db),
                     f"teruggedraaid van {current_id} naar {restored_id}"])
        audit.record("terugdraaien", actor=actor, rol=rol, herkomst="etl" if actor == "etl" else "app",
                     object=f"{current_id} → {restored_id}", load_id=restored_id, con=log)
    finally:
        log.close()
    return restored_id
