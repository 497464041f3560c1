"""LibreOffice's .ods and old Excel's .xls load as CSV and .xlsx do: the messy files below give
the same counts, quarantine (line, column, rule) and warnings in every format, line numbers
being the sheet's row numbers. The workbooks are written here from the CSV lines (odfpy, xlwt),
so no binary fixture is committed: once with every cell as text (as in a template, whose cells
are formatted as text), once with the cells a spreadsheet program makes of what a partner
types (real dates, whole numbers)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from etl_support import quarantine

from etl import steward
from etl.inbox import SETTLE_SECONDS, Watch, process
from etl.load import READABLE_SUFFIXES, run
from etl.read import ACCEPTED_SUFFIXES, ENCRYPTED_PACKAGE, OLE_MAGIC, PASSWORD_REFUSAL, read_file, workbook_kind
from etl.reference import valid_buurtcodes

KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"  # strong enough for a real load (etl key rule)
CODE = sorted(valid_buurtcodes())[0]

# The quirks of DESIGN §2 that survive a spreadsheet (not the CSV-only ones: separators,
# encodings, shifted fields, quotes spanning lines), per source, as a partner's CSV.
MESSY = {
    "hennepkwekerijen.csv": [
        "registratienummer;datum_ontmanteling;adres;postcode;buurtcode;locatietype;aantal_planten;stroomdiefstal;eigendom;maatregel",
        f"HK1;03-02-2024;Voorstraat 12a;3311 xc;{CODE};WONING ;1.040;ja;Particuliere  Verhuur;Last onder Dwangsom",
        "HK2;3-2-2024;voorstraat 12 A;3311XC;;bedrijfspand;12;nee;;",
        "HK3;2024-02-03;Voorstraat 12-a; 3311  XC ;;woning;7;ja;ja;",
        "HK4;45325;Kerkstraat 1;33XC;;woning;240;;;",
        "HK5;31-02-2024;Kerkstraat 2;3311XC;BU99999999;kelder;-5;misschien;;",
        "HK6;01-02-2024 10:00;Kerkstraat 3;;;woning;1,5;;;",
        ";;;;;;;;;",
        "",
        "HK7;morgen;Café 3 bis;;;woning;veel;;;",
        ";01-02-2024;Plein;;;woning;3;;;",
        "HK2;04-02-2024;Plein 2;3311XC;;woning;3;;;",
        "HK8;01-02-2099;Plein 3;3311XC;;woning;3;;;",
        "HK9;01-02-1980;Plein 4;3311XC;;overig;0;onbekend;corporatie;geen",
    ],
    "verdachte_transacties.csv": [
        "transactienummer;datum;bedrag;transactietype;melder_sector;subject_type;subject_id;branche;adres;postcode",
        "T1;01-02-2024;1.234,56;overig;bank;;;;;",
        "T2;01-02-2024;12;overboeking;bank;;;;;",
        "T3;01-02-2024;€ 2.500;Contante Storting;bank;;;;;",
        "T4;01-02-2024;0;overboeking;bank;;;;;",
        "T5;01-02-2024;-3,50;overboeking;bank;;;;;",
        "T6;01-02-2024;veel;overboeking;bank;;;;;",
        "T7;01-02-2024;;overboeking;bank;;;;;",
        "T8;01-02-2024;10;overboeking;bank;rechtspersoon;KVK1;Café € Zuid;Voorstraat 1;3311XC",
        'T9;01-02-2024;10;overboeking;bank;;;=HYPERLINK("x");;',
        "T10;01-02-2024;10,123;overboeking;bank;;;;;",
        "T11;29-02-2024;10;kansspel;casino;stichting;;;;",
    ],
    "signalen.csv": [
        "signaalnummer;ontvangen_op;kanaal;melder_type;thema;status;barrierefase;afgesloten_op",
        "S1;03-02-2024 14:30;e-mail;bewoner;hennep;afgesloten;;10-02-2024",
        "S2;03-02-2024 14:30:15;telefoon;anoniem;drugshandel;ontvangen;;",
        "S3;2024-02-03 09:05;Webformulier;Ondernemer;OMG;in behandeling;kweken;",
        "S4;3-2-2024;intern;partner;witwassen;doorgezet;;31-02-2024",
        "S5;45325.5;partner;partner;hennep;afgesloten;;",
        "S6;03-02-2024 25:10;e-mail;bewoner;hennep;afgesloten;;",
        "S7;01-02-2024;e-mail;bewoner;hennep;afgesloten;kweken en zo;",
        "S1;05-02-2024;e-mail;bewoner;hennep;afgesloten;;",
    ],
    "controles.csv": [
        "controlenummer;datum;soort;partners;bevindingen;bedrag_dwangsom;uitkomst",
        'C1;01-02-2024;Integrale controle;"Politie; RIEC";"Drugs ; illegaal gokken";30.000;overtreding',
        'C2;01-02-2024;integrale controle;;"drugs; wapens";1.500,50;geen overtreding',
        "C3;01-02-2024;rondje;;;;",
        "C4;01-02-2024;bibob-toets;;;dertig;bibob: verleend",
        "C5;1-1-2024;horecacontrole;gemeente;;;",
    ],
    "activiteiten.csv": [
        "datum;titel;pijler;soort;deelnemers",
        "01-02-2024;Training A;2;training;12",
        "02-02-2024;Campagne B;3;campagne;",
        "01-02-2024;  ;1;;",
        "01-02-2024;C;4;;",
        "01-02-2024;D;0;;",
        "01-02-2024;E;1;;-1",
        "29-02-2023;F;1;;",
        "01-02-2024;Training A;2;training;5",
        ";;;;",
        "32-01-2024;G;1;;",
        "01-02-2024;H;1;Bijeenkomst;1.040",
    ],
    "eigendommen.csv": [
        "adres;postcode;eigenaar_id;eigenaar_type;peildatum",
        "Voorstraat 1;3311XC;E1;stichting;01-10-2024",
        "Voorstraat 2;3311XC;E2;natuurlijk persoon;01-10-2024",
        "Voorstraat 2;3311 xc;E2;natuurlijk persoon;01-10-2024",
        "Voorstraat 3;;E3;rechtspersoon;01-10-2024",
        "Voorstraat 4;3311XC;;rechtspersoon;01-10-2024",
        "Voorstraat 5;3311XC;E5;Rechtspersoon;1-10-2024",
    ],
}
# (rows in, loaded, quarantined) of each CSV: the bar every workbook must meet.
EXPECTED = {
    "hennepkwekerijen.csv": (11, 4, 7),
    "verdachte_transacties.csv": (11, 6, 5),
    "signalen.csv": (8, 4, 4),
    "controles.csv": (5, 2, 3),
    "activiteiten.csv": (10, 3, 7),
    "eigendommen.csv": (6, 2, 4),
}


# ------------------------------------------------------------------ writing workbooks

def typed(value: str):
    """What a spreadsheet program keeps of what a partner typed: a real date for a valid
    dd-mm-jjjj (with a time), a number for a plain whole number, else the text."""
    for notation in ("%d-%m-%Y %H:%M", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value, notation)
        except ValueError:
            pass
    return int(value) if re.fullmatch(r"0|-?[1-9]\d{0,14}", value) else value


def sheet_rows(lines: list[str], as_typed: bool) -> list[list]:
    """The CSV's records as sheet rows (a blank line an empty row, so rows keep line numbers);
    the header always as text."""
    records = list(csv.reader(lines, delimiter=";"))
    return records[:1] + [[typed(v) if as_typed and v else v for v in record] for record in records[1:]]


def write_ods(path: Path, rows: list[list]) -> Path:
    """As LibreOffice saves: dates as date cells (ISO value), runs of equal cells repeated."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.teletype import addTextToElement
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    sheet = Table(name="Blad1")
    for values in rows:
        row = TableRow()
        for value, run_ in itertools.groupby(values):
            repeated = len(list(run_))
            cell = TableCell(**({"numbercolumnsrepeated": repeated} if repeated > 1 else {}))
            if isinstance(value, dt.datetime):
                iso = value.date().isoformat() if value.time() == dt.time() else value.isoformat()
                cell.setAttribute("valuetype", "date")
                cell.setAttribute("datevalue", iso)
            elif isinstance(value, int):
                cell.setAttribute("valuetype", "float")
                cell.setAttribute("value", str(value))
            elif value:
                cell.setAttribute("valuetype", "string")
            if value not in ("", None):
                paragraph = P()
                addTextToElement(paragraph, str(value))     # keeps runs of spaces (<text:s/>)
                cell.addElement(paragraph)
            row.addElement(cell)
        sheet.addElement(row)
    doc.spreadsheet.addElement(sheet)
    doc.save(str(path))
    return path


