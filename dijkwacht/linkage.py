"""Koppelingen (issue 10): the information position linked across sources.

Pure functions over the event list of `sql/koppeling_gebeurtenissen.sql` (a polars frame,
one row per record of hennepkwekerijen, verdachte_transacties, signalen, controles and
eigendommen). No Streamlit here: the data layer (dijkwacht/app/data.py) checks the role and
caches; the page only draws.

At national scale (issue 17) the dashboard never holds the whole event list: the ETL
builds the event list, a per-key index, the linked keys and the owner clusters (with the
functions here, networkx included) as tables at every load (sql/build/koppelingen.sql,
etl/linkage_tables.py); the data layer reads one key, one cluster or one period at a time
and runs the functions below on just those records. tests/test_linkage_at_load.py holds
that what it serves equals these functions over the whole list.

Keys are the ETL's pseudonyms (DESIGN §2): `adres_sleutel` (keyed HMAC over postcode,
house number and addition) and `persoon_sleutel` (subject_id / eigenaar_id, one key space,
so an owner who is also an FIU subject links). Nothing here can make a key readable; the UI
shows keys truncated to `SHORT` hex characters.

The ranking score of a linked key (shown on the page, `SCORE_UITLEG`) is

    score = 10 × sources + min(events, 5) + recency

    sources  the number of different sources the key occurs in (eigendommen counts as one)
    events   the number of records with the key (all sources together), capped at 5
    recency  4 when its latest record is within 90 days of the data's *stand per*,
             3 within 1 year, 2 within 2 years, 1 within 5 years, else 0

Events and recency add at most 9, so a key in more sources always ranks above a key in
fewer sources; among keys in as many sources, more records and more recent ones rank higher.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import networkx as nx
import numpy as np
import polars as pl

from dijkwacht import formats
from dijkwacht.sources import BARRIEREFASEN
from dijkwacht.sources import SOURCES as REGISTRY

SHORT = 10

# The linked sources (dijkwacht/sql/build/koppelingen.sql), and one record of each in
# words: views of the registry.
SOURCES = tuple(s.name for s in REGISTRY.values() if s.linked)
SOURCE_LABELS = {s.name: s.singular or s.label for s in REGISTRY.values() if s.linked}
KEY_KINDS = {"adres": "Adres", "persoon": "Persoon/organisatie"}

SCORE_SOURCES, SCORE_EVENTS_CAP = 10, 5
RECENCY = ((90, 4), (365, 3), (730, 2), (1826, 1))        # (within days, points)
SCORE_UITLEG = (
    "**Score = 10 × aantal bronnen + aantal registraties (max. 5) + recentheid.** "
    "Recentheid: 4 punten als de laatste registratie binnen 90 dagen vóór de stand per ligt, "
    "3 binnen 1 jaar, 2 binnen 2 jaar, 1 binnen 5 jaar, anders 0. Registraties en "
    "recentheid tellen samen hooguit 9 op, dus een sleutel in meer bronnen staat altijd "
    "hoger dan een sleutel in minder bronnen. Eigendommen tellen als bron (de eigenaar is "
    "bekend). Een sleutel staat in de lijst als hij in ten minste 2 bronnen voorkomt of "
    "meer dan eens in één bron."
)

# Problems and interventions per buurt (issue 10, item 3).
PROBLEMS = {
    "hennepkwekerijen": "Hennepkwekerijen",
    "verdachte_transacties": "Verdachte transacties",
    "signalen": "Signalen",
}
INTERVENTIONS = {
    "sluiting": "Sluitingen",
    "last onder dwangsom": "Lasten onder dwangsom",
    "bestuurlijke waarschuwing": "Bestuurlijke waarschuwingen",
    "bibob": "Bibob geweigerd/ingetrokken",
    "uitkering stopgezet": "Uitkeringen stopgezet",
    "beslag": "Beslagen",
}
BIBOB_REFUSED = ("bibob: geweigerd", "bibob: ingetrokken")
MEASURES = ("sluiting", "last onder dwangsom", "bestuurlijke waarschuwing",
            "uitkering stopgezet", "beslag")

# The barrier model (programme §5.1, DESIGN §5): the stages of the criminal business process
# of organised cannabis cultivation: the vocabulary of signalen.barrierefase.
BARRIER_STAGES = BARRIEREFASEN
# The barriers the programme's approach can raise per stage (framework, not data).
BARRIER_FRAMEWORK = {
    "verwerven locatie": "Bibob-toets, screening verhuur en vastgoed, BRP-adrescontrole",
    "inrichten locatie": "Woningcontrole, signalen netbeheerder (stroomdiefstal), verhuurders alert",
    "aanschaf kweekmateriaal": "Aanpak growshops, bedrijfscontrole",
    "kweken": "Ontmanteling, sluiting (Opiumwet 13b), last onder dwangsom",
    "oogsten & opslag": "Sluiting bedrijfspand, integrale controle",
    "vervoer": "Politiecontroles, transportsector alert",
    "afzet & handel": "Horeca- en coffeeshopcontrole, bestuurlijke waarschuwing",
    "gebruik opbrengst": "FIU-meldingen, Belastingdienst, beslag, uitkering stopgezet",
}

# Purpose asked before the detail of one key is opened (issue 10, item 7).
DETAIL_PURPOSES = ("RIEC-casus", "Bestuurlijke rapportage", "Handhavingsvoorbereiding",
                   "Kwaliteitscontrole gegevens")
CASE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{2,39}$")

GROW_WINDOW_DAYS = 150
SHOWN_CLUSTERS = 50         # the owner networks the page offers (laid out at load)
FOLLOW_UP_DAYS = 365

EVENT_SCHEMA = {
    "bron": pl.String, "nummer": pl.String, "datum": pl.Date, "adres_sleutel": pl.String,
    "persoon_sleutel": pl.String, "buurtcode": pl.String, "soort": pl.String,
    "uitkomst": pl.String, "maatregel": pl.String, "doorgezet_naar": pl.String,
    "fase": pl.String, "partners": pl.List(pl.String), "bedrag": pl.Float64,
    "buurtnaam": pl.String,
}


def short(key: str | None) -> str:
    """A key as shown on screen: its first SHORT hex characters."""
    return "" if key is None else key[:SHORT]


def empty_events() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENT_SCHEMA)


def is_intervention() -> pl.Expr:
    """A record that is an intervention: a measure taken, or a Bibob refusal/withdrawal."""
    return (pl.col("maatregel").is_in(MEASURES).fill_null(False)
            | pl.col("uitkomst").is_in(BIBOB_REFUSED).fill_null(False))


def valid_purpose(purpose: str | None) -> bool:
    """A purpose is one of DETAIL_PURPOSES or a case number (3-40 plain characters)."""
    if not purpose:
        return False
    return purpose in DETAIL_PURPOSES or bool(CASE_NUMBER.match(purpose.strip()))


# ---------------------------------------------------------------------------------------
# 1. keys across sources
# ---------------------------------------------------------------------------------------
def occurrences(events: pl.DataFrame, extra: tuple[str, ...] = ()) -> pl.DataFrame:
    """One row per (key, record): a record with an address and a person key counts for both."""
    cols = ["bron", "nummer", "datum", "soort", "uitkomst", "maatregel", "buurtcode", *extra]
    adres = (events.filter(pl.col("adres_sleutel").is_not_null())
             .select(pl.col("adres_sleutel").alias("sleutel"), pl.lit("adres").alias("sleutel_soort"), *cols))
    persoon = (events.filter(pl.col("persoon_sleutel").is_not_null())
               .select(pl.col("persoon_sleutel").alias("sleutel"), pl.lit("persoon").alias("sleutel_soort"), *cols))
    return pl.concat([adres, persoon])


def recency_points(days: pl.Expr) -> pl.Expr:
    expr = pl.lit(0)
    for within, points in reversed(RECENCY):
        expr = pl.when(days <= within).then(points).otherwise(expr)
    return expr


def linked_keys(events: pl.DataFrame, now: date) -> pl.DataFrame:
    """Keys in ≥ 2 sources or repeated in one, ranked by the score (see module docstring).

    Columns: sleutel, sleutel_soort, bronnen (list), aantal_bronnen, registraties, per source
    count, eerste, laatste, score — highest score first, then most recent.
    """
    occ = occurrences(events)
    per_source = [pl.col("bron").eq(s).sum().alias(s) for s in SOURCES]
    keys = (occ.group_by("sleutel", "sleutel_soort")
            .agg(pl.col("bron").unique().sort().alias("bronnen"),
                 pl.col("bron").n_unique().alias("aantal_bronnen"),
                 pl.len().alias("registraties"),
                 *per_source,
                 pl.col("datum").min().alias("eerste"),
                 pl.col("datum").max().alias("laatste"))
            .filter((pl.col("aantal_bronnen") >= 2) | (pl.col("registraties") >= 2)))
    days = (pl.lit(now) - pl.col("laatste")).dt.total_days()
    keys = keys.with_columns(
        (SCORE_SOURCES * pl.col("aantal_bronnen")
         + pl.min_horizontal(pl.col("registraties"), pl.lit(SCORE_EVENTS_CAP))
         + recency_points(days).fill_null(0)).cast(pl.Int64).alias("score"))
    return keys.sort(["score", "laatste", "sleutel"], descending=[True, True, False], nulls_last=True)


def timeline(events: pl.DataFrame, key: str) -> pl.DataFrame:
    """Every record with this key, oldest first; for a person key also the records at the
    addresses it owns (column `via`: 'direct' or 'eigen adres')."""
    mine = ((pl.col("adres_sleutel") == key).fill_null(False)
            | (pl.col("persoon_sleutel") == key).fill_null(False))
    direct = events.filter(mine)
    owned = (events.filter((pl.col("bron") == "eigendommen") & (pl.col("persoon_sleutel") == key))
             ["adres_sleutel"].unique().to_list())
    via = events.filter(pl.col("adres_sleutel").is_in(owned).fill_null(False)
                        & (pl.col("bron") != "eigendommen") & ~mine)
    out = pl.concat([direct.with_columns(pl.lit("direct").alias("via")),
                     via.with_columns(pl.lit("eigen adres").alias("via"))])
    return out.sort(["datum", "bron", "nummer"], nulls_last=True)


# ---------------------------------------------------------------------------------------
# 2. owner networks
# ---------------------------------------------------------------------------------------
NETWORK_SOURCES = ("eigendommen", "hennepkwekerijen", "verdachte_transacties")


def owner_links(events: pl.DataFrame) -> pl.DataFrame:
    """The owner graph's relations: one row per (adres_sleutel, persoon_sleutel, bron), in
    that order (so the graph, and the layout drawn from it, is the same on every run).
    Owners and subjects link to addresses: eigendommen (owner of), a grow site's eigenaar_id
    at its address, a suspicious transaction's subject at its address."""
    return (events.filter(pl.col("adres_sleutel").is_not_null() & pl.col("persoon_sleutel").is_not_null()
                          & pl.col("bron").is_in(NETWORK_SOURCES))
            .select("adres_sleutel", "persoon_sleutel", "bron").unique()
            .sort("adres_sleutel", "persoon_sleutel", "bron"))


