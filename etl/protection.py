"""The mayor's protection at load (issue 17): the secondary cells dijkwacht.lattice hides
for the bestuur role, searched once in every new database before it is published and stored
in `bescherming`, so her first Briefing after a load does not wait for the search (seconds:
the exact audit is a dense linear-algebra test per connected component, see
docs/benchmarks.md).

The dashboard rebuilds the exact counts from the fact table (cheap) and applies the stored
cells; the small cells (1–4) follow from the counts by the rule.

The search runs on one BLAS thread: it is a few hundred small dense problems (at most ~1,000
unknowns per component), too small for threads to pay, and when the other core is busy
OpenBLAS's threads wait for each other: at ×10 the search took 14–20 s with two threads
against 5.4–9.7 s with one, interleaved, one other process running (docs/benchmarks.md).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import duckdb
import polars as pl

from dijkwacht import lattice, measures, queries


def build_protection(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build `bescherming` (and `bescherming_stand`, the stand per it was searched for)
    from the fact table."""
    with protecting(con):
        pass


@contextlib.contextmanager
def protecting(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """build_protection with the search in a thread, on a cursor of its own, while the body
    runs on `con` (the load builds the Koppelingen tables meanwhile: their SQL leaves the
    search its core); the cells are stored on `con` at a normal exit. When the body raises,
    the search is waited for and nothing is stored."""
    con.execute(SCHEMA)
    rows = con.execute("SELECT stand_per FROM meta").fetchall()
    stand_per = rows[0][0] if rows else None
    if stand_per is None:                        # no events yet: nothing to protect
        yield
        return
    cursor = con.cursor()
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="bescherming") as pool:
            found = pool.submit(_search, cursor, stand_per)
            yield
            cells = found.result()
    finally:
        cursor.close()
    _store(con, cells, stand_per)


def _search(con: duckdb.DuckDBPyConnection, stand_per) -> pl.DataFrame:
    """The secondary cells of the bestuur's protection (lattice.secondary_cells)."""
    with one_blas_thread():
        protected = lattice.build(queries.OnConnection(con), stand_per, tuple(measures.LAYERS))
    return pl.DataFrame(lattice.secondary_cells(protected), schema=["laag", "gebied", "periode"], orient="row")


def _store(con: duckdb.DuckDBPyConnection, cells: pl.DataFrame, stand_per) -> None:
    con.register("_bescherming_nieuw", cells.to_arrow())
    try:
        con.execute("INSERT INTO bescherming SELECT laag, gebied, periode FROM _bescherming_nieuw "
                    "ORDER BY laag, gebied, periode")
        con.execute("INSERT INTO bescherming_stand VALUES (?)", [stand_per])
    finally:
        con.unregister("_bescherming_nieuw")


def one_blas_thread() -> contextlib.AbstractContextManager:
    """numpy's BLAS limited to one thread for the duration (this process only; the Koppelingen
    tables are built beside the search, `protecting`, and keep the other core).
    threadpoolctl comes with scikit-learn (esda's); without it the search runs as it is."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


# The same tables as in dijkwacht/schema.sql, made anew (a database built before them too).
SCHEMA = """
CREATE OR REPLACE TABLE bescherming (laag VARCHAR NOT NULL, gebied VARCHAR NOT NULL, periode VARCHAR NOT NULL);
CREATE OR REPLACE TABLE bescherming_stand (stand_per DATE NOT NULL);
"""
