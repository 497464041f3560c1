"""The annual factsheet and the briefing snapshot as documents (issues 11 and 15), on the demo
database built through the real ETL: every figure comes from the measure registry at the
grain it is shown and is published under the publication profile (every count rounded to 5,
city totals included; wijk cells 1–9 hidden); years before a source's first record are "geen
gegevens"; the PDF holds no buurt; it is reproducible and archived, and republishing an
edition that would single out fewer than 10 records needs a reason. Also the meldpunt funnel
(its stages nest)."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import shutil
from datetime import date, datetime, timedelta, timezone

import duckdb
import openpyxl
import polars as pl
import pypdf
import pytest
from PIL import Image

from dijkwacht import charts, formats, measures, queries, state
from dijkwacht.documents import archive as doc_archive
from dijkwacht.documents import charts as doc_charts
from dijkwacht.documents import figures as doc_figures
from dijkwacht.documents import pdf as doc_pdf
from dijkwacht.documents import xlsx as doc_xlsx
from dijkwacht.measures import MEASURES, year_period

YEAR = 2025
FAMILY_YEAR = 2014          # etl/demo.py: the programme's example case


@pytest.fixture(scope="module")
def db(demo_db):
    return queries.served(demo_db)


@pytest.fixture(scope="module")
def sheet(db):
    return doc_figures.build_factsheet(db, YEAR)


@pytest.fixture(scope="module")
def pdf(sheet):
    return doc_pdf.factsheet_pdf(sheet)


@pytest.fixture(scope="module")
def text(pdf):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def xlsx_cells(sheet):
    book = openpyxl.load_workbook(io.BytesIO(doc_xlsx.indicator_xlsx(sheet)))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def rounded(v):
    """The publication rule, written out independently: counts to the nearest 5, 1–4 "<5"."""
    v = int(v)
    if 1 <= v <= 4:
        return "<5"
    return 5 * ((2 * v + 5) // 10)


def published(measure, v):
    """A measure's exact registry value as the factsheet must publish it."""
    if v is None:
        return None
    if measure.telling or measure.eenheid in ("aantal", "deelnemers"):
        return rounded(v)
    if measure.eenheid == "euro":
        return 1000 * int(v / 1000 + 0.5)
    return v


def wijk_buurten(db) -> dict[str, list[str]]:
    return {w["wijkcode"]: db.query("gebied_buurten", soort="wijk", code=w["wijkcode"])["buurtcode"].to_list()
            for w in db.query("wijken_lijst").iter_rows(named=True) if w["land"]}


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


# --- every figure from the registry, published -----------------------------------------------

def test_city_figures_are_the_registry_values_rounded(db, sheet, text):
    """Each figure is measures.values for the year (and the year before), as published:
    counts rounded to 5 — the city totals too —, amounts to € 1.000, shares and means exact.
    The indicator table in the PDF shows exactly those."""
    now, before = measures.values(db, *year_period(YEAR)), measures.values(db, *year_period(YEAR - 1))
    assert (now["signalen_aantal"], sheet.cijfer("signalen_aantal")["waarde"]) == (216, 215)
    assert (now["controles_aantal"], sheet.cijfer("controles_aantal")["waarde"]) == (249, 250)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for m in MEASURES:
        c = sheet.cijfer(m.code)
        assert c["waarde"] == published(m, now[m.code]), m.code
        assert c["vorig"] == published(m, before[m.code]), m.code
        # One table row per indicator: its name (¹ for enforcement output), this year, last year.
        row = " ".join([m.naam + (" ¹" if m.handhaving else ""), doc_figures.shown(c["waarde"], m.eenheid),
                        doc_figures.shown(c["vorig"], m.eenheid)]) + " "
        assert any(line.startswith(row) for line in lines), (m.naam, row)
    assert "afgerond op 5, ook de stadstotalen" in " ".join(text.split())


