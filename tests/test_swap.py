"""A rename over a database file never falls inside a reader's connect (dijkwacht/swap.py).

Without the swap lock, 23 of 1,000 connects failed or read a mix of two files while another
process renamed fresh copies over the path in a loop; this test's 400 reads then pass by
chance about once in 10,000 runs.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest

from dijkwacht import queries, swap

SMALL, LARGE = 1_000, 300_000      # the large one's copy takes long enough to race with


def make(path: Path, rows: int) -> tuple[int, int]:
    con = duckdb.connect(str(path))
    con.execute(f"CREATE TABLE t AS SELECT range AS i, repeat('x', 50) AS s FROM range({rows})")
    con.execute("CHECKPOINT")
    con.close()
    return rows, rows * (rows - 1) // 2


# As a load publishes: a fresh copy (a new inode) renamed over the served path, until the
# stop file exists. A child of its own (not multiprocessing's spawn, which re-runs whatever
# __main__ an earlier AppTest left behind: a page).
PUBLISHER = textwrap.dedent("""
    import shutil, sys
    from pathlib import Path
    from dijkwacht import swap
    small, large, served, stop = sys.argv[1:]
    k = 0
    while not Path(stop).exists():
        shutil.copyfile((small, large)[k % 2], served + ".bouw")
        swap.replace(Path(served + ".bouw"), Path(served))
        k += 1
    print(k)
""")


@pytest.mark.slow
def test_readers_connecting_while_copies_are_renamed_over_the_path_see_one_whole_file(tmp_path):
    small, large = tmp_path / "klein.duckdb", tmp_path / "groot.duckdb"
    whole = {make(small, SMALL), make(large, LARGE)}
    served = tmp_path / "dijkwacht.duckdb"
    shutil.copyfile(small, served)
    stop = tmp_path / "stop"
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(small), str(large), str(served), str(stop)],
                                 stdout=subprocess.PIPE, text=True)
    seen, failed = set(), []
    try:
        for _ in range(400):
            try:
                con = queries.open_hardened(served)
                try:
                    seen.add(con.execute("SELECT count(*), sum(i) FROM t").fetchall()[0])
                finally:
                    con.close()
            except duckdb.Error as exc:
                failed.append(f"{type(exc).__name__}: {exc}"[:160])
    finally:
        stop.touch()
        published = publisher.communicate(timeout=60)[0]
    assert publisher.returncode == 0 and int(published) > 2, f"the publisher stopped: {published!r}"
    assert failed == [], f"{len(failed)} of 400 reads failed, e.g. {failed[:3]}"
    assert seen <= whole, f"a read saw a mix of two files: {seen - whole}"
    assert seen == whole, "the loop never published the other file: the test raced nothing"


def test_a_connect_waits_for_a_rename_in_progress_and_a_rename_for_a_connect(tmp_path):
    served = tmp_path / "dijkwacht.duckdb"
    make(served, 10)
    fd = os.open(swap.lock_path(served), os.O_RDONLY | os.O_CREAT)   # a rename, held
    fcntl.flock(fd, fcntl.LOCK_EX)
    connected = threading.Event()

    def read() -> None:
        queries.open_hardened(served).close()
        connected.set()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert not connected.wait(0.5), "connected while a rename held the swap lock"
    finally:
        os.close(fd)
    assert connected.wait(30)
    reader.join()

    with swap.connecting(served):                           # a connect in progress
        renamed = threading.Event()
        new = tmp_path / "nieuw.duckdb"
        make(new, 20)
        renamer = threading.Thread(target=lambda: (swap.replace(new, served), renamed.set()))
        renamer.start()
        assert not renamed.wait(0.5), "renamed over the path while a reader was connecting"
    assert renamed.wait(30)
    renamer.join()
    con = queries.open_hardened(served)
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(20,)]
    con.close()


def test_a_reader_in_a_directory_it_may_not_write_connects_without_a_lock_file(tmp_path, monkeypatch):
    served = tmp_path / "dijkwacht.duckdb"
    make(served, 5)
    real_open = os.open

    def read_only_dir(path, flags, *args):
        if Path(path) == swap.lock_path(served) and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only_dir)
    con = queries.open_hardened(served)
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(5,)]
    con.close()
    assert not swap.lock_path(served).exists()


def test_the_lock_file_is_the_owners_alone(tmp_path):
    """Anyone who may open it may hold it, and stop every connect."""
    served = tmp_path / "dijkwacht.duckdb"
    make(served, 1)
    queries.open_hardened(served).close()
    assert stat.S_IMODE(os.stat(swap.lock_path(served)).st_mode) == 0o600


def test_a_symbolic_link_at_the_lock_path_is_refused_and_nothing_is_made_where_it_points(tmp_path):
    served = tmp_path / "db" / "dijkwacht.duckdb"
    served.parent.mkdir()
    make(served, 1)
    target = tmp_path / "elders.txt"
    os.symlink(target, swap.lock_path(served))
    with pytest.raises(swap.LockRefused, match="symbolische koppeling"):
        queries.open_hardened(served)
    with pytest.raises(swap.LockRefused):
        swap.replace(served, served)
    assert not target.exists()
