"""Koppelingen at load (issue 17): the linked event list, the per-key index, the linked keys
and the owner clusters as tables, built in every new database before it is published (and
again after retention purges a kept version), so the dashboard never builds the networkx
graph or holds every event on a request.

The event list, the index and the keys are SQL (dijkwacht/sql/build/koppelingen.sql); the
owner clusters are the pure dijkwacht.linkage functions, networkx included, run once here:

    koppeling_clusters   linkage.clusters, one row per cluster (1 = largest)
    koppeling_kanten     the owner graph's edges per cluster, in the graph's order, so the
                         dashboard draws one cluster from its own rows (linkage.link_graph)
    koppeling_knopen     per node its cluster and record counts (linkage.node_counts),
                         and for the clusters the page offers (linkage.SHOWN_CLUSTERS)
                         the node's place in the cluster's layout (linkage.layout: up to a
                         second for a cluster of a thousand nodes, so never on a request)

The clusters, edges and layouts are pure (polars, scipy, networkx, numpy); the load runs
them while the protection search runs in a thread on a cursor of its own
(etl.protection.protecting).
"""
from __future__ import annotations

import duckdb
import polars as pl

from dijkwacht import config, linkage, queries

BUILD_SQL = config.SQL_DIR / "build" / "koppelingen.sql"


def build_linkage(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the Koppelingen tables from the loaded rows: the SQL tables and the event
    list, then the owner clusters, edges and layouts from it (pure; the load searches the
    mayor's protection in a thread meanwhile, etl.protection.protecting)."""
    con.execute(BUILD_SQL.read_text(encoding="utf-8"))
    events = queries.OnConnection(con).query("koppeling_eigenaren_invoer")
    for table, frame in _owner_tables(events).items():
        _write(con, table, frame)


def _owner_tables(events: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The frames of koppeling_clusters, koppeling_kanten and koppeling_knopen; pure."""
    links = linkage.owner_links(events)
    clusters = linkage.clusters(events, links)
    members = pl.DataFrame(
        [(number, "persoon" if i < people else "adres", key)
         for number, people, keys in clusters.select("cluster", "personen", "sleutels").iter_rows()
         for i, key in enumerate(keys)],
        schema={"cluster": pl.Int64, "soort": pl.String, "sleutel": pl.String}, orient="row")
    edges = (links.group_by("adres_sleutel", "persoon_sleutel")
             .agg(pl.col("bron").sort().alias("relaties"))
             .join(members.filter(pl.col("soort") == "adres")
                   .select("cluster", pl.col("sleutel").alias("adres_sleutel")), on="adres_sleutel"))
    nodes = (members.join(linkage.node_counts(events), on=["soort", "sleutel"], how="left")
             .with_columns(pl.col("gebeurtenissen").fill_null(0), pl.col("kwekerijen").fill_null(0))
             .join(_layouts(links, members), on=["soort", "sleutel"], how="left"))
    return {"koppeling_clusters": clusters,
            "koppeling_kanten": edges.select("cluster", "adres_sleutel", "persoon_sleutel", "relaties"),
            "koppeling_knopen": nodes.select("sleutel", "soort", "cluster", "gebeurtenissen", "kwekerijen", "x", "y")}


def _layouts(links: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """soort, sleutel, x, y of the nodes of the first SHOWN_CLUSTERS clusters, each laid
    out from its own relations in the graph's order, as the dashboard draws it."""
    shown = (members.filter((pl.col("soort") == "adres") & (pl.col("cluster") <= linkage.SHOWN_CLUSTERS))
             .select("cluster", pl.col("sleutel").alias("adres_sleutel")))
    rows = []
    for part in (links.join(shown, on="adres_sleutel")
                 .sort("cluster", "adres_sleutel", "persoon_sleutel", "bron")
                 .partition_by("cluster", maintain_order=True)):
        graph = linkage.link_graph(part.select("adres_sleutel", "persoon_sleutel", "bron").iter_rows())
        rows += [(kind, key, float(x), float(y)) for (kind, key), (x, y) in linkage.layout(graph).items()]
    return pl.DataFrame(rows, schema={"soort": pl.String, "sleutel": pl.String, "x": pl.Float64, "y": pl.Float64},
                        orient="row")


# The statements that store each built frame, in the order the dashboard reads it: fixed
# text, no formatted SQL (tests/test_hardening.py).
STORE = {
    "koppeling_clusters":
        "CREATE OR REPLACE TABLE koppeling_clusters AS SELECT * FROM _nieuw ORDER BY cluster",
    "koppeling_kanten":
        "CREATE OR REPLACE TABLE koppeling_kanten AS SELECT * FROM _nieuw "
        "ORDER BY cluster, adres_sleutel, persoon_sleutel",
    "koppeling_knopen":
        "CREATE OR REPLACE TABLE koppeling_knopen AS SELECT * FROM _nieuw ORDER BY sleutel, soort",
}


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replace `table` (a key of STORE) by `frame`."""
    write_frame(con, STORE[table], frame)


def write_frame(con: duckdb.DuckDBPyConnection, statement: str, frame: pl.DataFrame) -> None:
    """Run `statement` (fixed text that reads `_nieuw`) with `frame` registered as `_nieuw`."""
    con.register("_nieuw", frame.to_arrow())
    try:
        con.execute(statement)
    finally:
        con.unregister("_nieuw")
