"""The audit log (DESIGN §6): who did what, when, from where — hash-chained in state.sqlite.

Every login (ok and failed), page view, detail view, export, denial and load writes one row:
actor, action, object, result, origin, UTC time, role, filters (JSON), rows returned, the
export's SHA-256 and the data load id. Each row's hash is SHA-256 over the previous row's
hash and the row's canonical JSON, so a changed or deleted row breaks the chain:
`python -m dijkwacht.audit verify [--state PATH]` exits 0 on an intact log and 1 naming the
first broken row. The head (last number and hash) is also kept in `auditkop`; cutting rows
off the end is caught by comparing with a head noted elsewhere (`head`, `verify --kop`).

Anyone who can write state.sqlite can also recompute the chain and the head, so the head is
anchored outside it (issue 23):
- an append-only anchor file (`DIJKWACHT_AUDIT_ANKER`, default `auditanker.log` beside
  state.sqlite), opened O_APPEND only: the day's first row writes the head there, and so does
  `python -m dijkwacht.audit anker` (a daily timer on servers). On a server the file lives
  outside the app's data folder and carries `chattr +a`, so the app's user can add lines
  but cannot rewrite, truncate or remove it;
- syslog/journald (`/dev/log`, or `DIJKWACHT_SYSLOG`; `uit` = off): every anchor, and every
  audit row with its number and hash (for the municipality's SIEM) — without filters,
  without data-subject keys, and a failed login's typed name only as a reference.
`verify` checks the chain against every anchor it finds (the anchor file, `--anker FILE`
for exported syslog/journal lines, `--journal`, `--kop`) and fails when a recorded head is
missing from the log or differs from it.

Never in the log: passwords, session ids, tokens, keys, addresses or identifiers of data
subjects. Filters are scrubbed of such keys. The actor is the account name or OIDC identity.

Pure Python (no Streamlit): the app (through data.py), the ETL and the CLIs call `record`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import logging.handlers
import os
import re
import sqlite3
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from dijkwacht import config, state

GENESIS = "0" * 64
ACTIONS = ("inloggen", "uitloggen", "pagina", "detail", "export", "weigering", "laden",
           "terugdraaien", "beheer", "opvolging")
# Actions whose object can hold a data subject's pseudonymous key (a detail view's key, a
# work-list item's id): kept in the chain, never sent to syslog.
KEYED_OBJECTS = ("detail", "opvolging")
RESULTS = ("ok", "mislukt", "geweigerd")
# Fields in the chain, in this order (the canonical JSON sorts keys anyway).
FIELDS = ("nr", "tijd", "actor", "rol", "actie", "object", "resultaat", "herkomst", "filters",
          "rijen", "export_sha256", "load_id", "sessie_ref", "weergave_sleutel", "vorige_hash")
_SECRET_WORDS = ("wachtwoord", "password", "token", "sessie", "session", "secret", "geheim",
                 "sleutel", "key", "cookie", "adres", "subject_id", "eigenaar_id")
REMOVED = "(verwijderd)"
# Fixed identifiers only (no values): built once from FIELDS, values always bound.
_COLUMNS = list(FIELDS) + ["hash"]
_INSERT = ("INSERT INTO auditlog (" + ", ".join(_COLUMNS) + ") VALUES ("
           + ", ".join("?" * len(_COLUMNS)) + ")")
_SELECT_CHAIN = "SELECT " + ", ".join(_COLUMNS) + " FROM auditlog ORDER BY nr"


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def scrub(filters: dict | None) -> dict | None:
    """Filters as logged: values of keys that could hold secrets or personal data removed."""
    if filters is None:
        return None
    out = {}
    for k, v in filters.items():
        key = str(k)
        if any(w in key.lower() for w in _SECRET_WORDS):
            out[key] = REMOVED
        elif isinstance(v, dict):
            out[key] = scrub(v)
        elif isinstance(v, (list, tuple, set, frozenset)):
            out[key] = sorted(map(str, v)) if isinstance(v, (set, frozenset)) else [str(x) for x in v]
        elif v is None or isinstance(v, (bool, int, float)):
            out[key] = v
        else:
            out[key] = str(v)
    return out


def session_ref(session_id: str | None) -> str | None:
    """A one-way reference to a session for de-duplication: not the session id, not the
    hash stored in `sessies` (so the log cannot be joined to a live session)."""
    if not session_id:
        return None
    return hashlib.sha256(b"dijkwacht-audit-sessie|" + session_id.encode()).hexdigest()[:32]


def view_key(page: str, filters: dict | None) -> str:
    return hashlib.sha256(canonical([page, scrub(filters)]).encode()).hexdigest()[:32]


def row_hash(previous: str, row: dict) -> str:
    body = {k: row.get(k) for k in FIELDS if k != "vorige_hash"}
    return hashlib.sha256((previous + canonical(body)).encode("utf-8")).hexdigest()


def record(actie: str, *, actor: str | None, resultaat: str = "ok", object: str | None = None,
           rol: str | None = None, herkomst: str = "app", filters: dict | None = None,
           rijen: int | None = None, export_sha256: str | None = None,
           load_id: str | None = None, sessie: str | None = None, dedupe: bool = False,
           con: sqlite3.Connection | None = None, path: Path | None = None,
           now: datetime | None = None) -> int | None:
    """Append one row; returns its number, or None when `dedupe` found the same view as this
    session's previous logged view (a rerun or timed refresh).

    `sessie` is the session id (or Streamlit's session id): only a one-way reference is stored.
    """
    if actie not in ACTIONS:
        raise ValueError(f"onbekende actie: {actie}")
    if resultaat not in RESULTS:
        raise ValueError(f"onbekend resultaat: {resultaat}")
    own = con is None
    con = con or state.connect(path or config.state_path())
    try:
        ref = session_ref(sessie)
        clean = scrub(filters)
        key = view_key(f"{actie}|{object}|{resultaat}", clean) if dedupe else None
        with state.transaction(con):
            if dedupe and ref is not None:
                last = con.execute(
                    "SELECT weergave_sleutel FROM auditlog WHERE sessie_ref = ? "
                    "ORDER BY nr DESC LIMIT 1", (ref,)).fetchone()
                if last is not None and last["weergave_sleutel"] == key:
                    return None
            head = con.execute("SELECT nr, hash FROM auditlog ORDER BY nr DESC LIMIT 1").fetchone()
            previous = head["hash"] if head else GENESIS
            row = {
                "nr": (head["nr"] + 1) if head else 1,
                "tijd": (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
                .isoformat(timespec="milliseconds"),
                "actor": actor, "rol": rol, "actie": actie, "object": object,
                "resultaat": resultaat, "herkomst": herkomst,
                "filters": canonical(clean) if clean is not None else None,
                "rijen": int(rijen) if rijen is not None else None,
                "export_sha256": export_sha256, "load_id": load_id,
                "sessie_ref": ref, "weergave_sleutel": key, "vorige_hash": previous,
            }
            row["hash"] = row_hash(previous, row)
            con.execute(_INSERT, [row[c] for c in _COLUMNS])
            con.execute("INSERT INTO auditkop (id, nr, hash) VALUES (1, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET nr = excluded.nr, hash = excluded.hash",
                        (row["nr"], row["hash"]))
        # Committed: now the copies outside the file (never blocking the app).
        to_syslog(row)
        _daily_anchor(con, row["nr"], row["hash"])
        return row["nr"]
    finally:
        if own:
            con.close()


# --- Anchors outside state.sqlite ----------------------------------------------------------

ANCHOR_ENV = "DIJKWACHT_AUDIT_ANKER"
SYSLOG_ENV = "DIJKWACHT_SYSLOG"
ANCHOR_TAG = "dijkwacht-auditanker"      # a written head
ROW_TAG = "dijkwacht-auditregel"         # one audit row, as sent to syslog
SYSLOG_IDENT = "dijkwacht: "
# Both kinds of line carry nr and hash; any text that holds them (the anchor file, a syslog
# file, `journalctl -o cat`) can be checked. Prefixes (timestamps, host, ident) are ignored.
_ANCHOR_LINE = re.compile(rf"(?:{ANCHOR_TAG}|{ROW_TAG}) nr=(\d+) hash=([0-9a-f]{{64}})")
_LOG = logging.getLogger("dijkwacht.audit")


@dataclass(frozen=True)
class Anchor:
    nr: int
    hash: str
    source: str        # where it was found, for the message


def _db_file(con: sqlite3.Connection) -> Path | None:
    for row in con.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return None


def anchor_path(state_file: Path | None = None) -> Path:
    """The anchor file: DIJKWACHT_AUDIT_ANKER, else auditanker.log beside state.sqlite."""
    configured = os.environ.get(ANCHOR_ENV)
    if configured:
        return Path(configured)
    return Path(state_file or config.state_path()).with_name("auditanker.log")


class AnchorError(Exception):
    """The anchor could not be written (Dutch message)."""


def write_anchor(nr: int, hash_: str, path: Path, now: datetime | None = None) -> str:
    """Append one anchor line (O_APPEND: never rewrites what is there) and send it to syslog.
    Returns the line."""
    tijd = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    line = f"{tijd} {ANCHOR_TAG} nr={int(nr)} hash={hash_}"
    if not re.fullmatch(r"[0-9a-f]{64}", hash_):
        raise AnchorError(f"ongeldige hash voor het anker: rij {nr}")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise AnchorError(f"ankerbestand {path} niet te openen om toe te voegen ({exc.strerror})") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise AnchorError(f"ankerbestand {path} is geen gewoon bestand")
        os.write(fd, (line + "\n").encode("ascii"))
        os.fsync(fd)
    except OSError as exc:
        raise AnchorError(f"ankerbestand {path}: schrijven mislukt ({exc.strerror})") from exc
    finally:
        os.close(fd)
    _send(line)
    return line


def _daily_anchor(con: sqlite3.Connection, nr: int, hash_: str) -> None:
    """The day's first row (UTC) anchors the head; a failure is logged, never raised."""
    db = _db_file(con)
    if db is None:
        return
    path = anchor_path(db)
    try:
        written = datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc).date()
    except FileNotFoundError:
        written = None
    except OSError:
        _LOG.warning("auditanker: ankerbestand niet te lezen")
        return
    if written == datetime.now(timezone.utc).date():
        return
    try:
        write_anchor(nr, hash_, path)
    except AnchorError as exc:
        _LOG.warning("auditanker niet geschreven: %s", exc)


