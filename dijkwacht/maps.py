"""Hotspot maps on the CBS 2020 boundaries (DESIGN §3, §5): plain Python, no Streamlit.

- `choropleth()` turns counts per buurt code into a value per buurt or wijk: a count, per
  1.000 inhabitants (none below MIN_INWONERS: the count is shown and the reason given) or per
  km² of land (CBS `opp_land`). 2024-only codes (no 2020 polygon) count in their wijk.
- `change()` is the same for "this period minus the comparison period".
- `hotspots()` is Getis-Ord Gi* with a false-discovery-rate correction.
- `folium_map()` draws any of them with folium, loading only the app's own Leaflet files
  (dijkwacht.assets), so the map works without internet; `png()` draws the same map
  with matplotlib, without a browser, for the briefing snapshot and the factsheet.
"""
from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from dijkwacht import assets, config
from dijkwacht.formats import number

MIN_INWONERS = 150          # DESIGN §3: no rate per 1.000 inhabitants below this

# Gi* is only computed when there is something to find: at least this many registrations
# in total, spread over at least this many buurten. Below that a single case makes a buurt
# and its neighbours look "hot"; the map then shows a plain warning instead of colours.
GISTAR_MIN_TOTAAL = 30
GISTAR_MIN_BUURTEN = 10
GISTAR_PERMUTATIONS = 9999  # min. two-sided p = 0.0002, small enough to survive FDR at 99%
GISTAR_SEED = 505           # fixed: the same data gives the same hotspots on every rerun

MATEN = {"aantal": "Aantal", "per_1000": "Per 1.000 inwoners", "per_km2": "Per km² land"}
NIVEAUS = {"buurt": "Buurt", "wijk": "Wijk"}

# Map layers: the sources and the measures taken (dijkwacht/sql/kaart_tellingen.sql).
LAGEN = {
    "hennepkwekerijen": "Ontmantelde hennepkwekerijen",
    "verdachte_transacties": "Verdachte transacties",
    "signalen": "Signalen meldpunt",
    "controles": "Controles en Bibob-toetsen",
    "sluitingen": "Sluitingen",
    "dwangsommen": "Lasten onder dwangsom",
    "waarschuwingen": "Bestuurlijke waarschuwingen",
    "bibob_toetsen": "Bibob-toetsen",
    "bibob_geweigerd": "Bibob: geweigerd of ingetrokken",
}
PROBLEEM = ("hennepkwekerijen", "verdachte_transacties", "signalen")
INTERVENTIE = ("controles", "sluitingen", "dwangsommen", "waarschuwingen", "bibob_toetsen",
               "bibob_geweigerd")
HANDHAVING = ("hennepkwekerijen",) + INTERVENTIE     # enforcement output, not prevalence

# ColorBrewer YlOrRd (counts), RdBu (change, hotspots).
SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
DIVERGING = ("#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b")
NUL = "#f7f7f7"
GEEN_CIJFER = "#bdbdbd"
HOTSPOT_KLASSEN = {     # class → (colour, legend label)
    "hot99": ("#b2182b", "Hotspot, 99% zeker"),
    "hot95": ("#ef8a62", "Hotspot, 95% zeker"),
    "geen": (NUL, "Geen patroon"),
    "cold95": ("#67a9cf", "Coldspot, 95% zeker"),
    "cold99": ("#2166ac", "Coldspot, 99% zeker"),
}
HOTSPOT_UITLEG = (
    "Gi* telt per buurt de registraties in de buurt én de aangrenzende buurten en vergelijkt "
    "dat met het stadsgemiddelde: een hotspot is een groep buurten met samen duidelijk meer "
    "registraties dan toeval verklaart (coldspot: duidelijk minder), na correctie voor het "
    "tegelijk toetsen van alle buurten — het zegt waar het zich concentreert, niet waarom.")

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
    # Wijk figures are sums over its land buurten (CBS rounds buurt counts to 5).
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
def _queen(buurten_path, wijken_path):
    from libpysal.weights import Queen
    return Queen.from_dataframe(_boundaries(buurten_path, wijken_path, "buurt"), use_index=False)


