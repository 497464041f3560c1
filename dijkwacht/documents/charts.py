"""The factsheet's static charts (matplotlib) and the documents' wijk map.

Every chart takes a published `Factsheet` and draws only what it holds: a hidden value
("<5") or a year without data is a gap with its label, never a bar or point at 0. The wijk
map is drawn by documents.wijk_map at the width the documents reserve. SVG keeps text as
text (`svg.fonttype` "none": the PDF embeds the SVG as vectors with DejaVu Sans, and a
designer can edit the labels); `figure_bytes` gives deterministic bytes, so the PDFs that
embed them are reproducible.
"""
from __future__ import annotations

import io
from datetime import date
from typing import Callable

from dijkwacht import formats
from dijkwacht.documents import wijk_map
from dijkwacht.documents.figures import (
    BRON_KORT,
    MAP_CODE,
    NO_DATA,
    SOORT_NAMEN,
    Factsheet,
    Snapshot,
    bron_text,
    shown,
    stand_text,
)
from dijkwacht.measures import BY_CODE, DISCOVERY_BAND, DISCOVERY_FACTOR

# --- style ----------------------------------------------------------------------------------

# Okabe–Ito: distinguishable with every common colour-vision deficiency, and in grey print.
PALETTE = {"blauw": "#0072B2", "oranje": "#E69F00", "groen": "#009E73", "hemel": "#56B4E9",
           "rood": "#D55E00", "paars": "#CC79A7", "geel": "#F0E442", "zwart": "#000000"}
INK = "#1F2933"
MUTED = "#5F6B76"


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
        "legend.fontsize": 7, "svg.hashsalt": "dijkwacht", "svg.fonttype": "none",
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


CHART_SIZE = (3.6, 2.35)
CHART_RECT = (0, 0.08, 1, 0.9)     # room for a two-line footnote


def _nl(n) -> str:
    return formats.number(n)


def _number(v) -> float:
    """A published value as a plotting number: NaN for "geen gegevens" and hidden ("<5")."""
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else float("nan")


def _gap_note(points, name: str = "") -> str:
    """Footnote text for the years of a series without data, or hidden ("<5")."""
    missing = [str(y) for y, v in points if v is None]
    small = [str(y) for y, v in points if isinstance(v, str)]
    prefix = f"{name} " if name else ""
    parts = []
    if missing:
        parts.append(f"geen gegevens {prefix}{_years_text(missing)}")
    if small:
        parts.append(f"<5 {prefix}{', '.join(small)}")
    return ", ".join(parts)


def _started_in(fs: Factsheet, codes, years: list[int]) -> list[str]:
    """"meldpunt vanaf 5 apr 2016" for sources whose first record falls inside the years
    shown, after January: that year is incomplete, not a drop."""
    bronnen = dict.fromkeys(b for c in codes for b in BY_CODE[c].bronnen)
    out = []
    for b in fs.bronnen:
        first = date.fromisoformat(b["eerste_datum"]) if b.get("eerste_datum") else None
        if b["bron"] in bronnen and first and years[0] <= first.year <= years[-1] and first.month > 1:
            out.append(f"{BRON_KORT.get(b['bron'], b['bron'])} vanaf {formats.day(first)}")
    return out


def _second_line(*parts: str) -> str:
    return "Afgerond op 5" + "".join(f" · {p}" for p in parts if p)


