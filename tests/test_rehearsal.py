"""Rehearsal in the demo (issue 22): practice files load into the demo only, real files never
into the demo, and the Data page's tables read as a steward reads them."""
from __future__ import annotations

import re
import shutil
from datetime import date

import polars as pl
import pytest
from apptest_support import app_for

from etl import inbox, rehearsal
from etl.advice import next_step
from etl.load import run
from etl.read import LINE
from etl.reference import valid_buurtcodes

KEY = "EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"  # strong enough for a real load
SOURCE = rehearsal.PRACTICE_SOURCE


def frame(*numbers: str | None) -> pl.DataFrame:
    return pl.DataFrame({LINE: list(range(2, len(numbers) + 2)), "registratienummer": list(numbers)})


def test_the_mark_keeps_practice_and_real_data_apart():
    assert rehearsal.mark_problem(frame("OEFEN-1", "oefen-2", None, ""), SOURCE, "f.csv", practice=True) is None
    refused = rehearsal.mark_problem(frame("OEFEN-1", "HK-2026-00017"), SOURCE, "f.csv", practice=True)
    assert refused.startswith("f.csv: regel 3: dit is de oefenomgeving") and "registratienummer" in refused
    assert "HK-2026-00017" not in refused                        # never echoes a value
    assert rehearsal.mark_problem(frame("HK-1", None), SOURCE, "f.csv", practice=False) is None
    refused = rehearsal.mark_problem(frame("HK-1", "HK-2", " oefen-3"), SOURCE, "f.csv", practice=False)
    assert refused.startswith("f.csv: regel 4: dit is een oefenbestand")
    without = pl.DataFrame({LINE: [2], "datum_ontmanteling": ["01-07-2026"]})
    assert "kolom registratienummer ontbreekt" in rehearsal.mark_problem(without, SOURCE, "f.csv", practice=True)
    assert rehearsal.mark_problem(without, SOURCE, "f.csv", practice=False) is None


@pytest.mark.parametrize("stand_per, first_day", [
    (date(2026, 10, 30), date(2026, 7, 1)), (date(2026, 2, 14), date(2025, 10, 1)),
    (date(2026, 3, 30), date(2025, 10, 1)), (date(2026, 3, 31), date(2026, 1, 1))])
def test_practice_rows_fall_in_the_quarter_the_pages_open_with(stand_per, first_day):
    from dijkwacht.filters import Filters

    text = rehearsal.practice_file(stand_per, ["BU05050100"]).decode()
    lines = text.splitlines()[1:]
    assert len(lines) == rehearsal.GOOD + len(rehearsal.BAD)
    period = Filters().period(stand_per, "beheerder")
    assert period.van == first_day
    for line in lines[:rehearsal.GOOD]:
        day, month, year = map(int, line.split(";")[1].split("-"))
        assert period.van <= date(year, month, day) < period.tot
    assert all(line.startswith(rehearsal.MARK) for line in lines)


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    """A private copy of the demo database and its state, served to the app."""
    db = tmp_path / "dijkwacht.duckdb"
    shutil.copy(demo_db, db)
    shutil.copy(demo_db.with_name("state.sqlite"), tmp_path / "state.sqlite")
    monkeypatch.setenv("DIJKWACHT_DB", str(db))
    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    return db


def practice_bytes(db) -> bytes:
    from dijkwacht.queries import open_hardened
    con = open_hardened(db)
    try:
        stand_per = con.execute("SELECT stand_per FROM meta").fetchall()[0][0]
    finally:
        con.close()
    return rehearsal.practice_file(stand_per, sorted(valid_buurtcodes())[::12])