def link_graph(links) -> nx.Graph:
    """The graph of (adres_sleutel, persoon_sleutel, bron) rows, nodes and edges added in
    row order. Built from the rows of one cluster, in the same order, it equals that
    cluster's subgraph of the whole graph, node and edge order included."""
    g = nx.Graph()
    for a, p, bron in links:
        g.add_node(("adres", a), soort="adres", sleutel=a)
        g.add_node(("persoon", p), soort="persoon", sleutel=p)
        relations = g.get_edge_data(("persoon", p), ("adres", a), default={}).get("relaties", set())
        g.add_edge(("persoon", p), ("adres", a), relaties=relations | {bron})
    return g


def max_within(dates: list[date], days: int = GROW_WINDOW_DAYS) -> tuple[int, int | None]:
    """The largest number of dates within any `days`-day span (last − first ≤ days), and
    that span in days (None without dates)."""
    ds = sorted(d for d in dates if d is not None)
    best, span, i = 0, None, 0
    for j, d in enumerate(ds):
        while (d - ds[i]).days > days:
            i += 1
        if j - i + 1 > best or (j - i + 1 == best and (d - ds[i]).days < (span or 0)):
            best, span = j - i + 1, (d - ds[i]).days
    return best, span


def owner_components(links: pl.DataFrame) -> pl.DataFrame:
    """soort, sleutel, comp: each address and person of `links` (owner_links) with the
    connected component of the owner graph it is in (numbered arbitrarily). Computed on
    integer node ids with scipy rather than on the networkx graph: at ×100 (95,000 nodes)
    the graph alone took 1.6 s and 125 MB of the load."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    schema = {"soort": pl.String, "sleutel": pl.String, "comp": pl.Int64}
    ids = {kind: links.select(pl.col(f"{kind}_sleutel").unique().sort().alias("sleutel"))
           for kind in ("adres", "persoon")}
    n_addresses, n = ids["adres"].height, ids["adres"].height + ids["persoon"].height
    if n == 0:
        return pl.DataFrame(schema=schema)
    ends = (links.select("adres_sleutel", "persoon_sleutel")
            .join(ids["adres"].with_row_index("a"), left_on="adres_sleutel", right_on="sleutel")
            .join(ids["persoon"].with_row_index("p", offset=n_addresses), left_on="persoon_sleutel",
                  right_on="sleutel"))
    edges = coo_matrix((np.ones(ends.height, dtype=np.int8), (ends["a"].to_numpy(), ends["p"].to_numpy())),
                       shape=(n, n))
    _, labels = connected_components(edges, directed=False)
    return pl.concat([ids[kind].select(pl.lit(kind).alias("soort"), "sleutel") for kind in ("adres", "persoon")]) \
        .with_columns(pl.Series("comp", labels, dtype=pl.Int64))


def clusters(events: pl.DataFrame, links: pl.DataFrame | None = None,
             window: int = GROW_WINDOW_DAYS) -> pl.DataFrame:
    """Connected components of the owner graph, ranked by number of addresses, then events.

    Columns: cluster (1 = largest), personen, adressen, eigendommen (addresses owned per
    eigendommen), kwekerijen (grow sites at its addresses or naming its owners),
    kwekerijen_venster / venster_dagen (most grow sites within `window` days and their
    span), gebeurtenissen (records other than eigendommen), eerste, laatste, sleutels.
    """
    nodes = owner_components(owner_links(events) if links is None else links)
    addr = nodes.filter(pl.col("soort") == "adres").select(pl.col("sleutel").alias("adres_sleutel"), "comp")
    pers = nodes.filter(pl.col("soort") == "persoon").select(pl.col("sleutel").alias("persoon_sleutel"), "comp")
    # Only the columns counted below: the joins copy every column they carry (at ×100 the
    # full rows made the load's peak memory 0.6 GB higher). A record (bron, nummer: the
    # sources' record keys) counts once per component it touches through its address or
    # its person: twice only when they lie in different components.
    records = (events.filter(pl.col("bron") != "eigendommen")
               .select("bron", "datum", "adres_sleutel", "persoon_sleutel", "maatregel", "uitkomst")
               .join(addr, on="adres_sleutel", how="left")
               .join(pers.rename({"comp": "comp_persoon"}), on="persoon_sleutel", how="left")
               .drop("adres_sleutel", "persoon_sleutel"))
    hits = pl.concat([
        records.filter(pl.col("comp").is_not_null()),
        records.filter(pl.col("comp_persoon").is_not_null()
                       & (pl.col("comp").is_null() | (pl.col("comp") != pl.col("comp_persoon"))))
        .with_columns(comp=pl.col("comp_persoon"))])
    per_comp = hits.group_by("comp").agg(
        pl.len().alias("gebeurtenissen"),
        (pl.col("bron") == "hennepkwekerijen").sum().alias("kwekerijen"),
        is_intervention().sum().alias("interventies"),
        pl.col("datum").min().alias("eerste"), pl.col("datum").max().alias("laatste"),
        pl.col("datum").filter(pl.col("bron") == "hennepkwekerijen").alias("_kweekdata"))
    owned = (events.filter(pl.col("bron") == "eigendommen").join(addr, on="adres_sleutel", how="inner")
             .group_by("comp").agg(pl.col("adres_sleutel").n_unique().alias("eigendommen")))
    sizes = nodes.group_by("comp").agg(
        (pl.col("soort") == "persoon").sum().alias("personen"),
        (pl.col("soort") == "adres").sum().alias("adressen"),
        (pl.col("sleutel").filter(pl.col("soort") == "persoon").sort()
         .append(pl.col("sleutel").filter(pl.col("soort") == "adres").sort())).alias("sleutels"))
    out = (sizes.filter((pl.col("personen") > 0) & (pl.col("adressen") > 0))
           .join(per_comp, on="comp", how="left").join(owned, on="comp", how="left"))
    windows = [max_within(d or [], window) for d in out["_kweekdata"].to_list()]
    out = out.with_columns(
        pl.Series("kwekerijen_venster", [w[0] for w in windows], dtype=pl.Int64),
        pl.Series("venster_dagen", [w[1] for w in windows], dtype=pl.Int64),
        *(pl.col(c).fill_null(0).cast(pl.Int64) for c in
          ("gebeurtenissen", "kwekerijen", "interventies", "eigendommen", "personen", "adressen")))
    out = out.select("personen", "adressen", "eigendommen", "kwekerijen", "kwekerijen_venster",
                     "venster_dagen", "gebeurtenissen", "interventies", "eerste", "laatste",
                     "sleutels").sort(["adressen", "gebeurtenissen", "personen", pl.col("sleutels").list.first()],
                                      descending=[True, True, True, False])
    return out.with_row_index("cluster", offset=1).with_columns(pl.col("cluster").cast(pl.Int64))


def cluster_layout(events: pl.DataFrame, keys: list[str], seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Node and edge frames of one cluster (its `sleutels`) with a spring layout, ready to
    draw: nodes (sleutel, label, soort, x, y, kwekerijen, gebeurtenissen), edges (x0, y0,
    x1, y1, relatie). The cluster's graph is built from its own relations in the whole
    graph's order (not as a subgraph view, whose node order follows set iteration and so
    changes between processes): the same layout on every run and at load."""
    wanted = set(keys)
    links = owner_links(events).filter(pl.col("adres_sleutel").is_in(keys) & pl.col("persoon_sleutel").is_in(keys))
    return draw_network(link_graph(links.iter_rows()), node_counts(events, list(wanted)), seed)


