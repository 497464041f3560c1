"""Maps on the real CBS 2020 boundaries (issue 7): geometry, rates, Gi*, offline HTML, PNG."""
from __future__ import annotations

import io
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dijkwacht import access, assets, config, maps
from dijkwacht.filters import Period


@pytest.fixture(scope="module")
def raw_buurten():
    import geopandas as gpd
    return gpd.read_file(config.gemeente().buurten)


# --- the boundaries -------------------------------------------------------------------------

def test_every_cbs_label_point_lies_in_its_own_buurt(raw_buurten):
    from shapely.geometry import Point

    labels = pd.read_csv(config.gemeente().kerncijfers)
    shapes = dict(zip(raw_buurten["bu_code"], raw_buurten.geometry))
    assert len(labels) == len(shapes) == 130
    wrong = [row.bu_code for row in labels.itertuples()
             if not shapes[row.bu_code].contains(Point(row.label_lon, row.label_lat))]
    assert wrong == []


def test_total_area_in_rd_new_is_dordrecht(raw_buurten):
    km2 = raw_buurten.to_crs(28992).area.sum() / 1e6
    assert km2 == pytest.approx(99.47, rel=0.005)


def test_land_buurten_and_wijken():
    buurten, wijken = maps.boundaries("buurt"), maps.boundaries("wijk")
    assert len(buurten) == 129 and buurten["code"].is_unique
    assert len(wijken) == 13                      # the water-only wijk has no land
    assert wijken["inwoners"].sum() == buurten["inwoners"].sum() == 119_030


# --- values -----------------------------------------------------------------------------------

def test_no_rate_below_150_inhabitants_but_the_count_is_shown():
    buurten = maps.boundaries("buurt")
    kaart = maps.choropleth({code: 2 for code in buurten["code"]}, "buurt", "per_1000")
    small = kaart.frame[kaart.frame["inwoners"] < maps.MIN_INWONERS]
    large = kaart.frame[kaart.frame["inwoners"] >= maps.MIN_INWONERS]
    assert len(small) > 10                        # harbours and industrial estates
    assert small["waarde"].isna().all()
    assert small["toelichting"].str.contains("150 inwoners").all()
    assert (small["tekst"] == "2 (aantal)").all()
    assert small["kleur"].eq(maps.GEEN_CIJFER).all()
    assert large["waarde"].notna().all()
    assert any("150 inwoners" in label for _, label in kaart.legenda)
    row = large.iloc[0]
    assert row["waarde"] == pytest.approx(2000 / row["inwoners"])


def test_rate_per_km2_uses_land_area():
    kaart = maps.choropleth({"BU05050100": 7}, "buurt", "per_km2")
    row = kaart.frame.set_index("code").loc["BU05050100"]
    assert row["waarde"] == pytest.approx(7 / (row["opp_land_ha"] / 100))


def test_a_2024_only_code_counts_in_its_wijk():
    assert maps.wijk_of("BU05050708") == "WK050507"
    counts = {"BU05050708": 3, "BU05050700": 2, None: 4}
    wijk = maps.choropleth(counts, "wijk").frame.set_index("code")
    assert wijk.loc["WK050507", "aantal"] == 5
    buurt = maps.choropleth(counts, "buurt")
    assert buurt.frame["aantal"].sum() == 2       # no 2020 polygon for BU05050708
    notes = " ".join(buurt.notities)
    assert "3 in nieuwe buurtcodes" in notes and "4 zonder bekende buurt" in notes


def test_change_map_is_now_minus_before():
    kaart = maps.change({"BU05050100": 5}, {"BU05050100": 2, "BU05050101": 1}, "buurt", "aantal")
    frame = kaart.frame.set_index("code")
    assert frame.loc["BU05050100", "waarde"] == 3 and frame.loc["BU05050100", "tekst"] == "+3"
    assert frame.loc["BU05050101", "waarde"] == -1
    assert frame.loc["BU05050100", "kleur"] in maps.DIVERGING[3:]
    assert frame.loc["BU05050101", "kleur"] in maps.DIVERGING[:3]


# --- Getis-Ord Gi* ------------------------------------------------------------------------------

def _cluster() -> list[int]:
    """A buurt with an ordinary number of neighbours (6), and those neighbours."""
    w = maps.queen_weights()
    centre = min(range(w.n), key=lambda i: (abs(w.cardinalities[i] - 6), i))
    return [centre, *w.neighbors[centre]]


def test_gi_star_flags_a_planted_cluster():
    rng = np.random.default_rng(7)
    y = rng.poisson(2, 129).astype(float)
    cluster = _cluster()
    y[cluster] = rng.poisson(15, len(cluster))
    result = maps.hotspots(y)
    assert result.waarschuwing is None
    hot = set(np.flatnonzero(result.klasse.str.startswith("hot")))
    assert cluster[0] in hot
    assert len(hot & set(cluster)) >= len(cluster) // 2
    assert (result.klasse == "hot99").any()
    assert not result.klasse.iloc[cluster].str.startswith("cold").any()


@pytest.mark.slow
def test_gi_star_after_fdr_flags_nothing_on_random_fields():
    flagged = 0
    for seed in range(20):
        y = np.random.default_rng(1000 + seed).poisson(3, 129).astype(float)
        result = maps.hotspots(y, seed=seed)
        flagged += bool((result.klasse != "geen").any())
    assert flagged <= 2


