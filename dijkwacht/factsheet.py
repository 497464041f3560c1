"""The annual factsheet and the triangle briefing snapshot, as documents (issue 11).

Pure Python, no Streamlit: the Factsheet page, the Briefing page, the benchmark and the
tests call the same functions.

- `build_factsheet(db, year)` collects the figures: every measure of the registry
  (`dijkwacht.measures.values`) for the year and the year before, a wijk table and map for
  a few headline counts (each wijk's figure from the wijk's own rows, the records without a
  location as one row), time series, programme activities (pillars 2 and 3), sources with
  their *stand per* and first record. Everything it keeps is published output: the
  publication profile is applied before the figures reach the `Factsheet` (counts rounded to
  5, city totals included; wijk cells 1–9 hidden; amounts to € 1.000). A year before a
  source's first record is "geen gegevens" (None), never 0.
- `factsheet_pdf(fs)` lays it out on A4 with reportlab (platypus), charts drawn with
  matplotlib; `page_png(pdf)` renders page 1 with pypdfium2. No browser, no system
  packages: everything comes from pip.
- `build_snapshot(meta, van, tot, gebied, naam, briefing)` / `snapshot_pdf(snap)`: the Briefing
  (data.briefing) frozen for the triangle meeting, exactly as the viewer saw it.
- `publish(...)` stores the files in the archive (`data/archief/`) and writes one row in
  the register (`archief` in state.sqlite) with the data load id and the SHA-256s.
  Republishing a factsheet edition compares its numbers with the last published ones
  (`republication_check`) and refuses (`Republicatie`) a change that could single out fewer
  than 10 records unless one of the fixed reasons (`REDENEN`) is given; the reason is kept
  in the register.

Deterministic: the same data gives the same numbers, the same charts and byte-identical
PDFs (reportlab's invariant mode; no dates but the data's own in the documents).

Disclosure control is not done here: the factsheet's figures pass `_publish_city()` and
`_publish_wijken()` — the seams to `dijkwacht.privacy` (DESIGN §6); the snapshot freezes the
Briefing's figures as the data layer gave them to the viewer.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable

import polars as pl

from dijkwacht import config, formats
from dijkwacht import measures as registry
from dijkwacht.measures import (
    BY_CODE,
    COUNTED_SOURCES,
    DEDUP_RULE,
    DISCOVERY_BAND,
    DISCOVERY_FACTOR,
    HEADLINE,
    INDICATORS,
    MEASURES,
    estimate_band,
    year_period,
)
from dijkwacht.sources import SOURCES

# --- style ----------------------------------------------------------------------------------

# Okabe–Ito: distinguishable with every common colour-vision deficiency, and in grey print.
PALETTE = {"blauw": "#0072B2", "oranje": "#E69F00", "groen": "#009E73", "hemel": "#56B4E9",
           "rood": "#D55E00", "paars": "#CC79A7", "geel": "#F0E442", "zwart": "#000000"}
HOUSE = "#00406F"          # the municipal header colour
INK = "#1F2933"
MUTED = "#5F6B76"
LIGHT = "#E8EEF3"

WIDTH_MM = 176             # usable width: A4 minus 15 mm margins and the frame's padding
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
HIDDEN_NOTE = ("x = niet getoond: minder dan 10, of afgeschermd om een andere cel te beschermen. "
               "Alle aantallen zijn afgerond op 5, het gemeentetotaal ook; daardoor tellen de wijken "
               "niet altijd precies op tot het totaal. – = geen gegevens.")
ROUNDING_NOTE = ("Alle aantallen zijn afgerond op 5, ook de stadstotalen (zoals het CBS doet); 1 tot 4 "
                 "staat er als &lt;5, bedragen zijn afgerond op € 1.000. Aandelen en gemiddelden zijn "
                 "berekend op de precieze aantallen (x: niet getoond omdat hun aantal niet getoond wordt).")
NO_DATA = "geen gegevens"
# The programme's activities indicator counts pillars 2 and 3 (its definition in the registry).
ACTIVITY_PILLARS = (2, 3)

# The counts shown per wijk (codes from the one indicator set; they have a location).
WIJK_CODES = ("signalen_aantal", "controles_aantal", "transacties_aantal")
MAP_CODE = "signalen_aantal"
SERIES_YEARS = 10
SERIES_CODES = ("hennep_ontmanteld", "signalen_aantal", "transacties_aantal", "controles_aantal")
# The sources' names in the documents (the registry's long labels).
BRON_NAMEN = {s.name: s.long_label or s.label for s in SOURCES.values()}
SOORT_ENKELVOUD = {"training": "training", "bijeenkomst": "bijeenkomst", "campagne": "campagne",
                   "convenant": "convenant", "overig": "overig"}
SOORT_NAMEN = {"training": "Trainingen", "bijeenkomst": "Bijeenkomsten", "campagne": "Campagnes",
               "convenant": "Convenanten", "overig": "Overig"}
PIJLER_NAMEN = {1: "Pijler 1 – aanpak", 2: "Pijler 2 – bewustwording en weerbaarheid",
                3: "Pijler 3 – samenwerking en informatie"}
# Short source names for the indicator table's "Bron" column (full names: BRON_NAMEN).
BRON_KORT = {s.name: s.short_label or s.label for s in SOURCES.values()}


def bron_text(codes, short: bool = True) -> str:
    """The sources of a figure in words: "kwekerijen en controles"."""
    names = [(BRON_KORT if short else BRON_NAMEN).get(c, c) for c in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


# --- disclosure control: the seams ------------------------------------------------------------
# The factsheet's figures: `_publish_city`, `_publish_count`, `_publish_wijken` (below, the
# publication profile). The briefing snapshot protects nothing itself: it freezes what the
# data layer showed (dijkwacht/lattice.py for the bestuur role).

CITY = "gemeente"



# --- figures --------------------------------------------------------------------------------

def _plain(value):
    """DuckDB/polars values as plain JSON-able Python numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value   # keep floats floats: units decide formatting
    return value