def node_counts(events: pl.DataFrame, keys: list[str] | None = None) -> pl.DataFrame:
    """Per key (of `keys`, default all): the records other than eigendommen with it
    (gebeurtenissen) and the grow sites among them (kwekerijen). Columns: soort, sleutel,
    gebeurtenissen, kwekerijen."""
    records = events.filter(pl.col("bron") != "eigendommen")
    parts = []
    for col, kind in (("adres_sleutel", "adres"), ("persoon_sleutel", "persoon")):
        mine = records.filter(pl.col(col).is_not_null() if keys is None else pl.col(col).is_in(keys))
        parts.append(mine.group_by(col).agg(
            pl.len().cast(pl.Int64).alias("gebeurtenissen"),
            (pl.col("bron") == "hennepkwekerijen").sum().cast(pl.Int64).alias("kwekerijen"))
            .select(pl.lit(kind).alias("soort"), pl.col(col).alias("sleutel"), "gebeurtenissen", "kwekerijen"))
    return pl.concat(parts)


# From this many nodes networkx's spring_layout minimises the Fruchterman-Reingold energy
# with L-BFGS (method "energy") instead of running the force iterations.
ENERGY_NODES = 500
# Above this a network drawing is unreadable and a spring layout costs n² memory per step:
# at ×1000 the largest owner cluster holds thousands of nodes and the load stalled in its
# layout. Such a cluster is drawn on a circle (deterministic, linear); ×100's largest has 1,379.
LAYOUT_MAX_NODES = 2000


