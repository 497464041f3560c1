"""The measure registry on an in-memory database built from schema.sql: the fact table is
built by the ETL's own script, every figure read through measures.values."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from dijkwacht import measures, queries
from dijkwacht.measures import MEASURES
from etl.facts import build_facts

Y2024 = dict(van=date(2024, 1, 1), tot=date(2025, 1, 1))


def value(con, code, buurten=None, **period):
    build_facts(con)
    p = period or Y2024
    return measures.values(queries.OnConnection(con), p["van"], p["tot"], buurten)[code]


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


def test_every_measure_has_a_value_on_an_empty_database(memdb):
    build_facts(memdb)
    values = measures.values(queries.OnConnection(memdb), **Y2024)
    assert set(values) == {m.code for m in MEASURES}
    counts = {m.code for m in MEASURES if m.telling}
    assert all(values[c] == 0 for c in counts)


def test_an_intervention_recorded_twice_counts_once(memdb):
    """The police record the measure on the grow site and the municipality again on the
    inspection that follows (DEDUP_RULE): same address key, same measure, within 60 days."""
    memdb.executemany(
        "INSERT INTO hennepkwekerijen (registratienummer, datum_ontmanteling, adres_sleutel, buurtcode, "
        "maatregel, bestand_sha256) VALUES (?, ?, ?, 'BU05050202', ?, 'x')",
        [("H1", date(2024, 3, 1), "A", "last onder dwangsom"),
         ("H2", date(2024, 3, 1), "B", "bestuurlijke waarschuwing"),
         ("H3", date(2024, 3, 1), "C", "sluiting")])
    memdb.executemany(
        "INSERT INTO controles (controlenummer, datum, soort, adres_sleutel, buurtcode, uitkomst, maatregel, "
        "bedrag_dwangsom, bestand_sha256) VALUES (?, ?, 'woningcontrole', ?, 'BU05050202', 'overtreding', ?, ?, 'x')",
        [("C1", date(2024, 3, 20), "A", "last onder dwangsom", 30000),     # the same dwangsom
         ("C2", date(2024, 6, 1), "B", "bestuurlijke waarschuwing", None),  # 92 days later: a second one
         ("C3", date(2024, 3, 5), "D", "sluiting", None)])                  # another address
    assert value(memdb, "dwangsommen_aantal") == 1
    assert value(memdb, "dwangsommen_bedrag") == 30000         # over the same record
    assert value(memdb, "dwangsommen_met_bedrag") == 1
    assert value(memdb, "sluitingen") == 2
    facts = dict(memdb.sql("SELECT maat, sum(aantal) FROM feiten WHERE thema = 'alle' "
                           "AND maat = 'waarschuwingen' GROUP BY maat").fetchall())
    assert facts == {"waarschuwingen": 2}


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


def test_activities_are_pillars_2_and_3_and_city_wide_only(filled):
    filled.execute("INSERT INTO activiteiten VALUES ('2024-05-01', 'Aanpak', 1, 'overig', 40, 'x')")
    assert value(filled, "activiteiten_aantal") == 2             # pillar 1 is not counted
    assert value(filled, "activiteiten_deelnemers") == 55
    assert value(filled, "activiteiten_aantal", buurten=["BU05050202"]) is None


def test_family_case_interventions_counted_once(demo_con, memdb):
    """The programme's example case: 5 grow sites, each with a measure; 3 warnings and the
    €30,000 dwangsom were recorded on the grow site and again on the inspection after it;
    2 benefits stopped. 11 records, 7 interventions — counted by the real fact build over
    the family's records alone."""
    family = demo_con.execute(
        "SELECT eigenaar_id FROM eigendommen GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
    addresses = [r[0] for r in demo_con.execute(
        "SELECT adres_sleutel FROM eigendommen WHERE eigenaar_id = ?", [family]).fetchall()]
    for table in ("hennepkwekerijen", "controles"):
        rows = demo_con.sql(f"SELECT * FROM {table} WHERE list_contains($a, adres_sleutel)",
                            params={"a": addresses}).pl()
        memdb.register("rows", rows)
        memdb.execute(f"INSERT INTO {table} SELECT * FROM rows")
        memdb.unregister("rows")
    records = memdb.execute(
        "SELECT (SELECT count(*) FROM hennepkwekerijen WHERE maatregel IN "
        "('sluiting', 'last onder dwangsom', 'bestuurlijke waarschuwing'))"
        " + (SELECT count(*) FROM controles WHERE maatregel <> 'geen')").fetchall()[0][0]
    assert records == 11
    build_facts(memdb)
    counted = dict(memdb.execute(
        "SELECT maat, sum(aantal) FROM feiten WHERE thema = 'alle' AND maat IN "
        "('sluitingen', 'dwangsommen', 'waarschuwingen') GROUP BY maat").fetchall())
    assert counted == {"sluitingen": 1, "dwangsommen": 1, "waarschuwingen": 3}
    stopped = memdb.execute("SELECT count(*) FROM controles WHERE maatregel = 'uitkering stopgezet'").fetchall()[0][0]
    assert sum(counted.values()) + stopped == 7
