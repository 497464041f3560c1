"""The inbox: files partners drop are loaded once complete, then moved out of the way.

`python -m etl --watch [FOLDER]` polls the inbox. A file is loaded when its size and
modification time have not changed for `SETTLE_SECONDS` (so a half-written file is not
loaded early); afterwards it moves to `verwerkt/` or, when rejected, to `geweigerd/` with a
`.fout.txt` beside it that says in Dutch what was wrong. Raw partner files are deleted from
those folders after the configured term (DESIGN §6, default 30 days).
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from dijkwacht import config
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
                st = path.stat()
            except FileNotFoundError:
                continue
            signature = (st.st_size, st.st_mtime_ns)
            previous = self.seen.get(path)
            since = previous[2] if previous and previous[:2] == signature else now
            current[path] = (*signature, since)
            if st.st_size > 0 and now - since >= SETTLE_SECONDS:
                out.append(path)
        self.seen = current
        return out


def _target(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return folder / f"{stamp}-{name}"


def file_away(path: Path, report: FileReport, inbox: Path) -> Path:
    """Move a handled file to verwerkt/ or geweigerd/ (with its .fout.txt)."""
    rejected = report.status == "rejected"
    target = _target(inbox / (REJECTED if rejected else DONE), path.name)
    shutil.move(str(path), target)
    os.utime(target)  # the retention term counts from the moment it was handled
    if rejected:
        target.with_name(target.name + ".fout.txt").write_text(error_text(path.name, report), encoding="utf-8")
    return target


def error_text(name: str, report: FileReport) -> str:
    return (f"Bestand: {name}\n"
            f"Status: geweigerd\n"
            f"Reden: {report.message or 'onbekend'}\n\n"
            "Er is niets uit dit bestand geladen. Pas het bestand aan volgens het sjabloon "
            "(Data-pagina → sjablonen) en lever het opnieuw aan.\n")


def process(inbox: Path, paths: list[Path], db: Path | None, say: Callable[[str], None]) -> list[FileReport]:
    """Load the ready files in one run and file each away."""
    try:
        reports = run(paths, db, progress=say)
    except UsageError as exc:      # e.g. no pseudonym key: refuse every file, keep running
        reports = [FileReport(file=str(p)).reject(f"{p.name}: {exc}") for p in paths]
    for path, report in zip(paths, reports):
        if path.exists():
            file_away(path, report, inbox)
    return reports


def purge_raw_files(inbox: Path, days: int | None = None, now: float | None = None) -> list[Path]:
    """Delete raw partner files handled more than `days` ago (DESIGN §6)."""
    days = config.gemeente().retentie_ruwe_bestanden_dagen if days is None else days
    cutoff = (time.time() if now is None else now) - days * 86400
    removed = []
    for folder in (inbox / DONE, inbox / REJECTED):
        for path in folder.glob("*") if folder.exists() else []:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
    return removed


def deletion_date(path: Path, days: int | None = None) -> datetime:
    days = config.gemeente().retentie_ruwe_bestanden_dagen if days is None else days
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) + timedelta(days=days)


def watch(inbox: Path | None = None, db: Path | None = None, say: Callable[[str], None] = print,
          stop: Callable[[], bool] = lambda: False) -> None:
    """Poll the inbox until `stop()`; load settled files; purge old raw files hourly."""
    inbox = Path(inbox or config.INBOX_DIR)
    inbox.mkdir(parents=True, exist_ok=True)
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
