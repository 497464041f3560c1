"""What the data steward sees (Data page): load runs, files, quarantine, inbox, versions.

Pure functions over the state database and the file system; the page reaches them through
dijkwacht/data.py, which checks the role.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from dijkwacht import config, state

STATE_SQL_DIR = config.SQL_DIR / "state"
UPLOAD_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
UPLOAD_MAX_BYTES = 50 * 1024 * 1024


def _state_query(name: str, **params) -> pl.DataFrame:
    con = state.connect(config.state_path())
    try:
        cursor = con.execute((STATE_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"), params)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    return pl.DataFrame([tuple(r) for r in rows], schema=columns, orient="row", infer_schema_length=None)


def load_runs(limit: int = 50) -> pl.DataFrame:
    return _state_query("laadruns", limiet=limit)


def load_files(limit: int = 200) -> pl.DataFrame:
    return _state_query("laadbestanden", limiet=limit)


def quarantine(load_id: str | None = None, limit: int = 10_000) -> pl.DataFrame:
    return _state_query("quarantaine", load_id=load_id, limiet=limit)


def inbox_files(inbox: Path | None = None) -> pl.DataFrame:
    """Raw files waiting or handled, with the date each will be deleted."""
    from etl.inbox import DONE, REJECTED, deletion_date

    inbox = Path(inbox or config.INBOX_DIR)
    rows = []
    for folder, label in ((inbox, "wacht"), (inbox / DONE, "verwerkt"), (inbox / REJECTED, "geweigerd")):
        for path in sorted(folder.glob("*")) if folder.exists() else []:
            if path.is_file() and not path.name.startswith("."):
                rows.append({"map": label, "bestand": path.name, "grootte_kb": round(path.stat().st_size / 1024, 1),
                             "verwijderd_op": None if label == "wacht" else deletion_date(path).date()})
    return pl.DataFrame(rows, schema={"map": pl.String, "bestand": pl.String, "grootte_kb": pl.Float64,
                                      "verwijderd_op": pl.Date})


def versions() -> list[dict]:
    from etl.publish import list_versions

    return [{"versie": p.name, "bewaard_sinds": datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)}
            for p in list_versions(config.db_path())]


def safe_upload_name(name: str) -> str:
    """A file name that cannot escape the inbox or hide: letters, digits, . _ - only."""
    base = Path(name.replace("\\", "/")).name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._-")[:120]
    return stem or "upload.csv"


def check_upload(name: str, size: int) -> str | None:
    """A Dutch reason to refuse an upload, or None."""
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        return f"{name}: alleen {', '.join(UPLOAD_SUFFIXES)} worden geaccepteerd"
    if size > UPLOAD_MAX_BYTES:
        return f"{name}: te groot ({size // (1024 * 1024)} MB; maximaal {UPLOAD_MAX_BYTES // (1024 * 1024)} MB)"
    if size == 0:
        return f"{name}: het bestand is leeg"
    return None


def preview_upload(path: Path):
    """What would load and what would be quarantined, without publishing anything."""
    from etl.load import Prepared, prepare, served_meta
    from etl.reference import valid_buurtcodes

    meta = served_meta(config.db_path())
    if meta and meta.get("demo"):
        return None, "Dit is een demodatabase: echte partnerbestanden worden hier geweigerd."
    key = config.pseudonym_key()
    if key is None:
        return None, "Er is geen pseudoniemsleutel ingesteld; zonder sleutel wordt niets geladen."
    outcome = prepare(path, key, valid_buurtcodes(), None, set(meta["files"]) if meta else set())
    if isinstance(outcome, Prepared):
        return outcome, None
    return None, outcome.message


def accept_upload(path: Path, inbox: Path | None = None) -> Path:
    """Move a previewed upload into the inbox, where the watcher loads it."""
    inbox = Path(inbox or config.INBOX_DIR)
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / path.name
    path.replace(target)
    return target
