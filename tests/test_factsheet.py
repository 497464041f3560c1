"""The annual factsheet and the briefing snapshot as documents (issue 11), on the demo
database built through the real ETL: the PDF holds every indicator with the database's
value, nothing below the publication profile, no buurt; it is reproducible and archived."""
from __future__ import annotations

import hashlib
import io
import re
from datetime import date

import openpyxl
import pypdf
import pytest
from PIL import Image

from dijkwacht import factsheet as fsh
from dijkwacht import formats, queries, state
from dijkwacht.indicators import INDICATORS, year_period

YEAR = 2025


@pytest.fixture(scope="module")
def db(demo_db):
    return queries.served(demo_db)


@pytest.fixture(scope="module")
def sheet(db):
    return fsh.build_factsheet(db, YEAR)


@pytest.fixture(scope="module")
def pdf(sheet):
    return fsh.factsheet_pdf(sheet)


@pytest.fixture(scope="module")
def text(pdf):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def xlsx_cells(sheet):
    book = openpyxl.load_workbook(io.BytesIO(fsh.indicator_xlsx(sheet)))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def db_value(db, indicator, year):
    """The indicator's own query on the served demo database (read-only, hardened)."""
    van, tot = year_period(year)
    return db.query(indicator.query, van=van, tot=tot, buurten=None)["waarde"][0]


def buurt_names(db) -> set[str]:
    """Buurt names that are not also (part of) a wijk name."""
    areas = db.query("gebieden_keuze")
    wijken = [w for w in areas.filter(areas["soort"] == "wijk")["naam"].to_list() if w]
    names = {n for n in areas.filter(areas["soort"] == "buurt")["naam"].to_list() if n}
    return {n for n in names if len(n) >= 4 and not any(n in w for w in wijken)}


def test_pdf_is_two_a4_pages_with_the_demo_label(pdf, text):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "DEMODATA" in text and "Demodata – geen echte cijfers" in text


def test_every_indicator_with_the_database_value(db, text):
    """City totals are exact under the publication profile: each indicator's value for the
    year and the year before, as the database gives it, is in the PDF text."""
    lines = text.splitlines()
    for indicator in INDICATORS:
        now = formats.value(db_value(db, indicator, YEAR), indicator.eenheid)
        before = formats.value(db_value(db, indicator, YEAR - 1), indicator.eenheid)
        at = [i for i, line in enumerate(lines) if line.startswith(indicator.naam)]
        assert at, indicator.naam
        # the indicator table: name, then this year's and last year's value
        assert any(lines[i + 1:i + 3] == [now, before] for i in at), (indicator.naam, now, before)


def test_caveats_estimate_and_sources(sheet, text):
    assert "geen maat voor de omvang" in text
    low, mid, high = fsh.estimate_band(sheet.cijfer("hennep_ontmanteld")["waarde"])
    assert f"{formats.number(low)} tot {formats.number(high)}" in text and "aanname" in text
    assert "stand per 30 okt 2026" in text and sheet.load_id in text
    for bron in sheet.bronnen:
        assert fsh.BRON_NAMEN[bron["bron"]] in " ".join(text.split())
    assert "Bron: CBS, Kadaster" in text


def test_wijk_cells_follow_the_publication_profile(sheet, text):
    for row in sheet.wijken:
        for code in sheet.wijk_codes:
            v = row[code]
            assert v == "x" or (isinstance(v, int) and (v == 0 or (v >= 10 and v % 5 == 0))), (row, code)
    # and in the PDF text: the wijk table holds no number from 1 to 9 and only multiples of 5
    part = text[text.index(f"Per wijk, {YEAR}"):text.index("Gemeente (exact)")]
    part = re.sub(r"Wijk \d\d", "", part)
    numbers = [int(n.replace(".", "")) for n in re.findall(r"(?<![\w,])\d[\d.]*(?![\w,])", part)
               if n != str(YEAR)]
    assert numbers, part
    assert all(n == 0 or (n >= 10 and n % 5 == 0) for n in numbers), numbers


def test_no_buurt_in_pdf_or_xlsx(db, text, xlsx_cells):
    names = buurt_names(db)
    assert names
    flat = " ".join(text.split())
    assert not re.search(r"BU\d{8}", text)
    assert not [n for n in names if n in flat]
    cells = [str(c) for rows in xlsx_cells.values() for row in rows for c in row if c is not None]
    assert not [c for c in cells if re.search(r"BU\d{8}", c)]
    assert not [c for c in cells for n in names if n in c]


