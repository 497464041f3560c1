"""The demo travels the real ETL and reproduces the programme's published figures
(data/published-figures.csv), checked with plain SQL on the served database."""
from __future__ import annotations

import csv
from datetime import date

import pytest

from dijkwacht import config


def published() -> dict[tuple[str, str], float]:
    with open(config.DATA_DIR / "published-figures.csv", encoding="utf-8") as fh:
        return {(r["indicator"], r["periode_van"]): float(r["waarde"]) for r in csv.DictReader(fh)}


@pytest.mark.parametrize("year", [2012, 2013, 2014, 2015])
def test_grow_sites_per_year_match_published(demo_con, year):
    expected = published()[("ontmantelde_hennepkwekerijen", f"{year}-01-01")]
    (count,) = demo_con.execute(
        "SELECT count(*) FROM hennepkwekerijen WHERE year(datum_ontmanteling) = ?", [year]).fetchone()
    assert count == expected


def test_mean_plants_2012_2015_within_published_band(demo_con):
    (mean,) = demo_con.execute(
        "SELECT avg(aantal_planten) FROM hennepkwekerijen WHERE year(datum_ontmanteling) BETWEEN 2012 AND 2015"
    ).fetchone()
    assert 200 <= mean <= 280


def test_suspicious_transactions_2014_2015(demo_con):
    figures = published()
    rows, companies, persons = demo_con.execute(
        """SELECT count(*),
                  count(DISTINCT subject_id) FILTER (WHERE subject_type = 'rechtspersoon'),
                  count(DISTINCT subject_id) FILTER (WHERE subject_type = 'natuurlijk persoon')
           FROM verdachte_transacties WHERE datum >= ? AND datum < ?""",
        [date(2014, 1, 1), date(2016, 1, 1)]).fetchone()
    assert rows == figures[("verdachte_transacties", "2014-01-01")] == 159
    assert companies == figures[("verdachte_transacties_bedrijven", "2014-01-01")] == 11
    assert persons == figures[("verdachte_transacties_personen", "2014-01-01")] == 41


