"""Follow-up of the week's work list (issue 18, item 2): who took an item up, and how it ended.

An item of `dijkwacht.week` (by its stable `id`) is assigned to a user and given a status
with a reason. Status and reason come from fixed lists and the assignee is an existing
account: there is no free text anywhere, so no personal data of data subjects ends up here.

Stored in the state database (table `opvolging`, dijkwacht/state.sql) as append-only rows —
who, when (UTC ISO 8601), and the item's `latest` event date at the time — so the history is
kept and the current state is an item's latest row. Every change is audited first (action
"opvolging"; object the item id, a key in it shortened as Koppelingen's detail views log
it; filters status, reden, toegewezen_aan): a change the audit log cannot take is not made.

A handled item (`afgehandeld`, `geen actie`) leaves the list and comes back only when its
`latest` moves past the date stored when it was handled: something new happened at it.

Pure Python (no Streamlit, no ETL): the app's data gateway checks the role and passes the
session's origin; this module checks again (fail closed) and validates every value.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Protocol, Sequence

from dijkwacht import access, accounts, audit, clock, state

STATUSES = ("nieuw", "opgepakt", "afgehandeld", "geen actie")
HANDLED = ("afgehandeld", "geen actie")
# Per status the only reasons that may be given (DESIGN §6: no free text). The first is the
# default a page may preselect.
REASONS: dict[str, tuple[str, ...]] = {
    "nieuw": (
        "nog te beoordelen",
        "heropend",
    ),
    "opgepakt": (
        "in behandeling bij OOV",
        "doorgezet naar politie",
        "doorgezet naar RIEC",
        "doorgezet naar VTH/Bibob",
        "besproken in driehoek",
        "wacht op informatie van partner",
    ),
    "afgehandeld": (
        "maatregel genomen",
        "doorgezet en afgesloten",
        "opgenomen in lopend dossier",
        "geen overtreding vastgesteld",
    ),
    "geen actie": (
        "al bekend bij partner",
        "buiten bevoegdheid gemeente",
        "onvoldoende aanleiding",
        "fout in de brongegevens",
        "dubbel",
    ),
}
ACTION = "opvolging"                       # the audit action (audit.ACTIONS)
PERMISSION = "detail"                      # item ids can hold pseudonymous keys
# A key in an item id is logged as Koppelingen logs a detail view: its first characters
# (linkage.SHORT; not imported, linkage pulls in polars — tests/test_followup.py checks).
KEY_SHOWN = 10
_KEY_RUN = re.compile(r"[0-9a-f]{%d,}" % (KEY_SHOWN + 1))
_KIND = re.compile(r"^[a-z_]{1,40}:")
MAX_ID_LENGTH = 300
_LOG = logging.getLogger("dijkwacht.followup")


class ItemLike(Protocol):
    """What this module reads of a `week.Item` (not imported: week stays free to import us)."""
    id: str
    latest: date


@dataclass(frozen=True)
class FollowUp:
    """One row of the follow-up history; the latest row per item is its current state."""
    nr: int
    item_id: str
    status: str
    reason: str
    assignee: str | None
    actor: str
    role: str
    at: str                      # UTC ISO 8601
    latest: date                 # the item's latest event date when this was recorded

    @property
    def handled(self) -> bool:
        return self.status in HANDLED


# --- validation ------------------------------------------------------------------------------

def reasons(status: str) -> tuple[str, ...]:
    """The reasons that may go with `status` (ValueError, Dutch, for an unknown status)."""
    if status not in REASONS:
        raise ValueError(f"Onbekende status {status!r}: kies uit {', '.join(STATUSES)}.")
    return REASONS[status]


def _check_reason(status: str, reason: str) -> str:
    allowed = reasons(status)
    if reason not in allowed:
        raise ValueError(f"Reden {reason!r} hoort niet bij status '{status}': kies uit "
                         f"{', '.join(allowed)}.")
    return reason


def _check_item_id(item_id: Any) -> str:
    if (not isinstance(item_id, str) or not _KIND.match(item_id) or len(item_id) > MAX_ID_LENGTH
            or not item_id.isprintable()):
        raise ValueError("Onbekend punt op de werklijst: de opvolging is niet vastgelegd.")
    return item_id


def _day(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"Ongeldige datum van de laatste gebeurtenis: {value!r}.") from None


def assignees(con: sqlite3.Connection) -> tuple[str, ...]:
    """The local accounts an item can be assigned to: analysts and stewards (who may see the
    keys an item can name), sorted."""
    return tuple(a.name for a in accounts.list_accounts(con) if a.role in access.ANALYSTS)


def _check_assignee(con: sqlite3.Connection, assignee: str | None, status: str,
                    allowed: Iterable[str] | None) -> str | None:
    if assignee is None or not str(assignee).strip():
        if status == "opgepakt":
            raise ValueError("Een opgepakt punt is aan iemand toegewezen: kies een gebruiker.")
        return None
    name = accounts.normalize_name(str(assignee))
    names = set(assignees(con)) | {accounts.normalize_name(a) for a in (allowed or ())}
    if name not in names:
        raise ValueError(f"Onbekende gebruiker {name!r}: toewijzen kan alleen aan een bestaand "
                         "account van een analist of beheerder.")
    return name


def audit_object(item_id: str) -> str:
    """The item id as the audit log holds it: a key shortened to its first KEY_SHOWN
    characters, as a Koppelingen detail view is logged (`sleutel:<short>`)."""
    return _KEY_RUN.sub(lambda m: m.group(0)[:KEY_SHOWN], item_id)


# --- writing ---------------------------------------------------------------------------------

def record(con: sqlite3.Connection, item_id: str, *, status: str, reason: str,
           assignee: str | None, actor: str, role: str, latest: date | str,
           origin: str = "app", session: str | None = None, load_id: str | None = None,
           allowed: Iterable[str] | None = None) -> bool:
    """Record a change of an item's follow-up: audited first, then appended to the history.

    `actor` and `role` are who makes the change (the signed-in user); `latest` is the item's
    `latest` event date as shown; `origin`, `session` and `load_id` go to the audit row like
    the gateway's other rows. `allowed`: further names that may be assigned (OIDC identities
    with an analyst role; local accounts are always looked up). Returns False when nothing
    changed (same status, reason, assignee and date as now: a rerun), True when recorded.

    Raises access.AccessDenied for a role without the "detail" permission, and ValueError
    (Dutch, safe to show) for an unknown status, a reason not of that status, an assignee
    that is not an analyst's or steward's account, or an invalid item id or date.
    """
    access.require(role, PERMISSION)
    item_id = _check_item_id(item_id)
    reason = _check_reason(status, reason)
    assignee = _check_assignee(con, assignee, status, allowed)
    day = _day(latest)
    actor = (actor or "").strip()
    if not actor:
        raise ValueError("Onbekend wie de wijziging doet: de opvolging is niet vastgelegd.")
    before = _latest_row(con, item_id)
    if before is not None and (before.status, before.reason, before.assignee, before.latest) == (
            status, reason, assignee, day):
        return False
    fields = {"status": status, "reden": reason, "toegewezen_aan": assignee,
              "vorige_status": before.status if before else None}
    # Audit first: if the log cannot take the row, nothing changes (audit.record raises).
    audit.record(ACTION, actor=actor, rol=role, object=audit_object(item_id), herkomst=origin,
                 filters=fields, load_id=load_id, sessie=session, con=con)
    try:
        with state.transaction(con):
            con.execute(
                "INSERT INTO opvolging (item_id, status, reden, toegewezen_aan, door, rol,"
                " gewijzigd_op, laatste_datum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (item_id, status, reason, assignee, actor, role,
                 clock.now().isoformat(timespec="seconds"), day.isoformat()))
    except Exception:
        try:   # the audited change did not happen: say so in the log too
            audit.record(ACTION, actor=actor, rol=role, object=audit_object(item_id),
                         herkomst=origin, filters=fields, load_id=load_id, sessie=session,
                         resultaat="mislukt", con=con)
        except Exception:  # noqa: BLE001 — the original error is the one to raise
            _LOG.exception("opvolging: mislukte wijziging niet in het auditlogboek")
        raise
    return True


# --- reading ---------------------------------------------------------------------------------

# Whole statements (no SQL built from parts: tests/test_hardening.py); values always bound.
_LATEST = ("SELECT nr, item_id, status, reden, toegewezen_aan, door, rol, gewijzigd_op, laatste_datum"
           " FROM opvolging WHERE item_id = ? ORDER BY nr DESC LIMIT 1")
_CURRENT = ("SELECT nr, item_id, status, reden, toegewezen_aan, door, rol, gewijzigd_op, laatste_datum"
            " FROM opvolging WHERE nr IN (SELECT max(nr) FROM opvolging GROUP BY item_id) ORDER BY nr")
_STAMP = "SELECT count(*), max(nr) FROM opvolging"
_HISTORY = ("SELECT nr, item_id, status, reden, toegewezen_aan, door, rol, gewijzigd_op, laatste_datum"
            " FROM opvolging WHERE item_id = ? ORDER BY nr")


def _row(r: sqlite3.Row) -> FollowUp:
    return FollowUp(nr=r["nr"], item_id=r["item_id"], status=r["status"], reason=r["reden"],
                    assignee=r["toegewezen_aan"], actor=r["door"], role=r["rol"],
                    at=r["gewijzigd_op"], latest=date.fromisoformat(r["laatste_datum"]))


def _latest_row(con: sqlite3.Connection, item_id: str) -> FollowUp | None:
    r = con.execute(_LATEST, (item_id,)).fetchone()
    return _row(r) if r is not None else None


def stamp(con: sqlite3.Connection) -> tuple[int, int | None]:
    """(rows, last nr) of the history: it changes with every follow-up saved (the table only
    grows; a purge lowers the count), so what is derived from `current` can be kept under it."""
    return tuple(con.execute(_STAMP).fetchone())


def current(con: sqlite3.Connection) -> dict[str, FollowUp]:
    """Every item's current follow-up (its latest row), by item id."""
    rows = con.execute(_CURRENT).fetchall()
    return {r["item_id"]: _row(r) for r in rows}