def layout(graph: nx.Graph, seed: int = 7) -> dict:
    """The fixed-seed spring layout of a (cluster) graph: {node: (x, y)}: networkx's
    spring_layout, computed vectorised (issue 17: 8.5 s → ~2 s for the 50 clusters the
    page offers at ×100): below ENERGY_NODES networkx's force steps (`_force_layout`, its
    coordinates up to rounding), from there its energy minimisation (`_energy_layout`,
    the same energy, start and optimiser). Still up to a second for a cluster of a
    thousand nodes, so the ETL lays out the clusters the page offers (SHOWN_CLUSTERS) at
    load; a graph of several components (never a cluster) is left to networkx."""
    if not graph.number_of_nodes():
        return {}
    if graph.number_of_nodes() > LAYOUT_MAX_NODES:
        return nx.circular_layout(sorted(graph.nodes))
    if graph.number_of_nodes() == 1 or not nx.is_connected(graph):
        return nx.spring_layout(graph, seed=seed)     # gravity per component: networkx's
    if graph.number_of_nodes() < ENERGY_NODES:
        return _force_layout(graph, seed)
    return _energy_layout(graph, seed)


def _force_layout(graph: nx.Graph, seed: int, iterations: int = 50, threshold: float = 1e-4) -> dict:
    """What nx.spring_layout(graph, seed=seed) computes below ENERGY_NODES nodes: 50
    Fruchterman-Reingold force steps with linear cooling from the seed's uniform start,
    rescaled to [-1, 1]. The same arithmetic as networkx's, with x and y as two n × n
    arrays reused between steps instead of a fresh n × n × 2 array and einsum per step
    (0.4 s → ~0.1 s for 484 nodes): equal to networkx's up to rounding in the last digits."""
    import numpy as np

    n = graph.number_of_nodes()
    adjacency = nx.to_numpy_array(graph, weight="weight")
    pos = np.random.RandomState(seed).rand(n, 2)           # networkx's start
    k = np.sqrt(1.0 / n)
    t = max(np.ptp(pos[:, 0]), np.ptp(pos[:, 1])) * 0.1
    dt = t / (iterations + 1)
    dx, dy, distance, force = (np.empty((n, n)) for _ in range(4))
    for _ in range(iterations):
        np.subtract.outer(pos[:, 0], pos[:, 0], out=dx)
        np.subtract.outer(pos[:, 1], pos[:, 1], out=dy)
        np.multiply(dx, dx, out=distance)
        np.multiply(dy, dy, out=force)
        np.add(distance, force, out=distance)
        np.sqrt(distance, out=distance)         # not np.hypot: 5× slower, other rounding
        np.maximum(distance, 0.01, out=distance)
        # k²/d² − A·d/k: repulsion between every pair, springs along the edges
        np.multiply(adjacency, distance, out=force)
        force /= k
        np.square(distance, out=distance)
        np.divide(k * k, distance, out=distance)
        np.subtract(distance, force, out=force)
        displacement = np.column_stack([np.einsum("ij,ij->i", dx, force), np.einsum("ij,ij->i", dy, force)])
        length = np.maximum(np.sqrt((displacement * displacement).sum(axis=1)), 0.01)
        step = displacement * (t / length)[:, None]
        pos += step
        t -= dt
        if np.linalg.norm(step) / n < threshold:
            break
    return dict(zip(graph, nx.rescale_layout(pos, scale=1)))


