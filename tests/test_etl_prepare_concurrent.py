"""Files prepared beside each other (etl.load.PREPARE_WORKERS, issue 17) give the reports,
progress lines and rows of one file after the other: file order, and a file with the
content of an earlier file of the same run skipped, whatever its name would make of it."""
from __future__ import annotations

from pathlib import Path

import pytest
from etl_support import table

from etl import load as etl_load
from etl.load import SAME_CONTENT, run

KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"
ACTIVITEITEN = ["datum;titel;pijler", "01-02-2024;A;1", "01-02-2024;B;x"]
SIGNALEN = ["signaalnummer;ontvangen_op;adres;postcode;thema",
            "SIG-1;05-03-2024;Lijnbaan 12;3311XC;hennep", "SIG-2;06-03-2024;Lijnbaan 14;3311XC;hennep"]


def write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def loaded(db: Path, paths: list[Path]) -> tuple[list, list[str]]:
    said: list[str] = []
    reports = run(paths, db, key=KEY, progress=said.append)
    return reports, said


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_reports_and_progress_do_not_depend_on_the_workers(tmp_path, monkeypatch, workers):
    folder = tmp_path / "in"
    paths = [write(folder, "activiteiten.csv", ACTIVITEITEN),
             write(folder, "b_kopie.csv", ACTIVITEITEN),          # same bytes, other name
             write(folder, "signalen.csv", SIGNALEN),
             write(folder, "onbekend.csv", ["x;y", "1;2"])]
    monkeypatch.setattr(etl_load, "PREPARE_WORKERS", 1)
    one, said_one = loaded(tmp_path / "een" / "dijkwacht.duckdb", paths)
    monkeypatch.setattr(etl_load, "PREPARE_WORKERS", workers)
    many, said_many = loaded(tmp_path / "meer" / "dijkwacht.duckdb", paths)

    def comparable(reports):
        return [(Path(r.file).name, r.sha256, r.source, r.rows_in, r.loaded, r.quarantined, r.replaced,
                 r.unknown_columns, r.warnings, r.status, r.message) for r in reports]

    assert comparable(many) == comparable(one)
    assert [line for line in said_many if not line.startswith("gepubliceerd")] == \
        [line for line in said_one if not line.startswith("gepubliceerd")]
    by_name = {Path(r.file).name: r for r in many}
    assert [Path(r.file).name for r in many] == ["activiteiten.csv", "b_kopie.csv", "onbekend.csv", "signalen.csv"]
    assert (by_name["b_kopie.csv"].status, by_name["b_kopie.csv"].message) == ("skipped", SAME_CONTENT)
    assert by_name["b_kopie.csv"].sha256 == by_name["activiteiten.csv"].sha256
    assert by_name["onbekend.csv"].status == "rejected"
    for db in (tmp_path / "een" / "dijkwacht.duckdb", tmp_path / "meer" / "dijkwacht.duckdb"):
        assert table(db, "SELECT count(*) FROM activiteiten") == [(1,)]
        assert table(db, "SELECT count(*) FROM signalen") == [(2,)]
        assert table(db, "SELECT count(*) FROM bestanden") == [(2,)]


def test_a_copy_whose_name_would_be_rejected_is_skipped_as_before(tmp_path, monkeypatch):
    """One after the other, a copy was skipped before its name was looked at: beside each
    other it is judged on its own first, and still reported as skipped."""
    monkeypatch.setattr(etl_load, "PREPARE_WORKERS", 2)
    folder = tmp_path / "in"
    first = write(folder, "a_signalen.csv", SIGNALEN)
    copy = write(folder, "b.csv", SIGNALEN)      # recognised by its header: loaded on its own
    reports, _ = loaded(tmp_path / "db" / "dijkwacht.duckdb", [first, copy])
    assert [(r.status, r.message) for r in reports] == [("loaded", None), ("skipped", SAME_CONTENT)]
    assert (reports[1].rows_in, reports[1].loaded, reports[1].warnings) == (0, 0, [])


def test_the_largest_files_start_first_and_are_still_reported_in_file_order(tmp_path, monkeypatch):
    """A large file started last would finish alone after the others (at x100 the
    Handelsregister extract, last by name, is half the rows)."""
    folder = tmp_path / "in"
    more = SIGNALEN + [f"SIG-{i};06-03-2024;Lijnbaan {i};3311XC;hennep" for i in range(3, 40)]
    paths = [write(folder, "activiteiten.csv", ACTIVITEITEN), write(folder, "signalen.csv", more)]
    started: list[str] = []
    prepare = etl_load._prepare_safely
    monkeypatch.setattr(etl_load, "_prepare_safely", lambda path, *a: started.append(path.name) or prepare(path, *a))
    monkeypatch.setattr(etl_load, "PREPARE_WORKERS", 1)
    reports, _ = loaded(tmp_path / "db" / "dijkwacht.duckdb", paths)
    assert started == ["signalen.csv", "activiteiten.csv"]
    assert [(Path(r.file).name, r.loaded) for r in reports] == [("activiteiten.csv", 1), ("signalen.csv", 39)]