def write_xls(path: Path, rows: list[list]) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Blad1")
    date_style = xlwt.easyxf(num_format_str="dd-mm-yyyy hh:mm")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, date_style)
            elif value not in ("", None):
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("Blad1")
    date_style = book.add_format({"num_format": "dd-mm-yyyy hh:mm"})
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, date_style)
            elif value not in ("", None):
                sheet.write(r, c, value)
    book.close()
    return path


WRITERS = {".ods": write_ods, ".xls": write_xls, ".xlsx": write_xlsx}


# --------------------------------------------------------------------------- loading

def load(path: Path):
    db = path.parent / f"db-{path.suffix[1:]}" / "dijkwacht.duckdb"
    (report,) = run([path], db, key=KEY, progress=lambda _: None)
    return report, db


def stored(db: Path, table: str) -> list[tuple]:
    """The loaded rows, without the delivering file's hash (which differs per format)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table]).fetchall() if c != "bestand_sha256"]
        return sorted(con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
    finally:
        con.close()


def outcome(report) -> tuple:
    return (report.status, report.source, report.rows_in, report.loaded, report.quarantined,
            report.unknown_columns, report.warnings)


@pytest.fixture(scope="module")
def csv_loads(tmp_path_factory) -> dict:
    """Each messy CSV loaded once: the reference for every workbook."""
    out = {}
    for name, lines in MESSY.items():
        path = tmp_path_factory.mktemp(name.split(".")[0]) / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report, db = load(path)
        out[name] = (outcome(report), quarantine(db), stored(db, report.source))
    return out


@pytest.mark.parametrize("name", sorted(MESSY))
def test_the_messy_csv_files_quarantine_what_they_should(csv_loads, name):
    (status, source, *counts, _, _), rejected, _ = csv_loads[name]
    assert (status, source, tuple(counts)) == ("loaded", name.removesuffix(".csv"), EXPECTED[name])
    assert rejected and all(isinstance(line, int) and line >= 2 for line, *_ in rejected)


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
@pytest.mark.parametrize("name", sorted(MESSY))
def test_a_workbook_of_text_cells_loads_exactly_as_the_csv(tmp_path, csv_loads, name, suffix):
    expected_outcome, expected_quarantine, expected_rows = csv_loads[name]
    path = WRITERS[suffix](tmp_path / name.replace(".csv", suffix), sheet_rows(MESSY[name], as_typed=False))
    report, db = load(path)
    assert outcome(report) == expected_outcome
    assert (report.rows_in, report.loaded, report.quarantined) == EXPECTED[name]
    assert quarantine(db) == expected_quarantine            # line, column, rule and value: so per rule too
    assert stored(db, report.source) == expected_rows


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
@pytest.mark.parametrize("name", sorted(MESSY))
def test_a_workbook_with_date_and_number_cells_gives_the_same_counts(tmp_path, csv_loads, name, suffix):
    """Dates typed into a sheet are date cells: the same rules apply, the same rows are
    quarantined for the same rule; the value shows as the sheet holds it, as in an XLSX."""
    expected_outcome, expected_quarantine, expected_rows = csv_loads[name]
    rows = sheet_rows(MESSY[name], as_typed=True)
    assert any(isinstance(v, dt.datetime) for row in rows for v in row)
    report, db = load(WRITERS[suffix](tmp_path / name.replace(".csv", suffix), rows))
    xlsx_report, xlsx_db = load(write_xlsx(tmp_path / name.replace(".csv", ".xlsx"), rows))
    assert outcome(report) == outcome(xlsx_report) == expected_outcome
    assert [q[:3] for q in quarantine(db)] == [q[:3] for q in expected_quarantine]
    assert quarantine(db) == quarantine(xlsx_db)
    assert stored(db, report.source) == stored(xlsx_db, report.source) == expected_rows


# ------------------------------------------------------------------ dates in workbooks

@pytest.mark.parametrize("suffix", [".ods", ".xls", ".xlsx"])
def test_date_cells_read_alike_in_every_workbook_format(tmp_path, suffix):
    """The XLSX case of test_etl_formats in each format; a date cell shows as XLSX shows it,
    also in a text column, and a text cell that looks like an ISO date keeps its text."""
    rows = [["Registratienummer", "Datum ontmanteling", "aantal planten", "locatietype", "adres"],
            ["HK1", dt.datetime(2024, 2, 3), 1040, "Woning", dt.datetime(2024, 2, 3, 14, 30)],
            ["HK2", "04-02-2024", 7, "bedrijfspand", "2024-02-03"],
            [None, None, None, None, None],
            ["HK3", "31-02-2024", 3, "woning", None],
            [12345, 45325, "1.040", "overig", "2024-02-03T10:00:00"],
            ["HK4", dt.datetime(2099, 1, 1), 3, "woning", None]]
    path = WRITERS[suffix](tmp_path / f"hennepkwekerijen{suffix}", rows)
    frame, meta = read_file(path, path.read_bytes())
    assert meta["encoding"] == {".ods": "ods", ".xls": "xls", ".xlsx": "xlsx"}[suffix]
    assert frame["Datum ontmanteling"].to_list()[:2] == ["2024-02-03 00:00:00", "04-02-2024"]
    assert frame["adres"].to_list()[:2] + frame["adres"].to_list()[4:5] == [
        "2024-02-03 14:30:00", "2024-02-03", "2024-02-03T10:00:00"]
    assert frame["_regel"].to_list() == [2, 3, 4, 5, 6, 7]
    report, db = load(path)
    assert (report.status, report.rows_in, report.loaded, report.quarantined) == ("loaded", 5, 3, 2), report.message
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT registratienummer, datum_ontmanteling, aantal_planten FROM hennepkwekerijen "
                           "ORDER BY 1").fetchall() == [("12345", dt.date(2024, 2, 3), 1040),
                                                        ("HK1", dt.date(2024, 2, 3), 1040),
                                                        ("HK2", dt.date(2024, 2, 4), 7)]
    finally:
        con.close()
    assert [q[:2] for q in quarantine(db)] == [(5, "datum_ontmanteling"), (7, "datum_ontmanteling")]
    assert quarantine(db)[1][3] == "2099-01-01 00:00:00"      # the future date as XLSX shows it


# --------------------------------------------------------------- recognising the kind

def test_the_kind_is_told_by_the_first_bytes_else_the_suffix(tmp_path):
    ods = write_ods(tmp_path / "a.ods", [["a"], ["1"]]).read_bytes()
    xls = write_xls(tmp_path / "a.xls", [["a"], ["1"]]).read_bytes()
    xlsx = write_xlsx(tmp_path / "a.xlsx", [["a"], ["1"]]).read_bytes()
    assert [workbook_kind(Path("lijst.csv"), data) for data in (ods, xls, xlsx)] == ["ods", "xls", "xlsx"]
    assert [workbook_kind(Path(f"lijst{s}"), b"kapot") for s in (".ods", ".XLS", ".xlsm", ".csv")] == [
        "ods", "xls", "xlsx", None]
    for data in (ods, xls):      # misnamed as .csv: read as the workbook it is
        frame, _ = read_file(Path("activiteiten.csv"), data)
        assert frame.select("a", "_regel").rows() == [("1", 2)]


def _encrypted_ods() -> bytes:
    """An ODS as LibreOffice saves it with a password: the manifest lists encryption data."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                         'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml">'
                         '<manifest:encryption-data manifest:checksum="x"/></manifest:file-entry></manifest:manifest>',
                         zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", b"\x8f\x01 versleuteld", zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _encrypted_xls() -> bytes:
    """An .xls as Excel saves it with a password: a FILEPASS record right after the BOF."""
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("Blad1").write(0, 0, "datum")
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    after_bof = data.index(b"\x09\x08\x10\x00") + 20
    data[after_bof:after_bof + 2] = b"\x2f\x00"
    return bytes(data)