def _meta(db) -> dict:
    rows = db.query("meta").to_dicts()
    if not rows:
        raise ValueError("de database heeft geen meta-rij")
    return rows[0]


def _sources(db) -> tuple[dict, ...]:
    return tuple({"bron": r["bron"], "naam": BRON_NAMEN.get(r["bron"], r["bron"]),
                  "stand_per": r["stand_per"].isoformat() if r["stand_per"] else None,
                  "eerste_datum": r["eerste_datum"].isoformat() if r.get("eerste_datum") else None}
                 for r in db.query("bronstand").iter_rows(named=True))


def first_dates(db) -> dict[str, date | None]:
    """Each source's first record date (bronstand.eerste_datum; None: no records)."""
    return {r["bron"]: r.get("eerste_datum") for r in db.query("bronstand").iter_rows(named=True)}


def has_data(measure, year: int, first: dict[str, date | None]) -> bool:
    """Whether `year` has data for a measure: every source it counts from had delivered
    its first record by the end of that year. Before that the figure is "geen gegevens",
    never 0 (a figure from two sources is incomplete while one of them is missing)."""
    dates = [first.get(b) for b in measure.bronnen]
    return all(d is not None for d in dates) and year >= max(dates).year


def _year_values(db, year: int, first: dict, buurten: list[str] | None = None) -> dict:
    """Every measure's exact value for a calendar year (registry), None where the year has
    no data for it."""
    out = registry.values(db, *year_period(year), buurten)
    return {code: (_plain(v) if has_data(BY_CODE[code], year, first) else None)
            for code, v in out.items()}


@dataclass(frozen=True)
class Figures:
    """The exact figures behind a factsheet (never published as such: `build_factsheet`
    keeps only what the publication profile lets through)."""
    jaar: int
    stad: dict                 # code → exact value for the year (None = geen gegevens)
    vorig: dict                # the same for the year before
    wijken: pl.DataFrame       # wijkcode, wijk, one column per WIJK_CODES; plus "onbekend"
    reeks: dict                # code → {year: exact value or None}
    eerste: dict               # source → first record date


def exact_figures(db, year: int, wijk_codes: tuple[str, ...] = WIJK_CODES) -> Figures:
    """The figures of the factsheet for `year`, exact, from the measure registry: the city,
    each wijk from its own buurten's rows, and the records without a known location as one
    row (city − Σ wijken, so each column adds up to the city figure)."""
    first = first_dates(db)
    stad = _year_values(db, year, first)
    vorig = _year_values(db, year - 1, first)
    rows = []
    for wijk in db.query("wijken_lijst").iter_rows(named=True):
        if not wijk["land"]:
            continue
        buurten = db.query("gebied_buurten", soort="wijk", code=wijk["wijkcode"])["buurtcode"].to_list()
        figures = registry.values(db, *year_period(year), buurten) if buurten else {}
        rows.append({"wijkcode": wijk["wijkcode"], "wijk": wijk["naam"],
                     **{c: int(figures.get(c) or 0) for c in wijk_codes}})
    unknown = {"wijkcode": "onbekend", "wijk": "Locatie onbekend"}
    for c in wijk_codes:
        unknown[c] = int(stad[c] or 0) - sum(r[c] for r in rows)
    rows.append(unknown)
    wijken = pl.DataFrame(rows, schema={"wijkcode": pl.String, "wijk": pl.String,
                                        **{c: pl.Int64 for c in wijk_codes}}, orient="row")
    # The series starts with the first year any of its sources has data (no row of empty
    # years before the data begins); a later source's earlier years stay None in it.
    starts = [max(d for d in (first.get(b) for b in BY_CODE[c].bronnen))
              for c in SERIES_CODES if has_data(BY_CODE[c], year, first)]
    start = max(year - SERIES_YEARS + 1, min((d.year for d in starts), default=year))
    reeks = {}
    for y in range(start, year + 1):
        values = stad if y == year else vorig if y == year - 1 else _year_values(db, y, first)
        for code in SERIES_CODES:
            reeks.setdefault(code, {})[y] = values[code]
    return Figures(jaar=year, stad=stad, vorig=vorig, wijken=wijken, reeks=reeks, eerste=first)


