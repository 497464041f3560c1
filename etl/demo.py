"""Deterministic demo-data generator (DESIGN §4).

`python -m etl.demo` writes seven partner exports in the import contract (DESIGN §2) to
`data/demo/`: hennepkwekerijen, verdachte_transacties, signalen, controles, eigendommen,
activiteiten and vestigingen (the Handelsregister extract), 2012-01-01 to 2026-10-31. The
demo goes through the real ETL like any delivery.

All values are synthetic: record numbers, street names, house numbers, postcodes (only the
four digits come from the CBS buurt file), owner and subject ids, amounts and free text are
invented by a seeded random generator. No real person, company or address is described.
Only the geography is real: the CBS 2020 buurten of the configured municipality and its
focus areas, read from `data/geo/`.

The output is calibrated to the programme's published figures (`published-figures.csv`):
55 / 61 / 98 / 64 dismantled grow sites in 2012-2015 with ~240 plants on average, 159
suspicious transactions in [2014-01-01, 2016-01-01) with 11 distinct companies and 41 distinct
persons, and the programme's example case (one family owning 12 properties, 5 grow sites
within 150 days, a EUR 30,000 last onder dwangsom, 3 bestuurlijke waarschuwingen, BRP checks
of all 12 properties, 2 benefits stopped).

Each source starts when it started (`bronstand.eerste_datum`; earlier years show "geen
gegevens", never 0):

- hennepkwekerijen      2012-01-01  police registrations (published figures from 2012)
- verdachte_transacties 2012-01-01  FIU declarations (published window 2014-2015)
- controles             2012-01-01  regular inspections; bibob-toetsen from 2014-01-01, when
                                    Dordrecht adopted its Bibob policy
- signalen              2016-04-01  the meldpunt ondermijning was set up in the 2nd quarter of
                                    2016 (programme, par. 7.3): no signal before it, a slow
                                    first year; the example case (2014) has none
- activiteiten          2016-04-01  the programme itself (first training May 2016)
- eigendommen           2026-10-01  one extract (peildatum)
- vestigingen           2026-10-31  one register extract: active vestigingen registered from
                                    1990, and those closed since 2012 (see gen_vestigingen)

Space: the grow sites concentrate in the programme's focus areas Lijnbaan, Vogelbuurt and
Krispijn (see GROW_FOCUS_AREAS): about 48% of them lie in those areas' buurten or a buurt
bordering them, where 32% of the inhabitants live; the rest is spread by population.
Signals, transactions and controls keep a milder pull towards all focus areas.

No record is dated after END: the ETL quarantines rows dated more than `[laden]
toekomst_marge_dagen` (7) after the load date, so a load from 2026-10-24 on keeps every row.

Running it twice gives byte-identical files: one seeded `random.Random` per source, no clock,
no `hash()`. The vestigingen extract was added later (issue 19): it is generated last, with
its own generator, reads the other sources' rows without changing them and never draws from
the shared address book, so the six older files stay byte for byte what they were (the
published figures tests rely on them). `--schaal N` multiplies all volumes N times over the same buurten (the example
case stays a single family).
"""
from __future__ import annotations

import argparse
import bisect
import csv
import json
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

import shapely
from shapely import contains_xy
from shapely.geometry import shape

from dijkwacht.sources import (
    ACTIVITEITEN,
    BARRIEREFASEN,
    CONTROLES,
    EIGENDOMMEN,
    HENNEPKWEKERIJEN,
    SIGNALEN,
    VERDACHTE_TRANSACTIES,
    VESTIGINGEN,
    Source,
)

ROOT = Path(__file__).resolve().parents[1]
GEO_DIR = ROOT / "data" / "geo"
DEFAULT_OUT = ROOT / "data" / "demo"

SEED = 20161
START = date(2012, 1, 1)
END = date(2026, 10, 31)
PEILDATUM = date(2026, 10, 1)
DEFAULT_PC4 = "3316"

# --- volumes per year at scale 1 (2026 runs to 31 October) ------------------------------
HENNEP_PER_YEAR = {
    2012: 55, 2013: 61, 2014: 98, 2015: 64,                    # published, exact
    2016: 58, 2017: 54, 2018: 50, 2019: 46, 2020: 48, 2021: 43, 2022: 41, 2023: 39,
    2024: 37, 2025: 35, 2026: 31,
}
PLANTS_MEAN_2012_2015 = 240
TX_WINDOW = (date(2014, 1, 1), date(2015, 12, 31))              # inclusive
TX_WINDOW_ROWS, TX_WINDOW_R, TX_WINDOW_N = 159, 11, 41           # published, exact
TX_WINDOW_ROWS_R = 44                                            # rows of companies in window
TX_PER_YEAR = {
    2012: 61, 2013: 68, 2016: 84, 2017: 90, 2018: 96, 2019: 101, 2020: 88, 2021: 94,
    2022: 99, 2023: 104, 2024: 107, 2025: 103, 2026: 86,
}
SIGNALEN_PER_YEAR = {   # the meldpunt opened in 2016 (MELDPUNT_START): a slow first year
    2016: 64, 2017: 189, 2018: 183, 2019: 196,
    2020: 171, 2021: 184, 2022: 192, 2023: 201, 2024: 208, 2025: 216, 2026: 181,
}
CONTROLES_PER_YEAR = {
    2012: 152, 2013: 158, 2014: 166, 2015: 171, 2016: 204, 2017: 216, 2018: 223, 2019: 229,
    2020: 178, 2021: 207, 2022: 232, 2023: 238, 2024: 243, 2025: 249, 2026: 207,
}
ACTIVITEITEN_PER_YEAR = {
    2016: 17, 2017: 24, 2018: 22, 2019: 26, 2020: 15, 2021: 19, 2022: 25, 2023: 27,
    2024: 28, 2025: 26, 2026: 21,
}
PROGRAMME_START = date(2016, 4, 1)     # activiteiten: first training in May 2016
MELDPUNT_START = date(2016, 4, 1)      # "inrichten meldpunt ondermijning": 2nd quarter of 2016
BIBOB_START = date(2014, 1, 1)         # Dordrecht adopted its Bibob policy in 2014

# --- geography knobs ----------------------------------------------------------------------
INDUSTRIAL_MAX_INW = 150        # buurten below this (not water) are harbour/industrial
P_FOCUS_RESIDENTIAL = 0.20      # explicit focus-area draw; pop-weighted draws add more
P_NEW_2024_CODE = 0.03          # share of records dated >= 2024 in a 2024-only buurt
P_NO_BUURT = 0.02               # records without buurtcode (shown as "onbekend")
P_HENNEP_COORDS = 0.15          # grow sites located by RD coordinates instead of buurtcode
COORD_MARGIN_M = 15.0           # sample points at least this far inside the polygon
P_LINK_GROW_SITE = 0.10         # signalen/controles at an address that had a grow site
# Grow sites concentrate where the programme says they do: a residential grow site lies with
# probability P_GROW_FOCUS in one of the populated buurten of these focus areas (uniformly: 16
# buurten, Krispijn's 14 contiguous ones form a cluster), otherwise anywhere by population.
# Measured on the demo: 48% of all grow sites lie in these areas' buurten or a buurt bordering
# them (queen contiguity; 32% of the inhabitants live there), 37% in the areas themselves (16%
# of the inhabitants); Getis-Ord Gi* finds the Krispijn cluster (tests/test_demo_figures.py).
GROW_FOCUS_AREAS = ("lijnbaan", "vogelbuurt", "krispijn")
P_GROW_FOCUS = 0.35
FAMILY_AREAS = ("lijnbaan", "vogelbuurt")   # example case: focus areas (gebieden file)
FAMILY_ID = "EIG-FAM-0001"
FAMILY_PROPERTIES = (7, 5)      # properties per family area
FAMILY_GROW_SITES = (3, 2)      # grow sites per family area
FAMILY_YEAR = 2014
FAMILY_WINDOW_DAYS = 150
MAX_OTHER_PROPERTIES = 4
MAX_OTHER_GROW_SITES = 2

# --- invented street names (no real address is described) ---------------------------------
RESIDENTIAL_STREETS = (
    "Lindelaan", "Beukenstraat", "Kastanjehof", "Eikenlaan", "Wilgenweg", "Populierenstraat",
    "Berkenhof", "Esdoornlaan", "Hazelaarstraat", "Meidoornpad", "Vlierstraat", "Olmenlaan",
    "Merelstraat", "Lijsterweg", "Spreeuwenhof", "Zwaluwstraat", "Kievitlaan", "Roerdompstraat",
    "IJsvogelpad", "Fazantstraat", "Koolmeeshof", "Winterkoningweg", "Roodborststraat",
    "Grutto-erf", "Tulpstraat", "Narcishof", "Lavendelweg", "Klaproosstraat", "Boterbloemlaan",
    "Korenbloemstraat", "Zonnebloempad", "Irisstraat", "Akkerstraat", "Molenkade",
    "Dijkzicht", "Polderstraat", "Slotenhof", "Veerweg", "Gorzenstraat", "Kreekzijde",
    "Griendlaan", "Biezenstraat", "Rietkade", "Lisdoddestraat", "Schoolstraat", "Kerkpad",
    "Marktsteeg", "Bleekveld", "Brouwersgang", "Touwslagerstraat", "Kuipershof",
    "Smidsstraat", "Bakkerssteeg", "Weversplein", "Ververstraat", "Ankerstraat",
)
INDUSTRIAL_STREETS = (
    "Havenweg", "Kraanstraat", "Kadeweg", "Scheepmakerskade", "Dokstraat", "Werfweg",
    "Containerweg", "Loodsstraat", "Sluisweg", "Bolderstraat", "Meerpaalweg", "Ladingweg",
    "Stuwadoorsweg", "Trosstraat", "Pierweg", "Zeilmakersweg",
)
RESIDENTIAL_STREETS_PER_BUURT = 3
INDUSTRIAL_STREETS_PER_BUURT = 2
LETTER_BLOCKS = 4               # postcode letter pairs per street (numbers 1-40, 41-80, ...)
NUMBERS_PER_BLOCK = 40
POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"


