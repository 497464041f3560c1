"""The measure registry (DESIGN §5): every figure Dijkwacht shows is defined here, once.

A measure names what it counts and from which sources, its unit, whether it is enforcement
output, and — for shares, means and amounts — which counts it is made of. The additive
counts behind every measure live in the fact table `feiten` (dijkwacht/sql/build/feiten.sql,
built at load: measure × theme × buurt × day, with the dedup rule for interventions that
two sources record). The Briefing, Trends, the source pages, the map, the buurt profile, the
factsheet, the snapshot and every export take their numbers from `values` (one area, one
period) or from the fact queries at the grain they show; disclosure control is applied to
what is shown together, by `privacy` (documents) and `lattice` (the bestuur role).

Pure Python; the `db` argument is anything with `.query(name, **params) -> polars` over the
served database (queries.Served, or the test helper over a connection).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dijkwacht.sources import SOURCES

# About 1 in 6 grow sites is found (programme §5.1): an assumption, shown as a band.
DISCOVERY_FACTOR = 6
DISCOVERY_BAND = (4, 8)


@dataclass(frozen=True)
class Bron:
    naam: str             # Dutch label of what the source counts
    leverancier: str      # who delivers it, as named in captions ("Bron: …")


# The sources as the pages name them (table → label, supplier): a view of the registry.
BRONNEN: dict[str, Bron] = {s.name: Bron(s.counted, s.supplier) for s in SOURCES.values()}
# The sources whose latest record date is the data's *stand per* (DESIGN §5): planned
# activities and ownership extracts never move it.
EVENT_SOURCES = tuple(s.name for s in SOURCES.values() if s.event)
# Enforcement output is not prevalence (DESIGN §5): the label every such chart carries.
HANDHAVING_LABEL = "handhavingsoutput, geen omvang"
ASSUMPTION_LABEL = "aanname: 1 op 6 kwekerijen wordt gevonden"
DEDUP_RULE = ("Een maatregel die zowel bij de kwekerij (politie) als bij de controle daarna "
              "(gemeente) is vastgelegd, telt één keer: zelfde adres, zelfde maatregel, "
              "binnen 60 dagen na de ontmanteling.")

# How a measure's value is made from the fact table.
TELLING = "telling"        # sum of `aantal` of fact `maat`
SOM = "som"                # sum of `som` of fact `maat` (an amount)
GEMIDDELDE = "gemiddelde"  # sum of `som` / sum of `aantal` of fact `maat`
AANDEEL = "aandeel"        # 100 × aantal(`maat`) / aantal(`noemer`)
UNIEK = "uniek"            # a distinct count from detail rows (not additive): `query`


@dataclass(frozen=True)
class Measure:
    code: str
    naam: str                  # Dutch label
    definitie: str             # Dutch, one sentence
    bronnen: tuple[str, ...]   # the source tables it counts from
    eenheid: str               # aantal | euro | procent | planten | deelnemers
    soort: str                 # TELLING | SOM | GEMIDDELDE | AANDEEL | UNIEK
    maat: str                  # the fact (feiten.maat) it reads; for UNIEK the query name
    noemer: str | None = None  # AANDEEL: the fact of the denominator
    handhaving: bool = False   # enforcement output, not prevalence
    plaats: bool = True        # False: the records have no location (no figure within an area)
    volgt: tuple[str, ...] = ()   # disclosure: the count measures this derived figure follows

    @property
    def telling(self) -> bool:
        """A count of records: disclosure control applies to it as a count."""
        return self.soort in (TELLING, UNIEK)

    @property
    def bron(self) -> str:
        return self.bronnen[0]


MEASURES: tuple[Measure, ...] = (
    Measure("hennep_ontmanteld", "Ontmantelde hennepkwekerijen",
            "Aantal door politie of Omgevingsdienst ontmantelde kwekerijen (handhavingsoutput, geen omvang).",
            ("hennepkwekerijen",), "aantal", TELLING, "hennepkwekerijen", handhaving=True),
    Measure("hennep_planten_gemiddeld", "Planten per kwekerij (gemiddeld)",
            "Gemiddeld aantal aangetroffen planten per ontmantelde kwekerij met een bekend aantal.",
            ("hennepkwekerijen",), "planten", GEMIDDELDE, "hennep_planten",
            volgt=("hennep_ontmanteld",)),
    Measure("transacties_aantal", "Verdachte transacties",
            "Aantal door de FIU verdacht verklaarde transacties, naar transactiedatum.",
            ("verdachte_transacties",), "aantal", TELLING, "verdachte_transacties"),
    Measure("transacties_bedrag", "Bedrag verdachte transacties",
            "Totaalbedrag van dezelfde verdachte transacties.",
            ("verdachte_transacties",), "euro", SOM, "verdachte_transacties",
            volgt=("transacties_aantal",)),
    Measure("transacties_subjecten", "Betrokken personen en bedrijven",
            "Aantal unieke personen en rechtspersonen in de verdachte transacties.",
            ("verdachte_transacties",), "aantal", UNIEK, "transacties_subjecten"),
    Measure("signalen_aantal", "Signalen meldpunt",
            "Aantal signalen ontvangen door het meldpunt ondermijning.",
            ("signalen",), "aantal", TELLING, "signalen"),
    Measure("signalen_terugkoppeling_pct", "Melders met terugkoppeling",
            "Aandeel van de niet-anonieme melders dat een terugkoppeling kreeg.",
            ("signalen",), "procent", AANDEEL, "signalen_teruggekoppeld",
            noemer="signalen_beantwoordbaar", volgt=("signalen_aantal",)),
    Measure("controles_aantal", "Controles en Bibob-toetsen",
            "Aantal uitgevoerde controles en Bibob-toetsen (handhavingsoutput).",
            ("controles",), "aantal", TELLING, "controles", handhaving=True),
    Measure("controles_bevindingen_pct", "Controles met bevindingen",
            "Aandeel van de controles (zonder Bibob) met een overtreding of bevinding.",
            ("controles",), "procent", AANDEEL, "controles_met_bevindingen",
            noemer="controles_zonder_bibob", handhaving=True, volgt=("controles_aantal",)),
    Measure("sluitingen", "Sluitingen",
            "Aantal panden gesloten door de burgemeester, na een kwekerij of een controle "
            "(dezelfde sluiting bij beide één keer).",
            ("hennepkwekerijen", "controles"), "aantal", TELLING, "sluitingen", handhaving=True),
    Measure("dwangsommen_aantal", "Lasten onder dwangsom",
            "Aantal opgelegde lasten onder dwangsom, na een kwekerij of een controle "
            "(dezelfde last bij beide één keer).",
            ("hennepkwekerijen", "controles"), "aantal", TELLING, "dwangsommen", handhaving=True),
    Measure("dwangsommen_met_bedrag", "Lasten onder dwangsom met bekend bedrag",
            "Aantal lasten onder dwangsom waarvan de controle het bedrag vastlegde.",
            ("controles",), "aantal", TELLING, "dwangsommen_met_bedrag", handhaving=True),
    Measure("dwangsommen_bedrag", "Bedrag dwangsommen",
            "Totaalbedrag van de lasten onder dwangsom met bekend bedrag.",
            ("controles",), "euro", SOM, "dwangsommen_met_bedrag", handhaving=True,
            volgt=("dwangsommen_aantal", "dwangsommen_met_bedrag")),
    Measure("bibob_toetsen", "Bibob-toetsen",
            "Aantal afgeronde Bibob-toetsen.",
            ("controles",), "aantal", TELLING, "bibob_toetsen", handhaving=True),
    Measure("bibob_geweigerd", "Bibob: geweigerd of ingetrokken",
            "Aantal vergunningen geweigerd of ingetrokken na een Bibob-toets.",
            ("controles",), "aantal", TELLING, "bibob_geweigerd", handhaving=True),
    Measure("activiteiten_aantal", "Activiteiten programma",
            "Trainingen, bijeenkomsten en campagnes van het programma (pijler 2 en 3).",
            ("activiteiten",), "aantal", TELLING, "activiteiten", plaats=False),
    Measure("activiteiten_deelnemers", "Deelnemers activiteiten",
            "Aantal deelnemers aan de activiteiten van pijler 2 en 3.",
            ("activiteiten",), "deelnemers", SOM, "activiteiten_deelnemers", plaats=False,
            volgt=("activiteiten_aantal",)),
)

# Faciliterende branches (issue 19): from the KvK extract (vestigingen), facts built at load
# by dijkwacht/sql/build/feiten_branches.sql (branche_figures.build_facts). Kept apart from
# MEASURES — the Briefing, the bestuur's protection and the factsheet iterate MEASURES — so
# a page or the factsheet takes them up by choice: values(..., measures=BRANCHE_MEASURES).
# Per 1.000 inhabitants is branches_actief over the area's population (as maps.MIN_INWONERS:
# no rate below 150 inhabitants); the registry has no rate kind of its own.
BRANCHE_MEASURES: tuple[Measure, ...] = (
    Measure("branches_actief", "Faciliterende vestigingen",
            "Aantal actieve vestigingen in een faciliterende branche (data/branches.toml) aan het "
            "eind van de periode.",
            ("vestigingen",), "aantal", UNIEK, "branches/feit_actief"),
    Measure("branches_inschrijvingen", "Inschrijvingen faciliterende branches",
            "Aantal nieuw ingeschreven vestigingen in een faciliterende branche.",
            ("vestigingen",), "aantal", TELLING, "branche_inschrijvingen"),
    Measure("branches_opheffingen", "Opheffingen faciliterende branches",
            "Aantal opgeheven vestigingen in een faciliterende branche.",
            ("vestigingen",), "aantal", TELLING, "branche_opheffingen"),
    Measure("branches_binnen_jaar_pct", "Binnen een jaar opgeheven",
            "Aandeel van de in de periode ingeschreven faciliterende vestigingen (waarvan de 12 maanden "
            "voorbij zijn) dat binnen 12 maanden is opgeheven.",
            ("vestigingen",), "procent", AANDEEL, "branche_binnen_12_maanden",
            noemer="branche_beoordeeld", volgt=("branches_inschrijvingen",)),
)

BY_CODE = {m.code: m for m in MEASURES}
HEADLINE = ("hennep_ontmanteld", "transacties_aantal", "signalen_aantal", "controles_aantal",
            "sluitingen", "bibob_geweigerd")
# Backwards-compatible names: the indicator set is the registry.
INDICATORS = MEASURES
Indicator = Measure

# Map layers and the Briefing's per-wijk table read facts directly: layer → fact.
LAYERS = {
    "hennepkwekerijen": "hennepkwekerijen", "verdachte_transacties": "verdachte_transacties",
    "signalen": "signalen", "controles": "controles", "sluitingen": "sluitingen",
    "dwangsommen": "dwangsommen", "waarschuwingen": "waarschuwingen",
    "bibob_toetsen": "bibob_toetsen", "bibob_geweigerd": "bibob_geweigerd",
}
# The event sources counted per place in the fact table (each a map layer): the sources of
# the Briefing, Trends, the map and the snapshot. A new source shows there once it has facts.
COUNTED_SOURCES = tuple(b for b in EVENT_SOURCES if b in LAYERS)
# "Zaken" on the Briefing: the problem sources together (controles are enforcement output).
ZAKEN = tuple(s.name for s in SOURCES.values() if s.problem)


def derive(measure: Measure, facts: dict[str, tuple[int, float | None]]) -> float | None:
    """A measure's value from fact totals {maat: (aantal, som)} for one area and period."""
    aantal, som = facts.get(measure.maat, (0, None))
    if measure.soort == TELLING:
        return int(aantal)
    if measure.soort == SOM:
        return float(som or 0.0)
    if measure.soort == GEMIDDELDE:
        return round(som / aantal, 0) if aantal else None
    if measure.soort == AANDEEL:
        noemer = facts.get(measure.noemer, (0, None))[0]
        return round(100.0 * aantal / noemer, 1) if noemer else None
    raise ValueError(f"{measure.code}: {measure.soort} komt niet uit de feitentabel")