def queen_weights():
    """Queen contiguity between the land buurten (order of boundaries("buurt"))."""
    g = config.gemeente()
    return _queen(g.buurten, g.wijken)


# --- values ------------------------------------------------------------------------------

@dataclass
class Kaart:
    """What a map shows: one row per polygon and the notes the legend needs."""
    frame: object                 # GeoDataFrame: code, naam, ..., aantal, waarde, tekst, kleur, toelichting
    niveau: str
    maat: str
    titel: str
    legenda: list[tuple[str, str]]          # (colour, label)
    notities: list[str] = field(default_factory=list)
    modus: str = "waarde"                   # waarde | verandering | hotspots


def _count_map(counts) -> dict:
    """{buurtcode or None: count}; a str count (disclosure control, "<5") is kept as text."""
    if hasattr(counts, "iter_rows"):
        # Disclosure control hides a count as null with its text ("<5", "x") beside it.
        counts = {r["buurtcode"]: (r["aantal"] if r["aantal"] is not None
                                   else r.get("aantal_weergave") or "<5")
                  for r in counts.iter_rows(named=True)}
    return dict(counts)


def _per_area(counts: dict, niveau: str, frame) -> tuple[pd.Series, list[str], dict]:
    """Counts per polygon code, the notes about rows that are not on this map, and the text
    of suppressed cells."""
    per, text, notes = {}, {}, []
    unknown = outside = 0
    codes = set(frame["code"])
    for code, n in counts.items():
        if isinstance(n, str):             # suppressed upstream: show as given, no colour
            if code is not None:
                text[code if niveau == "buurt" else wijk_of(code)] = n
            continue
        if code is None:
            unknown += n
            continue
        key = code if niveau == "buurt" else wijk_of(code)
        if key in codes:
            per[key] = per.get(key, 0) + n
        elif niveau == "buurt":
            outside += n
    if unknown:
        notes.append(f"{number(unknown)} zonder bekende buurt (onbekend), niet op de kaart.")
    if outside:
        notes.append(f"{number(outside)} in nieuwe buurtcodes van 2024 (Amstelwijck) zonder grens "
                     "van 2020: zij tellen mee op de wijkkaart.")
    return frame["code"].map(per).fillna(0).astype(float), notes, text


def _rate(aantal: pd.Series, frame, maat: str) -> tuple[pd.Series, pd.Series]:
    """(value, reason it is missing) per polygon for the chosen measure."""
    if maat == "per_1000":
        ok = frame["inwoners"] >= MIN_INWONERS
        value = (1000 * aantal / frame["inwoners"].where(ok)).where(ok)
        why = pd.Series(np.where(ok, "", f"minder dan {MIN_INWONERS} inwoners: geen cijfer per "
                                      "1.000 inwoners, alleen het aantal"), index=frame.index)
        return value, why
    if maat == "per_km2":
        ok = frame["opp_land_ha"] > 0
        value = (aantal / (frame["opp_land_ha"] / 100)).where(ok)
        return value, pd.Series(np.where(ok, "", "geen landoppervlak"), index=frame.index)
    return aantal.astype(float), pd.Series("", index=frame.index)


def _fmt(v: float, maat: str) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "–"
    return number(v, 0 if maat == "aantal" else 1)


def _nice(v: float, maat: str) -> float:
    return float(np.ceil(v)) if maat == "aantal" else float(np.ceil(v * 10) / 10)


def _breaks(values: pd.Series, maat: str) -> list[float]:
    """Upper bounds of up to five classes of the positive values (quantiles, rounded up)."""
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
    for b, c in zip(breaks, colours):
        start = low + 1 if maat == "aantal" else low     # counts are whole numbers
        label = _fmt(b, maat) if start >= b else f"{_fmt(start, maat)} – {_fmt(b, maat)}"
        if maat != "aantal" and low == 0:
            label = f"> 0 – {_fmt(b, maat)}"
        legend.append((c, label))
        low = b
    return values.map(colour), legend