# =========================================================================================
# small helpers
# =========================================================================================
def weighted(rng: random.Random, options: dict):
    """One key of `options` drawn with the values as weights (dict order is fixed)."""
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys], k=1)[0]


def fmt_date(d: date | None) -> str:
    return "" if d is None else d.strftime("%d-%m-%Y")


def fmt_datetime(dt: datetime) -> str:
    return dt.strftime("%d-%m-%Y %H:%M")


def fmt_money(x: float) -> str:
    return f"{x:.2f}"


def last_day(year: int) -> date:
    return min(date(year, 12, 31), END)


def random_date(rng: random.Random, first: date, last: date, weekdays: bool = False) -> date:
    span = (last - first).days
    for _ in range(50):
        d = first + timedelta(days=rng.randint(0, span))
        if not weekdays or d.weekday() < 5:
            return d
    return d


def last_weekday(d: date) -> date:
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def year_dates(rng: random.Random, year: int, n: int, weekdays: bool = False,
               first: date | None = None) -> list[date]:
    """n sorted dates in `year` (up to END); in END's year the last one lies in END's last days,
    so every source's *stand per* is close to END."""
    first = max(first or date(year, 1, 1), date(year, 1, 1))
    last = last_day(year)
    dates = sorted(random_date(rng, first, last, weekdays) for _ in range(n))
    if dates and year == END.year:
        d = END - timedelta(days=rng.randint(0, 3))
        dates[-1] = last_weekday(d) if weekdays else d
        dates.sort()
    return dates


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(median), sigma)


# =========================================================================================
# geography: buurten, focus areas, polygons
# =========================================================================================
@dataclass
class Buurt:
    code: str
    wijk: str
    inw: int
    pc4: str
    sted: int | None
    oad: int | None
    opp_land: float
    industrial: bool
    polygon: object | None = None          # WGS84 shapely geometry (None for 2024-only codes)
    focus: list[str] = field(default_factory=list)


def _int(v: str) -> int | None:
    v = (v or "").strip()
    if not v:
        return None
    return int(float(v))


