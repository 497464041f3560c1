"""Publications that are print-grade and accessible (issue 21): the factsheet and the briefing
snapshot are tagged PDF/UA-1 and PDF/A-2a files (structure tree in reading order, /Alt on
every figure, language nl, a title shown as the window title, the identification in XMP),
their charts are vectors with text as text, the SVG exports keep their text as <text>, every
page exports as PNG at 300 dpi, and the published wijk map has classes at multiples of 5, a
legend that names the hidden wijken, a scale bar, a north arrow and the CBS source line."""
from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
from PIL import Image

from dijkwacht import queries
from dijkwacht.documents import alt, charts, letter, pdf, wijk_map
from dijkwacht.documents import figures as doc_figures

YEAR = 2025


@pytest.fixture(scope="module")
def sheet(demo_db):
    return doc_figures.build_factsheet(queries.served(demo_db), YEAR)


@pytest.fixture(scope="module")
def factsheet_pdf(sheet):
    return pdf.factsheet_pdf(sheet)


@pytest.fixture(scope="module")
def svgs(sheet):
    return charts.chart_files(sheet, "svg")


@pytest.fixture
def snapshot(served_demo):
    """The mayor's Briefing frozen through the data layer, as the Briefing page makes it."""
    from dijkwacht.app import data
    from dijkwacht.filters import Period
    return data.briefing_snapshot("bestuur", Period(date(2026, 7, 1), date(2026, 10, 1)), "stad", "Hele stad")


def structure(reader: pypdf.PdfReader) -> list[dict]:
    """The structure tree in document order: one {"S", "Alt", "T", "depth"} per element."""
    out = []

    def walk(node, depth):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for kid in node:
                walk(kid, depth)
            return
        if not isinstance(node, pypdf.generic.DictionaryObject) or "/S" not in node:
            return                                  # marked-content references, numbers
        out.append({"S": str(node["/S"]), "Alt": node.get("/Alt"), "T": node.get("/T"), "depth": depth})
        if "/K" in node:
            walk(node["/K"], depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"].get("/K"), 0)
    return out


def xmp(reader: pypdf.PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def images(reader: pypdf.PdfReader) -> list[tuple[int, int]]:
    """(width, height) of every raster image, in pages and in the forms they draw."""
    found = []

    def walk(resources, seen):
        resources = resources.get_object() if resources is not None else {}
        for ref in resources.get("/XObject", {}).values():
            obj = ref.get_object()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if obj.get("/Subtype") == "/Image":
                found.append((int(obj["/Width"]), int(obj["/Height"])))
            elif "/Resources" in obj:
                walk(obj["/Resources"], seen)
        for pattern in resources.get("/Pattern", {}).values():
            p = pattern.get_object()
            if "/Resources" in p:
                walk(p["/Resources"], seen)

    for page in reader.pages:
        walk(page.get("/Resources"), set())
    return found


def check_accessible(data: bytes, title: str, figures: int) -> list[dict]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "nl"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == title
    meta = xmp(reader)
    assert re.search(r"<dc:title>.*?" + re.escape(title) + r".*?</dc:title>", meta, re.S)
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", meta), meta[:400]
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", meta)
    assert re.search(r"<pdfaid:conformance>A</pdfaid:conformance>", meta)
    assert "/OutputIntents" in root                      # PDF/A: a colour space for the whole file
    tree = structure(reader)
    shown = [e for e in tree if e["S"] == "/Figure"]
    assert len(shown) == figures, [e["S"] for e in tree]
    for e in shown:
        assert e["Alt"] and len(str(e["Alt"])) > 40, e
    # Every font embedded (the font file in its descriptor), DejaVu Sans only.
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            desc = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
            assert any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            assert "DejaVuSans" in str(font["/BaseFont"])
    return tree


def test_factsheet_is_tagged_pdf_ua_and_pdf_a(sheet, factsheet_pdf):
    tree = check_accessible(factsheet_pdf, sheet.titel, figures=5)     # four charts and the map
    headings = [(e["S"], str(e["T"])) for e in tree if e["S"] in ("/H1", "/H2")]
    # Reading order: the title, then page 1's and page 2's sections as they stand on paper.
    assert headings == [("/H1", sheet.titel), ("/H2", "Lees deze cijfers zo"),
                        ("/H2", f"Alle indicatoren, {YEAR} en {YEAR - 1}"), ("/H2", f"Per wijk, {YEAR}"),
                        ("/H2", f"Activiteiten van het programma (pijler 2 en 3), {YEAR}")]
    kinds = [e["S"] for e in tree]
    assert kinds.count("/Table") == 3 and kinds.count("/TH") >= 5 + 4 + 2
    alts = [str(e["Alt"]) for e in tree if e["S"] == "/Figure"]
    assert alts == list(alt.factsheet(sheet).values())
    # The alternative text carries the published numbers, gaps as the chart shows them.
    assert "Wijk 01 Binnenstad: 30" in alts[4] and "Wijk 06 Staart: x" in alts[4]
    hennep = dict(sheet.reeks["hennep_ontmanteld"])
    assert f"{YEAR}: {hennep[YEAR]}" in alts[0]
    signals = sheet.reeks["signalen_aantal"]
    assert f"Signalen meldpunt: {signals[0][0]}: {doc_figures.cell_text(signals[0][1])}; " in alts[1]


def test_snapshot_is_tagged_pdf_ua_and_pdf_a(snapshot):
    snap, data = snapshot
    tree = check_accessible(data, snap.titel, figures=1)
    assert [str(e["T"]) for e in tree if e["S"] == "/H1"] == [snap.titel]
    (figure,) = [e for e in tree if e["S"] == "/Figure"]
    assert str(figure["Alt"]) == alt.snapshot_kaart(snap)
    assert "Wijk 01 Binnenstad" in str(figure["Alt"])
    assert [e["S"] for e in tree].count("/Table") == 2


def test_pdfs_are_reproducible(sheet, factsheet_pdf, snapshot):
    """Same data, same bytes: fixed creation date (the data's stand per), no system fonts."""
    assert pdf.factsheet_pdf(sheet) == factsheet_pdf
    snap, data = snapshot
    assert pdf.snapshot_pdf(snap) == data
    assert b"D:20261030000000" in factsheet_pdf                # dated the stand per, not today


def test_charts_in_the_pdf_are_vectors_with_text(sheet, factsheet_pdf, snapshot):
    for data in (factsheet_pdf, snapshot[1]):
        reader = pypdf.PdfReader(io.BytesIO(data))
        big = [size for size in images(reader) if size[0] > 200 or size[1] > 200]
        assert not big, big
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(factsheet_pdf)).pages)
    # The charts' titles and the map's legend are text in the PDF, not pixels.
    for label in ("Hennepkwekerijen: gevonden en geschat", "Handhavingsoutput", "Op de kaart: wijknummer en aantal",
                  "2 km", "Wijkgrenzen: CBS Wijk- en buurtkaart 2020"):
        assert label in text, label


