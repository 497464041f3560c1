"""The audit log: one row per event, hash-chained, verifiable, no secrets, no rerun rows."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from dijkwacht import audit, config, state


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "state.sqlite"
    con = state.connect(path)
    yield path, con
    con.close()


def _fill(con, n=5):
    for i in range(n):
        audit.record("pagina", actor="analist1", rol="analist", object=f"pagina{i}",
                     filters={"van": "2025-01-01", "gebied": "WK050501"}, rijen=i, con=con)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "dijkwacht.audit", *args], capture_output=True,
                          text=True, cwd=config.ROOT)


def test_every_kind_of_event_writes_one_chained_row(log):
    path, con = log
    audit.record("inloggen", actor="piet", resultaat="mislukt", herkomst="app 10.0.0.1", con=con)
    audit.record("inloggen", actor="piet", rol="analist", con=con)
    audit.record("pagina", actor="piet", rol="analist", object="hennep",
                 filters={"van": "2025-01-01"}, rijen=12, load_id="L1", con=con)
    audit.record("detail", actor="piet", rol="analist", object="sleutel:ab12", con=con)
    audit.record("export", actor="piet", rol="analist", object="hennep.csv", rijen=3,
                 export_sha256=audit.sha256(b"x"), con=con)
    audit.record("weigering", actor="piet", rol="bestuur", object="data", resultaat="geweigerd", con=con)
    audit.record("laden", actor="etl", herkomst="etl", load_id="L2", rijen=100, con=con)
    rows = [dict(r) for r in con.execute("SELECT * FROM auditlog ORDER BY nr")]
    assert [r["nr"] for r in rows] == list(range(1, 8))
    assert rows[0]["vorige_hash"] == audit.GENESIS
    assert all(b["vorige_hash"] == a["hash"] for a, b in zip(rows, rows[1:]))
    assert rows[4]["export_sha256"] == audit.sha256(b"x")
    assert rows[0]["tijd"].endswith("+00:00")
    assert audit.verify(con)[0]


def test_verifier_names_a_changed_row(log):
    path, con = log
    _fill(con)
    con.execute("UPDATE auditlog SET rijen = 999 WHERE nr = 3")
    ok, message = audit.verify(con)
    assert not ok and "rij 3" in message
    result = cli("verify", "--state", str(path))
    assert result.returncode == 1 and "rij 3" in result.stderr


def test_verifier_names_a_deleted_row(log):
    path, con = log
    _fill(con)
    con.execute("DELETE FROM auditlog WHERE nr = 2")
    ok, message = audit.verify(con)
    assert not ok and "rij 2" in message
    assert cli("verify", "--state", str(path)).returncode == 1


def test_verifier_catches_a_cut_off_tail_and_a_rewritten_chain(log):
    path, con = log
    _fill(con)
    head = cli("head", "--state", str(path)).stdout.strip()
    con.execute("DELETE FROM auditlog WHERE nr = 5")
    ok, message = audit.verify(con)
    assert not ok and "rij 5" in message
    # someone who also rewrites the head is caught by a head noted elsewhere
    last = con.execute("SELECT nr, hash FROM auditlog ORDER BY nr DESC LIMIT 1").fetchone()
    con.execute("UPDATE auditkop SET nr = ?, hash = ?", (last["nr"], last["hash"]))
    assert audit.verify(con)[0]
    result = cli("verify", "--state", str(path), "--kop", head)
    assert result.returncode == 1 and "rij 5" in result.stderr


def test_intact_log_exits_zero(log):
    path, con = log
    _fill(con)
    result = cli("verify", "--state", str(path))
    assert result.returncode == 0, result.stderr
    assert "5 rij" in result.stdout


def test_rerun_of_the_same_view_writes_no_second_row(log):
    _, con = log
    kw = dict(actor="b", rol="bestuur", object="briefing", filters={"van": "2025-01-01"},
              sessie="sessie-1", dedupe=True, con=con)
    assert audit.record("pagina", **kw) == 1
    assert audit.record("pagina", **kw) is None            # rerun / timed refresh
    assert audit.record("pagina", **{**kw, "filters": {"van": "2024-01-01"}}) == 2
    assert audit.record("pagina", **{**kw, "sessie": "sessie-2"}) == 3    # another session
    assert audit.record("pagina", **kw) == 4               # back to the first view: a new view
    assert audit.verify(con)[0]


def test_no_secrets_or_session_ids_in_the_log(log):
    _, con = log
    audit.record("inloggen", actor="piet", con=con, sessie="GEHEIM-SESSIE-ID",
                 filters={"wachtwoord": "hunter2", "token": "abc", "adres": "Voorstraat 1",
                          "gebied": "WK050501"}, dedupe=True)
    dump = "\n".join(con.iterdump())
    for secret in ("hunter2", "GEHEIM-SESSIE-ID", "abc\"", "Voorstraat"):
        assert secret not in dump
    filters = json.loads(con.execute("SELECT filters FROM auditlog").fetchone()[0])
    assert filters == {"adres": "(verwijderd)", "gebied": "WK050501", "token": "(verwijderd)",
                       "wachtwoord": "(verwijderd)"}


def test_query_filters_with_bound_parameters(log):
    _, con = log
    _fill(con, 3)
    audit.record("export", actor="x' OR '1'='1", con=con)
    assert len(audit.query(con)) == 4
    assert len(audit.query(con, actie="export")) == 1
    assert audit.query(con, actor="x' OR '1'='1")[0]["actie"] == "export"
    assert audit.query(con, actor="nobody") == []


def test_unknown_action_is_refused(log):
    _, con = log
    with pytest.raises(ValueError):
        audit.record("iets", actor="a", con=con)
