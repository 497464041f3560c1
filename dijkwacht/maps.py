"""Hotspot maps on the CBS 2020 boundaries (DESIGN §3, §5, §6): plain Python, no Streamlit.

Input: a **map frame** (polars) for one layer at the level drawn, made by the data layer at
that level's own grain (a wijk's figure comes from the wijk's rows, never from a sum of its
buurten's shown cells), with disclosure control already applied:

    code         buurtcode "BU05050101" or wijkcode "WK050501"; null = location unknown
                 (never drawn, named in the notes)
    aantal       Int64, null when hidden
    weergave     what to show: "12", "<5" (1–4) or "x" (hidden to protect another cell)
    aantal_2020  the count in buurten with a CBS 2020 population; differs from aantal only
                 for wijken holding 2024-only buurt codes (no 2020 polygon or population);
                 null when hidden. May be left out at buurt level, where it equals aantal.
    bedrag       optional, not drawn

A polygon without a row has count 0. Nothing here adds buurten up into wijken.

- `choropleth()` draws one frame: a count, per 1.000 inhabitants (from aantal_2020, none
  below MIN_INWONERS) or per km² land (aantal_2020 over CBS `opp_land`). A hidden cell is
  drawn hidden (own fill, its mark in the tooltip) and so is every figure made from it.
- `change()` is "this period minus the comparison period"; hidden when either count is.
- `hotspot_map()` / `hotspots()`: Getis-Ord Gi* on exact buurt counts (or rates), see
  "Getis-Ord Gi*" below for the method.
- `folium_map()` draws any of them with folium, loading only the app's own Leaflet files
  (dijkwacht.assets), so the map works without internet; `png()` draws the same map
  with matplotlib, without a browser: the one static drawing, used by the factsheet and
  the briefing snapshot (dijkwacht.documents.charts) at the width their layout reserves.
"""
from __future__ import annotations

import csv
import html
import io
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from dijkwacht import assets, config, measures
from dijkwacht.formats import number
from dijkwacht.sources import SOURCES

MIN_INWONERS = 150          # DESIGN §3: no rate per 1.000 inhabitants below this

# Gi* is only computed when there is something to find: at least this many registrations
# in total, spread over at least this many buurten. Below that a single case makes a buurt
# and its neighbours look "hot"; the map then shows a plain warning instead of colours.
GISTAR_MIN_TOTAAL = 30
GISTAR_MIN_BUURTEN = 10
# The exact null distribution is counted on a grid of whole numbers: counts are used as
# they are while the sum of the largest neighbourhood's largest values fits in this many
# steps; rates (and very large counts) are scaled onto it (resolution ≤ 1/GRID of that sum).
GISTAR_GRID = 20_000

MATEN = {"aantal": "Aantal", "per_1000": "Per 1.000 inwoners", "per_km2": "Per km² land"}
NIVEAUS = {"buurt": "Buurt", "wijk": "Wijk"}
_PREFIX = {"buurt": "BU", "wijk": "WK"}

# Map layers (measures.LAYERS, from the fact table): the counted sources, named by the
# registry, and the measures taken, which have no source of their own.
LAGEN = {
    **{name: SOURCES[name].counted for name in measures.COUNTED_SOURCES},
    "sluitingen": "Sluitingen",
    "dwangsommen": "Lasten onder dwangsom",
    "waarschuwingen": "Bestuurlijke waarschuwingen",
    "bibob_toetsen": "Bibob-toetsen",
    "bibob_geweigerd": "Bibob: geweigerd of ingetrokken",
}
PROBLEEM = measures.ZAKEN
INTERVENTIE = tuple(layer for layer in measures.LAYERS if layer not in PROBLEEM)
# Enforcement output, not prevalence: what was done, and problems only found by enforcing.
HANDHAVING = tuple(layer for layer in measures.LAYERS if layer in INTERVENTIE
                   or any(m.handhaving and m.maat == layer for m in measures.MEASURES))

# ColorBrewer YlOrRd (counts), RdBu (change, hotspots).
SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
DIVERGING = ("#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b")
NUL = "#f7f7f7"
GEEN_CIJFER = "#bdbdbd"
# Hidden by disclosure control: a light violet grey (in no palette above, unlike "0" and
# "geen cijfer"), hatched where the drawing allows it (PNG; the browser map via a pattern).
VERBORGEN = "#dadaeb"
VERBORGEN_ARCERING = "#8c8cab"
VERBORGEN_LEGENDA = "<5 = 1 tot 4; x = afgeschermd om een andere cel te beschermen"
MARKERINGEN = {"<5": "<5 = 1 tot 4 (afgeschermd)",
               "x": "x = afgeschermd om een andere cel te beschermen"}
HOTSPOT_KLASSEN = {     # class → (colour, legend label)
    "hot99": ("#b2182b", "Hotspot, 99% zeker"),
    "hot95": ("#ef8a62", "Hotspot, 95% zeker"),
    "geen": (NUL, "Geen patroon"),
    "cold95": ("#67a9cf", "Coldspot, 95% zeker"),
    "cold99": ("#2166ac", "Coldspot, 99% zeker"),
}
NIET_GETOETST = (GEEN_CIJFER, f"Niet getoetst: minder dan {MIN_INWONERS} inwoners")
HOTSPOT_UITLEG = (
    "Gi* telt per buurt de registraties in de buurt én de aangrenzende buurten en vergelijkt "
    "dat met het stadsgemiddelde: een hotspot is een groep buurten met samen duidelijk meer "
    "registraties dan toeval verklaart (coldspot: duidelijk minder), na correctie voor het "
    "tegelijk toetsen van alle buurten — het zegt waar het zich concentreert, niet waarom.")
HOTSPOT_PER_1000 = (
    f"Per 1.000 inwoners: buurten met minder dan {MIN_INWONERS} inwoners (haven, "
    "bedrijventerreinen) zijn niet getoetst en tellen niet mee in het gemiddelde.")

PDOK_URL = ("https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/"
            "{z}/{x}/{y}.png")
PDOK_ATTRIBUTIE = "Achtergrond: BRT-Achtergrondkaart, Kaartgegevens &copy; Kadaster (PDOK)"


# --- boundaries --------------------------------------------------------------------------

def wijk_of(buurtcode: str) -> str:
    """CBS codes nest: BU + gemeente (4) + wijk (2) + buurt (2) → WK + gemeente + wijk."""
    return "WK" + buurtcode[2:8]


