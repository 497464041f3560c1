"""Same label, same period, same area → the same number, for every role (issue "One figure,
one truth"). Each number a page shows is compared with the measure registry's exact value
at that grain (measures.values over that area's buurten): the analyst must see it exactly;
the mayor sees it exactly or as a mark — "<5" only when the true value is 1–4, and never a
0 or any other number in its place."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from apptest_support import app_for
from layers import one_fast

from dijkwacht import measures, queries
from dijkwacht.app import data
from dijkwacht.filters import Filters
from dijkwacht.measures import BY_CODE, HEADLINE

AREAS = ("stad", "wijk:WK050501", "wijk:WK050503", "focus:Krispijn")
PERIODS = {   # the default view, a quarter, a custom range across a year boundary, 12 months
    "standaard": {},
    "kwartaal": {"periode": "kwartaal", "kwartaal": "2025-2"},
    "eigen": {"periode": "eigen", "van": "2025-11-15", "tot": "2026-02-10"},
    "12_maanden": {"periode": "12_maanden"},
}
TABLE_COLUMNS = {"Kwekerijen": "hennep_ontmanteld", "Verdachte transacties": "transacties_aantal",
                 "Signalen": "signalen_aantal", "Controles (handhavingsoutput)": "controles_aantal"}


def number(text: str) -> int | None:
    text = str(text).strip()
    return int(text.replace(".", "")) if text.replace(".", "").isdigit() else None


def check(role: str, shown: str, exact: int, where: str) -> None:
    """One figure as shown against the registry's exact value."""
    value = number(shown)
    if role != "bestuur" or value is not None:
        assert value == exact, f"{where}: shown {shown!r}, registry {exact}"
    elif shown == "<5":
        assert 1 <= exact <= 4, f"{where}: '<5' for {exact}"
    else:
        assert shown == "x", f"{where}: {shown!r}"


def test_periods_cover_what_each_role_may_choose():
    assert Filters(**_typed(PERIODS["eigen"])).for_role("bestuur").periode == "kwartaal"


def _typed(params: dict) -> dict:
    out = dict(params)
    for k in ("van", "tot"):
        if k in out:
            out[k] = date.fromisoformat(out[k])
    return out


@pytest.mark.parametrize("role", ["bestuur", "analist"])
@pytest.mark.parametrize("period", one_fast(PERIODS))
def test_briefing_figures_equal_the_registry(served_demo, role, period):
    db = queries.served(served_demo)
    stand_per = data.meta(role)["stand_per"]
    false = []
    for gebied in AREAS:
        filters = Filters(**_typed(PERIODS[period]), gebied=gebied).for_role(role)
        span = filters.period(stand_per, role)
        at = app_for(role, "pages/briefing.py", {**PERIODS[period], "gebied": gebied}).run()
        assert not at.exception, at.exception
        exact = measures.values(db, span.van, span.tot, data.area_buurten("analist", gebied))
        for code in HEADLINE:
            shown = next(m.value for m in at.metric if m.label == BY_CODE[code].naam)
            try:
                check(role if gebied != "stad" else "analist", shown, exact[code], f"{gebied} {code}")
            except AssertionError as err:
                false.append(str(err))
        # The wijk table: every wijk's figure from that wijk's own rows.
        table = at.dataframe[0].value
        for row in table.to_dict("records"):
            wijk = _wijk_code(row["Wijk"])
            exact_wijk = measures.values(db, span.van, span.tot, data.area_buurten("analist", f"wijk:{wijk}"))
            for column, code in TABLE_COLUMNS.items():
                try:
                    check(role, row[column], exact_wijk[code], f"{row['Wijk']} {column}")
                except AssertionError as err:
                    false.append(str(err))
    assert false == []


def _wijk_code(name: str) -> str:
    names = data.area_options("analist").filter(pl.col("soort") == "wijk")
    return names.filter(pl.col("naam") == name)["code"][0]