def values(db, van: date, tot: date, buurten: list[str] | tuple[str, ...] | None = None,
           thema: str | None = None, measures: tuple[Measure, ...] = MEASURES) -> dict[str, float | None]:
    """Every measure's exact value for [van, tot) within `buurten` (None = the whole city),
    computed from that area's rows. Measures without a location are None within an area.
    `measures`: the registry's MEASURES, or another tuple of it (BRANCHE_MEASURES)."""
    area = list(buurten) if buurten is not None else None
    frame = db.query("feiten_totalen", van=van, tot=tot, buurten=area, thema=thema or "alle")
    facts = {r["maat"]: (int(r["aantal"]), r["som"]) for r in frame.iter_rows(named=True)}
    out: dict[str, float | None] = {}
    for m in measures:
        if area is not None and not m.plaats:
            out[m.code] = None
        elif m.soort == UNIEK:
            result = db.query(m.maat, van=van, tot=tot, buurten=area)
            out[m.code] = int(result["waarde"][0]) if result.height else 0
        else:
            out[m.code] = derive(m, facts)
    return out


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def latest_complete_year(stand_per: date) -> int:
    """The last calendar year that lies wholly before the data's *stand per*."""
    return stand_per.year if (stand_per.month, stand_per.day) == (12, 31) else stand_per.year - 1


def estimate_band(found: int) -> tuple[int, int, int]:
    """(low, central, high) estimate of grow sites present, from the number found."""
    low, high = DISCOVERY_BAND
    return found * low, found * DISCOVERY_FACTOR, found * high