@lru_cache(maxsize=4)
def _boundaries(buurten_path, wijken_path, niveau: str):
    import geopandas as gpd

    raw = gpd.read_file(buurten_path)
    land = raw[raw["water"] != "JA"]
    buurten = gpd.GeoDataFrame({
        "code": land["bu_code"], "naam": land["bu_naam"], "wijkcode": land["wk_code"],
        "wijknaam": land["wk_naam"],
        "inwoners": pd.to_numeric(land["aant_inw"]).fillna(0).astype(int),
        "opp_land_ha": pd.to_numeric(land["opp_land"]).fillna(0.0),
    }, geometry=land.geometry.values, crs=raw.crs).sort_values("code").reset_index(drop=True)
    if niveau == "buurt":
        return buurten
    # A wijk's inhabitants and land area are sums over its land buurten (reference data,
    # not disclosed cells; CBS rounds buurt inhabitants to 5).
    sums = buurten.groupby("wijkcode")[["inwoners", "opp_land_ha"]].sum()
    wijken = gpd.read_file(wijken_path).set_index("wk_code").loc[sums.index]
    return gpd.GeoDataFrame({
        "code": sums.index, "naam": wijken["wk_naam"].values, "wijkcode": sums.index,
        "wijknaam": wijken["wk_naam"].values, "inwoners": sums["inwoners"].values,
        "opp_land_ha": sums["opp_land_ha"].values,
    }, geometry=wijken.geometry.values, crs=wijken.crs).reset_index(drop=True)


def boundaries(niveau: str = "buurt"):
    """The configured municipality's land buurten (or wijken), WGS84: code, naam, wijkcode,
    wijknaam, inwoners, opp_land_ha, geometry. The water buurt has no data and is left out."""
    g = config.gemeente()
    return _boundaries(g.buurten, g.wijken, niveau).copy()


@lru_cache(maxsize=2)
def _new_code_names(path) -> dict[str, str]:
    """Buurt codes that exist only after 2020 (no 2020 polygon) → their later name."""
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["bu_code"]: r.get("naam_2024") or r["bu_code"] for r in csv.DictReader(fh)
                if r.get("in_2020") == "nee"}


@lru_cache(maxsize=2)
def _queen(buurten_path, wijken_path) -> np.ndarray:
    import shapely

    geoms = _boundaries(buurten_path, wijken_path, "buurt").geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    adjacency = np.zeros((len(geoms), len(geoms)), dtype=bool)
    adjacency[left, right] = True
    np.fill_diagonal(adjacency, False)
    adjacency.setflags(write=False)
    return adjacency


def queen_weights() -> np.ndarray:
    """Queen contiguity between the land buurten (order of boundaries("buurt")), as a
    read-only boolean n×n matrix without the diagonal: two buurten are neighbours when their
    polygons share at least one point (a border or a corner; shapely `intersects`)."""
    g = config.gemeente()
    return _queen(g.buurten, g.wijken)


# --- the input frame -----------------------------------------------------------------------

def _is_mark(label) -> bool:
    """A disclosure mark ("<5", "x", ...) rather than a number written out."""
    return label is not None and not re.fullmatch(r"\d[\d.]*(,\d+)?", str(label).strip())


def _read(frame, niveau: str) -> pd.DataFrame:
    """The map frame as pandas: code, aantal (float, NaN = hidden), aantal_2020, weergave,
    verborgen. Refuses anything but a map frame at this level."""
    import polars as pl

    if not isinstance(frame, pl.DataFrame):
        raise TypeError("a map frame (polars DataFrame: code, aantal, weergave, aantal_2020) "
                        f"is required, not {type(frame).__name__}")
    if niveau not in _PREFIX:
        raise ValueError(f"unknown level {niveau!r}")
    missing = {"code", "aantal", "weergave"} - set(frame.columns)
    if "aantal_2020" not in frame.columns:
        if niveau != "buurt":
            missing.add("aantal_2020")
        frame = frame.with_columns(aantal_2020=pl.col("aantal"))
    if missing:
        raise ValueError(f"map frame lacks {sorted(missing)}")
    frame = frame.with_columns(pl.col("code").cast(pl.String), pl.col("weergave").cast(pl.String))
    codes = frame["code"].drop_nulls()
    wrong = codes.filter(~codes.str.starts_with(_PREFIX[niveau])).to_list()
    if wrong:
        raise ValueError(f"a {niveau} map takes {_PREFIX[niveau]} codes only, got {wrong[:3]}: "
                         "compute the figures at the level drawn, do not hand over other levels")
    if codes.is_duplicated().any():
        raise ValueError(f"duplicate codes in map frame: {codes.filter(codes.is_duplicated()).unique().to_list()}")
    if frame["code"].null_count() > 1:
        raise ValueError("more than one row without a code")
    rows = pd.DataFrame({
        "code": frame["code"].to_list(),
        "aantal": pd.array(frame["aantal"].to_list(), dtype="Float64").to_numpy(float, na_value=np.nan),
        "aantal_2020": pd.array(frame["aantal_2020"].to_list(), dtype="Float64").to_numpy(float, na_value=np.nan),
        "weergave": frame["weergave"].cast(pl.String).to_list(),
    })
    rows["verborgen"] = rows["aantal"].isna() | rows["weergave"].map(_is_mark)
    rows["weergave"] = [w if w is not None else ("x" if np.isnan(a) else number(a))
                        for w, a in zip(rows["weergave"], rows["aantal"])]
    return rows


def _label(row) -> str:
    return row["weergave"] if row["verborgen"] else number(row["aantal"])


def _off_map(rows: pd.DataFrame, on_map: set, niveau: str) -> list[str]:
    """Notes about the rows this map cannot draw: location unknown, and codes without a
    2020 polygon. Hidden cells are named with their mark, never added to anything."""
    notes = []
    off = rows[~rows["code"].isin(on_map) & ~((rows["aantal"] == 0) & ~rows["verborgen"])]

    def amount(part: pd.DataFrame, names: dict) -> str:
        if not part["verborgen"].any():
            return number(part["aantal"].sum())
        return ", ".join(f"{_label(r)} in {names.get(r['code'], r['code'])}" for _, r in part.iterrows())

    unknown = off[off["code"].isna()]
    if len(unknown):
        notes.append(f"{_label(unknown.iloc[0])} zonder bekende buurt (onbekend), niet op de kaart.")
    located = off[off["code"].notna()].sort_values("code")
    if len(located):
        names = _new_code_names(config.gemeente().buurtcodes) if niveau == "buurt" else {}
        new = located[located["code"].isin(names)]
        other = located[~located["code"].isin(names)]
        if len(new):
            text = amount(new, names)
            if new["verborgen"].any():
                notes.append(f"Nieuwe buurtcodes van 2024 zonder grens van 2020, niet op de "
                             f"buurtkaart (wel in hun wijk op de wijkkaart): {text}.")
            else:
                listed = ", ".join(names[c] for c in new["code"])
                notes.append(f"{text} in nieuwe buurtcodes van 2024 zonder grens van 2020 "
                             f"({listed}): niet op de buurtkaart, wel in hun wijk op de wijkkaart.")
        if len(other):
            codes = ", ".join(other["code"])
            notes.append(f"{amount(other, {})} in gebieden zonder grens op deze kaart ({codes}).")
    return notes


