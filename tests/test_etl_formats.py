"""The formats of DESIGN §2 on small files the tests write: encodings, separators, headers,
dates, numbers, postcodes, vocabularies, empty lines, formulas, XLSX, and whole-file
rejections that leave the served database unchanged."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from etl_support import quarantine

from etl.load import run

KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"  # strong enough for a real load (etl key rule)


def write(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8", sep: str = ";",
          newline: str = "\n") -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    text = newline.join(line.replace(";", sep) for line in lines) + newline
    path.write_bytes(text.encode(encoding))
    return path


def load(tmp_path: Path, *paths: Path, db: Path | None = None):
    db = db or tmp_path / "db" / "dijkwacht.duckdb"
    reports = run(list(paths), db, key=KEY, progress=lambda _: None)
    return reports, db


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


FIU_HEADER = "transactienummer;datum;bedrag;transactietype;melder_sector;subject_type;subject_id;branche;adres;postcode"


# ------------------------------------------------------------------------ encodings

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_keep_euro_and_accents(tmp_path, encoding):
    path = write(tmp_path, "verdachte_transacties.csv", [
        FIU_HEADER,
        "T1;01-02-2024;10,00;overig;bank;rechtspersoon;KVK1;Café € Zuid;Voorstraat 1;3311XC",
    ], encoding=encoding)
    (report,), db = load(tmp_path, path)
    assert report.status == "loaded", report.message
    assert rows(db, "SELECT branche FROM verdachte_transacties") == [("Café € Zuid",)]


def test_bom_does_not_spoil_the_first_header(tmp_path):
    path = write(tmp_path, "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;Training;2"], encoding="utf-8-sig")
    (report,), db = load(tmp_path, path)
    assert report.status == "loaded" and report.unknown_columns == []
    assert rows(db, "SELECT datum FROM activiteiten") == [(dt.date(2024, 2, 1),)]


def test_utf16_with_bom_is_read(tmp_path):
    path = write(tmp_path, "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;Café;2"], encoding="utf-16")
    (report,), db = load(tmp_path, path)
    assert report.status == "loaded", report.message
    assert rows(db, "SELECT titel FROM activiteiten") == [("Café",)]


# ----------------------------------------------------------------------- separators

@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separators(tmp_path, sep):
    path = write(tmp_path, "activiteiten.csv", ["datum;titel;pijler;soort;deelnemers",
                                                "01-02-2024;Training A;2;training;12",
                                                "02-02-2024;Campagne B;3;campagne;"], sep=sep)
    (report,), db = load(tmp_path, path)
    assert (report.status, report.rows_in, report.loaded) == ("loaded", 2, 2)
    assert rows(db, "SELECT titel, pijler, deelnemers FROM activiteiten ORDER BY titel") == [
        ("Campagne B", 3, None), ("Training A", 2, 12)]


def test_crlf_line_endings(tmp_path):
    path = write(tmp_path, "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;2", "01-02-2024;B;x"],
                 newline="\r\n")
    (report,), db = load(tmp_path, path)
    assert (report.loaded, report.quarantined) == (1, 1)
    assert quarantine(db)[0][:2] == (3, "pijler")
    assert rows(db, "SELECT titel FROM activiteiten") == [("A",)]


# -------------------------------------------------------------------------- headers

def test_headers_match_case_space_underscore_insensitively(tmp_path):
    path = write(tmp_path, "hennepkwekerijen.csv", [
        " Registratie Nummer ;DATUM_ONTMANTELING;Aantal  planten;Stroom_diefstal;Opmerking intern",
        "HK1;01-02-2024;12;ja;iets",
    ])
    (report,), db = load(tmp_path, path)
    assert report.status == "loaded", report.message
    assert report.unknown_columns == ["Opmerking intern"]
    assert rows(db, "SELECT registratienummer, aantal_planten, stroomdiefstal FROM hennepkwekerijen") == [
        ("HK1", 12, "ja")]


def test_source_detected_from_header_when_name_says_nothing(tmp_path):
    path = write(tmp_path, "export_2024.csv", [FIU_HEADER, "T1;01-02-2024;10;overig;bank;;;;;"])
    (report,), _ = load(tmp_path, path)
    assert (report.status, report.source) == ("loaded", "verdachte_transacties")


# ---------------------------------------------------------------------------- dates

@pytest.mark.parametrize("text,expected", [
    ("03-02-2024", dt.date(2024, 2, 3)),
    ("3-2-2024", dt.date(2024, 2, 3)),
    ("2024-02-03", dt.date(2024, 2, 3)),
    ("45325", dt.date(2024, 2, 3)),            # Excel serial
    ("03-02-2024 14:30", dt.date(2024, 2, 3)),  # a date-time in a date column keeps its date
    ("29-02-2024", dt.date(2024, 2, 29)),
])
def test_date_notations(tmp_path, text, expected):
    path = write(tmp_path, "activiteiten.csv", ["datum;titel;pijler", f"{text};A;1"])
    (report,), db = load(tmp_path, path)
    assert report.loaded == 1, quarantine(db)
    assert rows(db, "SELECT datum FROM activiteiten") == [(expected,)]


@pytest.mark.parametrize("text", ["31-02-2024", "29-02-2023", "2024-13-01", "1-2-24", "gisteren", "32-01-2024"])
def test_impossible_or_unknown_dates_are_rejected(tmp_path, text):
    path = write(tmp_path, "activiteiten.csv", ["datum;titel;pijler", f"{text};A;1", "01-01-2024;B;1"])
    (report,), db = load(tmp_path, path)
    assert (report.rows_in, report.loaded, report.quarantined) == (2, 1, 1)
    line, column, rule, value = quarantine(db)[0]
    assert (line, column, value) == (2, "datum", text)
    assert "geen geldige datum" in rule


@pytest.mark.parametrize("text,expected", [
    ("03-02-2024 14:30", dt.datetime(2024, 2, 3, 14, 30)),
    ("03-02-2024 14:30:15", dt.datetime(2024, 2, 3, 14, 30, 15)),
    ("2024-02-03 09:05", dt.datetime(2024, 2, 3, 9, 5)),
    ("3-2-2024", dt.datetime(2024, 2, 3)),
    ("45325.5", dt.datetime(2024, 2, 3, 12, 0)),
])
def test_date_times(tmp_path, text, expected):
    path = write(tmp_path, "signalen.csv", ["signaalnummer;ontvangen_op;kanaal", f"S1;{text};e-mail"])
    (report,), db = load(tmp_path, path)
    assert report.loaded == 1, quarantine(db)
    assert rows(db, "SELECT ontvangen_op FROM signalen") == [(expected,)]


def test_impossible_time_is_rejected(tmp_path):
    path = write(tmp_path, "signalen.csv", ["signaalnummer;ontvangen_op", "S1;03-02-2024 25:10", "S2;03-02-2024"])
    (report,), db = load(tmp_path, path)
    assert (report.loaded, report.quarantined) == (1, 1)


# -------------------------------------------------------------------------- numbers

def test_comma_in_a_decimal_column_makes_dots_thousands(tmp_path):
    path = write(tmp_path, "verdachte_transacties.csv", [
        FIU_HEADER,
        "T1;01-02-2024;1.234,56;overig;bank;;;;;",
        "T2;01-02-2024;12;overig;bank;;;;;",
        "T3;01-02-2024;€ 2.500;overig;bank;;;;;",
    ])
    (report,), db = load(tmp_path, path)
    assert report.loaded == 3, quarantine(db)
    assert rows(db, "SELECT transactienummer, bedrag FROM verdachte_transacties ORDER BY 1") == [
        ("T1", Decimal("1234.56")), ("T2", Decimal("12.00")), ("T3", Decimal("2500.00"))]


def test_without_a_comma_the_dot_is_the_decimal_mark(tmp_path):
    path = write(tmp_path, "verdachte_transacties.csv", [
        FIU_HEADER, "T1;01-02-2024;1234.56;overig;bank;;;;;", "T2;01-02-2024;7.5;overig;bank;;;;;"])
    (report,), db = load(tmp_path, path)
    assert rows(db, "SELECT bedrag FROM verdachte_transacties ORDER BY 1") == [(Decimal("7.50"),), (Decimal("1234.56"),)]


def test_comma_rule_is_per_column(tmp_path):
    # bedrag_dwangsom has a comma somewhere; bedrag in another file does not: independent.
    path = write(tmp_path, "controles.csv", [
        "controlenummer;datum;soort;bedrag_dwangsom",
        "C1;01-02-2024;horecacontrole;30.000", "C2;01-02-2024;horecacontrole;1.500,50"])
    (report,), db = load(tmp_path, path)
    assert rows(db, "SELECT bedrag_dwangsom FROM controles ORDER BY 1") == [(Decimal("1500.50"),), (Decimal("30000.00"),)]


@pytest.mark.parametrize("text,expected", [("1.040", 1040), ("1040", 1040), ("12", 12), ("2.000.000", 2000000),
                                           ("12,0", 12), (" 7 ", 7)])
def test_integer_column_thousands(tmp_path, text, expected):
    path = write(tmp_path, "hennepkwekerijen.csv", ["registratienummer;datum_ontmanteling;aantal_planten",
                                                    f"HK1;01-02-2024;{text}"])
    (report,), db = load(tmp_path, path)
    assert rows(db, "SELECT aantal_planten FROM hennepkwekerijen") == [(expected,)]


@pytest.mark.parametrize("text", ["1.5", "12,5", "veel", "1.04", "1e3"])
def test_integer_column_rejects_non_integers(tmp_path, text):
    path = write(tmp_path, "hennepkwekerijen.csv", ["registratienummer;datum_ontmanteling;aantal_planten",
                                                    f"HK1;01-02-2024;{text}"])
    (report,), db = load(tmp_path, path)
    assert (report.loaded, report.quarantined) == (0, 1)
    assert quarantine(db) == [(2, "aantal_planten", "geen geheel getal", text)]


def test_coordinates_keep_their_precision(tmp_path):
    # lat/lon with comma decimals; the buurt comes from the point (not rounded to cents).
    path = write(tmp_path, "hennepkwekerijen.csv", ["registratienummer;datum_ontmanteling;lat;lon",
                                                    "HK1;01-02-2024;51,8133;4,6690"])
    (report,), db = load(tmp_path, path)
    ((code, x, y),) = rows(db, "SELECT buurtcode, cel_x, cel_y FROM hennepkwekerijen")
    assert code is not None and code.startswith("BU0505")
    assert x % 100 == 0 and 100_000 < x < 110_000 and 420_000 < y < 430_000


# ----------------------------------------------------------------- postcodes, vocab

def test_postcode_notations_give_one_address_key(tmp_path):
    path = write(tmp_path, "hennepkwekerijen.csv", [
        "registratienummer;datum_ontmanteling;adres;postcode",
        "HK1;01-02-2024;Voorstraat 12a;3311 xc", "HK2;01-02-2024;voorstraat 12 A;3311XC",
        "HK3;01-02-2024;Voorstraat 12-a; 3311  XC "])
    (report,), db = load(tmp_path, path)
    keys = rows(db, "SELECT DISTINCT adres_sleutel FROM hennepkwekerijen")
    assert len(keys) == 1 and keys[0][0] is not None


def test_bad_postcode_is_a_warning_and_counts_as_missing(tmp_path):
    path = write(tmp_path, "hennepkwekerijen.csv", ["registratienummer;datum_ontmanteling;adres;postcode",
                                                    "HK1;01-02-2024;Voorstraat 12;33XC"])
    (report,), db = load(tmp_path, path)
    assert report.loaded == 1
    assert any("postcode" in w and "regels 2" in w for w in report.warnings)
    assert rows(db, "SELECT adres_sleutel IS NOT NULL FROM hennepkwekerijen") == [(True,)]


def test_vocabulary_is_case_insensitive_and_trimmed(tmp_path):
    path = write(tmp_path, "hennepkwekerijen.csv", [
        "registratienummer;datum_ontmanteling;locatietype;eigendom;maatregel",
        "HK1;01-02-2024; WONING ;Particuliere  Verhuur;Last onder Dwangsom"])
    (report,), db = load(tmp_path, path)
    assert rows(db, "SELECT locatietype, eigendom, maatregel FROM hennepkwekerijen") == [
        ("woning", "particuliere verhuur", "last onder dwangsom")]


def test_list_columns(tmp_path):
    path = write(tmp_path, "controles.csv", [
        "controlenummer;datum;soort;partners;bevindingen",
        'C1;01-02-2024;Integrale controle;"Politie; RIEC";"Drugs ; illegaal gokken"',
        'C2;01-02-2024;integrale controle;;"drugs; wapens"'])
    (report,), db = load(tmp_path, path)
    assert rows(db, "SELECT partners, bevindingen FROM controles") == [(["politie", "riec"], ["drugs", "illegaal gokken"])]
    assert quarantine(db)[0][:2] == (3, "bevindingen")


# ------------------------------------------------------------- empty lines, formulas

def test_trailing_and_blank_lines_are_not_rows(tmp_path):
    path = write(tmp_path, "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1", "", ";;", "02-02-2024;B;1",
                                                "", ";;", "  ", ""])
    (report,), db = load(tmp_path, path)
    assert (report.rows_in, report.loaded, report.quarantined) == (2, 2, 0)


def test_line_numbers_count_blank_lines_and_multiline_cells(tmp_path):
    path = write(tmp_path, "signalen.csv", [
        "signaalnummer;ontvangen_op;omschrijving",
        'S1;01-02-2024;"twee', 'regels"',
        "",
        "S2;31-02-2024;x"])
    (report,), db = load(tmp_path, path)
    assert quarantine(db)[0][:2] == (5, "ontvangen_op")


def test_formula_is_stored_as_text_with_a_warning(tmp_path):
    path = write(tmp_path, "verdachte_transacties.csv", [FIU_HEADER, 'T1;01-02-2024;10;overig;bank;;;=HYPERLINK("x");;'])
    (report,), db = load(tmp_path, path)
    assert report.loaded == 1
    assert rows(db, "SELECT branche FROM verdachte_transacties") == [('=HYPERLINK("x")',)]
    assert any("formule" in w and "regels 2" in w for w in report.warnings)


# ---------------------------------------------------------------------------- XLSX

def _xlsx(path: Path, header: list, data: list[list], formats: dict | None = None) -> Path:
    import xlsxwriter

    path.parent.mkdir(exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Blad1")
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    ws.write_row(0, 0, header)
    for r, values in enumerate(data, 1):
        for c, value in enumerate(values):
            if isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(r, c, value, date_fmt)
            elif value is not None:
                ws.write(r, c, value)
    wb.close()
    return path


def test_xlsx_with_date_cells_numbers_and_text_dates(tmp_path):
    path = _xlsx(tmp_path / "in" / "hennepkwekerijen.xlsx",
                 ["Registratienummer", "Datum ontmanteling", "aantal planten", "locatietype"],
                 [["HK1", dt.date(2024, 2, 3), 1040, "Woning"],
                  ["HK2", "04-02-2024", 7.0, "bedrijfspand"],
                  [None, None, None, None],
                  ["HK3", "31-02-2024", 3, "woning"],
                  [12345, 45325, "1.040", "overig"]])
    (report,), db = load(tmp_path, path)
    assert (report.status, report.rows_in, report.loaded, report.quarantined) == ("loaded", 4, 3, 1), report.message
    assert rows(db, "SELECT registratienummer, datum_ontmanteling, aantal_planten FROM hennepkwekerijen ORDER BY 1") == [
        ("12345", dt.date(2024, 2, 3), 1040), ("HK1", dt.date(2024, 2, 3), 1040), ("HK2", dt.date(2024, 2, 4), 7)]
    assert quarantine(db)[0][:2] == (5, "datum_ontmanteling")   # line as in the sheet


def test_xlsx_missing_required_column_names_file_and_column(tmp_path):
    path = _xlsx(tmp_path / "in" / "activiteiten.xlsx", ["datum", "titel"], [[dt.date(2024, 1, 1), "A"]])
    (report,), db = load(tmp_path, path)
    assert report.status == "rejected"
    assert "activiteiten.xlsx" in report.message and "pijler" in report.message


# ------------------------------------------------------------- whole-file rejections

def _served_state(db: Path):
    return hashlib.sha256(db.read_bytes()).hexdigest() if db.exists() else None


@pytest.mark.parametrize("name,content,expect", [
    ("activiteiten.csv", b"", "leeg"),
    ("activiteiten.csv", b"  \r\n\r\n", "leeg"),
    ("activiteiten.csv", b"datum;titel;pijler\r\n", "geen gegevensregels"),
    ("activiteiten.csv", b"datum;titel;pijler\n;;\n\n", "geen gegevensregels"),
    ("activiteiten.csv", b"datum;titel\n01-01-2024;A\n", "verplichte kolom ontbreekt: pijler"),
    ("activiteiten.csv", b"\x00\x01\x02binary\x00", "binair"),
    ("activiteiten.xlsx", b"PK\x03\x04 not really a workbook", "werkblad"),
    ("activiteiten.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", ".xls"),
    ("activiteiten.csv", b"alleen een kolom\nwaarde\n", "scheidingsteken"),
])
def test_whole_file_rejections_leave_the_served_database_unchanged(tmp_path, name, content, expect):
    good = write(tmp_path, "activiteiten_eerst.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    (first,), db = load(tmp_path, good)
    before = _served_state(db)
    bad = tmp_path / "in" / name
    bad.write_bytes(content)
    (report,), _ = load(tmp_path, bad, db=db)
    assert report.status == "rejected"
    assert name in report.message and expect in report.message, report.message
    assert (report.rows_in, report.loaded, report.quarantined, report.replaced) == (0, 0, 0, 0)
    assert _served_state(db) == before


def test_unreadable_file_is_rejected(tmp_path):
    path = write(tmp_path, "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    path.chmod(0)
    try:
        if path.stat().st_mode & 0o444 == 0 and _readable(path):
            pytest.skip("running as root: permissions do not stop reading")
        (report,), _ = load(tmp_path, path)
        assert report.status == "rejected" and "activiteiten.csv" in report.message
    finally:
        path.chmod(0o644)


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
        return True
    except OSError:
        return False


def test_a_folder_in_place_of_a_file_is_not_loaded(tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    write(tmp_path, "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;A;1"])
    (tmp_path / "in" / "sub" / "activiteiten_x.csv").write_text("datum;titel;pijler\n01-02-2024;B;1\n")
    reports, db = load(tmp_path, tmp_path / "in")
    assert [Path(r.file).name for r in reports] == ["activiteiten.csv"]
