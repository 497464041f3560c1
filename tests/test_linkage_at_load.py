"""Koppelingen at load (issue 17): what the gateway serves from the tables the ETL builds
(sql/build/koppelingen.sql, etl/linkage_tables.py) equals the pure linkage functions over
the whole event list — on the demo data, loaded through the real ETL — and the tables
follow retention.
"""
from __future__ import annotations

import shutil
from datetime import date

import duckdb
import networkx as nx
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dijkwacht import linkage, queries
from dijkwacht.sources import SOURCES

ROLE = "analist"
PERIODS = [None, (date(2025, 1, 1), date(2026, 1, 1)), (date(2026, 7, 1), date(2026, 10, 1)),
           (date(2024, 4, 1), date(2024, 7, 1)), (date(2020, 1, 1), date(2027, 1, 1))]
SINCE = [date(2026, 9, 30), date(2026, 1, 1), date(2025, 6, 15), date(2023, 1, 1), date(2010, 1, 1)]
# Records of one key with equal (datum, bron, nummer) — ownership rows of one peildatum —
# have no order of their own: compare timelines in one canonical order.
TIMELINE_ORDER = ["datum", "bron", "nummer", "via", "adres_sleutel", "persoon_sleutel", "soort"]


@pytest.fixture(scope="module")
def events(demo_db) -> pl.DataFrame:
    return queries.served(demo_db).query("koppeling_gebeurtenissen")


@pytest.fixture
def data(served_demo):
    from dijkwacht.app import data
    return data


@pytest.fixture
def stand_per(data) -> date:
    return data.meta(ROLE)["stand_per"]


def test_the_event_list_holds_every_record_of_every_linked_source(demo_con):
    per_source = dict(demo_con.execute(
        "SELECT bron, count(*) FROM koppeling_gebeurtenissen GROUP BY bron").fetchall())
    for name in linkage.SOURCES:
        assert per_source.get(name, 0) == demo_con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
    keyed = demo_con.execute(
        "SELECT count(*) FILTER (WHERE adres_sleutel IS NOT NULL) + count(*) FILTER (WHERE persoon_sleutel IS NOT NULL) "
        "FROM koppeling_gebeurtenissen").fetchall()[0][0]
    assert demo_con.execute("SELECT count(*) FROM koppeling_index").fetchall()[0][0] == keyed


def test_linked_keys_equal_the_pure_ranking(data, events, stand_per):
    pure = linkage.linked_keys(events, stand_per)
    assert_frame_equal(data.linked_keys(ROLE, None), pure)
    assert_frame_equal(data.linked_keys(ROLE), pure.head(data.KEY_LIMIT))
    assert data.linked_key_count(ROLE) == pure.height


def test_the_score_keeps_counting_recency_from_the_stand_per_asked(data, events):
    # The recency part is added when read: any stand per gives the pure function's ranking.
    for now in (date(2024, 1, 1), date(2031, 6, 1)):
        assert_frame_equal(data._linked_keys(ROLE, data.database_version(), now, None),
                           linkage.linked_keys(events, now))


def test_owner_components_are_the_networkx_graph_s_components(events):
    links = linkage.owner_links(events)
    graph = linkage.link_graph(links.iter_rows())
    expected = {frozenset(comp) for comp in nx.connected_components(graph)}
    nodes = linkage.owner_components(links)
    found = {frozenset(zip(part["soort"], part["sleutel"])) for part in nodes.partition_by("comp")}
    assert len(expected) > 100 and max(map(len, expected)) >= 12    # the example case's cluster
    assert found == expected


def test_owner_components_of_no_links_are_none():
    assert linkage.owner_components(linkage.owner_links(linkage.empty_events())).is_empty()


def test_owner_clusters_at_load_equal_the_pure_clusters(data, events):
    pure = linkage.clusters(events)
    assert_frame_equal(data.owner_clusters(ROLE, None), pure)
    assert_frame_equal(data.owner_clusters(ROLE), pure.head(data.CLUSTER_LIMIT))


def test_a_cluster_is_drawn_as_from_the_whole_graph(data, events):
    clusters = linkage.clusters(events)
    for number in range(1, 11):
        keys = clusters.row(number - 1, named=True)["sleutels"]
        nodes, edges = data.cluster_network(ROLE, tuple(keys))
        pure_nodes, pure_edges = linkage.cluster_layout(events, keys)
        assert_frame_equal(nodes, pure_nodes)       # coordinates included: same graph order
        assert_frame_equal(edges, pure_edges)


