"""Local accounts and server-side sessions (dijkwacht/accounts.py), against a real
state.sqlite in a temporary folder and a frozen clock: no test waits a timeout out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dijkwacht import accounts, clock, config, state

START = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """argon2id with the cheapest parameters: these tests count attempts, not hashing cost."""
    from argon2 import PasswordHasher
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


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
    for weak in ("aaaaaaaaaaaa", "wachtwoord12", "Welkom2026!!", "qwertyuiop12", "bob-bob-bob-bob"):
        with pytest.raises(accounts.AccountError, match="te makkelijk te raden"):
            accounts.add(con, "bob", "bestuur", weak)
    with pytest.raises(accounts.AccountError, match="Onbekende rol"):
        accounts.add(con, "bob", "admin", PASSWORD)
    with pytest.raises(accounts.AccountError, match="Ongeldige gebruikersnaam"):
        accounts.add(con, "b ob';--", "bestuur", PASSWORD)


def test_five_failures_from_one_client_make_it_wait_with_doubling_waits(con, analist):
    client = "198.51.100.4"
    for _ in range(4):
        assert accounts.verify(con, analist, "fout-wachtwoord-123", client) is None
    assert accounts.verify(con, analist, PASSWORD, client) == "analist"   # 4 failures: reset
    for _ in range(5):
        assert accounts.verify(con, analist, "fout-wachtwoord-123", client) is None
    # Each further failure after a wait doubles the next wait, up to blokkade_minuten (15).
    waits = []
    moment = START
    for _ in range(6):
        minutes = 0
        while accounts.verify(con, analist, PASSWORD, client) is None:   # right password waits
            minutes += 1
            clock.set_time(moment + timedelta(minutes=minutes, seconds=1))
        waits.append(minutes)
        # A fresh run of failures after a sign-in starts from the first wait again, so fail
        # up to the limit and one past each earlier wait.
        for _ in range(5 + len(waits)):
            clock.advance(timedelta(minutes=20))
            accounts.verify(con, analist, "fout-wachtwoord-123", client)
        moment = clock.now()
    assert waits == [1, 2, 4, 8, 15, 15]


def test_guessing_during_a_wait_neither_extends_nor_counts(con, analist):
    client = "198.51.100.4"
    for _ in range(5):
        accounts.verify(con, analist, "fout-wachtwoord-123", client)
    clock.set_time(START + timedelta(seconds=50))
    for _ in range(10):
        accounts.verify(con, analist, "fout-wachtwoord-123", client)
    clock.set_time(START + timedelta(minutes=1, seconds=1))
    assert accounts.verify(con, analist, PASSWORD, client) == "analist"


def test_a_stranger_cannot_lock_out_an_account_from_its_familiar_client(con, analist):
    """The hard per-account lock let anyone who knew a name keep its owner out. Now the
    failures of other clients slow only those clients (and unfamiliar ones together)."""
    own = "192.0.2.10"
    assert accounts.verify(con, analist, PASSWORD, own) == "analist"      # familiar from now on
    refused = 0
    for minute in range(0, 120, 2):
        clock.set_time(START + timedelta(minutes=minute))
        for attacker in ("203.0.113.7", *(f"203.0.113.{i}" for i in range(20, 26))):
            accounts.verify(con, analist, f"gok-{minute}-{attacker}", attacker)
        refused += accounts.verify(con, analist, PASSWORD, own) is None
    assert refused == 0
    # Strangers did get slowed down: the attacker's own right guess waits, and so does any
    # client the account never signed in from (listed as such).
    assert accounts.verify(con, analist, PASSWORD, "203.0.113.7") is None
    assert accounts.verify(con, analist, PASSWORD, "203.0.113.99") is None
    assert accounts.list_accounts(con)[0].geblokkeerd_tot is not None
    assert accounts.release(con, analist) is True                         # the CLI's vrijgeven
    assert accounts.verify(con, analist, PASSWORD, "203.0.113.99") == "analist"


def test_one_client_trying_many_names_is_slowed_down(con, analist):
    sprayer = "203.0.113.50"
    for i in range(4 * 5):
        accounts.verify(con, f"naam{i}", "Zomer2026!", sprayer)
    assert accounts.verify(con, analist, PASSWORD, sprayer) is None        # this client waits
    assert accounts.verify(con, analist, PASSWORD, "192.0.2.11") == "analist"   # others do not


def test_throttle_stores_no_typed_name_or_address(con, analist, tmp_path):
    accounts.verify(con, "mijn-geheime-wachtwoord", "x", "203.0.113.77")
    accounts.verify(con, analist, PASSWORD, "192.0.2.12")
    con.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("state.sqlite*"))
    for secret in (b"mijn-geheime-wachtwoord", b"203.0.113.77", b"192.0.2.12"):
        assert secret not in raw


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
    assert (session.name, session.role, session.kind) == ("anna", "analist", "lokaal")
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
    assert accounts.check_session(con, session_id).role == "bestuur"
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


def test_sign_ins_at_once_do_not_multiply_argon2_memory():
    """Ten verifications at the same moment (ten users signing in) hold at most HASH_SLOTS
    × 64 MiB, not ten times it (issue 17: 640 MiB on top of the server's caches). Measured
    in a fresh interpreter, with the real parameters; without the bound it grows ~580 MB."""
    import subprocess
    import sys

    code = """
import threading
from dijkwacht import accounts
def hwm():
    return next(int(l.split()[1]) // 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
before = hwm()                  # before any argon2 work: the hash below holds 64 MiB too
digest = accounts._hasher.hash("een-lang-wachtwoord")
threads = [threading.Thread(target=accounts._hasher.verify, args=(digest, "een-lang-wachtwoord"))
           for _ in range(10)]
[t.start() for t in threads]
[t.join() for t in threads]
print(hwm() - before)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True)
    grown_mb = int(run.stdout.split()[-1])
    assert grown_mb <= accounts.HASH_SLOTS * 64 + 16, grown_mb
