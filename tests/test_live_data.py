"""Live data: the inbox watcher, templates for partners, rollback, raw-file retention."""
from __future__ import annotations

import os
import sqlite3
import time

import duckdb
import pytest

from dijkwacht.sources import SOURCES
from etl import inbox as inbox_mod
from etl.inbox import Watch, process, purge_raw_files
from etl.load import run
from etl.publish import NothingToRollBack, roll_back
from etl.templates import template_names, template_ods, template_xlsx

KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"  # strong enough for a real load (etl key rule)
HEADER = "registratienummer;datum_ontmanteling;buurtcode;aantal_planten\n"


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv("DIJKWACHT_PSEUDONIEM_SLEUTEL", KEY.decode())


def grow_sites(path, n, start=1):
    rows = "".join(f"H-{i};03-02-2026;BU05050202;100\n" for i in range(start, start + n))
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def count(db, table="hennepkwekerijen"):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_half_written_file_is_not_loaded_early(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "hennepkwekerijen_1.csv"
    path.write_text(HEADER + "H-1;03-02-2026;BU05050202;100\n", encoding="utf-8")
    watch = Watch(inbox)
    assert watch.ready(now=100.0) == []                 # just seen
    with open(path, "a", encoding="utf-8") as fh:       # still being written
        fh.write("H-2;03-02-2026;BU05050202;100\n")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert watch.ready(now=101.5) == []                 # changed: the clock starts again
    assert watch.ready(now=102.0) == []
    assert watch.ready(now=101.5 + inbox_mod.SETTLE_SECONDS) == [path]


def test_watcher_files_away_loaded_and_rejected(tmp_path, key_env):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = grow_sites(inbox / "hennepkwekerijen_a.csv", 3)
    bad = inbox / "hennepkwekerijen_b.csv"
    bad.write_text("registratienummer;buurtcode\nH-9;BU05050202\n", encoding="utf-8")
    db = tmp_path / "dijkwacht.duckdb"
    reports = process(inbox, [good, bad], db, say=lambda _: None)
    assert [r.status for r in reports] == ["loaded", "rejected"]
    assert not good.exists() and not bad.exists()
    done = list((inbox / "verwerkt").iterdir())
    refused = sorted((inbox / "geweigerd").iterdir())
    assert [p.name.endswith("hennepkwekerijen_a.csv") for p in done] == [True]
    assert len(refused) == 2
    explanation = next(p for p in refused if p.name.endswith(".fout.txt")).read_text(encoding="utf-8")
    assert "datum_ontmanteling" in explanation and "geweigerd" in explanation
    assert count(db) == 3
    # a plain run does not read the subfolders
    assert run([inbox], db, key=KEY, progress=lambda _: None) == []


def test_watcher_without_key_refuses_and_keeps_files(tmp_path, monkeypatch):
    monkeypatch.delenv("DIJKWACHT_PSEUDONIEM_SLEUTEL", raising=False)
    monkeypatch.setattr("dijkwacht.config._secrets_value", lambda name: None)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = grow_sites(inbox / "hennepkwekerijen_a.csv", 1)
    [report] = process(inbox, [path], tmp_path / "x.duckdb", say=lambda _: None)
    assert report.status == "rejected" and "sleutel" in report.message
    assert not (tmp_path / "x.duckdb").exists()
    assert any(p.name.endswith(".fout.txt") for p in (inbox / "geweigerd").iterdir())


def test_raw_files_are_purged_after_the_term(tmp_path):
    inbox = tmp_path / "inbox"
    old = inbox / "verwerkt" / "oud.csv"
    new = inbox / "geweigerd" / "nieuw.csv"
    for path in (old, new):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    forty_days = time.time() - 40 * 86400
    os.utime(old, (forty_days, forty_days))
    assert purge_raw_files(inbox, days=30) == [old]
    assert not old.exists() and new.exists()


@pytest.mark.parametrize("template", [template_xlsx, template_ods])
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_filled_in_template_loads_without_quarantine(tmp_path, source, template):
    path = tmp_path / f"{source}_ingevuld.{template.__name__.removeprefix('template_')}"
    path.write_bytes(template(SOURCES[source]))
    [report] = run([path], tmp_path / "x.duckdb", key=KEY, progress=lambda _: None)
    assert (report.status, report.source, report.rows_in, report.loaded, report.quarantined) == \
        ("loaded", source, 1, 1, 0)


def test_template_has_dropdowns_for_vocabularies(tmp_path):
    import openpyxl

    path = tmp_path / "t.xlsx"
    path.write_bytes(template_xlsx(SOURCES["signalen"]))
    sheet = openpyxl.load_workbook(path)["signalen"]
    validations = sheet.data_validations.dataValidation
    vocab_columns = [c for c in SOURCES["signalen"].columns if c.kind == "vocab"]
    assert len(validations) == len(vocab_columns) >= 5
    assert all(v.type == "list" for v in validations)


def test_ods_template_has_the_same_headers_example_help_and_dropdowns(tmp_path):
    import fastexcel
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import ContentValidation, TableCell

    source = SOURCES["signalen"]
    path = tmp_path / "t.ods"
    path.write_bytes(template_ods(source))
    xlsx, ods = (fastexcel.read_excel(template(source)) for template in (template_xlsx, template_ods))
    assert ods.sheet_names == ["signalen", "uitleg"]        # no hidden sheet: the lists are in the rules
    for name in ods.sheet_names:
        assert ods.load_sheet(name, header_row=None, dtypes="string").to_polars().rows() == \
            xlsx.load_sheet(name, header_row=None, dtypes="string").to_polars().rows()
    document = load(str(path))
    rules = {r.getAttrNS(TABLENS, "name"): r.getAttrNS(TABLENS, "condition")
             for r in document.getElementsByType(ContentValidation)}
    vocab_columns = [c for c in source.columns if c.kind == "vocab"]
    assert len(rules) == len(vocab_columns) >= 5
    assert all(rule.startswith("of:cell-content-is-in-list(") for rule in rules.values())
    assert '"meld misdaad anoniem"' in " ".join(rules.values())
    cells = document.getElementsByType(TableCell)
    dropdown_rows = sum(int(c.parentNode.getAttrNS(TABLENS, "number-rows-repeated") or 1)
                        for c in cells if c.getAttrNS(TABLENS, "content-validation-name") == min(rules))
    assert dropdown_rows == 5000                            # rows 2 to 5001, as in the XLSX


def test_template_names_in_both_formats():
    assert template_names() == {s: f"{s}_sjabloon.xlsx" for s in SOURCES}
    assert template_names("ods") == {s: f"{s}_sjabloon.ods" for s in SOURCES}


def test_rollback_restores_previous_figures_and_is_logged(tmp_path):
    db = tmp_path / "dijkwacht.duckdb"
    run([grow_sites(tmp_path / "hennepkwekerijen_1.csv", 2)], db, key=KEY, progress=lambda _: None)
    run([grow_sites(tmp_path / "hennepkwekerijen_2.csv", 5, start=10)], db, key=KEY, progress=lambda _: None)
    assert count(db) == 7
    roll_back(db)
    assert count(db) == 2
    with pytest.raises(NothingToRollBack):
        roll_back(db)
    log = sqlite3.connect(tmp_path / "state.sqlite")
    kinds = [r[0] for r in log.execute("SELECT soort FROM laadruns ORDER BY gestart_op, rowid")]
    assert kinds == ["laden", "laden", "terugdraaien"]
    audited = [r[0] for r in log.execute("SELECT actie FROM auditlog ORDER BY nr")]
    assert audited == ["laden", "laden", "terugdraaien"]


def test_rollback_from_the_command_line(tmp_path):
    from etl.__main__ import main

    db = tmp_path / "dijkwacht.duckdb"
    run([grow_sites(tmp_path / "hennepkwekerijen_1.csv", 1)], db, key=KEY, progress=lambda _: None)
    assert main(["--terugdraaien", "--db", str(db)]) == 1          # nothing to go back to
    run([grow_sites(tmp_path / "hennepkwekerijen_2.csv", 4, start=5)], db, key=KEY, progress=lambda _: None)
    assert main(["--terugdraaien", "--db", str(db)]) == 0
    assert count(db) == 1


def _outdated(path) -> None:
    """Make `path` look built by Dijkwacht before the Koppelingen tables (schema 2)."""
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE koppeling_sleutels")
    con.execute("UPDATE meta SET schema_versie = 2")
    con.close()


def _has_linkage(db) -> bool:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'koppeling_sleutels'")
                    .fetchone()[0])
    finally:
        con.close()