def _place(rows: pd.DataFrame, frame) -> pd.DataFrame:
    """The rows on the polygons of `frame` (boundaries order); a polygon without a row has 0."""
    on = rows[rows["code"].isin(set(frame["code"]))].set_index("code")
    present = frame["code"].isin(on.index).to_numpy()
    out = pd.DataFrame(index=frame.index)
    for col in ("aantal", "aantal_2020"):
        out[col] = np.where(present, frame["code"].map(on[col]).to_numpy(float), 0.0)
    out["verborgen"] = frame["code"].map(on["verborgen"]).eq(True).to_numpy()
    out["weergave"] = np.where(present, frame["code"].map(on["weergave"]), "0")
    out.loc[out["verborgen"], ["aantal", "aantal_2020"]] = np.nan
    out.loc[out["aantal_2020"].isna(), "verborgen"] = True      # a hidden part hides the rate
    return out


# --- values ------------------------------------------------------------------------------

@dataclass
class Kaart:
    """What a map shows: one row per polygon and the notes the legend needs."""
    frame: object                 # GeoDataFrame: code, naam, ..., aantal, weergave, waarde, tekst,
                                  # aantal_tekst, kleur, toelichting
    niveau: str
    maat: str
    titel: str
    legenda: list[tuple[str | None, str]]   # (colour, label); colour None: a line of text
    notities: list[str] = field(default_factory=list)
    modus: str = "waarde"                   # waarde | verandering | hotspots | lq
    waarschuwing: str | None = None         # hotspots: too little data, no colours


def _rate(aantal_2020: pd.Series, frame, maat: str) -> tuple[pd.Series, pd.Series]:
    """(value, reason it is missing) per polygon for a rate; NaN count (hidden) → NaN."""
    if maat == "per_1000":
        ok = frame["inwoners"] >= MIN_INWONERS
        value = (1000 * aantal_2020 / frame["inwoners"].where(ok)).where(ok)
        why = pd.Series(np.where(ok, "", f"minder dan {MIN_INWONERS} inwoners: geen cijfer per "
                                      "1.000 inwoners, alleen het aantal"), index=frame.index)
        return value, why
    if maat == "per_km2":
        ok = frame["opp_land_ha"] > 0
        value = (aantal_2020 / (frame["opp_land_ha"] / 100)).where(ok)
        return value, pd.Series(np.where(ok, "", "geen landoppervlak"), index=frame.index)
    raise ValueError(f"unknown measure {maat!r}")


def _fmt(v: float, maat: str) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "–"
    return number(v, 0 if maat == "aantal" else 1)


def _nice(v: float, maat: str) -> float:
    return float(np.ceil(v)) if maat == "aantal" else float(np.ceil(v * 10) / 10)


def _breaks(values: pd.Series, maat: str) -> list[float]:
    """Upper bounds of up to five classes of the positive visible values (quantiles, rounded
    up). Hidden cells and cells without a rate are NaN and take no part."""
    pos = values[values > 0].dropna()
    if pos.empty:
        return []
    qs = [_nice(q, maat) for q in np.quantile(pos, [0.2, 0.4, 0.6, 0.8, 1.0])]
    return sorted(set(qs))


def _classify(values: pd.Series, breaks: list[float], maat: str) -> tuple[pd.Series, list]:
    """Colour per value and the legend rows; 0 has its own colour, a missing value grey."""
    colours = SEQUENTIAL[-len(breaks):] if breaks else ()

    def colour(v):
        if np.isnan(v):
            return GEEN_CIJFER
        if v <= 0:
            return NUL
        return next((c for b, c in zip(breaks, colours) if v <= b), colours[-1])

    legend, low = [(NUL, "0")], 0.0
    # Counts are whole numbers; the lowest class starts at the lowest visible count (5 when
    # 1–4 are hidden as "<5").
    lowest = float(values[values > 0].min()) if breaks else 1.0
    for b, c in zip(breaks, colours):
        start = (low + 1 if low else lowest) if maat == "aantal" else low
        label = _fmt(b, maat) if start >= b else f"{_fmt(start, maat)} – {_fmt(b, maat)}"
        if maat != "aantal" and low == 0:
            label = f"> 0 – {_fmt(b, maat)}"
        legend.append((c, label))
        low = b
    return values.map(colour), legend


def _new_buurten_note(extra: float, maat: str) -> str:
    n = number(extra)
    if maat == "per_1000":
        return f"waarvan {n} in nieuwe buurten (2024) zonder inwonertal: niet in het cijfer per 1.000"
    if maat == "per_km2":
        return f"waarvan {n} in nieuwe buurten (2024) zonder grens van 2020: niet in het cijfer per km²"
    return f"waarvan {n} in nieuwe buurten (2024) zonder grens van 2020"


def _layer(frame_in, niveau: str, maat: str):
    """Boundaries with the frame's counts and the value in the chosen measure:
    (GeoDataFrame with aantal, aantal_2020, weergave, verborgen, waarde, geen_cijfer,
    toelichting; notes about rows off the map)."""
    if maat not in MATEN:
        raise ValueError(f"unknown measure {maat!r}")
    rows = _read(frame_in, niveau)
    frame = boundaries(niveau)
    placed = _place(rows, frame)
    for col in placed.columns:
        frame[col] = placed[col]
    if maat == "aantal":
        value, why = frame["aantal"].astype(float), pd.Series("", index=frame.index)
    else:
        value, why = _rate(frame["aantal_2020"], frame, maat)
    hidden = frame["verborgen"]
    frame["waarde"] = value.where(~hidden)
    frame["geen_cijfer"] = (why != "") & ~hidden
    notes_per_row = []
    for h, w, a, a20, label in zip(hidden, why, frame["aantal"], frame["aantal_2020"], frame["weergave"]):
        parts = []
        if h:
            parts.append(MARKERINGEN.get(label, f"{label}: afgeschermd"))
        else:
            if w:
                parts.append(w)
            if a != a20:
                parts.append(_new_buurten_note(a - a20, maat))
        notes_per_row.append("; ".join(parts))
    frame["toelichting"] = notes_per_row
    frame["aantal_tekst"] = [label if h else number(a)
                             for h, a, label in zip(hidden, frame["aantal"], frame["weergave"])]
    return frame, _off_map(rows, set(frame["code"]), niveau)


def _legend_tail(frame, maat: str, legend: list) -> list:
    if frame["geen_cijfer"].any():
        legend.append((GEEN_CIJFER, f"geen cijfer: minder dan {MIN_INWONERS} inwoners (aantal in tooltip)"
                       if maat == "per_1000" else "geen cijfer"))
    if frame["verborgen"].any():
        legend.append((VERBORGEN, VERBORGEN_LEGENDA))
    return legend


def _enforcement(laag: str, notes: list[str]) -> list[str]:
    if laag in HANDHAVING:
        notes.append("Handhavingsoutput: laat zien waar gezocht en opgetreden is, niet hoe vaak "
                     "het voorkomt.")
    return notes