# --- publication: the seams to dijkwacht.privacy ------------------------------------------------

def _publish_city(values: dict) -> dict:
    """City-level figures as published (counts rounded to 5, "<5"; amounts to € 1.000;
    shares and means follow their counts)."""
    from dijkwacht import privacy
    return privacy.publish_figures(values, MEASURES, privacy.PUBLICATIE)


def _publish_count(value):
    """One city-level count as published: a multiple of 5, "<5", or None (no data)."""
    from dijkwacht import privacy
    if value is None:
        return None
    shown, label = privacy.protect_total(int(value), privacy.PUBLICATIE)
    return label if shown is None else shown


def _publish_wijken(raw: pl.DataFrame, codes: tuple[str, ...], no_data: set[str]) -> tuple[dict, ...]:
    """The wijk table under the publication profile: one table, the city total as its total
    row (rounded as well, so the audit knows it only within ±2). Each column is protected
    on its own: no published output adds signals, inspections and transactions of a wijk
    together, so the rows carry no known sum. Columns without data for the year stay None."""
    from dijkwacht import privacy
    present = [c for c in codes if c not in no_data]
    rows = [dict(r) for r in raw.iter_rows(named=True)]
    if present:
        city = raw.select(pl.lit(CITY).alias("wijkcode"), pl.lit("Gemeente").alias("wijk"),
                          *[pl.col(c).sum() for c in codes])
        out = privacy.protect(pl.concat([raw, city]), privacy.PUBLICATIE, present, area_col="wijkcode",
                              level="wijk", total_area=CITY, rows_additive=False)
        out = out.filter(pl.col("wijkcode") != CITY)
        for row, prot in zip(rows, out.iter_rows(named=True)):
            for c in present:
                row[c] = prot[c] if prot[c] is not None else prot[c + privacy.LABEL_SUFFIX]
    for row in rows:
        for c in no_data:
            row[c] = None
    return tuple({"wijkcode": r["wijkcode"], "wijk": r["wijk"], **{c: r[c] for c in codes}} for r in rows)


class _Archived:
    """What the archive keeps of a document: every figure, canonical and JSON-able, and its hash."""

    def numbers(self) -> dict:
        return asdict(self)

    def numbers_sha256(self) -> str:
        return sha256(canonical_json(self.numbers()))


@dataclass(frozen=True)
class Factsheet(_Archived):
    """The factsheet's figures, all of them as published (publication profile applied):
    counts are multiples of 5, "<5" (city, 1–4) or "x" (wijk, hidden); None = geen gegevens."""
    jaar: int
    gemeente: str
    demo: bool
    load_id: str
    stand_per: str                         # ISO date: the data's "now"
    cijfers: tuple[dict, ...]              # per measure: code, naam, ..., waarde, vorig
    wijk_codes: tuple[str, ...]
    wijken: tuple[dict, ...]               # per wijk plus "Locatie onbekend"
    reeks: dict                            # code → ((jaar, waarde), ...); None = geen gegevens
    activiteiten: tuple[dict, ...]         # pillars 2 and 3 × kind: pijler, soort, aantal, deelnemers
    activiteiten_soort: tuple[dict, ...]   # per kind over pillars 2 and 3: soort, aantal, vorig
    bronnen: tuple[dict, ...]
    schatting: tuple[int, int, int] | None  # grow sites: low, central, high (assumption)
    attributie: str = "Bron: CBS, Kadaster"

    def cijfer(self, code: str) -> dict:
        return next(c for c in self.cijfers if c["code"] == code)

    @property
    def titel(self) -> str:
        return f"Factsheet ondermijning {self.gemeente} {self.jaar}"

    @property
    def basename(self) -> str:
        return f"factsheet-{self.jaar}"


