"""The indicator set (DESIGN §5), defined once: the Briefing, the pages and the factsheet
all take their figures from here.

Each indicator names its query in dijkwacht/sql/; every query takes the period
[$van, $tot) and an optional list of buurt codes ($buurten, NULL = whole city).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# About 1 in 6 grow sites is found (programme §5.1): an assumption, shown as a band.
DISCOVERY_FACTOR = 6
DISCOVERY_BAND = (4, 8)


@dataclass(frozen=True)
class Bron:
    naam: str             # Dutch label of what the source counts
    leverancier: str      # who delivers it, as named in captions ("Bron: …")


# The sources as the pages name them (table → label, supplier).
BRONNEN: dict[str, Bron] = {
    "hennepkwekerijen": Bron("Ontmantelde hennepkwekerijen", "politie en Omgevingsdienst"),
    "verdachte_transacties": Bron("Verdachte transacties", "FIU-Nederland via het RIEC"),
    "signalen": Bron("Signalen meldpunt", "meldpunt ondermijning gemeente"),
    "controles": Bron("Controles en Bibob-toetsen", "gemeente, politie en partners"),
    "eigendommen": Bron("Eigendommen", "Kadaster/WOZ-uittreksel"),
    "activiteiten": Bron("Activiteiten programma", "programma ondermijning gemeente"),
}
# Enforcement output is not prevalence (DESIGN §5): the label every such chart carries.
HANDHAVING_LABEL = "handhavingsoutput, geen omvang"
ASSUMPTION_LABEL = "aanname: 1 op 6 kwekerijen wordt gevonden"


@dataclass(frozen=True)
class Indicator:
    code: str
    naam: str             # Dutch label
    definitie: str        # Dutch, one sentence
    bron: str             # source table
    eenheid: str          # aantal | euro | procent | planten | deelnemers
    query: str            # file in dijkwacht/sql/ (without .sql)
    handhaving: bool = False   # enforcement output, not prevalence
    telling: bool = True       # a count of records (disclosure control applies as a count)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("hennep_ontmanteld", "Ontmantelde hennepkwekerijen",
              "Aantal door politie of Omgevingsdienst ontmantelde kwekerijen (handhavingsoutput, geen omvang).",
              "hennepkwekerijen", "aantal", "hennep_ontmanteld", handhaving=True),
    Indicator("hennep_planten_gemiddeld", "Planten per kwekerij (gemiddeld)",
              "Gemiddeld aantal aangetroffen planten per ontmantelde kwekerij.",
              "hennepkwekerijen", "planten", "hennep_planten_gemiddeld", telling=False),
    Indicator("transacties_aantal", "Verdachte transacties",
              "Aantal door de FIU verdacht verklaarde transacties, naar transactiedatum.",
              "verdachte_transacties", "aantal", "transacties_aantal"),
    Indicator("transacties_bedrag", "Bedrag verdachte transacties",
              "Totaalbedrag van de verdachte transacties.",
              "verdachte_transacties", "euro", "transacties_bedrag", telling=False),
    Indicator("transacties_subjecten", "Betrokken personen en bedrijven",
              "Aantal unieke personen en rechtspersonen in verdachte transacties.",
              "verdachte_transacties", "aantal", "transacties_subjecten"),
    Indicator("signalen_aantal", "Signalen meldpunt",
              "Aantal signalen ontvangen door het meldpunt ondermijning.",
              "signalen", "aantal", "signalen_aantal"),
    Indicator("signalen_terugkoppeling_pct", "Melders met terugkoppeling",
              "Aandeel van de niet-anonieme melders dat een terugkoppeling kreeg.",
              "signalen", "procent", "signalen_terugkoppeling_pct", telling=False),
    Indicator("controles_aantal", "Controles en Bibob-toetsen",
              "Aantal uitgevoerde controles en Bibob-toetsen (handhavingsoutput).",
              "controles", "aantal", "controles_aantal", handhaving=True),
    Indicator("controles_bevindingen_pct", "Controles met bevindingen",
              "Aandeel van de controles (zonder Bibob) met een overtreding of bevinding.",
              "controles", "procent", "controles_bevindingen_pct", handhaving=True, telling=False),
    Indicator("sluitingen", "Sluitingen",
              "Aantal panden gesloten door de burgemeester (na een kwekerij of een controle).",
              "controles", "aantal", "sluitingen", handhaving=True),
    Indicator("dwangsommen_aantal", "Lasten onder dwangsom",
              "Aantal opgelegde lasten onder dwangsom.",
              "controles", "aantal", "dwangsommen_aantal", handhaving=True),
    Indicator("dwangsommen_bedrag", "Bedrag dwangsommen",
              "Totaalbedrag van de opgelegde lasten onder dwangsom.",
              "controles", "euro", "dwangsommen_bedrag", handhaving=True, telling=False),
    Indicator("bibob_toetsen", "Bibob-toetsen",
              "Aantal afgeronde Bibob-toetsen.",
              "controles", "aantal", "bibob_toetsen", handhaving=True),
    Indicator("bibob_geweigerd", "Bibob: geweigerd of ingetrokken",
              "Aantal vergunningen geweigerd of ingetrokken na een Bibob-toets.",
              "controles", "aantal", "bibob_geweigerd", handhaving=True),
    Indicator("activiteiten_aantal", "Activiteiten programma",
              "Trainingen, bijeenkomsten en campagnes van het programma (pijler 2 en 3).",
              "activiteiten", "aantal", "activiteiten_aantal"),
    Indicator("activiteiten_deelnemers", "Deelnemers activiteiten",
              "Aantal deelnemers aan de activiteiten van het programma.",
              "activiteiten", "deelnemers", "activiteiten_deelnemers", telling=False),
)

BY_CODE = {i.code: i for i in INDICATORS}
HEADLINE = ("hennep_ontmanteld", "transacties_aantal", "signalen_aantal", "controles_aantal",
            "sluitingen", "bibob_geweigerd")


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def latest_complete_year(stand_per: date) -> int:
    """The last calendar year that lies wholly before the data's *stand per*."""
    return stand_per.year if (stand_per.month, stand_per.day) == (12, 31) else stand_per.year - 1


def estimate_band(found: int) -> tuple[int, int, int]:
    """(low, central, high) estimate of grow sites present, from the number found."""
    low, high = DISCOVERY_BAND
    return found * low, found * DISCOVERY_FACTOR, found * high