def choropleth(frame, niveau: str = "buurt", maat: str = "aantal", laag: str = "",
               periode: str = "") -> Kaart:
    """One map frame (see the module docstring) drawn on buurten or wijken — the level the
    frame was computed at — as a count, per 1.000 inhabitants or per km² land."""
    kaart, notes = _layer(frame, niveau, maat)
    value = kaart["waarde"]
    breaks = _breaks(value, maat)
    kaart["kleur"], legend = _classify(value, breaks, maat)
    kaart.loc[kaart["verborgen"], "kleur"] = VERBORGEN
    kaart["tekst"] = [label if h else (f"{label} (aantal)" if np.isnan(v) else _fmt(v, maat))
                      for h, v, label in zip(kaart["verborgen"], value, kaart["aantal_tekst"])]
    titel = f"{LAGEN.get(laag, laag)} · {MATEN[maat].lower()} per {niveau}"
    return Kaart(kaart, niveau, maat, f"{titel}{' · ' + periode if periode else ''}",
                 _legend_tail(kaart, maat, legend), _enforcement(laag, notes))


def change(frame_now, frame_before, niveau: str = "buurt", maat: str = "aantal",
           laag: str = "", periode: str = "", periode_before: str = "") -> Kaart:
    """This period minus the comparison period, in the chosen measure, both frames at the
    level drawn. A cell is hidden when either count is hidden."""
    kaart, notes = _layer(frame_now, niveau, maat)
    before, _ = _layer(frame_before, niveau, maat)
    hidden = kaart["verborgen"] | before["verborgen"].to_numpy()
    kaart["geen_cijfer"] = (kaart["geen_cijfer"] | before["geen_cijfer"].to_numpy()) & ~hidden
    kaart["voorheen"] = before["waarde"].to_numpy()
    diff = (kaart["waarde"] - kaart["voorheen"]).where(~hidden)
    top = diff.abs().max()
    top = _nice(top, maat) if top and not np.isnan(top) else 0.0
    steps = sorted({_nice(top * k / 3, maat) for k in (1, 2, 3)}) if top else []

    def colour(v):
        if np.isnan(v):
            return GEEN_CIJFER
        if v == 0 or not steps:
            return NUL
        i = next((k for k, s in enumerate(steps) if abs(v) <= s + 1e-9), len(steps) - 1)
        i += 3 - len(steps)                       # the darkest colours for the largest steps
        return DIVERGING[3 + i] if v > 0 else DIVERGING[2 - i]

    kaart["waarde"], kaart["kleur"] = diff, diff.map(colour)
    kaart["verborgen"] = hidden
    kaart.loc[hidden, "kleur"] = VERBORGEN
    kaart["tekst"] = ["afgeschermd" if h else ("+" if d > 0 else "") + _fmt(d, maat)
                      if not np.isnan(d) else "–" for h, d in zip(hidden, diff)]
    kaart["aantal_tekst"] = [f"{now} (eerder {was})" for now, was
                             in zip(kaart["aantal_tekst"], before["aantal_tekst"])]
    toelichting = ["; ".join(p for p in (now, f"eerder: {was}" if was else "") if p)
                   for now, was in zip(kaart["toelichting"], before["toelichting"])]
    kaart["toelichting"] = toelichting
    down, up, low = [], [], 0.0
    for k, s in enumerate(steps):
        i = k + 3 - len(steps)
        start = low + 1 if maat == "aantal" else low
        span = _fmt(s, maat) if start >= s else f"{_fmt(start, maat)} – {_fmt(s, maat)}"
        down.insert(0, (DIVERGING[2 - i], f"daling {span}"))
        up.append((DIVERGING[3 + i], f"stijging {span}"))
        low = s
    legend = _legend_tail(kaart, maat, down + [(NUL, "gelijk")] + up)
    titel = f"Verandering {LAGEN.get(laag, laag)} · {MATEN[maat].lower()} per {niveau}"
    if periode:
        titel += f" · {periode} t.o.v. {periode_before}"
    return Kaart(kaart, niveau, maat, titel, legend, _enforcement(laag, notes), modus="verandering")


# --- Getis-Ord Gi* -----------------------------------------------------------------------
#
# Method. Gi* (Getis & Ord 1992; Ord & Getis 1995) with the buurt itself included and binary
# queen weights: w_ij = 1 for i itself and for every buurt sharing a border or corner with
# it, else 0. For buurt i, with W_i = Σ_j w_ij buurten in its neighbourhood and
# neighbourhood sum S_i = Σ_j w_ij x_j, over the n tested buurten with mean x̄ and standard
# deviation s (s² = Σ x_j²/n − x̄²):
#
#     z_i = (S_i − x̄·W_i) / (s · √((n·W_i − W_i²) / (n − 1)))
#
# This is S_i standardised by its exact mean and variance under total randomisation (the
# n values dealt out over the n buurten at random, so that S_i is the sum of W_i values
# drawn without replacement). Its sign says hot (> 0) or cold (< 0).
#
# Significance comes from the same statistic. Referring z to the normal distribution is
# not good enough for counts (skewed, many ties, a handful of large values): shuffling the
# counts of a planted cluster over the buurten, the normal p-values flagged a hotspot after
# FDR in 78 of 200 shuffles. Permutations (esda, 9 999 draws) cannot go below p = 1e-4,
# too coarse for Benjamini–Hochberg at 99 % over 129 buurten (a lone buurt needs
# p ≤ 0.01/129 = 7.8e-5). So the p-value is exact: the share of all C(n, W_i) ways to draw
# W_i of the n values whose sum is at least S_i (at most S_i for z < 0), counted by dynamic
# programming over subset sums by subset size (2 ms for counts, ~20 ms for rates). Two-sided
# p = 2 × that tail (ties count as extreme; at most 1). Counts are used as whole numbers as
# they are; rates per 1.000 inhabitants are rounded onto a grid of GISTAR_GRID steps of the
# largest possible neighbourhood sum, and S_i is taken on the same grid. The smallest p of a
# buurt with k neighbours is about 2/C(n, k+1): every buurt with two or more neighbours can
# reach the 99 % class on its own.
#
# Classes: Benjamini–Hochberg over the tested buurten at 5 % (hot95/cold95) and 1 %
# (hot99/cold99). Measured on Dordrecht's 129 buurten (tests/test_maps.py): a planted cluster
# (a buurt and its queen neighbours) is hot at 99 % (the centre's p ≈ 2e-11); a planted cold
# spot is cold, never hot; of 1 000 random shuffles of the planted counts, 28 flag any buurt
# at 95 % and 4 at 99 % — within the FDR levels (the normal approximation: 78 of 200).
#
# Gi* runs on exact counts (a hidden cell must never enter as 0: the caller hands over the
# exact counts, the map shows only the class and the disclosed mark). The rate version
# (per 1.000 inhabitants) leaves out buurten under MIN_INWONERS: they are not tested, do not
# count in n, x̄ and s, and are nobody's neighbour.

