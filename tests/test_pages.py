"""The dashboard pages on the demo data (built by the real ETL): values, filters, roles,
presentation mode and exports. Every AppTest signs in through apptest_support.app_for."""
from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
import pytest
from apptest_support import app_for

from dijkwacht import access, alerts
from dijkwacht.app import data
from dijkwacht.charts import PROBLEM_SOURCES
from dijkwacht.filters import Filters, Period

GROW_SITES_2012_2015 = [55, 61, 98, 64]
ANALYST_PAGES = ("hennep", "geldstromen", "meldpunt", "handhaving")


def metric(at, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return values[0]


def as_int(text: str) -> int:
    return int(text.replace(".", ""))


def charts(at) -> list[dict]:
    return [el.proto for el in at.get("plotly_chart")]


# --- Trends --------------------------------------------------------------------------------

def test_trends_data_function_holds_published_grow_sites(served_demo):
    series = data.series("bestuur", date(2016, 1, 1), korrel="jaar")
    hennep = series.filter(pl.col("bron") == "hennepkwekerijen").sort("periode")
    assert hennep["periode"].dt.year().to_list() == [2012, 2013, 2014, 2015]
    assert hennep["aantal"].to_list() == GROW_SITES_2012_2015
    # The estimate band: found × 4 … × 8, central × 6 (indicators.estimate_band).
    assert hennep["schatting"].to_list() == [6 * n for n in GROW_SITES_2012_2015]
    assert hennep["schatting_laag"][2] == 4 * 98 and hennep["schatting_hoog"][2] == 8 * 98


def test_trends_page_renders_grow_sites_in_table_and_chart(served_demo):
    at = app_for("bestuur", "pages/trends.py", {"periode": "jaar", "jaar": "2015"}).run()
    assert not at.exception
    table = at.dataframe[0].value
    rows = table[table["Bron"] == "Ontmantelde hennepkwekerijen"].sort_values("Periode")
    assert rows["Periode"].tolist() == ["2012", "2013", "2014", "2015"]
    assert rows["Aantal"].tolist() == [str(n) for n in GROW_SITES_2012_2015]
    # The estimate-band chart draws the found series, labelled as an assumption.
    band = next(json.loads(p.spec) for p in charts(at) if "ontmanteld (gevonden)" in p.spec)
    found = next(t for t in band["data"] if t.get("name") == "ontmanteld (gevonden)")
    assert found["y"] == GROW_SITES_2012_2015 and found["x"] == ["2012", "2013", "2014", "2015"]
    assert "aanname: 1 op 6 kwekerijen wordt gevonden" in json.dumps(band["layout"])
    assert any("handhavingsoutput, geen omvang" in c.value for c in at.caption)


def test_trends_grain_and_theme_change_the_series(served_demo):
    at = app_for("analist", "pages/trends.py", {"periode": "jaar", "jaar": "2017", "thema": "hennep"}).run()
    sources = set(at.dataframe[0].value["Bron"])
    assert sources == {"Ontmantelde hennepkwekerijen", "Signalen meldpunt", "Controles en Bibob-toetsen"}
    at.radio(key="korrel").set_value("kwartaal").run()
    periods = at.dataframe[0].value["Periode"]
    assert "K4 2017" in set(periods) and len(periods) > 40


# --- Briefing ------------------------------------------------------------------------------

def test_briefing_follows_period_and_area(served_demo):
    at = app_for("bestuur", "pages/briefing.py", {"periode": "jaar", "jaar": "2014"}).run()
    assert not at.exception
    assert metric(at, "Ontmantelde hennepkwekerijen") == "98"
    # Changing the year through the sidebar widget changes the figure and the URL.
    at.sidebar.selectbox(key="_filter_jaar").select(2013).run()
    assert metric(at, "Ontmantelde hennepkwekerijen") == "61"
    assert at.query_params["jaar"] == ["2013"] or at.query_params["jaar"] == "2013"
    # One wijk has fewer grow sites than the city; the URL alone reproduces the view.
    wijk = app_for("bestuur", "pages/briefing.py", {"periode": "jaar", "jaar": "2014", "gebied": "wijk:WK050503"}).run()
    in_wijk = as_int(metric(wijk, "Ontmantelde hennepkwekerijen"))
    assert 0 < in_wijk < 98
    assert any("Wijk 03 Oud Krispijn" in c.value for c in wijk.caption)
    assert in_wijk == data.indicator_values(
        "bestuur", date(2014, 1, 1), date(2015, 1, 1), "wijk:WK050503")["hennep_ontmanteld"]


def test_briefing_shows_what_changed_and_sources(served_demo):
    at = app_for("analist", "pages/briefing.py", {"periode": "jaar", "jaar": "2025"}).run()
    per_wijk = next(m.value for m in at.markdown if m.value.startswith("- In "))
    rises = [re.search(r"van ([\d.]+) naar ([\d.]+) \(\+([\d.]+)\)", line).groups()
             for line in per_wijk.splitlines()]
    assert len(rises) == 3
    steps = [as_int(z) for _, _, z in rises]
    assert steps == sorted(steps, reverse=True) and steps[0] > 0
    assert all(as_int(y) - as_int(x) == as_int(z) for x, y, z in rises)
    # The largest rise is the largest (now − a year before) over wijk × source.
    year = Period(date(2025, 1, 1), date(2026, 1, 1))
    changes = data.changes("analist", year, year.year_before())
    wijken = changes.filter((pl.col("soort") == "wijk") & (pl.col("sleutel") != "onbekend")
                            & pl.col("bron").is_in(PROBLEM_SOURCES))
    assert steps[0] == (wijken["nu"] - wijken["eerder"]).max()     # problems, not inspections
    assert any(m.value.startswith("- Het aantal signalen over ") for m in at.markdown)
    sources = at.dataframe[-1].value
    assert set(sources["Bron"]) >= {"hennepkwekerijen", "signalen", "controles"}


def test_presentation_mode_hides_sidebar_and_detail(served_demo):
    normal = app_for("bestuur", "pages/briefing.py").run()
    assert normal.sidebar.selectbox and not normal.toggle[0].value
    at = app_for("bestuur", "pages/briefing.py", {"presentatie": "1"}).run()
    assert at.toggle[0].value is True
    assert len(at.sidebar.selectbox) == 0                     # no filter widgets
    css = " ".join(el.proto.body for el in at.get("html"))
    assert '[data-testid="stSidebar"]' in css and "display: none" in css
    assert len(at.dataframe) == 0                              # no detail tables
    assert len(at.metric) == 6
    # And back: the sidebar returns.
    at.toggle[0].set_value(False).run()
    assert at.sidebar.selectbox
    assert not any("stSidebar" in el.proto.body for el in at.get("html"))   # no presentation CSS


# --- roles ---------------------------------------------------------------------------------

def test_analyst_pages_are_not_for_bestuur(served_demo):
    keys = {p.key for p in access.pages_for("bestuur")}
    assert {"briefing", "trends"} <= keys and not keys & set(ANALYST_PAGES)
    for role in ("analist", "beheerder"):
        assert set(ANALYST_PAGES) <= {p.key for p in access.pages_for(role)}
    period = Period(date(2025, 1, 1), date(2026, 1, 1))
    for fn in (data.hennep, data.geldstromen, data.meldpunt, data.handhaving):
        with pytest.raises(access.AccessDenied):
            fn("bestuur", period)
        with pytest.raises(access.AccessDenied):
            fn(None, period)
    at = app_for("bestuur", "pages/hennep.py").run()
    assert at.error and not at.metric


def test_downloads_only_for_roles_that_may_export(served_demo):
    analist = app_for("analist", "pages/briefing.py").run()
    keys = {b.key for b in analist.get("download_button")}
    assert keys == {"wijken_csv", "wijken_xlsx", "wijken_ods", "momentopname_pdf"}
    bestuur = app_for("bestuur", "pages/briefing.py").run()
    # the mayor exports no tables, only her snapshot (DESIGN §6)
    assert [b.key for b in bestuur.get("download_button")] == ["momentopname_pdf"]


# --- the analysts' pages -------------------------------------------------------------------

def test_hennep_page(served_demo):
    at = app_for("analist", "pages/hennep.py", {"periode": "jaar", "jaar": "2014"}).run()
    assert not at.exception
    assert metric(at, "Ontmantelde kwekerijen") == "98"
    kern = data.hennep("analist", Period(date(2014, 1, 1), date(2015, 1, 1)))["kern"]
    assert as_int(metric(at, "Herhaaladressen")) == kern["herhaaladressen"]
    assert as_int(metric(at, "Planten")) == kern["planten"]
    assert len(charts(at)) == 6   # five breakdowns and the barrier model


def test_geldstromen_page_matches_published_figures(served_demo):
    query = {"periode": "eigen", "van": "2014-01-01", "tot": "2015-12-31"}
    at = app_for("analist", "pages/geldstromen.py", query).run()
    assert not at.exception
    assert metric(at, "Verdachte transacties") == "159"
    assert metric(at, "Personen") == "41" and metric(at, "Rechtspersonen") == "11"
    assert metric(at, "Totaalbedrag").startswith("€ ")


def test_meldpunt_page(served_demo):
    at = app_for("analist", "pages/meldpunt.py", {"periode": "jaar", "jaar": "2025"}).run()
    assert not at.exception
    values = data.indicator_values("analist", date(2025, 1, 1), date(2026, 1, 1))
    assert as_int(metric(at, "Signalen")) == values["signalen_aantal"]
    assert metric(at, "Melders met terugkoppeling") == f"{values['signalen_terugkoppeling_pct']:.1f}%".replace(".", ",")
    funnel = data.meldpunt("analist", Period(date(2025, 1, 1), date(2026, 1, 1)))["trechter"]
    stages = funnel.filter(pl.col("trechter"))
    assert stages["fase"].to_list() == ["ontvangen", "in behandeling genomen", "doorgezet naar een partner",
                                        "doorgezet en afgesloten"]
    counts = stages["aantal"].to_list()
    assert counts == sorted(counts, reverse=True)          # the stages nest
    # A theme narrows the signals.
    themed = app_for("analist", "pages/meldpunt.py", {"periode": "jaar", "jaar": "2025", "thema": "hennep"}).run()
    assert 0 < as_int(metric(themed, "Signalen")) < values["signalen_aantal"]


def test_handhaving_page(served_demo):
    at = app_for("beheerder", "pages/handhaving.py", {"periode": "jaar", "jaar": "2025"}).run()
    assert not at.exception
    values = data.indicator_values("beheerder", date(2025, 1, 1), date(2026, 1, 1))
    assert as_int(metric(at, "Bibob-toetsen")) == values["bibob_toetsen"]
    assert metric(at, "Controles met bevindingen") == f"{values['controles_bevindingen_pct']:.1f}%".replace(".", ",")
    # Same label, same number as the Briefing: closures from grow sites and inspections, once.
    briefing = app_for("beheerder", "pages/briefing.py", {"periode": "jaar", "jaar": "2025"}).run()
    assert metric(at, "Sluitingen") == metric(briefing, "Sluitingen") == str(values["sluitingen"])
    per_wijk = at.dataframe[-1].value
    assert per_wijk["Controles en Bibob-toetsen"].sum() == values["controles_aantal"]


def test_every_chart_has_no_modebar_and_a_source_caption(served_demo):
    for page in ("trends", *ANALYST_PAGES):
        at = app_for("analist", f"pages/{page}.py").run()
        assert not at.exception, page
        protos = charts(at)
        assert protos, page
        for proto in protos:
            config = json.loads(proto.spec).get("config") or json.loads(proto.config or "{}")
            assert config.get("displayModeBar") is False, page
            assert json.loads(proto.spec)["layout"]["separators"] == ",."
        bron_captions = [c for c in at.caption if c.value.startswith("Bron: ")]
        assert len(bron_captions) >= len(protos), page
        assert all("stand per" in c.value and "Periode" in c.value for c in bron_captions)


# --- areas and exports (no AppTest) ------------------------------------------------------

def test_area_resolution(served_demo):
    wijk7 = data.area_buurten("analist", "wijk:WK050507")
    assert {"BU05050708", "BU05050709", "BU05050710", "BU05050711"} <= set(wijk7)
    assert len(data.area_buurten("analist", "focus:Krispijn")) == 15
    assert data.area_buurten("analist", "buurt:BU05050101") == ("BU05050101",)
    assert data.area_buurten("analist", "stad") is None
    assert data.area_buurten("analist", "focus:bestaat niet") == ()      # nothing, not everything
    assert Filters(gebied="focus:Krispijn").area() == ("focus", "Krispijn")


# --- through the router ------------------------------------------------------------------

def test_filters_hold_across_pages_and_bestuur_navigation(served_demo):
    at = app_for("analist", "dashboard.py", {"periode": "jaar", "jaar": "2014", "gebied": "wijk:WK050503"}).run()
    assert not at.exception
    city_2014 = as_int(metric(at, "Ontmantelde hennepkwekerijen"))
    at.switch_page("pages/hennep.py").run()
    assert [t.value for t in at.title] == ["Hennep"]
    assert as_int(metric(at, "Ontmantelde kwekerijen")) == city_2014
    assert at.query_params["jaar"] in ("2014", ["2014"])          # written again on this page
    assert at.sidebar.selectbox(key="_filter_gebied_wijk").value == "WK050503"
    bestuur = app_for("bestuur", "dashboard.py").run()
    for page in ANALYST_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            bestuur.switch_page(f"pages/{page}.py")
    bestuur.switch_page("pages/trends.py").run()
    assert [t.value for t in bestuur.title] == ["Trends"]


def test_week_offers_no_period_it_does_not_use(served_demo):
    """The Week list is about now: no period filter and no period in its header, while the
    area filter stays; the Briefing keeps both."""
    week = app_for("analist", "pages/week.py").run()
    assert not week.exception
    labels = [s.label for s in week.sidebar.selectbox]
    assert "Periode" not in labels and "Gebied" in labels
    assert not week.caption[0].value.startswith("Periode")
    briefing = app_for("analist", "pages/briefing.py").run()
    assert "Periode" in [s.label for s in briefing.sidebar.selectbox]
    assert briefing.caption[0].value.startswith("Periode")


def test_a_saved_follow_up_leaves_the_list_counts_and_badge_at_once(app_state):
    """The Week figures are derived once per follow-up state (data._week_state): a follow-up
    saved on the page changes the list, its counts and the badge on the very next run."""
    at = app_for("analist", "pages/week.py").run()
    chosen = next(s for s in at.selectbox if s.label == "Punt").value
    item = next(i for i, _ in data.week_open("analist", None) if i.id == chosen)
    before = (len(data.week_open("analist", None)), data.week_counts("analist")[item.kind],
              len(data.week_closed("analist")), data.week_badge("analist"))
    flagged = data.week_badge("analist") - alerts.badge([i for i, _ in data.week_open("analist", None)
                                                          if i.id != item.id])
    at.selectbox(key=f"status-{chosen}").set_value("afgehandeld").run()
    at.button(key=f"opslaan-{chosen}").click().run()
    assert not at.exception
    assert any(s.value.startswith("Opgeslagen: afgehandeld") for s in at.success)
    after = (len(data.week_open("analist", None)), data.week_counts("analist")[item.kind],
             len(data.week_closed("analist")), data.week_badge("analist"))
    assert after == (before[0] - 1, before[1] - 1, before[2] + 1, before[3] - flagged)
    assert chosen not in [i.id for i, _ in data.week_open("analist", None)]


def test_week_lists_a_bounded_number_of_items_highest_priority_first(served_demo, monkeypatch):
    """Issue 17: at ×100 the work list holds 17,000 open items; the page lists at most
    week.SHOWN of them (here 3), the highest priority first, and says how many there are."""
    from dijkwacht import week
    monkeypatch.setattr(week, "SHOWN", 3)
    at = app_for("analist", "pages/week.py").run()
    assert not at.exception
    total = len(data.week_open("analist", None))
    assert total > 3
    shown = [row for frame in at.dataframe if "Prioriteit" in frame.value.columns
             for row in frame.value.to_dict("records")]
    assert len(shown) == 3
    best = sorted(i.priority for i, _ in data.week_open("analist", None))[:3]
    assert sorted(r["Prioriteit"] for r in shown) == best
    assert any("de 3 met de hoogste prioriteit" in c.value for c in at.caption)


def test_week_list_is_one_grid_grouped_per_wijk_with_its_open_counts(served_demo):
    """One grid (a grid per wijk drew a dozen canvases): each wijk's rows together, priority
    first within a wijk, and the caption's counts per wijk add up to every open item."""
    at = app_for("analist", "pages/week.py").run()
    assert not at.exception
    grids = [frame.value for frame in at.dataframe if "Prioriteit" in frame.value.columns]
    assert len(grids) == 1
    rows = grids[0].to_dict("records")
    runs = [w for i, w in enumerate(r["Wijk"] for r in rows) if i == 0 or rows[i - 1]["Wijk"] != w]
    assert len(runs) == len(set(runs)) > 1                      # contiguous, more than one wijk
    for wijk in runs:
        priorities = [r["Prioriteit"] for r in rows if r["Wijk"] == wijk]
        assert priorities == sorted(priorities)
    line = next(c.value for c in at.caption if c.value.startswith("Open per wijk: "))
    counts = {part.rsplit(" ", 1)[0]: int(part.rsplit(" ", 1)[1].replace(".", ""))
              for part in line.removeprefix("Open per wijk: ").split(" · ")}
    assert sum(counts.values()) == len(data.week_open("analist", None))
    assert [w for w in counts if w in runs] == runs               # the grid in the caption's order
