"""Deliveries (idempotent upserts, name order, nothing lost by omission), the load log, and
the CLI contract of issue 2 item 5: exit codes 0/1/2 and the exact JSON shape."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest
from etl_support import table

from dijkwacht import clock, config
from etl.__main__ import main
from etl.load import run
from etl.versions import SCHEMA_VERSION, list_versions

# A key that passes the key-strength rule (config.key_problem); never a real one.
KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"
FIELDS = ["file", "sha256", "source", "rows_in", "loaded", "quarantined", "replaced", "unknown_columns",
          "warnings", "status", "message"]


def write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(db: Path, *paths: Path, **kw):
    return run(list(paths), db, key=kw.pop("key", KEY), progress=lambda _: None, **kw)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "db" / "dijkwacht.duckdb"


def test_same_bytes_again_are_skipped(tmp_path, db):
    a = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1", "01-02-2024;B;x"])
    (first,) = load(db, a)
    assert (first.status, first.loaded, first.quarantined) == ("loaded", 1, 1)
    version = table(db, "SELECT load_id FROM meta")
    (again,) = load(db, a)
    copy = write(tmp_path / "elders", "activiteiten_kopie.csv", a.read_text().splitlines())
    (renamed,) = load(db, copy)
    for r in (again, renamed):
        assert r.status == "skipped"
        assert (r.rows_in, r.loaded, r.quarantined, r.replaced) == (0, 0, 0, 0)
        assert r.sha256 == first.sha256
    assert table(db, "SELECT load_id FROM meta") == version     # nothing was published


def test_later_delivery_replaces_and_nothing_disappears(tmp_path, db):
    first = write(tmp_path / "in", "hennepkwekerijen_01.csv", [
        "registratienummer;datum_ontmanteling;aantal_planten", "HK-1;01-02-2024;10", "HK-2;01-02-2024;20"])
    later = write(tmp_path / "in", "hennepkwekerijen_02.csv", [
        "registratienummer;datum_ontmanteling;aantal_planten", " hk-1 ;03-02-2024;11", "HK-3;01-02-2024;30"])
    load(db, first)
    (r,) = load(db, later)
    assert (r.loaded, r.replaced) == (2, 1)
    assert table(db, "SELECT registratienummer, datum_ontmanteling::VARCHAR, aantal_planten FROM hennepkwekerijen ORDER BY 1") == [
        ("HK-1", "2024-02-03", 11), ("HK-2", "2024-02-01", 20), ("HK-3", "2024-02-01", 30)]
    assert table(db, "SELECT count(*) FROM bestanden") == [(2,)]


def test_files_in_one_run_are_taken_in_name_order(tmp_path, db):
    b = write(tmp_path / "in", "activiteiten_b.csv", ["datum;titel;pijler;deelnemers", "01-02-2024;Training;1;20"])
    a = write(tmp_path / "in", "activiteiten_a.csv", ["datum;titel;pijler;deelnemers", "01-02-2024;training ;1;10"])
    reports = load(db, b, a)
    assert [Path(r.file).name for r in reports] == ["activiteiten_a.csv", "activiteiten_b.csv"]
    assert [r.replaced for r in reports] == [0, 1]
    assert table(db, "SELECT deelnemers FROM activiteiten") == [(20,)]


def test_eigendommen_upsert_by_address_and_owner(tmp_path, db):
    load(db, write(tmp_path / "in", "eigendommen_1.csv", ["adres;postcode;eigenaar_id;peildatum",
                                                          "Voorstraat 1;3311XC;E1;01-01-2024"]))
    (r,) = load(db, write(tmp_path / "in", "eigendommen_2.csv", ["adres;postcode;eigenaar_id;peildatum",
                                                                  "voorstraat 1;3311 xc;e1;01-06-2024",
                                                                  "Voorstraat 2;3311XC;E1;01-06-2024"]))
    assert (r.loaded, r.replaced) == (2, 1)
    assert table(db, "SELECT count(*), max(peildatum)::VARCHAR FROM eigendommen") == [(2, "2024-06-01")]


def test_a_rejected_file_does_not_stop_the_others(tmp_path, db):
    good = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    bad = write(tmp_path / "in", "controles.csv", ["controlenummer;datum", "C1;01-02-2024"])
    reports = load(db, good, bad)
    assert [r.status for r in reports] == ["loaded", "rejected"]
    assert table(db, "SELECT count(*) FROM activiteiten") == [(1,)]


def test_load_log_and_quarantine_in_state(tmp_path, db):
    a = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1", "31-02-2024;B;1"])
    (r,) = load(db, a)
    con = sqlite3.connect(db.with_name("state.sqlite"))
    runs = con.execute("SELECT status, gepubliceerd FROM laadruns").fetchall()
    files = con.execute("SELECT bestand, sha256, rijen_in, geladen, gequarantaineerd, status FROM laadbestanden").fetchall()
    q = con.execute("SELECT sha256, bron, regel, kolom FROM quarantaine").fetchall()
    con.close()
    assert runs == [("klaar", 1)]
    assert files == [(str(a), r.sha256, 2, 1, 1, "loaded")]
    assert q == [(r.sha256, "activiteiten", 3, "datum")]
    assert table(db, "SELECT load_id FROM meta") == table(db, "SELECT load_id FROM bestanden")


def test_versions_are_kept_for_rollback(tmp_path, db):
    for i in range(3):
        load(db, write(tmp_path / "in", f"activiteiten_{i}.csv", ["datum;titel;pijler", f"0{i + 1}-02-2024;A{i};1"]))
    versions = list_versions(db)
    assert len(versions) == 2
    assert table(versions[0], "SELECT count(*) FROM activiteiten") == [(2,)]


# ------------------------------------------------------------------------------ CLI

@pytest.fixture
def cli(monkeypatch, capsys, db):
    monkeypatch.setenv(config.KEY_ENV, KEY.decode())
    monkeypatch.delenv("DIJKWACHT_STATE", raising=False)

    def call(*args: str) -> tuple[int, str]:
        code = main([*args, "--db", str(db)])
        return code, capsys.readouterr().out
    return call


def test_cli_json_shape_and_exit_0(tmp_path, cli):
    a = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler;kleur", "01-02-2024;A;1;rood", "x;B;1;"])
    code, out = cli(str(a), "--json")
    payload = json.loads(out)
    assert code == 0
    assert list(payload) == ["files", "error"] and payload["error"] is None
    (f,) = payload["files"]
    assert list(f) == FIELDS
    assert f == {"file": str(a), "sha256": f["sha256"], "source": "activiteiten", "rows_in": 2, "loaded": 1,
                 "quarantined": 1, "replaced": 0, "unknown_columns": ["kleur"], "warnings": [], "status": "loaded",
                 "message": None}
    code, out = cli(str(a), "--json")
    assert code == 0 and json.loads(out)["files"][0]["status"] == "skipped"


def test_cli_exit_1_on_a_rejected_file(tmp_path, cli):
    bad = write(tmp_path / "in", "activiteiten.csv", ["datum;titel", "01-02-2024;A"])
    code, out = cli(str(bad), "--json")
    (f,) = json.loads(out)["files"]
    assert code == 1 and f["status"] == "rejected" and "pijler" in f["message"] and "activiteiten.csv" in f["message"]
    assert (f["rows_in"], f["loaded"], f["quarantined"], f["replaced"]) == (0, 0, 0, 0)


def test_cli_exit_1_when_the_source_is_unknown(tmp_path, cli):
    odd = write(tmp_path / "in", "lijst.csv", ["naam;kleur", "a;b"])
    code, out = cli(str(odd), "--json")
    assert code == 1 and "bron niet te herkennen" in json.loads(out)["files"][0]["message"]


@pytest.mark.parametrize("args,word", [
    (["/bestaat/niet.csv"], "bestaat niet"),
    (["--source", "onzin", "."], "onbekende bron"),
    (["--onbekend"], "unrecognized"),
])
def test_cli_usage_errors_exit_2(cli, args, word):
    code, out = cli(*args, "--json")
    payload = json.loads(out)
    assert code == 2 and payload["files"] == [] and word in payload["error"]


def test_cli_forced_source(tmp_path, cli):
    a = write(tmp_path / "in", "export.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    code, out = cli(str(a), "--source", "activiteiten", "--json")
    assert code == 0 and json.loads(out)["files"][0]["source"] == "activiteiten"


def test_real_files_without_a_key_exit_2(tmp_path, cli, monkeypatch, db):
    monkeypatch.delenv(config.KEY_ENV)
    monkeypatch.setattr(config, "_secrets_value", lambda name: None)
    a = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    code, out = cli(str(a), "--json")
    assert code == 2 and "pseudoniemsleutel" in json.loads(out)["error"]
    assert not db.exists()


def test_real_files_refused_into_a_demo_database_and_back(tmp_path, cli, db):
    a = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    demo = write(tmp_path / "demo", "activiteiten.csv", ["datum;titel;pijler", "02-02-2024;D;1"])
    assert cli(str(demo), "--demo", "--json")[0] == 0
    code, out = cli(str(a), "--json")
    f = json.loads(out)["files"][0]
    assert code == 1 and f["status"] == "rejected" and "demodatabase" in f["message"]

    real_db = db.with_name("echt.duckdb")
    assert main([str(a), "--db", str(real_db), "--json"]) == 0
    code = main([str(demo), "--demo", "--db", str(real_db), "--json"])
    assert code == 1


def test_another_key_is_refused(tmp_path, db):
    a = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    b = write(tmp_path / "in", "activiteiten_2.csv", ["datum;titel;pijler", "01-03-2024;A;1"])
    load(db, a)
    (r,) = load(db, b, key=b"r3Vx9QmLk2TzWp7HcN5bJd8FgY4sAe6UoKi1XqRtMnBvCz0PwSyDlGhJfEaOu-_L")
    assert r.status == "rejected" and "sleutel" in r.message


def test_cli_human_report_names_file_line_and_rule(tmp_path, cli):
    a = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "31-02-2024;A;1", "01-02-2024;B;1"])
    code, out = cli(str(a))
    assert code == 0
    assert "activiteiten.csv regel 2, kolom datum: geen geldige datum" in out
    assert "2 rijen in, 1 geladen" in out


def test_cli_as_a_process(tmp_path, db):
    """The real command line, once: `python -m etl FILE --json`."""
    a = write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    env = {**os.environ, config.KEY_ENV: KEY.decode()}
    env.pop("DIJKWACHT_STATE", None)
    done = subprocess.run([sys.executable, "-m", "etl", str(a), "--db", str(db), "--json"], cwd=config.ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["files"][0]["loaded"] == 1 and "[1/1] activiteiten.csv" in done.stderr
    assert KEY.decode() not in done.stdout + done.stderr


# ------------------------------------------------------- stand per and first dates

@pytest.fixture
def load_day():
    """The project's clock frozen on the load date 02-12-2026 (margin 7 days: up to 09-12-2026)."""
    clock.set_time(datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc))
    yield
    clock.reset()


