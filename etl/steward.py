"""The data steward's operations (Data page): load runs, files, quarantine, inbox, versions,
upload previews. They belong to the ETL (they read its state and run its steps); the page
reaches them only through the data gateway (dijkwacht/app/data.py), which checks the role.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import stat
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from dijkwacht import config, state
from etl.read import ACCEPTED_SUFFIXES as UPLOAD_SUFFIXES  # defined once, in etl.read

STATE_SQL_DIR = config.SQL_DIR / "state"
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


def quarantine(load_id: str | None = None, limit: int = 10_000) -> pl.DataFrame:
    return _state_query("quarantaine", load_id=load_id, limiet=limit)


def load_files(load_id: str | None = None, limit: int = 200) -> pl.DataFrame:
    """The files of one load run (or of the latest runs) with status and message."""
    return _state_query("laadbestanden", load_id=load_id, limiet=limit)


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
    from etl.versions import list_versions

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


# --- Uploads (Data page) -----------------------------------------------------------------
# An upload is previewed from one private folder beside the state database (mode 700):
# written once per upload, under its SHA-256, removed as soon as the preview is done; the
# page keeps the preview's outcome, so a rerun writes nothing. Accepting writes the bytes
# straight into the inbox (atomically, under a hidden name the watcher skips). Anything left
# by a crash is swept at start-up (the first use in a process) and at logout.
STAGING_NAME = ".upload-staging"
_PROCESS_STARTED = time.time()
_swept_at_start = False


@dataclass(frozen=True)
class UploadPreview:
    """What the page shows and keeps for one upload (no file, no keyed rows)."""
    sha256: str
    name: str                 # the safe name it would get in the inbox
    refusal: str | None       # Dutch reason the file would be refused, or None
    source: str | None = None
    rows_in: int = 0
    loaded: int = 0
    quarantined: int = 0
    errors: pl.DataFrame | None = None
    again: bool = False       # a passing refusal: the page asks again on its next run


class StagingUnsafe(Exception):
    """The staging folder is not a private directory of ours (a link, other owner, ...)."""


def staging_dir(create: bool = True) -> Path:
    """The private staging folder; created with mode 700. Fails closed when the path is a
    symlink or not a directory owned by this user."""
    global _swept_at_start
    folder = config.state_path().parent / STAGING_NAME
    if create:
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return folder
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise StagingUnsafe(str(folder))
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)
    if not _swept_at_start:
        _swept_at_start = True
        _sweep(folder, before=_PROCESS_STARTED)   # leftovers of an earlier process
    return folder


def _sweep(folder: Path, before: float) -> int:
    removed = 0
    for entry in list(folder.iterdir()) if folder.is_dir() else []:
        try:
            if os.lstat(entry).st_mtime <= before:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def sweep_uploads(older_than_seconds: float = 0.0) -> int:
    """Remove staged upload copies (at start-up and logout). A preview reads its copy once,
    at its start, so removing a copy under a running preview does no harm."""
    folder = staging_dir(create=False)
    return _sweep(folder, before=time.time() - older_than_seconds) if folder.is_dir() else 0


def rehearsing() -> bool:
    """The served database is the demo: uploads are practice (etl/rehearsal.py)."""
    from etl.load import served_meta

    meta = served_meta(config.db_path())
    return bool(meta and meta.get("demo"))


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def preview_bytes(name: str, data: bytes) -> UploadPreview:
    """Preview an upload: refused before anything is written when this database takes no
    partner files; otherwise one private copy, removed as soon as the preview is done."""
    digest = hashlib.sha256(data).hexdigest()
    safe = safe_upload_name(name)
    refusal = check_upload(name, len(data))
    if refusal:
        return UploadPreview(digest, safe, refusal)
    folder = staging_dir() / digest
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        return UploadPreview(digest, safe, "Dit bestand wordt op dit moment al bekeken; probeer het zo opnieuw.",
                             again=True)
    try:
        staged = folder / safe
        _write_private(staged, data)
        prepared, refusal = preview_upload(staged)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if refusal:
        return UploadPreview(digest, safe, refusal)
    report = prepared.report
    return UploadPreview(digest, safe, None, report.source, report.rows_in, report.loaded,
                         report.quarantined, prepared.errors)


def preview_upload(path: Path):
    """What would load and what would be quarantined, without publishing anything.

    Keyed with a throwaway key: the preview shows counts and broken rules only, never keyed
    values, so the dashboard needs no pseudonym key (only the inbox watcher has it). On the
    demo the preview is the practice delivery's: practice files only, the demo's key."""
    from etl.load import Prepared, prepare, served_meta
    from etl.reference import valid_buurtcodes

    meta = served_meta(config.db_path())
    practice = bool(meta and meta.get("demo"))
    key = config.DEMO_KEY if practice else secrets.token_urlsafe(48).encode()
    outcome = prepare(path, key, valid_buurtcodes(), None, set(meta["files"]) if meta else set(),
                      demo=practice, practice=practice)
    if isinstance(outcome, Prepared):
        return outcome, None
    return None, outcome.message


def accept_upload(name: str, data: bytes, previewed_sha256: str, inbox: Path | None = None) -> Path:
    """Put a previewed upload in the inbox, where the watcher loads it: the same bytes as
    previewed (checked by hash), written under a hidden name the watcher skips, then renamed
    into place, so the watcher never sees half a file. No copy stays anywhere else."""
    if hashlib.sha256(data).hexdigest() != previewed_sha256:
        raise ValueError("het bestand is veranderd sinds het voorbeeld")
    inbox = Path(inbox or config.INBOX_DIR)
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / safe_upload_name(name)
    partial = inbox / f".{target.name}.{secrets.token_hex(8)}.upload"
    try:
        _write_private(partial, data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    fd = os.open(inbox, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return target
