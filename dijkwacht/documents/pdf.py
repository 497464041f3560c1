"""The factsheet and the briefing snapshot laid out on A4 with reportlab (platypus), and a
page as PNG with pypdfium2. No browser, no system packages: everything comes from pip.
DejaVu Sans (shipped with matplotlib) has €, ë, – and all Dutch text; reportlab's invariant
mode keeps the bytes the same for the same figures.
"""
from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from dijkwacht import formats
from dijkwacht.documents.charts import INK, MUTED, PALETTE, chart_files, snapshot_map_png
from dijkwacht.documents.figures import (
    ACTIVITY_PILLARS,
    CHANGE_MIN,
    HIDDEN_NOTE,
    NO_DATA,
    PIJLER_NAMEN,
    ROUNDING_NOTE,
    SNAPSHOT_OMITTED,
    SNAPSHOT_SOURCES,
    SOORT_NAMEN,
    SOURCE_SHORT,
    Factsheet,
    Snapshot,
    cell_text,
    change_text,
    dwangsom_text,
    shown,
    stand_text,
)
from dijkwacht.measures import BY_CODE, DEDUP_RULE, DISCOVERY_BAND, DISCOVERY_FACTOR, HEADLINE
from dijkwacht.sources import SOURCES

HOUSE = "#00406F"          # the municipal header colour
LIGHT = "#E8EEF3"

WIDTH_MM = 176             # usable width: A4 minus 15 mm margins and the frame's padding
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"


# --- PDF (reportlab) ------------------------------------------------------------------------

def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans (ships with matplotlib; has €, ë, – and all Dutch text) once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    if FONT not in pdfmetrics.getRegisteredFontNames():
        import matplotlib
        ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
        from reportlab.lib.fonts import addMapping
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT)
        addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT, FONT_BOLD


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    regular, bold = _fonts()
    base = ParagraphStyle("basis", fontName=regular, fontSize=8.5, leading=11.5,
                          textColor=colors.HexColor(INK))
    return {
        "body": base,
        "small": ParagraphStyle("klein", parent=base, fontSize=7, leading=9,
                                textColor=colors.HexColor(MUTED)),
        "h2": ParagraphStyle("kop2", parent=base, fontName=bold, fontSize=11.5, leading=15,
                             spaceBefore=5, spaceAfter=2, textColor=colors.HexColor(HOUSE)),
        "big": ParagraphStyle("groot", parent=base, fontName=bold, fontSize=19, leading=22,
                              textColor=colors.HexColor(HOUSE)),
        "tile": ParagraphStyle("tegel", parent=base, fontName=bold, fontSize=8, leading=10),
        "cell": ParagraphStyle("cel", parent=base, fontSize=7.5, leading=9.5),
        "cellb": ParagraphStyle("celvet", parent=base, fontName=bold, fontSize=7.5, leading=9.5),
        "banner": ParagraphStyle("banier", parent=base, fontName=bold, fontSize=9, leading=11,
                                 textColor=colors.black),
    }


def _esc(text) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _image(png: bytes, width: float):
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image
    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    return Image(io.BytesIO(png), width=width, height=width * h / w)


