"""Follow-up of the work list (dijkwacht/followup.py): assigned, given a status and a reason
from fixed lists, kept as history in state.sqlite, every change audited; a handled item
leaves the list and comes back only when something new happened at it."""
from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date

import pytest

from dijkwacht import access, accounts, audit, followup, linkage, state

KEY = "3f9c2a7d1e" + "b4" * 27                   # a pseudonymous key as the database holds it
ITEM_ID = f"bekende_sleutel:{KEY}"


@dataclass(frozen=True)
class FakeItem:
    """The fields of week.Item that follow-up reads."""
    id: str
    latest: date
    kind: str = "bekende_sleutel"


@pytest.fixture(scope="module")
def with_accounts(tmp_path_factory):
    """A state file with an analyst, a steward and a board member (hashing once per module)."""
    path = tmp_path_factory.mktemp("accounts") / "state.sqlite"
    con = state.connect(path)
    accounts.ensure_test_account(con, "analist", "anna")
    accounts.ensure_test_account(con, "beheerder", "bert")
    accounts.ensure_test_account(con, "bestuur", "burgemeester")
    con.close()
    return path


@pytest.fixture
def con(with_accounts, tmp_path, monkeypatch):
    monkeypatch.delenv(audit.ANCHOR_ENV, raising=False)
    monkeypatch.setenv(audit.SYSLOG_ENV, "uit")
    path = tmp_path / "state.sqlite"
    shutil.copyfile(with_accounts, path)
    con = state.connect(path)
    yield con
    con.close()


def change(con, item_id=ITEM_ID, **kw):
    args = {"status": "opgepakt", "reason": "doorgezet naar RIEC", "assignee": "anna",
            "actor": "bert", "role": "beheerder", "latest": date(2026, 6, 1)}
    return followup.record(con, item_id, **{**args, **kw})


def audit_rows(con):
    return [dict(r) for r in con.execute("SELECT * FROM auditlog WHERE actie = 'opvolging' ORDER BY nr")]


def test_fixed_lists_only():
    assert followup.STATUSES == ("nieuw", "opgepakt", "afgehandeld", "geen actie")
    assert set(followup.REASONS) == set(followup.STATUSES)
    assert all(followup.REASONS[s] and len(set(followup.REASONS[s])) == len(followup.REASONS[s])
               for s in followup.STATUSES)
    assert "doorgezet naar RIEC" in followup.REASONS["opgepakt"]
    assert "dubbel" in followup.REASONS["geen actie"]
    assert followup.ACTION in audit.ACTIONS
    assert followup.KEY_SHOWN == linkage.SHORT     # a key is logged as a Koppelingen detail view


def test_assign_status_and_reason_recorded_and_audited(con):
    assert change(con) is True
    now = followup.current(con)[ITEM_ID]
    assert (now.status, now.reason, now.assignee, now.actor, now.role, now.latest) == (
        "opgepakt", "doorgezet naar RIEC", "anna", "bert", "beheerder", date(2026, 6, 1))
    assert now.at.endswith("+00:00")
    stored = con.execute("SELECT laatste_datum, gewijzigd_op FROM opvolging").fetchone()
    assert stored["laatste_datum"] == "2026-06-01"

    [row] = audit_rows(con)
    assert (row["actor"], row["rol"], row["resultaat"], row["herkomst"]) == ("bert", "beheerder", "ok", "app")
    assert json.loads(row["filters"]) == {"status": "opgepakt", "reden": "doorgezet naar RIEC",
                                          "toegewezen_aan": "anna", "vorige_status": None}
    # The object names the item; its key only in the short form Koppelingen logs.
    assert row["object"] == f"bekende_sleutel:{linkage.short(KEY)}"
    assert KEY not in json.dumps(row)
    # ... and the SIEM's copy does not carry the object at all.
    assert "object" not in audit.syslog_fields(row)
    assert audit.verify(con)[0], audit.verify(con)[1]


def test_history_is_kept_and_the_latest_row_counts(con):
    change(con)
    change(con, status="afgehandeld", reason="maatregel genomen", actor="anna", role="analist")
    change(con, "stijging:WK050501", status="geen actie", reason="dubbel", assignee=None)
    steps = followup.history(con, ITEM_ID)
    assert [(f.status, f.reason, f.actor) for f in steps] == [
        ("opgepakt", "doorgezet naar RIEC", "bert"), ("afgehandeld", "maatregel genomen", "anna")]
    now = followup.current(con)
    assert now[ITEM_ID].status == "afgehandeld" and now[ITEM_ID].handled
    assert now["stijging:WK050501"].assignee is None
    rows = audit_rows(con)
    assert len(rows) == 3
    assert json.loads(rows[1]["filters"])["vorige_status"] == "opgepakt"
    assert audit.verify(con)[0]
    with pytest.raises(sqlite3.DatabaseError, match="niet gewijzigd"):      # append-only
        con.execute("UPDATE opvolging SET status = 'nieuw'")


def test_a_rerun_of_the_same_change_writes_nothing(con):
    assert change(con) is True
    assert change(con) is False
    assert len(followup.history(con, ITEM_ID)) == 1 and len(audit_rows(con)) == 1