def test_svg_exports_hold_their_text(svgs):
    def texts(svg: bytes) -> str:
        return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode("utf-8")))

    assert set(svgs) == {"hennep", "reeks", "handhaving", "activiteiten", "kaart"}
    assert "Hennepkwekerijen: gevonden en geschat" in texts(svgs["hennep"])
    assert "Signalen, transacties en controles per jaar" in texts(svgs["reeks"])
    assert "wat er gedaan is, geen maat voor de omvang" in texts(svgs["handhaving"])
    assert "Activiteiten van het programma" in texts(svgs["activiteiten"])
    assert f"Signalen meldpunt per wijk, {YEAR}" in texts(svgs["kaart"])
    for svg in svgs.values():                       # text in DejaVu Sans, not glyph outlines
        assert b"DejaVu Sans" in svg and b"<use xlink:href=\"#DejaVu" not in svg


def test_png_of_every_page_at_300_dpi(factsheet_pdf):
    pngs = pdf.page_pngs(factsheet_pdf)
    assert len(pngs) == 2
    for png in pngs:
        image = Image.open(io.BytesIO(png))
        assert abs(image.size[0] - 2480) <= 1 and abs(image.size[1] - 3508) <= 1, image.size
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    assert pdf.page_png(factsheet_pdf, 1) == pngs[1]


# --- the published map ----------------------------------------------------------------------

def test_map_classes_fit_published_values(sheet):
    shown = [r[doc_figures.MAP_CODE] for r in sheet.wijken if isinstance(r[doc_figures.MAP_CODE], int)]
    assert sorted(set(shown)) == [15, 20, 30, 35]
    klassen = wijk_map.classes(shown)
    assert [k.label for k in klassen] == ["15–20", "25–30", "35"]
    for k in klassen:
        assert k.van % 5 == 0 and k.tot % 5 == 0
    for v in shown:
        assert sum(k.holds(v) for k in klassen) == 1, v
    # Exact (bestuur) counts: bounds still at multiples of 5, ends just before the next bound.
    assert [(k.van, k.tot) for k in wijk_map.classes([7, 12, 31])] == [(5, 14), (15, 24), (25, 31)]
    assert wijk_map.classes([]) == []