def _energy_layout(graph: nx.Graph, seed: int, iterations: int = 50, threshold: float = 1e-4) -> dict:
    """What nx.spring_layout(graph, seed=seed) computes from ENERGY_NODES nodes on (one
    connected graph, unweighted edges, gravity 1): the Fruchterman-Reingold energy with
    optimal distance k = 1/√n, minimised by L-BFGS-B from the seed's uniform start, then
    rescaled to [-1, 1]. networkx builds each evaluation from sparse-matrix slices (5-7 s
    for 1,379 nodes at ×100); here the pair terms are dense float32 arrays reused between
    evaluations and the springs an edge list (0.5-1.4 s on the shared 2 cores). The result is not bit-identical to
    networkx's (float32 pairs, other summation order) but as deterministic: same input,
    same coordinates, on every run and at load."""
    import numpy as np
    import scipy as sp

    n = graph.number_of_nodes()
    index = {node: i for i, node in enumerate(graph)}
    start = np.random.RandomState(seed).rand(n, 2).astype(np.float32)   # networkx's start
    k = np.sqrt(1.0 / n)
    ends = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.intp).reshape(-1, 2)
    u, v = ends[:, 0], ends[:, 1]
    dx, dy, d2, work = (np.empty((n, n), dtype=np.float32) for _ in range(4))

    def energy(flat: np.ndarray) -> tuple[float, np.ndarray]:
        pos = flat.reshape((n, 2))
        x, y = pos[:, 0], pos[:, 1]
        np.subtract.outer(x.astype(np.float32), x.astype(np.float32), out=dx)
        np.subtract.outer(y.astype(np.float32), y.astype(np.float32), out=dy)
        np.multiply(dx, dx, out=d2)
        np.multiply(dy, dy, out=work)
        np.add(d2, work, out=d2)
        np.maximum(d2, 1e-10, out=d2)
        # Repulsion between every pair (the diagonal has delta 0: no force, a constant cost).
        np.reciprocal(d2, out=work)
        gx = -2 * k * k * np.einsum("ij,ij->i", work, dx).astype(np.float64)
        gy = -2 * k * k * np.einsum("ij,ij->i", work, dy).astype(np.float64)
        np.log(d2, out=work)
        cost = -k * k * 0.5 * float(work.sum(dtype=np.float64))
        # Springs along the edges, each counted from both ends as networkx's matrix does.
        ex, ey = x[u] - x[v], y[u] - y[v]
        e2 = np.maximum(ex * ex + ey * ey, 1e-10)
        ed = np.sqrt(e2)
        fx, fy = 2 * ed / k * ex, 2 * ed / k * ey
        gx += np.bincount(u, fx, n) - np.bincount(v, fx, n)
        gy += np.bincount(u, fy, n) - np.bincount(v, fy, n)
        cost += 2 * float(np.sum(ed * e2)) / (3 * k)
        # Gravity pulls the centroid to (0.5, 0.5).
        off = pos.mean(axis=0) - 0.5
        gx += off[0]
        gy += off[1]
        cost += 0.5 * n * float(off @ off)
        return cost, np.column_stack([gx, gy]).ravel()

    found = sp.optimize.minimize(energy, start.astype(np.float64).ravel(), method="L-BFGS-B", jac=True,
                                 options={"maxiter": iterations, "gtol": threshold})
    placed = nx.rescale_layout(found.x.reshape((n, 2)), scale=1)
    return dict(zip(graph, placed))


