"""python -m dijkwacht.gebruikers: Dutch messages, exit codes 0/1/2, passwords never kept."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from dijkwacht import accounts, config, gebruikers, state


def cli(state_file, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    # No served database beside the state (as on a fresh install), whatever data/ holds.
    env = dict(os.environ, DIJKWACHT_DB=str(state_file.with_name("geen.duckdb")))
    return subprocess.run(
        [sys.executable, "-m", "dijkwacht.gebruikers", "--state", str(state_file), *args],
        input=stdin, capture_output=True, text=True, cwd=config.ROOT, timeout=120, env=env)


@pytest.fixture
def state_file(tmp_path):
    return tmp_path / "state.sqlite"


def test_demo_creates_one_account_per_role_once(state_file):
    first = cli(state_file, "demo")
    assert first.returncode == 0, first.stderr
    shown = dict(re.findall(r"^\s+(\S+-demo)\s+rol \S+\s+wachtwoord: (\S+)$", first.stdout, re.M))
    assert sorted(shown) == ["analist-demo", "beheerder-demo", "bestuur-demo"]
    con = state.connect(state_file)
    try:
        for naam, wachtwoord in shown.items():
            assert accounts.verify(con, naam, wachtwoord) == naam.removesuffix("-demo")
        con.execute("PRAGMA wal_checkpoint(FULL)")
    finally:
        con.close()
    raw = b"".join(p.read_bytes() for p in state_file.parent.glob("state.sqlite*"))
    assert not [w for w in shown.values() if w.encode() in raw]      # never stored in clear

    again = cli(state_file, "demo")
    assert again.returncode == 0
    assert "wachtwoord:" not in again.stdout and "bestaan al" in again.stdout
    assert not [w for w in shown.values() if w in again.stdout + again.stderr]


def test_add_list_password_remove(state_file):
    added = cli(state_file, "toevoegen", "Piet", "--rol", "analist", "--wachtwoord-stdin",
                stdin="een-lang-wachtwoord\n")
    assert added.returncode == 0 and "toegevoegd" in added.stdout
    assert "een-lang-wachtwoord" not in added.stdout + added.stderr

    dup = cli(state_file, "toevoegen", "piet", "--rol", "bestuur", "--wachtwoord-stdin",
              stdin="een-lang-wachtwoord\n")
    assert dup.returncode == 1 and "bestaat al" in dup.stderr

    listed = cli(state_file, "lijst")
    assert listed.returncode == 0 and re.search(r"^piet\s+analist", listed.stdout, re.M)

    short = cli(state_file, "wachtwoord", "piet", "--wachtwoord-stdin", stdin="kort\n")
    assert short.returncode == 1 and "minstens 12" in short.stderr
    changed = cli(state_file, "wachtwoord", "piet", "--wachtwoord-stdin",
                  stdin="nog-een-lang-wachtwoord\n")
    assert changed.returncode == 0
    con = state.connect(state_file)
    try:
        assert accounts.verify(con, "piet", "nog-een-lang-wachtwoord") == "analist"
    finally:
        con.close()

    assert cli(state_file, "verwijderen", "piet").returncode == 0
    gone = cli(state_file, "verwijderen", "piet")
    assert gone.returncode == 1 and "bestaat niet" in gone.stderr
    assert "nog geen gebruikers" in cli(state_file, "lijst").stdout


@pytest.mark.parametrize("args", [
    ("toevoegen", "piet"),                          # --rol missing
    ("toevoegen", "piet", "--rol", "admin"),        # unknown role
    ("onzin",),
    (),
])
def test_wrong_usage_exits_2_in_dutch(state_file, args):
    result = cli(state_file, *args)
    assert result.returncode == 2
    assert "Fout: verkeerd gebruik" in result.stderr


def test_password_prompt_asks_twice(state_file, monkeypatch, capsys):
    answers = iter(["een-lang-wachtwoord", "een-ander-wachtwoord"])
    monkeypatch.setattr(gebruikers.getpass, "getpass", lambda prompt: next(answers))
    code = gebruikers.main(["--state", str(state_file), "toevoegen", "jan", "--rol", "bestuur"])
    assert code == 1 and "niet gelijk" in capsys.readouterr().err
    answers = iter(["een-lang-wachtwoord"] * 2)
    code = gebruikers.main(["--state", str(state_file), "toevoegen", "jan", "--rol", "bestuur"])
    out = capsys.readouterr()
    assert code == 0 and "een-lang-wachtwoord" not in out.out + out.err


def test_demo_accounts_only_beside_a_demo_database(state_file, tmp_path, demo_db):
    """`demo` beside a database with real data creates nothing; beside the demo it does."""
    import duckdb
    real = tmp_path / "echt.duckdb"
    con = duckdb.connect(str(real))
    con.execute(config.SCHEMA_SQL.read_text(encoding="utf-8"))
    con.execute("INSERT INTO meta VALUES (1, false, 'GM0505', 'Dordrecht', 'x', 'l', now(), NULL)")
    con.close()
    for db, made in ((real, False), (demo_db, True)):
        result = subprocess.run(
            [sys.executable, "-m", "dijkwacht.gebruikers", "--state", str(state_file), "demo"],
            capture_output=True, text=True, cwd=config.ROOT, timeout=120,
            env=dict(os.environ, DIJKWACHT_DB=str(db)))
        assert result.returncode == 0, result.stderr
        assert ("wachtwoord:" in result.stdout) is made
        assert ("echte gegevens" in result.stdout) is not made


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "wachtwoord12", "Dordrecht2026!"])
def test_common_and_repetitive_passwords_are_refused(state_file, weak):
    """Issue 23 item 10: these were accepted (only the length was checked)."""
    added = cli(state_file, "toevoegen", "burgemeester", "--rol", "bestuur", "--wachtwoord-stdin",
                stdin=weak + "\n")
    assert added.returncode == 1 and "te makkelijk te raden" in added.stderr
    assert weak not in added.stdout + added.stderr
    assert "nog geen gebruikers" in cli(state_file, "lijst").stdout


@pytest.mark.slow    # 20 real password checks (argon2) and three CLI processes
def test_list_shows_a_wait_and_vrijgeven_lifts_it(state_file):
    assert cli(state_file, "toevoegen", "piet", "--rol", "analist", "--wachtwoord-stdin",
               stdin="een-lang-wachtwoord\n").returncode == 0
    con = state.connect(state_file)
    try:
        for i in range(4 * 5):                      # strangers: the account-wide limit
            accounts.verify(con, "piet", "fout-wachtwoord-123", f"203.0.113.{i}")
    finally:
        con.close()
    assert re.search(r"^piet\s+analist.*vertraagd tot", cli(state_file, "lijst").stdout, re.M)
    freed = cli(state_file, "vrijgeven", "piet")
    assert freed.returncode == 0 and "opgeheven" in freed.stdout
    assert "vertraagd" not in cli(state_file, "lijst").stdout
    assert cli(state_file, "vrijgeven", "niemand").returncode == 1