def test_map_names_hidden_wijken_and_carries_scale_north_and_source(sheet, svgs):
    svg = svgs["kaart"].decode("utf-8").replace("\u00a0", " ")
    words = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)).replace("\u00a0", " ")
    hidden = [r for r in sheet.wijken if r[doc_figures.MAP_CODE] == "x"]
    assert len(hidden) == 5
    assert "Niet getoond (x):" in words
    for r in hidden:
        name = r["wijk"] if r["wijkcode"] == "onbekend" else f"{r['wijkcode'][-2:]} {r['wijk'].split(' ', 2)[2]}"
        assert name.split()[-1] in words, name
    assert "2 km" in words and re.search(r"\bN\b", words)
    assert "CBS Wijk- en buurtkaart 2020, CC BY 4.0" in words and sheet.attributie in words
    assert "niet getoond (x)" in words                  # the legend entry of the hatched wijken
    for label in ("15–20", "25–30", "35"):
        assert label in words
    # every wijk carries its number on the map
    for code in ("01", "06", "09", "98"):
        assert code in words


def test_published_map_draws_from_the_cbs_boundaries(sheet, monkeypatch):
    """The map is drawn from the CBS boundaries in data/geo (maps.boundaries), never from a
    second copy: break them and the map fails loudly."""
    from dijkwacht import maps

    def broken(*args, **kwargs):
        raise FileNotFoundError("data/geo")
    monkeypatch.setattr(maps, "boundaries", broken)
    with pytest.raises(FileNotFoundError):
        charts.chart_kaart(sheet)


# --- the edition's accompanying text (kort begeleidend schrijven) -----------------------------

LETTER = ("Hierbij de factsheet ondermijning 2025.   Het aantal signalen bleef gelijk;\r\n"
          "de controles namen iets toe.\n\n\n\nVoor vragen: team Veiligheid.  ")


def test_letter_is_cleaned_and_limited():
    assert letter.clean(LETTER) == ("Hierbij de factsheet ondermijning 2025. Het aantal signalen bleef gelijk;\n"
                                    "de controles namen iets toe.\n\nVoor vragen: team Veiligheid.")
    assert letter.paragraphs(LETTER) == ["Hierbij de factsheet ondermijning 2025. Het aantal signalen bleef gelijk; "
                                         "de controles namen iets toe.", "Voor vragen: team Veiligheid."]
    assert letter.clean(" \n\n ") is None and letter.file_bytes(None) == {}
    with pytest.raises(letter.TeLang, match="Maak hem korter"):
        letter.clean("a" * (letter.MAX_CHARS + 1))
    with pytest.raises(letter.TeLang, match="alinea's"):
        letter.clean("\n\n".join(["Kort."] * (letter.MAX_PARAGRAPHS + 1)))


def test_letter_is_printed_on_the_factsheet(sheet, factsheet_pdf):
    with_text = pdf.factsheet_pdf(sheet, begeleidend=LETTER)
    reader = pypdf.PdfReader(io.BytesIO(with_text))
    assert len(reader.pages) == 2
    page2 = " ".join(reader.pages[1].extract_text().split())
    assert "Bij deze editie" in page2 and "Voor vragen: team Veiligheid." in page2
    heads = [str(e["T"]) for e in structure(reader) if e["S"] == "/H2"]
    assert heads[-2:] == [f"Activiteiten van het programma (pijler 2 en 3), {YEAR}", "Bij deze editie"]
    assert pdf.factsheet_pdf(sheet, begeleidend=LETTER) == with_text           # reproducible
    assert "Bij deze editie" not in " ".join(p.extract_text() for p in
                                             pypdf.PdfReader(io.BytesIO(factsheet_pdf)).pages)
    # The longest text allowed still leaves the factsheet at two pages, in many paragraphs too.
    words = "Een zin van een paar woorden voor de lezer. " * 20
    longest = "\n\n".join([words[:letter.MAX_CHARS // letter.MAX_PARAGRAPHS - 2].strip()] * letter.MAX_PARAGRAPHS)
    assert letter.clean(longest) == longest and len(longest) > letter.MAX_CHARS - 20
    assert len(pypdf.PdfReader(io.BytesIO(pdf.factsheet_pdf(sheet, begeleidend=longest))).pages) == 2


def test_letter_is_archived_with_its_edition(tmp_path, sheet, factsheet_pdf):
    from dijkwacht import state
    from dijkwacht.documents import archive
    con = state.connect(tmp_path / "state.sqlite")
    directory = tmp_path / "archief"
    assert archive.edition_text(con, YEAR, directory) is None
    printed = pdf.factsheet_pdf(sheet, begeleidend=LETTER)
    row = archive.publish(con, sheet, {"pdf": printed, **letter.file_bytes(LETTER)}, "analist1", "analist",
                          directory)
    txt = next(f for f in row["bestanden"] if f["bestand"].endswith(".txt"))
    data = (directory / txt["bestand"]).read_bytes()
    assert data == (letter.clean(LETTER) + "\n").encode("utf-8")
    assert txt["sha256"] == doc_figures.sha256(data)
    assert archive.edition_text(con, YEAR, directory) == letter.clean(LETTER)
    assert archive.edition_text(con, YEAR - 1, directory) is None
    con.close()