def benjamini_hochberg(p: np.ndarray, alpha: float) -> np.ndarray:
    """Which tests are rejected with the false discovery rate held at alpha."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    m = len(p)
    passed = p[order] <= alpha * np.arange(1, m + 1) / m
    reject = np.zeros(m, dtype=bool)
    if passed.any():
        reject[order[: np.nonzero(passed)[0].max() + 1]] = True
    return reject


def subset_sum_tails(values, sizes, sums) -> tuple[np.ndarray, np.ndarray]:
    """For each (k, s) in zip(sizes, sums): the share of the k-element subsets of the
    non-negative whole numbers `values` whose sum is ≥ s, and the share whose sum is ≤ s."""
    values = np.asarray(values, dtype=np.int64)
    sizes, sums = np.asarray(sizes, dtype=np.int64), np.asarray(sums, dtype=np.int64)
    top_k = int(sizes.max())
    top = int(np.sort(values)[::-1][:top_k].sum())
    ways = np.zeros((top_k + 1, top + 1))      # ways[k, s]: k-subsets with sum s
    ways[0, 0] = 1.0
    for v in values:
        if v <= top:
            ways[1:, v:] += ways[:-1, : top + 1 - v]   # numpy buffers the overlapping views
    upper = np.cumsum(ways[:, ::-1], axis=1)[:, ::-1]
    lower = np.cumsum(ways, axis=1)
    total = lower[:, -1]
    return upper[sizes, sums] / total[sizes], lower[sizes, sums] / total[sizes]


def gi_star(waarden, buren: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and exact two-sided p-values (see the method above) for one value per
    land buurt (boundaries("buurt") order, adjacency `buren`, default queen_weights()).
    NaN marks a buurt that is not tested: its z and p are NaN."""
    y = np.asarray(waarden, dtype=float)
    adjacency = queen_weights() if buren is None else np.asarray(buren, dtype=bool)
    z, p = np.full(len(y), np.nan), np.full(len(y), np.nan)
    tested = ~np.isnan(y)
    x = y[tested]
    n = len(x)
    if n < 3:
        return z, p
    w = adjacency[np.ix_(tested, tested)].astype(np.int64) + np.eye(n, dtype=np.int64)
    size = w.sum(axis=1)
    mean = x.mean()
    sd = math.sqrt(max(float((x ** 2).mean() - mean ** 2), 0.0))
    if sd <= 1e-12 * max(1.0, abs(mean)):          # all values equal: nothing stands out
        z[tested], p[tested] = 0.0, 1.0
        return z, p
    zi = (w @ x - mean * size) / (sd * np.sqrt((n * size - size ** 2) / (n - 1)))
    whole = np.allclose(x, np.round(x)) and x.min() >= 0
    top = np.sort(x)[::-1][: int(size.max())].sum()
    if whole and top <= GISTAR_GRID:
        grid = np.round(x).astype(np.int64)
    else:
        grid = np.round((x - x.min()) * (GISTAR_GRID / max(top - x.min() * size.max(), 1e-12)))
        grid = grid.astype(np.int64)
    upper, lower = subset_sum_tails(grid, size, w @ grid)
    pi = np.where(zi > 0, 2 * upper, np.where(zi < 0, 2 * lower, 1.0))
    z[tested], p[tested] = zi, np.minimum(pi, 1.0)
    return z, p


@dataclass
class Hotspots:
    klasse: pd.Series | None        # per land buurt (boundaries order): hot99 … cold99, geen, niet_getoetst
    z: np.ndarray | None            # Gi* z-scores (NaN: not tested)
    p: np.ndarray | None            # exact two-sided p-values, uncorrected (NaN: not tested)
    waarschuwing: str | None        # set when the counts are too small: show it, no colours


def too_little(registraties: float, buurten: int) -> str | None:
    """The warning when there is too little to find hotspots, with the true numbers."""
    if registraties >= GISTAR_MIN_TOTAAL and buurten >= GISTAR_MIN_BUURTEN:
        return None
    return (f"Te weinig registraties om hotspots te bepalen: {number(registraties)} "
            f"{'registratie' if registraties == 1 else 'registraties'} in {buurten} "
            f"{'buurt' if buurten == 1 else 'buurten'}; nodig: minstens {GISTAR_MIN_TOTAAL} "
            f"in minstens {GISTAR_MIN_BUURTEN} buurten. Kies een langere periode of een andere laag.")


def hotspots(aantal, maat: str = "aantal", inwoners=None,
             omvang: tuple[float, int] | None = None) -> Hotspots:
    """Gi* on exact counts per land buurt (boundaries("buurt") order; a missing count is
    refused, never taken as 0), or with maat "per_1000" on the rate per 1.000 inhabitants
    (`inwoners` per buurt, default the CBS 2020 figures; buurten under MIN_INWONERS are not
    tested). FDR (Benjamini–Hochberg) on the exact two-sided p-values at 5% and 1%.
    `omvang` = (registrations, buurten with any) the too-little-data check is judged on;
    default: from `aantal`."""
    y = np.asarray(aantal, dtype=float)
    if np.isnan(y).any():
        raise ValueError("Gi* needs the exact count of every buurt; a hidden count is no 0")
    total, spread = omvang if omvang is not None else (float(y.sum()), int((y > 0).sum()))
    warning = too_little(total, spread)
    if warning:
        return Hotspots(None, None, None, warning)
    if maat == "per_1000":
        people = np.asarray(boundaries("buurt")["inwoners"] if inwoners is None else inwoners,
                            dtype=float)
        y = np.where(people >= MIN_INWONERS, 1000 * y / np.where(people > 0, people, 1), np.nan)
    elif maat != "aantal":
        raise ValueError(f"Gi* takes counts or rates per 1.000 inhabitants, not {maat!r}")
    z, p = gi_star(y)
    tested = ~np.isnan(p)
    at95, at99 = np.zeros(len(y), bool), np.zeros(len(y), bool)
    at95[tested] = benjamini_hochberg(p[tested], 0.05)
    at99[tested] = benjamini_hochberg(p[tested], 0.01)
    klasse = np.where(at99 & (z > 0), "hot99", np.where(at95 & (z > 0), "hot95",
             np.where(at99 & (z < 0), "cold99", np.where(at95 & (z < 0), "cold95", "geen"))))
    klasse = np.where(tested, klasse, "niet_getoetst")
    return Hotspots(pd.Series(klasse), z, p, None)


