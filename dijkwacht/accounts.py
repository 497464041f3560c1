"""Local accounts and server-side sessions in the state database (DESIGN §6–7).

Pure Python, no Streamlit: the login form, the CLI and the tests share it.

- Passwords are stored only as argon2id hashes. `verify` answers with the role or None and
  never says why: an unknown name, a wrong password and a locked account look the same
  (an unknown name still costs one argon2 verification, so timing does not tell either).
- After `blokkeren_na_pogingen` failed attempts in a row an account is locked for
  `blokkade_minuten`; while locked even the right password is refused.
- A session id is a random token; only its SHA-256 is stored. A session ends after its
  role's idle term or after `maximaal_uren`, whichever comes first, and on logout.
- All times come from `dijkwacht.clock`, all terms from `config.sessies()`.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dijkwacht import access, clock, config, state

MIN_PASSWORD_LENGTH = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_hasher = PasswordHasher()


class AccountError(Exception):
    """A refused account operation; the message is Dutch and safe to show."""


@dataclass(frozen=True)
class Account:
    naam: str
    rol: str
    geblokkeerd_tot: str | None
    aangemaakt_op: str


@dataclass(frozen=True)
class Session:
    naam: str
    rol: str
    soort: str                 # lokaal | oidc
    aangemaakt_op: datetime
    laatst_gezien_op: datetime


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def normalize_name(naam: str) -> str:
    return (naam or "").strip().lower()


def _check_name(naam: str) -> str:
    naam = normalize_name(naam)
    if not _NAME.match(naam):
        raise AccountError(
            "Ongeldige gebruikersnaam: 2 tot 64 tekens, kleine letters, cijfers en . _ @ -")
    return naam


def _check_role(rol: str) -> str:
    if rol not in access.ROLES:
        raise AccountError(f"Onbekende rol. Kies uit: {', '.join(access.ROLES)}.")
    return rol


def _check_password(wachtwoord: str) -> str:
    if len(wachtwoord or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn.")
    return wachtwoord


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against for unknown or locked names, so they take as long."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _burn(wachtwoord: str) -> None:
    try:
        _hasher.verify(_dummy_hash(), wachtwoord or "")
    except VerificationError:
        pass


# --- accounts --------------------------------------------------------------------------

def add(con: sqlite3.Connection, naam: str, rol: str, wachtwoord: str) -> str:
    naam, rol = _check_name(naam), _check_role(rol)
    digest = _hasher.hash(_check_password(wachtwoord))
    stamp = _iso(clock.now())
    try:
        with state.transaction(con):
            con.execute(
                "INSERT INTO gebruikers (naam, rol, wachtwoord_hash, aangemaakt_op, gewijzigd_op)"
                " VALUES (?, ?, ?, ?, ?)", (naam, rol, digest, stamp, stamp))
    except sqlite3.IntegrityError:
        raise AccountError(f"Gebruiker {naam} bestaat al.") from None
    return naam


def remove(con: sqlite3.Connection, naam: str) -> bool:
    """Removes the account and ends its sessions. False when there was no such account."""
    naam = normalize_name(naam)
    with state.transaction(con):
        con.execute("DELETE FROM sessies WHERE soort = 'lokaal' AND naam = ?", (naam,))
        return con.execute("DELETE FROM gebruikers WHERE naam = ?", (naam,)).rowcount > 0


def list_accounts(con: sqlite3.Connection) -> list[Account]:
    rows = con.execute(
        "SELECT naam, rol, geblokkeerd_tot, aangemaakt_op FROM gebruikers ORDER BY naam")
    now = clock.now()
    return [Account(r["naam"], r["rol"],
                    r["geblokkeerd_tot"] if _locked(r["geblokkeerd_tot"], now) else None,
                    r["aangemaakt_op"]) for r in rows]


def exists(con: sqlite3.Connection, naam: str) -> bool:
    return con.execute("SELECT 1 FROM gebruikers WHERE naam = ?",
                       (normalize_name(naam),)).fetchone() is not None


def set_password(con: sqlite3.Connection, naam: str, wachtwoord: str) -> None:
    """New password, lock lifted, and every open session of the account ended."""
    naam = normalize_name(naam)
    digest = _hasher.hash(_check_password(wachtwoord))
    with state.transaction(con):
        changed = con.execute(
            "UPDATE gebruikers SET wachtwoord_hash = ?, mislukt = 0, geblokkeerd_tot = NULL,"
            " gewijzigd_op = ? WHERE naam = ?", (digest, _iso(clock.now()), naam)).rowcount
        if not changed:
            raise AccountError(f"Gebruiker {naam} bestaat niet.")
        con.execute("DELETE FROM sessies WHERE soort = 'lokaal' AND naam = ?", (naam,))


def _locked(until: str | None, now: datetime) -> bool:
    return until is not None and datetime.fromisoformat(until) > now


def verify(con: sqlite3.Connection, naam: str, wachtwoord: str) -> str | None:
    """The account's role when name and password match and it is not locked; else None."""
    naam = normalize_name(naam)
    row = con.execute("SELECT rol, wachtwoord_hash, geblokkeerd_tot FROM gebruikers WHERE naam = ?",
                      (naam,)).fetchone()
    now = clock.now()
    if row is None or _locked(row["geblokkeerd_tot"], now):
        # Same work as a real check; a locked account's counter is not touched, so
        # guessing during the lock neither extends nor shortens it.
        _burn(wachtwoord)
        return None
    try:
        _hasher.verify(row["wachtwoord_hash"], wachtwoord or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        _record_failure(con, naam, now)
        return None
    with state.transaction(con):
        params: tuple = (naam,)
        sql = "UPDATE gebruikers SET mislukt = 0, geblokkeerd_tot = NULL WHERE naam = ?"
        if _hasher.check_needs_rehash(row["wachtwoord_hash"]):
            sql = ("UPDATE gebruikers SET mislukt = 0, geblokkeerd_tot = NULL,"
                   " wachtwoord_hash = ? WHERE naam = ?")
            params = (_hasher.hash(wachtwoord), naam)
        con.execute(sql, params)
    return row["rol"] if row["rol"] in access.ROLES else None


def _record_failure(con: sqlite3.Connection, naam: str, now: datetime) -> None:
    terms = config.sessies()
    until = _iso(now + timedelta(minutes=terms.blokkade_minuten))
    with state.transaction(con):
        con.execute("UPDATE gebruikers SET mislukt = mislukt + 1 WHERE naam = ?", (naam,))
        # The lock starts a fresh count: after it ends, the next run of failures counts anew.
        con.execute("UPDATE gebruikers SET geblokkeerd_tot = ?, mislukt = 0"
                    " WHERE naam = ? AND mislukt >= ?", (until, naam, terms.blokkeren_na_pogingen))


# --- sessions --------------------------------------------------------------------------

def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(con: sqlite3.Connection, naam: str, rol: str, soort: str = "lokaal") -> str:
    """A new session; returns its id (shown to no one but the session's own state)."""
    _check_role(rol)
    session_id = secrets.token_urlsafe(32)
    stamp = _iso(clock.now())
    with state.transaction(con):
        con.execute(
            "INSERT INTO sessies (sessie_hash, soort, naam, rol, aangemaakt_op, laatst_gezien_op)"
            " VALUES (?, ?, ?, ?, ?, ?)", (_digest(session_id), soort, naam, rol, stamp, stamp))
    return session_id


def login(con: sqlite3.Connection, naam: str, wachtwoord: str) -> str | None:
    """Verify and start a session: the session id, or None (reason deliberately unsaid)."""
    rol = verify(con, naam, wachtwoord)
    return None if rol is None else start_session(con, normalize_name(naam), rol)


def check_session(con: sqlite3.Connection, session_id: str | None) -> Session | None:
    """The live session for this id, its last-seen time moved to now; None when it does
    not exist, has been idle too long, is older than the absolute term, or its local
    account is gone. An expired session is deleted."""
    if not session_id:
        return None
    key = _digest(session_id)
    row = con.execute(
        "SELECT s.soort, s.naam, s.rol, s.aangemaakt_op, s.laatst_gezien_op,"
        " g.rol AS account_rol FROM sessies s LEFT JOIN gebruikers g"
        " ON s.soort = 'lokaal' AND g.naam = s.naam WHERE s.sessie_hash = ?", (key,)).fetchone()
    if row is None:
        return None
    now, terms = clock.now(), config.sessies()
    created = datetime.fromisoformat(row["aangemaakt_op"])
    seen = datetime.fromisoformat(row["laatst_gezien_op"])
    # A local session takes the account's current role: a changed role applies at once.
    rol = row["account_rol"] if row["soort"] == "lokaal" else row["rol"]
    expired = (
        rol not in access.ROLES
        or now - seen > timedelta(minutes=terms.idle_minutes(rol or ""))
        or now - created > timedelta(hours=terms.maximaal_uren)
    )
    with state.transaction(con):
        if expired:
            con.execute("DELETE FROM sessies WHERE sessie_hash = ?", (key,))
            return None
        con.execute("UPDATE sessies SET laatst_gezien_op = ? WHERE sessie_hash = ?",
                    (_iso(now), key))
    return Session(row["naam"], rol, row["soort"], created, now)


def recently_active(con: sqlite3.Connection, naam: str, soort: str) -> bool:
    """Whether `naam` has a session of this kind within its idle and absolute terms
    (another tab, or the tab before a reload)."""
    now, terms = clock.now(), config.sessies()
    for row in con.execute("SELECT rol, aangemaakt_op, laatst_gezien_op FROM sessies"
                           " WHERE soort = ? AND naam = ?", (soort, naam)):
        seen = datetime.fromisoformat(row["laatst_gezien_op"])
        created = datetime.fromisoformat(row["aangemaakt_op"])
        if (now - seen <= timedelta(minutes=terms.idle_minutes(row["rol"]))
                and now - created <= timedelta(hours=terms.maximaal_uren)):
            return True
    return False


def end_session(con: sqlite3.Connection, session_id: str | None) -> None:
    """Logout: the id no longer works anywhere."""
    if session_id:
        with state.transaction(con):
            con.execute("DELETE FROM sessies WHERE sessie_hash = ?", (_digest(session_id),))


def purge_expired(con: sqlite3.Connection) -> int:
    """Delete sessions past the absolute term (idle ones go when next checked)."""
    cutoff = _iso(clock.now() - timedelta(hours=config.sessies().maximaal_uren))
    with state.transaction(con):
        return con.execute("DELETE FROM sessies WHERE aangemaakt_op < ?", (cutoff,)).rowcount


# --- for tests and the browser harness --------------------------------------------------

def random_password() -> str:
    return secrets.token_urlsafe(15)   # 20 characters, ~120 bits


def ensure_test_account(con: sqlite3.Connection, rol: str, naam: str | None = None
                        ) -> tuple[str, str]:
    """(name, password) of a fresh account with this role; resets the password when the
    name exists. For tests and the browser harness, never for production accounts."""
    naam = normalize_name(naam or f"test-{rol}")
    wachtwoord = random_password()
    if exists(con, naam):
        with state.transaction(con):
            con.execute("UPDATE gebruikers SET rol = ? WHERE naam = ?", (_check_role(rol), naam))
        set_password(con, naam, wachtwoord)
    else:
        add(con, naam, rol, wachtwoord)
    return naam, wachtwoord
