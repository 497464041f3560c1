"""The inbox: files partners drop are loaded once complete, then moved out of the way.

`python -m etl --watch [FOLDER]` polls the inbox. A file is loaded when its size and
modification time have not changed for `SETTLE_SECONDS` (so a half-written file is not
loaded early); afterwards it moves to `verwerkt/` or, when rejected, to `geweigerd/` with a
`.fout.txt` beside it that says in Dutch what was wrong. Raw partner files are deleted from
those folders after the configured term (DESIGN §6, default 30 days).

Nothing here follows a symbolic link (issue 23 item 9): entries are judged by lstat, a link
is refused unread by etl.load.prepare (O_NOFOLLOW), filing away renames the link itself and
sets the link's own time, the `.fout.txt` is created with O_EXCL|O_NOFOLLOW, and the
retention purge unlinks links without looking at their targets.
"""
from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from dijkwacht import config
from etl.advice import next_step
from etl.load import FileReport, UsageError, files_in, run

DONE, REJECTED = "verwerkt", "geweigerd"
SETTLE_SECONDS = 2.0
POLL_SECONDS = 2.0


@dataclass
class Watch:
    """What the watcher has seen: path → (size, mtime_ns, first seen unchanged at)."""
    inbox: Path
    seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def ready(self, now: float | None = None) -> list[Path]:
        """Files whose size and mtime have been stable for SETTLE_SECONDS."""
        now = time.monotonic() if now is None else now
        out, current = [], {}
        for path in files_in([self.inbox]):
            try:
                st = os.lstat(path)           # the entry itself, never a link's target
            except FileNotFoundError:
                continue
            signature = (st.st_size, st.st_mtime_ns)
            previous = self.seen.get(path)
            since = previous[2] if previous and previous[:2] == signature else now
            current[path] = (*signature, since)
            # A link, pipe or device is taken too (to be refused and filed away), whatever its size.
            if (st.st_size > 0 or not stat.S_ISREG(st.st_mode)) and now - since >= SETTLE_SECONDS:
                out.append(path)
        self.seen = current
        return out


class UnsafeFolder(RuntimeError):
    """verwerkt/ or geweigerd/ is not a real folder (e.g. a planted link): nothing is moved."""


def _folder(folder: Path) -> Path:
    """verwerkt/ or geweigerd/, created when missing; a link or a non-folder there is refused."""
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        pass
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeFolder(f"{folder} is geen gewone map (symbolische koppeling?); bestanden worden niet verplaatst")
    return folder


def _target(folder: Path, name: str) -> Path:
    folder = _folder(folder)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    target = folder / f"{stamp}-{name}"
    n = 1
    while os.path.lexists(target):          # never replace what is there
        n += 1
        target = folder / f"{stamp}-{n}-{name}"
    return target


def file_away(path: Path, report: FileReport, inbox: Path) -> Path:
    """Move a handled entry to verwerkt/ or geweigerd/ (with its .fout.txt). A symbolic link
    is moved as the link itself; its target is never opened, moved or touched."""
    rejected = report.status == "rejected"
    target = _target(inbox / (REJECTED if rejected else DONE), path.name)
    os.rename(path, target)                 # same file system: renames the entry, link or not
    # The retention term counts from the moment it was handled: the entry's own time.
    os.utime(target, follow_symlinks=False)
    if rejected:
        _write_new(target.with_name(target.name + ".fout.txt"), error_text(path.name, report))
    return target


def _write_new(path: Path, text: str) -> None:
    """Create `path` (never through a link, never over an existing entry) with `text`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def error_text(name: str, report: FileReport) -> str:
    return (f"Bestand: {name}\n"
            f"Status: geweigerd\n"
            f"Reden: {report.message or 'onbekend'}\n\n"
            f"Er is niets uit dit bestand geladen. Wat nu: {next_step(report.message or '')}\n")


def process(inbox: Path, paths: list[Path], db: Path | None, say: Callable[[str], None]) -> list[FileReport]:
    """Load the ready files in one run and file each away. Into the demo database they
    load as practice deliveries (etl/rehearsal.py): practice files only, with the demo key."""
    from etl.load import served_meta

    meta = served_meta(Path(db or config.db_path()))
    try:
        reports = run(paths, db, progress=say, practice=bool(meta and meta["demo"]))
    except UsageError as exc:      # e.g. no pseudonym key: refuse every file, keep running
        reports = [FileReport(file=str(p)).reject(f"{p.name}: {exc}") for p in paths]
    for path, report in zip(paths, reports):
        if os.path.lexists(path):           # a dangling link is filed away too
            file_away(path, report, inbox)
    return reports


def purge_raw_files(inbox: Path, days: int | None = None, now: float | None = None) -> list[Path]:
    """Delete raw partner files handled more than `days` ago (DESIGN §6)."""
    days = config.gemeente().retentie_ruwe_bestanden_dagen if days is None else days
    cutoff = (time.time() if now is None else now) - days * 86400
    removed = []
    for folder in (inbox / DONE, inbox / REJECTED):
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                continue                    # a link where the folder should be: not followed
        except FileNotFoundError:
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                st = entry.stat(follow_symlinks=False)
                # Files and links (the link is removed, never its target); folders are left alone.
                if (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)) and st.st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def deletion_date(path: Path, days: int | None = None) -> datetime:
    days = config.gemeente().retentie_ruwe_bestanden_dagen if days is None else days
    return datetime.fromtimestamp(os.lstat(path).st_mtime, timezone.utc) + timedelta(days=days)


def watch(inbox: Path | None = None, db: Path | None = None, say: Callable[[str], None] = print,
          stop: Callable[[], bool] = lambda: False) -> None:
    """Poll the inbox until `stop()`; load settled files; purge old raw files hourly."""
    inbox = Path(inbox or config.INBOX_DIR)
    inbox.mkdir(parents=True, exist_ok=True)
    # The operator's folder may be a link (e.g. onto a data disk): resolved once, here. Its
    # entries are never followed (files_in, prepare).
    inbox = Path(os.path.realpath(inbox))
    state, last_purge = Watch(inbox), 0.0
    say(f"inbox bewaakt: {inbox}")
    while not stop():
        ready = state.ready()
        if ready:
            for report in process(inbox, ready, db, say):
                say(f"{Path(report.file).name}: {report.status}"
                    + (f" — {report.message}" if report.message else ""))
        if time.monotonic() - last_purge > 3600:
            for path in purge_raw_files(inbox):
                say(f"bewaartermijn verstreken, verwijderd: {path.name}")
            last_purge = time.monotonic()
        time.sleep(POLL_SECONDS)
