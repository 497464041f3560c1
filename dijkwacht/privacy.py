"""Disclosure control (DESIGN §6): two profiles, which role gets which (`profile_for`), and
the protection of one table (`protect`, the factsheet's). The bestuur role's screens are
protected across all their tables at once by dijkwacht/lattice.py.

Pure Python + numpy/polars; no Streamlit.

Profiles
--------
- ``BESTUUR`` — what the `bestuur` role sees. Sub-city cells (wijk, buurt, focus area) with a
  count of 1–4 are shown as "<5"; secondary suppression ("x") so no hidden cell follows
  from a row or column total. City-level figures are exact.
- ``PUBLICATIE`` — published output (factsheet, publication exports). Only city and wijk
  level: buurt and focus-area tables are refused (`NotPublishable`). Every published count is
  rounded to a multiple of 5, city totals included (CBS practice): wijk cells 1–9 are hidden
  ("x"), a city count 1–4 is shown as "<5" (rounding would make it 0, and a hidden count is
  never shown as 0); amounts are rounded to € 1.000; shares and means are computed from the
  exact counts but hidden when a count they follow is hidden (`publish_figures`). Secondary
  suppression hides only what the audit needs: a hidden cell must stay at least as uncertain
  as a rounded cell (`Profile.min_range` possible values, see "The rounded audit").

Analysts and the beheerder get no disclosure control (`profile_for(role)` is None): they see
detail anyway (DESIGN §6).

The table model
---------------
A frame has one row per area (``area_col``) and one or more count columns (``count_cols``),
optionally one *total row* (``total_area``: the city), shown exactly (bestuur) or rounded
(publication: see "The rounded audit"; it must then be the sum of the rows). The attacker is
assumed to know
- every column's sum over the areas shown (the city total is published everywhere): exactly
  for bestuur, within its rounding interval for publication, and
- when ``rows_additive`` (default, with two or more count columns) every row's sum: it is
  treated as an extra, internal "row total" cell, protected first as a one-column table of
  its own (the way the map shows area totals, same profile, same result) and never hidden
  for the sake of this table: hiding it here would protect nothing when the map shows it.
Hidden cells are then chosen so that no hidden cell can be computed back:
1. primary: counts in the hidden range;
2. secondary, per line (row or column): a line with exactly one hidden cell gets the
   smallest visible non-zero cell of that line hidden as well — repeated to a fixed point;
3. audit: a hidden cell is exposed when only one value is consistent with everything visible
   (all the line sums at once, and the attacker's bounds below) — decided exactly on the
   network the line sums form (see `exposed`); the smallest visible cell in its row or column
   is then hidden too, repeated until nothing is exposed.
   Attacker bounds: visible bestuur cells exact; "<5" in [0, 4] (a zero hidden for
   protection is also shown as "<5", which is true); "x" in [0, inf) (CBS's "geheim": it
   says only that the cell is hidden); visible published cells v in [max(10, v-2), v+2]
   (rounded to 5); published "x" in [0, inf). When a "<5" label itself would give a cell
   away and nothing is left to hide in its lines (a row total 8 = "<5" + "<5"), the small
   cells of those lines are shown as "x" instead.

The rounded audit (PUBLICATIE)
---------------------------------
With every count rounded the attacker knows no sum exactly: the column total is a rounded
cell too (the city total shown in the same document), known within ±2, like every visible
rounded cell ([max(10, r-2), r+2]; "<5" at city level: [1, 4]; zero exact). A lone hidden
cell in a column is then not pinned by subtraction, but it can still be narrowed down (e.g.
total 12 shown as 10, one wijk 11 shown as 10: the hidden neighbour is 0, 1 or 2). So the
audit asks for more than "not pinned": every hidden cell must have at least
``min_range`` (= 5, the width of a rounded cell) values consistent with everything shown.
That range is computed exactly on the same network as `exposed` (a maximum flow per
direction, capped at what is needed); the line rule of step 2 is skipped (with rounded totals
a line with one hidden cell gives nothing away by itself) and the audit hides, as before, the
smallest visible cell in the row or column of a cell that is too narrow, until none is.

Derived figures follow their counts: a rate or change figure is recomputed from the
*protected* counts (so a rate never reveals an unrounded published count) and is hidden when
any count it is made of is hidden.

Residual risks (documented, not handled here): what the published totals give away on their
own (the city's single case of a kind in the only area with any cases: `_inherent`, the
audit leaves those out because no suppression in the table can help); differencing between
overlapping focus areas or between two different tables/periods (for published editions of
the same year: the republication check in dijkwacht.documents.archive); knowledge from outside.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import polars as pl

LEVELS = ("stad", "wijk", "buurt", "gebied")
LABEL_SMALL = "<5"
LABEL_SECRET = "x"
LABEL_SUFFIX = "_weergave"   # per count column: the text to show ("12", "<5", "x")


class NotPublishable(ValueError):
    """A table at a level the profile does not allow (publication: buurt or focus area)."""


@dataclass(frozen=True)
class Profile:
    name: str
    threshold: int                 # counts 1 .. threshold-1 are hidden (primary)
    round_to: int | None           # visible sub-city counts rounded to a multiple of this
    levels: tuple[str, ...]        # table levels the profile accepts
    small_label: str               # label of a primary-hidden cell
    secret_label: str = LABEL_SECRET
    totals_rounded: bool = False   # city totals rounded as well (publication, CBS practice)
    total_small: int = 5           # a rounded city count 1 .. total_small-1 is shown as "<5"
    amount_round: int | None = None   # amounts (euro) rounded to a multiple of this
    min_range: int = 2             # audit: a hidden cell keeps at least this many possible values

    def allows(self, level: str) -> bool:
        return level in self.levels


BESTUUR = Profile("bestuur", threshold=5, round_to=None, levels=LEVELS, small_label=LABEL_SMALL)
PUBLICATIE = Profile("publicatie", threshold=10, round_to=5, levels=("stad", "wijk"),
                     small_label=LABEL_SECRET, totals_rounded=True, total_small=5,
                     amount_round=1000, min_range=5)
PROFILES = {p.name: p for p in (BESTUUR, PUBLICATIE)}


def profile_for(role: str | None, *, published: bool = False) -> Profile | None:
    """The profile a viewer's output goes through. Published output always uses PUBLICATIE;
    `bestuur` views use BESTUUR; analysts and the beheerder see exact figures (None).
    An unknown role gets the strictest profile (fail closed; access.require refuses it
    earlier anyway)."""
    if published:
        return PUBLICATIE
    if role in ("analist", "beheerder"):
        return None
    if role == "bestuur":
        return BESTUUR
    return PUBLICATIE


def round_to(value: int, base: int) -> int:
    """Nearest multiple of `base` (ties cannot occur for odd bases; up for even)."""
    return int(base * ((2 * value + base) // (2 * base)))


def protect_total(value: int | None, profile: Profile | str | None) -> tuple[int | None, str]:
    """A city-level count as the profile publishes it: exact, or (publication) rounded to a
    multiple of `round_to` with 1 .. total_small-1 shown as "<5" (never as 0).
    Returns (value or None when not shown as a number, label)."""
    if isinstance(profile, str):
        profile = PROFILES[profile]
    if value is None:
        return None, "–"
    value = int(value)
    if profile is None or not profile.totals_rounded:
        return value, str(value)
    if 1 <= value < profile.total_small:
        return None, LABEL_SMALL
    shown = round_to(value, profile.round_to) if profile.round_to else value
    return shown, str(shown)


# --- the core on a matrix -------------------------------------------------------------------

@dataclass
class Cells:
    """A count matrix with its protection state. Column index `margin` (if any) is the row
    total; row index `total_row` (if any) is the column total, published rounded (profiles
    with `totals_rounded`): it is never hidden and never hidden for protection."""
    values: np.ndarray                       # int64, rows x cols (incl. row-total column)
    margin: int | None                       # index of the row-total column, or None
    profile: Profile
    total_row: int | None = None             # index of the column-total row, or None
    hidden: np.ndarray = field(init=False)   # bool
    primary: np.ndarray = field(init=False)  # bool
    relabel: np.ndarray = field(init=False)  # bool: a small cell shown as "x", not "<5"
    residual: list[tuple[int, int]] = field(default_factory=list)  # exposed, not fixable

    def __post_init__(self) -> None:
        v = self.values
        self.primary = (v >= 1) & (v < self.profile.threshold)
        if self.total_row is not None:
            self.primary[self.total_row, :] = False
        self.hidden = self.primary.copy()
        self.relabel = np.zeros_like(self.primary)

    # lines: every column (its sum over rows is known), every row when there is a margin
    def lines(self) -> list[list[tuple[int, int]]]:
        n, k = self.values.shape
        out = [[(i, j) for i in range(n)] for j in range(k)]
        if self.margin is not None:
            out += [[(i, j) for j in range(k)] for i in range(n)]
        return out

    def shown(self) -> np.ndarray:
        """Values as shown (rounded for publication); meaningful where not hidden."""
        if self.profile.round_to:
            base = self.profile.round_to
            return (base * ((2 * self.values + base) // (2 * base))).astype(np.int64)
        return self.values

    def sign(self, i: int, j: int) -> int:
        """+1 for an inner cell; -1 for a row total or a column total (+1 for the grand
        total, which is both): every known sum then reads "the signed cells add up to 0"."""
        s = -1 if j == self.margin else 1
        return -s if i == self.total_row else s

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """What the attacker knows about each cell (lower, upper; inf = unbounded)."""
        t = self.profile.threshold
        lo = np.zeros(self.values.shape, dtype=float)
        hi = np.full(self.values.shape, np.inf)
        vis = ~self.hidden
        if self.profile.round_to:
            half = self.profile.round_to // 2
            r = self.shown()
            lo[vis] = np.maximum(t, r[vis] - half)
            lo[vis & (self.values == 0)] = 0
            hi[vis] = r[vis] + half
            hi[vis & (self.values == 0)] = 0
            # published "x": [0, inf) — already the default
            if self.total_row is not None:       # the rounded city total ("<5": 1 .. 4)
                small = self.profile.total_small
                v, rr = self.values[self.total_row], r[self.total_row]
                lo[self.total_row] = np.where(v == 0, 0, np.where(v < small, 1, np.maximum(small, rr - half)))
                hi[self.total_row] = np.where(v == 0, 0, np.where(v < small, small - 1, rr + half))
        else:
            lo[vis] = hi[vis] = self.values[vis]
            small = self.hidden & (self.values < t) & ~self.relabel
            hi[small] = t - 1             # "<5"; an "x" tells nothing: [0, inf)
        return lo, hi


def _secondary_by_lines(cells: Cells) -> None:
    changed = True
    while changed:
        changed = False
        for line in cells.lines():
            hidden = [c for c in line if cells.hidden[c]]
            if len(hidden) == 1:
                if _hide_one(cells, [c for c in line if not cells.hidden[c]]):
                    changed = True


def _hide_one(cells: Cells, candidates: Iterable[tuple[int, int]]) -> bool:
    """Hide the smallest visible non-zero candidate (a zero only when there is none).
    Returns False when there is no candidate."""
    # A row total is never hidden for protection: it is shown elsewhere (e.g. on the map)
    # under the same profile, so it is hidden only when it is itself in the hidden range.
    # Nor is the city total (the column-total row): it is published in any case.
    cands = [c for c in candidates if not cells.hidden[c] and c[1] != cells.margin
             and c[0] != cells.total_row]
    if not cands:
        return False
    def key(c):
        v = int(cells.values[c])
        return (v == 0, v, c)
    best = min(cands, key=key)
    cells.hidden[best] = True
    return True


def exposed(cells: Cells) -> list[tuple[int, int]]:
    """Hidden cells whose value follows from what is visible: for an exact profile
    (bestuur) the cells pinned to one value; for a rounded profile (publication) the cells
    with fewer than `min_range` possible values (`_narrow`).

    The attacker's equations (column sums; with a margin, each row's cells summing to its
    row total) form a network: columns and rows are nodes, cells are edges. With y = x for an
    inner cell and y = -x for a row total, every change that keeps all known sums is a
    circulation of y. A cell can go up by one iff, without the cell itself, the residual graph
    has a path back from its column to its row (and down by one iff the other way), where
    every cell on the path has room within the attacker's bounds. Integer bounds and a
    network matrix make this exact: no path either way = the cell is pinned. Without a
    margin the rows carry no equation and are one free node.
    """
    if cells.profile.round_to:
        return _narrow(cells)
    lo, hi = cells.bounds()
    v = cells.values.astype(float)
    n, k = v.shape
    m = cells.margin

    def row_node(i: int) -> int:
        return i if m is not None else 0

    def col_node(j: int) -> int:
        return n + j

    up = v + 1 <= hi                     # x can increase by one
    down = v - 1 >= lo                   # x can decrease by one
    arcs: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i in range(n):
        for j in range(k):
            # y = x, or -x for a row total: y up <=> x up (inner) / x down (margin)
            y_up, y_down = (down[i, j], up[i, j]) if j == m else (up[i, j], down[i, j])
            r, c = row_node(i), col_node(j)
            arcs[(i, j)] = ([(r, c)] if y_up else []) + ([(c, r)] if y_down else [])

    graph: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for cell, cell_arcs in arcs.items():
        for a, b in cell_arcs:
            graph.setdefault(a, []).append((b, cell))

    def reachable(src: int, dst: int, skip: tuple[int, int]) -> bool:
        seen, stack = {src}, [src]
        while stack:
            node = stack.pop()
            if node == dst:
                return True
            for nxt, cell in graph.get(node, ()):
                if cell != skip and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    out = []
    for i in range(n):
        for j in range(k):
            if not cells.hidden[i, j]:
                continue
            r, c = row_node(i), col_node(j)
            y_up, y_down = (down[i, j], up[i, j]) if j == m else (up[i, j], down[i, j])
            can_up = y_up and reachable(c, r, (i, j))
            can_down = y_down and reachable(r, c, (i, j))
            if not (can_up or can_down):
                out.append((i, j))
    return out


def ranges(cells: Cells, limit: int | None = None) -> dict[tuple[int, int], tuple[int, int]]:
    """For every hidden cell: how far (down, up) its value can move while everything shown
    stays true — the attacker's interval around the true value, capped at `limit` each way
    (default: min_range - 1, enough to decide `_narrow`).

    The network of `exposed`, with capacities: y (= sign × x) of a cell can rise by its
    room in that direction within the bounds. Raising the cell's y by d is possible iff d
    units can flow back from its column node to its row node through the other cells — a
    maximum flow (augmenting paths, capacities capped at `limit`: a capped network carries
    min(true maximum, limit)). The feasible values of a cell form an integer interval (the
    constraint matrix is a network matrix), so down + up + 1 is its number of values."""
    limit = cells.profile.min_range - 1 if limit is None else limit
    lo, hi = cells.bounds()
    v = cells.values.astype(float)
    n, k = v.shape
    m = cells.margin

    def row_node(i: int) -> int:
        return i if m is not None else 0

    def col_node(j: int) -> int:
        return n + j

    caps: dict[tuple[int, int], tuple[int, int]] = {}
    for i in range(n):
        for j in range(k):
            more, less = hi[i, j] - v[i, j], v[i, j] - lo[i, j]
            if cells.sign(i, j) < 0:
                more, less = less, more
            caps[(i, j)] = (int(min(max(more, 0), limit)), int(min(max(less, 0), limit)))

    def max_flow(src: int, dst: int, skip: tuple[int, int], need: int) -> int:
        graph: dict[int, list[list[int]]] = {}

        def add(a: int, b: int, cap: int) -> None:
            if cap > 0:
                ea, eb = graph.setdefault(a, []), graph.setdefault(b, [])
                ea.append([b, cap, len(eb)])
                eb.append([a, 0, len(ea) - 1])

        for (i, j), (more, less) in caps.items():
            if (i, j) != skip:
                add(row_node(i), col_node(j), more)
                add(col_node(j), row_node(i), less)
        total = 0
        while total < need:
            prev: dict[int, tuple[int, int] | None] = {src: None}
            queue = [src]
            while queue and dst not in prev:
                a = queue.pop(0)
                for idx, (b, cap, _) in enumerate(graph.get(a, ())):
                    if cap > 0 and b not in prev:
                        prev[b] = (a, idx)
                        queue.append(b)
            if dst not in prev:
                break
            path, node = [], dst
            while prev[node] is not None:
                a, idx = prev[node]
                path.append((a, idx))
                node = a
            push = min(need - total, min(graph[a][idx][1] for a, idx in path))
            for a, idx in path:
                edge = graph[a][idx]
                edge[1] -= push
                graph[edge[0]][edge[2]][1] += push
            total += push
        return total

    out = {}
    for i in range(n):
        for j in range(k):
            if not cells.hidden[i, j]:
                continue
            r, c = row_node(i), col_node(j)
            more, less = caps[(i, j)]
            y_up = max_flow(c, r, (i, j), more)
            y_down = max_flow(r, c, (i, j), less)
            up, down = (y_up, y_down) if cells.sign(i, j) > 0 else (y_down, y_up)
            out[(i, j)] = (down, up)
    return out


def _narrow(cells: Cells) -> list[tuple[int, int]]:
    """Hidden cells known more precisely than a rounded cell: fewer than min_range values."""
    need = cells.profile.min_range
    return [cell for cell, (down, up) in ranges(cells, need - 1).items() if down + up + 1 < need]


def _inherent(cells: Cells) -> list[tuple[int, int]]:
    """Cells exposed even when every inner cell is hidden as "x" (only the totals known)."""
    everything = Cells(cells.values, cells.margin, cells.profile, cells.total_row)
    inner = np.ones_like(cells.hidden)
    if cells.margin is not None:
        inner[:, cells.margin] = False
    if cells.total_row is not None:
        inner[cells.total_row, :] = False
    everything.hidden = cells.hidden | inner
    everything.relabel = inner | cells.relabel   # totals shown as "x" stay "x"
    return exposed(everything)


def protect_matrix(values: np.ndarray, profile: Profile, margin: int | None = None,
                   total_row: int | None = None) -> Cells:
    """Primary and secondary suppression on a count matrix, audited until nothing is exposed.

    `total_row`: the row of column totals, when the table shows them. A profile that
    publishes its totals rounded (publication) always has one: without `total_row` the
    column sums are appended as the last row (the city total is published anyway), and the
    returned Cells include that row."""
    values = np.asarray(values, dtype=np.int64)
    if profile.totals_rounded and total_row is None:
        values = np.vstack([values, values.sum(axis=0, keepdims=True)])
        total_row = values.shape[0] - 1
    cells = Cells(values, margin, profile, total_row)
    if margin is not None:
        # The row totals are protected first, as their own one-column table (the way a map
        # of area totals shows them); which of them are hidden is then fixed.
        totals = protect_matrix(values[:, [margin]], profile, total_row=total_row)
        cells.hidden[:, margin] = totals.hidden[:, 0]
        cells.relabel[:, margin] = totals.relabel[:, 0]   # shown as "x" there: no "<5" bound here
    if not profile.round_to:
        # Exact totals: a line with one hidden cell gives it away. With rounded totals it
        # does not by itself; the audit below decides (publication hides only what it must).
        _secondary_by_lines(cells)
    # Cells that the totals alone give away (e.g. the only area with any cases holds the
    # city's single case) are given away with or without this table: no suppression in it
    # can help, so the audit leaves them out.
    inherent = set(_inherent(cells))
    for _ in range(cells.values.size + 1):
        bad = [c for c in exposed(cells) if c not in inherent]
        if not bad:
            break
        progress = False
        touched: set[tuple[str, int]] = set()
        for (i, j) in bad:
            if ("r", i) in touched or ("c", j) in touched:
                continue     # a cell hidden this round already shares its line
            cand = [(i, jj) for jj in range(cells.values.shape[1]) if jj != j]
            cand += [(ii, j) for ii in range(cells.values.shape[0]) if ii != i]
            before = cells.hidden.copy()
            if _hide_one(cells, cand):
                progress = True
                (ni, nj), = zip(*np.nonzero(cells.hidden & ~before))
                touched |= {("r", int(ni)), ("c", int(nj))}
        if not progress:
            # Nothing left to hide in those lines: the "<5" label itself gives it away
            # (e.g. "<5" + "<5" = 8). Show the small cells of those lines as "x" instead.
            more = np.zeros_like(cells.hidden)
            for (i, j) in bad:
                more[i, :] |= cells.hidden[i, :]
                more[:, j] |= cells.hidden[:, j]
            more &= cells.hidden & (cells.values < profile.threshold) & ~cells.relabel
            if not more.any() or profile.round_to:
                cells.residual = bad
                break
            cells.relabel |= more
            continue
        if not profile.round_to:
            _secondary_by_lines(cells)
    return cells


# --- frames -------------------------------------------------------------------------------

def protect(frame: pl.DataFrame, profile: Profile | str | None, count_cols: Sequence[str], *,
            area_col: str, level: str, total_area: str | None = None,
            rows_additive: bool | None = None,
            rates: dict[str, tuple[str, str, float]] | None = None,
            changes: dict[str, tuple[str, str, str]] | None = None,
            labels: bool = True) -> pl.DataFrame:
    """Apply a profile to a table of counts per area.

    frame        one row per area (`area_col`), plus optionally the city row (`total_area`)
    count_cols   the count columns; hidden cells become null (Int64)
    level        "stad", "wijk", "buurt" or "gebied" (publication refuses buurt/gebied)
    rows_additive  the attacker knows each row's sum (default: when >1 count column)
    rates        {col: (count_col, denominator_col, factor)}: recomputed from the protected
                 count, null when the count is hidden (or the denominator is null/0)
    changes      {col: (current_col, previous_col, "abs"|"pct")}: recomputed from protected
                 counts, null when either is hidden
    labels       add "<col>_weergave" String columns: "12", "<5" or "x"

    Publication (`totals_rounded`): the total row (or, at level "stad", every row) is
    rounded as well, 1–4 shown as "<5"; the total row must be the sum of the other rows
    (add the records without a known location as a row of their own).

    Returns a new frame in the same row order. Analysts (profile None) get the frame with
    only the derived columns recomputed and the labels added.
    """
    if isinstance(profile, str):
        profile = PROFILES[profile]
    if level not in LEVELS:
        raise ValueError(f"onbekend niveau: {level}")
    if profile is not None and not profile.allows(level):
        raise NotPublishable(f"{profile.name}: niet op {level}niveau")
    count_cols = list(count_cols)
    missing = [c for c in count_cols if c not in frame.columns]
    if missing:
        raise KeyError(f"kolommen ontbreken: {missing}")
    counts = frame.select([pl.col(c).cast(pl.Int64).fill_null(0) for c in count_cols])
    if (counts.to_numpy() < 0).any() if frame.height else False:
        raise ValueError("tellingen kunnen niet negatief zijn")
    if total_area is not None and frame.height:
        total_mask = (frame[area_col].cast(pl.String) == total_area).fill_null(False).to_numpy()
    else:
        total_mask = np.zeros(frame.height, dtype=bool)

    n = frame.height
    k = len(count_cols)
    hidden = np.zeros((n, k), dtype=bool)
    primary = np.zeros_like(hidden)
    relabel = np.zeros_like(hidden)
    city_small = np.zeros_like(hidden)     # a rounded city count 1..4: shown as "<5"
    exact = counts.to_numpy().astype(np.int64) if n else np.zeros((0, k), np.int64)
    shown = exact.copy()
    if profile is not None and level != "stad" and n:
        body = ~total_mask
        values = exact[body]
        nb = values.shape[0]
        total_row = None
        if profile.totals_rounded:
            # The city total is published too, rounded: it is a cell of the table, known to
            # the attacker within its rounding interval, not exactly.
            sums = values.sum(axis=0)
            if total_mask.any() and (exact[total_mask] != sums).any():
                raise ValueError("het totaal is niet de som van de rijen: voeg de registraties "
                                 "zonder bekende locatie als eigen rij toe")
            values = np.vstack([values, sums[None, :]])
            total_row = nb
        additive = (k > 1) if rows_additive is None else rows_additive
        margin = None
        if additive and k > 1:
            values = np.hstack([values, values.sum(axis=1, keepdims=True)])
            margin = values.shape[1] - 1
        cells = protect_matrix(values, profile, margin, total_row)
        hidden[body] = cells.hidden[:nb, :k]
        primary[body] = cells.primary[:nb, :k]
        relabel[body] = cells.relabel[:nb, :k]
        shown[body] = cells.shown()[:nb, :k]
    if profile is not None and profile.totals_rounded and n:
        # City-level counts (the whole frame at level "stad", else the total row): rounded.
        for i in np.nonzero(np.ones(n, dtype=bool) if level == "stad" else total_mask)[0]:
            for j in range(k):
                value, _ = protect_total(int(exact[i, j]), profile)
                if value is None:
                    hidden[i, j] = city_small[i, j] = True
                else:
                    shown[i, j] = value

    out = frame.with_columns([
        pl.Series(c, [None if hidden[i, j] else int(shown[i, j]) for i in range(n)], dtype=pl.Int64)
        for j, c in enumerate(count_cols)])
    exprs = []
    for col, (count_col, denom_col, factor) in (rates or {}).items():
        exprs.append(pl.when(pl.col(denom_col).cast(pl.Float64) > 0)
                     .then(pl.col(count_col).cast(pl.Float64) * factor / pl.col(denom_col).cast(pl.Float64))
                     .otherwise(None).alias(col))
    for col, (cur, prev, kind) in (changes or {}).items():
        if kind == "abs":
            exprs.append((pl.col(cur) - pl.col(prev)).alias(col))
        elif kind == "pct":
            exprs.append(pl.when(pl.col(prev) > 0)
                         .then((pl.col(cur) - pl.col(prev)).cast(pl.Float64) * 100.0 / pl.col(prev))
                         .otherwise(None).alias(col))
        else:
            raise ValueError(f"onbekende soort verandering: {kind}")
    if exprs:
        out = out.with_columns(exprs)
    if labels:
        small = profile.small_label if profile else LABEL_SMALL
        secret = profile.secret_label if profile else LABEL_SECRET
        out = out.with_columns([
            pl.Series(c + LABEL_SUFFIX,
                      [LABEL_SMALL if city_small[i, j]
                       else (small if (primary[i, j] or shown[i, j] == 0) and not relabel[i, j] else secret)
                       if hidden[i, j]
                       else f"{int(shown[i, j])}" for i in range(n)], dtype=pl.String)
            for j, c in enumerate(count_cols)])
    return out


def _is_count(measure) -> bool:
    """A measure whose value is a number of records or people (rounded like a count)."""
    return bool(getattr(measure, "telling", False)) or measure.eenheid in ("aantal", "deelnemers")


def publish_figures(values: dict, measures, profile: Profile | str = "publicatie") -> dict:
    """City-level figures of the measure registry as published (the factsheet's indicator
    values): counts (and participants) rounded to 5, 1–4 as "<5"; amounts rounded to
    `amount_round` (€ 1.000; a positive amount below half of it as "< € 1.000"); shares and
    means as computed from the exact counts, but "x" when a count they follow (`volgt`) is
    not shown as a number. None (no data) stays None. `measures`: objects with code,
    eenheid, telling and volgt (dijkwacht.measures.Measure)."""
    if isinstance(profile, str):
        profile = PROFILES[profile]
    out: dict = {}
    for m in measures:
        v = values.get(m.code)
        if v is None:
            out[m.code] = None
        elif _is_count(m):
            shown, label = protect_total(int(round(float(v))), profile)
            out[m.code] = label if shown is None else shown
        elif m.eenheid == "euro" and profile.amount_round:
            base = profile.amount_round
            if 0 < float(v) < base / 2:
                out[m.code] = f"< € {base:,}".replace(",", ".")
            else:
                out[m.code] = int(base * math.floor(float(v) / base + 0.5))
        else:
            out[m.code] = v
    for m in measures:      # a derived figure follows the counts it is made of
        if out.get(m.code) is not None and any(isinstance(out.get(c), str) for c in m.volgt):
            out[m.code] = profile.secret_label
    return out