def _years_text(years: list[str]) -> str:
    """"2014", "2012–2015" for consecutive years, else "2012, 2014"."""
    if len(years) == 1:
        return years[0]
    if [int(y) for y in years] == list(range(int(years[0]), int(years[-1]) + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(years)


def _tick_labels(years: list[int]) -> list[str]:
    return [str(y)[2:] if i % 2 else str(y) for i, y in enumerate(years)]


def chart_hennep(fs: Factsheet):
    """Dismantled grow sites per year (published, rounded) with the estimated number present
    (assumption band, from the published count). Years without data are gaps, labelled."""
    import numpy as np
    plt = _mpl()
    points = fs.reeks["hennep_ontmanteld"]
    years = [y for y, _ in points]
    found = np.array([_number(v) for _, v in points])
    low, high = DISCOVERY_BAND
    fig, ax = plt.subplots(figsize=CHART_SIZE)
    ax.fill_between(years, found * low, found * high,
                    color=PALETTE["oranje"], alpha=0.22, linewidth=0,
                    label=f"geschat aanwezig (aanname, ×{low}–×{high})")
    ax.plot(years, found * DISCOVERY_FACTOR, color=PALETTE["oranje"],
            linewidth=1, linestyle="--", label=f"schatting ×{DISCOVERY_FACTOR}")
    ax.bar(years, np.nan_to_num(found), color=PALETTE["blauw"], width=0.7, label="ontmanteld (handhaving)")
    top = np.nanmax(found * high) if np.isfinite(found).any() else 0
    for y, v in points:
        if not isinstance(v, (int, float)):
            ax.text(y, 0, NO_DATA if v is None else v, rotation=90, fontsize=5.5, color=MUTED,
                    ha="center", va="bottom")
    _title(fig, "Hennepkwekerijen: gevonden en geschat")
    ax.set_xticks(years, _tick_labels(years))
    ax.legend(loc="upper left", ncols=1)
    ax.set_ylim(0, top * 1.35 if top else 1)
    _footnote(fig, f"Bron: {bron_text(BY_CODE['hennep_ontmanteld'].bronnen)} · {years[0]}–{years[-1]} · "
                   f"stand per {stand_text(fs)}\n"
                   + _second_line(_gap_note(points), *_started_in(fs, ["hennep_ontmanteld"], years)))
    fig.tight_layout(rect=CHART_RECT)
    return fig


def chart_reeks(fs: Factsheet):
    """Signals, suspicious transactions and inspections per year (city level, published);
    a year without data is a gap in its line, never a 0."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=CHART_SIZE)
    styles = (("signalen_aantal", PALETTE["blauw"], "o"), ("transacties_aantal", PALETTE["rood"], "s"),
              ("controles_aantal", PALETTE["groen"], "^"))
    years, top, gaps = [], 0.0, []
    for code, colour, marker in styles:
        points = fs.reeks[code]
        years = [y for y, _ in points]
        ys = [_number(v) for _, v in points]
        ax.plot(years, ys, color=colour, marker=marker, markersize=3, linewidth=1.4,
                label=BY_CODE[code].naam)
        top = max([top] + [v for v in ys if v == v])
        gaps.append(_gap_note(points, BRON_KORT[BY_CODE[code].bron]))
    _title(fig, "Signalen, transacties en controles per jaar")
    ax.set_xticks(years, _tick_labels(years))
    ax.set_ylim(0, top * 1.5 if top else 1)
    ax.legend(loc="upper left", ncols=1)
    sources = bron_text(tuple(dict.fromkeys(b for c, _, _ in styles for b in BY_CODE[c].bronnen)))
    _footnote(fig, f"Bron: {sources} · {years[0]}–{years[-1]} · stand per {stand_text(fs)}\n"
                   + _second_line(*gaps, *_started_in(fs, [c for c, _, _ in styles], years)))
    fig.tight_layout(rect=CHART_RECT)
    return fig


ENFORCEMENT = ("controles_aantal", "sluitingen", "dwangsommen_aantal", "bibob_toetsen", "bibob_geweigerd")


def _hbars(ax, labels, now, before, year: int, colour: str) -> None:
    """Year beside the year before as horizontal bars; a hidden or missing value is no bar
    but its label ("<5", "geen gegevens"), never a bar of 0."""
    import numpy as np
    y = np.arange(len(labels))
    ax.barh(y + 0.2, [_number(v) for v in before], height=0.38, color=PALETTE["hemel"], label=str(year - 1))
    ax.barh(y - 0.2, [_number(v) for v in now], height=0.38, color=colour, label=str(year))
    for yi, v in zip(y, now):
        text = _nl(v) if isinstance(v, (int, float)) else (NO_DATA if v is None else v)
        ax.text(_number(v) if isinstance(v, (int, float)) else 0, yi - 0.2, f" {text}", va="center",
                fontsize=6.5, color=INK)
    for yi, v in zip(y, before):
        if not isinstance(v, (int, float)):
            ax.text(0, yi + 0.2, f" {NO_DATA if v is None else v}", va="center", fontsize=5.5, color=MUTED)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    values = [_number(v) for v in list(now) + list(before)]
    top = max([v for v in values if v == v] or [0])
    ax.set_xlim(0, top * 1.18 if top else 1)


def chart_handhaving(fs: Factsheet):
    """Enforcement output: the year beside the year before (published, rounded)."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=CHART_SIZE)
    labels = [BY_CODE[c].naam.replace(" en Bibob-toetsen", "").replace("Bibob: ", "Bibob ")
              for c in ENFORCEMENT]
    _hbars(ax, labels, [fs.cijfer(c)["waarde"] for c in ENFORCEMENT],
           [fs.cijfer(c)["vorig"] for c in ENFORCEMENT], fs.jaar, PALETTE["blauw"])
    _title(fig, "Handhavingsoutput", "wat er gedaan is, geen maat voor de omvang")
    ax.legend(loc="lower right")
    sources = bron_text(tuple(dict.fromkeys(b for c in ENFORCEMENT for b in BY_CODE[c].bronnen)))
    _footnote(fig, f"Bron: {sources} · {fs.jaar - 1}–{fs.jaar} · stand per {stand_text(fs)}\n{_second_line()}")
    fig.tight_layout(rect=CHART_RECT)
    return fig


def chart_activiteiten(fs: Factsheet):
    """Programme activities of pillars 2 and 3 (the indicator's definition) per kind, the
    year beside the year before (published, rounded)."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=CHART_SIZE)
    rows = fs.activiteiten_soort
    if rows:
        _hbars(ax, [SOORT_NAMEN.get(r["soort"], r["soort"]) for r in rows], [r["aantal"] for r in rows],
               [r["vorig"] for r in rows], fs.jaar, PALETTE["groen"])
        ax.legend(loc="lower right")
    else:
        ax.text(0.5, 0.5, NO_DATA, transform=ax.transAxes, ha="center", color=MUTED)
        ax.set_axis_off()
    deelnemers = fs.cijfer("activiteiten_deelnemers")["waarde"]
    _title(fig, "Activiteiten van het programma",
           f"pijler 2 en 3 · {shown(deelnemers, 'deelnemers')} deelnemers in {fs.jaar}"
           if deelnemers is not None else f"pijler 2 en 3 · {NO_DATA} in {fs.jaar}")
    _footnote(fig, f"Bron: {bron_text(BY_CODE['activiteiten_aantal'].bronnen)} · {fs.jaar - 1}–{fs.jaar} · "
                   f"stand per {stand_text(fs)}\nAfgerond op 5")
    fig.tight_layout(rect=CHART_RECT)
    return fig


# The documents' map: the width of the column the PDFs reserve for it, so its 6-point text
# stays 6 points on the page.
MAP_WIDTH_MM = 84
SNAPSHOT_MAP_WIDTH_MM = 80
PUBLISHED_HIDDEN = "x: minder dan 10, of afgeschermd om een andere cel te beschermen."
BESTUUR_HIDDEN = "<5: 1 tot 4; x: afgeschermd om een andere cel te beschermen."


def chart_kaart(fs: Factsheet):
    """The factsheet's wijk map (documents.wijk_map): published cells, classes at multiples of 5."""
    return wijk_map.figure(fs.wijken, MAP_CODE, f"{BY_CODE[MAP_CODE].naam} per wijk, {fs.jaar}",
                           f"Bron: {bron_text(BY_CODE[MAP_CODE].bronnen)} · {fs.jaar} · afgerond op 5 · "
                           f"stand per {stand_text(fs)}",
                           MAP_WIDTH_MM, PUBLISHED_HIDDEN, fs.attributie)


def chart_kaart_png(fs: Factsheet) -> bytes:
    return figure_bytes(chart_kaart(fs), "png")


def snapshot_map(snap: Snapshot, fmt: str = "svg") -> bytes:
    """The snapshot's wijk map: the Briefing's signals per wijk as the viewer saw them."""
    fig = wijk_map.figure(snap.wijken, "signalen", f"Signalen per wijk, {snap.periode_label}",
                          f"Bron: meldpunt · stand per {stand_text(snap)}", SNAPSHOT_MAP_WIDTH_MM,
                          BESTUUR_HIDDEN, snap.attributie)
    return figure_bytes(fig, fmt)


CHARTS: dict[str, tuple[str, Callable]] = {
    "hennep": ("Hennepkwekerijen gevonden en geschat", chart_hennep),
    "reeks": ("Signalen, transacties en controles per jaar", chart_reeks),
    "handhaving": ("Handhavingsoutput", chart_handhaving),
    "activiteiten": ("Activiteiten van het programma (pijler 2 en 3)", chart_activiteiten),
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
    """Every factsheet chart and the wijk map ("kaart") as PNG or SVG. SVG is what the PDF
    embeds (vector, text as text) and what the analysts re-use; PNG is for the screen."""
    files = {name: figure_bytes(make(fs), fmt) for name, (_, make) in CHARTS.items()}
    files["kaart"] = figure_bytes(chart_kaart(fs), fmt)
    return files

