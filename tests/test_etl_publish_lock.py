"""Publishing and rolling back take one lock (etl.publish.exclusive; DESIGN §7).

A load holds the lock from reading the served state to renaming its build over the served
file; a rollback holds it from choosing the version to recording itself. Were they not
serialised, a rollback in the middle of a load would be undone by the load's rename (the
load copied the served file before the rollback), or would restore a version while a load
publishes over it.

Both critical sections call etl.retention.purge_kept_versions while holding the lock (a
publication after its rename, a rollback before choosing the version). The tests hook it to
record who is inside and to hold one side there, then start the other side and check that
it waits. A rollback without the lock fails every test here.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dijkwacht import config
from etl import publish, retention
from etl.load import run
from etl.publish import roll_back

KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"  # strong enough for a real load
HEADER = "registratienummer;datum_ontmanteling;buurtcode;aantal_planten\n"
WAIT = 1.0        # how long the other side gets to (wrongly) get in; it needs milliseconds
TIMEOUT = 60


def grow_sites(path: Path, n: int, start: int) -> Path:
    rows = "".join(f"H-{i};03-02-2026;BU05050202;100\n" for i in range(start, start + n))
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def load(db: Path, name: str, n: int, start: int) -> None:
    reports = run([grow_sites(db.parent / name, n, start)], db, key=KEY, progress=lambda _: None)
    assert [r.status for r in reports] == ["loaded"]


def served(db: Path) -> tuple[str, int]:
    """(load id, grow sites) of a database file; opening it proves it is a whole database."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        (load_id,) = con.execute("SELECT load_id FROM meta").fetchone()
        (rows,) = con.execute("SELECT count(*) FROM hennepkwekerijen").fetchone()
    finally:
        con.close()
    return load_id, rows


def assert_clean(db: Path) -> None:
    """No half-built file, no rollback link left beside the served database."""
    leftovers = [p.name for p in db.parent.glob(f".{db.name}.*") if p != publish.lock_path(db)]
    assert leftovers == []


@pytest.fixture
def two_loads(tmp_path):
    """A served database (second load, 7 sites) with one kept version (first load, 2 sites)."""
    db = tmp_path / "dijkwacht.duckdb"
    load(db, "hennepkwekerijen_1.csv", 2, 1)
    first = served(db)
    load(db, "hennepkwekerijen_2.csv", 5, 10)
    second = served(db)
    assert first[1] == 2 and second[1] == 7
    return db, first, second


class CriticalSections:
    """Records, in order, who enters and leaves the locked part of a publication or a
    rollback, and holds the thread named `hold` inside until `release` is set."""

    def __init__(self, monkeypatch, hold: str):
        self.events: list[tuple] = []
        self.hold = hold
        self.inside = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        original = retention.purge_kept_versions

        def recorded(db, *args, **kwargs):
            who = threading.current_thread().name
            with self._lock:
                self.events.append((who, "in", served(db)[0]))   # under the lock: safe to read
            if who == self.hold:
                self.inside.set()
                assert self.release.wait(TIMEOUT), "never released"
            try:
                return original(db, *args, **kwargs)
            finally:
                with self._lock:
                    self.events.append((who, "out"))

        monkeypatch.setattr(retention, "purge_kept_versions", recorded)

    def entered(self, who: str) -> bool:
        with self._lock:
            return any(e[0] == who for e in self.events)


def start(name: str, target, errors: list) -> threading.Thread:
    def body():
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 — reported by the test
            errors.append((name, exc))
    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread


def test_a_rollback_waits_for_a_publication_in_progress(two_loads, monkeypatch):
    db, first, second = two_loads
    sections = CriticalSections(monkeypatch, hold="load")
    errors: list = []

    loading = start("load", lambda: load(db, "hennepkwekerijen_3.csv", 3, 20), errors)
    assert sections.inside.wait(TIMEOUT), errors
    third = served(db)                  # renamed over the served file; the lock is still held
    assert third[1] == 10

    rolling = start("rollback", lambda: roll_back(db), errors)
    time.sleep(WAIT)
    assert not sections.entered("rollback"), "the rollback ran while a publication held the lock"
    assert rolling.is_alive()
    assert served(db) == third

    sections.release.set()
    loading.join(TIMEOUT)
    rolling.join(TIMEOUT)
    assert not loading.is_alive() and not rolling.is_alive()
    assert errors == []
    assert sections.events == [("load", "in", third[0]), ("load", "out"),
                               ("rollback", "in", third[0]), ("rollback", "out")]
    # the rollback undid the load it waited for: the second load's version is served again
    assert served(db) == second
    assert [served(v) for v in publish.list_versions(db)] == [first]
    assert_clean(db)
    log = sqlite3.connect(db.with_name("state.sqlite"))
    try:
        (message,) = log.execute("SELECT melding FROM laadruns WHERE soort = 'terugdraaien'").fetchone()
    finally:
        log.close()
    assert message == f"teruggedraaid van {third[0]} naar {second[0]}"


def test_a_load_waits_for_a_rollback_in_progress_and_builds_on_the_restored_version(two_loads, monkeypatch):
    db, first, second = two_loads
    sections = CriticalSections(monkeypatch, hold="rollback")
    errors: list = []

    rolling = start("rollback", lambda: roll_back(db), errors)
    assert sections.inside.wait(TIMEOUT), errors
    loading = start("load", lambda: load(db, "hennepkwekerijen_3.csv", 3, 20), errors)
    time.sleep(WAIT)
    assert not sections.entered("load"), "a load published while a rollback held the lock"
    assert loading.is_alive()
    assert served(db) == second                    # the rollback has not renamed yet

    sections.release.set()
    rolling.join(TIMEOUT)
    loading.join(TIMEOUT)
    assert not loading.is_alive() and not rolling.is_alive()
    assert errors == []
    assert [e[:2] for e in sections.events] == [("rollback", "in"), ("rollback", "out"),
                                                ("load", "in"), ("load", "out")]
    # the load read the served file after the rollback: first load's 2 sites + 3 new ones,
    # not the rolled-back 7 + 3 (which would silently undo the rollback)
    load_id, rows = served(db)
    assert rows == 5 and load_id not in (first[0], second[0])
    assert [served(v) for v in publish.list_versions(db)] == [first]
    assert_clean(db)


def test_the_command_line_rollback_waits_for_a_lock_held_by_another_process(two_loads):
    """The deployment case: the app or the inbox watcher in one process, `python -m etl
    --terugdraaien` in another. The lock is a file lock, so it holds across processes."""
    db, first, second = two_loads
    env = {**os.environ, config.KEY_ENV: KEY.decode(), "DIJKWACHT_STATE": str(db.with_name("state.sqlite"))}
    with publish.exclusive(db):
        proc = subprocess.Popen([sys.executable, "-m", "etl", "--terugdraaien", "--db", str(db)],
                                cwd=config.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            time.sleep(WAIT + 2)            # room for the interpreter to start and import
            assert proc.poll() is None, f"rolled back under another process's lock: {proc.communicate()}"
            assert served(db) == second
        except BaseException:
            proc.kill()
            raise
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    assert first[0] in out
    assert served(db) == first
    assert publish.list_versions(db) == []
    assert_clean(db)