def test_gi_star_warns_instead_of_colouring_small_counts():
    y = np.zeros(129)
    y[:5] = 2
    result = maps.hotspots(y)
    assert result.klasse is None and "Te weinig registraties" in result.waarschuwing
    kaart = maps.hotspot_map({code: 1 for code in maps.boundaries("buurt")["code"][:5]})
    assert kaart.frame["kleur"].eq(maps.GEEN_CIJFER).all()
    assert kaart.notities[0].startswith("Te weinig registraties")


def test_benjamini_hochberg():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert maps.benjamini_hochberg(p, 0.05).tolist() == [True, True] + [False] * 8
    assert not maps.benjamini_hochberg(np.full(129, 0.01), 0.001).any()


# --- the interactive map offline, and the static PNG ------------------------------------------------

def _focus() -> maps.Focus:
    return maps.Focus("Spuiweg", "uncertain", ("BU05050112", "BU05050113", "BU05050114"))


def test_map_html_loads_only_local_assets_without_basemap():
    kaart = maps.choropleth({"BU05050100": 4, "BU05050202": 9}, "buurt", "aantal", "signalen")
    cells = maps.cell_centres(pd.DataFrame({"cel_x": [105300], "cel_y": [422700], "aantal": [2]}))
    page = maps.html_page(maps.folium_map(kaart, "geen", _focus(), cells))
    urls = maps.assets_in(page)
    assert urls and all(u.startswith(assets.URL_PREFIX + "/") for u in urls), urls
    assert sorted(urls) == sorted(u for _, u in assets.JS + assets.CSS)
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "url(http" not in page and "@import" not in page
    assert "service.pdok.nl" not in page
    assert "Bron: CBS, Kadaster" in page and "dw-legenda" in page
    assert page.count('"className": "dw-vlak dw-buurt"') >= 1
    assert "Spuiweg (indicatief)" in page


def test_map_with_pdok_basemap_names_it():
    kaart = maps.choropleth({}, "wijk")
    page = maps.html_page(maps.folium_map(kaart, "pdok"))
    assert maps.PDOK_URL.split("{")[0] in page and "Kadaster" in page


def test_assets_install_from_the_pinned_packages(tmp_path):
    written = assets.install(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in written} >= {
        "leaflet/leaflet.js", "leaflet/leaflet.css", "jquery/jquery.min.js"}
    assert b"Leaflet" in (tmp_path / "leaflet/leaflet.js").read_bytes()[:400]
    assert assets.install(tmp_path) == []        # idempotent


def test_static_png_is_a_real_png():
    from PIL import Image

    kaart = maps.choropleth({"BU05050100": 4, "BU05050708": 1}, "buurt", "per_1000", "hennepkwekerijen")
    data = maps.png(kaart, _focus())
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and 800 <= image.width <= 2500 and 600 <= image.height <= 2000
    assert 20_000 < len(data) < 2_000_000
    assert len(image.convert("RGB").getcolors(1 << 20) or []) > 10      # not blank


def test_cell_centres_are_the_middle_of_the_100m_cell():
    from pyproj import Transformer

    centres = maps.cell_centres(pd.DataFrame({"cel_x": [105300], "cel_y": [422700], "aantal": [1]}))
    x, y = Transformer.from_crs(4326, 28992, always_xy=True).transform(centres.lon[0], centres.lat[0])
    assert (x, y) == (pytest.approx(105350, abs=0.01), pytest.approx(422750, abs=0.01))


# --- the map's data on the demo database -------------------------------------------------------------

def test_map_counts_agree_with_the_indicators(served_demo):
    import polars as pl
    from dijkwacht import queries

    # Through the app's own (hardened) connection: a second, differently configured
    # connection to the same file would be refused by DuckDB.
    db = queries.served(served_demo)
    van, tot = date(2015, 1, 1), date(2016, 1, 1)
    counts = db.query("kaart_tellingen", van=van, tot=tot, thema=None)
    total = dict(counts.group_by("laag").agg(pl.col("aantal").sum()).iter_rows())
    for laag, query in (("hennepkwekerijen", "hennep_ontmanteld"), ("controles", "controles_aantal"),
                        ("sluitingen", "sluitingen"), ("dwangsommen", "dwangsommen_aantal"),
                        ("bibob_geweigerd", "bibob_geweigerd"), ("signalen", "signalen_aantal")):
        expected = db.query(query, van=van, tot=tot, buurten=None)["waarde"][0]
        assert total.get(laag, 0) == expected, laag
    assert total["hennepkwekerijen"] == 64          # the published 2015 figure


def test_points_only_for_analysts(served_demo):
    from dijkwacht import data

    period = Period(date(2015, 1, 1), date(2016, 1, 1))
    assert data.map_data("bestuur", period)["cellen"] is None
    with pytest.raises(access.AccessDenied):
        data.grow_site_cells("bestuur", period)
    cells = data.map_data("analist", period)["cellen"]
    assert cells.height and set(cells.columns) == {"cel_x", "cel_y", "aantal"}
    assert (cells["cel_x"] % 100 == 0).all() and (cells["cel_y"] % 100 == 0).all()
    focus = data.focus_areas("bestuur")
    assert set(focus["status"]) == {"placed", "approximate", "uncertain"}
