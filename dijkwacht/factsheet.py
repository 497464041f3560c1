"""The annual factsheet and the triangle briefing snapshot, as documents (issue 11).

Pure Python, no Streamlit: the Factsheet page, the Briefing page, the benchmark and the
tests call the same functions.

- `build_factsheet(db, year)` collects the figures: every indicator of the one indicator set
  (`dijkwacht.indicators`) for the year and the year before (city level: exact), a wijk
  table and map for a few headline counts under the *published* disclosure profile, time
  series, programme activities (pillars 2 and 3), sources with their *stand per*.
- `factsheet_pdf(fs)` lays it out on A4 with reportlab (platypus), charts drawn with
  matplotlib; `page_png(pdf)` renders page 1 with pypdfium2. No browser, no system
  packages: everything comes from pip.
- `build_snapshot(db, period, ...)` / `snapshot_pdf(snap)`: the Briefing frozen for the
  triangle meeting, under the `bestuur` profile.
- `publish(...)` stores the files in the archive (`data/archief/`) and writes one row in
  the register (`archief` in state.sqlite) with the data load id and the SHA-256s.

Deterministic: the same data gives the same numbers, the same charts and byte-identical
PDFs (reportlab's invariant mode; no dates but the data's own in the documents).

Disclosure control is not done here: every sub-city figure passes `_protect()`, the one
seam to `dijkwacht.privacy` (DESIGN §6).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable

import polars as pl

from dijkwacht import config, formats
from dijkwacht.indicators import (BY_CODE, DISCOVERY_BAND, DISCOVERY_FACTOR, HEADLINE, INDICATORS,
                                  estimate_band, year_period)

# --- style ----------------------------------------------------------------------------------

# Okabe–Ito: distinguishable with every common colour-vision deficiency, and in grey print.
PALETTE = {"blauw": "#0072B2", "oranje": "#E69F00", "groen": "#009E73", "hemel": "#56B4E9",
           "rood": "#D55E00", "paars": "#CC79A7", "geel": "#F0E442", "zwart": "#000000"}
HOUSE = "#00406F"          # the municipal header colour
INK = "#1F2933"
MUTED = "#5F6B76"
LIGHT = "#E8EEF3"
HIDDEN_FILL = "#D9D9D9"
# A sequential blue scale for the wijk map (light → dark), colour-blind safe.
MAP_SCALE = ("#DEEBF7", "#9ECAE1", "#4292C6", "#08519C", "#08306B")

WIDTH_MM = 176             # usable width: A4 minus 15 mm margins and the frame's padding
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
HIDDEN_NOTE = ("x = niet getoond: minder dan 10, of af te leiden uit andere cellen en het totaal. "
               "Aantallen per wijk afgerond op 5; stadstotalen exact.")

# The counts shown per wijk (codes from the one indicator set; they have a location).
WIJK_CODES = ("signalen_aantal", "controles_aantal", "transacties_aantal")
MAP_CODE = "signalen_aantal"
SERIES_YEARS = 10
BRON_NAMEN = {"hennepkwekerijen": "Hennepkwekerijen (politie, Omgevingsdienst)",
              "verdachte_transacties": "Verdachte transacties (FIU, via RIEC)",
              "signalen": "Meldpunt ondermijning",
              "controles": "Controles, Bibob en maatregelen (gemeente)",
              "eigendommen": "Eigendommen (Kadaster/WOZ, per casus)",
              "activiteiten": "Activiteiten programma (gemeente)"}
SOORT_ENKELVOUD = {"training": "training", "bijeenkomst": "bijeenkomst", "campagne": "campagne",
                   "convenant": "convenant", "overig": "overig"}
SOORT_NAMEN = {"training": "Trainingen", "bijeenkomst": "Bijeenkomsten", "campagne": "Campagnes",
               "convenant": "Convenanten", "overig": "Overig"}
PIJLER_NAMEN = {1: "Pijler 1 – aanpak", 2: "Pijler 2 – bewustwording en weerbaarheid",
                3: "Pijler 3 – samenwerking en informatie"}


# --- disclosure control: the one seam -----------------------------------------------------

PUBLISHED = "publicatie"   # factsheet: city and wijk only, wijk cells 1–9 hidden, rest rounded to 5
BESTUUR = "bestuur"        # briefing: sub-city cells 1–4 as "<5"
CITY = "gemeente"


def _protect(frame: pl.DataFrame, profile: str, value_columns: list[str]) -> pl.DataFrame:
    """Apply a disclosure profile to a wijk table (one row per wijk plus the records
    without a location, so each column adds up to the exact city total). Hidden cells
    come back null, with the text to show in "<col>_weergave" ("x", "<5").

    One of the two calls into dijkwacht.privacy: no disclosure logic lives here."""
    from dijkwacht import privacy
    # The city row goes in as privacy's exact total row (and comes out again): the table
    # is protected knowing exactly what it adds up to.
    city = frame.select(pl.lit(CITY).alias("wijkcode"), pl.lit("Gemeente").alias("wijk"),
                        *[pl.col(c).sum() for c in value_columns])
    table = pl.concat([frame.select("wijkcode", "wijk", *value_columns), city])
    out = privacy.protect(table, profile, value_columns, area_col="wijkcode", level="wijk",
                          total_area=CITY)
    return out.filter(pl.col("wijkcode") != CITY)


def _protect_one(value, profile: str, level: str):
    """A lone sub-city count (the Briefing's chosen area): the value, or its label when hidden."""
    from dijkwacht import privacy
    shown, label = privacy.protect_value(value, profile, level)
    return label if shown is None and value is not None else shown


# --- figures --------------------------------------------------------------------------------

def _plain(value):
    """DuckDB/polars values as plain JSON-able Python numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value   # keep floats floats: units decide formatting
    return value


def _indicator_value(db, code: str, van: date, tot: date, buurten: list[str] | None = None):
    frame = db.query(BY_CODE[code].query, van=van, tot=tot, buurten=buurten)
    return _plain(frame["waarde"][0]) if frame.height else None


def _meta(db) -> dict:
    rows = db.query("meta").to_dicts()
    if not rows:
        raise ValueError("de database heeft geen meta-rij")
    return rows[0]


def _sources(db) -> tuple[dict, ...]:
    return tuple({"bron": r["bron"], "naam": BRON_NAMEN.get(r["bron"], r["bron"]),
                  "stand_per": r["stand_per"].isoformat() if r["stand_per"] else None}
                 for r in db.query("bronstand").iter_rows(named=True))


def _wijk_counts(db, codes: tuple[str, ...], van: date, tot: date,
                 totals: dict[str, int]) -> pl.DataFrame:
    """Raw counts per wijk from the indicators' own queries (restricted to each wijk's
    buurten, so a wijk figure is defined exactly as the city figure), plus the records
    without a known location as one row. Never leaves this module unprotected."""
    rows = []
    for wijk in db.query("wijken_lijst").iter_rows(named=True):
        buurten = db.query("gebied_buurten", soort="wijk", code=wijk["wijkcode"])["buurtcode"].to_list()
        if not wijk["land"]:
            continue
        row = {"wijkcode": wijk["wijkcode"], "wijk": wijk["naam"]}
        for code in codes:
            row[code] = int(_indicator_value(db, code, van, tot, buurten) or 0) if buurten else 0
        rows.append(row)
    unknown = {"wijkcode": "onbekend", "wijk": "Locatie onbekend"}
    for code in codes:
        unknown[code] = int(totals[code]) - sum(r[code] for r in rows)
    rows.append(unknown)
    return pl.DataFrame(rows, schema={"wijkcode": pl.String, "wijk": pl.String,
                                      **{c: pl.Int64 for c in codes}}, orient="row")


def _cells(frame: pl.DataFrame, codes: tuple[str, ...]) -> tuple[dict, ...]:
    """Protected table → plain rows: visible cells int, hidden cells the profile's label
    ("x", "<5")."""
    out = []
    for row in frame.iter_rows(named=True):
        item = {"wijkcode": row["wijkcode"], "wijk": row["wijk"]}
        for code in codes:
            v = row[code]
            item[code] = row.get(code + "_weergave") or "x" if v is None else _plain(v)
        out.append(item)
    return tuple(out)


class _Archived:
    """What the archive keeps of a document: every figure, canonical and JSON-able, and its hash."""

    def numbers(self) -> dict:
        return asdict(self)

    def numbers_sha256(self) -> str:
        return sha256(canonical_json(self.numbers()))


@dataclass(frozen=True)
class Factsheet(_Archived):
    jaar: int
    gemeente: str
    demo: bool
    load_id: str
    stand_per: str                         # ISO date: the data's "now"
    cijfers: tuple[dict, ...]              # per indicator: code, naam, ..., waarde, vorig
    wijk_codes: tuple[str, ...]
    wijken: tuple[dict, ...]               # published profile applied
    reeks: dict                            # code → ((jaar, waarde), ...)
    activiteiten: tuple[dict, ...]         # pijler, soort, aantal, deelnemers (year)
    activiteiten_vorig: tuple[dict, ...]
    bronnen: tuple[dict, ...]
    schatting: tuple[int, int, int]        # grow sites: low, central, high (assumption)
    attributie: str = "Bron: CBS, Kadaster"

    def cijfer(self, code: str) -> dict:
        return next(c for c in self.cijfers if c["code"] == code)


    @property
    def titel(self) -> str:
        return f"Factsheet ondermijning {self.gemeente} {self.jaar}"

    @property
    def basename(self) -> str:
        return f"factsheet-{self.jaar}"


def build_factsheet(db, year: int) -> Factsheet:
    """All figures of the factsheet for `year` from the served database `db`
    (a `queries.Served`)."""
    meta = _meta(db)
    van, tot = year_period(year)
    van0, tot0 = year_period(year - 1)
    cijfers = []
    for ind in INDICATORS:
        cijfers.append({"code": ind.code, "naam": ind.naam, "definitie": ind.definitie,
                        "bron": ind.bron, "eenheid": ind.eenheid, "handhaving": ind.handhaving,
                        "waarde": _indicator_value(db, ind.code, van, tot),
                        "vorig": _indicator_value(db, ind.code, van0, tot0)})
    by_code = {c["code"]: c for c in cijfers}
    totals = {code: int(by_code[code]["waarde"] or 0) for code in WIJK_CODES}
    raw = _wijk_counts(db, WIJK_CODES, van, tot, totals)
    wijken = _cells(_protect(raw, PUBLISHED, list(WIJK_CODES)), WIJK_CODES)

    reeks = {}
    for code in ("hennep_ontmanteld", "signalen_aantal", "transacties_aantal", "controles_aantal"):
        points = []
        for y in range(year - SERIES_YEARS + 1, year + 1):
            points.append((y, _indicator_value(db, code, *year_period(y))))
        reeks[code] = tuple(points)

    def activities(a, b):
        return tuple(db.query("activiteiten_per_soort", van=a, tot=b).to_dicts())

    found = int(by_code["hennep_ontmanteld"]["waarde"] or 0)
    return Factsheet(
        jaar=year, gemeente=meta["gemeente_naam"], demo=bool(meta["demo"]),
        load_id=meta["load_id"], stand_per=meta["stand_per"].isoformat(),
        cijfers=tuple(cijfers), wijk_codes=WIJK_CODES, wijken=wijken, reeks=reeks,
        activiteiten=activities(van, tot), activiteiten_vorig=activities(van0, tot0),
        bronnen=_sources(db), schatting=estimate_band(found),
        attributie=config.gemeente().bronvermelding)


def canonical_json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- charts (matplotlib) --------------------------------------------------------------------

def _mpl():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({
        "font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 9,
        "axes.titleweight": "bold", "axes.titlelocation": "left", "axes.edgecolor": MUTED,
        "axes.labelcolor": INK, "axes.spines.top": False, "axes.spines.right": False,
        "xtick.color": INK, "ytick.color": INK, "axes.grid": True, "axes.grid.axis": "y",
        "grid.color": "#DDDDDD", "grid.linewidth": 0.6, "legend.frameon": False,
        "legend.fontsize": 7, "svg.hashsalt": "dijkwacht", "svg.fonttype": "path",
        "figure.dpi": 100, "savefig.dpi": 200,
    })
    return plt


def _footnote(fig, text: str) -> None:
    fig.text(0.01, 0.01, text, fontsize=6, color=MUTED, ha="left", va="bottom")


def _title(fig, text: str, sub: str | None = None) -> None:
    """Titles sit at the figure's left edge, whatever the axis labels need."""
    fig.text(0.01, 0.985, text, fontsize=9, weight="bold", color=INK, ha="left", va="top")
    if sub:
        fig.text(0.01, 0.905, sub, fontsize=7, color=MUTED, ha="left", va="top")