def choropleth(counts, niveau: str = "buurt", maat: str = "aantal", laag: str = "",
               periode: str = "") -> Kaart:
    """Counts per buurt code (dict or frame with buurtcode, aantal) on buurten or wijken."""
    frame = boundaries(niveau)
    aantal, notes, suppressed = _per_area(_count_map(counts), niveau, frame)
    value, why = _rate(aantal, frame, maat)
    for code in suppressed:                       # suppressed cells: no value, no colour
        value[frame["code"] == code] = np.nan
    frame["aantal"], frame["waarde"], frame["toelichting"] = aantal, value, why
    frame.loc[frame["code"].isin(suppressed), "toelichting"] = "klein aantal, afgeschermd"
    breaks = _breaks(value, maat)
    frame["kleur"], legend = _classify(value, breaks, maat)
    frame["tekst"] = [suppressed.get(c) or (_fmt(v, maat) if not np.isnan(v) else f"{_fmt(a, 'aantal')} (aantal)")
                      for c, v, a in zip(frame["code"], value, aantal)]
    if (why != "").any() and maat == "per_1000":
        legend.append((GEEN_CIJFER, f"geen cijfer: minder dan {MIN_INWONERS} inwoners (aantal in tooltip)"))
    elif value.isna().any():
        legend.append((GEEN_CIJFER, "geen cijfer"))
    titel = f"{LAGEN.get(laag, laag)} · {MATEN[maat].lower()} per {niveau}"
    if laag in HANDHAVING:
        notes.append("Handhavingsoutput: laat zien waar gezocht en opgetreden is, niet hoe vaak "
                     "het voorkomt.")
    return Kaart(frame, niveau, maat, f"{titel}{' · ' + periode if periode else ''}", legend, notes)


def change(counts_now, counts_before, niveau: str = "buurt", maat: str = "aantal",
           laag: str = "", periode: str = "", vergelijking: str = "") -> Kaart:
    """This period minus the comparison period, in the chosen measure."""
    now = choropleth(counts_now, niveau, maat, laag)
    before = choropleth(counts_before, niveau, maat, laag)
    frame = now.frame
    diff = frame["waarde"] - before.frame["waarde"].values
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

    frame["voorheen"] = before.frame["waarde"].values
    frame["waarde"], frame["kleur"] = diff, diff.map(colour)
    frame["tekst"] = [("+" if d > 0 else "") + _fmt(d, maat) if not np.isnan(d) else "–" for d in diff]
    down, up, low = [], [], 0.0
    for k, s in enumerate(steps):
        i = k + 3 - len(steps)
        start = low + 1 if maat == "aantal" else low
        span = _fmt(s, maat) if start >= s else f"{_fmt(start, maat)} – {_fmt(s, maat)}"
        down.insert(0, (DIVERGING[2 - i], f"daling {span}"))
        up.append((DIVERGING[3 + i], f"stijging {span}"))
        low = s
    legend = down + [(NUL, "gelijk")] + up
    if frame["waarde"].isna().any():
        legend.append((GEEN_CIJFER, "geen cijfer (minder dan 150 inwoners of afgeschermd)"))
    titel = f"Verandering {LAGEN.get(laag, laag)} · {MATEN[maat].lower()} per {niveau}"
    if periode:
        titel += f" · {periode} t.o.v. {vergelijking}"
    return Kaart(frame, niveau, maat, titel, legend, now.notities, modus="verandering")


# --- Getis-Ord Gi* -----------------------------------------------------------------------

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


def two_sided_p(observed: np.ndarray, simulated: np.ndarray) -> np.ndarray:
    """Two-sided permutation p-values, ties counted on both sides.

    esda's p_sim folds to the smaller tail but counts only strictly smaller draws on the
    low side; with counts (many ties, e.g. a buurt and its neighbours all zero) that gives
    p = 1/(P+1) for unremarkable cold spots, and FDR then flags random fields. Here a draw
    equal to the observed value counts as at least as extreme on either side."""
    sims = simulated.reshape(len(observed), -1)
    n = sims.shape[1]
    upper = ((sims >= observed[:, None] - 1e-12).sum(axis=1) + 1) / (n + 1)
    lower = ((sims <= observed[:, None] + 1e-12).sum(axis=1) + 1) / (n + 1)
    return np.minimum(1.0, 2 * np.minimum(upper, lower))