def test_wijk_figures_come_from_the_wijk_rows(db, sheet):
    """A wijk's figure is measures.values over that wijk's buurten (never a sum of disclosed
    cells); the records without a location are one row, city − Σ wijken; every wijk cell is
    that figure rounded to 5, or "x" — never 1–9."""
    van, tot = year_period(YEAR)
    exact = doc_figures.exact_figures(db, YEAR)
    city = measures.values(db, van, tot)
    rows = {r["wijkcode"]: r for r in exact.wijken.iter_rows(named=True)}
    published_rows = {r["wijkcode"]: r for r in sheet.wijken}
    for wijk, buurten in wijk_buurten(db).items():
        own = measures.values(db, van, tot, buurten)
        for code in sheet.wijk_codes:
            assert rows[wijk][code] == own[code], (wijk, code)
            cell = published_rows[wijk][code]
            assert cell == "x" or cell == rounded(own[code]), (wijk, code, cell, own[code])
            if 1 <= own[code] <= 9:
                assert cell == "x", (wijk, code)
    for code in sheet.wijk_codes:
        assert sum(r[code] for r in rows.values()) == city[code]
        assert rows["onbekend"][code] == city[code] - sum(r[code] for k, r in rows.items() if k != "onbekend")


def test_no_wijk_cell_of_ten_or_more_is_hidden_on_the_demo(db, sheet):
    """Secondary suppression hides as little as is safe: in the 2025 factsheet only the
    cells 1–9 are hidden (the previous profile hid 6 cells of 10 or more: signals 17 and 20,
    inspections 11, 16 and 21, transactions 12)."""
    exact = {r["wijkcode"]: r for r in doc_figures.exact_figures(db, YEAR).wijken.iter_rows(named=True)}
    for row in sheet.wijken:
        for code in sheet.wijk_codes:
            assert (row[code] == "x") == (1 <= exact[row["wijkcode"]][code] <= 9), (row, code)


def test_every_published_count_is_a_multiple_of_five(db, sheet):
    for year, fs in ((YEAR, sheet), (FAMILY_YEAR, doc_figures.build_factsheet(db, FAMILY_YEAR))):
        cells = doc_archive.published_cells(fs.numbers())
        counts = [c for c in cells.values() if c["telling"]]
        assert len(counts) > 60
        for c in counts:
            v = c["waarde"]
            assert v is None or v in ("x", "<5") or (isinstance(v, int) and v % 5 == 0), (year, c)
        # "<5" only at city level, "x" only in the wijk table
        assert all(c["waarde"] != "<5" for k, c in cells.items() if k.startswith("wijk:"))


def test_the_family_case_interventions_are_counted_once(db, demo_con):
    """The example family's warnings and penalty are recorded on the grow site and again on
    the inspection after it: the factsheet counts each once (DEDUP_RULE), and publishes
    that count rounded."""
    con = demo_con.cursor()
    try:
        naive, twice = {}, {}
        for measure, code in (("sluiting", "sluitingen"), ("last onder dwangsom", "dwangsommen_aantal")):
            naive[code] = con.execute(
                "SELECT (SELECT count(*) FROM hennepkwekerijen WHERE year(datum_ontmanteling) = ? AND maatregel = ?)"
                " + (SELECT count(*) FROM controles WHERE year(datum) = ? AND maatregel = ?)",
                [FAMILY_YEAR, measure, FAMILY_YEAR, measure]).fetchone()[0]
            twice[code] = con.execute(
                "SELECT count(*) FROM hennepkwekerijen h WHERE year(h.datum_ontmanteling) = ? AND h.maatregel = ? "
                "AND EXISTS (SELECT 1 FROM controles c WHERE c.adres_sleutel = h.adres_sleutel "
                "AND c.maatregel = h.maatregel AND c.datum BETWEEN h.datum_ontmanteling "
                "AND h.datum_ontmanteling + INTERVAL 60 DAY)", [FAMILY_YEAR, measure]).fetchone()[0]
        family = con.execute(
            "SELECT count(*) FROM hennepkwekerijen h JOIN controles c ON c.adres_sleutel = h.adres_sleutel "
            "AND c.maatregel = h.maatregel AND c.datum BETWEEN h.datum_ontmanteling "
            "AND h.datum_ontmanteling + INTERVAL 60 DAY WHERE h.eigenaar_id = (SELECT eigenaar_id FROM "
            "hennepkwekerijen WHERE eigenaar_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)").fetchone()[0]
    finally:
        con.close()
    assert family == 4                      # 3 warnings and the € 30.000 penalty, recorded twice
    assert twice["dwangsommen_aantal"] >= 1
    exact = doc_figures.exact_figures(db, FAMILY_YEAR).stad
    fs = doc_figures.build_factsheet(db, FAMILY_YEAR)
    for code in ("sluitingen", "dwangsommen_aantal"):
        assert exact[code] == naive[code] - twice[code], code
        assert fs.cijfer(code)["waarde"] == rounded(naive[code] - twice[code]), code
    assert exact["dwangsommen_aantal"] == 23 and naive["dwangsommen_aantal"] == 24


