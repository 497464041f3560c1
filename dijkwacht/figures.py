"""The figures pages show, at the grain they are shown, for one role.

Every number comes from the measure registry (dijkwacht/measures.py) over the fact table;
a wijk's figure is computed from the wijk's rows, never summed from shown buurt cells.
Analysts and the beheerder see exact figures. The `bestuur` role sees city figures exactly
and every figure below the city through `lattice.Protected`, the one protection of all the
cells it can ask for: the same cell has the same value or mark ("<5", "x") on the Briefing,
the map, the trends, the profile and the snapshot.

Pure Python (no Streamlit): dijkwacht/app/data.py checks the role, caches and calls this.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from dijkwacht import lattice, measures
from dijkwacht.filters import Period, parse_area
from dijkwacht.lattice import SECRET
from dijkwacht.sources import SOURCES

# The problem and enforcement layers of the Briefing's wijk table and the map.
# The Briefing's per-wijk table and Trends: the event sources counted per place.
TABLE_LAYERS = measures.COUNTED_SOURCES
SERIES_SOURCES = measures.COUNTED_SOURCES
MAP_LAYERS = tuple(measures.LAYERS)
GRAIN_UNIT = {"maand": "1mo", "kwartaal": "3mo", "jaar": "1y"}
GRAIN_LAG = {"maand": 12, "kwartaal": 4, "jaar": 1}


class NotForRole(ValueError):
    """A figure this role may not ask for (bestuur: below the city only whole quarters, years
    or the last four quarters, and no themes)."""


def lattice_area(gebied: str) -> str:
    """The lattice node of an area filter ('wijk:WK…' → 'wijk:WK…', 'stad' → 'stad')."""
    area = parse_area(gebied)
    return lattice.CITY if area is None else f"{area[0]}:{area[1]}"


def shift_year(d: date, years: int = -1) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


@dataclass
class Figures:
    """`db`: the served database (.query); `protected`: the bestuur protection, None for
    exact figures; `first`: each source's first record date (bronstand.eerste_datum)."""
    db: object
    stand_per: date
    protected: lattice.Protected | None = None
    first: dict | None = None

    @property
    def exact(self) -> bool:
        return self.protected is None

    # --- one area, one period: the indicator set ------------------------------------------

    def node(self, period: Period) -> str:
        """The lattice period node of a period (bestuur below the city)."""
        node = self.protected.periods.node_for(period.van, period.tot)
        if node is None:
            raise NotForRole("Deze periode is voor uw rol alleen voor de hele stad beschikbaar: "
                             "kies een kwartaal, een jaar of de laatste 12 maanden.")
        return node

    def indicators(self, period: Period, gebied: str, buurten: tuple[str, ...] | None,
                   thema: str | None = None) -> dict:
        """Every measure for the period and area: a number, or the mark of a hidden figure."""
        exact = measures.values(self.db, period.van, period.tot, buurten, thema)
        if self.exact or buurten is None:
            return exact
        if thema not in (None, "alle"):
            raise NotForRole("Thema's zijn voor uw rol alleen voor de hele stad beschikbaar.")
        node, area = self.node(period), lattice_area(gebied)
        shown: dict = {}
        derived = []
        for m in measures.MEASURES:
            value = exact[m.code]
            if value is None:
                shown[m.code] = None
            elif m.soort == measures.TELLING and m.maat in measures.LAYERS:
                cell, label = self.protected.cell(lattice.layer_id(m.maat, None), area, node)
                shown[m.code] = label if cell is None else cell
            elif m.telling:      # a count outside the linked tables: primary rule only
                shown[m.code] = lattice.SMALL if 1 <= value < lattice.THRESHOLD else value
            else:
                derived.append(m)
        # One rule for derived figures, screen and documents alike: an amount, mean or share
        # is shown only when every count it follows is shown.
        for m in derived:
            follows = [shown.get(c) for c in m.volgt]
            visible = follows and all(isinstance(v, (int, float)) for v in follows)
            shown[m.code] = exact[m.code] if visible else SECRET
        return shown

    # --- the wijk table of the Briefing ------------------------------------------------------

    def wijk_table(self, period: Period, compare: Period) -> pl.DataFrame:
        """Per wijk (and "onbekend") and layer: nu, eerder, their labels; plus zaken (grow
        sites + transactions + signals) when all three are shown."""
        frames = [self.area_frame(p, "wijk", TABLE_LAYERS).select(
                      "laag", "code", pl.col("aantal").alias(col), pl.col("weergave").alias(col + "_weergave"))
                  for p, col in ((period, "nu"), (compare, "eerder"))]
        table = frames[0].join(frames[1], on=["laag", "code"], how="full", coalesce=True)
        names = {r["wijkcode"]: r["naam"] for r in self.db.query("wijken_lijst").iter_rows(named=True)}
        return table.with_columns(naam=pl.col("code").replace_strict(names, default="Locatie onbekend"))

    def changes(self, period: Period, compare: Period, buurten: tuple[str, ...] | None) -> pl.DataFrame:
        """The Briefing's raw material for "what changed" and the top wijken: per wijk and
        layer, and per signal theme — soort, sleutel, naam, bron, nu, eerder and their labels.
        Themes are within the chosen area, except for the bestuur role: city-wide."""
        wijk = self.wijk_table(period, compare).select(
            soort=pl.lit("wijk"), sleutel="code", naam="naam", bron="laag", nu="nu", eerder="eerder",
            nu_weergave="nu_weergave", eerder_weergave="eerder_weergave")
        area = buurten if self.exact else None
        themes = self.db.query("feiten_themas", van=period.van, tot=period.tot, van0=compare.van,
                               tot0=compare.tot, buurten=list(area) if area is not None else None)
        themes = themes.select(soort=pl.lit("thema"), sleutel="thema", naam="thema", bron=pl.lit("signalen"),
                               nu="nu", eerder="eerder", nu_weergave=pl.col("nu").cast(pl.String),
                               eerder_weergave=pl.col("eerder").cast(pl.String))
        return pl.concat([wijk, self.focus_table(period, compare), themes], how="vertical_relaxed")

    def focus_table(self, period: Period, compare: Period) -> pl.DataFrame:
        """Per focus area and layer of the wijk table: nu, eerder and their labels, each the
        area's own figure (the registry over its buurten; for bestuur the same cells as a
        focus-area filter on the Briefing)."""
        by_layer = {"hennep_ontmanteld": "hennepkwekerijen", "transacties_aantal": "verdachte_transacties",
                    "signalen_aantal": "signalen", "controles_aantal": "controles"}
        rows = []
        names = self.db.query("gebieden_keuze").filter(pl.col("soort") == "focus")["code"].to_list()
        for name in names:
            gebied = f"focus:{name}"
            buurten = tuple(self.db.query("gebied_buurten", soort="focus", code=name)["buurtcode"].to_list())
            if not buurten:
                continue
            now, before = (self.indicators(p, gebied, buurten) for p in (period, compare))
            for code, laag in by_layer.items():
                rows.append({"soort": "focus", "sleutel": name, "naam": name, "bron": laag,
                             "nu": now[code] if isinstance(now[code], int) else None,
                             "eerder": before[code] if isinstance(before[code], int) else None,
                             "nu_weergave": str(now[code]), "eerder_weergave": str(before[code])})
        schema = {"soort": pl.String, "sleutel": pl.String, "naam": pl.String, "bron": pl.String,
                  "nu": pl.Int64, "eerder": pl.Int64, "nu_weergave": pl.String, "eerder_weergave": pl.String}
        return pl.DataFrame(rows, schema=schema)

    # --- one layer at one level: the map ---------------------------------------------------------

    def area_frame(self, period: Period, niveau: str, layers: tuple[str, ...],
                   thema: str | None = None) -> pl.DataFrame:
        """Per layer and area at `niveau` ("buurt" | "wijk"): laag, code, aantal (None when
        hidden), weergave, aantal_2020, bedrag — every area of the level, zeros included."""
        exact = self._exact_areas(period, niveau, layers, thema)
        if self.exact:
            return exact.with_columns(weergave=pl.col("aantal").cast(pl.String))
        if thema not in (None, "alle"):
            raise NotForRole("Thema's zijn voor uw rol alleen voor de hele stad beschikbaar.")
        node = self.node(period)
        rows = []
        for r in exact.iter_rows(named=True):
            layer = lattice.layer_id(r["laag"], None)
            area = f"{niveau}:{r['code']}" if r["code"] != lattice.UNKNOWN_AREA else f"wijk:{lattice.UNKNOWN_AREA}"
            value, label = self.protected.cell(layer, area, node)
            base = value
            if niveau == "wijk" and f"wijk2020:{r['code']}" in self.protected.areas.alias:
                base, _ = self.protected.cell(layer, f"wijk2020:{r['code']}", node)
            rows.append({**r, "aantal": value, "weergave": label,
                         "aantal_2020": base if value is not None else None,
                         "bedrag": r["bedrag"] if value is not None else None})
        return pl.DataFrame(rows, schema=exact.schema | {"weergave": pl.String})

    def _exact_areas(self, period: Period, niveau: str, layers: tuple[str, ...],
                     thema: str | None) -> pl.DataFrame:
        raw = self.db.query("feiten_per_gebied", van=period.van, tot=period.tot, niveau=niveau,
                            thema=thema or "alle", maten=list(layers))
        if niveau == "wijk":     # a wijk of water only holds no records and is not an area
            codes = self.db.query("wijken_lijst").filter(pl.col("land"))["wijkcode"].to_list()
        else:
            codes = self.db.query("gebieden_keuze").filter(pl.col("soort") == niveau)["code"].to_list()
        grid = pl.DataFrame({"laag": list(layers)}).join(
            pl.DataFrame({"code": [*codes, lattice.UNKNOWN_AREA]}), how="cross")
        return (grid.join(raw.rename({"maat": "laag", "som": "bedrag"}), on=["laag", "code"], how="left")
                .with_columns(pl.col("aantal").fill_null(0), pl.col("aantal_2020").fill_null(0))
                .select("laag", "code", "aantal", "aantal_2020", "bedrag"))

    def hotspot_input(self, period: Period, layer: str) -> pl.DataFrame:
        """Exact buurt counts (Gi* never runs on a suppressed vector) with the role's labels."""
        exact = self._exact_areas(period, "buurt", (layer,), None)
        shown = self.area_frame(period, "buurt", (layer,)) if not self.exact else \
            exact.with_columns(weergave=pl.col("aantal").cast(pl.String))
        return exact.join(shown.select("code", "weergave"), on="code")

    # --- series: Trends ------------------------------------------------------------------------

    def series(self, tot: date, gebied: str, buurten: tuple[str, ...] | None, thema: str | None,
               korrel: str) -> pl.DataFrame:
        """Per source (and signal theme) per period from the source's first record up to tot:
        bron, thema, periode, aantal (None = hidden), weergave, volledig, vorig_jaar (the same
        span a year before — for an incomplete last period too), schatting_* (grow sites)."""
        protected = not self.exact and buurten is not None
        if protected and (korrel == "maand" or thema not in (None, "alle")):
            raise NotForRole("Per maand en per thema zijn de reeksen voor uw rol alleen voor de "
                             "hele stad beschikbaar.")
        if protected:
            tot = lattice.quarter_start(tot)       # complete quarters only
        raw = self.db.query("feiten_reeks", tot=tot, korrel=korrel, thema=thema or "alle",
                            buurten=list(buurten) if buurten is not None else None,
                            maten=list(SERIES_SOURCES), per_thema=not protected and thema in (None, "alle"))
        raw = raw.rename({"maat": "bron"}).with_columns(thema=_series_theme())
        frame = self._complete(raw, tot, korrel)
        if not protected:
            return self._year_before(frame, tot, korrel, buurten, thema).with_columns(
                weergave=pl.col("aantal").cast(pl.String))
        return self._protect_series(frame, gebied, korrel)

    def _complete(self, raw: pl.DataFrame, tot: date, korrel: str) -> pl.DataFrame:
        """Zero-fill per (bron, thema) from the source's first period: before it there are
        no data ("geen gegevens"), never a 0."""
        schema = {"bron": pl.String, "thema": pl.String, "periode": pl.Date, "aantal": pl.Int64}
        if raw.is_empty():
            return pl.DataFrame(schema=schema)
        unit = GRAIN_UNIT[korrel]
        last = raw["periode"].max()
        parts = []
        for (bron, thema), part in raw.group_by("bron", "thema", maintain_order=True):
            start = self._first_period(bron, korrel) or part["periode"].min()
            grid = pl.DataFrame({"periode": pl.date_range(min(start, last), last, unit, eager=True)})
            parts.append(grid.join(part.select("periode", "aantal"), on="periode", how="left")
                         .with_columns(bron=pl.lit(bron), thema=pl.lit(thema), aantal=pl.col("aantal").fill_null(0)))
        full = pl.concat(parts).select(*schema).cast(schema).sort("bron", "thema", "periode")
        end = pl.col("periode").dt.offset_by(unit)
        return full.with_columns(volledig=end <= pl.lit(tot))

    def _first_period(self, bron: str, korrel: str) -> date | None:
        first = (self.first or {}).get(bron)
        if first is None:
            return None
        unit = {"maand": "month", "kwartaal": "quarter", "jaar": "year"}[korrel]
        return pl.select(pl.lit(first).dt.truncate({"month": "1mo", "quarter": "3mo", "year": "1y"}[unit])).item()

    def _year_before(self, frame: pl.DataFrame, tot: date, korrel: str,
                     buurten: tuple[str, ...] | None, thema: str | None) -> pl.DataFrame:
        """vorig_jaar: the same period a year before; for the incomplete last period the same
        span (Jan–Oct against Jan–Oct), never a whole period against a part."""
        if frame.is_empty():
            return frame.with_columns(vorig_jaar=pl.lit(None, pl.Int64), **_band_nulls())
        frame = frame.with_columns(
            vorig_jaar=pl.col("aantal").shift(GRAIN_LAG[korrel]).over("bron", "thema"))
        open_ = frame.filter(~pl.col("volledig"))
        if open_.height:
            start = open_["periode"].min()
            span = self.db.query("feiten_reeks", tot=shift_year(tot), korrel=korrel, thema=thema or "alle",
                                 buurten=list(buurten) if buurten is not None else None,
                                 maten=list(SERIES_SOURCES), per_thema=thema in (None, "alle"))
            span = (span.filter(pl.col("periode") == shift_year(start)).rename({"maat": "bron"})
                    .with_columns(thema=_series_theme()))
            before = {(r["bron"], r["thema"]): r["aantal"] for r in span.iter_rows(named=True)}
            has_year = {(r["bron"], r["thema"]) for r in frame.filter(
                pl.col("periode") == shift_year(start)).iter_rows(named=True)}
            frame = frame.with_columns(vorig_jaar=pl.struct("bron", "thema", "volledig", "vorig_jaar").map_elements(
                lambda s: s["vorig_jaar"] if s["volledig"] else (
                    before.get((s["bron"], s["thema"]), 0) if (s["bron"], s["thema"]) in has_year else None),
                return_dtype=pl.Int64))
        return _with_band(frame)

    def _protect_series(self, frame: pl.DataFrame, gebied: str, korrel: str) -> pl.DataFrame:
        area = lattice_area(gebied)
        periods = self.protected.periods
        rows = []
        for r in frame.iter_rows(named=True):
            end = _next(r["periode"], korrel)
            node = periods.node_for(r["periode"], end)
            if node is None:
                continue
            value, label = self.protected.cell(lattice.layer_id(r["bron"], None), area, node)
            prev = periods.node_for(shift_year(r["periode"]), shift_year(end))
            before = self.protected.cell(lattice.layer_id(r["bron"], None), area, prev)[0] if prev else None
            if prev and r["periode"].year - 1 < ((self.first or {}).get(r["bron"]) or date.min).year:
                before = None
            rows.append({**r, "thema": "alle", "aantal": value, "weergave": label, "vorig_jaar": before})
        out = pl.DataFrame(rows, schema=frame.schema | {"weergave": pl.String, "vorig_jaar": pl.Int64})
        return _with_band(out)

    # --- the profile of a clicked buurt or wijk ------------------------------------------------

    def profile(self, niveau: str, code: str, period: Period, compare: Period,
                years: list[int]) -> pl.DataFrame:
        """Per map layer for one buurt or wijk: the count now, in the comparison period and in
        each of the given complete years — laag, periode ("nu", "eerder", "2024"…), aantal,
        weergave, bedrag."""
        periods = {"nu": period, "eerder": compare}
        periods |= {str(y): Period(date(y, 1, 1), date(y + 1, 1, 1)) for y in years}
        parts = []
        for name, p in periods.items():
            try:
                frame = self.area_frame(p, niveau, MAP_LAYERS)
            except NotForRole:
                continue
            parts.append(frame.filter(pl.col("code") == code).with_columns(periode=pl.lit(name)))
        return pl.concat(parts) if parts else pl.DataFrame()


