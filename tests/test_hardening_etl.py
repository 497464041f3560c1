"""Issue 23 ("Hardening, round two"), the ETL's part: items 1 (identifiers in the
quarantine), 3 (weak pseudonym keys), 9 (the inbox follows symlinks) and the suspicion about
plain partner record numbers. Each attack test first does what the attacker did, then shows
it no longer works. (Item 11 is in test_hardening.py, the formula suspicion in
test_exports.py.)"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import sqlite3
import string
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from etl_support import table

from dijkwacht import config
from etl import inbox as inbox_mod
from etl import keys
from etl.__main__ import main
from etl.clean import HIDDEN, WHOLE_LINE, looks_identifying, mask_text
from etl.inbox import DONE, REJECTED, UnsafeFolder, Watch, file_away, process, purge_raw_files
from etl.load import FileReport, Prepared, UsageError, files_in, prepare, run
from etl.read import NotARegularFile, read_bytes_safely
from etl.reference import valid_buurtcodes

# Keys that pass the key-strength rule; never real ones.
KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"
OTHER_KEY = b"r3Vx9QmLk2TzWp7HcN5bJd8FgY4sAe6UoKi1XqRtMnBvCz0PwSyDlGhJfEaOu-_L"
BSN = "123456782"
HENNEP = "registratienummer;datum_ontmanteling;adres;postcode;eigenaar_id;maatregel"


@pytest.fixture(autouse=True)
def _state_beside_the_database(monkeypatch):
    monkeypatch.delenv("DIJKWACHT_STATE", raising=False)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "db" / "dijkwacht.duckdb"


def write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(db: Path, *paths: Path, key: bytes = KEY):
    return run(list(paths), db, key=key, progress=lambda _: None)


def state_rows(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db.with_name("state.sqlite"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def state_bytes(db: Path) -> bytes:
    """Everything state.sqlite holds on disk (the database, its WAL and shared memory)."""
    return b"".join(p.read_bytes() for p in db.parent.glob("state.sqlite*"))


def everything_in_state(db: Path) -> str:
    """Every text value of every table of state.sqlite, one string."""
    con = sqlite3.connect(db.with_name("state.sqlite"))
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(str(v) for n in names for row in con.execute(f'SELECT * FROM "{n}"')
                         for v in row)
    finally:
        con.close()


# ================================================================ item 1: the quarantine

def test_a_shifted_identifier_never_reaches_the_quarantine(tmp_path, db):
    """The attack: an unquoted ';' in the address shifts eigenaar_id into maatregel; the
    quarantine stored 123456782 in plain text (column `maatregel` is not identifying)."""
    path = write(tmp_path / "in", "hennepkwekerijen.csv", [
        HENNEP,
        f"HK-1;01-02-2024;Voorstraat 1; 2e etage;3311XC;{BSN};sluiting",   # the shifted line
        "HK-2;01-02-2024;Kerkstraat 3;3311XC;E-9;kelder",                  # an ordinary bad value
    ])
    (report,) = load(db, path)
    assert (report.status, report.rows_in, report.loaded, report.quarantined) == ("loaded", 2, 0, 2)
    q = state_rows(db, "SELECT regel, kolom, regel_fout, waarde FROM quarantaine ORDER BY regel")
    assert q[0][:2] == (2, WHOLE_LINE) and q[0][3] == HIDDEN
    assert q[0][2].startswith("regel heeft 7 velden, de kopregel 6: waarschijnlijk een scheidingsteken")
    assert q[1] == (3, "maatregel", q[1][2], "kelder")          # readable: column, rule, value
    assert q[1][2].startswith("waarde niet toegestaan")
    # Nothing else of the shifted line reached state.sqlite, in any table or on disk.
    for secret in (BSN, "Voorstraat", "2e etage", "3311XC"):
        assert secret not in everything_in_state(db)
        assert secret.encode() not in state_bytes(db)
    # and nothing of it was loaded
    assert table(db, "SELECT count(*) FROM hennepkwekerijen") == [(0,)]


def test_a_shifted_line_in_a_file_with_multiline_cells(tmp_path, db):
    path = write(tmp_path / "in", "hennepkwekerijen.csv", [
        HENNEP,
        'HK-1;01-02-2024;"Voorstraat 1', 'achter";3311XC;E-1;sluiting',
        f"HK-2;01-02-2024;Kerkstraat 3;bis;3311XC;{BSN};geen",
    ])
    (report,) = load(db, path)
    assert (report.loaded, report.quarantined) == (1, 1)
    assert state_rows(db, "SELECT regel, kolom, waarde FROM quarantaine") == [(4, WHOLE_LINE, HIDDEN)]
    assert BSN.encode() not in state_bytes(db)


def test_empty_fields_after_the_last_column_are_not_a_shift(tmp_path, db):
    path = write(tmp_path / "in", "hennepkwekerijen.csv", [
        HENNEP, "HK-1;01-02-2024;Voorstraat 1;3311XC;E-1;sluiting;;", "HK-2;01-02-2024;;;;"])
    (report,) = load(db, path)
    assert (report.loaded, report.quarantined) == (2, 0)


IDENTIFIERS = {
    "maatregel": BSN,                                   # BSN
    "locatietype": "pietje.puk@example.nl",             # e-mail
    "stroomdiefstal": "NL91 ABNA 0417 1643 00",         # IBAN
    "eigendom": "3311 XC 12",                           # postcode with house number
}


def test_identifier_looking_values_are_hidden_in_any_column(tmp_path, db):
    """Per value, not per column: an identifier typed into the wrong (non-identifying)
    column is hidden; an ordinary wrong value stays readable, with its column and rule."""
    header = "registratienummer;datum_ontmanteling;" + ";".join(IDENTIFIERS)
    path = write(tmp_path / "in", "hennepkwekerijen.csv", [
        header,
        "HK-1;01-02-2024;" + ";".join(IDENTIFIERS.values()),
        "HK-2;01-02-2024;kelder;misschien;huurder;06-12345678",
        "12345678;31-02-2024;woning;ja;onbekend;geen",          # a KvK number as record number
        "12345678;01-02-2024;woning;ja;onbekend;geen",          # … twice: the duplicate rule
    ])
    (report,) = load(db, path)
    q = state_rows(db, "SELECT regel, kolom, regel_fout, waarde FROM quarantaine ORDER BY regel, kolom")
    shown = {(line, col): value for line, col, _, value in q}
    for col in IDENTIFIERS:
        assert shown[(2, col)] == HIDDEN
    assert shown[(3, "maatregel")] == "kelder" and shown[(3, "locatietype")] == "misschien"
    assert shown[(3, "stroomdiefstal")] == "huurder" and shown[(3, "eigendom")] == HIDDEN   # a phone number
    assert shown[(4, "datum_ontmanteling")] == "31-02-2024"
    assert shown[(5, "registratienummer")] == HIDDEN
    assert all(rule and not rule.startswith("(") for _, _, rule, _ in q)
    blob = everything_in_state(db)
    for value in [*IDENTIFIERS.values(), "06-12345678", "12345678"]:
        assert value not in blob


def test_a_file_without_a_header_row_keeps_its_first_row_out_of_the_load_log(tmp_path, db):
    """Without a header the first data row becomes the 'unknown columns' of the load log."""
    path = write(tmp_path / "in", "hennepkwekerijen.csv", [
        f"HK-1;01-02-2024;Voorstraat 1;3311XC;{BSN};pietje@example.nl;sluiting"])
    (report,) = load(db, path)
    assert report.status == "rejected"
    assert BSN not in json.dumps(report.unknown_columns) and "pietje" not in json.dumps(report.unknown_columns)
    assert BSN not in everything_in_state(db) and "3311XC" not in everything_in_state(db)


def test_the_polars_and_python_masks_agree():
    values = [BSN, "1234.56.782", "+31 6 1234 5678", "0612345678", "010 123 4567", "NL91ABNA0417164300",
              "a@b.nl", "3311XC 12", "12, 3311 XC", "Voorstraat 12", "Kerkweg 3a", "31-02-2024", "31-02-2024 10:00",
              "2024-02-01 10:00:00", "45325", "1.040", "-1", "kelder", "HK-1", "Training 2", "BU05050101", "-1.234,56",
              "", None]
    polars_says = pl.select(looks_identifying(pl.lit(pl.Series(values, dtype=pl.String)))).to_series().to_list()
    python_says = [mask_text(v) == HIDDEN for v in values]
    assert polars_says == python_says
    assert python_says[:11] == [True] * 11 and not any(python_says[11:])


# =============================================================== item 3: the pseudonym key

WEAK = {
    "README-voorbeeld": b"probeer-sleutel",
    "kort": b"x",
    "herhaald": b"a" * 64,
    "patroon": b"abc123" * 8,
    "woorden": b"dijkwacht-sleutel-dordrecht-gemeente-2026!",
    "demosleutel": config.DEMO_KEY,
}


@pytest.mark.parametrize("name", sorted(WEAK))
def test_weak_keys_are_refused_for_real_loads(tmp_path, db, name):
    """The attack: any key was accepted (the README's example too). Now a real load with a
    weak key stops before reading anything, with a Dutch refusal that says how to make one."""
    path = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    with pytest.raises(UsageError) as refused:
        load(db, path, key=WEAK[name])
    message = str(refused.value)
    assert "pseudoniemsleutel" in message and "secrets.token_urlsafe(48)" in message
    assert WEAK[name].decode() not in message
    assert not db.exists() and not db.with_name("state.sqlite").exists()
    # the Data page's preview (etl.load.prepare) refuses it too
    outcome = prepare(path, WEAK[name], valid_buurtcodes(), None, set())
    assert isinstance(outcome, FileReport) and outcome.status == "rejected"
    assert "pseudoniemsleutel" in outcome.message


def test_the_cli_refuses_the_readme_example_with_exit_2(tmp_path, db, monkeypatch, capsys):
    monkeypatch.setenv(config.KEY_ENV, "probeer-sleutel")
    path = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    assert main([str(path), "--db", str(db), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert "voorbeeld" in out["error"] and "token_urlsafe" in out["error"] and out["files"] == []


def test_strong_keys_pass_and_the_demo_key_keys_the_demo():
    import secrets
    for _ in range(5):
        assert config.key_problem(secrets.token_urlsafe(48).encode()) is None
        assert config.key_problem(secrets.token_urlsafe(32).encode()) is None     # 43 characters
    assert config.key_problem(KEY) is None and config.key_problem(OTHER_KEY) is None
    assert config.key_problem(config.DEMO_KEY)          # never for real data …


def test_the_demo_database_is_keyed_with_the_demo_key(demo_con):
    """… while the demo keeps loading with it (conftest builds it with run(demo=True)).
    Read through the session's hardened connection: DuckDB refuses a second connection to
    the same file with another configuration."""
    (demo, fingerprint), = demo_con.execute("SELECT demo, sleutel_vingerafdruk FROM meta").fetchall()
    assert demo and fingerprint == config.key_fingerprint(config.DEMO_KEY)
    assert config.key_matches(fingerprint, config.DEMO_KEY)


def _recover(fingerprint: str, make) -> bytes | None:
    """An offline guess over every key of 1–2 printable characters."""
    for n in (1, 2):
        for letters in itertools.product(string.printable[:94], repeat=n):
            guess = "".join(letters).encode()
            if make(guess) == fingerprint:
                return guess
    return None


def test_the_stored_fingerprint_no_longer_gives_the_key_away(tmp_path, db):
    """The attack: the unsalted fingerprint of key 'x' was recovered offline. It still would
    be (first half); now the key 'x' cannot key a database at all, and what a database stores
    is HMAC(key, fixed label): only someone who has the key can compute or test it."""
    assert _recover(config.legacy_key_fingerprint(b"x"), config.legacy_key_fingerprint) == b"x"
    with pytest.raises(UsageError):
        load(db, write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"]), key=b"x")

    load(db, write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"]))
    (stored,), = table(db, "SELECT sleutel_vingerafdruk FROM meta")
    assert stored.startswith("v2:") and len(stored) == 3 + 64
    assert stored == "v2:" + hmac.new(KEY, b"dijkwacht\x00sleutelcontrole\x00v2", hashlib.sha256).hexdigest()
    assert KEY.decode() not in stored and hashlib.sha256(KEY).hexdigest() not in stored
    assert config.key_matches(stored, KEY) and not config.key_matches(stored, OTHER_KEY)
    assert not any(config.key_fingerprint(k) == stored for k in [*WEAK.values(), b"test-sleutel"])


def test_an_old_fingerprint_is_accepted_once_and_replaced(tmp_path, db):
    """A database built before this change carries the old fingerprint: the same key is
    accepted and the publication stores the check value; another key is refused."""
    load(db, write(tmp_path / "in", "activiteiten_1.csv", ["datum;titel;pijler", "01-02-2024;A;1"]))
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET sleutel_vingerafdruk = ?", [config.legacy_key_fingerprint(KEY)])
    con.close()
    assert config.fingerprint_is_legacy(table(db, "SELECT sleutel_vingerafdruk FROM meta")[0][0])

    (other,) = load(db, write(tmp_path / "in", "activiteiten_2.csv", ["datum;titel;pijler", "02-02-2024;B;1"]),
                    key=OTHER_KEY)
    assert other.status == "rejected" and "sleutel" in other.message
    (same,) = load(db, write(tmp_path / "in", "activiteiten_3.csv", ["datum;titel;pijler", "03-02-2024;C;1"]))
    assert same.status == "loaded"
    assert table(db, "SELECT sleutel_vingerafdruk FROM meta") == [(config.key_fingerprint(KEY),)]


# ================================================================ item 9: the inbox

GROW_SITE = [HENNEP, f"HK-99;01-02-2024;Geheimstraat 1;3311XC;{BSN};sluiting"]
LONG_AGO = 1_000_000_000            # 2001-09-09


def _outside(tmp_path: Path) -> Path:
    target = write(tmp_path / "buiten", "passwd", GROW_SITE)
    os.utime(target, (LONG_AGO, LONG_AGO))
    return target


def _settled(inbox: Path) -> list[Path]:
    watch = Watch(inbox)
    watch.ready(now=0.0)
    return watch.ready(now=100.0)


def test_a_symlink_in_the_inbox_is_refused_and_its_target_never_touched(tmp_path, db, monkeypatch):
    """The attack: a link in the inbox made the ETL read a file outside it, and filing the
    link away set the target's modification time. Now the link is refused unread, moved
    as a link, and the target keeps its content, place and time."""
    monkeypatch.setenv(config.KEY_ENV, KEY.decode())
    target = _outside(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "hennepkwekerijen_link.csv").symlink_to(target)
    before = (target.read_bytes(), os.stat(target).st_mtime_ns)

    ready = _settled(inbox)
    assert [p.name for p in ready] == ["hennepkwekerijen_link.csv"]
    (report,) = process(inbox, ready, db, say=lambda _: None)

    assert report.status == "rejected" and "symbolische koppeling" in report.message
    assert (target.read_bytes(), os.stat(target).st_mtime_ns) == before
    assert not db.exists()                                     # nothing was published
    filed = [p for p in (inbox / REJECTED).iterdir() if not p.name.endswith(".fout.txt")]
    assert len(filed) == 1 and filed[0].is_symlink() and os.readlink(filed[0]) == str(target)
    fout = next((inbox / REJECTED).glob("*.fout.txt")).read_text(encoding="utf-8")
    assert "symbolische koppeling" in fout and BSN not in fout
    assert BSN.encode() not in state_bytes(db)

    # the retention purge removes the link, never its target
    assert filed[0] in purge_raw_files(inbox, days=30, now=time.time() + 31 * 86400)
    assert not os.path.lexists(filed[0]) and target.read_bytes() == before[0]
    assert os.stat(target).st_mtime_ns == before[1]


def test_links_to_folders_pipes_and_dangling_links_are_refused(tmp_path, db, monkeypatch):
    monkeypatch.setenv(config.KEY_ENV, KEY.decode())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "map").mkdir()
    (inbox / "signalen_map.csv").symlink_to(tmp_path / "map")
    (inbox / "signalen_weg.csv").symlink_to(tmp_path / "bestaat-niet")
    os.mkfifo(inbox / "signalen_pijp.csv")
    ready = _settled(inbox)
    assert sorted(p.name for p in ready) == ["signalen_map.csv", "signalen_pijp.csv", "signalen_weg.csv"]
    reports = process(inbox, ready, db, say=lambda _: None)      # a pipe does not block the run
    assert all(r.status == "rejected" for r in reports)
    assert {r.message.split(": ", 1)[1].split(";")[0] for r in reports} == {
        "is een symbolische koppeling (symlink)", "is geen gewoon bestand"}
    assert sorted(p.name.split("-", 1)[1] for p in (inbox / REJECTED).iterdir()
                  if not p.name.endswith(".fout.txt")) == sorted(p.name for p in ready)
    assert (tmp_path / "map").is_dir() and not (tmp_path / "bestaat-niet").exists()


def test_reading_never_follows_a_link(tmp_path):
    target = _outside(tmp_path)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    with pytest.raises(NotARegularFile):
        read_bytes_safely(link)
    assert read_bytes_safely(target) == target.read_bytes()
    outcome = prepare(link, KEY, valid_buurtcodes(), None, set())
    assert outcome.status == "rejected" and "symbolische koppeling" in outcome.message
    assert outcome.sha256 is None                                # not even hashed
    assert isinstance(prepare(target, KEY, valid_buurtcodes(), "hennepkwekerijen", set()), Prepared)


def test_a_linked_verwerkt_folder_is_refused(tmp_path):
    inbox = tmp_path / "inbox"
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    inbox.mkdir()
    (inbox / DONE).symlink_to(elsewhere)
    path = write(inbox, "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    with pytest.raises(UnsafeFolder):
        file_away(path, FileReport(file=str(path)), inbox)
    assert path.exists() and list(elsewhere.iterdir()) == []


def test_the_error_note_is_never_written_through_a_link(tmp_path):
    target = _outside(tmp_path)
    planted = tmp_path / "x.fout.txt"
    planted.symlink_to(target)
    before = target.read_bytes()
    with pytest.raises(FileExistsError):
        inbox_mod._write_new(planted, "Reden: …")
    assert target.read_bytes() == before


def test_files_in_lists_entries_by_lstat(tmp_path):
    target = _outside(tmp_path)
    folder = tmp_path / "in"
    write(folder, "a.csv", ["x;y", "1;2"])
    (folder / "b.csv").symlink_to(target)
    (folder / "sub").mkdir()
    (folder / "c.csv").symlink_to(folder / "sub")
    assert [p.name for p in files_in([folder])] == ["a.csv", "b.csv", "c.csv"]


# ============================================= suspicion: plain partner record numbers

def test_partner_record_numbers_are_stored_as_delivered_in_their_own_tables_only(tmp_path, db):
    """Decision: a partner's record number (registratienummer, transactienummer, …) is kept
    as delivered (trimmed, upper case). It names the partner's case, not a person; the
    analyst needs it to ask the partner about a record, and it is the record key that keeps
    re-deliveries idempotent. It is stored only in its source table and in the Koppelingen
    event list built from that table at load (the analyst's page, behind the same "detail"
    permission, rebuilt when retention purges the source); the fact table every aggregate
    figure comes from, the load log and the quarantine never carry it in plain text when it
    looks like an identifier. Personal identifiers in the same rows are keyed."""
    hennep = write(tmp_path / "in", "hennepkwekerijen.csv", [
        HENNEP, f" pl1700-2024-000123 ;01-02-2024;Voorstraat 1;3311XC;{BSN};sluiting"])
    fiu = write(tmp_path / "in", "verdachte_transacties.csv", [
        "transactienummer;datum;bedrag;subject_id", f"FIU-2024-77;01-02-2024;10,00;{BSN}"])
    load(db, hennep, fiu)
    assert table(db, "SELECT registratienummer, eigenaar_id FROM hennepkwekerijen") == [
        ("PL1700-2024-000123", keys.hmac_hex(KEY, BSN))]
    assert table(db, "SELECT transactienummer FROM verdachte_transacties") == [("FIU-2024-77",)]

    # Where the numbers (and the BSN) occur: every text column of every table.
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                           "WHERE data_type = 'VARCHAR'").fetchall()
        found = {(t, c) for t, c in cols for needle in ("PL1700-2024-000123", "FIU-2024-77", BSN)
                 if con.execute(f'SELECT count(*) FROM "{t}" WHERE contains("{c}", ?)',
                                [needle]).fetchone()[0]}
    finally:
        con.close()
    assert found == {("hennepkwekerijen", "registratienummer"), ("verdachte_transacties", "transactienummer"),
                     ("koppeling_gebeurtenissen", "nummer")}

    # Re-delivery with the same number replaces the record (the key is stable).
    again = write(tmp_path / "in", "hennepkwekerijen_2.csv", [
        HENNEP, "PL1700-2024-000123;02-02-2024;Voorstraat 1;3311XC;;geen"])
    (r,) = load(db, again)
    assert (r.loaded, r.replaced) == (1, 1)
    assert table(db, "SELECT count(*), any_value(maatregel) FROM hennepkwekerijen") == [(1, "geen")]