def hotspot_map(frame, laag: str = "", periode: str = "", maat: str = "aantal") -> Kaart:
    """Gi* hotspots per buurt from a buurt map frame with the **exact** `aantal` of every
    buurt (nothing null) and the `weergave` the role may see. The map shows only the class
    and that `weergave`, never the exact count."""
    if maat not in ("aantal", "per_1000"):
        raise ValueError(f"Gi* takes counts or rates per 1.000 inhabitants, not {maat!r}")
    rows = _read(frame, "buurt")
    if rows["aantal"].isna().any():
        raise ValueError("hotspot_map needs exact counts (aantal) for every row; the "
                         "disclosed text goes in weergave")
    kaart = boundaries("buurt")
    exact = kaart["code"].map(rows.dropna(subset=["code"]).set_index("code")["aantal"])
    exact = exact.fillna(0.0).to_numpy(float)
    shown = _place(rows.assign(aantal=rows["aantal"].where(~rows["verborgen"]),
                               aantal_2020=rows["aantal"].where(~rows["verborgen"])), kaart)
    for col in shown.columns:           # what the role may see; the exact counts stay here
        kaart[col] = shown[col]
    notes = _off_map(rows.assign(aantal=rows["aantal"].where(~rows["verborgen"])),
                     set(kaart["code"]), "buurt")
    # The check is judged on every registration of the layer (as the city figure counts
    # them), so the warning's numbers are ones the role may see elsewhere.
    located = rows[rows["code"].notna()]
    result = hotspots(exact, maat, kaart["inwoners"].to_numpy(),
                      omvang=(float(rows["aantal"].sum()), int((located["aantal"] > 0).sum())))
    kaart["aantal_tekst"] = [label if h else number(a) for h, a, label
                             in zip(kaart["verborgen"], kaart["aantal"], kaart["weergave"])]
    kaart["toelichting"] = [MARKERINGEN.get(label, f"{label}: afgeschermd") if h else ""
                            for h, label in zip(kaart["verborgen"], kaart["weergave"])]
    if result.waarschuwing:
        kaart["kleur"], kaart["klasse"] = GEEN_CIJFER, "te weinig"
        kaart["tekst"] = "geen uitspraak"
        legend = [(GEEN_CIJFER, "geen uitspraak mogelijk")]
        notes.insert(0, result.waarschuwing)
    else:
        kaart["klasse"] = result.klasse.values
        classes = HOTSPOT_KLASSEN | {"niet_getoetst": NIET_GETOETST}
        kaart["kleur"] = kaart["klasse"].map(lambda k: classes[k][0])
        kaart["tekst"] = kaart["klasse"].map(lambda k: classes[k][1])
        legend = list(HOTSPOT_KLASSEN.values())
        if (kaart["klasse"] == "niet_getoetst").any():
            legend.append(NIET_GETOETST)
            kaart["toelichting"] = [
                "; ".join(p for p in (t, f"minder dan {MIN_INWONERS} inwoners: niet getoetst"
                                      if k == "niet_getoetst" else "") if p)
                for t, k in zip(kaart["toelichting"], kaart["klasse"])]
        notes.insert(0, HOTSPOT_UITLEG)
        if maat == "per_1000":
            notes.insert(1, HOTSPOT_PER_1000)
    if kaart["verborgen"].any():
        legend.append((None, VERBORGEN_LEGENDA))       # marks in the tooltip, no fill
    kaart["waarde"] = np.nan
    titel = f"Hotspots (Gi*) {LAGEN.get(laag, laag)}"
    if maat == "per_1000":
        titel += " · per 1.000 inwoners"
    return Kaart(kaart, "buurt", maat, f"{titel}{' · ' + periode if periode else ''}", legend,
                 _enforcement(laag, notes), modus="hotspots", waarschuwing=result.waarschuwing)


# --- location quotient of a facilitating branche (issue 19) -----------------------------------

# The layer key on the Kaart page (analysts): not a fact-table layer, so not in LAGEN.
BRANCHE_LAAG = "branche_lq"
BRANCHE_LAAG_NAAM = "Faciliterende branche (locatiequotiënt)"
# Classes around 1 (as concentrated as the city): RdBu, red = more concentrated.
LQ_KLASSEN = (
    (0.5, DIVERGING[0], "minder dan 0,5"),
    (0.8, DIVERGING[1], "0,5 tot 0,8"),
    (1.25, DIVERGING[2], "0,8 tot 1,25 (als in de stad)"),
    (2.0, DIVERGING[3], "1,25 tot 2"),
    (4.0, DIVERGING[4], "2 tot 4"),
    (math.inf, DIVERGING[5], "4 of meer"),
)
GEEN_VESTIGINGEN = "#ffffff"


def lq_colour(lq: float | None) -> str:
    """The class colour of a location quotient; no quotient: grey."""
    if lq is None or (isinstance(lq, float) and np.isnan(lq)):
        return GEEN_CIJFER
    return next(colour for upper, colour, _ in LQ_KLASSEN if lq < upper)


def lq_map(frame, niveau: str = "buurt", branche: str = "", peildatum: str = "",
           minimum: int = 5) -> Kaart:
    """The location quotient of one branche group per buurt or wijk, from rows computed at
    that level (dijkwacht/branche_figures.location_quotients, one group): code (gebied), n,
    totaal, lq (null below `minimum` vestigingen of the branche). A polygon without a row
    has no vestigingen at all. Analysts only: these are exact counts."""
    import polars as pl

    if not isinstance(frame, pl.DataFrame) or not {"code", "n", "totaal", "lq"} <= set(frame.columns):
        raise ValueError("lq_map takes a polars frame with code, n, totaal and lq")
    if niveau not in _PREFIX:
        raise ValueError(f"unknown level {niveau!r}")
    # Through Arrow, never polars' to_pandas: see dijkwacht.app.ui.as_pandas (a server-wide deadlock).
    rows = frame.select("code", "n", "totaal", "lq").to_arrow().to_pandas().set_index("code")
    kaart = boundaries(niveau)
    present = kaart["code"].isin(rows.index)
    n = kaart["code"].map(rows["n"]).fillna(0).astype(int)
    totaal = kaart["code"].map(rows["totaal"]).fillna(0).astype(int)
    lq = kaart["code"].map(rows["lq"]).astype(float)
    kaart["aantal"], kaart["totaal"], kaart["waarde"] = n, totaal, lq
    kaart["verborgen"] = False
    kaart["kleur"] = [lq_colour(v) if p else GEEN_VESTIGINGEN for v, p in zip(lq, present)]
    kaart["tekst"] = [number(v, 2) if not np.isnan(v) else "–" for v in lq]
    kaart["aantal_tekst"] = [f"{number(a)} van {number(t)} vestigingen" for a, t in zip(n, totaal)]
    kaart["toelichting"] = [
        "" if not np.isnan(v) else ("geen vestigingen" if not p else
                                    f"minder dan {minimum} vestigingen van de branche: geen LQ")
        for v, p in zip(lq, present)]
    legend = [(colour, label) for _, colour, label in LQ_KLASSEN]
    legend += [(GEEN_CIJFER, f"geen LQ: minder dan {minimum} vestigingen van de branche"),
               (GEEN_VESTIGINGEN, "geen vestigingen")]
    off = rows[~rows.index.isin(set(kaart["code"])) & rows.index.notna()]
    notes = ["LQ: aandeel van de branche onder alle vestigingen in het gebied, gedeeld door dat "
             "aandeel in de hele stad; een concentratie is een signaal, geen bewijs."]
    if len(off):
        notes.append(f"{number(off['n'].sum())} vestigingen van de branche in gebieden zonder grens op "
                     f"deze kaart ({', '.join(off.index)}).")
    titel = f"{branche or BRANCHE_LAAG_NAAM} · locatiequotiënt per {niveau}"
    return Kaart(kaart, niveau, "lq", f"{titel}{' · op ' + peildatum if peildatum else ''}", legend, notes,
                 modus="lq")


# --- grid cells ----------------------------------------------------------------------------