CHART_SIZE = (3.6, 2.5)
CHART_RECT = (0, 0.05, 1, 0.9)


def _nl(n) -> str:
    return formats.number(n)


def _stand(fs) -> str:
    return formats.day(date.fromisoformat(fs.stand_per))


def chart_hennep(fs: Factsheet):
    """Dismantled grow sites per year with the estimated number present (assumption band)."""
    plt = _mpl()
    years = [y for y, _ in fs.reeks["hennep_ontmanteld"]]
    found = [v or 0 for _, v in fs.reeks["hennep_ontmanteld"]]
    low, high = DISCOVERY_BAND
    fig, ax = plt.subplots(figsize=CHART_SIZE)
    ax.fill_between(years, [f * low for f in found], [f * high for f in found],
                    color=PALETTE["oranje"], alpha=0.22, linewidth=0,
                    label=f"geschat aanwezig (aanname, ×{low}–×{high})")
    ax.plot(years, [f * DISCOVERY_FACTOR for f in found], color=PALETTE["oranje"],
            linewidth=1, linestyle="--", label=f"schatting ×{DISCOVERY_FACTOR}")
    ax.bar(years, found, color=PALETTE["blauw"], width=0.7, label="ontmanteld (handhaving)")
    _title(fig, "Hennepkwekerijen: gevonden en geschat")
    ax.set_xticks(years, [str(y)[2:] if i % 2 else str(y) for i, y in enumerate(years)])
    ax.legend(loc="upper left", ncols=1)
    ax.set_ylim(0, max(f * high for f in found) * 1.35 if any(found) else 1)
    _footnote(fig, f"Bron: hennepkwekerijen · {years[0]}–{years[-1]} · stand per {_stand(fs)}")
    fig.tight_layout(rect=CHART_RECT)
    return fig