def _activity_rows(db, year: int, first: dict) -> list[dict] | None:
    """Exact activities of pillars 2 and 3 (pijler, soort, aantal, deelnemers) in `year`;
    None when the year has no activity data."""
    if not has_data(BY_CODE["activiteiten_aantal"], year, first):
        return None
    frame = db.query("activiteiten_per_soort", van=date(year, 1, 1), tot=date(year + 1, 1, 1))
    return [r for r in frame.iter_rows(named=True) if r["pijler"] in ACTIVITY_PILLARS]


def _activities(db, year: int, first: dict) -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    """(per pillar × kind, per kind over both pillars with the year before), as published."""
    now, before = _activity_rows(db, year, first), _activity_rows(db, year - 1, first)
    cells = tuple({"pijler": int(r["pijler"]), "soort": r["soort"], "aantal": _publish_count(r["aantal"]),
                   "deelnemers": _publish_count(r["deelnemers"])} for r in now or ())

    def per_kind(rows):
        if rows is None:
            return {}
        out: dict[str, int] = {}
        for r in rows:
            out[r["soort"]] = out.get(r["soort"], 0) + int(r["aantal"])
        return out

    k_now, k_before = per_kind(now), per_kind(before)
    kinds = sorted(set(k_now) | set(k_before))
    per = tuple({"soort": k,
                 "aantal": _publish_count(k_now.get(k, 0)) if now is not None else None,
                 "vorig": _publish_count(k_before.get(k, 0)) if before is not None else None}
                for k in kinds)
    return cells, per


def build_factsheet(db, year: int) -> Factsheet:
    """All figures of the factsheet for `year` from the served database `db`
    (a `queries.Served`), as published."""
    meta = _meta(db)
    fig = exact_figures(db, year)
    now, before = _publish_city(fig.stad), _publish_city(fig.vorig)
    cijfers = []
    for m in MEASURES:
        cijfers.append({"code": m.code, "naam": m.naam, "definitie": m.definitie,
                        "bronnen": list(m.bronnen), "bron": bron_text(m.bronnen),
                        "eenheid": m.eenheid, "handhaving": m.handhaving,
                        "telling": m.telling or m.eenheid in ("aantal", "deelnemers"),
                        "waarde": now[m.code], "vorig": before[m.code]})
    no_data = {c for c in WIJK_CODES if fig.stad[c] is None}
    wijken = _publish_wijken(fig.wijken, WIJK_CODES, no_data)
    reeks = {code: tuple((y, _publish_count(v)) for y, v in sorted(points.items()))
             for code, points in fig.reeks.items()}
    found = now["hennep_ontmanteld"]
    activiteiten, per_soort = _activities(db, year, fig.eerste)
    return Factsheet(
        jaar=year, gemeente=meta["gemeente_naam"], demo=bool(meta["demo"]),
        load_id=meta["load_id"], stand_per=meta["stand_per"].isoformat(),
        cijfers=tuple(cijfers), wijk_codes=WIJK_CODES, wijken=wijken, reeks=reeks,
        activiteiten=activiteiten, activiteiten_soort=per_soort,
        bronnen=_sources(db),
        schatting=estimate_band(found) if isinstance(found, int) else None,
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


CHART_SIZE = (3.6, 2.35)
CHART_RECT = (0, 0.08, 1, 0.9)     # room for a two-line footnote


def _nl(n) -> str:
    return formats.number(n)


def _stand(fs) -> str:
    return formats.day(date.fromisoformat(fs.stand_per))


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
                   f"stand per {_stand(fs)}\n"
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
    _footnote(fig, f"Bron: {sources} · {years[0]}–{years[-1]} · stand per {_stand(fs)}\n"
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
    _footnote(fig, f"Bron: {sources} · {fs.jaar - 1}–{fs.jaar} · stand per {_stand(fs)}\n{_second_line()}")
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
                   f"stand per {_stand(fs)}\nAfgerond op 5")
    fig.tight_layout(rect=CHART_RECT)
    return fig


PUBLISHED_HIDDEN_LEGEND = "x = niet getoond"


def map_frame(rows: tuple[dict, ...], code: str) -> pl.DataFrame:
    """Protected wijk rows → the maps frame contract at wijk level (dijkwacht.maps): code
    (wijkcode; null for the records without a location), aantal (null when not shown as a
    number), weergave, aantal_2020. A count map only: aantal_2020 is the shown count (no
    rate is drawn from it)."""
    out = []
    for r in rows:
        v = r[code]
        number = v if isinstance(v, int) and not isinstance(v, bool) else None
        label = str(v) if number is not None else (NO_DATA if v is None else str(v))
        out.append({"code": r["wijkcode"] if str(r["wijkcode"]).startswith("WK") else None,
                    "aantal": number, "weergave": label, "aantal_2020": number})
    return pl.DataFrame(out, schema={"code": pl.String, "aantal": pl.Int64, "weergave": pl.String,
                                     "aantal_2020": pl.Int64}, orient="row")


def _draw_kaart(kaart, title: str, footnote: str):
    """A maps.Kaart (classes, colours, hidden cells and notes decided by dijkwacht.maps)
    drawn at the factsheet's size: the map on top, legend and notes below it, the wijk
    numbers on the wijken, hidden wijken hatched."""
    from matplotlib.patches import Patch

    from dijkwacht import maps
    plt = _mpl()
    rd = kaart.frame.to_crs(28992)
    fig = plt.figure(figsize=(3.4, 3.5))
    ax = fig.add_axes((0.0, 0.30, 1.0, 0.62))
    rd.plot(ax=ax, color=rd["kleur"], edgecolor="white", linewidth=0.6)
    hidden = rd[rd["kleur"] == maps.VERBORGEN]
    if len(hidden):
        hidden.plot(ax=ax, facecolor=maps.VERBORGEN, edgecolor=maps.VERBORGEN_ARCERING, hatch="////",
                    linewidth=0)
        hidden.boundary.plot(ax=ax, color="white", linewidth=0.6)
    dark = {c for c in maps.SEQUENTIAL[-2:]}
    for _, shape in rd.iterrows():
        p = shape.geometry.representative_point()
        ax.text(p.x, p.y, str(shape["code"])[-2:], fontsize=5.5, ha="center", va="center",
                color="white" if shape["kleur"] in dark else INK)
    ax.set_axis_off()
    ax.set_aspect("equal")
    handles = [Patch(facecolor=c, edgecolor=maps.VERBORGEN_ARCERING if c == maps.VERBORGEN else "#777",
                     hatch="////" if c == maps.VERBORGEN else None, linewidth=0.5, label=label)
               for c, label in kaart.legenda if c is not None]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, 0.30), ncols=2, fontsize=6,
               handlelength=1.2, columnspacing=1.0, borderaxespad=0, frameon=False)
    fig.text(0.01, 0.985, title, fontsize=9, weight="bold", color=INK, ha="left", va="top")
    notes = [n for n in kaart.notities if "Handhavingsoutput" not in n]
    _footnote(fig, "\n".join([*notes, footnote, "Wijknummers op de kaart; " + config.gemeente().bronvermelding]))
    return fig