@pytest.mark.parametrize("kw, message", [
    ({"status": "klaar"}, "Onbekende status"),
    ({"status": "afgehandeld", "reason": "doorgezet naar RIEC"}, "hoort niet bij status"),
    ({"reason": "de buurman belde over Jan de Vries"}, "hoort niet bij status"),    # no free text
    ({"reason": None}, "hoort niet bij status"),
    ({"assignee": "onbekend"}, "Onbekende gebruiker"),
    ({"assignee": "burgemeester"}, "Onbekende gebruiker"),   # bestuur may not see keys
    ({"assignee": None}, "opgepakt punt is aan iemand toegewezen"),
    ({"latest": "gisteren"}, "Ongeldige datum"),
    ({"actor": " "}, "Onbekend wie"),
])
def test_invalid_values_are_refused_and_nothing_is_written(con, kw, message):
    with pytest.raises(ValueError, match=message):
        change(con, **kw)
    assert followup.current(con) == {} and audit_rows(con) == []


@pytest.mark.parametrize("item_id", ["", "geen-soort", "bekende_sleutel:a\nb", 12, "x:" + "a" * 400])
def test_invalid_item_ids_are_refused(con, item_id):
    with pytest.raises(ValueError, match="Onbekend punt"):
        change(con, item_id)
    assert followup.current(con) == {}


@pytest.mark.parametrize("role", ["bestuur", None, "onbekend"])
def test_roles_without_detail_are_refused(con, role):
    with pytest.raises(access.AccessDenied):
        change(con, role=role)
    assert followup.current(con) == {} and audit_rows(con) == []


def test_assignee_is_normalised_and_oidc_identities_can_be_allowed(con):
    change(con, assignee=" Anna ")
    assert followup.current(con)[ITEM_ID].assignee == "anna"
    with pytest.raises(ValueError):
        change(con, "stijging:WK1", assignee="oidc-analist-1")
    change(con, "stijging:WK1", assignee="oidc-analist-1", allowed=["oidc-analist-1"])
    assert followup.current(con)["stijging:WK1"].assignee == "oidc-analist-1"
    assert followup.assignees(con) == ("anna", "bert")


def test_no_change_without_its_audit_row(con, monkeypatch):
    def broken(*a, **kw):
        raise sqlite3.OperationalError("database is locked")
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(sqlite3.OperationalError):
        change(con)
    assert followup.current(con) == {}


def test_a_handled_item_leaves_the_list_and_returns_only_when_latest_moves(con):
    a = FakeItem(ITEM_ID, date(2026, 6, 1))
    b = FakeItem("stijging:WK050501", date(2026, 6, 3), "stijging")
    c = FakeItem("levering:signalen", date(2026, 6, 2), "levering")
    items = [a, b, c]
    change(con, b.id, status="opgepakt", reason="in behandeling bij OOV", latest=b.latest)
    change(con, a.id, status="afgehandeld", reason="maatregel genomen", latest=a.latest)
    change(con, c.id, status="geen actie", reason="al bekend bij partner", assignee=None, latest=c.latest)

    listed = followup.open_items(items, followup.current(con))
    assert [(i.id, f.status) for i, f in listed] == [(b.id, "opgepakt")]       # taken up: still open
    assert [i.id for i, _ in followup.closed_items(items, followup.current(con))] == [a.id, c.id]

    # The next load: nothing new at a (same latest date), something new at c.
    later = [FakeItem(a.id, date(2026, 6, 1)), b, FakeItem(c.id, date(2026, 6, 9), "levering")]
    listed = followup.open_items(later, followup.current(con))
    assert [i.id for i, _ in listed] == [b.id, c.id]
    back = dict((i.id, (i, f)) for i, f in listed)[c.id]
    assert back[1].status == "geen actie" and followup.returned(*back)

    # Taken up again, then handled again at the new date: gone until it moves once more.
    change(con, c.id, status="afgehandeld", reason="doorgezet en afgesloten", latest=date(2026, 6, 9))
    assert [i.id for i, _ in followup.open_items(later, followup.current(con))] == [b.id]
    new_item = FakeItem("onbeantwoord:S-1", date(2026, 6, 9), "onbeantwoord")
    assert followup.open_items([new_item], followup.current(con)) == [(new_item, None)]
    assert audit.verify(con)[0]


def test_an_existing_state_file_gets_the_table(tmp_path):
    path = tmp_path / "oud.sqlite"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE laadruns (load_id TEXT PRIMARY KEY, gestart_op TEXT NOT NULL, klaar_op TEXT,"
                " soort TEXT NOT NULL, database TEXT NOT NULL, gepubliceerd INTEGER NOT NULL DEFAULT 0,"
                " status TEXT NOT NULL DEFAULT 'bezig', melding TEXT)")
    old.execute("INSERT INTO laadruns (load_id, gestart_op, soort, database) VALUES ('L1', 'x', 'laden', 'd')")
    old.commit()
    old.close()
    con = state.connect(path)
    try:
        assert followup.current(con) == {}
        assert con.execute("SELECT count(*) FROM laadruns").fetchone()[0] == 1
        con.execute("INSERT INTO opvolging (item_id, status, reden, door, rol, gewijzigd_op, laatste_datum)"
                    " VALUES ('a:b', 'nieuw', 'heropend', 'x', 'analist', 't', '2026-01-01')")
        with pytest.raises(sqlite3.IntegrityError):            # the status list holds in the table too
            con.execute("INSERT INTO opvolging (item_id, status, reden, door, rol, gewijzigd_op, laatste_datum)"
                        " VALUES ('a:b', 'klaar', 'x', 'x', 'analist', 't', '2026-01-01')")
    finally:
        con.close()
