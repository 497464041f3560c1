"""Unit tests of the indicator set on an in-memory database built from schema.sql."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from dijkwacht import queries
from dijkwacht.measures import BY_CODE, INDICATORS, estimate_band, latest_complete_year

Y2024 = dict(van=date(2024, 1, 1), tot=date(2025, 1, 1))


def value(con, code, buurten=None, **period):
    params = {**(period or Y2024), "buurten": buurten}
    return con.sql(queries.sql(BY_CODE[code].query), params=params).fetchall()[0][0]


@pytest.fixture
def filled(memdb):
    memdb.executemany(
        "INSERT INTO hennepkwekerijen (registratienummer, datum_ontmanteling, buurtcode, aantal_planten, "
        "maatregel, bestand_sha256) VALUES (?, ?, ?, ?, ?, 'x')",
        [("H1", date(2024, 1, 1), "BU05050202", 100, "sluiting"),
         ("H2", date(2024, 12, 31), "BU05050505", 300, "last onder dwangsom"),
         ("H3", date(2025, 1, 1), "BU05050202", 50, None),       # outside the period
         ("H4", date(2024, 6, 1), None, None, None)])            # unknown buurt still counts city-wide
    memdb.executemany(
        "INSERT INTO controles (controlenummer, datum, soort, buurtcode, uitkomst, maatregel, bedrag_dwangsom, "
        "bevindingen, bestand_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'x')",
        [("C1", date(2024, 3, 1), "woningcontrole", "BU05050202", "overtreding", "last onder dwangsom", 30000, ["drugs"]),
         ("C2", date(2024, 3, 2), "bibob-toets", "BU05050202", "bibob: geweigerd", "geen", None, []),
         ("C3", date(2024, 3, 3), "horecacontrole", "BU05050505", "geen overtreding", "sluiting", None, [])])
    memdb.executemany(
        "INSERT INTO signalen (signaalnummer, ontvangen_op, kanaal, melder_type, teruggekoppeld_op, buurtcode, "
        "bestand_sha256) VALUES (?, ?, ?, ?, ?, ?, 'x')",
        [("S1", datetime(2024, 5, 1, 9), "e-mail", "bewoner", date(2024, 5, 3), "BU05050202"),
         ("S2", datetime(2024, 5, 2, 9), "telefoon", "ondernemer", None, "BU05050202"),
         ("S3", datetime(2024, 5, 3, 9), "meld misdaad anoniem", "anoniem", None, None)])
    memdb.executemany(
        "INSERT INTO activiteiten VALUES (?, ?, ?, ?, ?, 'x')",
        [(date(2024, 4, 1), "Training", 2, "training", 20), (date(2024, 9, 1), "Bijeenkomst", 3, "bijeenkomst", 35)])
    return memdb


def test_every_indicator_query_runs_on_the_schema(memdb):
    for indicator in INDICATORS:
        rows = memdb.sql(queries.sql(indicator.query), params={**Y2024, "buurten": None}).fetchall()
        assert len(rows) == 1, indicator.code


def test_counts_respect_period_and_area(filled):
    assert value(filled, "hennep_ontmanteld") == 3
    assert value(filled, "hennep_ontmanteld", buurten=["BU05050202"]) == 1
    assert value(filled, "hennep_planten_gemiddeld") == 200
    assert value(filled, "controles_aantal") == 3
    assert value(filled, "bibob_toetsen") == 1
    assert value(filled, "bibob_geweigerd") == 1


def test_interventions_combine_sources(filled):
    assert value(filled, "sluitingen") == 2           # H1 + C3
    assert value(filled, "dwangsommen_aantal") == 2   # H2 + C1
    assert value(filled, "dwangsommen_bedrag") == 30000


def test_feedback_share_counts_only_answerable_reporters(filled):
    assert value(filled, "signalen_aantal") == 3
    assert value(filled, "signalen_terugkoppeling_pct") == 50.0


def test_findings_share_excludes_bibob(filled):
    assert value(filled, "controles_bevindingen_pct") == 50.0


def test_activities_are_city_wide_only(filled):
    assert value(filled, "activiteiten_aantal") == 2
    assert value(filled, "activiteiten_deelnemers") == 55
    assert value(filled, "activiteiten_aantal", buurten=["BU05050202"]) is None


def test_latest_complete_year_and_estimate_band():
    assert latest_complete_year(date(2026, 10, 31)) == 2025
    assert latest_complete_year(date(2025, 12, 31)) == 2025
    assert estimate_band(10) == (40, 60, 80)
