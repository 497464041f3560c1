"""The audit log: one row per event, hash-chained, verifiable, no secrets, no rerun rows."""
from __future__ import annotations

import json
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
    # someone who also rewrites the head: the day's anchor (row 1) still holds, so only a
    # head noted elsewhere later (--kop, `anker`, syslog) catches this cut
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
    assert "5 regel(s)" in result.stdout


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


# --- Issue 23, item 4: the chain can be rewritten by anyone with file access ----------------

def _rewrite(con, edit_nr: int | None, keep: int) -> None:
    """The attack: change a row, cut the tail, recompute every hash and the head in the same
    file, so the chain is consistent again."""
    con.execute("UPDATE auditlog SET rijen = 0, object = 'niets te zien' WHERE nr = ?", (edit_nr,))
    con.execute("DELETE FROM auditlog WHERE nr > ?", (keep,))
    previous = audit.GENESIS
    for r in con.execute(audit._SELECT_CHAIN).fetchall():
        row = dict(r)
        h = audit.row_hash(previous, row)
        con.execute("UPDATE auditlog SET vorige_hash = ?, hash = ? WHERE nr = ?", (previous, h, row["nr"]))
        previous = h
    con.execute("UPDATE auditkop SET nr = ?, hash = ?", (keep, previous))


def test_a_consistently_rewritten_chain_fails_on_the_anchor(log):
    path, con = log
    _fill(con, 5)
    assert cli("anker", "--state", str(path)).returncode == 0        # the daily anchor: row 5
    _fill(con, 2)                                                     # rows 6, 7
    _rewrite(con, edit_nr=2, keep=6)
    # first half: inside the file everything is consistent again
    walk = [dict(r) for r in con.execute(audit._SELECT_CHAIN)]
    assert all(audit.row_hash(r["vorige_hash"], r) == r["hash"] for r in walk)
    # now it fails, on the anchor outside the file
    ok, message = audit.verify(con)
    assert not ok and "rij 5" in message and "vastgelegde kop" in message
    result = cli("verify", "--state", str(path))
    assert result.returncode == 1 and "herschreven" in result.stderr


def test_cutting_below_an_anchor_fails(log):
    path, con = log
    _fill(con, 5)
    cli("anker", "--state", str(path))
    _rewrite(con, edit_nr=None, keep=3)                 # only the tail, head recomputed
    assert not audit.verify(con)[0]
    result = cli("verify", "--state", str(path))
    assert result.returncode == 1 and "rij 5" in result.stderr and "ingekort" in result.stderr


def test_the_anchor_file_is_only_appended_to(log):
    path, con = log
    _fill(con, 3)
    anchors = audit.anchor_path(path)
    first = anchors.read_text()
    assert "nr=1 " in first                                  # the day's first row anchored itself
    _fill(con, 2)
    assert anchors.read_text() == first                      # once a day, not per row
    cli("anker", "--state", str(path))
    text = anchors.read_text()
    assert text.startswith(first) and text.count(audit.ANCHOR_TAG) == 2 and "nr=5 " in text
    assert oct(anchors.stat().st_mode & 0o777) == "0o600"


def test_an_append_only_anchor_file_cannot_be_rewritten_by_the_app(log):
    """On servers the file has `chattr +a`: the app still appends, nobody rewrites it."""
    import shutil
    path, con = log
    _fill(con, 2)
    anchors = audit.anchor_path(path)
    if not shutil.which("chattr") or subprocess.run(["chattr", "+a", str(anchors)]).returncode:
        pytest.skip("chattr +a is hier niet mogelijk")
    try:
        assert cli("anker", "--state", str(path)).returncode == 0
        with pytest.raises(PermissionError):
            open(anchors, "w").close()
        with pytest.raises(PermissionError):
            anchors.unlink()
        assert anchors.read_text().count(audit.ANCHOR_TAG) == 2
    finally:
        subprocess.run(["chattr", "-a", str(anchors)])


def test_a_missing_anchor_file_fails_closed(log):
    path, con = log
    _fill(con, 2)
    audit.anchor_path(path).unlink()
    ok, message = audit.verify(con)
    assert not ok and "ankerbestand ontbreekt" in message
    assert cli("verify", "--state", str(path)).returncode == 1


def test_anchor_path_is_configurable(log, tmp_path, monkeypatch):
    path, con = log
    elsewhere = tmp_path / "elders" / "anker.log"
    elsewhere.parent.mkdir()
    monkeypatch.setenv(audit.ANCHOR_ENV, str(elsewhere))
    _fill(con, 2)
    assert elsewhere.exists() and not path.with_name("auditanker.log").exists()
    assert audit.verify(con)[0]


@pytest.fixture
def syslog(tmp_path, monkeypatch):
    """A syslog socket of our own (what /dev/log is on a server)."""
    import socket
    address = tmp_path / "log.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(address))
    sock.settimeout(2)
    monkeypatch.setenv(audit.SYSLOG_ENV, str(address))

    def received() -> list[str]:
        out = []
        sock.setblocking(False)
        try:
            while True:
                out.append(sock.recv(65536).decode())
        except BlockingIOError:
            pass
        return out
    yield received
    sock.close()


def test_audit_rows_and_anchors_go_to_syslog_without_personal_data(log, syslog):
    path, con = log
    audit.record("inloggen", actor="Hunter2-Wachtwoord", resultaat="mislukt", herkomst="app 10.0.0.9", con=con)
    audit.record("detail", actor="piet", rol="analist", object="sleutel:ab12cd", con=con,
                 filters={"doel": "onderzoek Voorstraat 1", "adres": "Voorstraat 1"})
    audit.record("export", actor="piet", rol="analist", object="hennep.csv", rijen=3,
                 export_sha256=audit.sha256(b"x"), con=con)
    messages = syslog()
    rows = [m for m in messages if audit.ROW_TAG in m]
    assert len(rows) == 3 and sum(audit.ANCHOR_TAG in m for m in messages) == 1
    assert all(m.startswith("<86>dijkwacht: ") for m in messages)     # authpriv.info
    everything = "\n".join(messages)
    for secret in ("Hunter2", "hunter2", "ab12cd", "Voorstraat", "onderzoek"):
        assert secret not in everything
    heads = {a.nr: a.hash for a in audit.parse_anchors(rows, "syslog")}
    assert heads == {r["nr"]: r["hash"] for r in con.execute("SELECT nr, hash FROM auditlog")}
    assert '"actor":"piet"' in rows[2] and '"object":"hennep.csv"' in rows[2]


def test_syslog_copies_catch_a_rewrite_after_the_last_anchor(log, syslog, tmp_path):
    """The daily anchor only covers the morning; the SIEM's row copies cover the rest."""
    path, con = log
    _fill(con, 6)                         # anchored at row 1 only
    export = tmp_path / "siem-export.log"
    export.write_text("\n".join(syslog()))
    _rewrite(con, edit_nr=4, keep=5)
    assert audit.verify(con)[0]           # the anchor file alone (row 1) cannot see it
    result = cli("verify", "--state", str(path), "--anker", str(export))
    assert result.returncode == 1 and "rij 4" in result.stderr


def test_no_syslog_no_problem(log, monkeypatch):
    path, con = log
    monkeypatch.setenv(audit.SYSLOG_ENV, str(path.with_name("bestaat-niet.sock")))
    assert audit.record("pagina", actor="a", con=con) == 1
    monkeypatch.setenv(audit.SYSLOG_ENV, "uit")
    assert audit.record("pagina", actor="a", con=con) == 2
