"""Faciliterende branches (issue 19, part 2): the page per role, the Kaart layer, the registry's
branche measures. Every figure on screen is checked against dijkwacht.branches computed
directly from the table's rows here — not against the page's own helpers.

The data: the demo database with a `vestigingen` table filled here (the agreed schema), with
vestigingen planted at the address keys of grow sites, inspections with findings, a Bibob
refusal and suspicious transactions; the facts added as the ETL's hook does
(branche_figures.build_facts).
"""
from __future__ import annotations

import hashlib
import random
import shutil
from datetime import date, timedelta

import duckdb
import polars as pl
import pytest
from apptest_support import app_for, on_tab

from dijkwacht import access, branches, formats, linkage, maps, measures, queries
from dijkwacht import branche_figures as bf
from dijkwacht.app import data
from dijkwacht.filters import Period

YEAR = 2025
PERIOD = Period(date(YEAR, 1, 1), date(YEAR + 1, 1, 1))
DAY = date(YEAR, 12, 31)
QUERY = {"periode": "jaar", "jaar": str(YEAR)}
VESTIGINGEN = """CREATE TABLE IF NOT EXISTS vestigingen (
    vestigingsnummer VARCHAR NOT NULL, kvk_nummer VARCHAR, sbi_code VARCHAR NOT NULL,
    rechtsvorm VARCHAR, datum_inschrijving DATE NOT NULL, datum_opheffing DATE,
    adres_sleutel VARCHAR, buurtcode VARCHAR, bestand_sha256 VARCHAR NOT NULL)"""
FACILITATING = ("45111", "4519", "77111", "66193", "4777", "4779", "52109", "78201", "4742",
                "96021", "5630", "6810")