@dataclass
class Hotspots:
    klasse: pd.Series | None        # per land buurt (boundaries order): hot99 … cold99
    z: np.ndarray | None
    p: np.ndarray | None            # two-sided permutation p-values (uncorrected)
    waarschuwing: str | None        # set when the counts are too small: show it, no colours


def hotspots(aantal, seed: int = GISTAR_SEED, permutations: int = GISTAR_PERMUTATIONS) -> Hotspots:
    """Gi* (esda.G_Local, star=True, binary queen weights, seeded conditional permutations)
    on counts per land buurt, in boundaries("buurt") order; FDR (Benjamini–Hochberg) on the
    two-sided p-values at 5% and 1%."""
    from esda import G_Local

    y = np.asarray(aantal, dtype=float)
    total, spread = np.nansum(y), int((y > 0).sum())
    if total < GISTAR_MIN_TOTAAL or spread < GISTAR_MIN_BUURTEN:
        return Hotspots(None, None, None,
                        f"Te weinig registraties om hotspots te bepalen ({number(total)} in "
                        f"{spread} buurten; nodig: minstens {GISTAR_MIN_TOTAAL} in minstens "
                        f"{GISTAR_MIN_BUURTEN} buurten). Kies een langere periode of een andere laag.")
    g = G_Local(y, queen_weights(), transform="B", permutations=permutations, star=True,
                seed=seed, n_jobs=1, keep_simulations=True)
    z = np.asarray(g.Zs)
    p = two_sided_p(np.asarray(g.Gs), np.asarray(g.rGs))
    at95, at99 = benjamini_hochberg(p, 0.05), benjamini_hochberg(p, 0.01)
    klasse = np.where(at99 & (z > 0), "hot99", np.where(at95 & (z > 0), "hot95",
             np.where(at99 & (z < 0), "cold99", np.where(at95 & (z < 0), "cold95", "geen"))))
    return Hotspots(pd.Series(klasse), z, p, None)


def hotspot_map(counts, laag: str = "", periode: str = "") -> Kaart:
    base = choropleth(counts, "buurt", "aantal", laag, periode)
    frame = base.frame
    result = hotspots(frame["aantal"].to_numpy())
    notes = list(base.notities)
    if result.waarschuwing:
        frame["kleur"], frame["klasse"] = GEEN_CIJFER, "te weinig"
        legend = [(GEEN_CIJFER, "geen uitspraak mogelijk")]
        notes.insert(0, result.waarschuwing)
    else:
        frame["klasse"] = result.klasse.values
        frame["kleur"] = frame["klasse"].map(lambda k: HOTSPOT_KLASSEN[k][0])
        labels = dict((k, v[1]) for k, v in HOTSPOT_KLASSEN.items())
        frame["tekst"] = [f"{labels[k]} ({_fmt(a, 'aantal')})" for k, a in zip(frame["klasse"], frame["aantal"])]
        legend = list(HOTSPOT_KLASSEN.values())
        notes.insert(0, HOTSPOT_UITLEG)
    return Kaart(frame, "buurt", "aantal", f"Hotspots (Gi*) {LAGEN.get(laag, laag)}"
                 f"{' · ' + periode if periode else ''}", legend, notes, modus="hotspots")


# --- grid cells ----------------------------------------------------------------------------

def cell_centres(cells) -> pd.DataFrame:
    """100 m RD New cells (lower-left corner cel_x, cel_y) → their centres in WGS84: lat, lon,
    aantal. Only the cell is known, never the address (DESIGN §6)."""
    from pyproj import Transformer

    frame = cells.to_pandas() if hasattr(cells, "to_pandas") else pd.DataFrame(cells)
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