def chart_reeks(fs: Factsheet):
    """Signals and suspicious transactions per year (city level)."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=CHART_SIZE)
    styles = (("signalen_aantal", PALETTE["blauw"], "o"), ("transacties_aantal", PALETTE["rood"], "s"),
              ("controles_aantal", PALETTE["groen"], "^"))
    years = []
    for code, colour, marker in styles:
        years = [y for y, _ in fs.reeks[code]]
        ax.plot(years, [v or 0 for _, v in fs.reeks[code]], color=colour, marker=marker,
                markersize=3, linewidth=1.4, label=BY_CODE[code].naam)
    _title(fig, "Signalen, transacties en controles per jaar")
    ax.set_xticks(years, [str(y)[2:] if i % 2 else str(y) for i, y in enumerate(years)])
    top = max((v or 0) for code, _, _ in styles for _, v in fs.reeks[code])
    ax.set_ylim(0, top * 1.5 if top else 1)
    ax.legend(loc="upper left", ncols=1)
    _footnote(fig, f"Bron: meldpunt, FIU, gemeente · {years[0]}–{years[-1]} · stand per {_stand(fs)}")
    fig.tight_layout(rect=CHART_RECT)
    return fig


ENFORCEMENT = ("controles_aantal", "sluitingen", "dwangsommen_aantal", "bibob_toetsen", "bibob_geweigerd")


def chart_handhaving(fs: Factsheet):
    """Enforcement output: the year beside the year before."""
    plt = _mpl()
    import numpy as np
    fig, ax = plt.subplots(figsize=CHART_SIZE)
    labels = [BY_CODE[c].naam.replace(" en Bibob-toetsen", "").replace("Bibob: ", "Bibob ")
              for c in ENFORCEMENT]
    now = [fs.cijfer(c)["waarde"] or 0 for c in ENFORCEMENT]
    before = [fs.cijfer(c)["vorig"] or 0 for c in ENFORCEMENT]
    y = np.arange(len(ENFORCEMENT))
    ax.barh(y + 0.2, before, height=0.38, color=PALETTE["hemel"], label=str(fs.jaar - 1))
    ax.barh(y - 0.2, now, height=0.38, color=PALETTE["blauw"], label=str(fs.jaar))
    for yi, v in zip(y, now):
        ax.text(v, yi - 0.2, f" {_nl(v)}", va="center", fontsize=6.5, color=INK)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    _title(fig, "Handhavingsoutput", "wat er gedaan is, geen maat voor de omvang")
    ax.set_xlim(0, max(now + before) * 1.18 if any(now + before) else 1)
    ax.legend(loc="lower right")
    _footnote(fig, f"Bron: controles, hennepkwekerijen · {fs.jaar - 1}–{fs.jaar} · stand per {_stand(fs)}")
    fig.tight_layout(rect=CHART_RECT)
    return fig


def chart_activiteiten(fs: Factsheet):
    """Programme activities by kind (all pillars), the year beside the year before."""
    plt = _mpl()
    import numpy as np
    from matplotlib.ticker import MaxNLocator
    kinds = sorted({a["soort"] for a in fs.activiteiten + fs.activiteiten_vorig})

    def per_kind(rows):
        return [sum(a["aantal"] for a in rows if a["soort"] == k) for k in kinds]

    fig, ax = plt.subplots(figsize=CHART_SIZE)
    y = np.arange(len(kinds))
    now, before = per_kind(fs.activiteiten), per_kind(fs.activiteiten_vorig)
    ax.barh(y + 0.2, before, height=0.38, color=PALETTE["hemel"], label=str(fs.jaar - 1))
    ax.barh(y - 0.2, now, height=0.38, color=PALETTE["groen"], label=str(fs.jaar))
    for yi, v in zip(y, now):
        ax.text(v, yi - 0.2, f" {_nl(v)}", va="center", fontsize=6.5, color=INK)
    ax.set_yticks(y, [SOORT_NAMEN.get(k, k) for k in kinds])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, max(now + before) * 1.18 if any(now + before) else 1)
    deelnemers = sum(a["deelnemers"] for a in fs.activiteiten)
    _title(fig, "Activiteiten van het programma", f"{_nl(deelnemers)} deelnemers in {fs.jaar}")
    ax.legend(loc="lower right")
    _footnote(fig, f"Bron: activiteiten · {fs.jaar - 1}–{fs.jaar} · stand per {_stand(fs)}")
    fig.tight_layout(rect=CHART_RECT)
    return fig


def _wijk_shapes():
    import geopandas as gpd
    return gpd.read_file(config.gemeente().wijken).to_crs(28992)


def _map_figure(rows: tuple[dict, ...], code: str, title: str, footnote: str, hidden_label: str):
    """A static wijk choropleth without a browser (geopandas + matplotlib). Hidden cells
    are hatched grey; classes are fixed breaks so the legend reads the same every year."""
    plt = _mpl()
    from matplotlib.patches import Patch
    shapes = _wijk_shapes()
    values = {r["wijkcode"]: r[code] for r in rows}
    breaks = (10, 25, 50, 100)
    labels = ("< 10", "10–24", "25–49", "50–99", "100 of meer")

    def colour(v):
        if not isinstance(v, (int, float)):
            return HIDDEN_FILL
        return MAP_SCALE[sum(v >= b for b in breaks)]

    shapes["kleur"] = [colour(values.get(c)) for c in shapes["wk_code"]]
    shapes["verborgen"] = [not isinstance(values.get(c), (int, float)) for c in shapes["wk_code"]]
    fig, ax = plt.subplots(figsize=(3.4, 3.0))
    shapes.plot(ax=ax, color=shapes["kleur"], edgecolor="white", linewidth=0.6)
    hidden = shapes[shapes["verborgen"]]
    if len(hidden):
        hidden.plot(ax=ax, facecolor="none", edgecolor="#9A9A9A", hatch="////", linewidth=0)
    for _, shape in shapes.iterrows():
        v = values.get(shape["wk_code"])
        p = shape.geometry.representative_point()
        number = shape["wk_code"][-2:]
        ax.text(p.x, p.y, number, fontsize=5.5, ha="center", va="center",
                color="white" if isinstance(v, (int, float)) and v >= 50 else INK)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(title)
    used = [i for i in range(len(MAP_SCALE))]
    handles = [Patch(facecolor=MAP_SCALE[i], label=labels[i]) for i in used]
    handles.append(Patch(facecolor=HIDDEN_FILL, hatch="////", edgecolor="#9A9A9A", label=hidden_label))
    ax.legend(handles=handles, loc="lower left", fontsize=6, handlelength=1.2, borderaxespad=0)
    _footnote(fig, footnote)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def wijk_map_png(rows: tuple[dict, ...], code: str, laag: str, periode: str, title: str,
                 footnote: str, hidden_label: str) -> bytes:
    """The wijk map as PNG: colleague C's static choropleth (dijkwacht.maps, the same map as
    the Kaart page) when it is there, else our own drawing. `rows` are already protected."""
    try:
        from dijkwacht import maps
        # maps.choropleth takes counts per buurt code and sums them into wijken by code
        # prefix; a protected wijk figure is handed over under a key of its wijk.
        counts = {}
        for r in rows:
            v = r[code]
            if r["wijkcode"] == "onbekend":
                if isinstance(v, int):
                    counts[None] = v
                continue
            counts["BU" + r["wijkcode"][2:] + "00"] = v
        kaart = maps.choropleth(counts, niveau="wijk", maat="aantal", laag=laag, periode=periode)
        kaart.legenda = [(c, "niet getoond" if c == maps.GEEN_CIJFER else label)
                         for c, label in kaart.legenda]
        return maps.png(kaart, breedte_cm=10, dpi=200)
    except (ImportError, AttributeError, TypeError):
        return figure_bytes(_map_figure(rows, code, title, footnote, hidden_label))


def chart_kaart_png(fs: Factsheet) -> bytes:
    return wijk_map_png(fs.wijken, MAP_CODE, "signalen", str(fs.jaar),
                        f"{BY_CODE[MAP_CODE].naam} per wijk, {fs.jaar}",
                        f"Bron: meldpunt; {fs.attributie} · {fs.jaar} · stand per {_stand(fs)}", "x")


CHARTS: dict[str, tuple[str, Callable]] = {
    "hennep": ("Hennepkwekerijen gevonden en geschat", chart_hennep),
    "reeks": ("Signalen, transacties en controles per jaar", chart_reeks),
    "handhaving": ("Handhavingsoutput", chart_handhaving),
    "activiteiten": ("Activiteiten van het programma", chart_activiteiten),
}
MAP_TITLE = "Signalen per wijk (kaart)"


def figure_bytes(fig, fmt: str = "png", dpi: int = 200) -> bytes:
    """PNG or SVG of a figure, deterministic (no dates, no software stamps), and closed."""
    plt = _mpl()
    buf = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def chart_files(fs: Factsheet, fmt: str = "png") -> dict[str, bytes]:
    """Every factsheet chart as PNG or SVG (the analysts' re-use downloads); the wijk map
    ("kaart") as PNG only."""
    files = {name: figure_bytes(make(fs), fmt) for name, (_, make) in CHARTS.items()}
    if fmt == "png":
        files["kaart"] = chart_kaart_png(fs)
    return files


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


def change_text(now, before, unit: str = "aantal") -> str:
    """Relative change; for shares the difference in percentage points."""
    if unit == "procent":
        if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
            return "–"
        d = now - before
        return f"{'+' if d > 0 else ''}{formats.number(d, 1)} %-punt"
    return formats.change(now, before) or "–"


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


def cell_text(v) -> str:
    return v if isinstance(v, str) else formats.number(v)


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
    stand = _stand(fs)
    story = []
    intro = (f"Resultaten van het programma Ondermijning in {fs.jaar}, naast {fs.jaar - 1}. "
             f"Gegevens met stand per {stand}; alle cijfers zijn stadstotalen, tenzij anders vermeld.")
    if fs.demo:
        intro = "<b>Demodata – geen echte cijfers.</b> " + intro
    story += [Paragraph(intro, s["body"]), Spacer(1, 3 * mm)]

    # Key figures: the headline indicators as tiles.
    tiles = []
    for code in HEADLINE:
        c = fs.cijfer(code)
        sub = (f"{fs.jaar - 1}: {formats.value(c['vorig'], c['eenheid'])} · "
               f"{change_text(c['waarde'], c['vorig'], c['eenheid'])}")
        label = _esc(c["naam"]) + (" <font size=6 color='#5F6B76'>(handhaving)</font>" if c["handhaving"] else "")
        tiles.append([Paragraph(formats.value(c["waarde"], c["eenheid"]), s["big"]),
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

    low, mid, high = fs.schatting
    found = fs.cijfer("hennep_ontmanteld")["waarde"]
    story.append(Paragraph(
        f"<b>Geschat aantal hennepkwekerijen {fs.jaar}:</b> {formats.number(low)} tot {formats.number(high)} "
        f"(middenschatting {formats.number(mid)}), bij {formats.number(found)} gevonden – "
        f"<i>aanname: ongeveer 1 op {DISCOVERY_FACTOR} wordt gevonden</i>.", s["body"]))
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
    story += [Paragraph("• " + line, s["body"]) for line in caveats(fs, str(fs.jaar))]
    story.append(PageBreak())

    # Page 2: every indicator, the wijk table and map, activities, sources.
    story.append(Paragraph(f"Alle indicatoren, {fs.jaar} en {fs.jaar - 1}", s["h2"]))
    rows = [["Indicator", str(fs.jaar), str(fs.jaar - 1), "Verschil", "Bron"]]
    for c in fs.cijfers:
        rows.append([c["naam"] + (" ¹" if c["handhaving"] else ""), formats.value(c["waarde"], c["eenheid"]),
                     formats.value(c["vorig"], c["eenheid"]), change_text(c["waarde"], c["vorig"], c["eenheid"]),
                     c["bron"].replace("_", " ")])
    t = _table(rows, [66 * mm, 22 * mm, 22 * mm, 24 * mm, 42 * mm], align_right_from=1)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                           ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("ALIGN", (4, 0), (4, -1), "LEFT"),
                           ("TOPPADDING", (0, 0), (-1, -1), 1.3), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.3)]))
    story += [t, Paragraph("¹ handhavingsoutput: wat er gedaan is, geen maat voor de omvang. Verschil: "
                           "procentuele verandering; bij aandelen het verschil in procentpunten.", s["small"])]

    # The wijk table beside the map.
    short = {"signalen_aantal": "Signalen", "controles_aantal": "Controles ¹",
             "transacties_aantal": "Transacties"}
    wrows = [["Wijk"] + [short.get(c, BY_CODE[c].naam) for c in fs.wijk_codes]]
    wrows += [[r["wijk"]] + [cell_text(r[c]) for c in fs.wijk_codes] for r in fs.wijken]
    wrows.append(["Gemeente (exact)"] + [formats.number(fs.cijfer(c)["waarde"]) for c in fs.wijk_codes])
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

    # Activities (pillars 2 and 3: awareness and cooperation; pillar 1 where recorded).
    story.append(Paragraph(f"Activiteiten van het programma, {fs.jaar}", s["h2"]))
    arows = [["Pijler", "Activiteiten", "Aantal", "Deelnemers"]]
    for pijler in sorted({a["pijler"] for a in fs.activiteiten}):
        rows_p = [a for a in fs.activiteiten if a["pijler"] == pijler]
        kinds = ", ".join(
            f"{formats.number(a['aantal'])} "
            + (SOORT_ENKELVOUD.get(a["soort"], a["soort"]) if a["aantal"] == 1
               else SOORT_NAMEN.get(a["soort"], a["soort"]).lower())
            for a in rows_p)
        arows.append([PIJLER_NAMEN.get(pijler, str(pijler)), kinds,
                      formats.number(sum(a["aantal"] for a in rows_p)),
                      formats.number(sum(a["deelnemers"] for a in rows_p))])
    arows.append(["Totaal", "", formats.number(sum(a["aantal"] for a in fs.activiteiten)),
                  formats.number(sum(a["deelnemers"] for a in fs.activiteiten))])
    at = _table(arows, [60 * mm, 72 * mm, 20 * mm, 24 * mm], align_right_from=2)
    at.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
                            ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.HexColor(HOUSE)),
                            ("TOPPADDING", (0, 0), (-1, -1), 1.4), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.4)]))
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


def _difference(now, before, unit: str) -> float | None:
    """The change as a number: percentage points for shares, else per cent."""
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return None
    if unit == "procent":
        return round(now - before, 1)
    return round(100.0 * (now - before) / before, 1) if before else None


def indicator_rows(fs: Factsheet) -> list[dict]:
    """The indicator table as plain rows (for XLSX/CSV), Dutch column names."""
    return [{"Code": c["code"], "Indicator": c["naam"], "Definitie": c["definitie"], "Bron": c["bron"],
             "Eenheid": c["eenheid"], str(fs.jaar): c["waarde"], str(fs.jaar - 1): c["vorig"],
             "Verschil": _difference(c["waarde"], c["vorig"], c["eenheid"]),
             "Verschil in": "%-punt" if c["eenheid"] == "procent" else "%",
             "Handhavingsoutput": "ja" if c["handhaving"] else "nee"} for c in fs.cijfers]


def wijk_rows(fs: Factsheet) -> list[dict]:
    rows = [{"Wijk": r["wijk"], **{BY_CODE[c].naam: r[c] for c in fs.wijk_codes}} for r in fs.wijken]
    rows.append({"Wijk": "Gemeente (exact)", **{BY_CODE[c].naam: fs.cijfer(c)["waarde"] for c in fs.wijk_codes}})
    return rows


def _neutral(value):
    """Spreadsheet formula neutralisation (DESIGN §6): text starting with = + - @ is
    prefixed with an apostrophe. Used only when dijkwacht.exports is not there."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def indicator_xlsx(fs: Factsheet) -> bytes:
    """The indicator table (and the published wijk table) as XLSX, formula-neutralised."""
    sheets = {"Indicatoren": indicator_rows(fs), "Per wijk": wijk_rows(fs)}
    try:
        from dijkwacht import exports
        if hasattr(exports, "xlsx_bytes"):
            return exports.xlsx_bytes(sheets)
    except ImportError:
        pass
    import xlsxwriter
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": fs.titel, "author": "Dijkwacht", "created": datetime(2000, 1, 1)})
    bold = book.add_format({"bold": True})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        columns = list(rows[0].keys()) if rows else []
        for j, col in enumerate(columns):
            ws.write_string(0, j, str(col), bold)
            ws.set_column(j, j, 14 if j else 34)
        for i, row in enumerate(rows, start=1):
            for j, col in enumerate(columns):
                v = row[col]
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(i, j, v)
                elif v is None:
                    ws.write_blank(i, j, None)
                else:
                    ws.write_string(i, j, str(_neutral(v)))
        if name == "Per wijk":
            ws.write_string(len(rows) + 2, 0, HIDDEN_NOTE)
    book.close()
    return buf.getvalue()


# --- the triangle briefing snapshot ---------------------------------------------------------

CHANGE_MIN = 10
SNAPSHOT_SOURCES = ("hennepkwekerijen", "verdachte_transacties", "signalen", "controles")
SOURCE_SHORT = {"hennepkwekerijen": "Kwekerij", "verdachte_transacties": "Transact.",
                "signalen": "Signalen", "controles": "Controles"}


@dataclass(frozen=True)
class Snapshot(_Archived):
    gemeente: str
    demo: bool
    load_id: str
    stand_per: str
    van: str                       # period [van, tot)
    tot: str
    gebied: str                    # filter key: "stad" | "wijk:WK…" | "focus:<naam>"
    gebied_naam: str
    cijfers: tuple[dict, ...]      # code, naam, eenheid, nu, vorige, vorig_jaar
    veranderingen: tuple[dict, ...]  # the largest changes vs the previous period
    wijken: tuple[dict, ...]       # per wijk per source, bestuur profile
    attributie: str = "Bron: CBS, Kadaster"


    @property
    def titel(self) -> str:
        return f"Briefing driehoek {self.gemeente}"

    @property
    def periode_label(self) -> str:
        van, tot = date.fromisoformat(self.van), date.fromisoformat(self.tot)
        return f"{formats.day(van)} – {formats.day(tot - timedelta(days=1))}"

    @property
    def basename(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.gebied.lower()).strip("-")
        return f"briefing-{self.van}-{self.tot}-{slug}"


def _previous(van: date, tot: date) -> tuple[date, date]:
    from dijkwacht.filters import Period
    p = Period(van, tot).previous()
    return p.van, p.tot


def _last_year(van: date, tot: date) -> tuple[date, date]:
    from dijkwacht.filters import Period
    p = Period(van, tot).year_before()
    return p.van, p.tot


def build_snapshot(db, van: date, tot: date, gebied: str = "stad", gebied_naam: str = "Hele gemeente",
                   buurten: list[str] | None = None) -> Snapshot:
    """The Briefing's figures for [van, tot), frozen: every indicator for the period, the
    previous period and the same period a year earlier; the largest changes; the counts per
    wijk. Sub-city figures (an area other than the city, and the wijk table) pass the
    `bestuur` profile."""
    meta = _meta(db)
    prev, last = _previous(van, tot), _last_year(van, tot)
    area = list(buurten) if buurten is not None else None
    cijfers = []
    for ind in INDICATORS:
        cijfers.append({"code": ind.code, "naam": ind.naam, "eenheid": ind.eenheid,
                        "telling": ind.telling, "handhaving": ind.handhaving,
                        "nu": _indicator_value(db, ind.code, van, tot, area),
                        "vorige": _indicator_value(db, ind.code, *prev, area),
                        "vorig_jaar": _indicator_value(db, ind.code, *last, area)})
    if area is not None:
        cijfers = _protect_area(cijfers, _area_level(gebied))

    # What changed most: against the same period a year before, as on the Briefing page.
    changes = []
    for c in cijfers:
        a, b = c["nu"], c["vorig_jaar"]
        # Small counts swing by chance: only counts of at least CHANGE_MIN are ranked.
        if (isinstance(a, (int, float)) and isinstance(b, (int, float)) and b and c["telling"]
                and max(a, b) >= CHANGE_MIN):
            changes.append({"code": c["code"], "naam": c["naam"], "nu": a, "vorig_jaar": b,
                            "verschil": formats.change(a, b), "pct": round(100.0 * (a - b) / b, 1)})
    changes.sort(key=lambda r: (-abs(r["pct"]), r["code"]))

    raw = db.query("veranderingen", van=van, tot=tot, van0=prev[0], tot0=prev[1], buurten=area)
    raw = raw.filter(pl.col("soort") == "wijk")
    wide = (raw.pivot(on="bron", index=["sleutel", "naam"], values="nu", aggregate_function="sum")
            .rename({"sleutel": "wijkcode", "naam": "wijk"}))
    for bron in SNAPSHOT_SOURCES:
        if bron not in wide.columns:
            wide = wide.with_columns(pl.lit(0, dtype=pl.Int64).alias(bron))
    wide = (wide.select(["wijkcode", "wijk", *SNAPSHOT_SOURCES]).fill_null(0)
            .with_columns([pl.col(b).cast(pl.Int64) for b in SNAPSHOT_SOURCES])
            .with_columns(pl.col("wijk").replace("onbekend", "Locatie onbekend"))
            .sort("wijkcode"))
    wijken = _cells(_protect(wide, BESTUUR, list(SNAPSHOT_SOURCES)), SNAPSHOT_SOURCES)
    return Snapshot(gemeente=meta["gemeente_naam"], demo=bool(meta["demo"]), load_id=meta["load_id"],
                    stand_per=meta["stand_per"].isoformat(), van=van.isoformat(), tot=tot.isoformat(),
                    gebied=gebied, gebied_naam=gebied_naam, cijfers=tuple(cijfers),
                    veranderingen=tuple(changes[:5]), wijken=wijken,
                    attributie=config.gemeente().bronvermelding)


# Averages, amounts and shares follow the count they are made of (DESIGN §6).
DERIVED_FROM = {"hennep_planten_gemiddeld": "hennep_ontmanteld",
                "transacties_bedrag": "transacties_aantal",
                "signalen_terugkoppeling_pct": "signalen_aantal",
                "controles_bevindingen_pct": "controles_aantal",
                "dwangsommen_bedrag": "dwangsommen_aantal",
                "activiteiten_deelnemers": "activiteiten_aantal"}


def _area_level(gebied: str) -> str:
    kind = gebied.split(":", 1)[0]
    return {"wijk": "wijk", "buurt": "buurt", "focus": "gebied"}.get(kind, "gebied")


def _protect_area(cijfers: list[dict], level: str) -> list[dict]:
    """An area's counts are sub-city cells: the bestuur profile applies to each; a derived
    figure is not shown when the count it is made of is hidden."""
    periods = ("nu", "vorige", "vorig_jaar")
    out = {c["code"]: dict(c) for c in cijfers}
    for c in out.values():
        if c["telling"]:
            for k in periods:
                c[k] = _protect_one(c[k], BESTUUR, level)
    raw = {c["code"]: c for c in cijfers}
    for c in out.values():
        base = DERIVED_FROM.get(c["code"])
        if base in out:
            for k in periods:
                if isinstance(out[base][k], str):
                    c[k] = out[base][k]
                elif c["eenheid"] == "procent" and isinstance(c[k], (int, float)):
                    # A share reveals its numerator (share × base): that count must pass too.
                    numerator = round(c[k] * (raw[base][k] or 0) / 100.0)
                    hidden = _protect_one(numerator, BESTUUR, level)
                    if isinstance(hidden, str):
                        c[k] = hidden
    return [out[c["code"]] for c in cijfers]


def snapshot_map_png(snap: Snapshot) -> bytes:
    return wijk_map_png(snap.wijken, "signalen", "signalen", "",
                        f"Signalen per wijk, {snap.periode_label}",
                        f"Bron: meldpunt; {snap.attributie} · stand per "
                        f"{formats.day(date.fromisoformat(snap.stand_per))}", "<5, x")


def snapshot_pdf(snap: Snapshot, map_png: bytes | None = None) -> bytes:
    """The triangle briefing as a one-page A4 PDF."""
    from reportlab.lib import colors
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


# --- the archive ----------------------------------------------------------------------------

def archive_dir() -> Path:
    """data/archief/ unless DIJKWACHT_ARCHIEF points elsewhere (tests, servers)."""
    return Path(os.environ.get("DIJKWACHT_ARCHIEF", config.ARCHIVE_DIR))


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def publish(con, doc: Factsheet | Snapshot, files: dict[str, bytes], who: str, role: str,
            directory: Path | None = None, moment: datetime | None = None) -> dict:
    """Store a factsheet or snapshot in the archive: the files (plus the numbers as JSON)
    under `directory`, and one register row in state.sqlite (`con`). Returns the row.

    `files` maps an extension ("pdf", "png") to its bytes. File names carry the UTC time,
    so nothing is ever overwritten."""
    from dijkwacht import state
    directory = Path(directory or archive_dir())
    directory.mkdir(parents=True, exist_ok=True)
    moment = moment or datetime.now(timezone.utc)
    kind = "factsheet" if isinstance(doc, Factsheet) else "briefing"
    stem = f"{doc.basename}-{_utc_stamp(moment)}"
    numbers = canonical_json(doc.numbers())
    stored = []
    for ext, data in [*sorted(files.items()), ("json", numbers)]:
        name = f"{stem}.{ext}"
        path = directory / name
        tmp = path.with_name("." + name + ".tmp")
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        stored.append({"bestand": name, "sha256": sha256(data)})
    if isinstance(doc, Factsheet):
        period, filters = str(doc.jaar), {"jaar": doc.jaar}
    else:
        period, filters = f"{doc.van}/{doc.tot}", {"van": doc.van, "tot": doc.tot, "gebied": doc.gebied}
    row = {"soort": kind, "periode": period, "filters": json.dumps(filters, sort_keys=True),
           "gemaakt_door": who, "rol": role,
           "gemaakt_op": moment.astimezone(timezone.utc).isoformat(timespec="seconds"),
           "load_id": doc.load_id, "stand_per": doc.stand_per, "demo": int(doc.demo),
           "bestanden": json.dumps(stored, ensure_ascii=False), "cijfers_sha256": sha256(numbers)}
    with state.transaction(con):
        cur = con.execute(
            "INSERT INTO archief (soort, periode, filters, gemaakt_door, rol, gemaakt_op, load_id, "
            "stand_per, demo, bestanden, cijfers_sha256) VALUES (:soort, :periode, :filters, :gemaakt_door, "
            ":rol, :gemaakt_op, :load_id, :stand_per, :demo, :bestanden, :cijfers_sha256)", row)
    return {"id": cur.lastrowid, **row, "filters": filters, "bestanden": stored}


def archive_list(con, kind: str | None = None) -> list[dict]:
    """The register, newest first; `kind` = "factsheet" | "briefing" | None for both."""
    rows = con.execute(
        "SELECT id, soort, periode, filters, gemaakt_door, rol, gemaakt_op, load_id, stand_per, demo, "
        "bestanden, cijfers_sha256 FROM archief WHERE (:soort IS NULL OR soort = :soort) "
        "ORDER BY gemaakt_op DESC, id DESC", {"soort": kind}).fetchall()
    out = []
    for r in rows:
        item = dict(r)
        item["bestanden"] = json.loads(item["bestanden"])
        item["filters"] = json.loads(item["filters"]) if item["filters"] else {}
        out.append(item)
    return out


def archive_file(name: str, directory: Path | None = None) -> bytes:
    """The bytes of one archived file; only plain names inside the archive folder."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ValueError("ongeldige bestandsnaam")
    return (Path(directory or archive_dir()) / name).read_bytes()