def wijk_map_png(rows: tuple[dict, ...], code: str, laag: str, periode: str, title: str,
                 footnote: str, hidden_label: str) -> bytes:
    """The wijk map as PNG, from already protected wijk figures handed to dijkwacht.maps in
    its frame contract (`map_frame`): maps decides classes, colours and what is hidden; the
    drawing is sized for the documents. `hidden_label` "x" (publication) or "geen gegevens"
    replaces the legend text for hidden cells; any other value keeps the maps legend ("<5",
    "x": the bestuur profile)."""
    from dijkwacht import maps
    kaart = maps.choropleth(map_frame(rows, code), niveau="wijk", maat="aantal", laag=laag,
                            periode=periode)
    replace = {"x": PUBLISHED_HIDDEN_LEGEND, NO_DATA: NO_DATA}.get(hidden_label)
    if replace:
        kaart.legenda = [(c, replace if c == maps.VERBORGEN else label) for c, label in kaart.legenda]
    if hidden_label == NO_DATA:          # nothing to say per wijk: no classes, no notes
        kaart.legenda = [(c, label) for c, label in kaart.legenda if c == maps.VERBORGEN]
        kaart.notities = []
    return figure_bytes(_draw_kaart(kaart, title, footnote))


def chart_kaart_png(fs: Factsheet) -> bytes:
    no_data = all(r[MAP_CODE] is None for r in fs.wijken)
    return wijk_map_png(fs.wijken, MAP_CODE, "signalen", str(fs.jaar),
                        f"{BY_CODE[MAP_CODE].naam} per wijk, {fs.jaar}",
                        f"Bron: {bron_text(BY_CODE[MAP_CODE].bronnen)} · {fs.jaar} · afgerond op 5",
                        NO_DATA if no_data else "x")


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
    """A published cell: its label ("x", "<5"), the number, or "–" (geen gegevens)."""
    return v if isinstance(v, str) else formats.number(v)


