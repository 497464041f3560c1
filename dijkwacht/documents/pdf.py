"""The factsheet and the briefing snapshot as tagged, archivable A4 PDFs (issue 21), and
their pages as PNG.

Engine: Typst (the `typst` package from PyPI: a Rust typesetter in one wheel, no system
packages). It writes PDF/UA-1 (a structure tree in reading order, alternative text on every
chart and map, document language `nl`, the title shown as the window title) and PDF/A-2a for
the archive in one file; reportlab cannot tag a PDF. Why, and what was compared:
docs/publications.md.

This module prepares every text in Dutch — the same formatting functions as the pages, from
the published `Factsheet`/`Snapshot`, nothing computed again — and hands it to the layout in
`typst/` as JSON, with the charts and the map as SVG (vectors, text as text). DejaVu Sans
(shipped with matplotlib: €, ë, – and all Dutch text) is embedded; system fonts are ignored,
and the creation date is the data's stand per, so the same figures give the same bytes on
every machine. Pages as PNG come from pypdfium2 at 300 dpi (print).
"""
from __future__ import annotations

import html
import io
import json
import re
import threading
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from dijkwacht import formats
from dijkwacht.documents import alt, letter
from dijkwacht.documents.charts import chart_files, snapshot_map
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

LAYOUT = Path(__file__).with_name("typst")
# PDF/A-2a (archive, tagged) and PDF/UA-1 (accessibility) at once: Typst checks both while
# writing and refuses what either forbids (an image without alternative text, say).
PDF_STANDARDS = ["a-2a", "ua-1"]
PNG_DPI = 300                  # print resolution: A4 is 2480 × 3508 px


# --- the engine -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _compiler():
    """One Typst compiler (its font index is built once), with DejaVu Sans from matplotlib
    and no system fonts: the same fonts, so the same bytes, on every machine."""
    import matplotlib
    import typst
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return typst.Compiler(root=str(LAYOUT), font_paths=[str(fonts)], ignore_system_fonts=True)


_LOCK = threading.Lock()       # the compiler is one object; the app may build from two threads


def _typeset(layout: str, data: dict, images: dict[str, bytes], stand_per: str) -> bytes:
    """Compile `typst/<layout>.typ` with `data` (JSON) and `images` (SVG, by name) into a
    PDF/A-2a + PDF/UA-1 file dated the data's stand per."""
    moment = datetime.combine(date.fromisoformat(stand_per), datetime.min.time(), timezone.utc)
    inputs = {"data": json.dumps(data, ensure_ascii=False, sort_keys=True),
              **{name: svg.decode("utf-8") for name, svg in images.items()}}
    with _LOCK:
        return _compiler().compile(input=str(LAYOUT / f"{layout}.typ"), format="pdf", sys_inputs=inputs,
                                   pdf_standards=PDF_STANDARDS, timestamp=moment)


_TAG = re.compile(r"<(b|i)>(.*?)</\1>", re.S)


def runs(text: str) -> list[tuple[str, str]]:
    """Text with the pages' little markup (<b>, <i>, &lt;) as runs for the layout:
    [(text, "" | "b" | "i")]."""
    out, at = [], 0
    for m in _TAG.finditer(text):
        if m.start() > at:
            out.append((html.unescape(text[at:m.start()]), ""))
        out.append((html.unescape(m.group(2)), m.group(1)))
        at = m.end()
    if at < len(text):
        out.append((html.unescape(text[at:]), ""))
    return out


def _esc(text) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


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


def _svgs(fs: Factsheet, charts: dict[str, bytes] | None) -> dict[str, bytes]:
    """The charts and map as SVG. Callers that still pass the screen's PNGs get them drawn
    again as SVG: a published PDF holds vectors only."""
    if charts is not None and all(v.lstrip()[:5] in (b"<?xml", b"<svg ") for v in charts.values()) \
            and "kaart" in charts:
        return charts
    return chart_files(fs, "svg")


