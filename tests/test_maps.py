"""Maps on the real CBS 2020 boundaries (issue 7; "One figure, one truth"): geometry, map
frames at the level drawn, hidden cells, rates, Gi*, offline HTML, PNG."""
from __future__ import annotations

import io
import json
import re
from datetime import date

import numpy as np
import pandas as pd
import polars as pl
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


# --- map frames (the data layer's contract) ----------------------------------------------------

def _frame(counts: dict | None = None, hidden: dict | None = None,
           aantal_2020: dict | None = None) -> pl.DataFrame:
    """A map frame as the data layer makes it: exact visible counts, hidden cells as null
    with their mark, aantal_2020 = aantal unless given."""
    rows = [(code, n, str(n), (aantal_2020 or {}).get(code, n)) for code, n in (counts or {}).items()]
    rows += [(code, None, mark, None) for code, mark in (hidden or {}).items()]
    return pl.DataFrame(rows, schema={"code": pl.String, "aantal": pl.Int64, "weergave": pl.String,
                                      "aantal_2020": pl.Int64}, orient="row")


def _features(page: str) -> dict:
    """The polygons' properties as embedded in the rendered map page, by code."""
    data = json.loads(re.search(r'_add\((\{"features".*?\})\);\n', page, re.S).group(1))
    return {f["properties"]["code"]: f["properties"] for f in data["features"]}


def test_map_takes_a_frame_at_the_level_drawn_only():
    with pytest.raises(TypeError):
        maps.choropleth({"BU05050100": 3}, "buurt")              # the old dict input is gone
    with pytest.raises(ValueError, match="WK codes only"):        # no summing buurten into wijken
        maps.choropleth(_frame({"BU05050100": 3}), "wijk")
    with pytest.raises(ValueError, match="aantal_2020"):
        maps.choropleth(_frame({"WK050501": 3}).drop("aantal_2020"), "wijk")


# --- values -----------------------------------------------------------------------------------

def test_no_rate_below_150_inhabitants_but_the_count_is_shown():
    buurten = maps.boundaries("buurt")
    kaart = maps.choropleth(_frame({code: 2 for code in buurten["code"]}), "buurt", "per_1000")
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
    kaart = maps.choropleth(_frame({"BU05050100": 7}), "buurt", "per_km2")
    row = kaart.frame.set_index("code").loc["BU05050100"]
    assert row["waarde"] == pytest.approx(7 / (row["opp_land_ha"] / 100))


def test_wijk_rate_comes_from_aantal_2020_and_says_so():
    # Wielwijk (WK050507) holds the 2024-only Amstelwijck codes: 20 registrations, of which
    # 15 in buurten with a 2020 population. The wijk's own count is drawn, not a buurt sum.
    frame = _frame({"WK050507": 20, "WK050501": 9}, aantal_2020={"WK050507": 15})
    for maat, noot in (("per_1000", "waarvan 5 in nieuwe buurten (2024) zonder inwonertal: "
                                    "niet in het cijfer per 1.000"),
                       ("per_km2", "waarvan 5 in nieuwe buurten (2024) zonder grens van 2020: "
                                   "niet in het cijfer per km²")):
        kaart = maps.choropleth(frame, "wijk", maat)
        wijk = kaart.frame.set_index("code")
        row = wijk.loc["WK050507"]
        assert row["aantal"] == 20 and row["aantal_tekst"] == "20"
        expected = (1000 * 15 / row["inwoners"] if maat == "per_1000"
                    else 15 / (row["opp_land_ha"] / 100))
        assert row["waarde"] == pytest.approx(expected)
        assert row["toelichting"] == noot
        assert wijk.loc["WK050501", "toelichting"] == ""
    assert maps.choropleth(frame, "wijk", "aantal").frame.set_index("code").loc["WK050507", "waarde"] == 20


