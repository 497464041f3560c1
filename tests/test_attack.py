"""Playing the mayor: everything the `bestuur` role can request, collected through the data
layer the pages use, searched for hidden cells that subtraction pins exactly.

The attacker's knowledge: every figure shown as a number, on the Briefing tiles (city, every
wijk, every focus area), the map (every buurt and every wijk, counts and the 2020 base of the
rates) and the trends (quarters and years per area), for every complete quarter and year of
the demo and the last twelve months. Unknowns are the counts per layer × buurt (or location
unknown) × quarter; a hidden figure is pinned when its sum lies in the row space of the
figures shown. The check is linear algebra, written here apart from dijkwacht/lattice.py
and fed only with what the pages receive.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dijkwacht import access, figures, measures
from dijkwacht.app import data
from dijkwacht.filters import Period

# Collects everything the mayor can ask for (~20 s): the full layer, not the working loop.
pytestmark = pytest.mark.slow

LAYERS = tuple(measures.LAYERS)
HEADLINE_LAYER = {m.code: m.maat for m in measures.MEASURES
                  if m.soort == measures.TELLING and m.maat in measures.LAYERS}


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def next_quarter(q: date) -> date:
    return date(q.year + (q.month == 10), 1 if q.month == 10 else q.month + 3, 1)


def quarters_in(period: Period) -> list[date]:
    out, q = [], period.van
    while q < period.tot:
        out.append(q)
        q = next_quarter(q)
    return out


class Observations:
    """Figures the mayor saw: (layer, buurt atoms, quarters) → number or hidden mark."""

    def __init__(self, atoms: list[str]):
        self.atoms = {a: i for i, a in enumerate(atoms)}
        self.rows: list[tuple[str, frozenset, frozenset, object]] = []

    def add(self, layer: str, atoms, period: Period, shown) -> None:
        cells = frozenset(self.atoms[a] for a in atoms)
        self.rows.append((layer, cells, frozenset(quarters_in(period)), shown))


def pinned(obs: Observations, layer: str) -> list[tuple]:
    rows = [r for r in obs.rows if r[0] == layer]
    quarters = sorted({q for r in rows for q in r[2]})
    q_index = {q: i for i, q in enumerate(quarters)}
    n_q = len(quarters)

    def vector(r) -> np.ndarray:
        return np.array(sorted(a * n_q + q_index[q] for a in r[1] for q in r[2]), dtype=np.int64)

    visible = [r for r in rows if isinstance(r[3], (int, np.integer))]
    hidden = [r for r in rows if not isinstance(r[3], (int, np.integer))]
    known = {int(vector(r)[0]) for r in visible if len(r[1]) * len(r[2]) == 1}
    n = len(obs.atoms) * n_q
    unknown = np.setdiff1d(np.arange(n), np.fromiter(known, dtype=np.int64, count=len(known)))
    col = -np.ones(n, dtype=np.int64)
    col[unknown] = np.arange(len(unknown))

    def restricted(r):
        ids = col[vector(r)]
        return ids[ids >= 0]

    eqs = [ids for ids in map(restricted, visible) if len(ids)]
    if not eqs:
        return [r for r in hidden if len(restricted(r)) == 0]
    indptr = np.cumsum([0] + [len(e) for e in eqs])
    m = sparse.csr_matrix((np.ones(indptr[-1]), np.concatenate(eqs), indptr), shape=(len(eqs), len(unknown)))
    gram = (m.T @ m).tocsr()
    _, comp = connected_components(gram, directed=False)
    bases, out = {}, []
    for r in hidden:
        ids = restricted(r)
        ok = True
        for c in np.unique(comp[ids]):
            if c not in bases:
                members = np.flatnonzero(comp == c)
                w, v = np.linalg.eigh(gram[members][:, members].toarray())
                bases[c] = (members, v[:, w > 1e-9 * max(1.0, w.max(initial=0.0))])
            members, basis = bases[c]
            h = np.isin(members, ids).astype(float)
            if np.abs(h - basis @ (basis.T @ h)).max() > 1e-6:
                ok = False
                break
        if ok:
            out.append(r)
    return out


@pytest.fixture(scope="module")
def seen(demo_db):
    with pytest.MonkeyPatch.context() as mp:      # the app's database for this module only
        mp.setenv("DIJKWACHT_DB", str(demo_db))
        mp.setenv("DIJKWACHT_STATE", str(demo_db.with_name("state.sqlite")))
        yield observe()


def observe() -> Observations:
    role = "bestuur"
    stand_per = data.meta(role)["stand_per"]
    options = data.area_options(role)
    buurten = options.filter(pl.col("soort") == "buurt")["code"].to_list()
    obs = Observations([*buurten, "onbekend"])
    wijk_atoms = {w: list(data.area_buurten(role, f"wijk:{w}")) for w in
                  options.filter(pl.col("soort") == "wijk")["code"].to_list()}
    focus = {f: list(data.area_buurten(role, f"focus:{f}"))
             for f in options.filter(pl.col("soort") == "focus")["code"].to_list()}
    from dijkwacht import queries
    in_2020 = set(queries.served().query("lattice_buurten").filter(pl.col("in_2020"))["buurtcode"].to_list())

    last_q = quarter_start(stand_per + timedelta(days=1))     # the last complete quarter ends here
    periods = [Period(q, next_quarter(q)) for q in quarters_in(Period(date(2012, 1, 1), last_q))]
    periods += [Period(date(y, 1, 1), date(y + 1, 1, 1)) for y in range(2012, last_q.year)]
    window = Period(date(last_q.year - 1, last_q.month, 1), last_q)
    periods += [window, window.previous()]

    for period in periods:
        everything = [*buurten, "onbekend"]
        city = data.indicator_values(role, period.van, period.tot, "stad")
        for code, layer in HEADLINE_LAYER.items():
            obs.add(layer, everything, period, city[code])
        for niveau in ("buurt", "wijk"):
            frame = data.map_frame(role, period, niveau)
            for r in frame.iter_rows(named=True):
                shown = r["aantal"] if r["aantal"] is not None else r["weergave"]
                if r["code"] == "onbekend":
                    obs.add(r["laag"], ["onbekend"], period, shown)
                elif niveau == "buurt":
                    obs.add(r["laag"], [r["code"]], period, shown)
                else:
                    obs.add(r["laag"], wijk_atoms[r["code"]], period, shown)
                    part = [b for b in wijk_atoms[r["code"]] if b in in_2020]
                    if r["aantal"] is not None and len(part) < len(wijk_atoms[r["code"]]):
                        obs.add(r["laag"], part, period, r["aantal_2020"])
        for name, atoms in focus.items():
            tiles = data.indicator_values(role, period.van, period.tot, f"focus:{name}")
            for code, layer in HEADLINE_LAYER.items():
                obs.add(layer, atoms, period, tiles[code])
    # Trends per quarter and year for two wijken and a focus area (the same cells again,
    # through the trends' own code path).
    for gebied in ("wijk:WK050501", "wijk:WK050503", "focus:Krispijn"):
        atoms = data.area_buurten(role, gebied)
        for korrel in ("kwartaal", "jaar"):
            series = data.series(role, stand_per, gebied, None, korrel)
            for r in series.iter_rows(named=True):
                end = figures._next(r["periode"], korrel)
                obs.add(r["bron"], atoms, Period(r["periode"], end),
                        r["aantal"] if r["aantal"] is not None else r["weergave"])
    return obs


def test_the_mayor_cannot_pin_a_hidden_cell_by_subtraction(seen):
    hidden = sum(1 for r in seen.rows if not isinstance(r[3], (int, np.integer)))
    assert hidden > 500                 # there is something to attack
    found = {layer: pinned(seen, layer) for layer in LAYERS}
    assert {k: len(v) for k, v in found.items() if v} == {}


def test_a_hidden_figure_is_never_shown_as_a_number_elsewhere(seen):
    """The same cell (layer, area, period) has one face on every page."""
    faces: dict = {}
    for layer, atoms, quarters, shown in seen.rows:
        faces.setdefault((layer, atoms, quarters), set()).add(
            shown if isinstance(shown, (int, np.integer)) else "hidden")
    mixed = {k: v for k, v in faces.items() if len(v) > 1}
    assert mixed == {}


def test_no_day_level_periods_below_the_city_for_the_mayor(served_demo):
    with pytest.raises(figures.NotForRole):
        data.indicator_values("bestuur", date(2025, 3, 1), date(2025, 3, 15), "wijk:WK050501")
    with pytest.raises(figures.NotForRole):
        data.series("bestuur", date(2025, 12, 31), "wijk:WK050501", None, "maand")
    # The city stays exact for every period.
    assert isinstance(data.indicator_values("bestuur", date(2025, 3, 1), date(2025, 3, 15))["signalen_aantal"], int)
    assert access.may("analist", "detail")