def _series_theme() -> pl.Expr:
    """The theme a series row counts under: a source's one theme (sources/*.py `theme`), or
    the record's own where the source has none (signals)."""
    fixed = {name: s.theme for name, s in SOURCES.items() if s.theme}
    return pl.col("bron").replace_strict(fixed, default=pl.col("thema"), return_dtype=pl.String)


def _next(d: date, korrel: str) -> date:
    if korrel == "jaar":
        return date(d.year + 1, 1, 1)
    months = 3 if korrel == "kwartaal" else 1
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _band_nulls() -> dict:
    return {c: pl.lit(None, pl.Int64) for c in ("schatting_laag", "schatting", "schatting_hoog")}


def _with_band(frame: pl.DataFrame) -> pl.DataFrame:
    """The grow-site estimate band (measures.estimate_band), from the shown count."""
    low, central, high = measures.estimate_band(1)
    is_hennep = pl.col("bron") == "hennepkwekerijen"
    return frame.with_columns(
        schatting_laag=pl.when(is_hennep).then(pl.col("aantal") * low),
        schatting=pl.when(is_hennep).then(pl.col("aantal") * central),
        schatting_hoog=pl.when(is_hennep).then(pl.col("aantal") * high))


def previous_span(period: Period) -> Period:
    """The same span a year before (equal periods)."""
    return Period(shift_year(period.van), shift_year(period.tot))


def day_before(d: date) -> date:
    return d - timedelta(days=1)