OTHER = ("4711", "6201", "7022", "8559", "4321", "8690")


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    """Plausible rows: a concentration of the car trade in the port buurten, quick closures,
    and vestigingen planted (registered in 2020, never closed) at keys with events in YEAR."""
    rng = random.Random(19)
    con.execute(VESTIGINGEN)
    con.execute("DELETE FROM vestigingen")
    buurten = [r[0] for r in con.sql("SELECT buurtcode FROM buurten WHERE NOT water AND in_2020 "
                                     "ORDER BY 1").fetchall()]
    port = ["BU05051904", "BU05051903", "BU05051910"]
    rows = []
    for i in range(3000):
        fac = rng.random() < 0.35
        sbi = rng.choice(FACILITATING if fac else OTHER)
        buurt = rng.choice(port) if sbi == "45111" and rng.random() < 0.6 else rng.choice(buurten)
        start = date(2014, 1, 1) + timedelta(days=rng.randrange(4700))
        q = rng.random()
        end = (start + timedelta(days=rng.randrange(20, 366)) if q < 0.15 else
               start + timedelta(days=rng.randrange(366, 3000)) if q < 0.35 else None)
        end = end if end and end <= date(2026, 10, 1) else None
        rows.append((_h(f"v{i}"), _h(f"k{i}"), sbi, "bv", start, end, _h(f"adres{i}"),
                     None if rng.random() < 0.02 else buurt, "0" * 64))
    planted = con.sql(f"""
        SELECT * FROM (SELECT adres_sleutel, buurtcode FROM hennepkwekerijen WHERE year(datum_ontmanteling) = {YEAR}
                       AND adres_sleutel IS NOT NULL LIMIT 3)
        UNION ALL SELECT * FROM (SELECT adres_sleutel, buurtcode FROM controles WHERE year(datum) = {YEAR}
                       AND uitkomst = 'overtreding' AND adres_sleutel IS NOT NULL LIMIT 3)
        UNION ALL SELECT * FROM (SELECT adres_sleutel, buurtcode FROM controles WHERE year(datum) = {YEAR}
                       AND soort = 'bibob-toets' AND adres_sleutel IS NOT NULL
                       ORDER BY uitkomst IN ('bibob: geweigerd', 'bibob: ingetrokken') DESC, controlenummer
                       LIMIT 4)
        UNION ALL SELECT * FROM (SELECT adres_sleutel, buurtcode FROM verdachte_transacties
                       WHERE year(datum) = {YEAR} AND adres_sleutel IS NOT NULL LIMIT 3)""").fetchall()
    for j, (key, buurt) in enumerate(planted):
        rows.append((_h(f"p{j}"), _h(f"pk{j}"), FACILITATING[j % len(FACILITATING)], "vof", date(2020, 3, 1),
                     None, key, buurt, "0" * 64))
    con.executemany("INSERT INTO vestigingen VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _copy(demo_db, tmp_path_factory, name: str, change) -> str:
    path = tmp_path_factory.mktemp(name) / "dijkwacht.duckdb"
    shutil.copy(demo_db, path)
    con = duckdb.connect(str(path))
    try:
        change(con)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def branche_db(demo_db, tmp_path_factory):
    def change(con):
        _fill(con)
        bf.build_facts(con)         # what the ETL's hook does after feiten.sql
    return _copy(demo_db, tmp_path_factory, "branches", change)


@pytest.fixture
def served(branche_db, monkeypatch):
    monkeypatch.setenv("DIJKWACHT_DB", str(branche_db))
    monkeypatch.setenv("DIJKWACHT_STATE", str(branche_db.with_name("state.sqlite")))
    return branche_db


@pytest.fixture(scope="module")
def rows(branche_db) -> dict:
    """The source tables as frames, read directly (the app's own connection settings)."""
    con = queries.open_hardened(branche_db)
    try:
        return {"vestigingen": con.sql("SELECT * FROM vestigingen").pl(),
                "hennepkwekerijen": con.sql("SELECT * FROM hennepkwekerijen").pl(),
                "controles": con.sql("SELECT * FROM controles").pl(),
                "verdachte_transacties": con.sql("SELECT * FROM verdachte_transacties").pl()}
    finally:
        con.close()


GROUPS = branches.load_groups()
LABELS = {g.sleutel: g.label for g in GROUPS}


def _active(vest: pl.DataFrame, day: date) -> pl.DataFrame:
    return vest.filter((pl.col("datum_inschrijving") <= day)
                       & (pl.col("datum_opheffing").is_null() | (pl.col("datum_opheffing") > day)))


def _direct_lq(vest: pl.DataFrame, day: date) -> pl.DataFrame:
    """branches.location_quotient per buurt from the rows, the city being every vestiging."""
    active = _active(vest, day).with_columns(branches.group_expr("sbi_code", GROUPS))
    located = active.filter(pl.col("buurtcode").is_not_null()).rename({"buurtcode": "gebied"})
    counts = located.group_by("gebied", "groep").agg(pl.len().alias("n"))
    totals = located.group_by("gebied").agg(pl.len().alias("totaal"))
    city = (pl.DataFrame({"groep": [g.sleutel for g in GROUPS]})
            .join(active.group_by("groep").agg(pl.len().alias("n")), on="groep", how="left")
            .with_columns(pl.col("n").fill_null(0), pl.lit(active.height).alias("totaal")))
    return branches.location_quotient(counts, totals, stad=city)


def _frame(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _on_tab(at, label: str):
    return on_tab(at, "branches_tab", label)


# --- the page, per role ------------------------------------------------------------------

def test_analist_sees_concentration_turnover_co_location_and_bibob(served, rows):
    at = app_for("analist", "pages/branches.py", QUERY).run()
    assert not at.exception and not at.error
    vest = rows["vestigingen"]
    stand_per = max(vest["datum_inschrijving"].max(), vest["datum_opheffing"].max())

    # Key figures: facilitating vestigingen active on the period's last day, city-wide.
    active = _active(vest, DAY).with_columns(branches.group_expr("sbi_code", GROUPS))
    n_fac = active.filter(pl.col("groep").is_not_null()).height
    assert _metric(at, "Faciliterende vestigingen") == formats.number(n_fac)
    assert _metric(at, "Aandeel van alle vestigingen") == formats.percent(100 * n_fac / active.height)

    # Location quotient per buurt: every cell equals the direct computation.
    wide = _frame(at, "Buurt")
    direct = {(r["gebied"], LABELS[r["groep"]]): r["lq"] for r in _direct_lq(vest, DAY).iter_rows(named=True)}
    shown = 0
    for record in wide.to_dict("records"):
        for label in LABELS.values():
            expected = direct.get((record["Code"], label))
            assert record[label] == ("–" if expected is None else formats.number(expected, 2)), (record["Code"], label)
            shown += expected is not None
    assert shown > 0                                # some quotients are given, not only dashes
    port = direct[("BU05051904", "Autohandel")]
    assert port is not None and port > 2            # the planted concentration of the car trade

    # Only the open tab ran: no turnover table yet.
    assert not [d for d in at.dataframe if "Binnen 12 maanden opgeheven" in d.value.columns]

    # Turnover: registrations, closures and quick closures per branche and year.
    turnover = branches.turnover(vest, GROUPS, stand_per=stand_per)
    table = _frame(_on_tab(at, "Verloop"), "Binnen 12 maanden opgeheven")
    for record in table.to_dict("records"):
        key = next(k for k, v in LABELS.items() if v == record["Branche"])
        row = turnover.filter((pl.col("groep") == key) & (pl.col("jaar") == int(record["Jaar"]))).row(0, named=True)
        assert (record["Inschrijvingen"], record["Opheffingen"], record["Binnen 12 maanden opgeheven"]) == \
            (row["inschrijvingen"], row["opheffingen"], row["binnen_12_maanden"])
    judged = turnover.filter(pl.col("jaar") == YEAR)
    assert _metric(at, "Binnen 12 maanden opgeheven") == formats.percent(
        100 * judged["binnen_12_maanden"].sum() / judged["beoordeeld"].sum())

    # Co-location: the same (shortened key, branche) rows as branches.co_location on the
    # period's events and the vestigingen active in it; never a whole key.
    in_period = vest.filter((pl.col("datum_inschrijving") < PERIOD.tot)
                            & (pl.col("datum_opheffing").is_null() | (pl.col("datum_opheffing") >= PERIOD.van)))
    events = branches.co_location_events(
        hennepkwekerijen=rows["hennepkwekerijen"].filter(pl.col("datum_ontmanteling").dt.year() == YEAR),
        controles=rows["controles"].filter(pl.col("datum").dt.year() == YEAR),
        verdachte_transacties=rows["verdachte_transacties"].filter(pl.col("datum").dt.year() == YEAR))
    co = branches.co_location(in_period, events, GROUPS)
    assert co.height >= 4
    keys = _frame(_on_tab(at, "Zelfde adres"), "Adressleutel")
    assert sorted(zip(keys["Adressleutel"], keys["Branche"])) == \
        sorted((linkage.short(k), LABELS[g]) for k, g in zip(co["adres_sleutel"], co["groep"]))
    assert keys["Adressleutel"].str.len().max() == linkage.SHORT
    assert list(keys["Totaal"]) == co["totaal"].to_list()
    assert _metric(at, "Adressen met samenloop") == formats.number(co["adres_sleutel"].n_unique())

    # Bibob per branche: the decisions of the year at keys with an active vestiging.
    bibob = (rows["controles"].filter((pl.col("soort") == "bibob-toets") & (pl.col("datum").dt.year() == YEAR))
             .join(vest, on="adres_sleutel")
             .filter((pl.col("datum_inschrijving") <= pl.col("datum"))
                     & (pl.col("datum_opheffing").is_null() | (pl.col("datum_opheffing") > pl.col("datum"))))
             .with_columns(branches.group_expr("sbi_code", GROUPS)).drop_nulls("groep")
             .unique(["controlenummer", "groep"]))
    assert bibob.height >= 1
    shown_bibob = _frame(_on_tab(at, "Bibob per branche"), "Toetsen")
    per_group = bibob.group_by("groep").len()
    assert dict(zip(shown_bibob["Branche"], shown_bibob["Toetsen"])) == \
        {LABELS[g]: n for g, n in per_group.iter_rows()}
    refused = bibob.filter(pl.col("uitkomst").is_in(branches.BIBOB_REFUSED))
    assert refused.height >= 1                      # a refusal was planted
    shown_refused = sum(shown_bibob[c].sum() for c in ("Geweigerd", "Ingetrokken") if c in shown_bibob.columns)
    assert shown_refused == refused.height
    assert keys["Bibob geweigerd of ingetrokken"].sum() >= 1


def test_beheerder_sees_the_page_and_an_area_gets_its_own_quotient(served, rows):
    at = app_for("beheerder", "pages/branches.py", {**QUERY, "gebied": "buurt:BU05051904"}).run()
    assert not at.exception and not at.error
    here = _direct_lq(rows["vestigingen"], DAY).filter(pl.col("gebied") == "BU05051904")
    assert _metric(at, "Faciliterende vestigingen") == formats.number(here["n"].sum())
    trend = _frame(_on_tab(at, "Trend"), str(YEAR))     # the buurt's LQ per year end
    car = trend.set_index("Branche").loc["Autohandel", str(YEAR)]
    assert car == formats.number(here.filter(pl.col("groep") == "autohandel")["lq"][0], 2)


def test_bestuur_sees_the_citys_figures_only_and_the_same_as_the_analyst(served, rows):
    """Two roles side by side: the mayor's city figures equal the analyst's, computed from
    the rows here; nothing below the city reaches her, at the page or at the data layer."""
    bestuur = app_for("bestuur", "pages/branches.py", QUERY).run()
    analist = app_for("analist", "pages/branches.py", QUERY).run()
    assert not bestuur.exception and not bestuur.error
    for label in ("Faciliterende vestigingen", "Aandeel van alle vestigingen", "Binnen 12 maanden opgeheven"):
        assert _metric(bestuur, label) == _metric(analist, label), label
    active = _active(rows["vestigingen"], DAY).with_columns(branches.group_expr("sbi_code", GROUPS))
    assert _metric(bestuur, "Faciliterende vestigingen") == formats.number(active["groep"].count())
    city = _frame(bestuur, f"Actief op {formats.day(DAY)}")
    direct = active.group_by("groep").len()
    for groep, n in direct.filter(pl.col("groep").is_not_null()).iter_rows():
        assert city.set_index("Branche").loc[LABELS[groep], f"Actief op {formats.day(DAY)}"] == n
    assert not bestuur.tabs and not bestuur.radio                      # no areas, no keys
    assert not [d for d in bestuur.dataframe if "Adressleutel" in d.value.columns]
    for fn in (lambda r: data.branche_lq(r, (DAY,), "buurt"), lambda r: data.branche_parts(r, PERIOD, None, DAY)):
        with pytest.raises(access.AccessDenied):
            fn("bestuur")
    at_wijk = app_for("bestuur", "pages/branches.py", QUERY | {"gebied": "wijk:WK050503"}).run()
    assert any("alleen voor de hele stad" in i.value for i in at_wijk.info)


def test_no_role_is_refused(served):
    at = app_for(None, "pages/branches.py", QUERY).run()
    assert not at.metric and not at.dataframe
    for role in (None, "onbekend"):
        with pytest.raises(access.AccessDenied):
            data.branche_lq(role, (DAY,), "buurt")
        with pytest.raises(access.AccessDenied):
            data.branche_parts(role, PERIOD, None, DAY)
        with pytest.raises(access.AccessDenied):
            data.branches_stand(role)
        with pytest.raises(access.AccessDenied):
            data.branches_city(role, DAY, DAY)


@pytest.mark.parametrize("change, line", [
    (lambda con: con.execute("DROP TABLE IF EXISTS vestigingen"), "nog geen uittreksel"),
    (lambda con: (con.execute(VESTIGINGEN), con.execute("DELETE FROM vestigingen")), "geen vestigingen"),
])
def test_without_table_or_rows_a_dutch_line(demo_db, tmp_path_factory, monkeypatch, change, line):
    path = _copy(demo_db, tmp_path_factory, "zonder", change)
    monkeypatch.setenv("DIJKWACHT_DB", str(path))
    monkeypatch.setenv("DIJKWACHT_STATE", str(path.with_name("state.sqlite")))
    at = app_for("analist", "pages/branches.py", QUERY).run()
    assert not at.exception and not at.error
    assert any(line in i.value for i in at.info)
    assert not at.dataframe and not at.metric
    kaart = app_for("analist", "pages/kaart.py", QUERY).run()      # no branche layer offered
    assert not kaart.exception
    assert maps.BRANCHE_LAAG not in kaart.selectbox(key="kaart_laag").options


# --- the map layer: the same figure as the page ---------------------------------------------

def test_map_layer_shows_the_pages_location_quotient(served, rows, monkeypatch):
    drawn = []
    real = maps.lq_map

    def recording(*args, **kwargs):
        kaart = real(*args, **kwargs)
        drawn.append(kaart)
        return kaart

    monkeypatch.setattr(maps, "lq_map", recording)
    at = app_for("analist", "pages/kaart.py", QUERY).run()
    at.selectbox(key="kaart_laag").set_value(maps.BRANCHE_LAAG).run()
    at.selectbox(key="kaart_branche").set_value("autohandel").run()
    assert not at.exception and drawn
    kaart = drawn[-1]
    assert kaart.niveau == "buurt" and "Autohandel" in kaart.titel
    on_map = dict(zip(kaart.frame["code"], kaart.frame["tekst"]))

    page = app_for("analist", "pages/branches.py", QUERY).run()
    table = _frame(page, "Buurt")
    compared = 0
    for code, lq in zip(table["Code"], table["Autohandel"]):
        if code in on_map:                  # buurten with a 2020 boundary
            assert on_map[code] == lq, code
            compared += lq != "–"
    assert compared > 0
    direct = _direct_lq(rows["vestigingen"], DAY).filter(pl.col("groep") == "autohandel")
    high = direct.sort("lq", descending=True, nulls_last=True).row(0, named=True)
    assert on_map[high["gebied"]] == formats.number(high["lq"], 2)
    assert kaart.frame.set_index("code").loc[high["gebied"], "kleur"] == maps.lq_colour(high["lq"])

    bestuur = app_for("bestuur", "pages/kaart.py", QUERY).run()
    assert not bestuur.exception
    assert maps.BRANCHE_LAAG not in bestuur.selectbox(key="kaart_laag").options


# --- the registry's branche measures --------------------------------------------------------

@pytest.mark.parametrize("buurten", [None, ("BU05051904", "BU05051903")])
def test_branche_measures_equal_a_direct_count(branche_db, rows, buurten):
    vest = rows["vestigingen"].with_columns(branches.group_expr("sbi_code", GROUPS)).drop_nulls("groep")
    if buurten is not None:
        vest = vest.filter(pl.col("buurtcode").is_in(list(buurten)))
    stand_per = max(rows["vestigingen"]["datum_inschrijving"].max(), rows["vestigingen"]["datum_opheffing"].max())
    con = queries.open_hardened(branche_db)
    try:
        got = measures.values(queries.OnConnection(con), PERIOD.van, PERIOD.tot, buurten,
                              measures=measures.BRANCHE_MEASURES)
    finally:
        con.close()
    assert got["branches_actief"] == _active(vest, DAY).height
    assert got["branches_inschrijvingen"] == vest.filter(pl.col("datum_inschrijving").dt.year() == YEAR).height
    assert got["branches_opheffingen"] == vest.filter(pl.col("datum_opheffing").dt.year() == YEAR).height
    year = branches.turnover(vest, stand_per=stand_per).filter(pl.col("jaar") == YEAR)
    judged, quick = year["beoordeeld"].sum(), year["binnen_12_maanden"].sum()
    assert got["branches_binnen_jaar_pct"] == (round(100 * quick / judged, 1) if judged else None)
    assert got["branches_actief"] > 0


def test_sql_grouping_agrees_with_branches_group_of():
    """The facts' SQL takes a vestiging as facilitating exactly when branches.group_of does."""
    codes = sorted({c for g in GROUPS for c in g.prefixes}
                   | {c + "9" for g in GROUPS for c in g.prefixes if len(c) < 5}
                   | {c[:-1] for g in GROUPS for c in g.prefixes if len(c) > 2}
                   | {"45", "451", "4511", "45112", "77112", "6619", "66191", "9609", "4711", "10"})
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE TABLE feiten (maat VARCHAR, thema VARCHAR, buurtcode VARCHAR, dag DATE, "
                    "aantal BIGINT, som DOUBLE)")
        con.execute(VESTIGINGEN)
        con.executemany("INSERT INTO vestigingen VALUES (?, NULL, ?, NULL, DATE '2020-01-01', NULL, NULL, ?, 'x')",
                        [(f"v{i}", code, f"code{code}") for i, code in enumerate(codes)])
        bf.build_facts(con, GROUPS)
        in_sql = {r[0][4:] for r in con.sql("SELECT buurtcode FROM feiten WHERE maat = 'branche_inschrijvingen'")
                  .fetchall()}
    finally:
        con.close()
    in_python = {c for c in codes if branches.group_of(c, GROUPS) is not None}
    assert in_sql == in_python
    assert "4511" in in_python and "77112" not in in_python and "9609" not in in_python


def test_facts_hook_is_safe_without_the_table_and_repeatable(demo_db, tmp_path_factory):
    """The ETL's hook runs on every new database and on kept versions rebuilt by retention:
    without a vestigingen table it adds nothing; run twice it adds the facts once."""
    def without(con):
        con.execute("DROP TABLE IF EXISTS vestigingen")
        bf.build_facts(con)
        assert con.execute("SELECT count(*) FROM feiten WHERE maat LIKE 'branche%'").fetchone()[0] == 0

    def twice(con):
        _fill(con)
        bf.build_facts(con)
        once = con.execute("SELECT sum(aantal) FROM feiten WHERE maat = 'branche_inschrijvingen'").fetchone()[0]
        bf.build_facts(con)
        again = con.execute("SELECT sum(aantal) FROM feiten WHERE maat = 'branche_inschrijvingen'").fetchone()[0]
        assert once == again > 0

    _copy(demo_db, tmp_path_factory, "zonder_feiten", without)
    _copy(demo_db, tmp_path_factory, "twee_keer", twice)