def shown(v, unit: str = "aantal") -> str:
    """A published value as text: "–" for geen gegevens (None), labels as they are."""
    return "–" if v is None else formats.value(v, unit)


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


def dwangsom_text(fs: Factsheet) -> str:
    """The penalty figures as two labelled figures: the amount covers only the penalties
    whose amount is known (DESIGN §5: count and amount over the same records, or said)."""
    n = fs.cijfer("dwangsommen_aantal")["waarde"]
    m = fs.cijfer("dwangsommen_met_bedrag")["waarde"]
    x = fs.cijfer("dwangsommen_bedrag")["waarde"]
    return (f"Lasten onder dwangsom {fs.jaar}: {shown(n)}; bedrag bekend voor {shown(m)}: "
            f"{shown(x, 'euro')}")


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


def _difference(now, before, unit: str) -> float | None:
    """The change as a number: percentage points for shares, else per cent."""
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return None
    if unit == "procent":
        return round(now - before, 1)
    return round(100.0 * (now - before) / before, 1) if before else None


def indicator_rows(fs: Factsheet) -> list[dict]:
    """The indicator table as plain rows (for XLSX/CSV), Dutch column names."""
    return [{"Code": c["code"], "Indicator": c["naam"], "Definitie": c["definitie"],
             "Bron": bron_text(c["bronnen"], short=False),
             "Eenheid": c["eenheid"], str(fs.jaar): c["waarde"], str(fs.jaar - 1): c["vorig"],
             "Verschil": _difference(c["waarde"], c["vorig"], c["eenheid"]),
             "Verschil in": "%-punt" if c["eenheid"] == "procent" else "%",
             "Handhavingsoutput": "ja" if c["handhaving"] else "nee"} for c in fs.cijfers]


def wijk_rows(fs: Factsheet) -> list[dict]:
    rows = [{"Wijk": r["wijk"], **{BY_CODE[c].naam: r[c] for c in fs.wijk_codes}} for r in fs.wijken]
    rows.append({"Wijk": "Gemeente (afgerond)", **{BY_CODE[c].naam: fs.cijfer(c)["waarde"] for c in fs.wijk_codes}})
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
# A helper count that one page cannot spare a line for: the amount's row says what it covers.
SNAPSHOT_OMITTED = ("dwangsommen_met_bedrag",)
SNAPSHOT_SOURCES = COUNTED_SOURCES
SOURCE_SHORT = {b: SOURCES[b].column_label or SOURCES[b].short_label for b in SNAPSHOT_SOURCES}


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


def build_snapshot(meta: dict, van: date, tot: date, gebied: str, gebied_naam: str,
                   briefing: dict) -> Snapshot:
    """The Briefing frozen: the figures the viewer saw for [van, tot), the previous period and
    the same period a year earlier (data.briefing — the same registry values and the same
    protection as the screen, "<5"/"x" marks included), the largest changes and the wijk
    table. Nothing is computed or protected again here: screen and PDF cannot disagree."""
    cijfers = [{"code": m.code, "naam": m.naam, "eenheid": m.eenheid, "telling": m.telling,
                "handhaving": m.handhaving, **{k: _plain(briefing[k][m.code]) for k in ("nu", "vorige", "vorig_jaar")}}
               for m in INDICATORS]
    # What changed most: against the same period a year before, as on the Briefing page;
    # only figures shown as numbers, and small counts (they swing by chance) left out.
    changes = []
    for c in cijfers:
        a, b = c["nu"], c["vorig_jaar"]
        if (isinstance(a, (int, float)) and isinstance(b, (int, float)) and b and c["telling"]
                and max(a, b) >= CHANGE_MIN):
            changes.append({"code": c["code"], "naam": c["naam"], "nu": a, "vorig_jaar": b,
                            "verschil": formats.change(a, b), "pct": round(100.0 * (a - b) / b, 1)})
    changes.sort(key=lambda r: (-abs(r["pct"]), r["code"]))
    wijk = briefing["veranderingen"].filter(pl.col("soort") == "wijk")
    rows = {}
    for r in wijk.iter_rows(named=True):
        row = rows.setdefault(r["sleutel"], {"wijkcode": r["sleutel"], "wijk": r["naam"]})
        row[r["bron"]] = r["nu"] if r["nu"] is not None else r["nu_weergave"]
    wijken = tuple({**{b: 0 for b in SNAPSHOT_SOURCES}, **row} for _, row in sorted(rows.items()))
    return Snapshot(gemeente=meta["gemeente_naam"], demo=bool(meta["demo"]), load_id=meta["load_id"],
                    stand_per=meta["stand_per"].isoformat(), van=van.isoformat(), tot=tot.isoformat(),
                    gebied=gebied, gebied_naam=gebied_naam, cijfers=tuple(cijfers),
                    veranderingen=tuple(changes[:5]), wijken=wijken,
                    attributie=config.gemeente().bronvermelding)