@pytest.mark.parametrize("name,content,expect", [
    ("activiteiten.ods", b"PK\x03\x04 geen werkmap", "het werkblad is niet te lezen"),
    ("activiteiten.xls", OLE_MAGIC + b"\xa1\xb1\x1a\xe1 kapot", "het werkblad is niet te lezen"),
    ("activiteiten.ods", b"geen zip", "het werkblad is niet te lezen"),
    # An encrypted .xlsx is an OLE file holding an EncryptedPackage stream.
    ("activiteiten.xlsx", OLE_MAGIC + b"\xa1\xb1\x1a\xe1" + b"\x00" * 500 + ENCRYPTED_PACKAGE, PASSWORD_REFUSAL),
    ("activiteiten.ods", _encrypted_ods(), PASSWORD_REFUSAL),
    ("activiteiten.xls", _encrypted_xls(), PASSWORD_REFUSAL),
])
def test_a_damaged_or_encrypted_workbook_is_refused_by_name(tmp_path, name, content, expect):
    path = tmp_path / name
    path.write_bytes(content)
    report, _ = load(path)
    assert report.status == "rejected"
    assert report.message.startswith(f"{name}: ") and expect in report.message, report.message
    assert (report.rows_in, report.loaded, report.quarantined) == (0, 0, 0)