@pytest.mark.parametrize("role", ["bestuur", "analist"])
@pytest.mark.parametrize("gebied", AREAS)
def test_trends_figures_equal_the_registry(served_demo, role, gebied):
    db = queries.served(served_demo)
    at = app_for(role, "pages/trends.py", {"gebied": gebied}).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    buurten = data.area_buurten("analist", gebied)
    code = {m.naam: m.code for m in measures.MEASURES}
    # the series runs to the end of the chosen period (the default: the last complete quarter)
    end = Filters(gebied=gebied).for_role(role).period(data.meta(role)["stand_per"], role).tot
    false = []
    for row in table[table["Periode"].str.len() == 4].to_dict("records"):     # years
        year = int(row["Periode"])
        exact = measures.values(db, date(year, 1, 1), min(date(year + 1, 1, 1), end), buurten)
        try:
            check(role, row["Aantal"], exact[code[row["Bron"]]], f"{gebied} {year} {row['Bron']}")
        except AssertionError as err:
            false.append(str(err))
    assert len(table) > 10 and false == []


@pytest.mark.parametrize("role", ["bestuur", "analist"])
def test_map_cells_equal_the_registry_at_both_levels(served_demo, role):
    db = queries.served(served_demo)
    from dijkwacht.filters import Period
    period = Period(date(2025, 1, 1), date(2026, 1, 1))
    by_layer = {"hennepkwekerijen": "hennep_ontmanteld", "signalen": "signalen_aantal",
                "sluitingen": "sluitingen", "controles": "controles_aantal"}
    false = []
    for niveau in ("wijk", "buurt"):
        frame = data.map_frame(role, period, niveau).filter(pl.col("laag").is_in(list(by_layer)))
        for row in frame.filter(pl.col("code") != "onbekend").iter_rows(named=True):
            if niveau == "buurt" and row["code"][-2:] not in ("01", "02", "05"):
                continue        # a sample of the buurten keeps the test short
            exact = measures.values(db, period.van, period.tot,
                                    data.area_buurten("analist", f"{niveau}:{row['code']}"))
            try:
                check(role, row["weergave"], exact[by_layer[row["laag"]]], f"{row['code']} {row['laag']}")
            except AssertionError as err:
                false.append(str(err))
    assert false == []


def test_an_incomplete_year_is_compared_with_the_same_days_a_year_before(served_demo):
    """Jan–Oct 2026 against Jan–Oct 2025, never against all of 2025 (equal periods)."""
    from datetime import timedelta

    db = queries.served(served_demo)
    stand_per = data.meta("analist")["stand_per"]
    series = data.series("analist", stand_per + timedelta(days=1), korrel="jaar")
    end_before = date(stand_per.year - 1, stand_per.month, stand_per.day) + timedelta(days=1)
    before = measures.values(db, date(stand_per.year - 1, 1, 1), end_before)
    whole = measures.values(db, date(stand_per.year - 1, 1, 1), date(stand_per.year, 1, 1))
    for bron, code in (("hennepkwekerijen", "hennep_ontmanteld"), ("verdachte_transacties", "transacties_aantal"),
                       ("controles", "controles_aantal")):
        row = series.filter((pl.col("bron") == bron) & (pl.col("periode") == date(stand_per.year, 1, 1)))
        assert row["volledig"][0] is False
        assert row["vorig_jaar"][0] == before[code] != whole[code], bron
    signals = series.filter((pl.col("bron") == "signalen") & (pl.col("periode") == date(stand_per.year, 1, 1)))
    assert signals["vorig_jaar"].sum() == before["signalen_aantal"]


def test_a_stand_per_ignores_planned_activities(served_demo):
    """The data's stand per is the last event (grow sites, transactions, signals, inspections),
    whatever the activities or the ownership extract say."""
    db = queries.served(served_demo)
    status = {r["bron"]: r["stand_per"] for r in db.query("bronstand").iter_rows(named=True)}
    events = max(status[b] for b in measures.EVENT_SOURCES)
    assert data.meta("analist")["stand_per"] == events