def test_penalties_count_and_amount_over_the_same_records(sheet, text):
    """Two clearly labelled figures: all penalties, and the amount of those with a known amount."""
    n, m = sheet.cijfer("dwangsommen_aantal")["waarde"], sheet.cijfer("dwangsommen_met_bedrag")["waarde"]
    assert (n, m, sheet.cijfer("dwangsommen_bedrag")["waarde"]) == (20, 15, 320000)
    assert "Lasten onder dwangsom 2025: 20; bedrag bekend voor 15: € 320.000" in " ".join(text.split())


def test_bron_names_the_real_sources(sheet, xlsx_cells):
    assert sheet.cijfer("sluitingen")["bron"] == "kwekerijen en controles"
    assert sheet.cijfer("sluitingen")["bronnen"] == ["hennepkwekerijen", "controles"]
    assert sheet.cijfer("dwangsommen_bedrag")["bron"] == "controles"
    head, *rows = xlsx_cells["Indicatoren"]
    row = next(r for r in rows if r[head.index("Code")] == "sluitingen")
    assert row[head.index("Bron")] == (f"{doc_figures.BRON_NAMEN['hennepkwekerijen']} en "
                                        f"{doc_figures.BRON_NAMEN['controles']}")


def test_activities_are_pillars_two_and_three_everywhere(db, sheet):
    van, tot = year_period(YEAR)
    assert measures.values(db, van, tot)["activiteiten_aantal"] == 24         # pillars 2 and 3
    assert sheet.cijfer("activiteiten_aantal")["waarde"] == 25
    assert {a["pijler"] for a in sheet.activiteiten} == {2, 3}
    all_pillars = db.query("activiteiten_per_soort", van=van, tot=tot)
    assert 1 in all_pillars["pijler"].to_list()                              # pillar 1 exists, and is left out
    exact = all_pillars.filter(pl.col("pijler").is_in([2, 3]))
    per_kind = exact.group_by("soort").agg(pl.col("aantal").sum())
    assert {r["soort"]: rounded(r["aantal"]) for r in per_kind.iter_rows(named=True)} == \
        {a["soort"]: a["aantal"] for a in sheet.activiteiten_soort}


def test_years_before_a_source_starts_have_no_data_never_zero(db):
    """The meldpunt starts in 2016 (bronstand.eerste_datum): a 2014 factsheet has no signal
    figures — None, shown as "–"/"geen gegevens" — while its grow-site series starts at the
    first grow site."""
    first = doc_figures.first_dates(db)
    assert first["signalen"] > date(2015, 12, 31) and first["hennepkwekerijen"] < date(2013, 1, 1)
    fs = doc_figures.build_factsheet(db, FAMILY_YEAR)
    assert fs.cijfer("signalen_aantal")["waarde"] is None and fs.cijfer("signalen_aantal")["vorig"] is None
    assert fs.cijfer("signalen_terugkoppeling_pct")["waarde"] is None
    assert fs.cijfer("activiteiten_aantal")["waarde"] is None and fs.activiteiten == ()
    assert all(v is None for _, v in fs.reeks["signalen_aantal"])
    assert all(r["signalen_aantal"] is None for r in fs.wijken)
    assert [y for y, _ in fs.reeks["hennep_ontmanteld"]][0] == first["hennepkwekerijen"].year
    assert all(isinstance(v, int) and v > 0 for _, v in fs.reeks["hennep_ontmanteld"])
    # the 2025 series: years before 2016 are not zero-filled either
    later = doc_figures.build_factsheet(db, 2020)
    assert [v for y, v in later.reeks["signalen_aantal"] if y < 2016] == [None] * 4
    assert all(isinstance(v, int) for y, v in later.reeks["signalen_aantal"] if y >= 2016)
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(doc_pdf.factsheet_pdf(fs))).pages)
                    .split())
    assert "geen gegevens" in text and "Signalen meldpunt – – – meldpunt" in text


