"""The bestuur protection (dijkwacht/lattice.py) as properties over the real structure:
Dordrecht's buurten, wijken and focus areas, with generated counts. Whatever the counts:
- no hidden cell is shown as a number, and "<5" only where the true value is 1–4;
- every shown figure is the exact count of its own area and period (never a sum of shown
  parts), the city exact;
- no hidden cell is pinned by subtraction across areas and periods (the audit finds none),
  and no relation pins its hidden cells by their bounds."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dijkwacht import config, lattice

SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def structure():
    """The real buurten (with their wijk and the 2024-only codes) and focus areas, as the
    ETL writes them (etl.reference) and the app reads them."""
    import duckdb

    from dijkwacht import queries
    from etl.reference import write_reference

    con = duckdb.connect(":memory:")
    con.execute(config.SCHEMA_SQL.read_text(encoding="utf-8"))
    write_reference(con)
    db = queries.OnConnection(con)
    focus = {r["gebied"]: list(r["buurtcodes"]) for r in db.query("lattice_focus").iter_rows(named=True)}
    areas = lattice.Areas.build(db.query("lattice_buurten").to_dicts(), focus)
    periods = lattice.Periods.build(date(2025, 1, 1), date(2026, 4, 30))
    con.close()
    return areas, periods


def generated(structure, seed: int, rate: float) -> tuple[lattice.Protected, dict]:
    """Counts per buurt × quarter drawn from a Poisson with a buurt-specific mean (a few
    busy buurten, many quiet ones), for two linked layers summing to a total."""
    areas, periods = structure
    rng = np.random.default_rng(seed)
    shape = (len(areas.atoms), len(periods.atoms))
    busy = rng.gamma(0.6, rate, size=shape[0])[:, None]
    grids = {f"laag|{k}": rng.poisson(busy * rng.uniform(0.5, 1.5, size=shape)) for k in ("a", "b")}
    grids_all = {**grids, "laag|alle": grids["laag|a"] + grids["laag|b"]}
    return lattice.protect(areas, periods, [(grids, {"laag|alle": tuple(grids)})]), grids_all


@pytest.mark.slow    # hypothesis over the real lattice: ~1 min
@SETTINGS
@given(seed=st.integers(0, 10_000), rate=st.sampled_from([0.3, 1.0, 3.0]))
def test_marks_values_and_exactness(structure, seed, rate):
    protected, grids = generated(structure, seed, rate)
    areas, periods = structure
    for layer, grid in grids.items():
        for area in protected.area_ids:
            atoms = list(areas.nodes[area])
            for period in protected.period_ids[::5]:
                # the exact count of this area and period, straight from the generated atoms
                exact = int(grid[np.ix_(atoms, list(periods.nodes[period]))].sum())
                value, label = protected.cell(layer, area, period)
                if value is None:
                    assert label in ("<5", "x") and area != lattice.CITY
                    assert label != "<5" or 1 <= exact <= 4
                else:
                    assert value == exact and label == str(exact)


@pytest.mark.slow    # hypothesis over the real lattice: ~45 s
@SETTINGS
@given(seed=st.integers(0, 10_000), rate=st.sampled_from([0.3, 1.0, 3.0]))
def test_nothing_is_pinned(structure, seed, rate):
    protected, _ = generated(structure, seed, rate)
    areas, periods = structure
    am = lattice._node_matrix(areas.nodes, len(areas.atoms))
    pm = lattice._node_matrix(periods.nodes, len(periods.atoms))
    table = protected.tables[0]
    assert lattice.audit(table, am, pm) == []
    lines = lattice._lines(table, areas, periods)
    before = table.hidden.copy()
    assert lattice._bounds_rule(table, lines) is False and (table.hidden == before).all()


@pytest.mark.parametrize("seed", [3, 11])
def test_each_pinned_cell_comes_with_the_combination_that_pins_it(structure, seed, monkeypatch):
    """The audit's combination (the minimum-norm solution from the eigen-decomposition it
    already made) against an independent one: for every pinned cell, the visible cells it
    names really add up to it (the unknowns cancel), and they are exactly the support of the
    pseudo-inverse's solution over all the visible equations (SVD, not per component). On
    the primary cells alone and after the line rule, two linked layers and their total. The
    audit solves directly (lstsq) only where a coefficient lies at the cut: if the eigen
    route were wrong it would do so everywhere, and this would fail."""
    areas, periods = structure
    am = lattice._node_matrix(areas.nodes, len(areas.atoms))
    pm = lattice._node_matrix(periods.nodes, len(periods.atoms))
    rng = np.random.default_rng(seed)
    shape = (len(areas.atoms), len(periods.atoms))
    busy = rng.gamma(0.6, 1.0, size=shape[0])[:, None]
    leaves = np.stack([rng.poisson(busy * rng.uniform(0.5, 1.5, size=shape)) for _ in range(2)])
    atoms = np.concatenate([leaves, leaves.sum(axis=0, keepdims=True)])
    table = lattice.Table(("laag|a", "laag|b", "laag|alle"), 2, {2: (0, 1)},
                          np.einsum("ax,lxq,pq->lap", am, atoms, pm))
    direct, lstsq = [], np.linalg.lstsq

    def counted(*args, **kwargs):
        direct.append(args)
        return lstsq(*args, **kwargs)

    for stage in ("primary", "line rule"):
        if stage == "line rule":
            lattice._line_rule(table, lattice._lines(table, areas, periods))
        cache: dict = {}
        direct.clear()
        with monkeypatch.context() as m:
            m.setattr(np.linalg, "lstsq", counted)
            pinned = lattice.audit(table, am, pm, cache)
        assert pinned and len(direct) <= len(pinned) / 10
        assert lattice.audit(table, am, pm, cache) == pinned     # the same from the cache
        matrix, _ = lattice.cell_matrix(table, am, pm)
        shape3 = table.values.shape
        visible = np.flatnonzero(~table.hidden.ravel())
        visible = visible[np.diff(matrix[visible].indptr) > 0]
        eqs = matrix[visible].toarray()                   # the visible cells over the unknowns
        pinv = np.linalg.pinv(eqs.T, rcond=1e-6)          # the zero singular values are ~1e-15
        with_unknowns = 0
        for cell, involved in pinned:
            assert table.hidden[cell] and not any(table.hidden[c] for c in involved)
            h = matrix[np.ravel_multi_index(cell, shape3)].toarray().ravel()
            if not h.any():
                continue                                  # all its atoms are visible cells
            rows = [int(np.searchsorted(visible, np.ravel_multi_index(c, shape3))) for c in involved]
            reference = visible[np.flatnonzero(np.abs(pinv @ h) > 1e-8)]
            assert visible[sorted(rows)].tolist() == reference.tolist()
            if with_unknowns < 12:                        # (lstsq per cell is slow: a sample)
                used = eqs[rows]
                coef = np.linalg.lstsq(used.T, h, rcond=None)[0]
                assert np.abs(used.T @ coef - h).max() < 1e-8
            with_unknowns += 1
        assert with_unknowns > 0


@pytest.mark.parametrize("rows, unknowns", [(30, 50), (50, 30)])
def test_the_row_space_from_either_gram_matrix(rows, unknowns):
    """`_row_space` of a rank-deficient 0/1 matrix D, from DDᵀ (fewer rows) or DᵀD: V an
    orthonormal basis of the row space, U = DV/√w, and U Vᵀh/√w the minimum-norm solution
    of Dᵀy = h (the pseudo-inverse's)."""
    rng = np.random.default_rng(rows)
    dense = (rng.random((rows, unknowns)) < 0.15).astype(float)
    dense[-5:] = dense[:5] + dense[5:10]                  # dependent rows
    dense[:, -4:] = dense[:, :4]                           # and columns
    w, v, u = lattice._row_space(dense)
    rank = np.linalg.matrix_rank(dense)
    assert len(w) == rank and np.allclose(v.T @ v, np.eye(rank), atol=1e-10)
    assert np.allclose(dense.T @ dense @ v, v * w, atol=1e-9) and np.allclose(u, dense @ v / np.sqrt(w))
    h = dense.T @ rng.integers(-2, 3, size=rows)          # in the row space
    assert np.allclose(u @ (v.T @ h / np.sqrt(w)), np.linalg.pinv(dense.T) @ h, atol=1e-10)


def test_a_lone_small_buurt_is_not_given_away_by_its_wijk(structure):
    """The classic differencing: a wijk with one buurt of 3 cases and the rest visible."""
    areas, periods = structure
    shape = (len(areas.atoms), len(periods.atoms))
    counts = np.zeros(shape, dtype=np.int64)
    wijk = next(n for n in areas.nodes if n.startswith("wijk:WK0505") and len(areas.nodes[n]) > 3)
    atoms = areas.nodes[wijk]
    counts[atoms[0], :] = 3
    for x in atoms[1:]:
        counts[x, :] = 20
    protected = lattice.protect(areas, periods, [({"laag|a": counts}, {})])
    quarter = protected.period_ids[0]
    small = f"buurt:{areas.atoms[atoms[0]]}"
    assert protected.cell("laag|a", small, quarter) == (None, "<5")
    hidden_parts = [x for x in atoms if protected.cell("laag|a", f"buurt:{areas.atoms[x]}", quarter)[0] is None]
    wijk_value, _ = protected.cell("laag|a", wijk, quarter)
    assert len(hidden_parts) >= 2 or wijk_value is None


# --- the search made at load (etl/protection.py) -------------------------------------------

@pytest.mark.slow    # one full search over the demo (~15–30 s here)
def test_the_protection_stored_at_load_is_the_one_a_search_finds(demo_db):
    from dijkwacht import measures, queries

    db = queries.served(demo_db)
    stand_per = db.query("meta")["stand_per"][0]
    stored = lattice.stored(db, stand_per)
    assert stored is not None and sum(map(len, stored.values())) > 0
    searched = lattice.build(db, stand_per, tuple(measures.LAYERS))
    restored = lattice.build(db, stand_per, tuple(measures.LAYERS), stored)
    for fresh, kept in zip(searched.tables, restored.tables, strict=True):
        assert fresh.layers == kept.layers
        assert np.array_equal(fresh.hidden, kept.hidden) and np.array_equal(fresh.values, kept.values)


def test_the_dashboard_does_not_search_when_the_load_did(demo_db, monkeypatch):
    from dijkwacht import measures, queries

    def no_search(*_):
        raise AssertionError("searched on a request")

    monkeypatch.setattr(lattice, "_suppress", no_search)
    db = queries.served(demo_db)
    stand_per = db.query("meta")["stand_per"][0]
    protected = lattice.build(db, stand_per, tuple(measures.LAYERS), lattice.stored(db, stand_per))
    assert any(label == lattice.SECRET for layer in protected._layer
               for label in [protected.cell(layer, a, p)[1] for a in protected.area_ids[:20]
                             for p in protected.period_ids[:20]])
    # Another stand per than the one searched for: no stored cells, so a search is needed.
    assert lattice.stored(db, date(2000, 1, 1)) is None