def history(con: sqlite3.Connection, item_id: str) -> list[FollowUp]:
    """An item's follow-up history, oldest first."""
    return [_row(r) for r in con.execute(_HISTORY, (item_id,))]


def returned(item: ItemLike, follow: FollowUp | None) -> bool:
    """Whether a handled item is back: something happened at it after it was handled."""
    return follow is not None and follow.handled and _day(item.latest) > follow.latest


def is_open(item: ItemLike, follow: FollowUp | None) -> bool:
    return follow is None or not follow.handled or returned(item, follow)


def open_items(items: Sequence[ItemLike], current: dict[str, FollowUp]
               ) -> list[tuple[ItemLike, FollowUp | None]]:
    """The items still to act on, in the given order, each with its current follow-up (None:
    never touched). A handled item is left out unless `returned` (then its follow-up still
    says how it was handled: the page shows it as back on the list)."""
    return [(item, current.get(item.id)) for item in items if is_open(item, current.get(item.id))]


def closed_items(items: Sequence[ItemLike], current: dict[str, FollowUp]
                 ) -> list[tuple[ItemLike, FollowUp]]:
    """The handled items that stay off the list (nothing new since), in the given order."""
    out = []
    for item in items:
        follow = current.get(item.id)
        if follow is not None and not is_open(item, follow):
            out.append((item, follow))
    return out