def test_xlsx_indicators_and_wijk_table(db, sheet, xlsx_cells):
    head, *rows = xlsx_cells["Indicatoren"]
    assert len(rows) == len(INDICATORS)
    col_now, col_before = head.index(str(YEAR)), head.index(str(YEAR - 1))
    for row, indicator in zip(rows, INDICATORS):
        assert row[head.index("Code")] == indicator.code
        assert float(row[col_now]) == pytest.approx(float(db_value(db, indicator, YEAR)))
        assert float(row[col_before]) == pytest.approx(float(db_value(db, indicator, YEAR - 1)))
    head, *rows = xlsx_cells["Per wijk"]
    for row in rows:
        if row[0] in (None, "Gemeente (exact)") or str(row[0]).startswith("x ="):
            continue
        for v in row[1:]:
            assert v == "x" or (isinstance(v, (int, float)) and (v == 0 or (v >= 10 and v % 5 == 0))), row
    for rows in xlsx_cells.values():
        for row in rows:
            for c in row:
                assert not (isinstance(c, str) and c[:1] in "=+-@"), c


def test_rerun_gives_the_same_numbers_and_bytes(db, sheet, pdf):
    again = fsh.build_factsheet(db, YEAR)
    assert again.numbers() == sheet.numbers()
    assert again.numbers_sha256() == sheet.numbers_sha256()
    assert fsh.factsheet_pdf(again) == pdf


def test_png_is_page_one_in_a4_proportions(pdf):
    png = fsh.page_png(pdf)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    width, height = image.size
    assert width >= 1200 and height / width == pytest.approx(2 ** 0.5, rel=0.01)


def test_publish_writes_files_and_register_row(tmp_path, sheet, pdf, db):
    con = state.connect(tmp_path / "state.sqlite")
    png = fsh.page_png(pdf)
    row = fsh.publish(con, sheet, {"pdf": pdf, "png": png}, who="analist1", role="analist",
                      directory=tmp_path / "archief")
    load_id = db.query("meta")["load_id"][0]
    assert row["load_id"] == load_id and row["soort"] == "factsheet" and row["periode"] == str(YEAR)
    listed = fsh.archive_list(con)
    assert [r["id"] for r in listed] == [row["id"]]
    assert listed[0]["gemaakt_door"] == "analist1" and listed[0]["load_id"] == load_id
    assert {f["bestand"].rsplit(".", 1)[1] for f in listed[0]["bestanden"]} == {"pdf", "png", "json"}
    for f in listed[0]["bestanden"]:
        data = (tmp_path / "archief" / f["bestand"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
    assert (tmp_path / "archief" / listed[0]["bestanden"][0]["bestand"]).read_bytes() == pdf
    assert listed[0]["cijfers_sha256"] == sheet.numbers_sha256()
    with pytest.raises(ValueError):
        fsh.archive_file("../state.sqlite", tmp_path / "archief")
    con.close()


def test_briefing_snapshot_city_and_area(tmp_path, db):
    van, tot = date(2026, 7, 1), date(2026, 10, 1)
    snap = fsh.build_snapshot(db, van, tot)
    pdf = fsh.snapshot_pdf(snap)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "stand per 30 okt 2026" in text and "Wat veranderde het meest" in text
    assert not re.search(r"BU\d{8}", text)
    for row in snap.wijken:                          # bestuur profile: no 1–4 shown
        for bron in fsh.SNAPSHOT_SOURCES:
            assert row[bron] in ("<5", "x") or row[bron] == 0 or row[bron] >= 5, row

    buurten = db.query("gebied_buurten", soort="wijk", code="WK050506")["buurtcode"].to_list()
    area = fsh.build_snapshot(db, van, tot, "wijk:WK050506", "Wijk 06 Staart", buurten)
    for c in area.cijfers:
        if c["telling"]:
            for k in ("nu", "vorige", "vorig_jaar"):
                assert c[k] is None or c[k] == "<5" or c[k] == 0 or c[k] >= 5, c
    assert fsh.build_snapshot(db, van, tot, "wijk:WK050506", "Wijk 06 Staart", buurten) == area

    con = state.connect(tmp_path / "state.sqlite")
    row = fsh.publish(con, snap, {"pdf": pdf}, who="burgemeester", role="bestuur",
                      directory=tmp_path / "archief")
    assert row["soort"] == "briefing" and row["periode"] == "2026-07-01/2026-10-01"
    assert fsh.archive_list(con, "briefing")[0]["filters"] == {"van": "2026-07-01", "tot": "2026-10-01",
                                                               "gebied": "stad"}
    con.close()


@pytest.mark.parametrize("role", ["bestuur", "analist"])
def test_factsheet_page(served_demo, tmp_path, monkeypatch, role):
    from apptest_support import app_for
    monkeypatch.setenv("DIJKWACHT_ARCHIEF", str(tmp_path / "archief"))
    at = app_for(role, "pages/factsheet.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == f"Factsheet ondermijning Dordrecht {YEAR}"
    assert [m.value for m in at.metric][:1] == ["35"]
    buttons = [b.label for b in at.button]
    assert ("Publiceren" in buttons) == (role == "analist")
