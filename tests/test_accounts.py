"""Local accounts and server-side sessions (dijkwacht/accounts.py), against a real
state.sqlite in a temporary folder and a frozen clock: no test waits a timeout out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dijkwacht import accounts, clock, config, state

START = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
PASSWORD = "correct-horse-battery"


@pytest.fixture
def con(tmp_path):
    clock.set_time(START)
    con = state.connect(tmp_path / "state.sqlite")
    yield con
    con.close()
    clock.reset()


@pytest.fixture
def analist(con):
    accounts.add(con, "Anna", "analist", PASSWORD)
    return "anna"


def test_terms_come_from_gemeente_toml():
    terms = config.sessies()
    assert terms.inactief_minuten == {"bestuur": 30, "analist": 15, "beheerder": 15}
    assert (terms.maximaal_uren, terms.blokkeren_na_pogingen, terms.blokkade_minuten) == (12, 5, 15)


def test_password_stored_only_as_argon2_hash(con, analist, tmp_path):
    row = con.execute("SELECT wachtwoord_hash FROM gebruikers WHERE naam = ?", (analist,)).fetchone()
    assert row[0].startswith("$argon2id$")
    con.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("state.sqlite*"))
    assert PASSWORD.encode() not in raw


def test_verify_names_are_case_insensitive_and_role_returned(con, analist):
    assert accounts.verify(con, "ANNA ", PASSWORD) == "analist"
    assert accounts.verify(con, "anna", PASSWORD + "x") is None


def test_add_refuses_duplicates_short_passwords_bad_roles_and_names(con, analist):
    with pytest.raises(accounts.AccountError, match="bestaat al"):
        accounts.add(con, "anna", "bestuur", PASSWORD)
    with pytest.raises(accounts.AccountError, match="minstens 12"):
        accounts.add(con, "bob", "bestuur", "kort")
    with pytest.raises(accounts.AccountError, match="Onbekende rol"):
        accounts.add(con, "bob", "admin", PASSWORD)
    with pytest.raises(accounts.AccountError, match="Ongeldige gebruikersnaam"):
        accounts.add(con, "b ob';--", "bestuur", PASSWORD)


def test_five_failures_lock_even_the_right_password_for_15_minutes(con, analist):
    for _ in range(4):
        assert accounts.verify(con, analist, "fout-wachtwoord-123") is None
    assert accounts.verify(con, analist, PASSWORD) == "analist"   # 4 failures: no lock, reset
    for _ in range(5):
        assert accounts.verify(con, analist, "fout-wachtwoord-123") is None
    refused = 0
    for minutes in (0, 1, 10, 14):
        clock.set_time(START + timedelta(minutes=minutes))
        refused += accounts.verify(con, analist, PASSWORD) is None
    clock.set_time(START + timedelta(minutes=15, seconds=-1))
    refused += accounts.verify(con, analist, PASSWORD) is None
    assert refused == 5                                            # right password, locked
    assert accounts.list_accounts(con)[0].geblokkeerd_tot is not None
    clock.set_time(START + timedelta(minutes=15, seconds=1))
    assert accounts.verify(con, analist, PASSWORD) == "analist"    # lock over
    assert accounts.list_accounts(con)[0].geblokkeerd_tot is None


def test_guessing_during_the_lock_does_not_extend_it(con, analist):
    for _ in range(5):
        accounts.verify(con, analist, "fout-wachtwoord-123")
    clock.set_time(START + timedelta(minutes=14))
    for _ in range(10):
        accounts.verify(con, analist, "fout-wachtwoord-123")
    clock.set_time(START + timedelta(minutes=15, seconds=1))
    assert accounts.verify(con, analist, PASSWORD) == "analist"


def test_outcome_does_not_tell_whether_a_name_exists(con, analist, monkeypatch):
    """Unknown name, wrong password and locked account: same answer, same argon2 work."""
    calls = []
    real = accounts._hasher
    accounts._dummy_hash()                        # computed once, not part of a check

    class Spy:
        def verify(self, digest, password):
            calls.append(1)
            return real.verify(digest, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_hasher", Spy())
    outcomes = {}
    for label, name in (("onbekend", "niemand"), ("fout", analist)):
        calls.clear()
        outcomes[label] = (accounts.verify(con, name, "fout-wachtwoord-123"), len(calls))
    for _ in range(5):
        accounts.verify(con, analist, "fout-wachtwoord-123")
    calls.clear()
    outcomes["geblokkeerd"] = (accounts.verify(con, analist, PASSWORD), len(calls))
    assert set(outcomes.values()) == {(None, 1)}, outcomes
    # Failed attempts on unknown names leave no trace that would tell them apart.
    assert con.execute("SELECT count(*) FROM gebruikers").fetchone()[0] == 1


def test_session_id_stored_hashed_and_checked(con, analist):
    session_id = accounts.login(con, analist, PASSWORD)
    assert session_id and len(session_id) >= 40
    stored = [r[0] for r in con.execute("SELECT sessie_hash FROM sessies")]
    assert stored and session_id not in stored
    session = accounts.check_session(con, session_id)
    assert (session.naam, session.rol, session.soort) == ("anna", "analist", "lokaal")
    assert accounts.check_session(con, session_id + "x") is None
    assert accounts.check_session(con, None) is None
    assert accounts.login(con, analist, "fout-wachtwoord-123") is None


@pytest.mark.parametrize("rol, idle", [("bestuur", 30), ("analist", 15), ("beheerder", 15)])
def test_idle_timeout_per_role(con, rol, idle):
    accounts.add(con, f"x-{rol}", rol, PASSWORD)
    session_id = accounts.login(con, f"x-{rol}", PASSWORD)
    clock.set_time(START + timedelta(minutes=idle))
    assert accounts.check_session(con, session_id) is not None       # exactly the term: alive
    clock.set_time(START + timedelta(minutes=2 * idle, seconds=1))  # idle term + 1 s since
    assert accounts.check_session(con, session_id) is None
    assert con.execute("SELECT count(*) FROM sessies").fetchone()[0] == 0   # deleted


def test_absolute_timeout_even_when_active(con, analist):
    session_id = accounts.login(con, analist, PASSWORD)
    alive_until = None
    for minutes in range(10, 13 * 60, 10):
        clock.set_time(START + timedelta(minutes=minutes))
        if accounts.check_session(con, session_id) is None:
            break
        alive_until = minutes
    assert alive_until == 12 * 60


def test_logout_invalidates_the_saved_id(con, analist):
    session_id = accounts.login(con, analist, PASSWORD)
    other = accounts.login(con, analist, PASSWORD)
    accounts.end_session(con, session_id)
    assert accounts.check_session(con, session_id) is None
    assert accounts.check_session(con, other) is not None             # only that session


def test_password_change_and_removal_end_sessions(con, analist):
    session_id = accounts.login(con, analist, PASSWORD)
    accounts.set_password(con, analist, "een-heel-nieuw-wachtwoord")
    assert accounts.check_session(con, session_id) is None
    assert accounts.verify(con, analist, PASSWORD) is None
    session_id = accounts.login(con, analist, "een-heel-nieuw-wachtwoord")
    assert accounts.remove(con, analist) is True
    assert accounts.check_session(con, session_id) is None
    assert accounts.remove(con, analist) is False


def test_role_change_applies_to_open_sessions(con, analist):
    session_id = accounts.login(con, analist, PASSWORD)
    con.execute("UPDATE gebruikers SET rol = 'bestuur' WHERE naam = ?", (analist,))
    assert accounts.check_session(con, session_id).rol == "bestuur"
    con.execute("UPDATE gebruikers SET rol = 'superuser' WHERE naam = ?", (analist,))
    assert accounts.check_session(con, session_id) is None             # unknown role: nothing


def test_terms_are_configuration(con, analist, tmp_path, monkeypatch):
    toml = config._config_file().read_text(encoding="utf-8")
    toml = toml.replace("inactief_minuten_analist = 15", "inactief_minuten_analist = 2")
    toml = toml.replace("blokkeren_na_pogingen = 5", "blokkeren_na_pogingen = 2")
    toml = toml.replace('= "geo/', f'= "{config.DATA_DIR}/geo/')
    custom = tmp_path / "gemeente.toml"
    custom.write_text(toml, encoding="utf-8")
    monkeypatch.setenv("DIJKWACHT_GEMEENTE", str(custom))
    session_id = accounts.login(con, analist, PASSWORD)
    clock.set_time(START + timedelta(minutes=2, seconds=1))
    assert accounts.check_session(con, session_id) is None
    for _ in range(2):
        accounts.verify(con, analist, "fout-wachtwoord-123")
    assert accounts.verify(con, analist, PASSWORD) is None


def test_ensure_test_account_for_the_browser_harness(con):
    naam, wachtwoord = accounts.ensure_test_account(con, "bestuur")
    assert accounts.verify(con, naam, wachtwoord) == "bestuur"
    naam2, wachtwoord2 = accounts.ensure_test_account(con, "analist", naam)
    assert naam2 == naam and accounts.verify(con, naam, wachtwoord2) == "analist"