def _doc_pdf(story, title: str, subtitle: str, footer: str, demo: bool) -> bytes:
    """A4 with the municipal header band on every page and a footer with page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate
    regular, bold = _fonts()
    width, height = A4
    band = 24 * mm

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(HOUSE))
        canvas.rect(0, height - band, width, band, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(bold, 16)
        canvas.drawString(15 * mm, height - 12 * mm, title)
        canvas.setFont(regular, 9)
        canvas.drawString(15 * mm, height - 18.5 * mm, subtitle)
        if demo:
            canvas.setFillColor(colors.HexColor(PALETTE["oranje"]))
            canvas.rect(width - 52 * mm, height - band + 5 * mm, 40 * mm, 8 * mm, stroke=0, fill=1)
            canvas.setFillColor(colors.black)
            canvas.setFont(bold, 10)
            canvas.drawCentredString(width - 32 * mm, height - band + 7.6 * mm, "DEMODATA")
        canvas.setFillColor(colors.HexColor(MUTED))
        canvas.setFont(regular, 6.5)
        canvas.drawString(15 * mm, 8 * mm, footer)
        canvas.drawRightString(width - 15 * mm, 8 * mm, f"pagina {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=band + 6 * mm, bottomMargin=15 * mm, title=title,
                            author="Dijkwacht", subject=subtitle, creator="Dijkwacht",
                            producer="Dijkwacht (ReportLab)", invariant=1, lang="nl-NL")
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


def _table(rows, widths, header_rows: int = 1, align_right_from: int = 1, zebra: bool = True):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle
    t = Table(rows, colWidths=widths, repeatRows=header_rows)
    style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (align_right_from, 0), (-1, -1), "RIGHT"),
             ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, colors.HexColor(HOUSE)),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    if zebra:
        for i in range(header_rows, len(rows)):
            if (i - header_rows) % 2:
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F4F7FA")))
    t.setStyle(TableStyle(style))
    return t


def _late_sources(fs: Factsheet) -> list[str]:
    """Sources that start after the first year the factsheet shows (or have no records):
    their earlier years are "geen gegevens"."""
    first_shown = min((y for points in fs.reeks.values() for y, _ in points), default=fs.jaar - 1)
    out = []
    for b in fs.bronnen:
        first = date.fromisoformat(b["eerste_datum"]) if b.get("eerste_datum") else None
        if b["bron"] in SOURCES and SOURCES[b["bron"]].extract:
            continue                      # an extract per case, not a series
        if first is None:
            out.append(f"{b['naam']}: nog geen gegevens")
        elif first.year > min(first_shown, fs.jaar - 1):
            out.append(f"{b['naam']}: vanaf {formats.day(first)}")
    return out


def caveats(fs_or_snap, enforcement_years: str) -> list[str]:
    low, high = DISCOVERY_BAND
    lines = [
        "Handhavingscijfers (ontmantelde kwekerijen, controles, sluitingen, dwangsommen, Bibob) "
        "tonen wat overheid en partners deden. Ze zijn geen maat voor de omvang van ondermijning: "
        "meer controles geven meer vondsten.",
        f"Naar schatting wordt ongeveer 1 op de {DISCOVERY_FACTOR} hennepkwekerijen gevonden. De schatting "
        f"van het aantal aanwezige kwekerijen (gevonden × {DISCOVERY_FACTOR}, bandbreedte × {low} tot × {high}) "
        "is een aanname, geen meting.",
        "Een jaar is een kalenderjaar; verdachte transacties tellen op transactiedatum, signalen op "
        "ontvangstdatum. Een latere levering kan cijfers van eerdere jaren nog aanvullen.",
    ]
    if isinstance(fs_or_snap, Factsheet):
        lines.append(ROUNDING_NOTE)
        lines.append(DEDUP_RULE + " Activiteiten: pijler 2 en 3 (bewustwording, samenwerking), zoals de "
                     "indicator luidt; pijler 1 (de aanpak) staat in de handhavingscijfers.")
        late = _late_sources(fs_or_snap)
        if late:
            lines.append("Vóór de eerste levering van een bron: geen gegevens (–), nooit 0. "
                         + "; ".join(_esc(x) for x in late) + ".")
    if fs_or_snap.demo:
        lines.insert(0, "<b>Demodata.</b> Deze cijfers komen uit de synthetische demodataset van Dijkwacht "
                        "en zeggen niets over de werkelijkheid.")
    return lines


def factsheet_pdf(fs: Factsheet, charts: dict[str, bytes] | None = None) -> bytes:
    """The factsheet as a two-page A4 PDF: page 1 the key figures, charts and how to read
    them; page 2 every indicator, the wijk table and map, activities and sources."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

    s = _styles()
    regular = _fonts()[0]
    charts = charts if charts is not None else chart_files(fs, "png")
    full = WIDTH_MM * mm
    stand = stand_text(fs)
    story = []
    intro = (f"Resultaten van het programma Ondermijning in {fs.jaar}, naast {fs.jaar - 1}. "
             f"Gegevens met stand per {stand}; alle cijfers zijn stadstotalen, tenzij anders vermeld, "
             "en alle aantallen zijn afgerond op 5.")
    if fs.demo:
        intro = "<b>Demodata – geen echte cijfers.</b> " + intro
    story += [Paragraph(intro, s["body"]), Spacer(1, 3 * mm)]

    # Key figures: the headline indicators as tiles.
    tiles = []
    for code in HEADLINE:
        c = fs.cijfer(code)
        sub = (f"{fs.jaar - 1}: {_esc(shown(c['vorig'], c['eenheid']))} · "
               f"{change_text(c['waarde'], c['vorig'], c['eenheid'])}")
        label = _esc(c["naam"]) + (" <font size=6 color='#5F6B76'>(handhaving)</font>" if c["handhaving"] else "")
        if c["waarde"] is None:
            sub = f"{NO_DATA} in {fs.jaar}: de bron levert later"
        tiles.append([Paragraph(_esc(shown(c["waarde"], c["eenheid"])), s["big"]),
                      Paragraph(label, s["tile"]), Paragraph(sub, s["small"])])
    grid = [[tiles[i], tiles[i + 1], tiles[i + 2]] for i in range(0, len(tiles), 3)]
    t = Table(grid, colWidths=[full / 3] * 3)
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(LIGHT)),
                           ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
                           ("LINEBELOW", (0, 0), (-1, -2), 2, colors.white),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                           ("LEFTPADDING", (0, 0), (-1, -1), 7)]))
    story += [t, Spacer(1, 3 * mm)]

    if fs.schatting is not None:
        low, mid, high = fs.schatting
        found = fs.cijfer("hennep_ontmanteld")["waarde"]
        story.append(Paragraph(
            f"<b>Geschat aantal hennepkwekerijen {fs.jaar}:</b> {formats.number(low)} tot {formats.number(high)} "
            f"(middenschatting {formats.number(mid)}), bij {formats.number(found)} gevonden – "
            f"<i>aanname: ongeveer 1 op {DISCOVERY_FACTOR} wordt gevonden</i>.", s["body"]))
    story.append(Paragraph(f"<b>{_esc(dwangsom_text(fs))}</b> (alleen lasten met een vastgelegd bedrag).",
                           s["body"]))
    story.append(Spacer(1, 3 * mm))

    half = full / 2 - 2 * mm
    chart_grid = Table([[_image(charts["hennep"], half), _image(charts["reeks"], half)],
                        [_image(charts["handhaving"], half), _image(charts["activiteiten"], half)]],
                       colWidths=[full / 2] * 2)
    chart_grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    story += [chart_grid, Paragraph("Lees deze cijfers zo", s["h2"])]
    story += [Paragraph("• " + line, s["small"]) for line in caveats(fs, str(fs.jaar))]
    story.append(PageBreak())

    # Page 2: every indicator, the wijk table and map, activities, sources.
    story.append(Paragraph(f"Alle indicatoren, {fs.jaar} en {fs.jaar - 1}", s["h2"]))
    rows = [["Indicator", str(fs.jaar), str(fs.jaar - 1), "Verschil", "Bron"]]
    for c in fs.cijfers:
        rows.append([c["naam"] + (" ¹" if c["handhaving"] else ""), shown(c["waarde"], c["eenheid"]),
                     shown(c["vorig"], c["eenheid"]), change_text(c["waarde"], c["vorig"], c["eenheid"]),
                     c["bron"]])
    t = _table(rows, [66 * mm, 22 * mm, 22 * mm, 22 * mm, 44 * mm], align_right_from=1)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                           ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("ALIGN", (4, 0), (4, -1), "LEFT"),
                           ("TOPPADDING", (0, 0), (-1, -1), 0.8), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8)]))
    story += [t, Paragraph("¹ handhavingsoutput: wat er gedaan is, geen maat voor de omvang. Verschil: "
                           "procentuele verandering tussen de afgeronde cijfers; bij aandelen het verschil "
                           "in procentpunten. – = geen gegevens; x = niet getoond (het aantal waarop het "
                           "cijfer berust is kleiner dan 5).", s["small"])]

    # The wijk table beside the map.
    short = {"signalen_aantal": "Signalen", "controles_aantal": "Controles ¹",
             "transacties_aantal": "Transacties"}
    wrows = [["Wijk"] + [short.get(c, BY_CODE[c].naam) for c in fs.wijk_codes]]
    wrows += [[r["wijk"]] + [cell_text(r[c]) for c in fs.wijk_codes] for r in fs.wijken]
    wrows.append(["Gemeente"] + [cell_text(fs.cijfer(c)["waarde"]) for c in fs.wijk_codes])
    wt = _table(wrows, [41 * mm] + [17 * mm] * len(fs.wijk_codes))
    wt.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 7),
                            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
                            ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.HexColor(HOUSE)),
                            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    side = Table([[[Paragraph(f"Per wijk, {fs.jaar}", s["h2"]), wt, Spacer(1, 1 * mm),
                    Paragraph(HIDDEN_NOTE, s["small"])],
                   [Spacer(1, 6 * mm), _image(charts["kaart"], 84 * mm)]]],
                 colWidths=[92 * mm, 84 * mm])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(side)

    # Activities: pillars 2 and 3, as the indicator is defined.
    story.append(Paragraph(f"Activiteiten van het programma (pijler 2 en 3), {fs.jaar}", s["h2"]))
    arows = [["Pijler", "Activiteiten (deelnemers)"]]
    if not fs.activiteiten:
        arows.append(["–", NO_DATA if fs.cijfer("activiteiten_aantal")["waarde"] is None
                      else "geen activiteiten"])
    for pijler in ACTIVITY_PILLARS:
        kinds = [f"{cell_text(a['aantal'])} {SOORT_NAMEN.get(a['soort'], a['soort']).lower()} "
                 f"({cell_text(a['deelnemers'])})" for a in fs.activiteiten if a["pijler"] == pijler]
        if kinds:
            arows.append([PIJLER_NAMEN.get(pijler, str(pijler)), Paragraph(", ".join(kinds), s["cell"])])
    total, people = fs.cijfer("activiteiten_aantal")["waarde"], fs.cijfer("activiteiten_deelnemers")["waarde"]
    arows.append(["Totaal pijler 2 en 3", NO_DATA if total is None else
                  f"{shown(total)} activiteiten ({shown(people, 'deelnemers')} deelnemers)"])
    at = _table(arows, [62 * mm, 114 * mm], align_right_from=2)
    at.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
                            ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.HexColor(HOUSE)),
                            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story.append(at)

    parts = []
    for b in fs.bronnen:
        sp = formats.day(date.fromisoformat(b["stand_per"])) if b["stand_per"] else "–"
        parts.append(f"{_esc(b['naam'])}: stand per {sp}")
    parts.append(f"wijkgrenzen: CBS Wijk- en buurtkaart 2020 ({_esc(fs.attributie)}, CC BY 4.0)")
    story += [Spacer(1, 2 * mm), Paragraph(
        "<b>Bronnen en stand per.</b> " + "; ".join(parts) + ". Gemaakt met Dijkwacht uit gegevenslading "
        f"{_esc(fs.load_id)}.", s["small"])]

    footer = (f"Dijkwacht · {fs.titel} · stand per {stand} · gegevenslading {fs.load_id}"
              + (" · DEMODATA" if fs.demo else ""))
    return _doc_pdf(story, fs.titel, f"{fs.jaar} tegenover {fs.jaar - 1} · stand per {stand}",
                    footer, fs.demo)