def snapshot_map_png(snap: Snapshot) -> bytes:
    return wijk_map_png(snap.wijken, "signalen", "signalen", "",
                        f"Signalen per wijk, {snap.periode_label}",
                        f"Bron: meldpunt; {snap.attributie} · stand per "
                        f"{formats.day(date.fromisoformat(snap.stand_per))}", "<5, x")


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


# --- the archive ----------------------------------------------------------------------------

def archive_dir() -> Path:
    """data/archief/ unless DIJKWACHT_ARCHIEF points elsewhere (tests, servers)."""
    return Path(os.environ.get("DIJKWACHT_ARCHIEF", config.ARCHIVE_DIR))


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# --- republication --------------------------------------------------------------------------

# Why an edition is published again: a fixed list (no free text in the register).
REDENEN = ("correctie van een bronbestand", "late levering partner", "fout in eerdere editie")
SINGLE_OUT = 10      # a change of fewer records than this could point at those records


def published_cells(numbers: dict) -> dict[str, dict]:
    """Every published cell of a factsheet's numbers (`Factsheet.numbers()`, or the archived
    JSON): key → {"cel": Dutch name, "waarde": as published, "telling": a count of records}."""
    cells: dict[str, dict] = {}
    year = numbers["jaar"]

    def put(key, name, value, telling):
        cells[key] = {"cel": name, "waarde": value, "telling": bool(telling)}

    for c in numbers["cijfers"]:
        telling = c.get("telling", c.get("eenheid") == "aantal")
        put(f"cijfer:{c['code']}:{year}", f"{c['naam']}, {year}", c["waarde"], telling)
        put(f"cijfer:{c['code']}:{year - 1}", f"{c['naam']}, {year - 1}", c["vorig"], telling)
    names = {c["code"]: c["naam"] for c in numbers["cijfers"]}
    for r in numbers["wijken"]:
        for code in numbers["wijk_codes"]:
            put(f"wijk:{r['wijkcode']}:{code}", f"{names.get(code, code)}, {r['wijk']}, {year}", r[code], True)
    for code, points in numbers["reeks"].items():
        for y, v in points:
            if y not in (year, year - 1):          # those years are the cijfers above
                put(f"reeks:{code}:{y}", f"{names.get(code, code)}, {y}", v, True)
    for a in numbers.get("activiteiten", ()):
        kind = SOORT_NAMEN.get(a["soort"], a["soort"]).lower()
        put(f"activiteit:{a['pijler']}:{a['soort']}", f"Activiteiten pijler {a['pijler']}, {kind}, {year}",
            a["aantal"], True)
        put(f"deelnemers:{a['pijler']}:{a['soort']}", f"Deelnemers pijler {a['pijler']}, {kind}, {year}",
            a["deelnemers"], True)
    for a in numbers.get("activiteiten_soort", ()):
        kind = SOORT_NAMEN.get(a["soort"], a["soort"]).lower()
        put(f"activiteit_soort:{a['soort']}:{year}", f"Activiteiten, {kind}, {year}", a["aantal"], True)
        put(f"activiteit_soort:{a['soort']}:{year - 1}", f"Activiteiten, {kind}, {year - 1}", a["vorig"], True)
    return cells


def _singles_out(old, new) -> bool:
    """Whether a change of a published count could point at fewer than SINGLE_OUT records:
    both shown as numbers and 1–9 apart after rounding; or a hidden/labelled side ("x",
    "<5"), whose true value is not known — then the difference cannot be shown to be ≥ 10.
    "Geen gegevens" (None) counts as 0."""
    old = 0 if old is None else old
    new = 0 if new is None else new
    if isinstance(old, str) or isinstance(new, str):
        return True
    return 1 <= abs(new - old) < SINGLE_OUT


@dataclass(frozen=True)
class Herpublicatie:
    """The outcome of comparing a new edition with the last published one."""
    wijzigingen: tuple[dict, ...]   # cel, oud, nieuw, telling, aanwijsbaar
    aanwijsbaar: bool               # some change could single out fewer than 10 records

    def tekst(self, limit: int = 12) -> str:
        lines = [f"{w['cel']}: {value_text(w['oud'])} → {value_text(w['nieuw'])}"
                 + (" (minder dan 10 registraties)" if w["aanwijsbaar"] else "")
                 for w in self.wijzigingen[:limit]]
        if len(self.wijzigingen) > limit:
            lines.append(f"… en nog {len(self.wijzigingen) - limit} cellen")
        return "; ".join(lines)