def _legend_html(kaart: Kaart, focus: Focus | None, bron: str) -> str:
    rows = "".join(f'<div><span style="display:inline-block;width:14px;height:14px;'
                   f'background:{c};border:1px solid #777;margin-right:6px;vertical-align:middle">'
                   f'</span>{html.escape(label)}</div>' for c, label in kaart.legenda)
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
                   control_scale=True, height=hoogte)
    # Instance attributes shadow folium's CDN lists; streamlit-folium reads these too.
    m.default_js, m.default_css = list(assets.JS), list(assets.CSS)
    if basiskaart == "pdok":
        folium.TileLayer(PDOK_URL, attr=PDOK_ATTRIBUTIE, name="BRT-Achtergrondkaart",
                         min_zoom=6, max_zoom=19, control=False).add_to(m)

    data = frame.assign(
        waarde_tekst=frame["tekst"],
        aantal_tekst=[_fmt(a, "aantal") for a in frame["aantal"]],
        toelichting=frame["toelichting"].fillna(""),
    )[["code", "naam", "wijknaam", "kleur", "waarde_tekst", "aantal_tekst", "toelichting", "geometry"]]
    css_class = f"dw-vlak dw-{kaart.niveau}"
    folium.GeoJson(
        data.to_json(),
        name=NIVEAUS[kaart.niveau],
        style_function=lambda f: {"fillColor": f["properties"]["kleur"], "fillOpacity": 0.75,
                                  "color": "#555", "weight": 0.7, "className": css_class},
        highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["naam", "wijknaam", "waarde_tekst", "aantal_tekst", "toelichting"],
            aliases=[NIVEAUS[kaart.niveau], "Wijk", "Waarde", "Aantal", "Let op"], sticky=True),
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
                div.style.cssText = "background:rgba(255,255,255,.92);padding:8px 10px;font:12px/1.4 sans-serif;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)";
                div.innerHTML = {{ this.legenda|tojson }};
                return div;
            };
            legenda.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}""")
    extra.attributie = g.bronvermelding
    extra.legenda = _legend_html(kaart, focus, g.bronvermelding)
    m.add_child(extra)
    m.fit_bounds([[south, west], [north, east]])
    return m


def html_page(m) -> str:
    """The map as a standalone HTML page (tests, bench)."""
    return m.get_root().render()


# --- static image ---------------------------------------------------------------------------

def png(kaart: Kaart, focus: Focus | None = None, breedte_cm: float = 16, dpi: int = 150) -> bytes:
    """The same map as a PNG, drawn by matplotlib in RD New (true proportions), no browser."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D

    rd = kaart.frame.to_crs(28992)
    width = breedte_cm / 2.54
    fig = Figure(figsize=(width, width * 0.8), dpi=dpi)
    ax = fig.add_axes([0, 0.04, 0.68, 0.88])
    rd.plot(ax=ax, color=rd["kleur"], edgecolor="#555", linewidth=0.3)
    handles = [Patch(facecolor=c, edgecolor="#777", label=label) for c, label in kaart.legenda]
    if focus is not None and focus.buurtcodes:
        outline = rd[rd["code"].isin(focus.buurtcodes) if kaart.niveau == "buurt"
                     else rd["code"].isin({wijk_of(c) for c in focus.buurtcodes})]
        outline.dissolve().boundary.plot(ax=ax, color="#111", linewidth=1.6,
                                         linestyle="--" if focus.indicatief else "-")
        handles.append(Line2D([], [], color="#111", linestyle="--" if focus.indicatief else "-",
                              label=f"Focusgebied: {focus.label}"))
    ax.set_axis_off()
    ax.set_aspect("equal")
    fig.text(0.01, 0.965, kaart.titel, fontsize=9, weight="bold", va="top")
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.92), fontsize=7,
               frameon=False)
    notes = "\n".join(_wrap(n, 48) for n in kaart.notities)
    fig.text(0.69, 0.08, notes, fontsize=6, va="bottom", color="#333")
    fig.text(0.01, 0.01, config.gemeente().bronvermelding, fontsize=6, color="#555")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width))


def assets_in(page_html: str) -> list[str]:
    """Every script and stylesheet URL a rendered page loads (for the offline tests)."""
    import re
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page_html)