def factsheet_data(fs: Factsheet, begeleidend: str | None = None) -> dict:
    """Every text of the factsheet, in reading order, as the layout lays it out;
    `begeleidend` is the edition's accompanying text (documents.letter), printed first."""
    stand = stand_text(fs)
    intro = [(f"Resultaten van het programma Ondermijning in {fs.jaar}, naast {fs.jaar - 1}. "
              f"Gegevens met stand per {stand}; alle cijfers zijn stadstotalen, tenzij anders vermeld, "
              "en alle aantallen zijn afgerond op 5.", "")]
    if fs.demo:
        intro.insert(0, ("Demodata – geen echte cijfers. ", "b"))
    tiles = []
    for code in HEADLINE:
        c = fs.cijfer(code)
        sub = (f"{fs.jaar - 1}: {shown(c['vorig'], c['eenheid'])} · "
               f"{change_text(c['waarde'], c['vorig'], c['eenheid'])}")
        if c["waarde"] is None:
            sub = f"{NO_DATA} in {fs.jaar}: de bron levert later"
        tiles.append({"value": shown(c["waarde"], c["eenheid"]), "label": c["naam"],
                      "handhaving": bool(c["handhaving"]), "sub": sub})
    schatting = None
    if fs.schatting is not None:
        low, mid, high = fs.schatting
        found = fs.cijfer("hennep_ontmanteld")["waarde"]
        schatting = [(f"Geschat aantal hennepkwekerijen {fs.jaar}:", "b"),
                     (f" {formats.number(low)} tot {formats.number(high)} (middenschatting "
                      f"{formats.number(mid)}), bij {formats.number(found)} gevonden – ", ""),
                     (f"aanname: ongeveer 1 op {DISCOVERY_FACTOR} wordt gevonden", "i"), (".", "")]
    alts = alt.factsheet(fs)

    rows = [[c["naam"] + (" ¹" if c["handhaving"] else ""), shown(c["waarde"], c["eenheid"]),
             shown(c["vorig"], c["eenheid"]), change_text(c["waarde"], c["vorig"], c["eenheid"]), c["bron"]]
            for c in fs.cijfers]
    short = {"signalen_aantal": "Signalen", "controles_aantal": "Controles ¹",
             "transacties_aantal": "Transacties"}
    wrows = [[r["wijk"]] + [cell_text(r[c]) for c in fs.wijk_codes] for r in fs.wijken]
    wrows.append(["Gemeente"] + [cell_text(fs.cijfer(c)["waarde"]) for c in fs.wijk_codes])

    arows = []
    if not fs.activiteiten:
        arows.append(["–", NO_DATA if fs.cijfer("activiteiten_aantal")["waarde"] is None
                      else "geen activiteiten"])
    for pijler in ACTIVITY_PILLARS:
        kinds = [f"{cell_text(a['aantal'])} {SOORT_NAMEN.get(a['soort'], a['soort']).lower()} "
                 f"({cell_text(a['deelnemers'])})" for a in fs.activiteiten if a["pijler"] == pijler]
        if kinds:
            arows.append([PIJLER_NAMEN.get(pijler, str(pijler)), ", ".join(kinds)])
    total, people = fs.cijfer("activiteiten_aantal")["waarde"], fs.cijfer("activiteiten_deelnemers")["waarde"]
    arows.append(["Totaal pijler 2 en 3", NO_DATA if total is None else
                  f"{shown(total)} activiteiten ({shown(people, 'deelnemers')} deelnemers)"])

    parts = []
    for b in fs.bronnen:
        sp = formats.day(date.fromisoformat(b["stand_per"])) if b["stand_per"] else "–"
        parts.append(f"{b['naam']}: stand per {sp}")
    parts.append(f"wijkgrenzen: CBS Wijk- en buurtkaart 2020 ({fs.attributie}, CC BY 4.0)")
    return {
        "title": fs.titel, "subtitle": f"{fs.jaar} tegenover {fs.jaar - 1} · stand per {stand}",
        "footer": (f"Dijkwacht · {fs.titel} · stand per {stand} · gegevenslading {fs.load_id}"
                   + (" · DEMODATA" if fs.demo else "")),
        "demo": fs.demo, "intro": intro, "tiles": tiles, "schatting": schatting,
        "dwangsom": [(dwangsom_text(fs), "b"), (" (alleen lasten met een vastgelegd bedrag).", "")],
        "charts": [{"name": name, "alt": alts[name]} for name in ("hennep", "reeks", "handhaving", "activiteiten")],
        "caveats": [runs(line) for line in caveats(fs, str(fs.jaar))],
        "indicators_title": f"Alle indicatoren, {fs.jaar} en {fs.jaar - 1}",
        "indicators": {"head": ["Indicator", str(fs.jaar), str(fs.jaar - 1), "Verschil", "Bron"], "rows": rows},
        "indicators_note": ("¹ handhavingsoutput: wat er gedaan is, geen maat voor de omvang. Verschil: "
                            "procentuele verandering tussen de afgeronde cijfers; bij aandelen het verschil "
                            "in procentpunten. – = geen gegevens; x = niet getoond (het aantal waarop het "
                            "cijfer berust is kleiner dan 5)."),
        "wijk_title": f"Per wijk, {fs.jaar}",
        "wijk": {"head": ["Wijk"] + [short.get(c, BY_CODE[c].naam) for c in fs.wijk_codes], "rows": wrows},
        "hidden_note": HIDDEN_NOTE, "map_alt": alts["kaart"],
        "activities_title": f"Activiteiten van het programma (pijler 2 en 3), {fs.jaar}",
        "activities": {"head": ["Pijler", "Activiteiten (deelnemers)"], "rows": arows},
        "sources": [("Bronnen en stand per. ", "b"),
                    ("; ".join(parts) + f". Gemaakt met Dijkwacht uit gegevenslading {fs.load_id}.", "")],
        "begeleidend": letter.paragraphs(begeleidend) or None,
    }