def value_text(v) -> str:
    """A published cell value as text (changes list): "–" for None, labels as they are."""
    return "–" if v is None else v if isinstance(v, str) else formats.number(v, 0 if float(v).is_integer() else 1)


def republication_check(old_numbers: dict, new_numbers: dict) -> Herpublicatie:
    """Compare a new edition's published cells with the last published edition's. Pure.
    A changed count cell singles out fewer than 10 records when, after rounding both, it
    changed by 1–9 (or a side is hidden); amounts, shares and means are listed as changed but
    do not count as records."""
    old, new = published_cells(old_numbers), published_cells(new_numbers)
    changes = []
    for key in list(old) + [k for k in new if k not in old]:
        before = old.get(key, {}).get("waarde")
        after = new.get(key, {}).get("waarde")
        if before == after:
            continue
        cell = new.get(key) or old[key]
        flag = cell["telling"] and _singles_out(before, after)
        changes.append({"sleutel": key, "cel": cell["cel"], "oud": before, "nieuw": after,
                        "telling": cell["telling"], "aanwijsbaar": flag})
    return Herpublicatie(tuple(changes), any(c["aanwijsbaar"] for c in changes))


class Republicatie(Exception):
    """Republishing an edition would single out fewer than 10 records and no reason was
    given. `.check` holds the changed cells; `.vorige` the register row compared with."""

    def __init__(self, check: Herpublicatie, vorige: dict, message: str | None = None):
        self.check = check
        self.vorige = vorige
        super().__init__(message or (
            f"Deze factsheet ({vorige['periode']}) is al gepubliceerd op {vorige['gemaakt_op']}. "
            f"Gewijzigde cellen: {check.tekst()}. Een wijziging van minder dan {SINGLE_OUT} registraties "
            "in een cel kan die registraties aanwijzen: publiceer alleen opnieuw met een reden."))


def _last_edition(con, doc: Factsheet, directory: Path) -> tuple[dict, dict | None] | None:
    """The last published register row of this factsheet's year and its archived numbers
    (None when the numbers file is missing); None when the year was never published."""
    rows = [r for r in archive_list(con, "factsheet") if r["periode"] == str(doc.jaar)]
    if not rows:
        return None
    row = rows[0]
    name = next((f["bestand"] for f in row["bestanden"] if f["bestand"].endswith(".json")), None)
    try:
        numbers = json.loads(archive_file(name, directory)) if name else None
    except FileNotFoundError:
        numbers = None
    return row, numbers


def publish(con, doc: Factsheet | Snapshot, files: dict[str, bytes], who: str, role: str,
            directory: Path | None = None, moment: datetime | None = None, *,
            reden: str | None = None) -> dict:
    """Store a factsheet or snapshot in the archive: the files (plus the numbers as JSON)
    under `directory`, and one register row in state.sqlite (`con`). Returns the row.

    `files` maps an extension ("pdf", "png") to its bytes. File names carry the UTC time,
    so nothing is ever overwritten.

    Republishing a factsheet (its year is in the register already) compares the numbers
    with the last published ones: when a change could single out fewer than 10 records,
    `Republicatie` is raised unless `reden` (one of REDENEN) is given. The reason, the
    edition it replaces and the number of changed cells go into the register row
    (`filters`) and are returned."""
    from dijkwacht import state
    if reden is not None and reden not in REDENEN:
        raise ValueError(f"onbekende reden: kies uit {', '.join(REDENEN)}")
    directory = Path(directory or archive_dir())
    extra: dict = {}
    if isinstance(doc, Factsheet):
        last = _last_edition(con, doc, directory)
        if last is not None:
            row, old = last
            if old is None:
                check = Herpublicatie((), True)
                if reden is None:
                    raise Republicatie(check, row, (
                        f"Deze factsheet ({row['periode']}) is al gepubliceerd op {row['gemaakt_op']}, "
                        "maar de cijfers van die editie zijn niet in het archief gevonden: publiceer "
                        "alleen opnieuw met een reden."))
            else:
                check = republication_check(old, doc.numbers())
                if check.aanwijsbaar and reden is None:
                    raise Republicatie(check, row)
            extra = {"herpublicatie_van": row["id"], "gewijzigde_cellen": len(check.wijzigingen)}
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
    filters.update(extra)
    if reden is not None:
        filters["reden"] = reden
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
    return {"id": cur.lastrowid, **row, "filters": filters, "bestanden": stored, "reden": reden}


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