# --- the map, the PDF and the XLSX ------------------------------------------------------------

def test_map_shows_the_published_wijk_cells(sheet):
    """The published map draws the factsheet's own wijk cells (documents.wijk_map), never a
    value the table does not show: its alternative text and its labels are those cells."""
    svg = doc_charts.chart_files(sheet, "svg")["kaart"].decode("utf-8")
    words = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    binnenstad = next(r for r in sheet.wijken if r["wijkcode"] == "WK050501")
    assert binnenstad["signalen_aantal"] == 30
    assert re.search(r"\b01 30\b", " ".join(words.split()))      # number and value, on the map
    assert doc_charts.chart_kaart_png(sheet)[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(isinstance(r["signalen_aantal"], int) or r["signalen_aantal"] == "x" for r in sheet.wijken)


def test_caveats_estimate_and_sources(sheet, text):
    flat = " ".join(text.split())
    assert "geen maat voor de omvang" in text
    low, mid, high = sheet.schatting
    assert (low, high) == measures.estimate_band(sheet.cijfer("hennep_ontmanteld")["waarde"])[::2]
    assert f"{formats.number(low)} tot {formats.number(high)}" in text and "aanname" in text
    assert "stand per 30 okt 2026" in text and sheet.load_id in text
    for bron in sheet.bronnen:
        assert doc_figures.BRON_NAMEN[bron["bron"]] in flat
    assert "Bron: CBS, Kadaster" in text
    assert measures.DEDUP_RULE in flat and "pijler 2 en 3" in flat


def test_wijk_table_in_the_pdf_is_rounded(sheet, text):
    part = text[text.index(f"Per wijk, {YEAR}"):text.index("x = niet getoond: minder dan 10")]
    part = re.sub(r"Wijk \d\d", "", part)
    numbers = [int(n.replace(".", "")) for n in re.findall(r"(?<![\w,])\d[\d.]*(?![\w,])", part)
               if n != str(YEAR)]
    assert numbers, part
    assert all(n == 0 or (n >= 10 and n % 5 == 0) for n in numbers), numbers
    assert "Gemeente 215 250 105" in " ".join(part.split())    # the total row: rounded, like the cells


def test_no_buurt_in_pdf_or_xlsx(db, text, xlsx_cells):
    names = buurt_names(db)
    assert names
    flat = " ".join(text.split())
    assert not re.search(r"BU\d{8}", text)
    assert not [n for n in names if n in flat]
    cells = [str(c) for rows in xlsx_cells.values() for row in rows for c in row if c is not None]
    assert not [c for c in cells if re.search(r"BU\d{8}", c)]
    assert not [c for c in cells for n in names if n in c]


def test_xlsx_holds_the_published_values(sheet, xlsx_cells):
    head, *rows = xlsx_cells["Indicatoren"]
    assert len(rows) == len(MEASURES)
    col_now, col_before = head.index(str(YEAR)), head.index(str(YEAR - 1))
    for row, m in zip(rows, MEASURES):
        assert row[head.index("Code")] == m.code
        assert row[col_now] == sheet.cijfer(m.code)["waarde"]
        assert row[col_before] == sheet.cijfer(m.code)["vorig"]
    head, *rows = xlsx_cells["Per wijk"]
    for row in rows:
        if row[0] is None or str(row[0]).startswith("x ="):
            continue
        for v in row[1:]:
            assert v in ("x", "<5") or (isinstance(v, (int, float)) and (v == 0 or (v >= 10 and v % 5 == 0))), row
    for rows in xlsx_cells.values():
        for row in rows:
            for c in row:
                assert not (isinstance(c, str) and c[:1] in "=+-@"), c


def test_rerun_gives_the_same_numbers_and_bytes(db, sheet, pdf):
    again = doc_figures.build_factsheet(db, YEAR)
    assert again.numbers() == sheet.numbers()
    assert again.numbers_sha256() == sheet.numbers_sha256()
    assert doc_pdf.factsheet_pdf(again) == pdf


def test_png_is_page_one_at_print_resolution(pdf):
    png = doc_pdf.page_png(pdf)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    width, height = image.size
    assert abs(width - 2480) <= 1 and height / width == pytest.approx(2 ** 0.5, rel=0.01)   # A4 at 300 dpi


# --- the archive and republication ----------------------------------------------------------

def test_publish_writes_files_and_register_row(tmp_path, sheet, pdf, db):
    con = state.connect(tmp_path / "state.sqlite")
    png = doc_pdf.page_png(pdf)
    row = doc_archive.publish(con, sheet, {"pdf": pdf, "png": png}, who="analist1", role="analist",
                      directory=tmp_path / "archief")
    load_id = db.query("meta")["load_id"][0]
    assert row["load_id"] == load_id and row["soort"] == "factsheet" and row["periode"] == str(YEAR)
    assert row["reden"] is None
    listed = doc_archive.archive_list(con)
    assert [r["id"] for r in listed] == [row["id"]]
    assert listed[0]["gemaakt_door"] == "analist1" and listed[0]["load_id"] == load_id
    assert {f["bestand"].rsplit(".", 1)[1] for f in listed[0]["bestanden"]} == {"pdf", "png", "json"}
    for f in listed[0]["bestanden"]:
        data = (tmp_path / "archief" / f["bestand"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
    assert (tmp_path / "archief" / listed[0]["bestanden"][0]["bestand"]).read_bytes() == pdf
    assert listed[0]["cijfers_sha256"] == sheet.numbers_sha256()
    with pytest.raises(ValueError):
        doc_archive.archive_file("../state.sqlite", tmp_path / "archief")
    con.close()


@pytest.fixture(scope="module")
def late_record(demo_db, tmp_path_factory):
    """The demo database plus one late signal in Wijk 05 Het Reeland (17 → 18 signals in
    2025: shown 15 → 20), the fact table rebuilt the way the ETL does."""
    from etl.facts import build_facts
    path = tmp_path_factory.mktemp("laat") / "dijkwacht.duckdb"
    shutil.copy(demo_db, path)
    con = duckdb.connect(str(path))
    buurt = con.execute("SELECT min(buurtcode) FROM buurten WHERE wijkcode = 'WK050505' AND NOT water").fetchone()[0]
    con.execute("INSERT INTO signalen (signaalnummer, ontvangen_op, thema, buurtcode, status, bestand_sha256) "
                "VALUES ('SG-LAAT-1', TIMESTAMP '2025-06-02 10:00:00', 'hennep', ?, 'ontvangen', 'laat')", [buurt])
    build_facts(con)
    yield con
    con.close()


def test_republishing_a_change_of_one_record_needs_a_reason(tmp_path, sheet, late_record):
    later = doc_figures.build_factsheet(queries.OnConnection(late_record), YEAR)
    def reeland(fs):
        return next(r for r in fs.wijken if r["wijkcode"] == "WK050505")["signalen_aantal"]

    assert (reeland(sheet), reeland(later)) == (15, 20)
    assert sheet.cijfer("signalen_aantal")["waarde"] == later.cijfer("signalen_aantal")["waarde"] == 215

    check = doc_archive.republication_check(sheet.numbers(), later.numbers())
    assert check.aanwijsbaar
    # the count cell singles out the record; the share (from exact counts) changed too, but
    # is not a count of records
    assert [(w["cel"], w["oud"], w["nieuw"], w["aanwijsbaar"]) for w in check.wijzigingen] == [
        ("Melders met terugkoppeling, 2025", 75.0, 74.5, False),
        ("Signalen meldpunt, Wijk 05 Het Reeland, 2025", 15, 20, True)]
    assert not doc_archive.republication_check(sheet.numbers(), sheet.numbers()).wijzigingen

    con = state.connect(tmp_path / "state.sqlite")
    archive = tmp_path / "archief"
    t0 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    first = doc_archive.publish(con, sheet, {"pdf": b"%PDF-1"}, "analist1", "analist", archive, t0)
    again = doc_archive.publish(con, sheet, {"pdf": b"%PDF-1"}, "analist1", "analist", archive,
                        t0 + timedelta(minutes=1))            # nothing changed: no reason needed
    assert again["filters"] == {"jaar": YEAR, "herpublicatie_van": first["id"], "gewijzigde_cellen": 0}
    with pytest.raises(doc_archive.Republicatie) as refused:
        doc_archive.publish(con, later, {"pdf": b"%PDF-2"}, "analist1", "analist", archive, t0 + timedelta(minutes=2))
    assert "Signalen meldpunt, Wijk 05 Het Reeland, 2025: 15 → 20" in str(refused.value)
    assert "reden" in str(refused.value)
    assert len(doc_archive.archive_list(con, "factsheet")) == 2                     # nothing stored
    with pytest.raises(ValueError):
        doc_archive.publish(con, later, {"pdf": b"%PDF-2"}, "analist1", "analist", archive,
                    t0 + timedelta(minutes=3), reden="zomaar")               # no free text
    row = doc_archive.publish(con, later, {"pdf": b"%PDF-2"}, "analist1", "analist", archive,
                      t0 + timedelta(minutes=4), reden="late levering partner")
    assert row["reden"] == "late levering partner"
    latest = doc_archive.archive_list(con, "factsheet")[0]
    assert latest["filters"] == {"jaar": YEAR, "reden": "late levering partner",
                                 "herpublicatie_van": again["id"], "gewijzigde_cellen": 2}
    con.close()


def test_a_change_of_ten_or_more_records_is_republished_without_a_reason(sheet):
    changed = dataclasses.replace(sheet, wijken=tuple(
        {**r, "controles_aantal": 50} if r["wijkcode"] == "WK050501" else r for r in sheet.wijken))
    check = doc_archive.republication_check(sheet.numbers(), changed.numbers())
    assert [(w["oud"], w["nieuw"], w["aanwijsbaar"]) for w in check.wijzigingen] == [(40, 50, False)]
    assert not check.aanwijsbaar
    hidden = dataclasses.replace(sheet, wijken=tuple(
        {**r, "controles_aantal": 10} if r["wijkcode"] == "WK050506" else r for r in sheet.wijken))
    assert doc_archive.republication_check(sheet.numbers(), hidden.numbers()).aanwijsbaar   # "x" → 10


# --- the snapshot: the Briefing frozen, as the viewer saw it --------------------------------

@pytest.mark.parametrize("gebied", ["stad", "wijk:WK050503"])
def test_briefing_snapshot_is_the_briefing(served_demo, gebied):
    """The snapshot PDF holds the mayor's Briefing figures — the same values and the same
    marks as the screen (one rule for screen and document), never a number the screen hid."""
    from dijkwacht.app import data
    from dijkwacht.filters import Period

    period = Period(date(2026, 7, 1), date(2026, 10, 1))
    snap, pdf = data.briefing_snapshot("bestuur", period, gebied, "Gebied")
    screen = data.briefing("bestuur", period, gebied)
    for c in snap.cijfers:
        assert (c["nu"], c["vorige"], c["vorig_jaar"]) == tuple(
            screen[k][c["code"]] for k in ("nu", "vorige", "vorig_jaar")), c["code"]
    table = screen["veranderingen"].filter(pl.col("soort") == "wijk")
    for row in table.iter_rows(named=True):
        shown = next(w for w in snap.wijken if w["wijkcode"] == row["sleutel"])[row["bron"]]
        assert shown == (row["nu"] if row["nu"] is not None else row["nu_weergave"])
    assert any(isinstance(w[b], str) for w in snap.wijken for b in doc_figures.SNAPSHOT_SOURCES)   # marks kept
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "1 jul 2026 – 30 sep 2026" in text and "Wat veranderde het meest" in text
    assert not re.search(r"BU\d{8}", text)
    signals = screen["nu"]["signalen_aantal"]
    assert formats.value(signals, "aantal") in text


# --- the meldpunt funnel ----------------------------------------------------------------------

def test_funnel_stages_nest_on_the_demo(db):
    """Each stage is a subset of the one before, for every year and theme; closed without
    passing on is beside the funnel, not in it (the old funnel drew doorgezet < afgesloten)."""
    for year in range(2016, 2027):
        for thema in (None, "hennep", "drugshandel"):
            frame = db.query("signalen_trechter", van=date(year, 1, 1), tot=date(year + 1, 1, 1),
                             buurten=None, thema=thema)
            stages = frame.filter(pl.col("trechter")).sort("volgorde")["aantal"].to_list()
            assert charts.nests(stages), (year, thema, stages)
            side = frame.filter(~pl.col("trechter"))["aantal"].to_list()
            assert stages[2] + side[0] <= stages[1]      # the two routes after stage 2 do not overlap
    frame = db.query("signalen_trechter", van=date(2025, 1, 1), tot=date(2026, 1, 1), buurten=None, thema=None)
    assert frame["aantal"].to_list() == [216, 216, 111, 98, 97]
    fig = charts.funnel(frame)
    assert fig.data[0].type == "funnel" and list(fig.data[0].x) == [216, 216, 111, 98]


def test_funnel_stages_are_subsets_on_planted_signals(memdb):
    """Awkward records (a closing date without the status, passed on without a target, no
    status at all) still give nested stages: counted from the same rows in Python."""
    rows = [  # signaalnummer, status, doorgezet_naar, afgesloten_op
        ("S1", "ontvangen", None, None), ("S2", "in behandeling", None, None),
        ("S3", "doorgezet", "politie", None), ("S4", "doorgezet", None, None),
        ("S5", "afgesloten", "riec", date(2025, 3, 1)), ("S6", "afgesloten", None, date(2025, 3, 2)),
        ("S7", "ontvangen", None, date(2025, 3, 3)), ("S8", None, "politie", None),
        ("S9", None, None, None), ("S10", "in behandeling", "politie", date(2025, 4, 1))]
    memdb.executemany("INSERT INTO signalen (signaalnummer, ontvangen_op, status, doorgezet_naar, afgesloten_op, "
                      "bestand_sha256) VALUES (?, TIMESTAMP '2025-02-01 09:00:00', ?, ?, ?, 'x')", rows)
    frame = queries.OnConnection(memdb).query("signalen_trechter", van=date(2025, 1, 1), tot=date(2026, 1, 1),
                                              buurten=None, thema=None)
    behandeld = {r[0] for r in rows if (r[1] or "ontvangen") != "ontvangen" or r[2] or r[3]}
    doorgezet = {r[0] for r in rows if r[0] in behandeld and (r[2] or r[1] == "doorgezet")}
    gesloten = {r[0] for r in rows if r[1] == "afgesloten" or r[3]}
    expected = [len(rows), len(behandeld), len(doorgezet), len(doorgezet & gesloten),
                len((behandeld - doorgezet) & gesloten)]
    assert frame["aantal"].to_list() == expected == [10, 8, 5, 2, 2]
    assert doorgezet <= behandeld
    # counts that do not nest are never drawn as a funnel
    crossed = frame.with_columns(aantal=pl.Series([10, 8, 2, 5, 2]))
    assert charts.funnel(crossed).data[0].type == "bar"


@pytest.mark.parametrize("role", ["bestuur", "analist"])
def test_factsheet_page(served_demo, tmp_path, monkeypatch, role):
    from apptest_support import app_for
    monkeypatch.setenv("DIJKWACHT_ARCHIEF", str(tmp_path / "archief"))
    at = app_for(role, "pages/factsheet.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == f"Factsheet ondermijning Dordrecht {YEAR}"
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Ontmantelde hennepkwekerijen"], metrics["Verdachte transacties"],
            metrics["Signalen meldpunt"], metrics["Bibob: geweigerd of ingetrokken"]) == ("35", "105", "215", "<5")
    buttons = [b.label for b in at.button]
    assert ("Publiceren" in buttons) == (role == "analist")


def test_factsheet_page_asks_a_reason_when_republishing(served_demo, tmp_path, monkeypatch):
    """The page against data.publish_factsheet(role, who, year, reden=None): a refusal shows
    the changed cells and a choice of the fixed reasons (no free text); publishing again
    passes the chosen reason."""
    from apptest_support import app_for

    from dijkwacht.app import data
    monkeypatch.setenv("DIJKWACHT_ARCHIEF", str(tmp_path / "archief"))
    calls = []
    check = doc_archive.Herpublicatie(({"sleutel": "wijk:WK050505:signalen_aantal", "cel": "Signalen meldpunt, "
                                "Wijk 05 Het Reeland, 2025", "oud": 15, "nieuw": 20, "telling": True,
                                "aanwijsbaar": True},), True)

    def publish(role, who, year, reden=None, begeleidend=None):
        calls.append((role, year, reden))
        if reden is None:
            raise doc_archive.Republicatie(check, {"periode": str(year), "gemaakt_op": "2026-11-02T09:00:00+00:00"})
        return {"gemaakt_op": "2026-11-02T10:00:00+00:00", "reden": reden}

    monkeypatch.setattr(data, "publish_factsheet", publish)
    at = app_for("analist", "pages/factsheet.py").run()
    next(b for b in at.button if b.label == "Publiceren").click().run()
    assert not at.exception, at.exception
    assert any("al gepubliceerd" in w.value for w in at.warning)
    choice = next(s for s in at.selectbox if s.label == "Reden van de nieuwe editie")
    assert list(choice.options) == list(doc_archive.REDENEN)
    choice.select("late levering partner").run()
    next(b for b in at.button if b.label == "Opnieuw publiceren met deze reden").click().run()
    assert not at.exception, at.exception
    assert calls == [("analist", YEAR, None), ("analist", YEAR, "late levering partner")]
    assert any("reden: late levering partner" in s.value for s in at.success)


def test_analyst_writes_the_accompanying_text_and_it_is_published_and_kept(app_state, monkeypatch):
    """Issue 21, item 5, through the page: the text an analyst types is printed on the PDF's
    page 2, archived as .txt beside every page's PNG, and the next visit starts from it."""
    from apptest_support import app_for

    from dijkwacht.app import data
    monkeypatch.setenv("DIJKWACHT_ARCHIEF", str(app_state / "archief"))
    text = "Hierbij de factsheet van dit jaar.\n\nDe cijfers zijn besproken in de driehoek."
    at = app_for("analist", "pages/factsheet.py").run()
    box = next(t for t in at.text_area if t.label == "Begeleidend schrijven bij deze editie")
    assert box.value == ""                                         # nothing published yet
    box.input(text).run()
    next(b for b in at.button if b.label == "Publiceren").click().run()
    assert not at.exception, at.exception
    assert at.success, [e.value for e in at.error]
    row = data.archive("analist")[0]
    names = [f["bestand"] for f in row["bestanden"]]
    assert any(n.endswith(".txt") for n in names) and any(n.endswith(".pagina-2.png") for n in names)
    printed = data.archived_file("analist", next(n for n in names if n.endswith(".pdf")))
    page2 = pypdf.PdfReader(io.BytesIO(printed)).pages[1].extract_text()
    assert "besproken in de driehoek" in " ".join(page2.split())
    again = app_for("analist", "pages/factsheet.py").run()
    assert next(t for t in again.text_area if t.label.startswith("Begeleidend")).value == text
    assert data.edition_text("bestuur", YEAR) == text              # the mayor's PDF prints it too


def test_a_text_that_does_not_fit_blocks_the_pdf_and_says_why(app_state, monkeypatch):
    from apptest_support import app_for

    monkeypatch.setenv("DIJKWACHT_ARCHIEF", str(app_state / "archief"))
    at = app_for("analist", "pages/factsheet.py").run()
    box = next(t for t in at.text_area if t.label.startswith("Begeleidend"))
    box.input("\n\n".join(["Kort."] * 5)).run()
    assert any("alinea's" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Publiceren").disabled
    assert {b.key: b.disabled for b in at.get("download_button")}["fs_pdf"]
