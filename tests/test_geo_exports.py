"""Geo exports (issue 21, item 6): the Kaart page's layer as GeoJSON (WGS 84) and GeoPackage
(RD New) holds exactly what the role sees on the map — the mayor's hidden cells carry their
mark and no number — and reads back in GeoPandas with the same codes and figures."""
from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import polars as pl
import pytest

from dijkwacht import geo_exports, maps
from dijkwacht.app import data
from dijkwacht.filters import Period

YEAR = Period(date(2025, 1, 1), date(2026, 1, 1))
QUARTER = Period(date(2026, 7, 1), date(2026, 10, 1))
TITLE, SOURCE = "Ontmantelde hennepkwekerijen per buurt", "Bron: politie. Grenzen: CBS wijk- en buurtkaart 2020."


def drawn(role: str, period: Period, niveau: str = "buurt", laag: str = "hennepkwekerijen") -> maps.Kaart:
    frame = data.map_frame(role, period, niveau).filter(pl.col("laag") == laag)
    frame = frame.with_columns(code=pl.when(pl.col("code") != "onbekend").then(pl.col("code")))
    return maps.choropleth(frame, niveau, "aantal", laag, period.label())


def features(kaart: maps.Kaart) -> dict[str, dict]:
    doc = json.loads(geo_exports.geojson_bytes(kaart, TITLE, SOURCE))
    assert doc["type"] == "FeatureCollection"
    return {f["properties"]["code"]: f["properties"] for f in doc["features"]}


@pytest.mark.parametrize("role", ["analist", "bestuur"])
def test_geojson_holds_what_the_map_shows_and_no_hidden_number(served_demo, role):
    kaart = drawn(role, QUARTER)
    props = features(kaart)
    shown = dict(zip(kaart.frame["code"], kaart.frame["aantal_tekst"]))
    hidden = dict(zip(kaart.frame["code"], kaart.frame["verborgen"]))
    assert set(props) == set(shown) and len(props) == len(maps.boundaries("buurt"))
    for code, p in props.items():
        assert p["weergave"] == shown[code]                          # the label on the map
        assert p["afgeschermd"] == bool(hidden[code])
        if p["afgeschermd"]:
            assert p["aantal"] is None and p["waarde"] is None      # the mark, never a number
        else:
            assert maps.number(p["aantal"]) == shown[code]
    if role == "bestuur":
        assert any(p["afgeschermd"] for p in props.values()), "a quarter per buurt hides cells"
    else:
        assert not any(p["afgeschermd"] for p in props.values())


def test_mayor_and_analyst_agree_where_both_see_a_number(served_demo):
    analist, bestuur = features(drawn("analist", YEAR, "wijk")), features(drawn("bestuur", YEAR, "wijk"))
    both = [c for c, p in bestuur.items() if not p["afgeschermd"]]
    assert both
    # the mayor's published figures are rounded to 5 at most; never further off
    assert all(abs(bestuur[c]["aantal"] - analist[c]["aantal"]) <= 2 for c in both)


def test_geopackage_is_rd_new_and_reads_back_the_same_figures(served_demo, tmp_path):
    kaart = drawn("bestuur", YEAR, "wijk")
    blob = geo_exports.gpkg_bytes(kaart, TITLE, SOURCE, naam="hennep_wijk")
    assert blob[:16] == b"SQLite format 3\x00"
    (tmp_path / "laag.gpkg").write_bytes(blob)                      # as the GIS team saves it
    back = gpd.read_file(tmp_path / "laag.gpkg", layer="hennep_wijk")
    assert back.crs.to_epsg() == 28992
    props = features(kaart)
    assert set(back["code"]) == set(props)
    for row in back.itertuples():
        assert row.weergave == props[row.code]["weergave"]
        assert bool(row.afgeschermd) == props[row.code]["afgeschermd"]
    # RD New in metres: Dordrecht's wijken lie around x 105 km, y 425 km
    minx, miny, maxx, maxy = back.total_bounds
    assert 95_000 < minx < maxx < 125_000 and 410_000 < miny < maxy < 435_000


def test_every_map_mode_exports_what_its_map_says(served_demo):
    """Change and hotspot maps too: the map's own text per area, and no number where hidden."""
    def layer(period):
        return data.map_frame("bestuur", period, "wijk").filter(
            (pl.col("laag") == "signalen") & (pl.col("code") != "onbekend"))
    now, before = layer(QUARTER), layer(QUARTER.year_before())
    change = maps.change(now, before, "wijk", "aantal", "signalen", QUARTER.label())
    inputs = data.hotspot_input("analist", YEAR, "hennepkwekerijen").with_columns(
        code=pl.when(pl.col("code") != "onbekend").then(pl.col("code")))
    hot = maps.hotspot_map(inputs, "hennepkwekerijen", YEAR.label(), "aantal")
    for kaart in (change, hot):
        props = features(kaart)
        texts = dict(zip(kaart.frame["code"], kaart.frame["tekst"]))
        assert {c: p["kaarttekst"] for c, p in props.items()} == {c: str(t) for c, t in texts.items()}
        assert all(p["aantal"] is None for p in props.values() if p["afgeschermd"])
    assert any(p["afgeschermd"] for p in features(change).values())
