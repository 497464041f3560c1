"""Local accounts and server-side sessions in the state database (DESIGN §6–7).

Pure Python, no Streamlit: the login form, the CLI and the tests share it.

- Passwords are stored only as argon2id hashes, and must be at least 12 characters and not
  easy to guess: zxcvbn (the maintained port of Dropbox's estimator, with its lists of common
  passwords, names and words, repeats, sequences and keyboard patterns) plus Dutch words
  that its English lists lack ("wachtwoord", "welkom", the municipality's name, ...).
- `verify` answers with the role or None and never says why: an unknown name, a wrong
  password and a slowed-down attempt look the same (each costs one argon2 verification, so
  timing does not tell either).
- Guessing is slowed down, not a known user locked out (smart lockout, as identity providers
  do it). Failures are counted in buckets: a name from one client, a name from clients it
  never signed in from, and one client across all names. After `blokkeren_na_pogingen`
  failures of a name from one client (four times that for the other two buckets) every
  further failure doubles the wait before the next attempt is checked: 1, 2, 4, 8 minutes,
  at most `blokkade_minuten`. A client the account signed in from before (within 90 days)
  is "familiar": failures from strangers do not slow it down, so whoever knows the mayor's
  name can slow down only their own attempts.
- At most HASH_SLOTS argon2 computations run at once. Each holds its memory cost (64 MiB)
  while it runs, so ten sign-ins at the same moment took 640 MiB (the ten-user round of
  issue 17; a login flood could take more). The work is CPU-bound: on two cores, ten
  verifications take 1.05 s two at a time and 1.08 s all at once.
- A session id is a random token; only its SHA-256 is stored. A session ends after its
  role's idle term or after `maximaal_uren`, whichever comes first, and on logout.
- All times come from `dijkwacht.clock`, all terms from `config.sessies()`.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from dijkwacht import access, clock, config, state

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MIN_STRENGTH = 4             # zxcvbn score 0-4; 4 = about 10^10 guesses or more ("Welkom2026!!" is 3)
WEAK_PASSWORD = ("Dit wachtwoord is te makkelijk te raden: het bevat een veelgebruikt wachtwoord "
                 "of woord, een herhaling, een reeks of uw gebruikersnaam. Kies bijvoorbeeld een "
                 "zin van vier of meer ongewone woorden.")
# Dutch words common in passwords that zxcvbn's (English) lists lack, lower case.
DUTCH_COMMON = (
    "wachtwoord", "paswoord", "password", "welkom", "welkom01", "geheim", "inloggen", "toegang",
    "gemeente", "dordrecht", "drechtsteden", "dijkwacht", "ondermijning", "burgemeester",
    "wethouder", "politie", "beheerder", "analist", "bestuur", "sleutel", "proef", "probeer",
    "nederland", "holland", "oranje", "amsterdam", "rotterdam", "utrecht", "denhaag",
    "lente", "voorjaar", "zomer", "herfst", "najaar", "winter",
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december", "voetbal", "ajax", "feyenoord", "liefde", "schatje",
    "lieverd", "hallo", "prinses", "konijn", "hond", "poes", "vakantie", "familie", "kinderen",
    "gezin", "dijk", "molen", "fiets", "koffie", "kaas", "werk", "kantoor", "dienst",
    "veiligheid", "wijzigen", "nieuw", "tijdelijk", "eerste", "letmein", "qwerty", "azerty",
)

# Throttling (see the module docstring).
WIDE_FACTOR = 4                          # the account-wide and per-client limits: 4 × the pair's
FAMILIAR_DAYS = 90                       # a client stays familiar this long after a sign-in
FORGET_AFTER = timedelta(days=1)         # a bucket quiet this long starts afresh
UNKNOWN_CLIENT = "onbekend"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
HASH_SLOTS = 2


class _BoundedHasher:
    """argon2id (the library's defaults) with at most `slots` hashes or verifications at once."""

    def __init__(self, slots: int):
        self._argon2 = PasswordHasher()
        self._slots = threading.BoundedSemaphore(slots)

    def hash(self, password: str) -> str:
        with self._slots:
            return self._argon2.hash(password)

    def verify(self, digest: str, password: str) -> bool:
        with self._slots:
            return self._argon2.verify(digest, password)

    def check_needs_rehash(self, digest: str) -> bool:
        return self._argon2.check_needs_rehash(digest)


_hasher = _BoundedHasher(HASH_SLOTS)


class AccountError(Exception):
    """A refused account operation; the message is Dutch and safe to show."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    geblokkeerd_tot: str | None      # until when unfamiliar clients must wait (None: no wait)
    aangemaakt_op: str


@dataclass(frozen=True)
class Session:
    name: str
    role: str
    kind: str                        # lokaal | oidc
    aangemaakt_op: datetime
    laatst_gezien_op: datetime


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def normalize_name(name: str) -> str:
    return (name or "").strip().lower()


def _check_name(name: str) -> str:
    name = normalize_name(name)
    if not _NAME.match(name):
        raise AccountError(
            "Ongeldige gebruikersnaam: 2 tot 64 tekens, kleine letters, cijfers en . _ @ -")
    return name


def _check_role(role: str) -> str:
    if role not in access.ROLES:
        raise AccountError(f"Onbekende rol. Kies uit: {', '.join(access.ROLES)}.")
    return role


def password_problem(password: str, name: str = "") -> str | None:
    """Why this password may not be used (Dutch), or None when it is acceptable."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Het wachtwoord mag hoogstens {MAX_PASSWORD_LENGTH} tekens lang zijn."
    name = normalize_name(name)
    inputs = [*DUTCH_COMMON, *([name] if name else []), *re.split(r"[._@-]+", name)]
    # zxcvbn looks at the first 72 characters (its default): enough for any guessable start.
    if zxcvbn(password, user_inputs=[w for w in inputs if w])["score"] < MIN_STRENGTH:
        return WEAK_PASSWORD
    return None


def _check_password(password: str, name: str = "") -> str:
    problem = password_problem(password, name)
    if problem:
        raise AccountError(problem)
    return password


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against for unknown or locked names, so they take as long."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _burn(password: str) -> None:
    try:
        _hasher.verify(_dummy_hash(), password or "")
    except VerificationError:
        pass


# --- accounts --------------------------------------------------------------------------

def add(con: sqlite3.Connection, name: str, role: str, password: str) -> str:
    name, role = _check_name(name), _check_role(role)
    digest = _hasher.hash(_check_password(password, name))
    stamp = _iso(clock.now())
    try:
        with state.transaction(con):
            con.execute(
                "INSERT INTO gebruikers (naam, rol, wachtwoord_hash, aangemaakt_op, gewijzigd_op)"
                " VALUES (?, ?, ?, ?, ?)", (name, role, digest, stamp, stamp))
    except sqlite3.IntegrityError:
        raise AccountError(f"Gebruiker {name} bestaat al.") from None
    return name


def remove(con: sqlite3.Connection, name: str) -> bool:
    """Removes the account and ends its sessions. False when there was no such account."""
    name = normalize_name(name)
    with state.transaction(con):
        con.execute("DELETE FROM sessies WHERE soort = 'lokaal' AND naam = ?", (name,))
        con.execute("DELETE FROM bekende_herkomsten WHERE naam = ?", (name,))
        con.execute("DELETE FROM aanmeldremmen WHERE account_ref = ?", (_ref("naam", name),))
        return con.execute("DELETE FROM gebruikers WHERE naam = ?", (name,)).rowcount > 0


def list_accounts(con: sqlite3.Connection) -> list[Account]:
    rows = con.execute("SELECT naam, rol, aangemaakt_op FROM gebruikers ORDER BY naam").fetchall()
    now = _iso(clock.now())
    waits = dict(con.execute(
        "SELECT account_ref, max(wacht_tot) FROM aanmeldremmen WHERE soort = 'account'"
        " AND wacht_tot > ? GROUP BY account_ref", (now,)).fetchall())
    return [Account(r["naam"], r["rol"], waits.get(_ref("naam", r["naam"])), r["aangemaakt_op"])
            for r in rows]


def exists(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM gebruikers WHERE naam = ?",
                       (normalize_name(name),)).fetchone() is not None


def set_password(con: sqlite3.Connection, name: str, password: str) -> None:
    """New password, every wait on the account lifted, every open session ended."""
    name = normalize_name(name)
    digest = _hasher.hash(_check_password(password, name))
    with state.transaction(con):
        changed = con.execute(
            "UPDATE gebruikers SET wachtwoord_hash = ?, mislukt = 0, geblokkeerd_tot = NULL,"
            " gewijzigd_op = ? WHERE naam = ?", (digest, _iso(clock.now()), name)).rowcount
        if not changed:
            raise AccountError(f"Gebruiker {name} bestaat niet.")
        con.execute("DELETE FROM sessies WHERE soort = 'lokaal' AND naam = ?", (name,))
        con.execute("DELETE FROM aanmeldremmen WHERE account_ref = ?", (_ref("naam", name),))


def release(con: sqlite3.Connection, name: str) -> bool:
    """Lift every wait on this name (the CLI's `vrijgeven`). False when there is no account."""
    name = normalize_name(name)
    with state.transaction(con):
        con.execute("DELETE FROM aanmeldremmen WHERE account_ref = ?", (_ref("naam", name),))
    return exists(con, name)


# --- sign-in throttling --------------------------------------------------------------------

def _ref(*parts: str) -> str:
    """A one-way reference for a throttle bucket, a name or a client: the typed name may be
    a mistyped password and the client an address, so neither is stored as typed."""
    return hashlib.sha256("\x1f".join(("dijkwacht-aanmelden", *parts)).encode("utf-8")).hexdigest()


def _familiar(con: sqlite3.Connection, name: str, client: str, now: datetime) -> bool:
    if client == UNKNOWN_CLIENT:
        return False
    row = con.execute("SELECT laatst_gelukt FROM bekende_herkomsten WHERE naam = ? AND herkomst = ?",
                      (name, _ref("herkomst", client))).fetchone()
    return row is not None and now - datetime.fromisoformat(row[0]) <= timedelta(days=FAMILIAR_DAYS)


def _buckets(name: str, client: str, familiar: bool) -> list[tuple[str, str, str | None, int]]:
    """(sleutel, soort, account_ref, limit) of the buckets an attempt counts in."""
    limit = max(1, config.sessies().blokkeren_na_pogingen)
    account = _ref("naam", name)
    buckets = [(_ref("paar", name, client), "paar", account, limit)]
    if not familiar:
        buckets += [(_ref("account", name), "account", account, WIDE_FACTOR * limit),
                    (_ref("herkomst", client), "herkomst", None, WIDE_FACTOR * limit)]
    return buckets


def _waiting(con: sqlite3.Connection, buckets, now: datetime) -> bool:
    keys = json.dumps([b[0] for b in buckets])       # one bound parameter, no formatted SQL
    row = con.execute("SELECT max(wacht_tot) FROM aanmeldremmen "
                      "WHERE sleutel IN (SELECT value FROM json_each(?))", [keys]).fetchone()
    return row[0] is not None and datetime.fromisoformat(row[0]) > now


def wait_minutes(failures: int, limit: int) -> float:
    """The wait after `failures` failures in a row in a bucket with this limit: none below
    the limit, then 1, 2, 4, ... minutes, at most blokkade_minuten."""
    if failures < limit:
        return 0.0
    return float(min(config.sessies().blokkade_minuten, 2 ** min(failures - limit, 20)))


def _record_failure(con: sqlite3.Connection, buckets, now: datetime) -> None:
    stamp = _iso(now)
    forget = _iso(now - FORGET_AFTER)
    with state.transaction(con):
        con.execute("DELETE FROM aanmeldremmen WHERE laatst_mislukt < ?"
                    " AND (wacht_tot IS NULL OR wacht_tot < ?)", (forget, stamp))
        for sleutel, kind, account_ref, limit in buckets:
            row = con.execute("SELECT mislukt FROM aanmeldremmen WHERE sleutel = ?",
                              (sleutel,)).fetchone()
            failures = (row[0] if row else 0) + 1
            wait = wait_minutes(failures, limit)
            until = _iso(now + timedelta(minutes=wait)) if wait else None
            con.execute(
                "INSERT INTO aanmeldremmen (sleutel, soort, account_ref, mislukt, laatst_mislukt,"
                " wacht_tot) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sleutel) DO UPDATE SET"
                " mislukt = excluded.mislukt, laatst_mislukt = excluded.laatst_mislukt,"
                " wacht_tot = excluded.wacht_tot",
                (sleutel, kind, account_ref, failures, stamp, until))


def _record_success(con: sqlite3.Connection, name: str, client: str, now: datetime,
                    rehash: str | None) -> None:
    with state.transaction(con):
        con.execute("DELETE FROM aanmeldremmen WHERE sleutel = ?", (_ref("paar", name, client),))
        if client != UNKNOWN_CLIENT:
            con.execute(
                "INSERT INTO bekende_herkomsten (naam, herkomst, laatst_gelukt) VALUES (?, ?, ?)"
                " ON CONFLICT (naam, herkomst) DO UPDATE SET laatst_gelukt = excluded.laatst_gelukt",
                (name, _ref("herkomst", client), _iso(now)))
        if rehash:
            con.execute("UPDATE gebruikers SET wachtwoord_hash = ? WHERE naam = ?", (rehash, name))


def verify(con: sqlite3.Connection, name: str, password: str, client: str | None = None
           ) -> str | None:
    """The account's role when name and password match and no wait applies; else None.

    `client` identifies where the attempt comes from (the app passes the client address);
    None is one shared unknown client, never familiar. While a bucket of this attempt waits
    the password is not checked (the same argon2 work is done) and nothing is counted, so
    guessing during a wait neither extends nor shortens it."""
    name = normalize_name(name)
    client = (client or "").strip() or UNKNOWN_CLIENT
    now = clock.now()
    buckets = _buckets(name, client, _familiar(con, name, client, now))
    if _waiting(con, buckets, now):
        _burn(password)
        return None
    row = con.execute("SELECT rol, wachtwoord_hash FROM gebruikers WHERE naam = ?",
                      (name,)).fetchone()
    if row is None:
        _burn(password)            # unknown names are counted alike: no enumeration by wait
        _record_failure(con, buckets, now)
        return None
    try:
        _hasher.verify(row["wachtwoord_hash"], password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        _record_failure(con, buckets, now)
        return None
    rehash = _hasher.hash(password) if _hasher.check_needs_rehash(row["wachtwoord_hash"]) else None
    _record_success(con, name, client, now, rehash)
    return row["rol"] if row["rol"] in access.ROLES else None


# --- sessions --------------------------------------------------------------------------

def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(con: sqlite3.Connection, name: str, role: str, kind: str = "lokaal") -> str:
    """A new session; returns its id (shown to no one but the session's own state)."""
    _check_role(role)
    session_id = secrets.token_urlsafe(32)
    stamp = _iso(clock.now())
    with state.transaction(con):
        con.execute(
            "INSERT INTO sessies (sessie_hash, soort, naam, rol, aangemaakt_op, laatst_gezien_op)"
            " VALUES (?, ?, ?, ?, ?, ?)", (_digest(session_id), kind, name, role, stamp, stamp))
    return session_id


def login(con: sqlite3.Connection, name: str, password: str, client: str | None = None
          ) -> str | None:
    """Verify and start a session: the session id, or None (reason deliberately unsaid)."""
    role = verify(con, name, password, client)
    return None if role is None else start_session(con, normalize_name(name), role)


def check_session(con: sqlite3.Connection, session_id: str | None, *, touch: bool = True
                  ) -> Session | None:
    """The live session for this id; None when it does not exist, has been idle too long,
    is older than the absolute term, or its local account is gone. An expired session is
    deleted. `touch` (a user's own action) moves its last-seen time to now; a timed
    refresh checks with touch=False, so it never keeps an idle session alive."""
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
    role = row["account_rol"] if row["soort"] == "lokaal" else row["rol"]
    expired = (
        role not in access.ROLES
        or now - seen > timedelta(minutes=terms.idle_minutes(role or ""))
        or now - created > timedelta(hours=terms.maximaal_uren)
    )
    if expired:
        with state.transaction(con):
            con.execute("DELETE FROM sessies WHERE sessie_hash = ?", (key,))
        return None
    if not touch:
        return Session(row["naam"], role, row["soort"], created, seen)
    with state.transaction(con):
        con.execute("UPDATE sessies SET laatst_gezien_op = ? WHERE sessie_hash = ?",
                    (_iso(now), key))
    return Session(row["naam"], role, row["soort"], created, now)


def recently_active(con: sqlite3.Connection, name: str, kind: str) -> bool:
    """Whether `naam` has a session of this kind within its idle and absolute terms
    (another tab, or the tab before a reload)."""
    now, terms = clock.now(), config.sessies()
    for row in con.execute("SELECT rol, aangemaakt_op, laatst_gezien_op FROM sessies"
                           " WHERE soort = ? AND naam = ?", (kind, name)):
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


# --- for tests and the browser harness --------------------------------------------------

def random_password() -> str:
    return secrets.token_urlsafe(15)   # 20 characters, ~120 bits


def ensure_test_account(con: sqlite3.Connection, role: str, name: str | None = None
                        ) -> tuple[str, str]:
    """(name, password) of a fresh account with this role; resets the password when the
    name exists. For tests and the browser harness, never for production accounts."""
    name = normalize_name(name or f"test-{role}")
    password = random_password()
    if exists(con, name):
        with state.transaction(con):
            con.execute("UPDATE gebruikers SET rol = ? WHERE naam = ?", (_check_role(role), name))
        set_password(con, name, password)
    else:
        add(con, name, role, password)
    return name, password
