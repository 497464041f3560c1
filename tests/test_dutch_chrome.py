"""Dutch where she looks (issue "The triangle path", 6): the mayor presents on a projector,
so the chrome of Streamlit, plotly and Leaflet is Dutch or hidden. Every chart the pages
draw, built from the demo database: no English month in a tooltip, a tick or a label, and
the Dutch date there instead; the folium map's scale in metres only and its zoom buttons Dutch; no main menu."""
from __future__ import annotations

import json
import re
import tomllib
from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest
from apptest_support import app_for

from dijkwacht import charts, config, formats, linkage, maps
from dijkwacht.app import data
from dijkwacht.filters import Period

# English month names and plotly's abbreviations, as words. The abbreviations are
# capitalised as plotly writes them ("Oct 1, 2025"); Dutch ones are lower case ("okt").
# Full names only where they differ from the Dutch ones (april, september … are both).
ENGLISH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b")
ENGLISH_LONG = re.compile(r"\b(?:january|february|march|june|july|august|october)\b", re.I)
DUTCH_MONTH = re.compile(r"\b(?:jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec) (?:19|20)\d\d\b")
DUTCH_QUARTER = re.compile(r"\b[1-4]e kwartaal (?:19|20)\d\d\b")
DUTCH_DAY = re.compile(r"\b\d{1,2} (?:jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec) (?:19|20)\d\d\b")
# A date formatted by plotly itself (d3 time format in a template) comes out in English.
PLOTLY_DATE_FORMAT = re.compile(r"%\{[^}|]*\|[^}]*%[aAbBcxX]")
GRAINS = ("maand", "kwartaal", "jaar")


def english(text: str) -> list[str]:
    return ENGLISH.findall(text) + ENGLISH_LONG.findall(text)


def what_a_user_reads(fig: go.Figure | dict) -> list[str]:
    """Every string of a figure that reaches the screen: trace names, texts, customdata,
    hovertemplates, tick texts, titles, annotations."""
    spec = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
    out: list[str] = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in {
                "name", "text", "customdata", "hovertemplate", "texttemplate", "ticktext",
                "x", "y", "title", "hovertext"}:
            out.append(value)

    walk(json.loads(json.dumps(spec, default=str)))
    return out


def assert_dutch_dates(fig, where: str) -> list[str]:
    """No English month and no plotly-formatted date anywhere a user reads; every date axis
    labelled by our own Dutch ticks. Returns the strings read, for further checks."""
    spec = json.loads(fig.to_json()) if isinstance(fig, go.Figure) else fig
    read = what_a_user_reads(spec)
    bad = [s for s in read if english(s)]
    assert not bad, f"{where}: Engelse maandnamen in {bad[:5]}"
    templates = [t.get("hovertemplate", "") for t in spec["data"]]
    assert not [t for t in templates if PLOTLY_DATE_FORMAT.search(t)], f"{where}: {templates}"
    for name, axis in spec["layout"].items():
        if name.startswith("xaxis") or name.startswith("yaxis"):
            if axis.get("type") == "date":
                # plotly's own date ticks and hover would be English ("Jan 2025")
                assert axis.get("tickmode") == "array" and axis.get("ticktext"), f"{where}: {name}"
                assert all(DUTCH_MONTH.fullmatch(t) or re.fullmatch(r"(?:19|20)\d\d", t)
                           for t in axis["ticktext"]), axis["ticktext"]
                for trace in spec["data"]:
                    assert "%{x}" not in trace.get("hovertemplate", ""), f"{where}: {trace['hovertemplate']}"
    return read


# --- formats: the one place for Dutch dates ---------------------------------------------------

def test_dutch_period_labels():
    assert formats.month(date(2025, 10, 1)) == "okt 2025"
    assert formats.day(date(2025, 10, 1)) == "1 okt 2025"
    assert formats.quarter(date(2025, 5, 1)) == "K2 2025"
    assert formats.quarter(date(2025, 5, 1), long=True) == "2e kwartaal 2025"
    assert formats.period(date(2024, 3, 1), "maand") == charts.period_label(date(2024, 3, 1), "maand") == "mrt 2024"
    assert formats.period(date(2024, 10, 1), "kwartaal", long=True) == "4e kwartaal 2024"
    assert formats.period(date(2024, 1, 1), "jaar", long=True) == "2024"