class Geo:
    """Reference geography read from data/geo; all draws of a buurt go through here."""

    def __init__(self, geo_dir: Path = GEO_DIR):
        with open(geo_dir / "dordrecht_buurten_2020_kerncijfers.csv", encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        polygons = {}
        with open(geo_dir / "dordrecht_buurten_2020.geojson", encoding="utf-8") as f:
            for feat in json.load(f)["features"]:
                polygons[feat["properties"]["bu_code"].upper()] = shape(feat["geometry"])

        self.buurten: dict[str, Buurt] = {}
        for r in rows:
            if (r.get("water") or "").strip().upper() == "JA":
                continue
            code = r["bu_code"].strip().upper()
            inw = _int(r.get("aant_inw")) or 0
            pc4 = (r.get("postcode_meest_voorkomend") or "").strip()
            self.buurten[code] = Buurt(
                code=code, wijk="WK" + code[2:8], inw=inw, pc4=pc4,
                sted=_int(r.get("sted")), oad=_int(r.get("oad")),
                opp_land=float(_int(r.get("opp_land")) or 0),
                industrial=inw < INDUSTRIAL_MAX_INW, polygon=polygons.get(code))

        # PC4 fallback: the wijk's most common PC4, else DEFAULT_PC4
        wijk_pc4: dict[str, Counter] = {}
        for b in self.buurten.values():
            if b.pc4:
                wijk_pc4.setdefault(b.wijk, Counter())[b.pc4] += 1
        def fallback_pc4(wijk: str) -> str:
            c = wijk_pc4.get(wijk)
            return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if c else DEFAULT_PC4
        for b in self.buurten.values():
            if not b.pc4:
                b.pc4 = fallback_pc4(b.wijk)

        # 2024-only codes: valid, counted in their wijk, no 2020 polygon
        self.new_2024: list[Buurt] = []
        with open(geo_dir / "dordrecht_buurtcodes_2020_vs_2024.csv", encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                code = r["bu_code"].strip().upper()
                if r["in_2020"].strip() == "nee" and r["in_2024"].strip() == "ja":
                    b = Buurt(code=code, wijk="WK" + code[2:8], inw=0, pc4=fallback_pc4("WK" + code[2:8]),
                              sted=None, oad=None, opp_land=0.0, industrial=False)
                    self.new_2024.append(b)
        self.new_2024.sort(key=lambda b: b.code)

        # focus areas (wijk codes expand to their buurten)
        self.areas: dict[str, list[str]] = {}
        with open(geo_dir / "dordrecht_ondermijning_gebieden.csv", encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                codes: list[str] = []
                for c in r["codes"].split(";"):
                    c = c.strip().upper()
                    if c.startswith("WK"):
                        codes += sorted(b.code for b in self.buurten.values() if b.wijk == c)
                    elif c in self.buurten:
                        codes.append(c)
                if codes:
                    self.areas[r["gebied"].strip()] = codes
        for area, codes in self.areas.items():
            for c in codes:
                self.buurten[c].focus.append(area)

        land = sorted(self.buurten.values(), key=lambda b: b.code)
        self.populated = [b for b in land if not b.industrial]
        self.industrial = [b for b in land if b.industrial]
        # residential focus: per area the populated buurten (areas drawn uniformly)
        self.focus_residential = [
            [self.buurten[c] for c in codes if not self.buurten[c].industrial]
            for codes in self.areas.values()]
        self.focus_residential = [g for g in self.focus_residential if g]
        # grow-site focus: the populated buurten of GROW_FOCUS_AREAS, in code order
        focus = {b.code for name in GROW_FOCUS_AREAS for b in self.area_buurten(name)}
        self.grow_focus = [b for b in land if b.code in focus]
        # industrial draw: focus-area industrial buurten weigh 4x
        self.industrial_weights = [4.0 if b.focus else 1.0 for b in self.industrial]
        # rural ("buitengebied"): CBS stedelijkheid 5 and low address density
        self.rural = [b for b in land if b.sted == 5 and (b.oad or 0) < 300] or self.industrial
        self.rural_weights = [math.sqrt(max(b.opp_land, 1.0)) for b in self.rural]
        self._cum_populated = list(accumulate(b.inw for b in self.populated))
        self._cum_industrial = list(accumulate(self.industrial_weights))
        self._cum_rural = list(accumulate(self.rural_weights))
        self._rd_polygons: dict[str, object] = {}
        self._to_rd = None

    # -- draws -------------------------------------------------------------------------
    def residential(self, rng: random.Random, when: date | None = None) -> Buurt:
        if when is not None and when.year >= 2024 and self.new_2024 and rng.random() < P_NEW_2024_CODE:
            return rng.choice(self.new_2024)
        if rng.random() < P_FOCUS_RESIDENTIAL:
            return rng.choice(rng.choice(self.focus_residential))
        return rng.choices(self.populated, cum_weights=self._cum_populated, k=1)[0]

    def grow_site(self, rng: random.Random, when: date) -> Buurt:
        """A residential grow site: concentrated in GROW_FOCUS_AREAS, the rest by population."""
        if not self.grow_focus:          # another municipality without these areas
            return self.residential(rng, when)
        if when.year >= 2024 and self.new_2024 and rng.random() < P_NEW_2024_CODE:
            return rng.choice(self.new_2024)
        if rng.random() < P_GROW_FOCUS:
            return rng.choice(self.grow_focus)
        return rng.choices(self.populated, cum_weights=self._cum_populated, k=1)[0]

    def business(self, rng: random.Random, when: date | None = None, p_industrial: float = 0.8) -> Buurt:
        if rng.random() < p_industrial:
            return rng.choices(self.industrial, cum_weights=self._cum_industrial, k=1)[0]
        return self.residential(rng, when)

    def rural_buurt(self, rng: random.Random) -> Buurt:
        return rng.choices(self.rural, cum_weights=self._cum_rural, k=1)[0]

    def area_buurten(self, name_part: str) -> list[Buurt]:
        for area, codes in self.areas.items():
            if name_part.lower() in area.lower():
                return [self.buurten[c] for c in codes if not self.buurten[c].industrial]
        return []

    def area_labels(self) -> list[str]:
        """Short focus-area names for activity titles ("Lijnbaan (Lijnbaangebied)" -> "Lijnbaan")."""
        return [a.split("(")[0].strip() for a in self.areas]

    # -- coordinates -------------------------------------------------------------------
    def random_point_rd(self, rng: random.Random, b: Buurt) -> tuple[float, float]:
        """A point inside the buurt polygon (RD New), at least COORD_MARGIN_M from its edge."""
        if self._to_rd is None:
            from pyproj import Transformer
            self._to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
        poly = self._rd_polygons.get(b.code)
        if poly is None:
            rd = shapely.transform(b.polygon, lambda x, y: self._to_rd.transform(x, y), interleaved=False)
            poly = rd.buffer(-COORD_MARGIN_M)
            if poly.is_empty or poly.area < 100:
                poly = rd.buffer(-2.0) if not rd.buffer(-2.0).is_empty else rd
            self._rd_polygons[b.code] = poly
        minx, miny, maxx, maxy = poly.bounds
        for _ in range(2000):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if contains_xy(poly, x, y):
                return round(x, 2), round(y, 2)
        p = poly.representative_point()
        return round(p.x, 2), round(p.y, 2)


# =========================================================================================
# addresses
# =========================================================================================
@dataclass(frozen=True)
class Addr:
    street: str
    number: int
    addition: str            # "", "A", "-bis", ...
    pc4: str
    letters: str
    buurt: str               # bu_code

    @property
    def adres(self) -> str:
        return f"{self.street} {self.number}{self.addition}"

    @property
    def postcode(self) -> str:
        return f"{self.pc4} {self.letters}"

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.pc4 + self.letters, self.number, self.addition.replace("-", "").upper())


class AddressBook:
    """Synthetic addresses: each buurt has a few invented streets; postcode letter pairs are
    handed out without replacement per PC4, so one (postcode, number) is one address."""

    def __init__(self, rng: random.Random, geo: Geo):
        pairs = [a + b for a in POSTCODE_LETTERS for b in POSTCODE_LETTERS
                 if a + b not in ("SA", "SD", "SS")]
        pools: dict[str, list[str]] = {}
        self.streets: dict[str, list[str]] = {}
        self.letters: dict[tuple[str, str], list[str]] = {}
        for b in sorted([*geo.buurten.values(), *geo.new_2024], key=lambda b: b.code):
            names = INDUSTRIAL_STREETS if b.industrial else RESIDENTIAL_STREETS
            k = INDUSTRIAL_STREETS_PER_BUURT if b.industrial else RESIDENTIAL_STREETS_PER_BUURT
            chosen = rng.sample(names, k)
            self.streets[b.code] = chosen
            if b.pc4 not in pools:
                pool = pairs[:]
                rng.shuffle(pool)
                pools[b.pc4] = pool
            for s in chosen:
                pool = pools[b.pc4]
                block = [pool.pop() if pool else rng.choice(pairs) for _ in range(LETTER_BLOCKS)]
                self.letters[(b.code, s)] = block
        self.reserved: set[tuple[str, int, str]] = set()
        self.pc4 = {b.code: b.pc4 for b in [*geo.buurten.values(), *geo.new_2024]}

    def new(self, rng: random.Random, b: Buurt, addition: bool = True) -> Addr:
        for _ in range(100):
            street = rng.choice(self.streets[b.code])
            if b.industrial:
                number = rng.randint(1, 120)
            else:
                number = max(1, int(rng.triangular(1, LETTER_BLOCKS * NUMBERS_PER_BLOCK, 1)))
            add = ""
            if addition:
                r = rng.random()
                if r < 0.07:
                    add = rng.choice("ABC")
                elif r < 0.09:
                    add = "-bis"
            block = min((number - 1) // NUMBERS_PER_BLOCK, LETTER_BLOCKS - 1)
            a = Addr(street, number, add, b.pc4, self.letters[(b.code, street)][block], b.code)
            if a.key not in self.reserved:
                return a
        raise RuntimeError("no free address")  # pragma: no cover


# =========================================================================================
# sources
# =========================================================================================
@dataclass
class GrowSite:
    when: date
    addr: Addr
    buurt: Buurt
    locatietype: str
    owner: str
    family: bool


@dataclass
class Owner:
    id: str
    type: str
    addrs: list[Addr] = field(default_factory=list)   # distinct addresses, first-seen order
    grow_sites: int = 0

    def add(self, a: Addr) -> None:
        if all(x.key != a.key for x in self.addrs):
            self.addrs.append(a)


class World:
    """Shared state between the sources: geography, addresses, owners, grow sites, subjects."""

    def __init__(self, scale: int):
        self.scale = scale
        self.geo = Geo()
        self.book = AddressBook(random.Random(SEED), self.geo)
        self.owners: dict[str, Owner] = {}
        self.grow_sites: list[GrowSite] = []          # sorted by date once hennep is generated
        self.grow_dates: list[date] = []
        self.grow_homes: list[GrowSite] = []          # non-family grow sites in a woning
        self.subjects: dict[str, tuple[str, Addr | None, Buurt | None, str]] = {}
        self.family_addrs: list[Addr] = []
        self.family_buurten: list[Buurt] = []
        self.family_sites: list[GrowSite] = []

    def new_owner(self, type_: str) -> Owner:
        o = Owner(f"EIG-{len(self.owners) + 1:06d}", type_)
        self.owners[o.id] = o
        return o

    def place(self, rng: random.Random, b: Buurt) -> str:
        """buurtcode as written: the code, rarely empty (unknown)."""
        return "" if rng.random() < P_NO_BUURT else b.code


# -----------------------------------------------------------------------------------------
def make_family(w: World, rng: random.Random) -> None:
    """The programme's example case: one family, 12 properties, 5 grow sites within 150 days."""
    geo = w.geo
    groups = [geo.area_buurten(a) for a in FAMILY_AREAS]
    if not all(groups):          # another municipality: fall back to the first focus areas
        groups = [g for g in geo.focus_residential[:2]]
    start = date(FAMILY_YEAR, 2, 1) + timedelta(days=rng.randint(0, 60))
    offsets = sorted([0, FAMILY_WINDOW_DAYS - 1 - rng.randint(5, 20),
                      *rng.sample(range(10, FAMILY_WINDOW_DAYS - 30), 3)])
    grow_dates = [start + timedelta(days=o) for o in offsets]
    site_i = 0
    for group, n_props, n_grow in zip(groups, FAMILY_PROPERTIES, FAMILY_GROW_SITES):
        for k in range(n_props):
            b = group[k % len(group)]
            a = w.book.new(rng, b, addition=False)        # never a reserved address
            w.book.reserved.add(a.key)
            w.family_addrs.append(a)
            w.family_buurten.append(b)
            if k < n_grow:
                w.family_sites.append(GrowSite(grow_dates[site_i], a, b, "woning", FAMILY_ID, True))
                site_i += 1
    w.family_sites.sort(key=lambda s: s.when)
    fam = Owner(FAMILY_ID, "natuurlijk persoon")
    for a in w.family_addrs:
        fam.add(a)
    fam.grow_sites = len(w.family_sites)
    w.owners[FAMILY_ID] = fam


# -----------------------------------------------------------------------------------------
HENNEP_LOCATIE = {"woning": 78, "bedrijfspand": 14, "buitengebied": 5, "overig": 3}
HENNEP_PLANTS = {  # median, sigma
    "woning": (175, 0.65), "bedrijfspand": (620, 0.7), "buitengebied": (380, 0.8), "overig": (120, 0.7)}
HENNEP_EIGENDOM = {
    "woning": {"particuliere verhuur": 40, "corporatie": 30, "eigenaar-bewoner": 20, "onbekend": 10},
    "bedrijfspand": {"particuliere verhuur": 50, "eigenaar-bewoner": 15, "onbekend": 35},
    "buitengebied": {"eigenaar-bewoner": 40, "particuliere verhuur": 30, "onbekend": 30},
    "overig": {"particuliere verhuur": 35, "onbekend": 65},
}
HENNEP_MAATREGEL = {"sluiting": 45, "bestuurlijke waarschuwing": 22, "last onder dwangsom": 15,
                    "geen": 12, "onbekend": 6}
HENNEP_STROOM = {"ja": 70, "nee": 20, "onbekend": 10}
P_OWNER_ID = {"particuliere verhuur": 0.7, "eigenaar-bewoner": 0.5}
P_OWNER_REPEAT = 0.15            # owner id already seen once (second grow site)
P_REPEAT_SAME_ADDRESS = 0.5      # ... at the same address (recidive)
FAMILY_MEASURES = ("bestuurlijke waarschuwing", "bestuurlijke waarschuwing", "last onder dwangsom",
                   "bestuurlijke waarschuwing", "sluiting")


def gen_hennep(w: World) -> list[dict]:
    rng = random.Random(SEED * 10 + 1)
    geo, book = w.geo, w.book
    rows: list[dict] = []
    single_owners: list[Owner] = []
    for year, n in HENNEP_PER_YEAR.items():
        n *= w.scale
        if year == FAMILY_YEAR:
            n -= len(w.family_sites)
        for d in year_dates(rng, year, n):
            loc = weighted(rng, HENNEP_LOCATIE)
            if loc == "bedrijfspand":
                b = geo.business(rng, d, p_industrial=0.85)
            elif loc == "buitengebied":
                b = geo.rural_buurt(rng)
            else:
                b = geo.grow_site(rng, d)
            a = book.new(rng, b)
            eigendom = weighted(rng, HENNEP_EIGENDOM[loc])
            owner = ""
            if rng.random() < P_OWNER_ID.get(eigendom, 0.0):
                if single_owners and rng.random() < P_OWNER_REPEAT:
                    o = single_owners.pop(rng.randrange(len(single_owners)))
                    if rng.random() < P_REPEAT_SAME_ADDRESS:
                        prev = next(s for s in w.grow_sites if s.owner == o.id)
                        a, b, loc = prev.addr, prev.buurt, prev.locatietype
                else:
                    kind = "natuurlijk persoon" if (eigendom == "eigenaar-bewoner" or rng.random() < 0.8) \
                        else "rechtspersoon"
                    o = w.new_owner(kind)
                    single_owners.append(o)
                o.grow_sites += 1
                o.add(a)
                owner = o.id
            plants = 0 if rng.random() < 0.015 else max(1, round(lognormal(rng, *HENNEP_PLANTS[loc])))
            w.grow_sites.append(GrowSite(d, a, b, loc, owner, False))
            rows.append({
                "datum_ontmanteling": d, "_addr": a, "_buurt": b, "locatietype": loc,
                "aantal_planten": min(plants, 6000), "stroomdiefstal": weighted(rng, HENNEP_STROOM),
                "eigendom": eigendom, "eigenaar_id": owner, "maatregel": weighted(rng, HENNEP_MAATREGEL),
            })
    for site, measure in zip(w.family_sites, FAMILY_MEASURES):
        w.grow_sites.append(site)
        rows.append({
            "datum_ontmanteling": site.when, "_addr": site.addr, "_buurt": site.buurt,
            "locatietype": "woning", "aantal_planten": max(1, round(lognormal(rng, 220, 0.4))),
            "stroomdiefstal": "ja", "eigendom": "particuliere verhuur", "eigenaar_id": FAMILY_ID,
            "maatregel": measure, "_family": True,
        })

    # calibrate the mean number of plants over 2012-2015 to the published ~240
    cal = [r for r in rows if 2012 <= r["datum_ontmanteling"].year <= 2015]
    mean = sum(r["aantal_planten"] for r in cal) / len(cal)
    factor = PLANTS_MEAN_2012_2015 / mean
    for r in rows:
        r["aantal_planten"] = round(r["aantal_planten"] * factor)

    # location: buurtcode, or RD coordinates for ~15% (point-in-polygon path), or nothing
    for r in rows:
        b: Buurt = r["_buurt"]
        r["x_rd"] = r["y_rd"] = ""
        if not r.get("_family") and b.polygon is not None and rng.random() < P_HENNEP_COORDS:
            x, y = geo.random_point_rd(rng, b)
            r["buurtcode"], r["x_rd"], r["y_rd"] = "", f"{x:.2f}", f"{y:.2f}"
        elif r.get("_family"):
            r["buurtcode"] = b.code
        else:
            r["buurtcode"] = w.place(rng, b)

    w.grow_sites.sort(key=lambda s: s.when)
    w.grow_dates = [s.when for s in w.grow_sites]
    w.grow_homes = [s for s in w.grow_sites if not s.family and s.locatietype == "woning"]
    return number_rows(rows, "datum_ontmanteling", "registratienummer", "HK")


def number_rows(rows: list[dict], date_col: str, key_col: str, prefix: str) -> list[dict]:
    """Sort by date (stable) and give record keys PREFIX-YYYY-NNNNN per year."""
    rows.sort(key=lambda r: r[date_col])
    seq: Counter = Counter()
    for r in rows:
        d = r[date_col]
        seq[d.year] += 1
        r[key_col] = f"{prefix}-{d.year}-{seq[d.year]:05d}"
    return rows


# -----------------------------------------------------------------------------------------
TX_TYPES = {"contante storting": 30, "geldtransfer": 24, "overboeking": 20, "wisseltransactie": 10,
            "aankoop goederen": 9, "kansspel": 4, "overig": 3}
TX_SECTOR = {
    "contante storting": {"bank": 90, "overig": 10},
    "geldtransfer": {"betaaldienstverlener": 85, "bank": 15},
    "overboeking": {"bank": 70, "notaris": 12, "makelaar": 10, "overig": 8},
    "wisseltransactie": {"wisselkantoor": 85, "bank": 15},
    "aankoop goederen": {"autohandel": 50, "handelaar": 45, "overig": 5},
    "kansspel": {"casino": 100},
    "overig": {"overig": 50, "bank": 30, "notaris": 20},
}
BRANCHES = {  # branche -> share of companies located on industrial estates
    "autohandel": 0.85, "bouw": 0.8, "transport": 0.9, "vastgoed": 0.3, "horeca": 0.1,
    "kapsalon": 0.05, "nagelstudio": 0.05, "belwinkel": 0.05, "schoonmaak": 0.6,
    "groothandel": 0.9, "opslag": 0.95,
}


class Subjects:
    """FIU subjects: SUBJ-N-#### (persons) and SUBJ-R-#### (companies), stable address."""

    def __init__(self, w: World, rng: random.Random):
        self.w, self.rng = w, rng

    def get(self, type_letter: str, n: int, when: date) -> str:
        sid = f"SUBJ-{type_letter}-{n:04d}"
        if sid not in self.w.subjects:
            rng, geo = self.rng, self.w.geo
            if type_letter == "R":
                branche = rng.choice(list(BRANCHES))
                b = geo.business(rng, when, p_industrial=BRANCHES[branche])
                a = self.w.book.new(rng, b)
                self.w.subjects[sid] = ("rechtspersoon", a, b, branche)
            else:
                homes = self.w.grow_homes
                if homes and rng.random() < 0.10:           # lives at a former grow site
                    s = rng.choice(homes)
                    a, b = s.addr, s.buurt
                else:
                    b = geo.residential(rng, when)
                    a = self.w.book.new(rng, b)
                self.w.subjects[sid] = ("natuurlijk persoon", a, b, "")
        return sid


def tx_amount(rng: random.Random, company: bool) -> float:
    if rng.random() < 0.03:
        x = lognormal(rng, 40000, 0.8)
    else:
        x = lognormal(rng, 2600 * (1.4 if company else 1.0), 0.85)
    return max(25.0, round(x, 2))


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


def gen_transacties(w: World) -> list[dict]:
    rng = random.Random(SEED * 10 + 2)
    subj = Subjects(w, rng)
    sc = w.scale
    rows: list[dict] = []

    def row(d: date, sid: str) -> dict:
        type_, a, b, branche = w.subjects[sid]
        t = weighted(rng, TX_TYPES)
        if t == "kansspel" and type_ == "rechtspersoon":
            t = "contante storting"
        return {"datum": d, "bedrag": fmt_money(tx_amount(rng, type_ == "rechtspersoon")),
                "transactietype": t, "melder_sector": weighted(rng, TX_SECTOR[t]),
                "subject_type": type_, "subject_id": sid, "branche": branche,
                "_addr": a, "buurtcode": w.place(rng, b)}

    # calibration window [2014-01-01, 2016-01-01): exact rows and distinct subjects per type
    n_rows = TX_WINDOW_ROWS * sc
    n_r, n_n = TX_WINDOW_R * sc, TX_WINDOW_N * sc
    rows_r = TX_WINDOW_ROWS_R * sc
    rows_n = n_rows - rows_r
    picks = [("R", i + 1) for i in range(n_r)] + [("N", i + 1) for i in range(n_n)]
    picks += [("R", i + 1) for i in rng.choices(range(n_r), weights=zipf_weights(n_r, 0.9), k=rows_r - n_r)]
    picks += [("N", i + 1) for i in rng.choices(range(n_n), weights=zipf_weights(n_n, 0.9), k=rows_n - n_n)]
    rng.shuffle(picks)
    dates = sorted(random_date(rng, *TX_WINDOW) for _ in picks)
    for d, (letter, n) in zip(dates, picks):
        rows.append(row(d, subj.get(letter, n, d)))

    # other years: a larger pool that also holds the window's subjects
    pool_r, pool_n = 60 * sc, 260 * sc
    cw_r = list(accumulate(zipf_weights(pool_r, 0.6)))
    cw_n = list(accumulate(zipf_weights(pool_n, 0.6)))
    for year, n in TX_PER_YEAR.items():
        for d in year_dates(rng, year, n * sc):
            if rng.random() < 0.3:
                sid = subj.get("R", rng.choices(range(pool_r), cum_weights=cw_r, k=1)[0] + 1, d)
            else:
                sid = subj.get("N", rng.choices(range(pool_n), cum_weights=cw_n, k=1)[0] + 1, d)
            rows.append(row(d, sid))
    return number_rows(rows, "datum", "transactienummer", "VT")


# -----------------------------------------------------------------------------------------
SIG_THEMA = {"hennep": 28, "drugshandel": 20, "witwassen": 10, "uitkeringsfraude": 8,
             "vastgoedfraude": 7, "mensenhandel": 5, "omg": 5, "illegaal gokken": 5, "heling": 6,
             "overig": 6}
SIG_KANAAL = {"e-mail": 24, "telefoon": 20, "webformulier": 18, "intern": 16, "partner": 11,
              "meld misdaad anoniem": 11}
SIG_DOORGEZET = {
    "hennep": {"politie": 60, "omgevingsdienst": 25, "riec": 15},
    "drugshandel": {"politie": 85, "riec": 15},
    "witwassen": {"riec": 50, "belastingdienst": 35, "politie": 15},
    "uitkeringsfraude": {"sociale dienst": 85, "belastingdienst": 15},
    "vastgoedfraude": {"riec": 55, "belastingdienst": 30, "overig": 15},
    "mensenhandel": {"politie": 60, "riec": 40},
    "omg": {"politie": 55, "riec": 45},
    "illegaal gokken": {"politie": 50, "riec": 30, "overig": 20},
    "heling": {"politie": 90, "overig": 10},
    "overig": {"overig": 50, "politie": 30, "riec": 20},
}
SIG_FASE = {"verwerven locatie": 14, "inrichten locatie": 16, "aanschaf kweekmateriaal": 10,
            "kweken": 30, "oogsten & opslag": 8, "vervoer": 8, "afzet & handel": 9,
            "gebruik opbrengst": 5}
assert set(SIG_FASE) == set(BARRIEREFASEN)
SIG_TEXT = {
    "hennep": ("Melding over geur en dichtgeplakte ramen bij woning",
               "Zoemend geluid en warmte uit zolder, ramen altijd dicht",
               "Vermoeden van stroomdiefstal, meterkast aangepast",
               "Hennepgeur in portiek",
               "Aanvoer van potgrond en lampen in de avond",
               "Pand wordt verhuurd zonder dat er iemand woont",
               "Veel condens op de ramen, ventilatie ook 's nachts aan"),
    "drugshandel": ("Vermoeden van drugshandel vanuit geparkeerde auto",
                    "Korte bezoekjes aan woning, steeds andere personen",
                    "Handel bij speeltuin in de avonduren",
                    "Drugsafval aangetroffen achter winkel"),
    "witwassen": ("Zaak zonder klanten, toch dure auto's voor de deur",
                  "Contante aankoop van bedrijfspand",
                  "Winkel lijkt altijd leeg maar blijft open",
                  "Veel contant geld bij verbouwing"),
    "uitkeringsfraude": ("Meer bewoners dan ingeschreven",
                         "Bewoner met uitkering rijdt dure auto",
                         "Adres lijkt alleen als postadres te worden gebruikt"),
    "vastgoedfraude": ("Opkoop van meerdere panden in korte tijd",
                       "Kamerverhuur met veel wisselende huurders",
                       "Huurcontract lijkt vals, huurder onbekend"),
    "mensenhandel": ("Veel wisselende bewoners, mogelijk uitbuiting",
                     "Werknemers slapen in bedrijfspand"),
    "omg": ("Clubhuis met veel motoren, intimiderend gedrag",
            "Bijeenkomst motorclub met colors in horecazaak"),
    "illegaal gokken": ("Gokautomaten in achterruimte",
                        "Kaartspel om geld in verenigingsgebouw"),
    "heling": ("Verkoop van fietsen en telefoons vanuit schuur",
               "Opslag van mogelijk gestolen goederen in loods"),
    "overig": ("Verdachte situatie op bedrijventerrein",
               "Onduidelijke bedrijfsvoering in bedrijfspand",
               "Onduidelijk wie het pand gebruikt"),
}


def answerable(melder: str, kanaal: str) -> bool:
    return melder != "anoniem" and kanaal != "meld misdaad anoniem"


def sig_status(rng: random.Random, age: int) -> str:
    if age > 365:
        return weighted(rng, {"afgesloten": 93, "doorgezet": 5, "in behandeling": 2})
    if age > 90:
        return weighted(rng, {"afgesloten": 62, "doorgezet": 24, "in behandeling": 14})
    if age > 14:
        return weighted(rng, {"afgesloten": 20, "doorgezet": 30, "in behandeling": 40, "ontvangen": 10})
    if age >= 3:
        return weighted(rng, {"ontvangen": 50, "in behandeling": 45, "doorgezet": 5})
    return weighted(rng, {"ontvangen": 70, "in behandeling": 30})


def near_grow_site(rng: random.Random, w: World, d: date, before: bool, exclude_family: bool = True) -> GrowSite | None:
    """A grow site near date d (before it when `before`), excluding the family's."""
    dates = w.grow_dates
    if before:
        hi = bisect.bisect_right(dates, d)
        cand = w.grow_sites[max(0, hi - 150):hi]
    else:
        lo = bisect.bisect_left(dates, d - timedelta(days=365))
        hi = bisect.bisect_right(dates, d + timedelta(days=365))
        cand = w.grow_sites[lo:hi]
    cand = [s for s in cand if not (exclude_family and s.family)]
    return rng.choice(cand) if cand else None


def gen_signalen(w: World) -> list[dict]:
    rng = random.Random(SEED * 10 + 3)
    geo, book = w.geo, w.book
    rows: list[dict] = []

    def signal(when: datetime, thema: str, a: Addr, b: Buurt, kanaal: str | None = None,
               melder: str | None = None) -> dict:
        kanaal = kanaal or weighted(rng, SIG_KANAAL)
        if melder is None:
            if kanaal == "meld misdaad anoniem":
                melder = "anoniem"
            elif kanaal == "intern":
                melder = "medewerker gemeente"
            elif kanaal == "partner":
                melder = "partner"
            else:
                melder = weighted(rng, {"bewoner": 60, "ondernemer": 18, "anoniem": 22})
        d = when.date()
        age = (END - d).days
        status = sig_status(rng, age)
        naar = ""
        if status == "doorgezet" or (status == "afgesloten" and rng.random() < 0.55):
            naar = weighted(rng, SIG_DOORGEZET[thema])
        terug = None
        if status != "ontvangen" and answerable(melder, kanaal) and rng.random() < 0.75:
            t = d + timedelta(days=max(1, round(lognormal(rng, 9, 0.7))))
            terug = t if t <= END else None
        afgesloten = None
        if status == "afgesloten":
            days = max(2, round(lognormal(rng, 35, 0.8)))
            afgesloten = d + timedelta(days=min(days, max(age, 1)))
            if afgesloten > END:
                afgesloten = END
        fase = ""
        if thema == "hennep" and rng.random() < 0.6:
            fase = weighted(rng, SIG_FASE)
        return {"ontvangen_op": when, "kanaal": kanaal, "melder_type": melder, "thema": thema,
                "_addr": a, "buurtcode": w.place(rng, b), "status": status, "doorgezet_naar": naar,
                "teruggekoppeld_op": fmt_date(terug), "afgesloten_op": fmt_date(afgesloten),
                "barrierefase": fase, "omschrijving": rng.choice(SIG_TEXT[thema])}

    def clock(d: date) -> datetime:
        if rng.random() < 0.8:
            h = rng.randint(8, 17)
        else:
            h = rng.choice([6, 7, 18, 19, 20, 21, 22, 23])
        return datetime(d.year, d.month, d.day, h, rng.randint(0, 59))

    for year, n in SIGNALEN_PER_YEAR.items():
        for d in year_dates(rng, year, n * w.scale, first=MELDPUNT_START if year == MELDPUNT_START.year else None):
            when = clock(d)
            if rng.random() < P_LINK_GROW_SITE and (s := near_grow_site(rng, w, d, before=False)):
                thema = "hennep" if rng.random() < 0.6 else weighted(rng, SIG_THEMA)
                rows.append(signal(when, thema, s.addr, s.buurt))
                continue
            thema = weighted(rng, SIG_THEMA)
            if thema in ("omg", "heling", "overig", "witwassen") and rng.random() < 0.35:
                b = geo.business(rng, d, p_industrial=1.0)
            else:
                b = geo.residential(rng, d)
            rows.append(signal(when, thema, book.new(rng, b), b))

    # The example case (2014) predates the meldpunt: its signals came from the police.
    return number_rows(rows, "ontvangen_op", "signaalnummer", "SIG")


# -----------------------------------------------------------------------------------------
CTR_SOORT = {"integrale controle": 24, "horecacontrole": 20, "brp-adrescontrole": 20,
             "woningcontrole": 15, "bedrijfscontrole": 11, "bibob-toets": 10}
CTR_SOORT_VOOR_BIBOB = {k: v for k, v in CTR_SOORT.items() if k != "bibob-toets"}
CTR_OBJECT = {
    "integrale controle": {"bedrijfspand": 35, "woning": 30, "horeca": 15, "vereniging/clubhuis": 12, "overig": 8},
    "horecacontrole": {"horeca": 100},
    "brp-adrescontrole": {"woning": 100},
    "woningcontrole": {"woning": 100},
    "bedrijfscontrole": {"bedrijfspand": 90, "overig": 10},
    "bibob-toets": {"horeca": 65, "bedrijfspand": 25, "overig": 10},
}
CTR_P_OVERTREDING = {"integrale controle": 0.45, "horecacontrole": 0.25, "brp-adrescontrole": 0.3,
                     "woningcontrole": 0.35, "bedrijfscontrole": 0.3}
CTR_BEVINDINGEN = {
    "integrale controle": {"drugs": 25, "illegale bewoning": 15, "schijnbeheer": 15, "omg-kenmerken": 12,
                           "illegaal gokken": 10, "onjuiste brp-inschrijving": 10, "overig": 13},
    "horecacontrole": {"illegaal gokken": 30, "drugs": 25, "schijnbeheer": 25, "omg-kenmerken": 10, "overig": 10},
    "brp-adrescontrole": {"onjuiste brp-inschrijving": 60, "illegale bewoning": 40},
    "woningcontrole": {"drugs": 45, "illegale bewoning": 35, "onjuiste brp-inschrijving": 10, "overig": 10},
    "bedrijfscontrole": {"drugs": 30, "schijnbeheer": 30, "illegale bewoning": 15, "overig": 25},
}
CTR_MAATREGEL = {
    "default": {"bestuurlijke waarschuwing": 35, "last onder dwangsom": 20, "sluiting": 18, "beslag": 6,
                "geen": 21},
    "brp-adrescontrole": {"geen": 55, "uitkering stopgezet": 30, "bestuurlijke waarschuwing": 15},
}
CTR_BIBOB = {"bibob: verleend": 70, "bibob: verleend onder voorwaarden": 18, "bibob: geweigerd": 8,
             "bibob: ingetrokken": 4}
CTR_PARTNERS = {
    "integrale controle": ("politie", "belastingdienst", "omgevingsdienst", "sociale dienst", "brandweer",
                           "netbeheerder"),
    "horecacontrole": ("politie", "brandweer", "belastingdienst"),
    "brp-adrescontrole": ("sociale dienst", "politie", "woningcorporatie"),
    "woningcontrole": ("politie", "netbeheerder", "woningcorporatie", "omgevingsdienst"),
    "bedrijfscontrole": ("omgevingsdienst", "politie", "belastingdienst", "brandweer"),
    "bibob-toets": ("riec", "belastingdienst", "politie"),
}
DWANGSOM_AMOUNTS = (5000, 7500, 10000, 12500, 15000, 20000, 25000, 40000, 50000)  # 30000 is the family's
CASE_DWANGSOM = 30000


def partners_for(rng: random.Random, soort: str) -> str:
    pool = CTR_PARTNERS[soort]
    k = rng.randint(2, 4) if soort == "integrale controle" else rng.randint(0, 2)
    return ";".join(["gemeente", *rng.sample(pool, min(k, len(pool)))])


def gen_controles(w: World) -> list[dict]:
    rng = random.Random(SEED * 10 + 4)
    geo, book = w.geo, w.book
    rows: list[dict] = []

    def control(d: date, soort: str, a: Addr, b: Buurt, objecttype: str | None = None) -> dict:
        obj = objecttype or weighted(rng, CTR_OBJECT[soort])
        bevindingen, bedrag = "", ""
        if soort == "bibob-toets":
            uitkomst = weighted(rng, CTR_BIBOB)
            maatregel = "geen"
        elif rng.random() < CTR_P_OVERTREDING[soort]:
            uitkomst = "overtreding"
            opts = CTR_BEVINDINGEN[soort]
            found = {weighted(rng, opts)}
            if rng.random() < 0.25:
                found.add(weighted(rng, opts))
            bevindingen = ";".join(sorted(found, key=list(opts).index))
            maatregel = weighted(rng, CTR_MAATREGEL.get(soort, CTR_MAATREGEL["default"]))
            if maatregel == "last onder dwangsom":
                bedrag = fmt_money(rng.choice(DWANGSOM_AMOUNTS))
        else:
            uitkomst, maatregel = "geen overtreding", "geen"
        return {"datum": d, "soort": soort, "objecttype": obj, "_addr": a, "buurtcode": w.place(rng, b),
                "partners": partners_for(rng, soort), "bevindingen": bevindingen, "uitkomst": uitkomst,
                "maatregel": maatregel, "bedrag_dwangsom": bedrag}

    for year, n in CONTROLES_PER_YEAR.items():
        for d in year_dates(rng, year, n * w.scale, weekdays=True):
            soort = weighted(rng, CTR_SOORT if d >= BIBOB_START else CTR_SOORT_VOOR_BIBOB)
            if soort in ("integrale controle", "woningcontrole", "brp-adrescontrole") \
                    and rng.random() < P_LINK_GROW_SITE * 1.5 and (s := near_grow_site(rng, w, d, before=True)):
                obj = "bedrijfspand" if s.locatietype == "bedrijfspand" else "woning"
                if soort != "integrale controle" and obj != "woning":
                    soort = "integrale controle"
                rows.append(control(d, soort, s.addr, s.buurt, objecttype=obj))
                continue
            obj = weighted(rng, CTR_OBJECT[soort])
            if obj in ("bedrijfspand", "vereniging/clubhuis"):
                b = geo.business(rng, d, p_industrial=0.8)
            elif obj == "overig":
                b = geo.business(rng, d, p_industrial=0.5)
            else:
                b = geo.residential(rng, d)
            rows.append(control(d, soort, book.new(rng, b), b, objecttype=obj))

    rows += family_controles(w, rng)
    return number_rows(rows, "datum", "controlenummer", "CTR")


def family_controles(w: World, rng: random.Random) -> list[dict]:
    """The example case in `controles`: 1 dwangsom of 30,000, 3 warnings, 12 BRP checks, 2 benefits
    stopped, all at the family's addresses (and no other control there)."""
    rows = []
    by_key = {a.key: b for a, b in zip(w.family_addrs, w.family_buurten)}

    def base(d: date, soort: str, a: Addr, partners: str) -> dict:
        return {"datum": last_weekday(d), "soort": soort, "objecttype": "woning", "_addr": a,
                "buurtcode": by_key[a.key].code, "partners": partners, "bevindingen": "",
                "uitkomst": "geen overtreding", "maatregel": "geen", "bedrag_dwangsom": ""}

    for site, measure in zip(w.family_sites, FAMILY_MEASURES):
        if measure not in ("last onder dwangsom", "bestuurlijke waarschuwing"):
            continue
        r = base(site.when + timedelta(days=rng.randint(10, 35)), "woningcontrole", site.addr,
                 "gemeente;politie;netbeheerder")
        r.update(uitkomst="overtreding", bevindingen="drugs", maatregel=measure,
                 bedrag_dwangsom=fmt_money(CASE_DWANGSOM) if measure == "last onder dwangsom" else "")
        rows.append(r)

    last_site = max(s.when for s in w.family_sites)
    brp_start = last_site + timedelta(days=30)
    findings = ["illegale bewoning", "onjuiste brp-inschrijving", "illegale bewoning;onjuiste brp-inschrijving",
                "onjuiste brp-inschrijving", "illegale bewoning"]
    flagged = set(rng.sample(range(len(w.family_addrs)), len(findings)))
    benefit_addrs = []
    fi = 0
    for i, a in enumerate(w.family_addrs):
        r = base(brp_start + timedelta(days=rng.randint(0, 45)), "brp-adrescontrole", a,
                 "gemeente;sociale dienst;politie")
        if i in flagged:
            r.update(uitkomst="overtreding", bevindingen=findings[fi])
            if "onjuiste brp-inschrijving" in findings[fi]:
                benefit_addrs.append((a, r["datum"]))
            fi += 1
        rows.append(r)
    for a, d in benefit_addrs[:2]:
        r = base(d + timedelta(days=rng.randint(40, 80)), "integrale controle", a, "gemeente;sociale dienst")
        r.update(uitkomst="overtreding", bevindingen="onjuiste brp-inschrijving", maatregel="uitkering stopgezet")
        rows.append(r)
    return rows


# -----------------------------------------------------------------------------------------
def gen_eigendommen(w: World) -> list[dict]:
    rng = random.Random(SEED * 10 + 5)
    geo, book = w.geo, w.book
    sc = w.scale
    pairs: list[tuple[Addr, str, str]] = []
    owners_done: set[str] = set()

    def extend(o_id: str, o_type: str, addrs: list[Addr], extra: int, business: bool) -> None:
        seen = set()
        out = []
        for a in addrs:
            if a.key not in seen:
                seen.add(a.key)
                out.append(a)
        for _ in range(extra):
            b = geo.business(rng, PEILDATUM, 0.7) if business else geo.residential(rng, PEILDATUM)
            a = book.new(rng, b)
            if a.key not in seen:
                seen.add(a.key)
                out.append(a)
        for a in out[:MAX_OTHER_PROPERTIES]:
            pairs.append((a, o_id, o_type))
        owners_done.add(o_id)

    # the family: 12 properties
    for a in w.family_addrs:
        pairs.append((a, FAMILY_ID, "natuurlijk persoon"))

    # owners of grow sites (their grow-site addresses link)
    grow_owners = [o for o in w.owners.values() if o.id != FAMILY_ID and o.addrs]
    for o in rng.sample(grow_owners, min(len(grow_owners), 45 * sc)):
        extend(o.id, o.type, list(o.addrs), weighted(rng, {0: 45, 1: 35, 2: 20}), o.type == "rechtspersoon")

    # FIU subjects that own property (subject_id and eigenaar_id share one key space)
    subjects = sorted(w.subjects)
    comp = [s for s in subjects if s.startswith("SUBJ-R-")]
    pers = [s for s in subjects if s.startswith("SUBJ-N-")]
    for sid in rng.sample(comp, min(len(comp), 6 * sc)) + rng.sample(pers, min(len(pers), 5 * sc)):
        type_, a, b, branche = w.subjects[sid]
        extend(sid, type_, [a], weighted(rng, {0: 40, 1: 40, 2: 20}), type_ == "rechtspersoon")

    # other owners, 1-4 properties each
    for _ in range(60 * sc):
        t = "rechtspersoon" if rng.random() < 0.3 else "natuurlijk persoon"
        o = w.new_owner(t)
        n = weighted(rng, {1: 60, 2: 22, 3: 12, 4: 6})
        extend(o.id, t, [], n, t == "rechtspersoon" and rng.random() < 0.5)

    # co-owners: a second natural person on a few single-owner addresses
    singles = [p for p in pairs if p[2] == "natuurlijk persoon" and p[1] != FAMILY_ID]
    for a, _, _ in rng.sample(singles, min(len(singles), 8 * sc)):
        o = w.new_owner("natuurlijk persoon")
        pairs.append((a, o.id, "natuurlijk persoon"))

    rows, seen = [], set()
    for a, oid, t in pairs:
        if (a.key, oid) in seen:
            continue
        seen.add((a.key, oid))
        rows.append({"_addr": a, "eigenaar_id": oid, "eigenaar_type": t, "peildatum": PEILDATUM})
    rows.sort(key=lambda r: (r["_addr"].pc4 + r["_addr"].letters, r["_addr"].number, r["_addr"].addition,
                             r["eigenaar_id"]))
    return rows


# -----------------------------------------------------------------------------------------
DEPARTMENTS = ("Toezicht", "Burgerzaken", "Sociale Dienst", "Vergunningen", "Handhaving",
               "Gemeentebelastingen", "Wijkteams", "Stadsbeheer", "Klantcontactcentrum", "Vastgoed")
BRANCH_PARTNERS = ("opslagbedrijven", "autoverhuurders", "opkopers", "vastgoedhandelaren",
                   "horeca-ondernemers", "kapsalons", "makelaars", "verhuurders")
CONVENANT_PARTNERS = ("woningcorporaties", "energieleveranciers", "makelaars", "verhuurders",
                      "banken", "het RIEC")
ACT_TEMPLATES = {
    # (pijler, soort): (weight, templates)
    (1, "bijeenkomst"): (8, ("Casusoverleg RIEC {gebied}", "Integrale actiedag {gebied}",
                             "Overleg gebiedsgerichte aanpak {gebied}")),
    (1, "overig"): (3, ("Analyse ondermijning {gebied}",)),
    (2, "training"): (30, ("Training signalen ondermijning voor {afdeling}",
                           "Training herkennen mensenhandel voor {afdeling}",
                           "Training Bibob voor {afdeling}",
                           "Workshop integriteit en ondermijning voor {afdeling}")),
    (2, "bijeenkomst"): (9, ("Leerkring ondermijning", "Intervisie signalering ondermijning {afdeling}",
                             "Bijeenkomst Veilige Publieke Taak {afdeling}")),
    (2, "convenant"): (3, ("Convenant informatie-uitwisseling met {partner}",)),
    (3, "campagne"): (15, ("Campagne meldpunt ondermijning in {gebied}",
                           "Campagne Meld Misdaad Anoniem in {gebied}",
                           "Voorlichtingscampagne hennep en brandgevaar in {gebied}")),
    (3, "bijeenkomst"): (22, ("Wijkbijeenkomst ondermijning {gebied}",
                              "Informatiebijeenkomst faciliterende branches voor {branche}",
                              "Ondernemersavond ondermijning {gebied}")),
    (3, "convenant"): (6, ("Convenant veilig ondernemen {gebied}",
                           "Afspraken met {branche} over faciliterende branches")),
    (3, "training"): (4, ("Training weerbaarheid voor {branche}",)),
}
ACT_DEELNEMERS = {"training": (8, 40), "bijeenkomst": (12, 120), "campagne": (40, 200),
                  "convenant": (5, 20), "overig": (5, 30)}


def gen_activiteiten(w: World) -> list[dict]:
    rng = random.Random(SEED * 10 + 6)
    areas = w.geo.area_labels()
    keys = list(ACT_TEMPLATES)
    weights = [ACT_TEMPLATES[k][0] for k in keys]
    rows, seen = [], set()
    for year, n in ACTIVITEITEN_PER_YEAR.items():
        for d in year_dates(rng, year, n * w.scale, weekdays=True, first=PROGRAMME_START if year == 2016 else None):
            for attempt in range(100):
                pijler, soort = rng.choices(keys, weights=weights, k=1)[0]
                titel = rng.choice(ACT_TEMPLATES[(pijler, soort)][1]).format(
                    gebied=rng.choice(areas), afdeling=rng.choice(DEPARTMENTS),
                    partner=rng.choice(CONVENANT_PARTNERS), branche=rng.choice(BRANCH_PARTNERS))
                if attempt > 50:
                    titel = f"{titel} (sessie {attempt - 49})"
                if (d, titel.upper()) not in seen:
                    break
            seen.add((d, titel.upper()))
            lo, hi = ACT_DEELNEMERS[soort]
            rows.append({"datum": d, "titel": titel, "pijler": pijler, "soort": soort,
                         "deelnemers": rng.randint(lo, hi)})
    rows.sort(key=lambda r: (r["datum"], r["titel"]))
    return rows


# =========================================================================================
# vestigingen: the Handelsregister extract (issue 19)
# =========================================================================================
# The programme (§5.3): "concentraties van één branche kunnen een signaal zijn van witwassen";
# in Dordrecht the car and furniture trade on the industrial estates Mijlweg, Dordtse Kil and
# Louter Bloemen, and call shops, hairdressers and beauty/nail salons in Krispijn and the
# centre. The demo reproduces that picture and nothing more precise: the programme publishes
# no counts of vestigingen, so the volumes below are assumptions in proportion to a city of
# ~120,000 inhabitants (KVK counts roughly one vestiging per ten inhabitants; the demo keeps
# about a third of that, which is enough for location quotients per wijk).
#
# Placement (VEST_PLACES): "estates" = the three industrial estates (Mijlweg weighs most);
# "krispijn_centrum" = Krispijn's populated buurten (70%) or the centre (30%, its core buurt
# three times); "industrial" = any harbour/industrial buurt (as Geo.business draws them);
# "population" = a buurt drawn by inhabitants. Ordinary branches (retail, offices,
# construction, care, horeca, ...) are spread by population, so an area's share of all
# vestigingen follows its inhabitants and a location quotient measures concentration.
# Measured on the demo (tests/test_vestigingen.py): the car trade's LQ at Mijlweg and the
# hair/beauty/nail LQ in Krispijn are both well above 2.
#
# Churn: of the registrations since 2012, a branch's share `quick` closes within 12 months
# (higher in the facilitating branches than the ~7% of ordinary ones: an assumption, no
# published figure); the others close after an exponential lifetime (mean `life` years) or
# are still active on END. Some quick closures get a successor of the same branch at the
# same address within months (a "doorstart", P_VEST_DOORSTART).
#
# Addresses: a vestiging's house number is 201-999, which the shared AddressBook never hands
# out (residential 1-160, industrial 1-120), so no vestiging shares an address key with
# another source by chance. Overlaps are planted, on purpose, and only these:
# - the family case (FAMILY_ID): a car trade and a nail salon at two of its grow-site
#   addresses, one company (kvk_nummer) with two vestigingen, the salon closed within a year;
# - FIU companies: a vestiging of the subject's branche at its address (P_VEST_FIU);
# - horeca Bibob tests: a share of them at a horeca vestiging (P_VEST_BIBOB_HORECA).
# Numbers are synthetic: vestigingsnummer 9999 + 8 digits, kvk_nummer 00 + 6 digits (KVK
# hands out neither prefix; see kvk_number beyond a million companies); the trade name is a
# branch word and a number, never a name.
VEST_SEED = SEED * 10 + 7
VEST_STOCK_START = date(1990, 1, 1)        # the ETL warns about dates before 1990
VEST_FLOW_START = date(2012, 1, 1)         # closed vestigingen are in the extract from here
VEST_OLD_SHARE = 0.45                      # of a branch's volume: registered before 2012, active
VEST_NUMBERS = (201, 999)                  # house numbers no other source uses
P_VEST_ADDITION = 0.06                     # units in a business building: 201A, 201B
P_VEST_SECOND = 0.06                       # a company's second vestiging (same kvk_nummer)
P_VEST_DOORSTART = 0.3                     # a quick closure followed at the same address
P_VEST_FIU = 0.8                           # FIU companies with a vestiging at their address
P_VEST_BIBOB_HORECA = 0.3                  # horeca Bibob tests at a horeca vestiging
ESTATES = {"mijlweg": 3.0, "louter bloemen": 2.0, "dordtse kil": 1.0}   # weight per buurt
KRISPIJN, CENTRUM, CENTRUM_KERN = "krispijn", "centrum/binnenstad", "centrum (buurt)"
P_KRISPIJN = 0.7
VEST_RECHTSVORM = {"eenmanszaak": 58, "bv": 24, "vof": 9, "stichting": 4, "vereniging": 2, "overig": 2.5, "nv": 0.5}
VEST_RECHTSVORM_CARE = {"stichting": 40, "vereniging": 20, "eenmanszaak": 25, "bv": 12, "overig": 3}

# name: (SBI codes as KVK writes them, volume at scale 1, placement shares, quick, life in
# years, trade-name word). Facilitating groups (data/branches.toml) first.
VEST_BRANCHES = {
    "autohandel": (("4511", "45112", "4519", "4540"), 190, {"estates": 0.65, "population": 0.35}, 0.22, 6,
                   "Autobedrijf"),
    "meubelhandel": (("47591", "4647"), 60, {"estates": 0.6, "population": 0.4}, 0.15, 8, "Meubelhandel"),
    "belwinkels": (("4742", "6190"), 35, {"krispijn_centrum": 0.7, "population": 0.3}, 0.30, 4, "Belwinkel"),
    "kappers_schoonheid": (("96021", "96022"), 200, {"krispijn_centrum": 0.55, "population": 0.45}, 0.20, 6,
                           "Salon"),
    "autoverhuur": (("77111", "7712"), 15, {"estates": 0.3, "industrial": 0.3, "population": 0.4}, 0.15, 7,
                    "Autoverhuur"),
    "geldtransfer": (("66193",), 12, {"krispijn_centrum": 0.5, "population": 0.5}, 0.20, 6, "Geldwissel"),
    "goud_juwelen": (("4777", "4648"), 15, {"krispijn_centrum": 0.4, "population": 0.6}, 0.12, 10, "Juwelier"),
    "tweedehands": (("4779", "4677", "47892"), 30, {"industrial": 0.4, "population": 0.6}, 0.15, 7, "Opkoper"),
    "opslag": (("52109",), 20, {"industrial": 0.9, "population": 0.1}, 0.12, 8, "Opslag"),
    "uitzendbureaus": (("78201", "78202"), 40, {"industrial": 0.2, "population": 0.8}, 0.18, 6, "Uitzendbureau"),
    "horeca": (("56101", "56102", "5630"), 250, {"population": 1.0}, 0.15, 7, "Eetcafe"),
    "vastgoed": (("6810", "68204", "6831", "6832", "4110"), 180, {"population": 1.0}, 0.08, 12, "Vastgoed"),
    # ordinary branches, in no group: spread by population (trade and industry on estates)
    "detailhandel_food": (("4711", "4721", "4722", "4724", "4729"), 150, {"population": 1.0}, 0.08, 12, "Winkel"),
    "detailhandel": (("4771", "4772", "4775", "4761", "4765"), 200, {"population": 1.0}, 0.08, 12, "Winkel"),
    "bouw": (("4120", "4321", "4322", "4332", "4334"), 450, {"population": 0.9, "industrial": 0.1}, 0.07, 14,
             "Bouwbedrijf"),
    "kantoren": (("6201", "6920", "7022", "7111", "7410"), 600, {"population": 1.0}, 0.06, 14, "Advies"),
    "zorg": (("8621", "8623", "86912", "8690"), 180, {"population": 1.0}, 0.04, 18, "Praktijk"),
    "onderwijs_cultuur": (("8559", "9001", "9312"), 150, {"population": 1.0}, 0.06, 14, "Stichting"),
    "transport": (("4941", "5229"), 120, {"industrial": 0.5, "population": 0.5}, 0.10, 10, "Transport"),
    "groothandel": (("4690", "4619", "4639"), 120, {"industrial": 0.6, "population": 0.4}, 0.08, 12, "Handel"),
    "industrie": (("2562", "2511", "3320"), 80, {"industrial": 0.8, "population": 0.2}, 0.05, 16, "Werkplaats"),
    "schoonmaak": (("8121",), 80, {"population": 1.0}, 0.10, 9, "Schoonmaak"),
    "overig": (("9609", "8899", "9499"), 100, {"population": 1.0}, 0.08, 10, "Diensten"),
}
VEST_CARE = ("zorg", "onderwijs_cultuur")
# FIU companies' branche (BRANCHES above) → the vestiging's SBI code
VEST_FIU_SBI = {"autohandel": "4511", "bouw": "4120", "transport": "4941", "vastgoed": "6810",
                "horeca": "5630", "kapsalon": "96021", "nagelstudio": "96022", "belwinkel": "4742",
                "schoonmaak": "8121", "groothandel": "4690", "opslag": "52109"}
VEST_FAMILY = (("4511", date(2013, 5, 6), None), ("96022", date(2014, 3, 17), date(2015, 1, 9)))


class _VestPlaces:
    """The buurten a vestiging is drawn from, by placement kind (VEST_BRANCHES)."""

    def __init__(self, geo: Geo):
        def area(part: str) -> list[Buurt]:
            for name, codes in geo.areas.items():
                if name.lower().startswith(part):
                    return [geo.buurten[c] for c in codes]
            return []

        estates = [(b, weight) for part, weight in ESTATES.items() for b in area(part)]
        self.estates = [b for b, _ in estates] or geo.industrial
        self.estate_weights = [w for _, w in estates] or geo.industrial_weights
        krispijn = [b for b in area(KRISPIJN) if not b.industrial]
        kern = {b.code for b in area(CENTRUM_KERN)}
        centrum = [b for b in area(CENTRUM) if not b.industrial]
        self.krispijn = krispijn or geo.populated
        self.krispijn_weights = [b.inw for b in self.krispijn]
        self.centrum = centrum or geo.populated
        self.centrum_weights = [b.inw * (3 if b.code in kern else 1) for b in self.centrum]
        self.geo = geo

    def draw(self, rng: random.Random, kind: str) -> Buurt:
        geo = self.geo
        if kind == "estates":
            return rng.choices(self.estates, weights=self.estate_weights, k=1)[0]
        if kind == "krispijn_centrum":
            if rng.random() < P_KRISPIJN:
                return rng.choices(self.krispijn, weights=self.krispijn_weights, k=1)[0]
            return rng.choices(self.centrum, weights=self.centrum_weights, k=1)[0]
        if kind == "industrial":
            return rng.choices(geo.industrial, cum_weights=geo._cum_industrial, k=1)[0]
        return rng.choices(geo.populated, cum_weights=geo._cum_populated, k=1)[0]


def kvk_number(n: int) -> str:
    """The n-th synthetic KvK number: always the 8 digits the ETL requires. Up to 999,999
    companies (scale 1 to about ×170) that is 00 + 6 digits, a prefix KVK never hands out;
    beyond, 0 + 7 digits, which real numbers can have: the ×1000 demo is a load test, not a
    register. Until 4 Dec 2026 the ×1000 demo wrote 9 digits there and the ETL quarantined
    4,994,985 of its 6,072,491 vestigingen."""
    if not 1 <= n < 10**8:
        raise ValueError(f"kvk_number: {n} does not fit in 8 digits")
    return f"{n:08d}"


def gen_vestigingen(w: World, controles: list[dict]) -> list[dict]:
    """The register extract on END: every vestiging active then, and every one closed since
    VEST_FLOW_START (see the block comment above). Reads the family case, the FIU subjects
    and the controls' rows; changes none of them."""
    rng = random.Random(VEST_SEED)
    places = _VestPlaces(w.geo)
    used: set[tuple[str, int, str]] = set()
    rows: list[dict] = []
    companies: dict[str, list[str]] = {}          # branch -> kvk numbers, for second vestigingen
    # N times the vestigingen in the same buurten need N times the house numbers; scale 1
    # keeps VEST_NUMBERS exactly (its draws, and so the demo files, stay byte-identical).
    low, high = VEST_NUMBERS
    numbers = (low, low + (high - low) * w.scale)

    def address(b: Buurt) -> Addr:
        for _ in range(1000):
            street = rng.choice(w.book.streets[b.code])
            number = rng.randint(*numbers)
            add = rng.choice("AB") if rng.random() < P_VEST_ADDITION else ""
            a = Addr(street, number, add, b.pc4, w.book.letters[(b.code, street)][LETTER_BLOCKS - 1], b.code)
            if a.key not in used:
                used.add(a.key)
                return a
        raise RuntimeError("no free business address")  # pragma: no cover

    def kvk(branch: str) -> str:
        known = companies.setdefault(branch, [])
        if known and rng.random() < P_VEST_SECOND:
            return rng.choice(known)
        number = kvk_number(sum(len(v) for v in companies.values()) + 1)
        known.append(number)
        return number

    def vestiging(branch: str, sbi: str, a: Addr, registered: date, closed: date | None,
                  number: str | None = None) -> dict:
        care = branch in VEST_CARE
        return {"_branch": branch, "kvk_nummer": number or kvk(branch), "sbi_code": sbi,
                "rechtsvorm": weighted(rng, VEST_RECHTSVORM_CARE if care else VEST_RECHTSVORM),
                "datum_inschrijving": registered, "datum_opheffing": closed,
                "postcode": a.postcode, "huisnummer": str(a.number), "toevoeging": a.addition.lstrip("-"),
                "buurtcode": a.buurt, "handelsnaam": f"{VEST_BRANCHES[branch][5]} {len(rows) + 1}"}

    def closing(registered: date, quick: float, life: float) -> date | None:
        if rng.random() < quick:
            end = registered + timedelta(days=rng.randint(30, 365))
        else:
            end = registered + timedelta(days=366 + int(rng.expovariate(1 / life) * 365.25))
        return end if end <= END else None

    for branch, (codes, volume, placement, quick, life, _) in VEST_BRANCHES.items():
        n = volume * w.scale
        old = round(n * VEST_OLD_SHARE)
        for _ in range(old):                        # still active: registered before 2012
            a = address(places.draw(rng, weighted(rng, placement)))
            registered = random_date(rng, VEST_STOCK_START, VEST_FLOW_START - timedelta(days=1))
            rows.append(vestiging(branch, rng.choice(codes), a, registered, None))
        # registrations since 2012: enough that about (1 - VEST_OLD_SHARE) of n is active on END
        years = (END - VEST_FLOW_START).days / 365.25
        survive = (1 - quick) * math.exp(-years / 2 / life)
        for _ in range(round((n - old) / max(survive, 0.2))):
            a = address(places.draw(rng, weighted(rng, placement)))
            registered = random_date(rng, VEST_FLOW_START, END)
            closed = closing(registered, quick, life)
            code = rng.choice(codes)
            rows.append(vestiging(branch, code, a, registered, closed))
            if closed and (closed - registered).days <= 365 and rng.random() < P_VEST_DOORSTART:
                again = closed + timedelta(days=rng.randint(14, 180))
                if again <= END:
                    rows.append(vestiging(branch, code, a, again, closing(again, quick, life)))

    # planted overlaps: FIU companies at their address, horeca Bibob tests, the family case
    for sid in sorted(w.subjects):
        type_, a, b, branche = w.subjects[sid]
        if type_ == "rechtspersoon" and a is not None and branche in VEST_FIU_SBI and rng.random() < P_VEST_FIU:
            branch = next(k for k, v in VEST_BRANCHES.items() if VEST_FIU_SBI[branche][:4] in
                          {c[:4] for c in v[0]})
            used.add(a.key)
            rows.append(vestiging(branch, VEST_FIU_SBI[branche], a,
                                  random_date(rng, date(2008, 1, 1), date(2013, 12, 31)), None))
    first_control: dict[Addr, date] = {}
    for r in controles:
        if r["_addr"] not in first_control or r["datum"] < first_control[r["_addr"]]:
            first_control[r["_addr"]] = r["datum"]
    bibob = sorted({r["_addr"] for r in controles if r["soort"] == "bibob-toets" and r["objecttype"] == "horeca"},
                   key=lambda a: a.key)
    for a in bibob:
        if a.key not in used and rng.random() < P_VEST_BIBOB_HORECA:
            used.add(a.key)
            first = first_control[a]
            registered = first - timedelta(days=rng.randint(20, 120))
            rows.append(vestiging("horeca", rng.choice(("56101", "5630")), a, max(registered, VEST_STOCK_START),
                                  closing(registered, 0.15, 7)))
    family_kvk = kvk("autohandel")
    for site, (sbi, registered, closed) in zip(w.family_sites, VEST_FAMILY):
        branch = "autohandel" if sbi.startswith("45") else "kappers_schoonheid"
        row = vestiging(branch, sbi, site.addr, registered, closed, family_kvk)
        row["rechtsvorm"] = "eenmanszaak"
        rows.append(row)

    rows.sort(key=lambda r: (r["datum_inschrijving"], r["postcode"], int(r["huisnummer"]), r["toevoeging"]))
    for i, r in enumerate(rows, 1):
        r["vestigingsnummer"] = f"9999{i:08d}"
    return rows


# =========================================================================================
# writing
# =========================================================================================
def columns(source: Source) -> list[str]:
    cols = [c.name for c in source.columns]
    if source is SIGNALEN:
        cols.append("omschrijving")   # present in the export, never loaded (DESIGN §2)
    if source is VESTIGINGEN:
        cols.append("handelsnaam")    # in the extract, never loaded: often a person's name
    return cols


def render(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return fmt_datetime(value)
    if isinstance(value, date):
        return fmt_date(value)
    return str(value)


def write_csv(path: Path, source: Source, rows: list[dict]) -> Path:
    cols = columns(source)
    with open(path, "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(cols)
        for r in rows:
            a: Addr | None = r.get("_addr")
            if a is not None:
                r = {**r, "adres": a.adres, "postcode": a.postcode}
            wr.writerow([render(r.get(c)) for c in cols])
    return path


def generate(out_dir: Path, scale: int = 1) -> list[Path]:
    """Write the seven demo exports into out_dir and return their paths."""
    if scale < 1:
        raise ValueError("scale must be >= 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    w = World(scale)
    make_family(w, random.Random(SEED * 10))
    hennep = gen_hennep(w)
    transacties = gen_transacties(w)
    signalen = gen_signalen(w)
    controles = gen_controles(w)
    eigendommen = gen_eigendommen(w)
    activiteiten = gen_activiteiten(w)
    vestigingen = gen_vestigingen(w, controles)     # last: reads the others, changes nothing
    made = ((HENNEPKWEKERIJEN, hennep), (VERDACHTE_TRANSACTIES, transacties), (SIGNALEN, signalen),
            (CONTROLES, controles), (EIGENDOMMEN, eigendommen), (ACTIVITEITEN, activiteiten),
            (VESTIGINGEN, vestigingen))
    return [write_csv(out_dir / f"{source.name}.csv", source, rows) for source, rows in made]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl.demo",
                                description="Schrijf de synthetische demo-exports (alle waarden verzonnen).")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="doelmap (standaard data/demo)")
    p.add_argument("--schaal", type=int, default=1, help="volumefactor N (standaard 1)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.out, args.schaal)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            n = sum(1 for _ in f) - 1
        print(f"{path}: {n} rijen, {path.stat().st_size:,} bytes")
    print(f"klaar in {time.perf_counter() - t0:.1f} s (schaal {args.schaal})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