def test_rows_off_the_buurt_map_are_named_not_drawn():
    frame = _frame({"BU05050708": 3, "BU05050700": 2, None: 4})
    buurt = maps.choropleth(frame, "buurt")
    assert buurt.frame["aantal"].sum() == 2       # no 2020 polygon for BU05050708
    notes = " ".join(buurt.notities)
    assert "3 in nieuwe buurtcodes van 2024" in notes and "Amstelwijck Park" in notes
    assert "4 zonder bekende buurt" in notes
    # hidden ones are named with their mark, never summed
    hidden = maps.choropleth(_frame({"BU05050709": 6}, {"BU05050708": "<5", None: "<5"}), "buurt")
    notes = " ".join(hidden.notities)
    assert "<5 in Amstelwijck Park, 6 in Amstelwijck Midden" in notes
    assert "<5 zonder bekende buurt" in notes


def test_change_map_is_now_minus_before():
    kaart = maps.change(_frame({"BU05050100": 5}), _frame({"BU05050100": 2, "BU05050101": 1}),
                        "buurt", "aantal")
    frame = kaart.frame.set_index("code")
    assert frame.loc["BU05050100", "waarde"] == 3 and frame.loc["BU05050100", "tekst"] == "+3"
    assert frame.loc["BU05050100", "aantal_tekst"] == "5 (eerder 2)"
    assert frame.loc["BU05050101", "waarde"] == -1
    assert frame.loc["BU05050100", "kleur"] in maps.DIVERGING[3:]
    assert frame.loc["BU05050101", "kleur"] in maps.DIVERGING[:3]


# --- hidden cells (disclosure control) -----------------------------------------------------------

def test_hidden_cells_are_drawn_hidden_never_as_zero():
    frame = _frame({"BU05050101": 12, "BU05050103": 7}, {"BU05050100": "<5", "BU05050102": "x"})
    for maat in ("aantal", "per_1000", "per_km2"):
        kaart = maps.choropleth(frame, "buurt", maat, "signalen")
        rows = kaart.frame.set_index("code")
        for code, mark in (("BU05050100", "<5"), ("BU05050102", "x")):
            row = rows.loc[code]
            assert row["kleur"] == maps.VERBORGEN
            assert np.isnan(row["waarde"]) and np.isnan(row["aantal"])     # no rate either
            assert row["tekst"] == mark and row["aantal_tekst"] == mark
        assert rows.loc["BU05050100", "toelichting"] == "<5 = 1 tot 4 (afgeschermd)"
        assert rows.loc["BU05050102", "toelichting"] == "x = afgeschermd om een andere cel te beschermen"
        assert (maps.VERBORGEN, "<5 = 1 tot 4; x = afgeschermd om een andere cel te beschermen") in kaart.legenda
        assert maps.VERBORGEN not in (maps.NUL, maps.GEEN_CIJFER)
        assert rows.loc["BU05050104", "kleur"] == maps.NUL                 # a real 0 stays 0
    page = maps.html_page(maps.folium_map(maps.choropleth(frame, "buurt", "aantal"), "geen"))
    shown = _features(page)
    assert shown["BU05050100"]["waarde_tekst"] == "<5" and shown["BU05050100"]["aantal_tekst"] == "<5"
    assert shown["BU05050102"]["waarde_tekst"] == "x" and shown["BU05050102"]["aantal_tekst"] == "x"
    assert shown["BU05050100"]["kleur"] == maps.VERBORGEN and shown["BU05050100"]["verborgen"]
    assert shown["BU05050104"]["aantal_tekst"] == "0" and not shown["BU05050104"]["verborgen"]
    assert '"className": "dw-vlak dw-buurt dw-verborgen"' in page and "dw-arcering" in page