def cell_centres(cells) -> pd.DataFrame:
    """100 m RD New cells (lower-left corner cel_x, cel_y) → their centres in WGS84: lat, lon,
    aantal. Only the cell is known, never the address (DESIGN §6)."""
    from pyproj import Transformer

    frame = cells.to_arrow().to_pandas() if hasattr(cells, "to_arrow") else pd.DataFrame(cells)
    if frame.empty:
        return pd.DataFrame(columns=["lat", "lon", "aantal"])
    to_wgs = Transformer.from_crs(28992, 4326, always_xy=True)
    lon, lat = to_wgs.transform(frame["cel_x"].to_numpy() + 50.0, frame["cel_y"].to_numpy() + 50.0)
    return pd.DataFrame({"lat": lat, "lon": lon, "aantal": frame["aantal"].to_numpy()})


# --- focus areas ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Focus:
    naam: str
    status: str                   # placed | approximate | uncertain
    buurtcodes: tuple[str, ...]

    @property
    def indicatief(self) -> bool:
        return self.status in ("approximate", "uncertain")

    @property
    def label(self) -> str:
        return f"{self.naam} (indicatief)" if self.indicatief else self.naam


def focus_outline(focus: Focus):
    """The focus area's outline (union of its buurten), WGS84."""
    frame = boundaries("buurt")
    return frame[frame["code"].isin(focus.buurtcodes)].geometry.union_all()


# --- interactive map -------------------------------------------------------------------------

_HATCH_CSS = (f"repeating-linear-gradient(45deg,{VERBORGEN} 0 3px,{VERBORGEN_ARCERING} 3px 4px)")


def _swatch(colour: str | None) -> str:
    if colour is None:                  # a row of text (the meaning of the marks)
        return ""
    fill = _HATCH_CSS if colour == VERBORGEN else colour
    return (f'<span style="display:inline-block;width:14px;height:14px;background:{fill};'
            f'border:1px solid #777;margin-right:6px;vertical-align:middle"></span>')


def _legend_html(kaart: Kaart, focus: Focus | None, bron: str) -> str:
    rows = "".join(f'<div style="max-width:280px">{_swatch(c)}{html.escape(label)}</div>'
                   for c, label in kaart.legenda)
    if focus:
        dash = "dashed" if focus.indicatief else "solid"
        rows += (f'<div><span style="display:inline-block;width:14px;height:0;border-top:3px {dash} #111;'
                 f'margin-right:6px;vertical-align:middle"></span>Focusgebied: {html.escape(focus.label)}</div>')
    notes = "".join(f'<div style="margin-top:4px;max-width:280px">{html.escape(n)}</div>'
                    for n in kaart.notities)
    return (f'<div style="font-weight:600;max-width:280px">{html.escape(kaart.titel)}</div>{rows}'
            f'{notes}<div style="margin-top:4px;color:#555">{html.escape(bron)}</div>')