@pytest.mark.parametrize("first, last, expected", [
    (date(2025, 10, 3), date(2025, 10, 3), ["okt 2025", "nov 2025"]),
    (date(2023, 11, 20), date(2024, 3, 1), ["nov 2023", "dec 2023", "jan 2024", "feb 2024", "mrt 2024", "apr 2024"]),
    (date(2024, 2, 5), date(2025, 10, 3), ["jan 2024", "apr 2024", "jul 2024", "okt 2024", "jan 2025",
                                           "apr 2025", "jul 2025", "okt 2025", "jan 2026"]),
    (date(2012, 1, 1), date(2026, 6, 1), ["2012", "2014", "2016", "2018", "2020", "2022", "2024", "2026", "2028"]),
])
def test_date_ticks_are_dutch_and_few(first, last, expected):
    ticks, text = formats.date_ticks(first, last)
    assert text == expected and len(ticks) == len(text)
    assert ticks[0] <= first and ticks[-1] > last.replace(day=1)       # the data lies between


# --- the charts, from the demo database ----------------------------------------------------------

@pytest.mark.parametrize("korrel", GRAINS)
def test_trend_tooltips_read_dutch_dates(served_demo, korrel):
    # Everything up to the demo's stand per, so the last period is the incomplete one.
    series = data.series("analist", date(2027, 1, 1), korrel=korrel)
    per_source = series.group_by("bron", "periode").agg(
        pl.col("aantal").sum(), pl.col("volledig").all(),
        pl.col("aantal").sum().cast(pl.String).alias("weergave"))
    themes = series.filter(pl.col("bron") == "signalen")
    for name, fig in (("per bron", charts.lines(per_source, korrel)),
                      ("schatting", charts.estimate_band(series, korrel)),
                      ("thema", charts.lines(themes, korrel, group="thema"))):
        assert_dutch_dates(fig, f"{name}/{korrel}")
        hovered = [t for t in fig.data if t.hovertemplate]
        assert hovered
        for trace in hovered:
            assert "%{x}" not in trace.hovertemplate      # the axis label is not the tooltip's date
            whens = [c[0] if isinstance(c, (list, tuple)) else c for c in trace.customdata]
            assert len(whens) == len(trace.x)
            full = {"maand": DUTCH_MONTH, "kwartaal": DUTCH_QUARTER,
                    "jaar": re.compile(r"(?:19|20)\d\d")}[korrel]
            for when, x in zip(whens, trace.x):
                assert full.fullmatch(when.removesuffix(" (onvolledig)")), when
                assert when.endswith(" (onvolledig)") == x.endswith("*")
    # One tooltip, whole: what the mayor reads when she points at the first quarter of 2025.
    if korrel == "kwartaal":
        fig = charts.lines(per_source, korrel)
        trace = next(t for t in fig.data if t.name == "Signalen meldpunt")
        i = list(trace.x).index("K1 2025")
        count = per_source.filter((pl.col("bron") == "signalen")
                                  & (pl.col("periode") == date(2025, 1, 1)))["aantal"][0]
        shown = trace.hovertemplate.replace("%{customdata[0]}", trace.customdata[i][0]) \
                                   .replace("%{customdata[1]}", trace.customdata[i][1]) \
                                   .replace("<extra></extra>", "")
        assert shown == f"Signalen meldpunt, 1e kwartaal 2025: {count}"


def test_key_timeline_has_dutch_ticks_and_tooltips(served_demo):
    keys = data.linked_keys("analist")
    spans = {}
    for key in keys.head(40)["sleutel"]:
        line = data.key_timeline("analist", key)
        spans[key] = (line["datum"].max() - line["datum"].min()).days
    long_key, short_key = max(spans, key=spans.get), min(spans, key=spans.get)
    for key in (long_key, short_key):
        line = data.key_timeline("analist", key)
        fig = charts.key_timeline(line, linkage.SOURCE_LABELS)
        assert_dutch_dates(fig, f"tijdlijn {key[:8]}")
        assert fig.layout.xaxis.type == "date" and fig.layout.xaxis.ticktext
        for trace in fig.data:
            assert trace.hovertemplate == "%{customdata}: %{text}<extra></extra>"
            assert all(DUTCH_DAY.fullmatch(c) for c in trace.customdata), trace.customdata
            assert list(trace.customdata) == [formats.day(d) for d in trace.x]
        # the ticks frame the records: the first tick at or before the first one
        ticks = [date.fromisoformat(str(t)[:10]) for t in fig.layout.xaxis.tickvals]
        assert ticks[0] <= line["datum"].min() and ticks[-1] >= line["datum"].max().replace(day=1)
    assert spans[long_key] > 3 * 365                  # a timeline with year ticks was checked