def test_the_demo_takes_a_practice_delivery_and_refuses_a_real_file(demo_copy, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    practice = folder / "hennepkwekerijen_oefenen.csv"
    practice.write_bytes(practice_bytes(demo_copy))
    real = folder / "hennepkwekerijen_politie.csv"
    real.write_text("registratienummer;datum_ontmanteling\nHK-2026-90001;01-07-2026\n", encoding="utf-8")

    reports = {r.file.rsplit("/", 1)[-1]: r for r in inbox.process(folder, [practice, real], demo_copy, print)}
    loaded = reports[practice.name]
    assert (loaded.status, loaded.rows_in, loaded.loaded, loaded.quarantined) == (
        "loaded", rehearsal.GOOD + len(rehearsal.BAD), rehearsal.GOOD, len(rehearsal.BAD))
    refused = reports[real.name]
    assert refused.status == "rejected" and "regel 2: dit is de oefenomgeving" in refused.message
    note = next((folder / inbox.REJECTED).glob("*.fout.txt")).read_text(encoding="utf-8")
    assert "oefenbestand" in note.lower() and next_step(refused.message) in note

    from etl import steward
    runs = steward.load_runs()
    assert runs["soort"][0] == "oefenen"
    assert len(steward.versions()) == 1                        # the demo before the practice


def test_a_real_database_refuses_a_practice_file(tmp_path):
    practice = tmp_path / "hennepkwekerijen_oefenen.csv"
    practice.write_bytes(rehearsal.practice_file(date(2026, 10, 30), ["BU05050100"]))
    [report] = run([practice], tmp_path / "echt.duckdb", key=KEY.encode(), progress=lambda _: None)
    assert report.status == "rejected" and "oefenbestanden worden nooit in een database met echte" in report.message
    assert not (tmp_path / "echt.duckdb").exists()


@pytest.mark.parametrize("message, words", [
    ("a.csv: verplichte kolom ontbreekt: datum", "mét de genoemde kolom"),
    ("a.csv: bron niet te herkennen aan bestandsnaam of kopregel", "naam van de bron"),
    ("a.csv: dezelfde inhoud is al geladen", "Niets te doen"),
    ("a.exe: alleen .csv, .xlsx worden geaccepteerd", "OpenDocument"),
    ("a.csv: iets onverwachts", "opnieuw te sturen"),
])
def test_every_refusal_says_what_to_do_next(message, words):
    assert words in next_step(message)
    assert "quarantainelijst" in next_step(None, quarantined=3) and next_step(None, 0) == ""


UTC_OR_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00|\bUTC\b")
ENGLISH = {"None", "null", "nan", "NaN", "empty", "loaded", "skipped", "rejected", "true", "false", "True", "False"}


def test_no_data_page_table_shows_a_raw_name_utc_time_none_or_english(demo_copy, tmp_path):
    """A practice delivery with quarantined lines and an audit row of each kind, then every
    table the Data page renders, read cell by cell."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    practice = folder / "hennepkwekerijen_oefenen.csv"
    practice.write_bytes(practice_bytes(demo_copy))
    inbox.process(folder, [practice], demo_copy, lambda _: None)

    at = app_for("beheerder", "pages/data.py").run()
    assert not at.exception, at.exception
    tables = [t.value for t in at.dataframe]
    assert len(tables) >= 7
    seen = set()
    for table in tables:
        for column in table.columns:
            assert "_" not in column and column[:1].isupper(), f"raw column name {column!r}"
        for row in table.astype(str).itertuples(index=False):
            for cell in row:
                assert not UTC_OR_ISO.search(cell), f"UTC or ISO time {cell!r}"
                assert not set(re.findall(r"[A-Za-z]+", cell)) & ENGLISH, f"English or None: {cell!r}"
                seen.add(cell)
    # The quarantine, grouped by rule: one row per broken rule with its count and an example.
    grouped = next(t for t in tables if "Wat niet klopt" in t.columns and "Aantal regels" in t.columns)
    assert len(grouped) == len(rehearsal.BAD) and set(grouped["Aantal regels"]) == {"1"}
    assert all(v.startswith("regel ") for v in grouped["Voorbeeld"])
    assert "oefenlevering" in seen and "gepubliceerd" in seen
    assert any(re.fullmatch(r"\d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec) \d{4} \d{2}:\d{2}", c)
               for c in seen)