def test_class_breaks_use_visible_values_only():
    visible = {f"BU050501{i:02d}": n for i, n in enumerate((5, 8, 13, 21, 34, 55))}
    with_hidden = maps.choropleth(_frame(visible, {"BU05050106": "<5", "BU05050107": "x"}), "buurt")
    alone = maps.choropleth(_frame(visible), "buurt")
    classes = [label for colour, label in with_hidden.legenda if colour in maps.SEQUENTIAL]
    assert classes == [label for colour, label in alone.legenda if colour in maps.SEQUENTIAL]
    assert classes[0] == "5 – 8"              # starts at the lowest visible count, not at 1


def test_change_is_hidden_when_either_count_is():
    now = _frame({"BU05050100": 9, "BU05050101": 6}, {"BU05050102": "<5"})
    before = _frame({"BU05050100": 2, "BU05050102": 7}, {"BU05050101": "x"})
    rows = maps.change(now, before, "buurt", "per_1000", "signalen", "2025", "2024").frame.set_index("code")
    for code, text in (("BU05050101", "6 (eerder x)"), ("BU05050102", "<5 (eerder 7)")):
        assert rows.loc[code, "kleur"] == maps.VERBORGEN and np.isnan(rows.loc[code, "waarde"])
        assert rows.loc[code, "tekst"] == "afgeschermd" and rows.loc[code, "aantal_tekst"] == text
    assert rows.loc["BU05050100", "waarde"] == pytest.approx(7000 / rows.loc["BU05050100", "inwoners"])


# --- Getis-Ord Gi* ------------------------------------------------------------------------------

def _cluster() -> list[int]:
    """A buurt with an ordinary number of neighbours (6), and those neighbours."""
    w = maps.queen_weights()
    cardinalities = w.sum(axis=1)
    centre = min(range(len(w)), key=lambda i: (abs(cardinalities[i] - 6), i))
    return [centre, *np.flatnonzero(w[centre]).tolist()]


def _planted() -> np.ndarray:
    rng = np.random.default_rng(7)
    y = rng.poisson(2, 129)
    y[_cluster()] = rng.poisson(15, len(_cluster()))
    return y


def test_queen_weights_are_libpysals_queen_weights():
    weights = pytest.importorskip("libpysal.weights")
    queen = weights.Queen.from_dataframe(maps.boundaries("buurt"), use_index=False)
    w = maps.queen_weights()
    assert w.shape == (129, 129) and not w.diagonal().any() and (w == w.T).all()
    assert {i: sorted(np.flatnonzero(w[i]).tolist()) for i in range(129)} == \
           {i: sorted(n) for i, n in queen.neighbors.items()}
    assert int(w.sum()) == 796


def test_exact_tails_match_brute_force():
    from itertools import combinations

    values = np.array([0, 0, 1, 2, 2, 3, 5, 8, 13, 0, 1])
    for k, s in ((1, 8), (3, 7), (4, 0), (4, 28), (5, 31)):
        sums = np.array([sum(c) for c in combinations(values, k)])
        upper, lower = maps.subset_sum_tails(values, [k], [s])
        assert upper[0] == pytest.approx((sums >= s).mean()) and lower[0] == pytest.approx((sums <= s).mean())


def test_gi_star_flags_a_planted_cluster_at_99_percent_after_fdr():
    y = _planted()
    cluster = _cluster()
    result = maps.hotspots(y)
    assert result.waarschuwing is None
    centre = cluster[0]
    assert result.klasse[centre] == "hot99"
    # exact p, far below what one buurt needs on its own at 99 % over 129 (0.01/129)
    assert result.p[centre] < 1e-9 < 0.01 / 129
    assert result.z[centre] > 9
    hot = set(np.flatnonzero(result.klasse.str.startswith("hot")))
    assert len(hot & set(cluster)) >= len(cluster) // 2
    w = maps.queen_weights()                  # hot outside it only next to the cluster
    assert all(w[i, cluster].any() for i in hot - set(cluster))
    assert not result.klasse.iloc[cluster].str.startswith("cold").any()