PAGES = {"trends": ({"periode": "jaar", "jaar": "2025"}, GRAINS),
         "hennep": ({}, ()), "meldpunt": ({}, ()), "handhaving": ({}, ()),
         "geldstromen": ({}, ()), "briefing": ({}, ())}


@pytest.mark.parametrize("script", PAGES)
def test_every_chart_on_the_pages_reads_dutch(served_demo, script):
    query, grains = PAGES[script]
    at = app_for("analist", f"pages/{script}.py", query).run()
    assert not at.exception
    seen = 0
    for korrel in grains or (None,):
        if korrel:
            at.radio(key="korrel").set_value(korrel).run()
            assert not at.exception
        for chart in at.get("plotly_chart"):
            assert_dutch_dates(json.loads(chart.proto.spec), f"{script}/{korrel}")
            seen += 1
        if korrel == "kwartaal":
            read = " ".join(what_a_user_reads(json.loads(at.get("plotly_chart")[0].proto.spec)))
            assert DUTCH_QUARTER.search(read) and "K4 2024" in read
        if korrel == "maand":
            read = " ".join(what_a_user_reads(json.loads(at.get("plotly_chart")[0].proto.spec)))
            assert "okt 2025" in read
    assert seen or script == "briefing"


# --- the map -------------------------------------------------------------------------------

def test_every_folium_map_has_a_metric_only_scale_and_dutch_zoom(served_demo):
    period = Period(date(2025, 1, 1), date(2026, 1, 1))
    frame = data.map_frame("analist", period, "buurt", None).filter(pl.col("laag") == "signalen") \
        .with_columns(code=pl.when(pl.col("code") != "onbekend").then(pl.col("code")))
    focus_row = data.focus_areas("analist").row(0, named=True)
    focus = maps.Focus(focus_row["gebied"], focus_row["status"], tuple(focus_row["buurtcodes"]))
    cells = maps.cell_centres(data.grow_site_cells("analist", period))
    for kaart, extra in ((maps.choropleth(frame, "buurt", "aantal", "signalen", period.label()), {}),
                         (maps.choropleth(frame, "buurt", "per_1000", "signalen", period.label()),
                          {"focus": focus, "punten": cells})):
        page = maps.html_page(maps.folium_map(kaart, "geen", **extra))
        scale = re.findall(r"new L\.Control\.Scale\(\s*(\{.*?\})\s*\)", page, re.S)
        assert len(scale) == 1, "precies één schaalbalk"
        assert json.loads(re.sub(r",\s*}", "}", scale[0])) == {"imperial": False, "metric": True}
        assert "L.control.scale()" not in page                   # folium's imperial+metric bar
        zoom = re.findall(r"new L\.Control\.Zoom\(\s*(\{.*?\})\s*\)", page, re.S)
        assert len(zoom) == 1 and json.loads(re.sub(r",\s*}", "}", zoom[0])) == {
            "zoomInTitle": "Inzoomen", "zoomOutTitle": "Uitzoomen"}
        assert '"zoomControl": false' in page                    # Leaflet's English one is off
        # tooltips and legend (the period in the title) read Dutch too
        assert not english(page), english(page)[:5]
        assert "1 jan 2025" in page and "31 dec 2025" in page


# --- Streamlit's own chrome ------------------------------------------------------------------

def test_no_main_menu_with_english_items():
    """'minimal' (Streamlit 1.67 config.py: 'Show only options set externally … or through
    st.set_page_config. If there are no such options, hide the menu.') hides the English
    main menu (Print, Record a screencast, About) as well as the developer options."""
    cfg = tomllib.loads((config.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["client"]["toolbarMode"] == "minimal"
    dashboard = (config.ROOT / "dashboard.py").read_text(encoding="utf-8")
    assert "menu_items" not in dashboard                  # nothing that would bring the menu back
    from streamlit import config as st_config
    option = st_config._config_options_template["client.toolbarMode"]
    assert '"minimal"' in option.description and "hide the menu" in option.description