def test_family_case(demo_con):
    """One owner with 12 properties; 5 of them held grow sites within 150 days; a €30,000
    dwangsom, 3 warnings and BRP checks of all 12 properties at those addresses."""
    owner, properties = demo_con.execute(
        "SELECT eigenaar_id, count(*) FROM eigendommen GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()
    assert properties == 12
    (second,) = demo_con.execute(
        "SELECT count(*) FROM eigendommen GROUP BY eigenaar_id ORDER BY 1 DESC LIMIT 1 OFFSET 1").fetchone()
    assert second < 12
    addresses = "SELECT adres_sleutel FROM eigendommen WHERE eigenaar_id = $owner"
    sites, first, last = demo_con.execute(
        f"SELECT count(DISTINCT adres_sleutel), min(datum_ontmanteling), max(datum_ontmanteling) "
        f"FROM hennepkwekerijen WHERE adres_sleutel IN ({addresses})", {"owner": owner}).fetchone()
    assert sites == 5 and (last - first).days <= 150
    dwangsom, warnings, brp = demo_con.execute(
        f"""SELECT max(bedrag_dwangsom) FILTER (WHERE maatregel = 'last onder dwangsom'),
                   count(*) FILTER (WHERE maatregel = 'bestuurlijke waarschuwing'),
                   count(DISTINCT adres_sleutel) FILTER (WHERE soort = 'brp-adrescontrole')
            FROM controles WHERE adres_sleutel IN ({addresses})""", {"owner": owner}).fetchone()
    assert float(dwangsom) == published()[("riec_casus_last_onder_dwangsom", "")] == 30000
    assert warnings == 3
    assert brp == 12


def test_meta_marks_the_demo_and_its_stand_per(demo_con):
    demo, fingerprint, stand_per = demo_con.execute(
        "SELECT demo, sleutel_vingerafdruk, stand_per FROM meta").fetchone()
    assert demo is True
    assert fingerprint == config.key_fingerprint(config.DEMO_KEY)
    assert date(2026, 10, 1) <= stand_per <= date(2026, 10, 31)


def test_every_source_loaded_without_quarantine(demo_con):
    rows = demo_con.execute("SELECT bron, rijen_in, geladen, gequarantaineerd FROM bestanden").fetchall()
    assert {r[0] for r in rows} == {"hennepkwekerijen", "verdachte_transacties", "signalen", "controles",
                                    "eigendommen", "activiteiten", "vestigingen"}
    assert all(r[1] == r[2] > 0 and r[3] == 0 for r in rows)


def test_demo_generator_is_deterministic(tmp_path):
    from etl.demo import generate

    written = generate(tmp_path)
    for path in written:
        assert path.read_bytes() == (config.DEMO_DIR / path.name).read_bytes(), path.name


def test_the_vestigingen_extract_leaves_the_other_demo_files_as_they_were(tmp_path, monkeypatch):
    """vestigingen (issue 19) was added to a demo whose six files the figures above are
    checked on: generated last, from its own random generator, it must change none of them.
    A run without it writes the same six files byte for byte."""
    from etl import demo

    with_it = {p.name: p.read_bytes() for p in demo.generate(tmp_path / "met")}
    monkeypatch.setattr(demo, "gen_vestigingen", lambda w, controles: [])
    without = {p.name: p.read_bytes() for p in demo.generate(tmp_path / "zonder")}
    assert len(with_it) == 7 and without["vestigingen.csv"].count(b"\n") == 1    # the header only
    others = sorted(set(with_it) - {"vestigingen.csv"})
    assert len(others) == 6
    assert all(with_it[name] == without[name] for name in others)


def test_each_source_starts_when_it_started(demo_con):
    """The meldpunt and the programme's activities began in 2016; the police, FIU and
    inspection registrations run from 2012."""
    first = dict(demo_con.execute("SELECT bron, eerste_datum FROM bronstand").fetchall())
    assert first["signalen"] == date(2016, 4, 5)
    assert first["activiteiten"].year == 2016
    assert {first[s].year for s in ("hennepkwekerijen", "verdachte_transacties", "controles")} == {2012}
    (bibob,) = demo_con.execute("SELECT min(datum) FROM controles WHERE soort = 'bibob-toets'").fetchone()
    assert bibob >= date(2014, 1, 1)


def test_stand_per_is_the_latest_event(demo_con):
    (latest_event,) = demo_con.execute(
        """SELECT max(d) FROM (SELECT max(datum_ontmanteling) AS d FROM hennepkwekerijen
                               UNION ALL SELECT max(datum) FROM verdachte_transacties
                               UNION ALL SELECT max(CAST(ontvangen_op AS DATE)) FROM signalen
                               UNION ALL SELECT max(datum) FROM controles)""").fetchone()
    (stand_per,) = demo_con.execute("SELECT stand_per FROM meta").fetchone()
    assert stand_per == latest_event == date(2026, 10, 30)


def _focus_zone() -> tuple[set[str], set[str]]:
    """The buurten of the focus areas Lijnbaan, Vogelbuurt and Krispijn (wijk codes expanded),
    and those plus every land buurt bordering them: queen contiguity, polygons sharing at least
    one point (as the hotspot map's weights)."""
    import json

    from shapely.geometry import shape

    from etl.demo import GROW_FOCUS_AREAS, Geo

    geo = Geo()
    core = {c for area, codes in geo.areas.items() for c in codes
            if any(name in area.lower() for name in GROW_FOCUS_AREAS)}
    with open(config.gemeente().buurten, encoding="utf-8") as fh:
        polygons = {f["properties"]["bu_code"]: shape(f["geometry"]) for f in json.load(fh)["features"]
                    if f["properties"]["bu_code"] in geo.buurten}          # land buurten only
    zone = {c for c, poly in polygons.items() if any(poly.intersects(polygons[k]) for k in core)}
    return core, zone


def test_grow_sites_concentrate_in_lijnbaan_vogelbuurt_and_krispijn(demo_con):
    """Designed in etl/demo.py (P_GROW_FOCUS): 48% of all grow sites lie in the focus areas'
    buurten or a buurt bordering them, where 32% of the inhabitants live; 37% in the areas
    themselves (16% of the inhabitants)."""
    core, zone = _focus_zone()
    assert len(core) == 17 and len(zone) == 44
    per_buurt = dict(demo_con.execute("SELECT buurtcode, count(*) FROM hennepkwekerijen GROUP BY 1").fetchall())
    total = sum(per_buurt.values())
    in_zone = sum(n for code, n in per_buurt.items() if code in zone)
    in_core = sum(n for code, n in per_buurt.items() if code in core)
    assert (total, in_zone, in_core) == (760, 367, 281)
    assert round(in_zone / total, 2) == 0.48 and round(in_core / total, 2) == 0.37
    inhabitants = dict(demo_con.execute("SELECT buurtcode, inwoners FROM buurten").fetchall())
    everyone = sum(v or 0 for v in inhabitants.values())
    assert round(sum(inhabitants.get(c) or 0 for c in zone) / everyone, 2) == 0.32


def test_hotspot_statistic_finds_the_krispijn_cluster(demo_con):
    from dijkwacht import maps

    codes = list(maps.boundaries("buurt")["code"])
    per_buurt = dict(demo_con.execute("SELECT buurtcode, count(*) FROM hennepkwekerijen GROUP BY 1").fetchall())
    result = maps.hotspots([per_buurt.get(c, 0) for c in codes])
    hot = {c for c, k in zip(codes, result.klasse) if k.startswith("hot")}
    assert len(hot) >= 5                                           # 9 on the demo when written
    assert all(c[:8] in ("BU050503", "BU050504") for c in hot)     # all in Oud and Nieuw Krispijn
    _, zone = _focus_zone()
    assert not {c for c, k in zip(codes, result.klasse) if k.startswith("cold")} & zone


@pytest.mark.slow
def test_demo_generates_at_national_scale_with_every_source_scaled(tmp_path):
    """`python -m etl.demo --schaal N` feeds `make bench`; at 40 it once ran out of business
    addresses (the house numbers did not scale). Every source grows with N, vestigingen too."""
    from etl.demo import generate

    def rows(paths):
        return {p.stem: sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in paths}

    one, forty = rows(generate(tmp_path / "x1")), rows(generate(tmp_path / "x40", scale=40))
    assert one.keys() == forty.keys() and "vestigingen" in forty
    for source, n in one.items():
        assert 30 * n <= forty[source] <= 50 * n, (source, n, forty[source])


def test_synthetic_kvk_numbers_keep_eight_digits_past_a_million_companies():
    """At ×1000 the demo has ~5.7 M companies; `00` + 6 digits ran out at the millionth and
    the ETL quarantined 82 % of the extract as 'moet precies 8 cijfers zijn'."""
    from dijkwacht.sources.vestigingen import SOURCE
    from etl.demo import kvk_number

    digits = next(c.digits for c in SOURCE.columns if c.name == "kvk_nummer")   # the ETL's rule
    numbers = [kvk_number(n) for n in (1, 999_999, 1_000_000, 5_700_000, 99_999_999)]
    assert numbers[:2] == ["00000001", "00999999"]               # scale 1's numbers unchanged
    assert all(len(x) == digits and x.isdigit() for x in numbers)
    assert len(set(numbers)) == len(numbers)
    with pytest.raises(ValueError):
        kvk_number(100_000_000)