def test_gi_star_on_shuffled_counts_flags_nothing():
    y = _planted()
    rng = np.random.default_rng(2024)
    klassen = [maps.hotspots(rng.permutation(y)).klasse for _ in range(20)]
    # Measured: 1 of these 20 shuffles flags anything (three neighbouring buurten, cold at
    # 95 %), none at 99 %. Over 1 000 shuffles: 28 flag anything at 95 %, 4 at 99 % — within
    # the FDR levels. The normal approximation of the same z flagged 78 of 200.
    assert sum((k != "geen").any() for k in klassen) <= 1
    assert not any(k.isin(["hot99", "cold99"]).any() for k in klassen)


def test_gi_star_finds_a_cold_spot_as_cold_never_hot():
    cluster = _cluster()
    y = np.random.default_rng(3).poisson(20, 129)
    y[cluster] = 0
    result = maps.hotspots(y)
    assert result.klasse[cluster[0]] == "cold99" and result.z[cluster[0]] < 0
    assert not result.klasse.str.startswith("hot").any()
    assert set(np.flatnonzero(result.klasse != "geen")) <= set(cluster)


def test_gi_star_on_rates_leaves_out_small_buurten():
    buurten = maps.boundaries("buurt")
    small = (buurten["inwoners"] < maps.MIN_INWONERS).to_numpy()
    result = maps.hotspots(_planted(), "per_1000")
    assert (result.klasse[small] == "niet_getoetst").all() and np.isnan(result.p[small]).all()
    assert not np.isnan(result.p[~small]).any()
    # the rate of a large buurt enters as 1000 × count / inhabitants
    y = np.zeros(129)
    y[~small] = 1000 * _planted()[~small] / buurten["inwoners"].to_numpy()[~small]
    z, p = maps.gi_star(np.where(small, np.nan, y))
    assert np.allclose(z[~small], result.z[~small]) and np.allclose(p[~small], result.p[~small])


def test_gi_star_refuses_a_hidden_count():
    with pytest.raises(ValueError, match="exact"):
        maps.hotspots(np.where(np.arange(129) == 3, np.nan, 5.0))
    frame = _frame({"BU05050101": 12}, {"BU05050100": "<5"})          # hidden = null aantal
    with pytest.raises(ValueError, match="exact"):
        maps.hotspot_map(frame)


def _exact_with_marks(counts: dict) -> pl.DataFrame:
    """What hotspot_map takes: exact counts, and the mark the role sees beside them."""
    return pl.DataFrame({"code": list(counts), "aantal": list(counts.values()),
                         "weergave": ["<5" if 1 <= n <= 4 else str(n) for n in counts.values()]},
                        schema={"code": pl.String, "aantal": pl.Int64, "weergave": pl.String})


def test_too_little_data_warning_names_the_true_counts():
    codes = maps.boundaries("buurt")["code"]
    counts = {codes[i]: n for i, n in enumerate((1, 2, 3, 1, 4, 2))} | {None: 3}
    kaart = maps.hotspot_map(_exact_with_marks(counts), "signalen", "2025")
    assert kaart.waarschuwing == kaart.notities[0]
    assert kaart.waarschuwing.startswith("Te weinig registraties om hotspots te bepalen: "
                                         "16 registraties in 6 buurten;")
    assert kaart.frame["kleur"].eq(maps.GEEN_CIJFER).all()
    result = maps.hotspots(np.r_[np.full(5, 2.0), np.zeros(124)])
    assert result.klasse is None and "10 registraties in 5 buurten" in result.waarschuwing