def factsheet_pdf(fs: Factsheet, charts: dict[str, bytes] | None = None, begeleidend: str | None = None) -> bytes:
    """The factsheet as a two-page A4 PDF (PDF/UA-1 and PDF/A-2a): page 1 the edition's
    accompanying text (if any), the key figures, charts and how to read them; page 2 every
    indicator, the wijk table and map, activities and sources. `charts`: the SVGs of
    charts.chart_files(fs, "svg"), or None to draw them."""
    return _typeset("factsheet", factsheet_data(fs, begeleidend), _svgs(fs, charts), fs.stand_per)


def page_png(pdf: bytes, page: int = 0, dpi: int = PNG_DPI) -> bytes:
    """One page of a PDF as PNG (pypdfium2: PDFium from pip, no system packages), at print
    resolution by default."""
    return page_pngs(pdf, dpi, pages=[page])[0]


def page_pngs(pdf: bytes, dpi: int = PNG_DPI, pages: list[int] | None = None) -> list[bytes]:
    """Every page (or `pages`) of a PDF as PNG, at `dpi` with the dpi written into the file
    (pHYs), for the infographic designer."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in (range(len(doc)) if pages is None else pages):
            image = doc[i].render(scale=dpi / 72).to_pil()
            buf = io.BytesIO()
            image.convert("RGB").save(buf, format="PNG", optimize=False, dpi=(dpi, dpi))
            out.append(buf.getvalue())
    finally:
        doc.close()
    return out


# --- the triangle briefing snapshot ---------------------------------------------------------

def _previous(van: date, tot: date) -> tuple[date, date]:
    from dijkwacht.filters import Period
    p = Period(van, tot).previous()
    return p.van, p.tot


def _last_year(van: date, tot: date) -> tuple[date, date]:
    from dijkwacht.filters import Period
    p = Period(van, tot).year_before()
    return p.van, p.tot


def snapshot_data(snap: Snapshot) -> dict:
    """Every text of the snapshot, in reading order, as the layout lays it out."""
    stand = formats.day(date.fromisoformat(snap.stand_per))
    van, tot = date.fromisoformat(snap.van), date.fromisoformat(snap.tot)
    prev, last = _previous(van, tot), _last_year(van, tot)

    def label(p):
        return f"{formats.day(p[0])} – {formats.day(p[1] - timedelta(days=1))}"

    intro = [(snap.gebied_naam, "b"),
             (f" · periode {snap.periode_label} · vergeleken met de vorige periode ({label(prev)}) en "
              f"dezelfde periode vorig jaar ({label(last)}). Momentopname: de cijfers liggen vast op de "
              f"gegevens met stand per {stand}.", "")]
    if snap.demo:
        intro.insert(0, ("Demodata – geen echte cijfers. ", "b"))
    rows = [[c["naam"] + (" ¹" if c["handhaving"] else ""),
             formats.value(c["nu"], c["eenheid"]), formats.value(c["vorige"], c["eenheid"]),
             change_text(c["nu"], c["vorige"], c["eenheid"]), formats.value(c["vorig_jaar"], c["eenheid"]),
             change_text(c["nu"], c["vorig_jaar"], c["eenheid"])]
            for c in snap.cijfers if c["code"] not in SNAPSHOT_OMITTED]
    wrows = [[r["wijk"]] + [cell_text(r[b]) for b in SNAPSHOT_SOURCES]
             for r in sorted(snap.wijken, key=lambda r: r["wijkcode"])]
    return {
        "title": snap.titel, "subtitle": f"{snap.gebied_naam} · {snap.periode_label} · stand per {stand}",
        "footer": (f"Dijkwacht · {snap.titel} · stand per {stand} · gegevenslading {snap.load_id} · "
                   "alleen voor het driehoeksoverleg"),
        "demo": snap.demo, "intro": intro,
        "indicators": {"head": ["Indicator", "Periode", "Vorige periode", "Verschil", "Vorig jaar", "Verschil"],
                       "rows": rows},
        "indicators_note": "¹ handhavingsoutput, geen maat voor omvang. <5: een klein aantal (1 tot 4), "
                           "niet precies getoond.",
        "changes_note": f"tegenover dezelfde periode vorig jaar; alleen aantallen vanaf {CHANGE_MIN}",
        "changes": [f"{r['naam']}: {formats.number(r['vorig_jaar'])} → {formats.number(r['nu'])} ({r['verschil']})"
                    for r in snap.veranderingen],
        "wijk_title": f"Per wijk, {snap.periode_label}",
        "wijk": {"head": ["Wijk"] + [SOURCE_SHORT[b] for b in SNAPSHOT_SOURCES], "rows": wrows},
        "map_alt": alt.snapshot_kaart(snap),
        "caveats": [runs(line) for line in caveats(snap, "")],
    }


def snapshot_pdf(snap: Snapshot, map_svg: bytes | None = None) -> bytes:
    """The triangle briefing as a one-page A4 PDF (PDF/UA-1 and PDF/A-2a)."""
    map_svg = map_svg if map_svg is not None else snapshot_map(snap, "svg")
    return _typeset("snapshot", snapshot_data(snap), {"kaart": map_svg}, snap.stand_per)
