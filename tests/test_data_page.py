"""The Data page (beheerder): load log, quarantine, upload checks and preview."""
from __future__ import annotations

import pytest

from apptest_support import app_for
from dijkwacht import access, beheer
from etl.load import run

KEY = "test-sleutel"


def test_beheerder_sees_load_runs_and_quarantine(served_demo):
    at = app_for("beheerder", "pages/data.py").run()
    assert not at.exception
    headers = [s.value for s in at.subheader]
    assert {"Laadruns", "Quarantaine", "Sjablonen voor partners", "Terugdraaien"} <= set(headers)
    runs = at.dataframe[0].value
    assert runs.shape[0] >= 1 and "load_id" in runs.columns


@pytest.mark.parametrize("role", ["analist", "bestuur"])
def test_other_roles_get_no_data_page(served_demo, role):
    at = app_for(role, "pages/data.py").run()
    assert len(at.dataframe) == 0
    assert not access.may(role, "data_management")


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"),
    ("hennep kwekerijen (1).csv", "hennep_kwekerijen_1_.csv"),
    (".verborgen.csv", "verborgen.csv"),
    ("C:\\Users\\x\\signalen.xlsx", "signalen.xlsx"),
])
def test_upload_names_are_made_safe(name, expected):
    assert beheer.safe_upload_name(name) == expected


def test_upload_checks_extension_size_and_emptiness():
    assert beheer.check_upload("a.csv", 10) is None
    assert "alleen" in beheer.check_upload("a.exe", 10)
    assert "te groot" in beheer.check_upload("a.csv", beheer.UPLOAD_MAX_BYTES + 1)
    assert "leeg" in beheer.check_upload("a.xlsx", 0)


def test_upload_preview_shows_what_would_load_and_publishes_nothing(tmp_path, monkeypatch):
    db = tmp_path / "dijkwacht.duckdb"
    monkeypatch.setenv("DIJKWACHT_DB", str(db))
    monkeypatch.setenv("DIJKWACHT_PSEUDONIEM_SLEUTEL", KEY)
    upload = tmp_path / "hennepkwekerijen_upload.csv"
    upload.write_text("registratienummer;datum_ontmanteling;aantal_planten\n"
                      "H-1;03-02-2026;100\nH-2;31-02-2026;100\nH-3;04-02-2026;-5\n", encoding="utf-8")
    prepared, refusal = beheer.preview_upload(upload)
    assert refusal is None
    assert (prepared.report.rows_in, prepared.report.loaded, prepared.report.quarantined) == (3, 1, 2)
    assert sorted(prepared.errors["kolom"].to_list()) == ["aantal_planten", "datum_ontmanteling"]
    assert not db.exists()


def test_upload_preview_refuses_into_a_demo_database(served_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("DIJKWACHT_PSEUDONIEM_SLEUTEL", KEY)
    upload = tmp_path / "hennepkwekerijen_upload.csv"
    upload.write_text("registratienummer;datum_ontmanteling\nH-1;03-02-2026\n", encoding="utf-8")
    prepared, refusal = beheer.preview_upload(upload)
    assert prepared is None and "demodatabase" in refusal


def test_inbox_listing_gives_deletion_dates(tmp_path):
    (tmp_path / "verwerkt").mkdir()
    (tmp_path / "verwerkt" / "x.csv").write_text("a", encoding="utf-8")
    (tmp_path / "wacht.csv").write_text("a", encoding="utf-8")
    listing = beheer.inbox_files(tmp_path)
    rows = {r["bestand"]: r for r in listing.iter_rows(named=True)}
    assert rows["wacht.csv"]["verwijderd_op"] is None
    assert rows["x.csv"]["verwijderd_op"] is not None