def test_stand_per_comes_from_the_event_sources_only(tmp_path, db, load_day):
    """A planned activity past the margin is quarantined; one after the last event but within
    the margin loads; neither (nor an extract's peildatum) moves the data's stand per."""
    events = write(tmp_path / "in", "hennepkwekerijen.csv", [
        "registratienummer;datum_ontmanteling", "H1;03-03-2016", "H2;20-11-2026"])
    signals = write(tmp_path / "in", "signalen.csv", ["signaalnummer;ontvangen_op", "S1;21-11-2026 09:15"])
    plans = write(tmp_path / "in", "activiteiten.csv", [
        "datum;titel;pijler", "15-01-2027;Training Bibob;2", "08-12-2026;Leerkring;2", "12-05-2016;Training;2"])
    extract = write(tmp_path / "in", "eigendommen.csv", ["adres;postcode;eigenaar_id;peildatum",
                                                        "Voorstraat 1;3311XC;E1;05-12-2026"])
    reports = {r.source: r for r in load(db, events, signals, plans, extract)}
    assert (reports["activiteiten"].loaded, reports["activiteiten"].quarantined) == (2, 1)
    assert table(db, "SELECT stand_per FROM meta") == [(date(2026, 11, 21),)]
    assert table(db, "SELECT bron, eerste_datum, stand_per, rijen FROM bronstand ORDER BY bron") == [
        ("activiteiten", date(2016, 5, 12), date(2026, 12, 8), 2),
        ("controles", None, None, 0),
        ("eigendommen", date(2026, 12, 5), date(2026, 12, 5), 1),
        ("hennepkwekerijen", date(2016, 3, 3), date(2026, 11, 20), 2),
        ("signalen", date(2026, 11, 21), date(2026, 11, 21), 1),
        ("verdachte_transacties", None, None, 0),
        ("vestigingen", None, None, 0)]


def test_only_planned_activities_leave_the_stand_per_empty(tmp_path, db, load_day):
    load(db, write(tmp_path / "in", "activiteiten.csv", ["datum;titel;pijler", "01-12-2026;A;1"]))
    assert table(db, "SELECT stand_per FROM meta") == [(None,)]


def test_a_database_from_before_eerste_datum_still_loads(tmp_path, db):
    """Schema version 1 had no bronstand.eerste_datum: the next load adds and fills it."""
    load(db, write(tmp_path / "in", "controles_1.csv", ["controlenummer;datum;soort", "C1;04-02-2013;horecacontrole"]))
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE bronstand DROP COLUMN eerste_datum")
    con.execute("UPDATE meta SET schema_versie = 1")
    con.close()
    (r,) = load(db, write(tmp_path / "in", "controles_2.csv", ["controlenummer;datum;soort",
                                                                "C2;01-06-2024;bibob-toets"]))
    assert r.status == "loaded"
    assert table(db, "SELECT eerste_datum, stand_per FROM bronstand WHERE bron = 'controles'") == [
        (date(2013, 2, 4), date(2024, 6, 1))]
    assert table(db, "SELECT schema_versie FROM meta") == [(SCHEMA_VERSION,)] and SCHEMA_VERSION == 5
