"""The Data page (beheerder): load log, quarantine, upload checks and preview."""
from __future__ import annotations

import secrets

import pytest
from apptest_support import app_for

from dijkwacht import access
from etl import steward as beheer
from etl.load import run

KEY = "EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"  # strong enough for a real load (etl key rule)


def test_beheerder_sees_load_runs_and_quarantine(served_demo):
    at = app_for("beheerder", "pages/data.py").run()
    assert not at.exception
    headers = [s.value for s in at.subheader]
    assert {"Laadruns", "Quarantaine", "Sjablonen voor partners", "Terugdraaien"} <= set(headers)
    runs = next(t.value for t in at.dataframe if "Laadrun (kenmerk)" in t.value.columns)
    assert runs.shape[0] >= 1 and set(runs["Soort"]) == {"demo opgebouwd"}


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


# --- Issue 23, item 2: upload copies left behind -------------------------------------------

UPLOAD = ("registratienummer;datum_ontmanteling;aantal_planten\n"
          "H-10;03-02-2026;100\nH-11;31-02-2026;100\n").encode()


class FakeUpload:
    """What st.file_uploader hands the page (AppTest cannot upload a file itself)."""
    file_id = "upload-1"

    def __init__(self, name: str, data: bytes):
        self.name, self._data, self.size = name, data, len(data)

    def getvalue(self) -> bytes:
        return self._data


def _copies(root, data: bytes, skip=None) -> list:
    """Every file under root holding the upload's bytes (a raw copy), except `skip`."""
    return [p for p in root.rglob("*") if p.is_file() and p != skip and p.read_bytes() == data]


@pytest.fixture
def steward(tmp_path, monkeypatch):
    """A real (non-demo) served database, a private temp dir and inbox, and a fake upload."""
    import tempfile

    from dijkwacht import config

    db = tmp_path / "data" / "dijkwacht.duckdb"
    first = tmp_path / "hennepkwekerijen_eerste.csv"
    first.write_text("registratienummer;datum_ontmanteling\nH-1;03-02-2024\nH-2;03-02-2025\n"
                     "H-3;03-02-2026\n", encoding="utf-8")
    run([first], db, key=secrets.token_urlsafe(48).encode(), progress=lambda _: None)
    first.unlink()
    monkeypatch.setenv("DIJKWACHT_DB", str(db))
    monkeypatch.setenv("DIJKWACHT_STATE", str(db.with_name("state.sqlite")))
    monkeypatch.delenv("DIJKWACHT_PSEUDONIEM_SLEUTEL", raising=False)   # the dashboard has no key
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(config, "INBOX_DIR", tmp_path / "inbox")

    def use(upload):
        import streamlit
        real = streamlit.file_uploader

        def uploader(label, *args, key=None, **kwargs):
            real(label, *args, key=key, **kwargs)          # the widget itself still renders
            return upload if key == "upload-0" else None   # a new round = an emptied uploader
        monkeypatch.setattr(streamlit, "file_uploader", uploader)
    return tmp_path, use


def test_upload_leaves_no_copy_after_reruns_accept_and_logout(steward):
    tmp_path, use = steward
    use(FakeUpload("hennepkwekerijen_upload.csv", UPLOAD))
    at = app_for("beheerder", "pages/data.py").run()
    assert not at.exception, at.exception
    assert any("1 wordt geladen" in i.value for i in at.info)
    for _ in range(2):                                     # the attack: three runs, then accept
        at.run()
    assert _copies(tmp_path, UPLOAD) == []                 # the preview's copy is gone at once
    staging = beheer.staging_dir(create=False)
    assert staging.parent == tmp_path / "data" and oct(staging.stat().st_mode & 0o777) == "0o700"
    accept = next(b for b in at.button if b.label.startswith("Accepteren"))
    accept.click().run()
    assert not at.exception, at.exception
    target = tmp_path / "inbox" / "hennepkwekerijen_upload.csv"
    assert target.read_bytes() == UPLOAD
    assert _copies(tmp_path, UPLOAD, skip=target) == []    # the inbox file is the only one
    assert any("staat in de inbox" in s.value for s in at.success)
    assert list(staging.iterdir()) == [] and list((tmp_path / "tmp").iterdir()) == []


def test_upload_preview_writes_once_per_upload(steward, monkeypatch):
    tmp_path, use = steward
    use(FakeUpload("hennepkwekerijen_upload.csv", UPLOAD))
    writes = []
    real = beheer._write_private
    monkeypatch.setattr(beheer, "_write_private", lambda p, d: (writes.append(p), real(p, d)))
    at = app_for("beheerder", "pages/data.py").run()
    at.run()
    at.run()
    assert len(writes) == 1 and writes[0].parent.name == beheer.hashlib.sha256(UPLOAD).hexdigest()


def test_demo_refuses_a_real_file_and_keeps_no_copy(served_demo, tmp_path, monkeypatch):
    """The demo takes practice files only (etl/rehearsal.py): a partner's file offered there
    is refused by its record numbers, and its private preview copy is gone afterwards."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    preview = beheer.preview_bytes("hennepkwekerijen_upload.csv", UPLOAD)
    assert "dit is de oefenomgeving" in preview.refusal and "regel 2" in preview.refusal
    assert _copies(tmp_path, UPLOAD) == [] and _copies(served_demo.parent, UPLOAD) == []
    assert not (served_demo.parent / beheer.STAGING_NAME / preview.sha256).exists()


def test_leftovers_are_swept_at_start_up_and_logout(tmp_path, monkeypatch):
    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    monkeypatch.setattr(beheer, "_swept_at_start", False)
    leftover = tmp_path / beheer.STAGING_NAME / ("a" * 64)
    leftover.mkdir(parents=True)
    (leftover / "x.csv").write_bytes(UPLOAD)
    import os
    os.utime(leftover, (beheer._PROCESS_STARTED - 60, beheer._PROCESS_STARTED - 60))
    beheer.staging_dir()                                   # first use in this process
    assert not leftover.exists()
    (tmp_path / beheer.STAGING_NAME / "b").mkdir()
    assert beheer.sweep_uploads() == 1                     # logout
    assert list((tmp_path / beheer.STAGING_NAME).iterdir()) == []


def test_staging_folder_that_is_a_link_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    (tmp_path / "elders").mkdir()
    (tmp_path / beheer.STAGING_NAME).symlink_to(tmp_path / "elders")
    with pytest.raises(beheer.StagingUnsafe):
        beheer.staging_dir()
