"""Crash safety and concurrent reading of the served database (DESIGN §7).

- The ETL (`python -m etl`, a real process) is SIGKILLed at seeded random moments; after
  every kill the served file opens and holds exactly the last complete load.
- 20 loads are published while another process queries continuously, a fresh read-only
  connection per query, opened as the app opens it (`queries.open_hardened`; a bare connect
  can meet a rename mid-connect, tests/test_swap.py); every load changes two tables
  consistently, so a read that saw a mix of versions would break the invariant.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from dijkwacht import config
from etl.load import run

pytestmark = pytest.mark.slow

KEY = "EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"  # strong enough for a real load (etl key rule)
ROWS = 1000


def _file(folder: Path, k: int) -> Path:
    """Delivery k: ROWS new grow sites (keys never seen before)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"hennepkwekerijen_{k:03d}.csv"
    lines = ["registratienummer;datum_ontmanteling;adres;postcode;aantal_planten;locatietype"]
    lines += [f"HK-{k}-{i};{1 + i % 28}-{1 + i % 12}-2024;Voorstraat {i};3311XC;{i % 900};woning"
              for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _state(db: Path) -> tuple[str, int, int, set[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        load_id = con.execute("SELECT load_id FROM meta").fetchall()[0][0]
        files = con.execute("SELECT count(*) FROM bestanden").fetchall()[0][0]
        rows = con.execute("SELECT count(*) FROM hennepkwekerijen").fetchall()[0][0]
        ids = {r[0] for r in con.execute("SELECT load_id FROM bestanden").fetchall()}
    finally:
        con.close()
    return load_id, files, rows, ids


def test_sigkill_at_random_moments_leaves_the_last_complete_load(tmp_path):
    rng = random.Random(20261128)
    db = tmp_path / "db" / "dijkwacht.duckdb"
    inbox = tmp_path / "in"
    run([_file(inbox, 0)], db, key=KEY.encode(), progress=lambda _: None)
    env = {**os.environ, config.KEY_ENV: KEY}
    env.pop("DIJKWACHT_STATE", None)

    # How long one complete load takes here, to spread the kills over all of it.
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "etl", str(_file(inbox, 1)), "--db", str(db), "--json"],
                   cwd=config.ROOT, env=env, capture_output=True, timeout=120, check=True)
    duration = time.monotonic() - start
    files_done = 2

    tried = survived = killed_mid_run = 0
    for k in range(2, 22):
        path = _file(inbox, k)
        proc = subprocess.Popen([sys.executable, "-m", "etl", str(path), "--db", str(db), "--json"],
                                cwd=config.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2 * duration, 1.1 * duration))
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=60)
        tried += 1
        killed_mid_run += code == -signal.SIGKILL
        load_id, files, rows, ids = _state(db)          # the served file opens
        assert files in (files_done, files_done + 1), (k, files, files_done)
        assert rows == files * ROWS                     # exactly a complete state, never half
        assert load_id in ids
        files_done = files
        survived += 1
    print(f"\nkill test: {survived}/{tried} kills survived ({killed_mid_run} killed mid-run, "
          f"{files_done - 2} loads completed before their kill)")
    assert tried >= 20 and survived == tried
    assert killed_mid_run >= 10
    # A later load still works and cleans up what the killed ones left behind.
    (report,) = run([_file(inbox, 99)], db, key=KEY.encode(), progress=lambda _: None)
    assert report.status == "loaded"
    assert not list(db.parent.glob(f".{db.name}.*.bouw*"))


READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from dijkwacht.queries import open_hardened
    db, stop = Path(sys.argv[1]), Path(sys.argv[2])
    reads = failures = mixed = 0
    versions = set()
    errors = []
    while not stop.exists():
        try:
            con = open_hardened(db)      # as the app connects: under the swap lock
            try:
                a, c, f, load_id, latest = con.execute(
                    "SELECT (SELECT count(*) FROM activiteiten), (SELECT count(*) FROM controles),"
                    " (SELECT count(*) FROM bestanden), (SELECT load_id FROM meta),"
                    " (SELECT load_id FROM bestanden ORDER BY geladen_op DESC LIMIT 1)").fetchall()[0]
            finally:
                con.close()
            reads += 1
            versions.add(load_id)
            if not (a == c and 2 * a == 5 * f and load_id == latest):
                mixed += 1
        except Exception as exc:
            failures += 1
            errors.append(repr(exc)[:200])
    print(json.dumps({"reads": reads, "failures": failures, "mixed": mixed, "versions": len(versions),
                      "errors": errors[:5]}))
""")


def test_readers_never_fail_or_see_a_mix_during_20_publications(tmp_path):
    db = tmp_path / "db" / "dijkwacht.duckdb"
    folder = tmp_path / "in"
    folder.mkdir()

    def delivery(k: int) -> list[Path]:
        a = folder / f"activiteiten_{k:03d}.csv"
        a.write_text("datum;titel;pijler\n" + "".join(f"01-02-2024;titel {k}-{i};1\n" for i in range(5)))
        c = folder / f"controles_{k:03d}.csv"
        c.write_text("controlenummer;datum;soort\n" + "".join(f"C-{k}-{i};01-02-2024;bibob-toets\n" for i in range(5)))
        return [a, c]

    run(delivery(0), db, key=KEY.encode(), progress=lambda _: None)
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)   # the reader is running
        for k in range(1, 21):
            reports = run(delivery(k), db, key=KEY.encode(), progress=lambda _: None)
            assert [r.status for r in reports] == ["loaded", "loaded"]
    finally:
        time.sleep(0.3)
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    result = json.loads(out)
    print(f"\nconcurrency: {result['failures']} reads failed / {result['reads']} reads done, "
          f"{result['mixed']} mixed, {result['versions']} versions seen")
    assert result["failures"] == 0, result["errors"]
    assert result["mixed"] == 0
    assert result["reads"] >= 50 and result["versions"] >= 5