def test_timelines_equal_the_pure_timeline(data, events):
    keys = linkage.linked_keys(events, date(2026, 10, 30)).head(30)["sleutel"].to_list()
    keys += [k for row in linkage.clusters(events).head(3).iter_rows(named=True) for k in row["sleutels"]]
    for key in [*keys, "0" * 64]:
        served = data.key_timeline(ROLE, key)
        pure = linkage.timeline(events, key)
        assert_frame_equal(served.sort(TIMELINE_ORDER, nulls_last=True), pure.sort(TIMELINE_ORDER, nulls_last=True))
    # an owner's timeline includes the records at the addresses it owns
    owner = linkage.clusters(events).row(0, named=True)["sleutels"][0]
    assert "eigen adres" in data.key_timeline(ROLE, owner)["via"].to_list()


def _areas(data) -> list[tuple[str, ...] | None]:
    wijken = queries.served().query("wijken_lijst")["wijkcode"].to_list()
    return [None, (), *(tuple(queries.served().query("gebied_buurten", soort="wijk", code=w)["buurtcode"].to_list())
                        for w in wijken[:3])]


def test_period_analyses_equal_the_pure_functions_over_every_event(data, events):
    from dijkwacht import filters
    for bounds in PERIODS:
        van, tot = bounds or (None, None)
        period = None if bounds is None else filters.Period(van, tot)
        for buurten in _areas(data):
            mine = events if buurten is None else events.filter(pl.col("buurtcode").is_in(list(buurten)))
            where = (bounds, buurten)
            assert_frame_equal(data.problem_intervention(ROLE, period, buurten),
                               linkage.problem_vs_intervention(mine, van, tot)), where
            assert_frame_equal(data.barrier_model(ROLE, period, buurten),
                               linkage.barrier_model(mine, van, tot)), where
            outcome = data.signal_outcomes(ROLE, period, buurten)
            assert_frame_equal(outcome["trechter"], linkage.signal_funnel(mine, van, tot)), where
            assert_frame_equal(outcome["per_doorverwijzing"], linkage.outcome_by_referral(mine, van, tot)), where


def test_the_attention_list_equals_the_pure_list(data, events, stand_per):
    for since in [*SINCE, stand_per]:
        pure = linkage.attention_list(events, since)
        assert_frame_equal(data.attention_list(ROLE, since), pure)
        assert data.attention_count(ROLE, since) == linkage.attention_count(events, since)
    assert data.attention_count(ROLE, date(2025, 6, 15)) > 0


def test_the_attention_list_reads_counts_of_earlier_records_not_the_records(data, events):
    """What a key's earlier records say reaches a request as one row per key and source (the
    served list above equals the pure one): fewer rows than the records they count."""
    since = date(2023, 1, 1)
    known = queries.served().query("koppeling_aandacht_bekend", sinds=since, **linkage.known_record_params())
    assert known.select("sleutel", "sleutel_soort", "bron").is_duplicated().sum() == 0
    assert known["laatst"].max() <= since
    assert known.height < known["aantal"].sum()
    earlier = linkage.occurrences(events.filter((pl.col("datum") <= since) & (pl.col("bron") != "eigendommen")))
    assert known["aantal"].sum() <= earlier.height


def test_the_gateway_never_reads_the_whole_event_list(data, monkeypatch):
    """Koppelingen's requests read one key, cluster, period or what is new: never the whole
    event list (the query the ETL builds the clusters from)."""
    served = queries.served()
    asked = []
    real = type(served).query

    def spy(self, name, **params):
        asked.append(name)
        return real(self, name, **params)

    monkeypatch.setattr(type(served), "query", spy)
    data.st.cache_data.clear()
    keys = data.linked_keys(ROLE)
    data.key_timeline(ROLE, keys["sleutel"][0])
    clusters = data.owner_clusters(ROLE)
    data.cluster_network(ROLE, tuple(clusters.row(0, named=True)["sleutels"]))
    data.problem_intervention(ROLE)
    data.signal_outcomes(ROLE)
    data.attention_list(ROLE, date(2026, 9, 30))
    assert asked and "koppeling_gebeurtenissen" not in asked


