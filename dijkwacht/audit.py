"""The audit log (DESIGN §6): who did what, when, from where — hash-chained in state.sqlite.

Every login (ok and failed), page view, detail view, export, denial and load writes one row:
actor, action, object, result, origin, UTC time, role, filters (JSON), rows returned, the
export's SHA-256 and the data load id. Each row's hash is SHA-256 over the previous row's
hash and the row's canonical JSON, so a changed or deleted row breaks the chain:
`python -m dijkwacht.audit verify [--state PATH]` exits 0 on an intact log and 1 naming the
first broken row. The head (last number and hash) is also kept in `auditkop`; cutting rows
off the end is caught by comparing with a head noted elsewhere (`head`, `verify --kop`).

Never in the log: passwords, session ids, tokens, keys, addresses or identifiers of data
subjects. Filters are scrubbed of such keys. The actor is the account name or OIDC identity.

Pure Python (no Streamlit): the app (through data.py), the ETL and the CLIs call `record`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dijkwacht import config, state

GENESIS = "0" * 64
ACTIONS = ("inloggen", "uitloggen", "pagina", "detail", "export", "weigering", "laden",
           "terugdraaien", "beheer")
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
            return row["nr"]
    finally:
        if own:
            con.close()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(con: sqlite3.Connection, expect: tuple[int, str] | None = None) -> tuple[bool, str]:
    """(intact, message). Walks the chain in order: numbers without gaps, each row's
    vorige_hash the previous row's hash, each hash recomputed; the head must match."""
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
        previous, expected_nr, last = row["hash"], expected_nr + 1, row
    head = con.execute("SELECT nr, hash FROM auditkop WHERE id = 1").fetchone()
    if head is not None and (last is None or (head["nr"], head["hash"]) != (last["nr"], last["hash"])):
        return False, (f"rij {head['nr']} en eventueel volgende ontbreken: de kop van het logboek "
                       f"wijst naar rij {head['nr']}")
    if expect is not None:
        nr, h = expect
        row = con.execute("SELECT hash FROM auditlog WHERE nr = ?", (nr,)).fetchone()
        if row is None:
            return False, f"rij {nr} (vastgelegde kop) ontbreekt"
        if row["hash"] != h:
            return False, f"rij {nr}: hash wijkt af van de vastgelegde kop"
    count = expected_nr - 1
    return True, f"logboek intact: {count} rij(en)" + (f", kop rij {last['nr']} {last['hash']}" if last else "")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dijkwacht.audit",
                                     description="Het auditlogboek van Dijkwacht.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verify", help="controleer de hashketen (exit 0 = intact, 1 = niet)")
    v.add_argument("--state", type=Path, help="pad naar state.sqlite")
    v.add_argument("--kop", help="eerder vastgelegde kop NR:HASH die er nog moet zijn")
    h = sub.add_parser("head", help="toon de kop (nr:hash) om elders vast te leggen")
    h.add_argument("--state", type=Path)
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
        expect = None
        if args.kop:
            nr, _, h = args.kop.partition(":")
            expect = (int(nr), h)
        ok, message = verify(con, expect)
        print(message, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