def anchor_now(con: sqlite3.Connection, path: Path | None = None) -> str:
    """Write the current head as an anchor (`python -m dijkwacht.audit anker`)."""
    row = con.execute("SELECT nr, hash FROM auditlog ORDER BY nr DESC LIMIT 1").fetchone()
    if row is None:
        raise AnchorError("het logboek is leeg: er is nog geen kop om vast te leggen")
    return write_anchor(row["nr"], row["hash"], path or anchor_path(_db_file(con)))


def parse_anchors(lines: Iterable[str], source: str) -> list[Anchor]:
    out = []
    for line in lines:
        for m in _ANCHOR_LINE.finditer(line):
            out.append(Anchor(int(m.group(1)), m.group(2), source))
    return out


def read_anchor_file(path: Path) -> list[Anchor] | None:
    """Anchors in a file, or None when there is no such file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as fh:
        return parse_anchors(fh, str(path))


def read_journal(state_file: Path) -> list[Anchor]:
    """Anchors and row hashes in the journal (when journalctl can read them), only from the
    service user that owns state.sqlite: _UID is set by journald itself, not by the sender."""
    try:
        uid = os.stat(state_file).st_uid
        out = subprocess.run(["journalctl", "--no-pager", "-o", "cat",
                              f"SYSLOG_IDENTIFIER={SYSLOG_IDENT.rstrip(': ')}", f"_UID={uid}"],
                             capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return parse_anchors(out.stdout.splitlines(), "journal")


# --- syslog / journald (the SIEM's copy) ---------------------------------------------------

class _QuietSysLog(logging.handlers.SysLogHandler):
    """A syslog that is away must not break the app or print tracebacks to users."""

    def handleError(self, record: logging.LogRecord) -> None:
        _LOG.debug("syslog niet bereikbaar")


_syslog: logging.Logger | None = None
_syslog_address: str | None = None


def _syslog_logger() -> logging.Logger | None:
    global _syslog, _syslog_address
    address = os.environ.get(SYSLOG_ENV, "/dev/log")
    if address.strip().lower() in ("", "uit", "off", "0"):
        return None
    if _syslog is not None and _syslog_address == address:
        return _syslog
    try:
        if not stat.S_ISSOCK(os.stat(address).st_mode):
            return None
        handler = _QuietSysLog(address=address, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV)
    except OSError:
        return None
    handler.ident = SYSLOG_IDENT
    logger = logging.getLogger("dijkwacht.audit.syslog")
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False          # not into the app's own log a second time
    _syslog, _syslog_address = logger, address
    return logger


def _send(message: str) -> None:
    try:
        logger = _syslog_logger()
        if logger is not None:
            logger.info(message)
    except Exception:  # noqa: BLE001 — the SIEM copy never blocks the audit row itself
        _LOG.debug("syslog niet bereikbaar")


def syslog_fields(row: dict) -> dict:
    """An audit row as the SIEM gets it: no filters, no data-subject keys (the object of a
    detail view or a follow-up can hold a key: KEYED_OBJECTS), and a failed login's typed
    name (which may be a mistyped password) only as a one-way reference."""
    failed_login = row["actie"] == "inloggen" and row["resultaat"] != "ok"
    actor = row.get("actor")
    out = {"tijd": row["tijd"], "actie": row["actie"], "resultaat": row["resultaat"],
           "rol": row.get("rol"), "herkomst": row.get("herkomst"),
           "object": None if row["actie"] in KEYED_OBJECTS else row.get("object"),
           "rijen": row.get("rijen"), "export_sha256": row.get("export_sha256"),
           "load_id": row.get("load_id")}
    if failed_login and actor:
        out["actor_ref"] = hashlib.sha256(b"dijkwacht-audit-actor|" + str(actor).encode()).hexdigest()[:16]
    else:
        out["actor"] = actor
    return {k: v for k, v in out.items() if v is not None}


def to_syslog(row: dict) -> None:
    _send(f"{ROW_TAG} nr={int(row['nr'])} hash={row['hash']} {canonical(syslog_fields(row))}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(con: sqlite3.Connection, expect: tuple[int, str] | None = None,
           anchors: list[Anchor] | None = None) -> tuple[bool, str]:
    """(intact, message). Walks the chain in order: numbers without gaps, each row's
    vorige_hash the previous row's hash, each hash recomputed; the head must match; and every
    anchor (by default: those in the anchor file) must name a row that is there, with that
    hash. A log with rows and no anchor at all fails too: nothing outside the file vouches
    for it."""
    if anchors is None:
        found = read_anchor_file(anchor_path(_db_file(con)))
        anchors = found or []
        missing_file = found is None
    else:
        missing_file = False
    if expect is not None:
        anchors = [*anchors, Anchor(int(expect[0]), expect[1], "--kop")]
    by_nr: dict[int, list[Anchor]] = {}
    for a in anchors:
        by_nr.setdefault(a.nr, []).append(a)
    previous, expected_nr = GENESIS, 1
    last = None
    for r in con.execute(_SELECT_CHAIN):
        row = dict(r)
        if row["nr"] != expected_nr:
            return False, (f"rij {expected_nr} ontbreekt (verwijderd?): na rij {expected_nr - 1} "
                           f"volgt rij {row['nr']}")
        if row["vorige_hash"] != previous:
            return False, f"rij {row['nr']}: de keten is verbroken (vorige_hash klopt niet)"
        if row_hash(previous, row) != row["hash"]:
            return False, f"rij {row['nr']}: de inhoud is gewijzigd (hash klopt niet)"
        for a in by_nr.get(row["nr"], ()):
            if a.hash != row["hash"]:
                return False, (f"rij {row['nr']}: hash wijkt af van de vastgelegde kop ({a.source}): "
                               "het logboek is herschreven")
        previous, expected_nr, last = row["hash"], expected_nr + 1, row
    head = con.execute("SELECT nr, hash FROM auditkop WHERE id = 1").fetchone()
    if head is not None and (last is None or (head["nr"], head["hash"]) != (last["nr"], last["hash"])):
        return False, (f"rij {head['nr']} en eventueel volgende ontbreken: de kop van het logboek "
                       f"wijst naar rij {head['nr']}")
    count = expected_nr - 1
    beyond = [a for a in anchors if a.nr > count]
    if beyond:
        a = max(beyond, key=lambda a: a.nr)
        return False, (f"rij {a.nr} (vastgelegde kop, {a.source}) ontbreekt: het logboek is ingekort "
                       f"tot {count} rij(en)")
    if count and not anchors:
        where = "het ankerbestand ontbreekt" if missing_file else "er staat geen kop in"
        return False, (f"geen vastgelegde kop gevonden ({where}): niets buiten het logboek staat in "
                       "voor de inhoud; leg de kop vast met `python -m dijkwacht.audit anker`")
    return True, (f"Logboek intact: {count} regel(s)"
                  + (f"; de laatste (nr. {last['nr']}) heeft controlegetal {last['hash']}" if last else "")
                  + (f"; {len(anchors)} elders vastgelegde kop(pen) kloppen" if anchors else ""))


def query(con: sqlite3.Connection, *, van: str | None = None, tot: str | None = None,
          actor: str | None = None, actie: str | None = None, resultaat: str | None = None,
          limit: int = 1000) -> list[dict]:
    """Log rows, newest first, filtered (all parameters bound). van/tot: ISO date(-time), UTC."""
    rows = con.execute(
        "SELECT nr, tijd, actor, rol, actie, object, resultaat, herkomst, filters, rijen,"
        " export_sha256, load_id FROM auditlog"
        " WHERE (? IS NULL OR tijd >= ?) AND (? IS NULL OR tijd < ?)"
        " AND (? IS NULL OR actor = ?) AND (? IS NULL OR actie = ?) AND (? IS NULL OR resultaat = ?)"
        " ORDER BY nr DESC LIMIT ?",
        (van, van, tot, tot, actor, actor, actie, actie, resultaat, resultaat, int(limit))).fetchall()
    return [dict(r) for r in rows]


def days(con: sqlite3.Connection, zone: str = "Europe/Amsterdam") -> list[date]:
    """The local days with log rows, newest first (the Data page's filter). Read per UTC
    hour (at most 24 a day), so a long log stays cheap."""
    from zoneinfo import ZoneInfo
    here = ZoneInfo(zone)
    hours = con.execute("SELECT DISTINCT substr(tijd, 1, 13) FROM auditlog").fetchall()
    local = {datetime.fromisoformat(h[0] + ":00+00:00").astimezone(here).date() for h in hours if h[0]}
    return sorted(local, reverse=True)


def actors(con: sqlite3.Connection) -> list[str]:
    """Every name in the log, sorted (the Data page's filter)."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT actor FROM auditlog WHERE actor IS NOT NULL ORDER BY actor").fetchall()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dijkwacht.audit",
                                     description="Het auditlogboek van Dijkwacht.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verify", help="controleer de hashketen en de vastgelegde koppen (exit 0 = intact, 1 = niet)")
    v.add_argument("--state", type=Path, help="pad naar state.sqlite")
    v.add_argument("--kop", help="eerder vastgelegde kop NR:HASH die er nog moet zijn")
    v.add_argument("--anker", type=Path, action="append", default=[],
                   help="nog een bestand met vastgelegde koppen (bijv. een export van syslog); herhaalbaar")
    v.add_argument("--journal", action="store_true", help="ook de koppen en regels in journald controleren")
    h = sub.add_parser("head", help="toon de kop (nr:hash) om elders vast te leggen")
    h.add_argument("--state", type=Path)
    a = sub.add_parser("anker", help="leg de kop vast in het ankerbestand en syslog (dagelijks)")
    a.add_argument("--state", type=Path)
    args = parser.parse_args(argv)
    path = args.state or config.state_path()
    if not Path(path).exists():
        print(f"geen state-database: {path}", file=sys.stderr)
        return 2
    con = state.connect(path)
    try:
        if args.cmd == "head":
            row = con.execute("SELECT nr, hash FROM auditlog ORDER BY nr DESC LIMIT 1").fetchone()
            print(f"{row['nr']}:{row['hash']}" if row else "0:" + GENESIS)
            return 0
        if args.cmd == "anker":
            try:
                print(anchor_now(con))
            except AnchorError as exc:
                print(f"kop niet vastgelegd: {exc}", file=sys.stderr)
                return 1
            return 0
        expect = None
        if args.kop:
            nr, _, h = args.kop.partition(":")
            try:
                expect = (int(nr), h.strip().lower())
            except ValueError:
                print("--kop verwacht NR:HASH", file=sys.stderr)
                return 2
        anchors = read_anchor_file(anchor_path(Path(path)))
        missing = anchors is None
        anchors = list(anchors or [])
        for extra in args.anker:
            found = read_anchor_file(extra)
            if found is None:
                print(f"ankerbestand {extra} bestaat niet", file=sys.stderr)
                return 1
            anchors += found
        if args.journal:
            anchors += read_journal(Path(path))
        if missing and not anchors and expect is None:
            ok, message = verify(con)          # the "no anchor at all" verdict
        else:
            ok, message = verify(con, expect, anchors)
        print(message, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