def test_the_tables_follow_retention(demo_db, tmp_path):
    """A purged kept version (etl/retention.py) has its Koppelingen tables rebuilt from the
    rows it keeps: no purged record stays reachable through them."""
    from etl import retention

    copy = tmp_path / "versie.duckdb"
    shutil.copyfile(demo_db, copy)
    today = date(2026, 11, 1)
    days = 2 * 365
    before = retention.cutoff(days, today)
    assert retention._purge_copy(copy, days, today) > 0
    con = duckdb.connect(str(copy), read_only=True)
    try:
        kept = queries.OnConnection(con).query("koppeling_gebeurtenissen")
        retained = [s.name for s in SOURCES.values() if s.retained and s.linked]
        assert kept.filter(pl.col("bron").is_in(retained) & (pl.col("datum") < before)).is_empty()
        for name in linkage.SOURCES:
            assert kept.filter(pl.col("bron") == name).height == \
                con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
        stand_per = con.execute("SELECT stand_per FROM meta").fetchall()[0][0]
        served_keys = queries.OnConnection(con).query("koppeling_sleutels", stand_per=stand_per, limit=None)
        pure = linkage.linked_keys(kept, stand_per)
        assert served_keys["sleutel"].to_list() == pure["sleutel"].to_list()
        clusters = queries.OnConnection(con).query("koppeling_clusters", limit=None)
        assert clusters["sleutels"].to_list() == linkage.clusters(kept)["sleutels"].to_list()
        assert con.execute("SELECT count(*) FROM koppeling_index WHERE rij NOT IN "
                           "(SELECT rij FROM koppeling_gebeurtenissen)").fetchall()[0][0] == 0
    finally:
        con.close()


# --- layouts (issue 17): networkx's spring layout, computed faster ---------------------------

def _tree(nodes: int, seed: int = 3):
    """An owner network shaped like the demo's largest clusters at ×100: a tree of people
    and addresses, in link_graph's node and edge order."""
    import random

    rng = random.Random(seed)
    rows = [(f"a{0:05d}", f"p{0:05d}", "eigendommen")]
    people, addresses = ["p00000"], ["a00000"]
    while len(people) + len(addresses) < nodes:
        if rng.random() < 0.7:
            people.append(f"p{len(people):05d}")
            rows.append((rng.choice(addresses), people[-1], "verdachte_transacties"))
        else:
            addresses.append(f"a{len(addresses):05d}")
            rows.append((addresses[-1], rng.choice(people), "eigendommen"))
    return linkage.link_graph(rows)


def test_small_clusters_are_laid_out_as_networkx_does(events):
    import networkx as nx

    clusters = linkage.clusters(events)
    links = linkage.owner_links(events)
    for keys in [*clusters.head(10)["sleutels"].to_list(), []]:
        graph = linkage.link_graph(links.filter(pl.col("adres_sleutel").is_in(keys)).iter_rows())
        ours, theirs = linkage.layout(graph), nx.spring_layout(graph, seed=7) if len(graph) else {}
        assert list(ours) == list(theirs)
        for node in graph:
            assert abs(ours[node][0] - theirs[node][0]) < 1e-4 and abs(ours[node][1] - theirs[node][1]) < 1e-4
    tree = _tree(300)
    ours, theirs = linkage.layout(tree), nx.spring_layout(tree, seed=7)
    assert max(abs(ours[n][i] - theirs[n][i]) for n in tree for i in (0, 1)) < 1e-4


def test_a_large_cluster_gets_networkx_energy_layout_deterministically():
    import networkx as nx
    import numpy as np

    tree = _tree(linkage.ENERGY_NODES + 20)
    ours, again = linkage.layout(tree), linkage.layout(_tree(linkage.ENERGY_NODES + 20))
    assert list(ours) == list(tree) and all(np.array_equal(ours[n], again[n]) for n in tree)
    placed = np.array([ours[n] for n in tree])
    assert np.abs(placed).max() == pytest.approx(1.0) and np.isfinite(placed).all()
    theirs = nx.spring_layout(tree, seed=7)       # method "energy" from ENERGY_NODES on

    def edge_lengths(pos):
        return np.array([np.hypot(*(np.asarray(pos[u]) - np.asarray(pos[v]))) for u, v in tree.edges()])

    # The same energy minimised: edges as long, and no two nodes on one spot.
    assert np.median(edge_lengths(ours)) == pytest.approx(np.median(edge_lengths(theirs)), rel=0.15)
    assert len({(round(x, 4), round(y, 4)) for x, y in placed}) == len(tree)


def test_a_cluster_too_large_to_draw_is_put_on_a_circle_quickly():
    """The ×1000 bend: a spring layout of thousands of nodes stalled the load. Above
    LAYOUT_MAX_NODES every node lands on the unit circle, the same way every time."""
    import time

    import networkx as nx
    import numpy as np

    from dijkwacht import linkage
    graph = nx.path_graph([("adres", f"k{i:05d}") for i in range(linkage.LAYOUT_MAX_NODES + 1)])
    started = time.perf_counter()
    placed = linkage.layout(graph)
    assert time.perf_counter() - started < 2           # the spring layout took minutes here
    radii = np.hypot(*np.array(list(placed.values())).T)
    assert len(placed) == graph.number_of_nodes() and np.allclose(radii, 1.0)
    assert {k: tuple(v) for k, v in placed.items()} == {k: tuple(v) for k, v in linkage.layout(graph).items()}