# ------------------------------------------------------------------- inbox and upload

def test_ods_and_xls_are_accepted_wherever_files_come_in():
    assert {".ods", ".xls", ".xlsx", ".csv"} <= set(ACCEPTED_SUFFIXES)
    assert READABLE_SUFFIXES == steward.UPLOAD_SUFFIXES == ACCEPTED_SUFFIXES
    for name in ("lijst.ods", "LIJST.XLS", "lijst.xlsx", "lijst.csv"):
        assert steward.check_upload(name, 10) is None, name
    assert "alleen" in steward.check_upload("lijst.numbers", 10)


def test_an_ods_and_an_xls_dropped_in_the_inbox_are_loaded_and_filed(tmp_path, monkeypatch):
    monkeypatch.setenv("DIJKWACHT_PSEUDONIEM_SLEUTEL", KEY.decode())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    ods = write_ods(inbox / "activiteiten_voorjaar.ods", sheet_rows(MESSY["activiteiten.csv"], as_typed=True))
    xls = write_xls(inbox / "controles_voorjaar.xls", sheet_rows(MESSY["controles.csv"], as_typed=True))
    watch = Watch(inbox)
    assert watch.ready(now=100.0) == []
    assert watch.ready(now=100.0 + SETTLE_SECONDS) == [ods, xls]
    db = tmp_path / "dijkwacht.duckdb"
    reports = process(inbox, [ods, xls], db, say=lambda _: None)
    assert [(r.status, r.source, r.rows_in, r.loaded, r.quarantined) for r in reports] == [
        ("loaded", "activiteiten", *EXPECTED["activiteiten.csv"]), ("loaded", "controles", *EXPECTED["controles.csv"])]
    assert sorted(p.name.split("-", 1)[1] for p in (inbox / "verwerkt").iterdir()) == [ods.name, xls.name]
    assert not ods.exists() and not xls.exists()


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_the_upload_preview_reads_ods_and_xls(tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("DIJKWACHT_DB", str(tmp_path / "dijkwacht.duckdb"))
    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    path = WRITERS[suffix](tmp_path / f"signalen{suffix}", sheet_rows(MESSY["signalen.csv"], as_typed=True))
    preview = steward.preview_bytes(path.name, path.read_bytes())
    assert preview.refusal is None, preview.refusal
    assert (preview.source, preview.rows_in, preview.loaded, preview.quarantined) == (
        "signalen", *EXPECTED["signalen.csv"])
    assert not (tmp_path / "dijkwacht.duckdb").exists()