def test_an_outdated_database_is_brought_up_to_date_by_the_next_run_without_new_files(tmp_path):
    db = tmp_path / "dijkwacht.duckdb"
    first = grow_sites(tmp_path / "hennepkwekerijen_1.csv", 3)
    run([first], db, key=KEY, progress=lambda _: None)
    _outdated(db)
    assert not _has_linkage(db)
    (report,) = run([first], db, key=KEY, progress=lambda _: None)
    assert report.status == "skipped" and _has_linkage(db) and count(db) == 3
    from etl.versions import SCHEMA_VERSION
    assert duckdb.connect(str(db), read_only=True).execute("SELECT schema_versie FROM meta").fetchone() == (
        SCHEMA_VERSION,)


def test_no_rollback_to_a_version_an_older_dijkwacht_built(tmp_path):
    db = tmp_path / "dijkwacht.duckdb"
    run([grow_sites(tmp_path / "hennepkwekerijen_1.csv", 2)], db, key=KEY, progress=lambda _: None)
    run([grow_sites(tmp_path / "hennepkwekerijen_2.csv", 5, start=10)], db, key=KEY, progress=lambda _: None)
    from etl.versions import list_versions
    _outdated(list_versions(db)[0])
    with pytest.raises(NothingToRollBack, match="oudere versie van Dijkwacht"):
        roll_back(db)
    assert count(db) == 7 and _has_linkage(db)
