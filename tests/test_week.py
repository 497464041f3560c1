"""The security department's week (issue 18, dijkwacht/week.py): the work list's rules on
situations planted in a copy of the demo database.

The planted rows go into the source tables (hennepkwekerijen, signalen, controles,
eigendommen) of the copy; the tables the week reads (feiten, koppeling_*) are then rebuilt
the way etl/load.py does after a load (build_facts, build_linkage). The demo's stand per is
30 October 2026, so the last complete month is September 2026 and the window starts on
30 October 2023.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime

import duckdb
import pytest

from dijkwacht import config, deliveries, linkage, queries, week
from dijkwacht.config import Aanlevering, WeekSettings, WeekSettingsError

STAND = date(2026, 10, 30)
SETTINGS = WeekSettings()
SHA = "0" * 64


def key(label: str) -> str:
    """A planted pseudonymous key: 64 hex characters, unlike any the demo holds."""
    return (label.encode().hex() + "f" * 64)[:64]


# The planted keys and areas.
KNOWN = key("bekend")            # signal + inspection within the window, a new grow site now
OLD = key("oud")                 # only earlier record older than the window
EDGE = key("rand")               # earlier record just inside the window
OWNED = key("eigendom")          # in the ownership extract, an old record, a new signal
OWNED_ONLY = key("alleen")       # in the extract with a recent peildatum, nothing new
SIGNAL_AT = key("signaal")       # the unanswered signal's address
NO_MEASURE = key("zonder")       # grow site without any measure
OWN_MEASURE = key("eigen")       # grow site with its own measure
LATER_MEASURE = key("later")     # grow site, then a dwangsom from an inspection
TIE_A, TIE_B = key("gelijk-a"), key("gelijk-b")    # identical profiles
MORE = key("meer")               # one more registration than the tie
NEWER = key("nieuwer")           # as the tie, but more recent
OWNER = key("eigenaar")

SPIKE_BUURT, SPIKE_WIJK, SPIKE_MONTH = "BU05050704", "WK050507", date(2026, 9, 1)
KNOWN_BUURT, KNOWN_WIJK, KNOWN_FOCUS = "BU05050202", "WK050502", "Lijnbaan (Lijnbaangebied)"
SPIKE_COUNT = 6


def _grow(con, number: str, day: date, adres: str, buurt: str, maatregel: str = "geen",
          owner: str | None = None) -> None:
    con.execute("INSERT INTO hennepkwekerijen (registratienummer, datum_ontmanteling, adres_sleutel, "
                "buurtcode, locatietype, aantal_planten, eigenaar_id, maatregel, bestand_sha256) "
                "VALUES (?, ?, ?, ?, 'woning', 200, ?, ?, ?)", [number, day, adres, buurt, owner, maatregel, SHA])


def _signal(con, number: str, day: date, adres: str, buurt: str, melder: str = "bewoner",
            kanaal: str = "e-mail", status: str = "in behandeling", feedback: date | None = None,
            closed: date | None = None, thema: str = "hennep") -> None:
    con.execute("INSERT INTO signalen (signaalnummer, ontvangen_op, kanaal, melder_type, thema, adres_sleutel, "
                "buurtcode, status, teruggekoppeld_op, afgesloten_op, bestand_sha256) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [number, datetime(day.year, day.month, day.day, 10, 0), kanaal, melder, thema, adres, buurt,
                 status, feedback, closed, SHA])


def _inspection(con, number: str, day: date, adres: str, buurt: str, uitkomst: str = "overtreding",
                maatregel: str = "geen") -> None:
    con.execute("INSERT INTO controles (controlenummer, datum, soort, adres_sleutel, buurtcode, uitkomst, "
                "maatregel, bevindingen, bestand_sha256) VALUES (?, ?, 'woningcontrole', ?, ?, ?, ?, "
                "['overig'], ?)", [number, day, adres, buurt, uitkomst, maatregel, SHA])


def plant(con) -> None:
    b = KNOWN_BUURT
    # a. known keys
    _signal(con, "SIG-2025-90001", date(2025, 3, 10), KNOWN, b, status="afgesloten",
            feedback=date(2025, 3, 15), closed=date(2025, 4, 1))
    _inspection(con, "CTR-2024-90001", date(2024, 6, 1), KNOWN, b)
    _grow(con, "HK-2026-90001", date(2026, 10, 20), KNOWN, b)
    _signal(con, "SIG-2023-90002", date(2023, 6, 1), OLD, b, status="afgesloten", feedback=date(2023, 6, 5),
            closed=date(2023, 6, 9))
    _signal(con, "SIG-2026-90002", date(2026, 10, 25), OLD, b)
    _signal(con, "SIG-2023-90003", date(2023, 11, 15), EDGE, b, status="afgesloten", feedback=date(2023, 11, 20),
            closed=date(2023, 11, 21))
    _signal(con, "SIG-2026-90003", date(2026, 10, 25), EDGE, b)
    _signal(con, "SIG-2020-90004", date(2020, 5, 5), OWNED, b, status="afgesloten", feedback=date(2020, 5, 6),
            closed=date(2020, 5, 7))
    _signal(con, "SIG-2026-90004", date(2026, 10, 22), OWNED, b)
    con.execute("INSERT INTO eigendommen VALUES (?, ?, 'natuurlijk persoon', ?, ?)",
                [OWNED, OWNER, date(2026, 10, 29), SHA])
    con.execute("INSERT INTO eigendommen VALUES (?, ?, 'natuurlijk persoon', ?, ?)",
                [OWNED_ONLY, OWNER, date(2026, 10, 29), SHA])
    # tie-breaking: earlier one signal (one source), new an inspection with a violation
    for k, n in ((TIE_A, 1), (TIE_B, 2), (MORE, 3), (NEWER, 4)):
        _signal(con, f"SIG-2025-9010{n}", date(2025, 1, 10), k, b, status="afgesloten",
                feedback=date(2025, 1, 12), closed=date(2025, 1, 20))
        _inspection(con, f"CTR-2026-9010{n}", date(2026, 10, 25) if k == NEWER else date(2026, 10, 20), k, b)
    _signal(con, "SIG-2025-90105", date(2025, 2, 10), MORE, b, status="afgesloten",
            feedback=date(2025, 2, 12), closed=date(2025, 2, 20))
    # b. a spike: SPIKE_COUNT grow sites in one buurt in September 2026
    for i in range(SPIKE_COUNT):
        _grow(con, f"HK-2026-9100{i}", date(2026, 9, 3 + 3 * i), key(f"piek-{i}"), SPIKE_BUURT)
    # c. problems and measures
    _grow(con, "HK-2026-90010", date(2026, 3, 1), NO_MEASURE, "BU05050801")
    _grow(con, "HK-2026-90011", date(2026, 3, 1), OWN_MEASURE, "BU05050801", maatregel="sluiting")
    _grow(con, "HK-2026-90012", date(2026, 3, 1), LATER_MEASURE, "BU05050801")
    _inspection(con, "CTR-2026-90012", date(2026, 4, 15), LATER_MEASURE, "BU05050801",
                maatregel="last onder dwangsom")
    # d. signals and their answers
    _signal(con, "SIG-2026-90020", date(2026, 10, 1), SIGNAL_AT, "BU05050801")               # overdue
    _signal(con, "SIG-2026-90021", date(2026, 10, 20), SIGNAL_AT, "BU05050801")              # within the term
    _signal(con, "SIG-2026-90022", date(2026, 10, 1), SIGNAL_AT, "BU05050801", melder="anoniem")
    _signal(con, "SIG-2026-90023", date(2026, 10, 1), SIGNAL_AT, "BU05050801", feedback=date(2026, 10, 28))
    _signal(con, "SIG-2026-90024", date(2026, 10, 1), SIGNAL_AT, "BU05050801", status="afgesloten",
            closed=date(2026, 10, 10))


@pytest.fixture(scope="module")
def planted(demo_db, tmp_path_factory):
    """A copy of the demo with the situations above, rebuilt as a load would."""
    from etl.facts import build_facts
    from etl.linkage_tables import build_linkage
    from etl.week_list import build_week_list

    path = tmp_path_factory.mktemp("week") / "dijkwacht.duckdb"
    shutil.copy(demo_db, path)
    con = duckdb.connect(str(path))
    plant(con)
    con.execute("UPDATE meta SET stand_per = ?", [STAND])
    build_facts(con)
    build_linkage(con)
    build_week_list(con)
    yield queries.OnConnection(con)
    con.close()


@pytest.fixture(scope="module")
def work(planted) -> list[week.Item]:
    return week.items(planted, STAND, SETTINGS, [])


def by_id(found: list[week.Item]) -> dict[str, week.Item]:
    ids = [i.id for i in found]
    assert len(ids) == len(set(ids)), "ids are unique"
    return {i.id: i for i in found}


# --- a. new registrations at known keys ----------------------------------------------------------

def test_a_new_grow_site_at_a_known_key_with_its_wijk_buurt_and_focus_area(work):
    item = by_id(work)[f"bekende_sleutel:{KNOWN}"]
    assert (item.kind, item.priority, item.score) == ("bekende_sleutel", 1, 303.0)
    assert (item.since, item.latest) == (date(2026, 10, 20), date(2026, 10, 20))
    assert (item.wijk, item.buurt, item.focus, item.theme) == (KNOWN_WIJK, KNOWN_BUURT, (KNOWN_FOCUS,), "hennep")
    assert item.line == (f"Adressleutel {KNOWN[:10]} in {KNOWN_BUURT}: nieuwe hennepkwekerij op 20 okt 2026; "
                         "eerder 1 controle en 1 signaal (sinds 1 jun 2024).")
    assert item.explanation.startswith("3 bronnen in 3 jaar (controles, hennepkwekerijen, signalen), "
                                       "3 registraties, laatste 10 dagen geleden.")
    assert item.links == (KNOWN[:10], KNOWN_BUURT)


def test_a_key_known_only_before_the_window_is_not_known(work):
    found = by_id(work)
    assert f"bekende_sleutel:{OLD}" not in found
    edge = found[f"bekende_sleutel:{EDGE}"]                 # 15 nov 2023 is inside the window
    assert (edge.priority, edge.score, edge.since) == (2, 102.0, date(2026, 10, 25))   # 1 source, 2
    assert "eerder 1 signaal (op 15 nov 2023)" in edge.line


def test_an_ownership_peildatum_gives_no_recency(work):
    found = by_id(work)
    # ownership makes the key known as owned, but its peildatum (29 oct) is no registration:
    # since, latest and "laatste … geleden" come from the new signal of 22 oct
    item = found[f"bekende_sleutel:{OWNED}"]
    assert (item.since, item.latest, item.score, item.priority) == (date(2026, 10, 22), date(2026, 10, 22), 201.0, 2)
    assert item.line == (f"Adressleutel {OWNED[:10]} in {KNOWN_BUURT}: nieuw signaal op 22 okt 2026; "
                         "in het eigendomsoverzicht.")
    assert item.explanation.startswith("2 bronnen in 3 jaar (eigendommen, signalen), 1 registratie, laatste "
                                       "8 dagen geleden (eigendom telt als bron maar geeft geen datum).")
    # an owned address with a recent peildatum and nothing else is not new
    assert f"bekende_sleutel:{OWNED_ONLY}" not in found
    assert f"bekende_sleutel:{OWNER}" not in found


def test_ties_are_broken_by_the_stated_rules_the_same_on_every_run(planted, work):
    keys = [i.id.split(":", 1)[1] for i in work if i.kind == "bekende_sleutel"]
    tie = sorted([TIE_A, TIE_B])
    # more registrations first, then the most recent, then the key
    assert [k for k in keys if k in (TIE_A, TIE_B, MORE, NEWER)] == [MORE, NEWER, *tie]
    scores = {i.id.split(":", 1)[1]: (i.priority, i.score, i.latest) for i in work if i.kind == "bekende_sleutel"}
    assert scores[MORE] == (2, 203.0, date(2026, 10, 20))
    assert scores[NEWER] == scores[TIE_A][:2] + (date(2026, 10, 25),)
    assert scores[TIE_A] == scores[TIE_B] == (2, 202.0, date(2026, 10, 20))
    again = week.items(planted, STAND, SETTINGS, [])
    assert again == work


# --- b. rises beyond the expected range -----------------------------------------------------------

def _baseline(con, buurt: str, van: date, tot: date) -> int:
    return con.execute("SELECT count(*) FROM hennepkwekerijen WHERE buurtcode = ? AND datum_ontmanteling >= ? "
                       "AND datum_ontmanteling < ?", [buurt, van, tot]).fetchall()[0][0]


def test_a_buurt_spike_is_flagged(planted, work):
    basis = _baseline(planted.con, SPIKE_BUURT, date(2023, 9, 1), SPIKE_MONTH)
    expected = basis / 36
    limit = int(week.upper_limit([expected], 0.01)[0])
    assert SPIKE_COUNT > limit
    found = by_id(work)
    item = found[f"stijging:hennepkwekerijen:{SPIKE_BUURT}:2026-09"]
    assert (item.kind, item.buurt, item.wijk, item.theme, item.since, item.latest) == (
        "stijging", SPIKE_BUURT, SPIKE_WIJK, "hennep", SPIKE_MONTH, date(2026, 9, 18))
    shown = f"{expected:.1f}".replace(".", ",")
    assert item.line == (f"Ontmantelde hennepkwekerijen in buurt {SPIKE_BUURT}: {SPIKE_COUNT} in sep 2026; "
                         f"verwacht {shown} (bovengrens {limit} bij 1% vals alarm).")
    assert f"de 36 maanden sep 2023–aug 2026 in dit gebied ({basis} in totaal" in item.explanation
    assert item.priority == 1                     # far beyond: P(X ≥ 6) < alfa / 10
    # the wijk it lies in rises with it
    assert f"stijging:hennepkwekerijen:{SPIKE_WIJK}:2026-09" in found


def test_a_normal_month_is_not_flagged(planted, demo_con):
    august = week.spike_cells(planted, date(2026, 8, 1), SETTINGS)
    cell = august.filter((august["laag"] == "hennepkwekerijen") & (august["gebied"] == SPIKE_BUURT)).row(0, named=True)
    assert (cell["getest"], cell["gemarkeerd"], cell["aantal"]) == (True, False, 0)
    # the demo itself: September 2026 in that buurt is an ordinary month
    demo = week.spike_cells(queries.OnConnection(demo_con), SPIKE_MONTH, SETTINGS)
    cell = demo.filter((demo["laag"] == "hennepkwekerijen") & (demo["gebied"] == SPIKE_BUURT)).row(0, named=True)
    assert (cell["getest"], cell["gemarkeerd"], cell["aantal"]) == (True, False, 0)
    assert not any(i.kind == "stijging" and SPIKE_BUURT in i.id
                   for i in week.items(queries.OnConnection(demo_con), STAND, SETTINGS, []))


@pytest.mark.parametrize("count, baseline, flagged", [
    (3, 0, True),        # nothing in 3 years, then the minimum: flagged
    (2, 0, False),       # below the minimum count
    (9, 4.1 * 36, False),   # 9 is the upper limit at mean 4.1: not beyond it
    (10, 4.1 * 36, True),
])
def test_the_rule_on_its_own(count, baseline, flagged):
    from scipy.stats import poisson

    expected, limit, chance, verdict = week.spike_rule([count], [baseline], 36, 0.01, 3)
    assert bool(verdict[0]) is flagged
    assert expected[0] == pytest.approx(baseline / 36)
    assert int(limit[0]) == poisson.ppf(0.99, baseline / 36) == (9 if baseline else 0)
    assert chance[0] == pytest.approx(poisson.sf(count - 1, baseline / 36))


def test_an_area_with_the_buurten_of_another_is_tested_once(planted):
    cells = week.spike_cells(planted, SPIKE_MONTH, SETTINGS)
    areas = set(cells["gebied"].to_list())
    assert "BU05050202" in areas and "Lijnbaan (Lijnbaangebied)" not in areas     # focus area = one buurt
    assert "WK050501" in areas and "Centrum/binnenstad" not in areas               # focus area = one wijk
    assert {"Krispijn", "Zeehaven (Zeehavengebied)"} <= areas


# --- c. problems without a measure ----------------------------------------------------------------

def test_a_grow_site_without_any_measure_is_listed(work):
    found = by_id(work)
    item = found[f"zonder_maatregel:{NO_MEASURE}"]
    assert (item.priority, item.score, item.since, item.latest, item.buurt, item.wijk) == (
        1, 1.0, date(2026, 5, 30), date(2026, 3, 1), "BU05050801", "WK050508")
    assert item.line == (f"Adressleutel {NO_MEASURE[:10]} in BU05050801: 1 hennepkwekerij sinds 1 mrt 2026 "
                         "zonder maatregel of Bibob-weigering (termijn 90 dagen).")
    assert f"zonder_maatregel:{OWN_MEASURE}" not in found       # its own measure (sluiting)
    assert f"zonder_maatregel:{LATER_MEASURE}" not in found     # a dwangsom after it


# --- d. signals not answered in time --------------------------------------------------------------

def test_an_unanswered_signal_beyond_the_term_is_listed(work):
    found = by_id(work)
    [item] = [i for i in found.values() if i.kind == "onbeantwoord" and "SIG-2026-90020" in i.line]
    assert item.id == f"onbeantwoord:{SIGNAL_AT}:2026-10-01:hennep"    # never the record number: ids are stored
    assert (item.priority, item.score, item.since, item.latest, item.buurt, item.theme) == (
        2, 15.0, date(2026, 10, 15), date(2026, 10, 1), "BU05050801", "hennep")
    assert item.line == (f"Signaal SIG-2026-90020 (hennep) op adressleutel {SIGNAL_AT[:10]} in BU05050801, "
                         "ontvangen 1 okt 2026: na 29 dagen geen terugkoppeling aan de melder (termijn 14 dagen); "
                         "status in behandeling.")
    for other in ("SIG-2026-90021",     # within the term
                  "SIG-2026-90022",     # anonymous: cannot be answered
                  "SIG-2026-90023",     # answered
                  "SIG-2026-90024"):    # closed
        assert not any(other in i.line for i in found.values())


# --- e. late deliveries ----------------------------------------------------------------------------

def test_an_overdue_source_is_one_levering_item():
    plans = [Aanlevering("hennepkwekerijen", "Politie", None, 10, 3, date(2026, 1, 1)),
             Aanlevering("signalen", "Meldpunt ondermijning", None, 5, 3, date(2026, 1, 1))]
    status = deliveries.status(plans, {"hennepkwekerijen": date(2026, 8, 1), "signalen": date(2026, 11, 2)},
                               date(2026, 11, 20))
    found = week.items(None, None, SETTINGS, status)
    assert [i.id for i in found] == ["levering:hennepkwekerijen"]
    (item,) = found
    assert (item.kind, item.priority, item.score, item.since, item.latest) == (
        "levering", 2, 71.0, date(2026, 9, 10), date(2026, 8, 1))
    assert item.line == "Politie: levering hennepkwekerijen 71 dagen te laat (verwacht uiterlijk 10 sep 2026)."


# --- the list as a whole ---------------------------------------------------------------------------

def test_the_list_is_ordered_and_names_no_address(work):
    assert work == week.order(work)
    assert [i.priority for i in work] == sorted(i.priority for i in work)
    assert all(i.kind in week.KINDS and i.id.startswith(i.kind + ":") for i in work)
    full_keys = {KNOWN, OLD, EDGE, OWNED, SIGNAL_AT, NO_MEASURE, TIE_A, TIE_B, MORE, NEWER}
    for i in work:
        assert not any(k in i.line or k in i.explanation for k in full_keys)   # keys only in short form
        assert all(len(link) <= max(linkage.SHORT, 40) for link in i.links)
        assert i.since <= STAND and i.latest <= STAND


def test_without_a_stand_per_it_reads_the_databases(planted, work):
    assert week.items(planted) == work              # meta's stand per, [week] of gemeente.toml


def test_the_demo_list_is_whole(demo_con):
    """On the demo as it is (its timing: bench/spike_rule.py, docs/benchmarks.md)."""
    found = week.items(queries.OnConnection(demo_con), STAND, SETTINGS, [])
    kinds = {i.kind for i in found}
    assert kinds >= {"bekende_sleutel", "zonder_maatregel", "onbeantwoord"} and "levering" not in kinds


# --- the list stored at load (etl/week_list.py) ---------------------------------------------------

def test_the_stored_list_is_the_computed_list(planted, work):
    """The fixture stores the list as a load does; items() reads it, and it holds exactly
    what computing it on the request gives (the planted items included)."""
    stored = week.stored_items(planted, STAND, SETTINGS)
    assert stored is not None and len(stored) > 20
    assert week.order(stored) == week.order(week.data_items(planted, STAND, SETTINGS)) == work
    assert f"bekende_sleutel:{KNOWN}" in {i.id for i in stored}


def test_a_list_stored_with_other_settings_or_another_stand_per_is_not_used(planted):
    other = WeekSettings(termijn_terugkoppeling_dagen=7)
    assert week.stored_items(planted, STAND, other) is None
    assert week.stored_items(planted, date(2026, 10, 29), SETTINGS) is None
    computed = week.items(planted, STAND, other, [])
    assert computed == week.order(week.data_items(planted, STAND, other))
    assert computed != week.items(planted, STAND, SETTINGS, [])      # the term matters: more are overdue


def test_a_database_without_the_stored_list_computes_it(demo_db, tmp_path):
    """A database built before the list was stored at load (schema version 4)."""
    path = tmp_path / "oud.duckdb"
    shutil.copy(demo_db, path)
    con = duckdb.connect(str(path))
    try:
        db = queries.OnConnection(con)
        stand_per = db.query("meta")["stand_per"][0]
        assert week.stored_items(db, stand_per, config.week()) is not None      # made by the demo's load
        stored = week.items(db, stand_per, config.week(), [])
        con.execute("DROP TABLE weeklijst_bouw")
        con.execute("DROP TABLE weeklijst")
        assert week.stored_items(db, stand_per, config.week()) is None
        assert week.items(db, stand_per, config.week(), []) == stored
    finally:
        con.close()


def test_a_schema_4_database_gets_the_stored_list_at_its_next_load(demo_db, tmp_path):
    """`make run` after an update: every file was loaded before, yet the list is made."""
    from etl.load import run
    from etl.versions import SCHEMA_VERSION

    path = tmp_path / "db" / "dijkwacht.duckdb"
    path.parent.mkdir()
    shutil.copy(demo_db, path)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE weeklijst_bouw")
    con.execute("DROP TABLE weeklijst")
    con.execute("UPDATE meta SET schema_versie = 4")
    con.close()
    reports = run([config.DEMO_DIR], path, demo=True, progress=lambda _: None)
    assert {r.status for r in reports} == {"skipped"}
    con = duckdb.connect(str(path), read_only=True)
    try:
        db = queries.OnConnection(con)
        assert db.query("meta")["schema_versie"][0] == SCHEMA_VERSION
        assert week.stored_items(db, db.query("meta")["stand_per"][0], config.week()) is not None
    finally:
        con.close()


def test_a_wrong_week_section_at_load_leaves_no_stored_list(demo_db, tmp_path, monkeypatch):
    from etl.week_list import build_week_list

    def wrong():
        raise WeekSettingsError("[week] alfa moet een getal zijn")

    path = tmp_path / "fout.duckdb"
    shutil.copy(demo_db, path)
    con = duckdb.connect(str(path))
    try:
        monkeypatch.setattr(config, "week", wrong)
        build_week_list(con)
        assert queries.OnConnection(con).query("week/lijst_aanwezig").height == 0
    finally:
        con.close()


# --- [week] in gemeente.toml ------------------------------------------------------------------------

def _toml(tmp_path, text: str):
    path = tmp_path / "gemeente.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_settings_default_and_parse(tmp_path):
    (tmp_path / "leeg").mkdir()
    assert config._load_week(_toml(tmp_path / "leeg", '[gemeente]\nnaam = "X"\n')) == WeekSettings()
    assert config.week() == WeekSettings(3, 28, 90, 14, 0.01, 3, 36)       # data/gemeente.toml
    got = config._load_week(_toml(tmp_path, "[week]\nnieuw_dagen = 14\nalfa = 0.05\n"))
    assert (got.nieuw_dagen, got.alfa, got.venster_jaren) == (14, 0.05, 3)


@pytest.mark.parametrize("text, named", [
    ("[week]\nvenster_jaar = 3\n", r"\[week\] venster_jaar: onbekende sleutel"),
    ("[week]\nnieuw_dagen = 0\n", r"\[week\] nieuw_dagen moet een geheel getal van 1 tot en met 366"),
    ("[week]\nnieuw_dagen = true\n", r"\[week\] nieuw_dagen moet een geheel getal"),
    ("[week]\nalfa = 1\n", r"\[week\] alfa moet een kans"),
    ("[week]\nalfa = \"1%\"\n", r"\[week\] alfa moet een kans"),
    ("[week]\nminimum_aantal = 2.5\n", r"\[week\] minimum_aantal moet een geheel getal"),
    ("[week]\nvenster_jaren = 1\ntermijn_maatregel_dagen = 400\n",
     r"\[week\] termijn_maatregel_dagen moet korter zijn dan het venster van 1 jaar"),
    ("week = 3\n", r"\[week\] moet een tabel zijn"),
])
def test_a_wrong_setting_is_named_in_dutch(tmp_path, text, named):
    with pytest.raises(WeekSettingsError, match=named):
        config._load_week(_toml(tmp_path, text))