def test_hotspot_map_shows_class_and_mark_never_the_exact_count():
    codes = maps.boundaries("buurt")["code"]
    y = _planted()
    counts = {code: int(n) for code, n in zip(codes, y)}
    for maat in ("aantal", "per_1000"):
        kaart = maps.hotspot_map(_exact_with_marks(counts), "signalen", "2025", maat)
        assert kaart.waarschuwing is None and kaart.notities[0] == maps.HOTSPOT_UITLEG
        page = maps.html_page(maps.folium_map(kaart, "geen"))
        shown = _features(page)
        for code, n in counts.items():
            props = shown[code]
            assert props["aantal_tekst"] == ("<5" if 1 <= n <= 4 else str(n))
            assert props["waarde_tekst"] in {label for _, label in
                                             [*maps.HOTSPOT_KLASSEN.values(), maps.NIET_GETOETST]}
        small = [c for c, n in counts.items() if 1 <= n <= 4]
        assert small and kaart.frame.set_index("code").loc[small, "aantal"].isna().all()
        assert (None, maps.VERBORGEN_LEGENDA) in kaart.legenda
    assert shown[codes[_cluster()[0]]]["waarde_tekst"] == "Hotspot, 99% zeker"
    assert maps.HOTSPOT_PER_1000 in kaart.notities


def test_benjamini_hochberg():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert maps.benjamini_hochberg(p, 0.05).tolist() == [True, True] + [False] * 8
    assert not maps.benjamini_hochberg(np.full(129, 0.01), 0.001).any()


# --- the interactive map offline, and the static PNG ------------------------------------------------

def _focus() -> maps.Focus:
    return maps.Focus("Spuiweg", "uncertain", ("BU05050112", "BU05050113", "BU05050114"))


def test_map_html_loads_only_local_assets_without_basemap():
    kaart = maps.choropleth(_frame({"BU05050100": 4, "BU05050202": 9}), "buurt", "aantal", "signalen")
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
    kaart = maps.choropleth(_frame({}), "wijk")
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

    kaart = maps.choropleth(_frame({"BU05050100": 4, "BU05050708": 1}, {"BU05050101": "<5"}),
                            "buurt", "per_1000", "hennepkwekerijen")
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

def test_map_frames_agree_with_the_registry_at_each_level(served_demo):
    """Every map layer at buurt and at wijk level comes from the measure registry's facts at
    that level: the buurt cells (with location unknown) add up to the city figure, and each
    wijk's cell is the registry's value over that wijk's buurten."""
    import polars as pl

    from dijkwacht import measures, queries
    from dijkwacht.app import data

    db = queries.served(served_demo)
    period = Period(date(2015, 1, 1), date(2016, 1, 1))
    city = measures.values(db, period.van, period.tot)
    by_layer = {"hennepkwekerijen": "hennep_ontmanteld", "controles": "controles_aantal",
                "sluitingen": "sluitingen", "dwangsommen": "dwangsommen_aantal",
                "bibob_geweigerd": "bibob_geweigerd", "verdachte_transacties": "transacties_aantal"}
    buurt = data.map_frame("analist", period, "buurt")
    totals = dict(buurt.group_by("laag").agg(pl.col("aantal").sum()).iter_rows())
    for laag, code in by_layer.items():
        assert totals[laag] == city[code], laag
    assert totals["hennepkwekerijen"] == 64          # the published 2015 figure
    wijk = data.map_frame("analist", period, "wijk").filter(pl.col("laag") == "hennepkwekerijen")
    for row in wijk.filter(pl.col("code") != "onbekend").head(5).iter_rows(named=True):
        buurten = data.area_buurten("analist", f"wijk:{row['code']}")
        assert row["aantal"] == measures.values(db, period.van, period.tot, buurten)["hennep_ontmanteld"]


def test_points_only_for_analysts(served_demo):
    from dijkwacht.app import data

    period = Period(date(2015, 1, 1), date(2016, 1, 1))
    with pytest.raises(access.AccessDenied):
        data.grow_site_cells("bestuur", period)
    cells = data.grow_site_cells("analist", period)
    assert cells.height and set(cells.columns) == {"cel_x", "cel_y", "aantal"}
    assert (cells["cel_x"] % 100 == 0).all() and (cells["cel_y"] % 100 == 0).all()
    focus = data.focus_areas("bestuur")
    assert set(focus["status"]) == {"placed", "approximate", "uncertain"}