def page_png(pdf: bytes, page: int = 0, dpi: int = 150) -> bytes:
    """One page of a PDF as PNG (pypdfium2: PDFium from pip, no system packages)."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[page].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="PNG", optimize=False)
    return buf.getvalue()


# --- the triangle briefing snapshot ---------------------------------------------------------

def _previous(van: date, tot: date) -> tuple[date, date]:
    from dijkwacht.filters import Period
    p = Period(van, tot).previous()
    return p.van, p.tot


def _last_year(van: date, tot: date) -> tuple[date, date]:
    from dijkwacht.filters import Period
    p = Period(van, tot).year_before()
    return p.van, p.tot


def snapshot_pdf(snap: Snapshot, map_png: bytes | None = None) -> bytes:
    """The triangle briefing as a one-page A4 PDF."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
    s = _styles()
    stand = formats.day(date.fromisoformat(snap.stand_per))
    map_png = map_png if map_png is not None else snapshot_map_png(snap)
    van, tot = date.fromisoformat(snap.van), date.fromisoformat(snap.tot)
    prev, last = _previous(van, tot), _last_year(van, tot)

    def label(p):
        return f"{formats.day(p[0])} – {formats.day(p[1] - timedelta(days=1))}"

    story = []
    intro = (f"<b>{_esc(snap.gebied_naam)}</b> · periode {snap.periode_label} · "
             f"vergeleken met de vorige periode ({label(prev)}) en dezelfde periode vorig jaar "
             f"({label(last)}). Momentopname: de cijfers liggen vast op de gegevens met stand per {stand}.")
    if snap.demo:
        intro = "<b>Demodata – geen echte cijfers.</b> " + intro
    story += [Paragraph(intro, s["body"]), Spacer(1, 3 * mm)]

    rows = [["Indicator", "Periode", "Vorige periode", "Verschil", "Vorig jaar", "Verschil"]]
    for c in snap.cijfers:
        if c["code"] in SNAPSHOT_OMITTED:
            continue
        rows.append([c["naam"] + (" ¹" if c["handhaving"] else ""),
                     formats.value(c["nu"], c["eenheid"]), formats.value(c["vorige"], c["eenheid"]),
                     change_text(c["nu"], c["vorige"], c["eenheid"]), formats.value(c["vorig_jaar"], c["eenheid"]),
                     change_text(c["nu"], c["vorig_jaar"], c["eenheid"])])
    t = _table(rows, [58 * mm, 22 * mm, 26 * mm, 24 * mm, 22 * mm, 24 * mm])
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), _fonts()[0]), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                           ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                           ("TOPPADDING", (0, 0), (-1, -1), 1.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2)]))
    story += [t, Paragraph("¹ handhavingsoutput, geen maat voor omvang. &lt;5: een klein aantal (1 tot 4), "
                           "niet precies getoond.", s["small"]), Spacer(1, 3 * mm)]

    top = [Paragraph("Wat veranderde het meest", s["h2"]),
           Paragraph(f"tegenover dezelfde periode vorig jaar; alleen aantallen vanaf {CHANGE_MIN}", s["small"])]
    if snap.veranderingen:
        for r in snap.veranderingen:
            top.append(Paragraph(f"• {_esc(r['naam'])}: {formats.number(r['vorig_jaar'])} → "
                                 f"{formats.number(r['nu'])} ({r['verschil']})", s["body"]))
    else:
        top.append(Paragraph("Geen vergelijking mogelijk.", s["body"]))
    wrows = [["Wijk"] + [SOURCE_SHORT[b] for b in SNAPSHOT_SOURCES]]
    for r in sorted(snap.wijken, key=lambda r: r["wijkcode"]):
        wrows.append([r["wijk"]] + [cell_text(r[b]) for b in SNAPSHOT_SOURCES])
    wt = _table(wrows, [38 * mm] + [14 * mm] * len(SNAPSHOT_SOURCES))
    wt.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), _fonts()[0]), ("FONTSIZE", (0, 0), (-1, -1), 6.5),
                            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    top += [Paragraph(f"Per wijk, {snap.periode_label}", s["h2"]), wt]
    side = Table([[top, _image(map_png, 80 * mm)]], colWidths=[96 * mm, 80 * mm])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [side, Spacer(1, 2 * mm)]
    story += [Paragraph("• " + line, s["small"]) for line in caveats(snap, "")]
    footer = (f"Dijkwacht · {snap.titel} · stand per {stand} · gegevenslading {snap.load_id} · "
              "alleen voor het driehoeksoverleg")
    return _doc_pdf(story, snap.titel, f"{snap.gebied_naam} · {snap.periode_label} · stand per {stand}",
                    footer, snap.demo)
