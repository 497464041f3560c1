"""Disclosure control for the `bestuur` role across everything it can ask for (DESIGN §6).

The mayor's screens show counts per city, wijk, buurt and focus area, per quarter, year and
twelve months, per source and signal theme. Each of those figures is computed exactly from
the rows of its own area and period (the fact table), and the role's protection is decided
once, for all of them together, so that no subtraction across areas, periods, themes or
sources pins a hidden cell. Every page asks `Protected.cell` for a figure; the same cell
has the same value or mark everywhere.

Method: secondary cell suppression over linked tables, as τ-Argus does for hierarchical
tables, with an exact linear audit instead of a heuristic check:

- the cells: every (layer, area node, period node) the role can request. Area nodes are the
  city, the wijken (plus "onbekend"), the buurten, the focus areas (fixed unions of buurten)
  and, for a wijk holding 2024-only buurten, its 2020 part (the base of its rates). Period
  nodes are unions of whole calendar quarters: the quarters, the years (the current year as
  its complete quarters so far), the last four complete quarters and the four before them,
  and the same quarters of the year before the current one. The role gets no months and no
  day-level periods below the city (Filters refuse them), so a quarter × buurt is the finest
  cell it can ask for: the *atom*;
- primary: a sub-city cell with 1–4 is hidden and marked "<5"; city cells are exact;
- secondary, per relation (a parent and its parts: city = Σ wijken, wijk = Σ buurten,
  focus area = Σ buurten, year = Σ quarters, window = Σ quarters, signals = Σ themes): a
  relation with exactly one hidden cell gets the smallest visible non-zero part hidden too
  ("x"), until no relation has exactly one;
- audit: the hidden atoms are the unknowns; every visible cell that contains some is a
  linear equation. A hidden cell is pinned when its vector lies in the row space of those
  equations (checked per connected component, on the Gram matrix). A pinned cell gets one
  more cell of its relations hidden, and the loop repeats until nothing is pinned;
- bounds: "<5" says 1–4 and "x" says ≥ 0. A relation whose hidden cells must all sit at a
  bound (hidden sum = number of "<5" cells, or = 4 × that number with no "x") pins them;
  one more cell is hidden there.

Derived figures follow: a "zaken" total (grow sites + transactions + signals) is shown only
when its three parts are, so it adds no equation; amounts, means and rates are shown only
where their count is. Residual risks (documented, not handled here): combinations of bounds
across several relations (an LP audit would settle those), differencing across loads (a
record that arrives late changes a cell between two visits), and outside knowledge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

THRESHOLD = 5
SMALL = "<5"
SECRET = "x"
CITY = "stad"
UNKNOWN_AREA = "onbekend"


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def next_quarter(d: date) -> date:
    return date(d.year + (d.month == 10), 1 if d.month == 10 else d.month + 3, 1)


def _dedupe(nodes: dict[str, tuple[int, ...]], relations: list) -> tuple[dict, tuple, dict]:
    """Nodes with the same atoms are one cell (a wijk of one buurt, a focus area of one
    buurt): keep the first id, map the others to it, and drop relations that become
    trivial. Returns (nodes, relations, alias)."""
    first: dict[tuple[int, ...], str] = {}
    alias = {}
    for node, atoms in nodes.items():
        alias[node] = first.setdefault(atoms, node)
    kept = {node: atoms for node, atoms in nodes.items() if alias[node] == node}
    rels = []
    for parent, parts in relations:
        parent = alias[parent]
        parts = tuple(dict.fromkeys(alias[c] for c in parts if c in alias))
        if parts and parts != (parent,):
            rels.append((parent, parts))
    return kept, tuple(rels), alias


@dataclass(frozen=True)
class Areas:
    """The area nodes as unions of atoms (buurt codes and "onbekend")."""
    atoms: tuple[str, ...]
    nodes: dict[str, tuple[int, ...]]           # node id → atom indices
    relations: tuple[tuple[str, tuple[str, ...]], ...]   # (parent, parts)
    alias: dict[str, str]                       # every id a page may ask → its node

    @classmethod
    def build(cls, buurten: list[dict], focus: dict[str, list[str]]) -> "Areas":
        """buurten: rows with buurtcode, wijkcode, in_2020; focus: name → buurt codes."""
        atoms = tuple(sorted(b["buurtcode"] for b in buurten)) + (UNKNOWN_AREA,)
        index = {a: i for i, a in enumerate(atoms)}
        wijken: dict[str, list[str]] = {}
        new: dict[str, list[str]] = {}
        for b in buurten:
            wijken.setdefault(b["wijkcode"], []).append(b["buurtcode"])
            if not b["in_2020"]:
                new.setdefault(b["wijkcode"], []).append(b["buurtcode"])
        nodes = {CITY: tuple(range(len(atoms)))}
        relations = []
        wijk_ids = []
        for wijk, codes in sorted(wijken.items()):
            nodes[f"wijk:{wijk}"] = tuple(sorted(index[c] for c in codes))
            wijk_ids.append(f"wijk:{wijk}")
            relations.append((f"wijk:{wijk}", tuple(f"buurt:{c}" for c in sorted(codes))))
            if wijk in new:
                old = sorted(set(codes) - set(new[wijk]))
                nodes[f"wijk2020:{wijk}"] = tuple(index[c] for c in old)
                relations.append((f"wijk2020:{wijk}", tuple(f"buurt:{c}" for c in old)))
        nodes[f"wijk:{UNKNOWN_AREA}"] = (index[UNKNOWN_AREA],)
        wijk_ids.append(f"wijk:{UNKNOWN_AREA}")
        relations.append((CITY, tuple(wijk_ids)))
        for code in atoms[:-1]:
            nodes[f"buurt:{code}"] = (index[code],)
        for name, codes in sorted(focus.items()):
            members = tuple(sorted(index[c] for c in set(codes) if c in index))
            if members:
                nodes[f"focus:{name}"] = members
                relations.append((f"focus:{name}", tuple(f"buurt:{atoms[i]}" for i in members)))
        nodes, rels, alias = _dedupe(nodes, relations)
        return cls(atoms, nodes, rels, alias)


@dataclass(frozen=True)
class Periods:
    """The period nodes as unions of whole quarters (the atoms), up to the last complete
    quarter before `end` (the day after the data's stand per)."""
    atoms: tuple[date, ...]                     # quarter starts
    nodes: dict[str, tuple[int, ...]]           # node id → atom indices
    spans: dict[str, tuple[date, date]]         # every id → [van, tot)
    relations: tuple[tuple[str, tuple[str, ...]], ...]
    alias: dict[str, str]

    @classmethod
    def build(cls, first: date, end: date) -> "Periods":
        last_end = quarter_start(end)            # exclusive: the last complete quarter ends here
        atoms: list[date] = []
        q = quarter_start(first)
        while q < last_end:
            atoms.append(q)
            q = next_quarter(q)
        index = {a: i for i, a in enumerate(atoms)}
        nodes, spans, relations = {}, {}, []

        def add(node: str, quarters: list[date], parts: bool = True) -> None:
            if not quarters or any(q not in index for q in quarters):
                return
            nodes[node] = tuple(index[q] for q in quarters)
            spans[node] = (quarters[0], next_quarter(quarters[-1]))
            if parts and len(quarters) > 1:
                relations.append((node, tuple(f"kwartaal:{q.isoformat()}" for q in quarters)))

        for q in atoms:
            add(f"kwartaal:{q.isoformat()}", [q])
        for year in sorted({q.year for q in atoms}):
            quarters = [q for q in atoms if q.year == year]
            if len(quarters) == 4 or year == atoms[0].year:     # complete years (and the first)
                add(f"jaar:{year}", quarters)
        window = atoms[-4:]
        if len(window) == 4 and window[0].month != 1:           # else it is a calendar year
            add("venster:0", window)
            add("venster:1", [date(q.year - 1, q.month, 1) for q in window])
        nodes, rels, alias = _dedupe(nodes, relations)
        return cls(tuple(atoms), nodes, spans, rels, alias)

    def node_for(self, van: date, tot: date) -> str | None:
        """The node whose span is exactly [van, tot), or None (not a period this role
        may ask for below the city)."""
        for node, span in self.spans.items():
            if span == (van, tot):
                return self.alias[node]
        return None


@dataclass
class Table:
    """Exact counts and protection state for every cell of a group of layers."""
    layers: tuple[str, ...]                      # layer ids, leaves first
    leaves: int                                  # the first `leaves` layers are leaves
    sums: dict[int, tuple[int, ...]]             # aggregate layer index → leaf indices
    values: np.ndarray                           # int64 [layer, area node, period node]
    hidden: np.ndarray = field(init=False)
    primary: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.primary = (self.values >= 1) & (self.values < THRESHOLD)
        self.primary[:, 0, :] = False            # area node 0 is the city: exact
        self.hidden = self.primary.copy()


class Protected:
    """The bestuur view of every cell: `cell(layer, area, period)` → (value or None, label)."""

    def __init__(self, areas: Areas, periods: Periods, tables: list[Table]):
        self.areas, self.periods, self.tables = areas, periods, tables
        self.area_ids = list(areas.nodes)
        self.period_ids = list(periods.nodes)
        self._area_index = {a: i for i, a in enumerate(self.area_ids)}
        self._period_index = {p: i for i, p in enumerate(self.period_ids)}
        self._layer = {layer: (t, i) for t in tables for i, layer in enumerate(t.layers)}

    def has_layer(self, layer: str) -> bool:
        return layer in self._layer

    def cell(self, layer: str, area: str, period: str) -> tuple[int | None, str]:
        table, li = self._layer[layer]
        a = self._area_index[self.areas.alias[area]]
        p = self._period_index[self.periods.alias[period]]
        value = int(table.values[li, a, p])
        if table.hidden[li, a, p]:
            return None, SMALL if table.primary[li, a, p] else SECRET
        return value, str(value)


# --- building ---------------------------------------------------------------------------------

def _node_matrix(nodes: dict[str, tuple[int, ...]], n_atoms: int) -> np.ndarray:
    m = np.zeros((len(nodes), n_atoms), dtype=np.int64)
    for i, atoms in enumerate(nodes.values()):
        m[i, list(atoms)] = 1
    return m


def protect(areas: Areas, periods: Periods,
            groups: list[tuple[dict[str, np.ndarray], dict[str, tuple[str, ...]]]],
            stored: dict[str, set[tuple[str, str]]] | None = None) -> Protected:
    """groups: per group of linked layers, ({leaf layer: atom counts [area atom, quarter]},
    {aggregate layer: its leaf layers}). Returns every cell protected. With `stored` (layer →
    its secondary cells as (area, period) node ids, from `secondary_cells` of the same data)
    the suppression is not searched again: small cells are hidden by the rule, the rest as
    stored."""
    am = _node_matrix(areas.nodes, len(areas.atoms))
    pm = _node_matrix(periods.nodes, len(periods.atoms))
    tables = []
    for leaves, aggregates in groups:
        names = tuple(leaves) + tuple(aggregates)
        atoms = np.stack([leaves[k] for k in leaves]) if leaves else np.zeros((0, len(areas.atoms), len(periods.atoms)))
        agg = [np.sum([atoms[list(leaves).index(x)] for x in parts], axis=0)
               for parts in aggregates.values()]
        atoms_all = np.concatenate([atoms, np.stack(agg)]) if agg else atoms
        values = am @ atoms_all.astype(np.int64) @ pm.T      # [layer, area node, period node]
        sums = {len(leaves) + i: tuple(list(leaves).index(x) for x in parts)
                for i, parts in enumerate(aggregates.values())}
        table = Table(names, len(leaves), sums, values)
        if stored is None:
            _suppress(table, areas, periods, am, pm)
        else:
            area_index = {a: i for i, a in enumerate(areas.nodes)}
            period_index = {p: i for i, p in enumerate(periods.nodes)}
            for li, layer in enumerate(names):
                for area, period in stored.get(layer, ()):
                    table.hidden[li, area_index[area], period_index[period]] = True
        tables.append(table)
    return Protected(areas, periods, tables)


def secondary_cells(protected: Protected) -> list[tuple[str, str, str]]:
    """(layer, area node, period node) of every cell hidden to protect another: what the
    ETL stores at load so the dashboard need not search the suppression again."""
    return [(layer, protected.area_ids[a], protected.period_ids[p])
            for table in protected.tables for li, layer in enumerate(table.layers)
            for a, p in zip(*np.nonzero(table.hidden[li] & ~table.primary[li]))]


def _lines(table: Table, areas: Areas, periods: Periods):
    """Every relation as index arrays: (dimension, parent index, part indices)."""
    a_ix = {a: i for i, a in enumerate(areas.nodes)}
    p_ix = {p: i for i, p in enumerate(periods.nodes)}
    out = [("area", a_ix[parent], np.array([a_ix[c] for c in parts]))
           for parent, parts in areas.relations]
    out += [("period", p_ix[parent], np.array([p_ix[c] for c in parts]))
            for parent, parts in periods.relations if all(c in p_ix for c in parts)]
    out += [("layer", agg, np.array(parts)) for agg, parts in table.sums.items()]
    return out


def _line_view(arr: np.ndarray, dim: str, idx) -> np.ndarray:
    """arr[layer, area, period] → the line's cells along `dim` moved to the last axis."""
    if dim == "area":
        return np.moveaxis(arr[:, idx, :], 1, -1)       # [layer, period, k]
    if dim == "period":
        return arr[:, :, idx]                            # [layer, area, k]
    return np.moveaxis(arr[idx, :, :], 0, -1)            # [area, period, k]


def _cell(dim: str, outer: tuple[int, int], member: int) -> tuple[int, int, int]:
    if dim == "area":
        return outer[0], member, outer[1]
    if dim == "period":
        return outer[0], outer[1], member
    return member, outer[0], outer[1]


def _hide_smallest(table: Table, dim: str, outer: tuple[int, int], members: np.ndarray) -> bool:
    """Hide the smallest visible non-zero member of a line (never a city cell); a zero only
    when nothing else is left. False when nothing can be hidden."""
    best = None
    for m in members:
        cell = _cell(dim, outer, int(m))
        if table.hidden[cell] or cell[1] == 0:
            continue
        v = int(table.values[cell])
        key = (v == 0, v)
        if best is None or key < best[0]:
            best = (key, cell)
    if best is None:
        return False
    table.hidden[best[1]] = True
    return True


def _suppress(table: Table, areas: Areas, periods: Periods, am: np.ndarray, pm: np.ndarray) -> None:
    lines = _lines(table, areas, periods)
    decomposed: dict = {}                                # the audit's, kept between its rounds
    size = np.outer(am.sum(axis=1), pm.sum(axis=1))      # atoms per (area node, period node)
    for _ in range(500):
        changed = _line_rule(table, lines)
        changed |= _bounds_rule(table, lines)
        if changed:
            continue
        pinned = audit(table, am, pm, decomposed)
        if not pinned:
            return
        done: set = set()
        for cell, involved in pinned:
            # break this combination: hide the smallest visible non-zero sub-city cell in it
            if cell in done:
                continue
            choice = [c for c in involved if c[1] != 0 and not table.hidden[c]]
            if not choice:
                continue        # only city cells: the line rule gets it next round
            # which: non-zero, the finest (fewest atoms), then the smallest
            best = min(choice, key=lambda c: (table.values[c] == 0, size[c[1], c[2]], table.values[c]))
            table.hidden[best] = True
            done |= set(involved)
    raise RuntimeError("afscherming convergeert niet")


def _line_rule(table: Table, lines) -> bool:
    changed = False
    for _ in range(1000):
        round_changed = False
        for dim, parent, parts in lines:
            members = np.concatenate([[parent], parts])
            h = _line_view(table.hidden, dim, members)
            counts = h.sum(axis=-1)
            for outer in zip(*np.nonzero(counts == 1)):
                if _hide_smallest(table, dim, tuple(int(x) for x in outer), members):
                    round_changed = True
        changed |= round_changed
        if not round_changed:
            return changed
    return changed


def _bounds_rule(table: Table, lines) -> bool:
    """A relation whose hidden cells must all sit at a bound of their marks pins them."""
    changed = False
    for dim, parent, parts in lines:
        members = np.concatenate([[parent], parts])
        hid = _line_view(table.hidden, dim, members)
        if not hid[..., 1:].any():
            continue
        val = _line_view(table.values, dim, members)
        prim = _line_view(table.primary, dim, members)
        parent_visible = ~hid[..., 0]
        child_hidden = hid[..., 1:]
        s = (val[..., 1:] * child_hidden).sum(axis=-1)
        k_small = (prim[..., 1:] & child_hidden).sum(axis=-1)
        k_x = (child_hidden & ~prim[..., 1:]).sum(axis=-1)
        at_bound = parent_visible & (child_hidden.sum(axis=-1) > 0) & (
            (s == k_small) | ((k_x == 0) & (s == 4 * k_small)))
        for outer in zip(*np.nonzero(at_bound)):
            if _hide_smallest(table, dim, tuple(int(x) for x in outer), members):
                changed = True
    return changed


def _unknown_atoms(table: Table, am: np.ndarray, pm: np.ndarray) -> list[np.ndarray]:
    """Per leaf layer, its hidden atoms (the unknowns, in order) as indices into its
    [area atom × quarter] grid."""
    atom_area = np.argmax(am * (am.sum(axis=1, keepdims=True) == 1), axis=0)   # atom → its node
    atom_period = np.argmax(pm * (pm.sum(axis=1, keepdims=True) == 1), axis=0)
    hid_atoms = table.hidden[:table.leaves][:, atom_area][:, :, atom_period]   # [leaf, x, q]
    return [np.flatnonzero(hid_atoms[leaf].ravel()) for leaf in range(table.leaves)]


def cell_matrix(table: Table, am: np.ndarray, pm: np.ndarray):
    """Every cell of the table as a row over the unknowns (the hidden atoms): a sparse
    matrix [layer × area node × period node, unknown], and the unknowns' count."""
    from scipy import sparse

    n_leaves = table.leaves
    grid = sparse.kron(sparse.csr_matrix(am), sparse.csr_matrix(pm), format="csc")  # [a·p, x·q]
    blocks, offset = [], 0
    for cols in _unknown_atoms(table, am, pm):
        blocks.append((offset, grid[:, cols]))
        offset += len(cols)
    n = offset
    layer_rows = []
    for layer in range(len(table.layers)):
        parts = [layer] if layer < n_leaves else list(table.sums[layer])
        row = sparse.csr_matrix((grid.shape[0], n))
        for leaf in parts:
            start, block = blocks[leaf]
            if block.shape[1]:
                pad = sparse.csr_matrix((grid.shape[0], n))
                pad = sparse.hstack([sparse.csr_matrix((grid.shape[0], start)), block,
                                     sparse.csr_matrix((grid.shape[0], n - start - block.shape[1]))])
                row = row + pad
        layer_rows.append(row)
    return sparse.vstack(layer_rows, format="csr"), n


def audit(table: Table, am: np.ndarray, pm: np.ndarray,
          cache: dict | None = None) -> list[tuple[tuple, list[tuple]]]:
    """Hidden cells whose value follows exactly from the visible cells by linear
    combination (subtraction across areas, periods and layers), each with the visible cells
    of one such combination: [(pinned cell, [visible cells used])].

    Per connected component of the unknowns, one eigen-decomposition of a Gram matrix of
    its equations D (`_row_space`): the eigenvectors V of DᵀD with eigenvalues w above the
    noise span the row space, so a hidden cell h is pinned when h = V Vᵀh; the combination
    is the minimum-norm solution of Dᵀy = h, y = D V diag(1/w) Vᵀh (the pseudo-inverse: what
    lstsq returns, without solving again), for all the component's hidden cells in one
    product. `cache`: decompositions from an earlier audit of the same table (the search
    keeps one per table), keyed by the component's atoms and equations, so a component the
    last round left alone is not decomposed again."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    matrix, n = cell_matrix(table, am, pm)
    hidden = table.hidden.ravel()
    shape = table.values.shape

    def cell(i: int) -> tuple:
        return tuple(int(v) for v in np.unravel_index(i, shape))

    hidden_ids = np.flatnonzero(hidden)
    visible_ids = np.flatnonzero(~hidden)
    eq = matrix[visible_ids]
    used = np.diff(eq.indptr) > 0
    eq, eq_ids = eq[used], visible_ids[used]
    # Components on the graph of unknowns and equations (an equation links its unknowns):
    # the unknowns come first, so components are numbered as on the graph of the unknowns
    # alone (EᵀE, E the equations), in order of their first unknown, without forming that
    # n × n product.
    incidence = eq.tocoo()
    graph = sparse.coo_matrix((np.ones(incidence.nnz), (incidence.col, n + incidence.row)),
                              shape=(n + eq.shape[0],) * 2).tocsr()
    _, labels = (connected_components(graph, directed=False) if n else (0, np.zeros(0, dtype=int)))
    comp, eq_comp = labels[:n], labels[n:]
    grid_size = am.shape[1] * pm.shape[1]                # an unknown's atom, over the leaves
    unknown_atoms = np.concatenate([leaf * grid_size + cols for leaf, cols in
                                    enumerate(_unknown_atoms(table, am, pm))] + [np.zeros(0, dtype=np.int64)])
    by_comp = np.argsort(comp, kind="stable")            # the unknowns, component by component
    comp_start = np.searchsorted(comp[by_comp], np.arange(comp.max(initial=-1) + 2))
    rows_by_comp = np.argsort(eq_comp, kind="stable")
    rows_start = np.searchsorted(eq_comp[rows_by_comp], np.arange(comp.max(initial=-1) + 2))
    pos = np.zeros(n, dtype=np.int64)                    # an unknown's place in its component
    pos[by_comp] = np.arange(n) - comp_start[comp[by_comp]]

    # Every (hidden cell, component it reaches) with the cell's unknowns there, component
    # by component, cells in order.
    reach = matrix[hidden_ids].tocoo()
    k, u = reach.row.astype(np.int64), reach.col.astype(np.int64)
    c = comp[u]
    order = np.lexsort((k, c))
    k, u, c = k[order], u[order], c[order]
    parts: dict[int, list] = {}                          # hidden cell → [(component, rows or None)]
    seen = set()
    for s, e in _runs(c):
        cc = int(c[s])
        cells, col = np.unique(k[s:e], return_inverse=True)
        rows = rows_by_comp[rows_start[cc]:rows_start[cc + 1]]
        if len(rows) == 0:
            for kk in cells:
                parts.setdefault(int(kk), []).append((cc, None))
            continue
        members = by_comp[comp_start[cc]:comp_start[cc + 1]]
        dense = eq[rows][:, members].toarray()
        key = (unknown_atoms[members].tobytes(), eq_ids[rows].tobytes())
        seen.add(key)
        found = cache.get(key) if cache is not None else None
        if found is None:
            found = _row_space(dense)
            if cache is not None:
                cache[key] = found
        w, basis, left = found
        h = sparse.csc_matrix((np.ones(e - s), (pos[u[s:e]], col)), shape=(len(members), len(cells)))
        coef = (h.T @ basis).T                           # Vᵀh, every cell at once
        # ‖h − VVᵀh‖² = ‖h‖² − ‖Vᵀh‖²: where that is above 1e-6, the largest |h − VVᵀh| is
        # above 1e-3 / √(unknowns), far above the test's 1e-6, so h is outside; the test
        # itself (as it was) only for the others.
        near = np.flatnonzero(np.diff(h.indptr) - (coef ** 2).sum(axis=0) <= 1e-6)
        h = h[:, near].toarray()
        inside = np.abs(h - basis @ coef[:, near]).max(axis=0) <= 1e-6
        pinned = near[inside]
        h = h[:, inside]
        y = left @ (coef[:, pinned] / np.sqrt(w)[:, None])      # = D V diag(1/w) Vᵀh
        # The cells of the combination: |y| > 1e-8 (real coefficients go down to ~1e-9 in a
        # large component, so the cut must not move). y = Dz lies in the range of D, so its
        # error is at most ‖Dᵀy − h‖ / √(smallest kept eigenvalue), and lstsq's is of order
        # ε·κ(D)·‖y‖. A column with a coefficient within 100 times that of the cut is solved
        # directly, by lstsq as before, so rounding never decides the difference.
        error = np.linalg.norm(dense.T @ y - h, axis=0) / np.sqrt(w.min())
        margin = 100 * error + 1e-14 * np.sqrt(w.max() / w.min()) * np.linalg.norm(y, axis=0)
        y = np.abs(y)
        doubtful = (np.abs(y - 1e-8) <= margin).any(axis=0)
        for j in np.flatnonzero(doubtful):
            y[:, j] = np.abs(np.linalg.lstsq(dense.T, h[:, j], rcond=None)[0])
        combination = dict(zip(pinned.tolist(), y.T))
        for j, kk in enumerate(cells.tolist()):
            rows_j = rows[np.flatnonzero(combination[j] > 1e-8)] if j in combination else None
            parts.setdefault(kk, []).append((cc, rows_j))
    if cache is not None:                                # hidden cells only grow: the rest is gone
        for key in set(cache) - seen:
            del cache[key]
    eq_cells = list(zip(*(ix.tolist() for ix in np.unravel_index(eq_ids, shape))))
    out = []
    for kk, i in enumerate(hidden_ids):
        if kk not in parts:
            # every atom of it is visible: they are the combination
            out.append((cell(i), _visible_atoms(table, am, pm, cell(i))))
        elif all(rows is not None for _, rows in parts[kk]):
            out.append((cell(i), [eq_cells[r] for _, rows in parts[kk] for r in rows.tolist()]))
    return out


def _row_space(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The row space of the equations D: (w, V, U) with DᵀD = V diag(w) Vᵀ and U = DV/√w
    (so DDᵀ = U diag(w) Uᵀ), over the eigenvalues above the noise (> 1e-9 × the largest, or
    1e-9 if that is below 1, as before). From the smaller of the two Gram matrices, as their
    non-zero eigenvalues are the same: a large component has half to three quarters as many
    equations as unknowns, and the eigen-decomposition costs the cube of the size. V from
    DDᵀ (V = DᵀU/√w) is orthonormal to about ε·w_max/w_min (~1e-11 on the demo and the
    property tests' tables), far inside the audit's 1e-6."""
    rows, unknowns = dense.shape
    gram = dense @ dense.T if rows < unknowns else dense.T @ dense
    w, vectors = np.linalg.eigh(gram)
    keep = w > 1e-9 * max(1.0, w.max(initial=0.0))
    w, vectors = w[keep], vectors[:, keep]
    if rows < unknowns:
        return w, (dense.T @ vectors) / np.sqrt(w), vectors
    return w, vectors, (dense @ vectors) / np.sqrt(w)


def _runs(values: np.ndarray):
    """(start, end) of each run of equal values in a sorted array."""
    if len(values) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return zip(starts, np.r_[starts[1:], len(values)])


def _visible_atoms(table: Table, am: np.ndarray, pm: np.ndarray, c: tuple) -> list[tuple]:
    layer, a, p = c
    singles_a = {int(np.flatnonzero(r)[0]): i for i, r in enumerate(am) if r.sum() == 1}
    singles_p = {int(np.flatnonzero(r)[0]): i for i, r in enumerate(pm) if r.sum() == 1}
    leaves = [layer] if layer < table.leaves else list(table.sums[layer])
    return [(leaf, singles_a[x], singles_p[q]) for leaf in leaves
            for x in np.flatnonzero(am[a]) for q in np.flatnonzero(pm[p])]


# --- from the served database -----------------------------------------------------------------

# The layers the role can request below the city: the map layers (measures.LAYERS); signals
# also per theme (their parts).
def layer_id(maat: str, thema: str | None) -> str:
    return f"{maat}|{thema or 'alle'}"


def stored(db, stand_per: date) -> dict[str, set[tuple[str, str]]] | None:
    """The secondary cells the ETL searched at load for this stand per (etl/protection.py),
    per layer; None when it did not (then `build` searches)."""
    rows = db.query("bescherming", stand_per=stand_per)
    if rows.is_empty():
        return None
    cells: dict[str, set[tuple[str, str]]] = {}
    for layer, area, period in rows.drop_nulls("laag").select("laag", "gebied", "periode").iter_rows():
        cells.setdefault(layer, set()).add((area, period))
    return cells


def build(db, stand_per: date, layers: tuple[str, ...], stored: dict | None = None) -> Protected:
    """Protect every cell of `layers` (fact measures) for the data's stand per; `stored`:
    the secondary cells found at load (see `protect`)."""
    buurten = db.query("lattice_buurten").to_dicts()
    focus = {r["gebied"]: list(r["buurtcodes"]) for r in db.query("lattice_focus").iter_rows(named=True)}
    areas = Areas.build(buurten, focus)
    end = date.fromordinal(stand_per.toordinal() + 1)
    facts = db.query("feiten_kwartalen", tot=quarter_start(end), maten=list(layers), thema="alle")
    first = facts["kwartaal"].min() if facts.height else quarter_start(stand_per)
    periods = Periods.build(first, end)
    x_index = {a: i for i, a in enumerate(areas.atoms)}
    q_index = {q: i for i, q in enumerate(periods.atoms)}
    shape = (len(areas.atoms), len(periods.atoms))
    grids: dict[tuple[str, str], np.ndarray] = {}
    for r in facts.iter_rows(named=True):
        grid = grids.setdefault((r["maat"], r["thema"]), np.zeros(shape, dtype=np.int64))
        x = x_index.get(r["buurtcode"], x_index[UNKNOWN_AREA])
        if r["kwartaal"] in q_index:
            grid[x, q_index[r["kwartaal"]]] += int(r["aantal"])
    # Each layer is its own table: the role sees themes only city-wide (Filters), so no
    # relation links one layer's cells to another's below the city.
    groups = [({layer_id(maat, "alle"): grid}, {}) for (maat, thema), grid in sorted(grids.items())
              if thema == "alle"]
    return protect(areas, periods, groups, stored)
