"""What the factsheet and the briefing snapshot say: their figures, names and texts.

- `build_factsheet(db, year)` collects the figures: every measure of the registry
  (`dijkwacht.measures.values`) for the year and the year before, a wijk table for a few
  headline counts (each wijk's figure from the wijk's own rows, the records without a
  location as one row), time series, programme activities (pillars 2 and 3), sources with
  their *stand per* and first record. Everything it keeps is published output: the
  publication profile is applied before the figures reach the `Factsheet` (counts rounded to
  5, city totals included; wijk cells 1–9 hidden; amounts to € 1.000). A year before a
  source's first record is "geen gegevens" (None), never 0.
- `build_snapshot(meta, van, tot, gebied, naam, briefing)`: the Briefing (data.briefing)
  frozen for the triangle meeting, exactly as the viewer saw it.

Disclosure control is not done here: the factsheet's figures pass `_publish_city()` and
`_publish_wijken()` — the seams to `dijkwacht.privacy` (DESIGN §6); the snapshot freezes the
Briefing's figures as the data layer gave them to the viewer.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from dijkwacht import config, formats
from dijkwacht import measures as registry
from dijkwacht.measures import (
    BY_CODE,
    COUNTED_SOURCES,
    INDICATORS,
    MEASURES,
    estimate_band,
    year_period,
)
from dijkwacht.sources import SOURCES

# --- names and texts ------------------------------------------------------------------------

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



# --- what the archive keeps -----------------------------------------------------------------
# Here, not in documents.archive: every document hashes its own numbers, and the archive
# imports the documents (never the other way round).

def canonical_json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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



# --- published values as text ---------------------------------------------------------------

def cell_text(v) -> str:
    """A published cell: its label ("x", "<5"), the number, or "–" (geen gegevens)."""
    return v if isinstance(v, str) else formats.number(v)


def shown(v, unit: str = "aantal") -> str:
    """A published value as text: "–" for geen gegevens (None), labels as they are."""
    return "–" if v is None else formats.value(v, unit)


def change_text(now, before, unit: str = "aantal") -> str:
    """Relative change; for shares the difference in percentage points."""
    if unit == "procent":
        if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
            return "–"
        d = now - before
        return f"{'+' if d > 0 else ''}{formats.number(d, 1)} %-punt"
    return formats.change(now, before) or "–"



def dwangsom_text(fs: Factsheet) -> str:
    """The penalty figures as two labelled figures: the amount covers only the penalties
    whose amount is known (DESIGN §5: count and amount over the same records, or said)."""
    n = fs.cijfer("dwangsommen_aantal")["waarde"]
    m = fs.cijfer("dwangsommen_met_bedrag")["waarde"]
    x = fs.cijfer("dwangsommen_bedrag")["waarde"]
    return (f"Lasten onder dwangsom {fs.jaar}: {shown(n)}; bedrag bekend voor {shown(m)}: "
            f"{shown(x, 'euro')}")



def stand_text(doc) -> str:
    """The document's stand per as Dutch text: "30 okt 2026"."""
    return formats.day(date.fromisoformat(doc.stand_per))


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