def draw_network(sub: nx.Graph, counts: pl.DataFrame, seed: int = 7,
                 pos: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Node and edge frames of a (cluster) graph with a fixed-seed spring layout (or the
    layout `pos`, as `layout` gives); `counts` as node_counts."""
    pos = layout(sub, seed) if pos is None else pos
    per_node = {(r[0], r[1]): (r[2], r[3]) for r in counts.iter_rows()}
    nodes = []
    for node in sub.nodes:
        kind, key = node
        n, k = per_node.get((kind, key), (0, 0))
        nodes.append({"sleutel": key, "label": short(key), "soort": kind,
                      "x": float(pos[node][0]), "y": float(pos[node][1]),
                      "kwekerijen": int(k), "gebeurtenissen": int(n)})
    edges = [{"x0": float(pos[u][0]), "y0": float(pos[u][1]), "x1": float(pos[v][0]),
              "y1": float(pos[v][1]), "relatie": ", ".join(sorted(d["relaties"]))}
             for u, v, d in sub.edges(data=True)]
    node_schema = {"sleutel": pl.String, "label": pl.String, "soort": pl.String, "x": pl.Float64,
                   "y": pl.Float64, "kwekerijen": pl.Int64, "gebeurtenissen": pl.Int64}
    edge_schema = {"x0": pl.Float64, "y0": pl.Float64, "x1": pl.Float64, "y1": pl.Float64,
                   "relatie": pl.String}
    return pl.DataFrame(nodes, schema=node_schema), pl.DataFrame(edges, schema=edge_schema)


# ---------------------------------------------------------------------------------------
# 3. problem vs intervention per buurt
# ---------------------------------------------------------------------------------------
def in_period(events: pl.DataFrame, van: date | None, tot: date | None) -> pl.DataFrame:
    out = events
    if van is not None:
        out = out.filter(pl.col("datum") >= van)
    if tot is not None:
        out = out.filter(pl.col("datum") < tot)
    return out


def problem_vs_intervention(events: pl.DataFrame, van: date | None = None,
                            tot: date | None = None) -> pl.DataFrame:
    """Per buurt (NULL = onbekend) the problems beside the interventions in [van, tot).

    Problems: grow sites, suspicious transactions, signals. Interventions: closures,
    dwangsommen, warnings (from grow sites and inspections), Bibob refusals/withdrawals,
    stopped benefits and seizures (inspections). `onbeantwoord` = problems − interventions
    (≥ 0): where problems go unanswered; sorted by it."""
    ev = in_period(events, van, tot).filter(pl.col("bron") != "eigendommen")
    aggs = [pl.col("bron").eq(b).sum().alias(label) for b, label in PROBLEMS.items()]
    for m, label in INTERVENTIONS.items():
        if m == "bibob":
            aggs.append(pl.col("uitkomst").is_in(BIBOB_REFUSED).fill_null(False).sum().alias(label))
        else:
            aggs.append(pl.col("maatregel").eq(m).fill_null(False).sum().alias(label))
    out = (ev.group_by("buurtcode").agg(pl.col("buurtnaam").first().alias("buurtnaam"), *aggs)
           .with_columns(pl.sum_horizontal(list(PROBLEMS.values())).alias("problemen"),
                         pl.sum_horizontal(list(INTERVENTIONS.values())).alias("interventies"))
           .with_columns(pl.col(pl.UInt32).cast(pl.Int64))
           .with_columns((pl.col("problemen") - pl.col("interventies")).clip(lower_bound=0)
                         .alias("onbeantwoord"),
                         pl.col("buurtnaam").fill_null("onbekend")))
    return out.filter(pl.col("problemen") + pl.col("interventies") > 0).sort(
        ["onbeantwoord", "problemen", "buurtcode"], descending=[True, True, False], nulls_last=True)


# ---------------------------------------------------------------------------------------
# 4. the barrier model
# ---------------------------------------------------------------------------------------
def barrier_model(events: pl.DataFrame, van: date | None = None, tot: date | None = None,
                  days: int = FOLLOW_UP_DAYS) -> pl.DataFrame:
    """One row per stage of the barrier model, in process order: the signals tagged to it in
    [van, tot), how many were referred, how many were followed within `days` by a measure at
    the same address (the barriers raised), the measures by kind, the partners involved
    (referral targets and inspection partners), and the framework's barriers."""
    fu = follow_ups(events, van, tot, days)
    sig = fu.filter(pl.col("fase").is_not_null())
    rows = []
    for stage in BARRIER_STAGES:
        s = sig.filter(pl.col("fase") == stage)
        measures = s.explode("maatregelen").drop_nulls("maatregelen")["maatregelen"].value_counts(sort=True)
        partners = set(s["doorgezet_naar"].drop_nulls().to_list())
        partners |= set(s.explode("partners")["partners"].drop_nulls().to_list())
        rows.append({
            "fase": stage, "signalen": s.height,
            "doorgezet": s.filter(pl.col("doorgezet_naar").is_not_null()).height,
            "met_maatregel": s.filter(pl.col("met_maatregel")).height,
            "maatregelen": ", ".join(f"{m} ({n})" for m, n in measures.iter_rows()),
            "partners": ", ".join(sorted(partners)),
            "barrieres": BARRIER_FRAMEWORK[stage],
        })
    return pl.DataFrame(rows, schema={"fase": pl.String, "signalen": pl.Int64, "doorgezet": pl.Int64,
                                      "met_maatregel": pl.Int64, "maatregelen": pl.String,
                                      "partners": pl.String, "barrieres": pl.String})


# ---------------------------------------------------------------------------------------
# 5. signal → intervention → outcome
# ---------------------------------------------------------------------------------------
def follow_ups(events: pl.DataFrame, van: date | None = None, tot: date | None = None,
               days: int = FOLLOW_UP_DAYS) -> pl.DataFrame:
    """Each signal received in [van, tot) with what followed at the same address key on or
    after its date and within `days` days: inspections or dismantlings (`gevolgd`), and
    measures (`met_maatregel`, `maatregelen`). Signals without an address key cannot be
    followed and have gevolgd = met_maatregel = False."""
    sig = (in_period(events, van, tot).filter(pl.col("bron") == "signalen")
           .select("nummer", "datum", "adres_sleutel", pl.col("uitkomst").alias("status"),
                   "doorgezet_naar", "fase", "buurtcode"))
    later = (events.filter(pl.col("bron").is_in(["controles", "hennepkwekerijen"])
                           & pl.col("adres_sleutel").is_not_null())
             .select(pl.col("adres_sleutel"), pl.col("datum").alias("datum_vervolg"),
                     pl.col("bron").alias("bron_vervolg"),
                     pl.when(is_intervention())
                     .then(pl.when(pl.col("uitkomst").is_in(BIBOB_REFUSED).fill_null(False))
                           .then(pl.col("uitkomst")).otherwise(pl.col("maatregel")))
                     .alias("maatregel_vervolg"),
                     pl.col("partners").alias("partners_vervolg")))
    joined = (sig.filter(pl.col("adres_sleutel").is_not_null())
              .join(later, on="adres_sleutel", how="inner")
              .filter((pl.col("datum_vervolg") >= pl.col("datum"))
                      & ((pl.col("datum_vervolg") - pl.col("datum")).dt.total_days() <= days)))
    per = (joined.group_by("nummer")
           .agg(pl.len().alias("vervolg"),
                pl.col("maatregel_vervolg").drop_nulls().alias("maatregelen"),
                pl.col("partners_vervolg").list.explode(keep_nulls=False, empty_as_null=False)
                .drop_nulls().unique().sort().alias("partners"),
                pl.col("datum_vervolg").min().alias("eerste_vervolg")))
    out = sig.join(per, on="nummer", how="left").with_columns(
        (pl.col("vervolg").fill_null(0) > 0).alias("gevolgd"),
        (pl.col("maatregelen").list.len().fill_null(0) > 0).alias("met_maatregel"),
        pl.col("partners").fill_null([]),
        pl.col("maatregelen").fill_null([]))
    return out


def signal_funnel(events: pl.DataFrame, van: date | None = None, tot: date | None = None,
                  days: int = FOLLOW_UP_DAYS) -> pl.DataFrame:
    """The funnel signal → intervention → outcome, each stage a subset of the one before:
    received · with an address key · followed by an inspection or dismantling at that address
    within `days` days · of which with a measure. Columns: stap, aantal, aandeel (% of
    received)."""
    fu = follow_ups(events, van, tot, days)
    n = fu.height
    stages = [
        ("Signalen ontvangen", n),
        ("Met adressleutel", fu.filter(pl.col("adres_sleutel").is_not_null()).height),
        ("Gevolgd door controle of ontmanteling", fu.filter(pl.col("gevolgd")).height),
        ("Met maatregel", fu.filter(pl.col("met_maatregel")).height),
    ]
    return pl.DataFrame({"stap": [s for s, _ in stages], "aantal": [v for _, v in stages],
                         "aandeel": [round(100.0 * v / n, 1) if n else None for _, v in stages]},
                        schema={"stap": pl.String, "aantal": pl.Int64, "aandeel": pl.Float64})


def outcome_by_referral(events: pl.DataFrame, van: date | None = None, tot: date | None = None,
                        days: int = FOLLOW_UP_DAYS) -> pl.DataFrame:
    """Per referral target (NULL = niet doorgezet): signals with an address key, how many were
    followed, how many led to an intervention and that share in %."""
    fu = follow_ups(events, van, tot, days).filter(pl.col("adres_sleutel").is_not_null())
    return (fu.group_by(pl.col("doorgezet_naar").fill_null("niet doorgezet"))
            .agg(pl.len().alias("signalen"), pl.col("gevolgd").sum().alias("gevolgd"),
                 pl.col("met_maatregel").sum().alias("met_maatregel"))
            .with_columns((100.0 * pl.col("met_maatregel") / pl.col("signalen")).round(1)
                          .alias("aandeel_maatregel"))
            .sort(["signalen", "doorgezet_naar"], descending=[True, False]))


# ---------------------------------------------------------------------------------------
# 6. attention list
# ---------------------------------------------------------------------------------------
# Records that make a key 'known': a grow site, a suspicious transaction, a signal, or an
# inspection with a violation, a measure or a Bibob refusal. The polars expression below and
# the served query (sql/koppeling_aandacht_bekend.sql, bound with `known_record_params`)
# take these from one place.
KNOWING_SOURCES = ("hennepkwekerijen", "verdachte_transacties", "signalen")
VIOLATION = "overtreding"


def _known_record() -> pl.Expr:
    return (pl.col("bron").is_in(KNOWING_SOURCES)
            | ((pl.col("bron") == "controles")
               & ((pl.col("uitkomst") == VIOLATION).fill_null(False) | is_intervention())))


def known_record_params() -> dict:
    """_known_record's rule as bound parameters of sql/koppeling_aandacht_bekend.sql."""
    return {"kennende_bronnen": list(KNOWING_SOURCES), "overtreding": VIOLATION,
            "maatregelen": list(MEASURES), "bibob_geweigerd": list(BIBOB_REFUSED)}


def attention_list(events: pl.DataFrame, since: date) -> pl.DataFrame:
    """New records (dated after `since`) at keys that were already known on `since`.

    A key is known when a record before or on `since` made it known (`_known_record`), or —
    for an address — when one of its owners (eigendommen) is a known person key. Ownership
    records themselves are never 'new'. One row per new record and key: datum, bron, soort,
    uitkomst, maatregel, sleutel, sleutel_soort, reden, eerder (summary of the earlier
    records), newest first.
    """
    plain = events.filter(pl.col("bron") != "eigendommen")
    known = (occurrences(plain.filter(pl.col("datum") <= since).filter(_known_record()))
             .group_by("sleutel", "sleutel_soort", "bron")
             .agg(pl.len().alias("aantal"), pl.col("datum").max().alias("laatst")))
    owners = events.filter(pl.col("bron") == "eigendommen").select("adres_sleutel", "persoon_sleutel")
    return attention_from(plain.filter(pl.col("datum") > since), known, owners)


def attention_from(new: pl.DataFrame, known_per_source: pl.DataFrame, owners: pl.DataFrame) -> pl.DataFrame:
    """attention_list from its three parts: `new` records (EVENT_SCHEMA), per key and source
    the records on or before `since` that made the key known (sleutel, sleutel_soort, bron,
    aantal, laatst; keys without such records absent) and the ownership pairs (adres_sleutel,
    persoon_sleutel). The served list gets the last two as aggregates from SQL, so a request
    never holds a key's earlier records (docs/benchmarks.md: ×1000)."""
    known = (known_per_source.group_by("sleutel", "sleutel_soort")
             .agg(pl.col("aantal").sum().alias("_n"),
                  pl.struct("bron", pl.col("aantal").alias("count")).alias("_bronnen"),
                  pl.col("laatst").max().alias("_laatst")))
    # addresses whose owner is known
    known_people = known.filter(pl.col("sleutel_soort") == "persoon")["sleutel"]
    via_owner = (owners.filter(pl.col("persoon_sleutel").is_in(known_people.to_list()))
                 .select(pl.col("adres_sleutel").alias("sleutel")).unique()
                 .with_columns(pl.lit("adres").alias("sleutel_soort")))
    occ = occurrences(new)
    direct = occ.join(known, on=["sleutel", "sleutel_soort"], how="inner").with_columns(
        pl.lit("sleutel eerder bekend").alias("reden"))
    by_owner = (occ.join(via_owner, on=["sleutel", "sleutel_soort"], how="inner")
                .join(known.select("sleutel", "sleutel_soort"), on=["sleutel", "sleutel_soort"], how="anti")
                .with_columns(pl.lit("eigenaar eerder bekend").alias("reden"),
                              pl.lit(None, known.schema["_n"]).alias("_n"),
                              pl.lit(None, known.schema["_bronnen"]).alias("_bronnen"),
                              pl.lit(None, pl.Date).alias("_laatst")))
    out = pl.concat([direct, by_owner.select(direct.columns)])
    summary = [
        ", ".join(f"{c} × {SOURCE_LABELS[s['bron']].lower()}"
                  for s in sorted(b or [], key=lambda s: (-s["count"], s["bron"])) for c in [s["count"]])
        + (f" (laatst {formats.day(last)})" if last else "")
        if b else "eigenaar heeft eerdere registraties"
        for b, last in zip(out["_bronnen"].to_list(), out["_laatst"].to_list())
    ]
    return (out.with_columns(pl.Series("eerder", summary, dtype=pl.String))
            .drop("_n", "_bronnen", "_laatst")
            .sort(["datum", "bron", "nummer", "sleutel"], descending=[True, False, False, False]))


def attention_count(events: pl.DataFrame, since: date) -> int:
    """The number of new records at known keys (a record counted once, even when both its
    address and its person key were known)."""
    return attention_list(events, since).select("bron", "nummer").unique().height


# ---------------------------------------------------------------------------------------
# the visit register (state.sqlite, table bezoeken): "since your last visit"
# ---------------------------------------------------------------------------------------
def last_visit(con, naam: str, pagina: str = "koppelingen") -> date | None:
    """The data's stand per this user saw at the previous visit of the page, or None."""
    row = con.execute("SELECT stand_per FROM bezoeken WHERE naam = ? AND pagina = ?",
                      (naam, pagina)).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def record_visit(con, naam: str, stand_per: date | None, bezocht_op: str,
                 pagina: str = "koppelingen") -> None:
    con.execute(
        "INSERT INTO bezoeken (naam, pagina, bezocht_op, stand_per) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (naam, pagina) DO UPDATE SET bezocht_op = excluded.bezocht_op, "
        "stand_per = excluded.stand_per",
        (naam, pagina, bezocht_op, stand_per.isoformat() if stand_per else None))


def default_since(stand_per: date, days: int = 30) -> date:
    """Without a previous visit the attention list looks back `days` days from stand per."""
    return stand_per - timedelta(days=days)


# ---------------------------------------------------------------------------------------
# what the page shows: Dutch column names, keys truncated
# ---------------------------------------------------------------------------------------
def _short_col(name: str, alias: str) -> pl.Expr:
    return pl.col(name).str.slice(0, SHORT).alias(alias)


def _sources_text(col: str) -> pl.Expr:
    return pl.col(col).list.eval(pl.element().replace_strict(SOURCE_LABELS, default=pl.element())) \
        .list.join(", ")


def _first_last() -> tuple[pl.Expr, pl.Expr]:
    """The first and last registration as days (they are dates; a time of 00:00:00 only
    looked like information)."""
    return (pl.col("eerste").cast(pl.Date).alias("Eerste"), pl.col("laatste").cast(pl.Date).alias("Laatste"))


def shown_keys(keys: pl.DataFrame) -> pl.DataFrame:
    return keys.select(
        _short_col("sleutel", "Sleutel"),
        pl.col("sleutel_soort").replace_strict(KEY_KINDS, default=pl.col("sleutel_soort")).alias("Soort"),
        _sources_text("bronnen").alias("Bronnen"),
        pl.col("registraties").alias("Registraties"),
        *_first_last(),
        pl.col("score").alias("Score"))


def shown_timeline(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("datum").alias("Datum"),
        pl.col("bron").replace_strict(SOURCE_LABELS, default=pl.col("bron")).alias("Bron"),
        pl.col("nummer").alias("Registratie"),
        pl.col("soort").alias("Soort"), pl.col("uitkomst").alias("Uitkomst/status"),
        pl.col("maatregel").alias("Maatregel"),
        _short_col("adres_sleutel", "Adressleutel"), _short_col("persoon_sleutel", "Persoonssleutel"),
        pl.col("buurtnaam").fill_null("onbekend").alias("Buurt"),
        pl.col("via").replace_strict({"direct": "direct", "eigen adres": "op een adres in eigendom"},
                                     default=pl.col("via")).alias("Koppeling"))


def shown_clusters(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("cluster").alias("Cluster"), pl.col("personen").alias("Personen/organisaties"),
        pl.col("adressen").alias("Adressen"), pl.col("eigendommen").alias("In eigendom"),
        pl.col("kwekerijen").alias("Hennepkwekerijen"),
        pl.col("kwekerijen_venster").alias(f"Kwekerijen binnen {GROW_WINDOW_DAYS} dagen"),
        pl.col("gebeurtenissen").alias("Registraties"), pl.col("interventies").alias("Interventies"),
        *_first_last())


def cluster_sentence(row: dict) -> str:
    """'Cluster 1: 1 persoon of organisatie, 12 adressen (12 in eigendom), 5
    hennepkwekerijen, waarvan 5 binnen 133 dagen; 26 registraties, 11 interventies.'"""
    people = "1 persoon of organisatie" if row["personen"] == 1 else f"{row['personen']} personen of organisaties"
    text = f"Cluster {row['cluster']}: {people}, {row['adressen']} adressen ({row['eigendommen']} in eigendom)"
    if row["kwekerijen"]:
        text += f", {row['kwekerijen']} hennepkwekerij{'en' if row['kwekerijen'] != 1 else ''}"
        if row["kwekerijen"] > 1:
            text += f", waarvan {row['kwekerijen_venster']} binnen {row['venster_dagen']} dagen"
    return text + f"; {row['gebeurtenissen']} registraties, {row['interventies']} interventies."


def shown_buurten(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("buurtnaam").alias("Buurt"), pl.col("buurtcode").fill_null("onbekend").alias("Code"),
        *PROBLEMS.values(), *INTERVENTIONS.values(),
        pl.col("problemen").alias("Problemen"), pl.col("interventies").alias("Interventies"),
        pl.col("onbeantwoord").alias("Problemen zonder interventie"))


def shown_referrals(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("doorgezet_naar").alias("Doorgezet naar"), pl.col("signalen").alias("Signalen"),
        pl.col("gevolgd").alias("Gevolgd door controle/ontmanteling"),
        pl.col("met_maatregel").alias("Met maatregel"),
        pl.col("aandeel_maatregel").alias("Aandeel met maatregel (%)"))


def shown_attention(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("datum").alias("Datum"),
        pl.col("bron").replace_strict(SOURCE_LABELS, default=pl.col("bron")).alias("Nieuw"),
        pl.col("soort").alias("Soort"), _short_col("sleutel", "Sleutel"),
        pl.col("sleutel_soort").replace_strict(KEY_KINDS, default=pl.col("sleutel_soort")).alias("Soort sleutel"),
        pl.col("reden").alias("Waarom"), pl.col("eerder").alias("Eerder"))


def shown_barriers(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("fase").alias("Fase"), pl.col("signalen").alias("Signalen"),
        pl.col("doorgezet").alias("Doorgezet"), pl.col("met_maatregel").alias("Gevolgd door maatregel"),
        pl.col("maatregelen").alias("Maatregelen (barrières)"), pl.col("partners").alias("Partners"),
        pl.col("barrieres").alias("Mogelijke barrières (kader)"))