def folium_map(kaart: Kaart, basiskaart: str | None = None, focus: Focus | None = None,
               punten: pd.DataFrame | None = None, hoogte: str = "100%"):
    """The interactive map. Only the app's own Leaflet files are loaded (assets.JS/CSS);
    with basiskaart "geen" the page makes no request outside the app at all."""
    import folium
    from branca.element import MacroElement
    from jinja2 import Template

    g = config.gemeente()
    basiskaart = basiskaart or g.basiskaart
    frame = kaart.frame
    west, south, east, north = frame.total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=12, tiles=None,
                   control_scale=False, zoom_control=False, height=hoogte)
    dutch_controls(m)
    # Instance attributes shadow folium's CDN lists; streamlit-folium reads these too.
    m.default_js, m.default_css = list(assets.JS), list(assets.CSS)
    if basiskaart == "pdok":
        folium.TileLayer(PDOK_URL, attr=PDOK_ATTRIBUTIE, name="BRT-Achtergrondkaart",
                         min_zoom=6, max_zoom=19, control=False).add_to(m)

    # Only what the role may see goes into the page: the shown text, never a hidden count.
    data = frame.assign(
        waarde_tekst=frame["tekst"],
        aantal_tekst=frame["aantal_tekst"],
        toelichting=frame["toelichting"].fillna(""),
        verborgen=frame["kleur"].eq(VERBORGEN),
    )[["code", "naam", "wijknaam", "kleur", "verborgen", "waarde_tekst", "aantal_tekst",
       "toelichting", "geometry"]]
    css_class = f"dw-vlak dw-{kaart.niveau}"
    folium.GeoJson(
        data.to_json(),
        name=NIVEAUS[kaart.niveau],
        style_function=lambda f: {"fillColor": f["properties"]["kleur"], "fillOpacity": 0.75,
                                  "color": "#555", "weight": 0.7,
                                  "className": css_class + (" dw-verborgen" if f["properties"]["verborgen"] else "")},
        highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["naam", "wijknaam", "waarde_tekst", "aantal_tekst", "toelichting"],
            aliases=[NIVEAUS[kaart.niveau], "Wijk",
                     "Gi*-klasse" if kaart.modus == "hotspots" else
                     "Verandering" if kaart.modus == "verandering" else
                     "Locatiequotiënt" if kaart.modus == "lq" else "Waarde",
                     "Aantal", "Let op"], sticky=True),
        control=False,
    ).add_to(m)

    if focus is not None and focus.buurtcodes:
        import geopandas as gpd
        outline = gpd.GeoDataFrame({"naam": [focus.label]}, geometry=[focus_outline(focus)], crs=4326)
        folium.GeoJson(outline.to_json(), name=focus.label, interactive=False, control=False,
                       style_function=lambda f: {"fill": False, "color": "#111", "weight": 3,
                                                 "dashArray": "8 6" if focus.indicatief else None,
                                                 "className": "dw-focus"}).add_to(m)
        point = outline.geometry.iloc[0].representative_point()
        folium.Marker([point.y, point.x], interactive=False, icon=folium.DivIcon(
            html=f'<div class="dw-focuslabel" style="font:600 12px sans-serif;white-space:nowrap;'
                 f'text-shadow:0 0 3px #fff,0 0 3px #fff">{html.escape(focus.label)}</div>',
            icon_size=(1, 1))).add_to(m)

    if punten is not None and len(punten):
        layer = folium.FeatureGroup(name="Kwekerijen (100 m-cellen)", control=False)
        for row in punten.itertuples():
            folium.CircleMarker([row.lat, row.lon], radius=3 + min(int(row.aantal), 5),
                                color="#222", weight=1, fill=True, fill_color="#000",
                                fill_opacity=0.6, class_name="dw-punt",
                                tooltip=f"{int(row.aantal)} kwekerij(en) in deze cel van 100 m").add_to(layer)
        layer.add_to(m)

    extra = MacroElement()
    extra._template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attributie|tojson }});
        (function () {
            var legenda = L.control({position: "bottomright"});
            legenda.onAdd = function () {
                var div = L.DomUtil.create("div", "dw-legenda leaflet-control");
                div.style.cssText = "background:rgba(255,255,255,.92);padding:8px 10px;"
                    + "font:12px/1.4 sans-serif;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)";
                div.innerHTML = {{ this.legenda|tojson }};
                return div;
            };
            legenda.addTo({{ this._parent.get_name() }});
            // Hidden cells: hatch their own fill colour (a pattern in Leaflet's SVG; CSS
            // outranks the fill attribute Leaflet sets, also after a hover).
            var svg = {{ this._parent.get_name() }}.getPanes().overlayPane.querySelector("svg");
            if (svg && !svg.querySelector("#dw-arcering")) {
                svg.insertAdjacentHTML("afterbegin", {{ this.patroon|tojson }});
                var css = document.createElement("style");
                css.textContent = "path.dw-verborgen{fill:url(#dw-arcering)}";
                document.head.appendChild(css);
            }
        })();
        {% endmacro %}""")
    extra.attributie = g.bronvermelding
    extra.legenda = _legend_html(kaart, focus, g.bronvermelding)
    extra.patroon = (f'<defs><pattern id="dw-arcering" patternUnits="userSpaceOnUse" width="6" '
                     f'height="6" patternTransform="rotate(45)"><rect width="6" height="6" '
                     f'fill="{VERBORGEN}"/><rect width="1.5" height="6" fill="{VERBORGEN_ARCERING}"/>'
                     f'</pattern></defs>')
    m.add_child(extra)
    m.fit_bounds([[south, west], [north, east]])
    return m


def dutch_controls(m):
    """Leaflet's own controls, Dutch or metric, for every folium map: the scale bar in metres
    and kilometres only (folium's `control_scale=True` is `L.control.scale()`, which also
    draws an imperial bar, "1 mi"), and the zoom buttons titled "Inzoomen"/"Uitzoomen"
    instead of "Zoom in"/"Zoom out". Call it on a map made with control_scale=False and
    zoom_control=False. No position is given (given one, folium 0.20's Control also passes
    the list of position names as constructor arguments); Leaflet's defaults, scale bottom
    left and zoom top left, are the ones we want."""
    from folium.features import Control
    Control("Zoom", zoomInTitle="Inzoomen", zoomOutTitle="Uitzoomen").add_to(m)
    Control("Scale", imperial=False, metric=True).add_to(m)
    return m


def html_page(m) -> str:
    """The map as a standalone HTML page (tests, bench)."""
    return m.get_root().render()


# --- static image ---------------------------------------------------------------------------
# The one matplotlib drawing of a map: the factsheet, the briefing snapshot and anything else
# that needs a map without a browser call `png()`, so a hidden cell, a legend or a note looks
# the same in every document. Fonts are given in points, so the text keeps its size at any
# `breedte_cm`; the documents draw it at the width their layout reserves.

_INK, _MUTED = "#1F2933", "#5F6B76"   # the documents' text colours (dijkwacht.documents.charts)
_ASPECT = 3.5 / 3.4                   # height / width: the map on top, legend and notes below
_FONT_PT = 6                          # legend and notes
_CHAR_PT = _FONT_PT * 0.56            # an average DejaVu Sans character, to wrap lines by width


def _dark(colour: str) -> bool:
    """Whether white text reads better than dark text on `colour` (relative luminance)."""
    from matplotlib.colors import to_rgb

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.3


def png(kaart: Kaart, focus: Focus | None = None, breedte_cm: float = 16, dpi: int = 150, *,
        titel: str | None = None, bron: str | None = None) -> bytes:
    """The map as a PNG, drawn by matplotlib in RD New (true proportions), no browser: the
    map on top, the legend (two columns) and the notes below it. Hidden cells are hatched,
    as in the browser map; on a wijk map each wijk carries its number. `titel` replaces the
    map's own title, `bron` adds a line above the attribution. Deterministic bytes (no
    software stamp), so a document that embeds the map is reproducible too."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rd = kaart.frame.to_crs(28992)
    width = breedte_cm / 2.54
    fig = Figure(figsize=(width, width * _ASPECT))
    ax = fig.add_axes((0.0, 0.30, 1.0, 0.62))
    # Wijken carry numbers on a class fill: white borders keep them apart. Buurt maps are
    # mostly the pale "0" (or "geen patroon"): they need a dark border to show the buurten.
    wijk = kaart.niveau == "wijk"
    edge, line = ("white", 0.6) if wijk else ("#555", 0.3)
    rd.plot(ax=ax, color=rd["kleur"], edgecolor=edge, linewidth=line)
    hidden = rd[rd["kleur"] == VERBORGEN]
    if len(hidden):                         # hatched, as in the browser map
        hidden.plot(ax=ax, facecolor=VERBORGEN, edgecolor=VERBORGEN_ARCERING, hatch="////",
                    linewidth=0)
        hidden.boundary.plot(ax=ax, color=edge, linewidth=line)
    if wijk:                                # "01" … "98": the tables name the wijken by number
        for _, shape in rd.iterrows():
            p = shape.geometry.representative_point()
            ax.text(p.x, p.y, str(shape["code"])[-2:], fontsize=5.5, ha="center", va="center",
                    color="white" if _dark(shape["kleur"]) else _INK)
    column = int((width * 72 / 2 - 18) / _CHAR_PT)      # 18 pt: the swatch and the gaps
    handles = [Patch(facecolor=c, edgecolor=VERBORGEN_ARCERING if c == VERBORGEN else "#777",
                     hatch="////" if c == VERBORGEN else None, linewidth=0.5, label=_wrap(label, column))
               if c is not None else         # a line of text (the meaning of the marks)
               Patch(facecolor="none", edgecolor="none", label=_wrap(label, column))
               for c, label in kaart.legenda]
    if focus is not None and focus.buurtcodes:
        outline = rd[rd["code"].isin(focus.buurtcodes) if kaart.niveau == "buurt"
                     else rd["code"].isin({wijk_of(c) for c in focus.buurtcodes})]
        outline.dissolve().boundary.plot(ax=ax, color="#111", linewidth=1.6,
                                         linestyle="--" if focus.indicatief else "-")
        # Short dashes in the legend: its swatch is too short to show the map's "--".
        handles.append(Line2D([], [], color="#111", linewidth=1.6,
                              **({"dashes": (1.2, 0.8)} if focus.indicatief else {}),
                              label=_wrap(f"Focusgebied: {focus.label}", column)))
    ax.set_axis_off()
    ax.set_aspect("equal")
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, 0.30), ncols=2,
               fontsize=_FONT_PT, handlelength=1.2, columnspacing=1.0, borderaxespad=0,
               frameon=False)
    fig.text(0.01, 0.985, kaart.titel if titel is None else titel, fontsize=9, weight="bold",
             color=_INK, ha="left", va="top")
    attribution = config.gemeente().bronvermelding
    lines = [*kaart.notities, *([bron] if bron else []),
             f"Wijknummers op de kaart; {attribution}" if wijk else attribution]
    line_chars = int((width * 72 - 6) / _CHAR_PT)
    fig.text(0.01, 0.01, "\n".join(_wrap(n, line_chars) for n in lines), fontsize=_FONT_PT,
             color=_MUTED, ha="left", va="bottom")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return buffer.getvalue()


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width))


def assets_in(page_html: str) -> list[str]:
    """Every script and stylesheet URL a rendered page loads (for the offline tests)."""
    import re
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page_html)

