"""Disclosure control (DESIGN §6): property tests over random count tables.

The attacker in these tests works only from the *output* frame (what a widget or download
would show) plus the assumptions documented in dijkwacht/privacy.py: the city totals per
column (exact for bestuur; for publication the rounded city row of the same output, known
within ±2) and, with several count columns, each area's total as shown elsewhere under the
same profile. The audit below is written independently of the module's own audit (a linear
programme over everything shown, not the module's network flows).
"""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from layers import examples
from scipy.optimize import linprog

from dijkwacht import privacy
from dijkwacht.privacy import BESTUUR, LABEL_SUFFIX, PUBLICATIE

CITY = "GM0505"
SETTINGS = settings(max_examples=examples(300), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

small_or_any = st.one_of(st.integers(0, 5), st.integers(0, 12), st.integers(0, 40))


@st.composite
def tables(draw, max_rows=8, max_cols=4):
    n = draw(st.integers(2, max_rows))
    k = draw(st.integers(1, max_cols))
    cols = [f"c{j}" for j in range(k)]
    values = [[draw(small_or_any) for _ in range(k)] for _ in range(n)]
    areas = [f"WK0505{i:02d}" for i in range(n)]
    frame = pl.DataFrame({"wijk": areas, **{c: [row[j] for row in values] for j, c in enumerate(cols)}})
    total = pl.DataFrame({"wijk": [CITY], **{c: [sum(r[j] for r in values)] for j, c in enumerate(cols)}})
    return pl.concat([frame, total]), cols


def _run(frame, cols, profile, **kw):
    return privacy.protect(frame, profile, cols, area_col="wijk", level="wijk", total_area=CITY, **kw)


def _body(out):
    return out.filter(pl.col("wijk") != CITY)


def _truth_body(frame):
    return frame.filter(pl.col("wijk") != CITY)


def total_bounds(value, label):
    """What a published city count tells: rounded to 5 (±2, at least 5), "<5" = 1..4, 0 exact."""
    if value is None:
        assert label == "<5"
        return 1, 4
    if value == 0:
        return 0, 0
    return max(5, value - 2), value + 2


# --- the properties of the issue --------------------------------------------------------------

@SETTINGS
@given(tables(), st.sampled_from([BESTUUR, PUBLICATIE]))
def test_no_visible_cell_in_the_hidden_range(table, profile):
    frame, cols = table
    out = _body(_run(frame, cols, profile))
    for c in cols:
        visible = out[c].drop_nulls().to_list()
        assert not [v for v in visible if 1 <= v < profile.threshold], (c, visible)


@SETTINGS
@given(tables())
def test_every_published_count_is_a_multiple_of_five_city_totals_included(table):
    frame, cols = table
    out = _run(frame, cols, PUBLICATIE)
    city, truth = out.filter(pl.col("wijk") == CITY), frame.filter(pl.col("wijk") == CITY)
    for c in cols:
        assert all(v % 5 == 0 for v in _body(out)[c].drop_nulls())
        assert set(_body(out).filter(pl.col(c).is_null())[c + LABEL_SUFFIX]) <= {"x"}
        # the city total is rounded as well (CBS practice); 1–4 as "<5", never as 0
        exact, shown = truth[c].item(), city[c].item()
        if 1 <= exact <= 4:
            assert shown is None and city[c + LABEL_SUFFIX].item() == "<5"
        else:
            assert shown == privacy.round_to(exact, 5) and city[c + LABEL_SUFFIX].item() == str(shown)


@SETTINGS
@given(tables(), st.sampled_from([BESTUUR, PUBLICATIE]))
def test_no_hidden_cell_follows_from_a_total_by_subtraction(table, profile):
    """Bestuur: a visible exact total minus the visible cells of its line never leaves one
    hidden cell. Publication: the rounded total minus the rounded visible cells leaves a lone
    hidden cell at least five values of room (as uncertain as a rounded cell)."""
    frame, cols = table
    full = _run(frame, cols, profile)
    out, city = _body(full), full.filter(pl.col("wijk") == CITY)
    truth = _truth_body(frame)
    hidden = np.column_stack([out[c].is_null().to_numpy() for c in cols])
    for j, c in enumerate(cols):
        if hidden[:, j].sum() != 1:
            continue
        assert profile.round_to, (c, out)            # bestuur: never one hidden cell in a column
        if len(cols) > 1:
            continue      # with row totals known elsewhere: the LP test below has the full model
        t_lo, t_hi = total_bounds(city[c].item(), city[c + LABEL_SUFFIX].item())
        vis = [v for v in out[c].to_list() if v is not None]
        v_lo = sum(0 if v == 0 else max(10, v - 2) for v in vis)
        v_hi = sum(0 if v == 0 else v + 2 for v in vis)
        lo, hi = max(0, t_lo - v_hi), t_hi - v_lo
        # at least five values, or as many as the total alone leaves (a total of 0: every cell 0)
        assert hi - lo + 1 >= min(5, t_hi + 1), (c, lo, hi, out)
    if len(cols) > 1 and not profile.round_to:       # row: an area's total as shown elsewhere
        totals, _, _ = area_totals(truth.select(cols).to_numpy(), profile)
        for i, s in enumerate(totals):
            if s is not None:
                assert hidden[i].sum() != 1, (i, out)


def attacker_bounds(out, frame, cols, profile):
    """What the output tells: (lo, hi) per body cell, from values and labels only."""
    t = profile.threshold
    n, k = out.height, len(cols)
    lo = np.zeros((n, k))
    hi = np.full((n, k), np.inf)
    for j, c in enumerate(cols):
        for i, (v, label) in enumerate(zip(out[c], out[c + LABEL_SUFFIX])):
            if v is not None:
                if profile.round_to and v > 0:
                    lo[i, j], hi[i, j] = max(t, v - 2), v + 2
                else:
                    lo[i, j] = hi[i, j] = v
            elif label == "<5":
                hi[i, j] = 4
            # "x": hidden, nothing more: [0, inf)
    return lo, hi


def area_totals(truth, profile):
    """Each area's total as another view (the map) shows it: the one-column table, with the
    city total (publication: rounded) as its total row."""
    sums = truth.sum(axis=1)
    frame = pl.DataFrame({"wijk": [f"W{i}" for i in range(len(sums))] + [CITY],
                          "n": sums.tolist() + [int(sums.sum())]})
    shown = privacy.protect(frame, profile, ["n"], area_col="wijk", level="wijk", total_area=CITY)
    body = shown.filter(pl.col("wijk") != CITY)
    city = shown.filter(pl.col("wijk") == CITY)
    return body["n"].to_list(), body["n_weergave"].to_list(), (city["n"].item(), city["n_weergave"].item())


def cell_ranges(lo, hi, hidden, col_bounds, row_bounds, grand_bounds=None):
    """(min, max) of every hidden cell under the attacker's knowledge: cell bounds, each
    column summing to its total (within `col_bounds`), each row to its row total
    (`row_bounds`, when rows are additive) and the row totals to the grand total."""
    n, k = lo.shape
    nr = n if row_bounds is not None else 0
    nv = n * k + k + nr + (1 if row_bounds is not None else 0)
    bounds = [(lo[i, j], None if np.isinf(hi[i, j]) else hi[i, j]) for i in range(n) for j in range(k)]
    bounds += list(col_bounds)
    A = []
    for j in range(k):                       # Σ_i x_ij − T_j = 0
        a = np.zeros(nv)
        a[[i * k + j for i in range(n)]] = 1
        a[n * k + j] = -1
        A.append(a)
    if row_bounds is not None:
        bounds += list(row_bounds) + [grand_bounds]
        for i in range(n):                   # Σ_j x_ij − R_i = 0
            a = np.zeros(nv)
            a[i * k:(i + 1) * k] = 1
            a[n * k + k + i] = -1
            A.append(a)
        a = np.zeros(nv)                     # Σ_i R_i − G = 0 and Σ_j T_j − G = 0
        a[n * k + k:n * k + k + n] = 1
        a[-1] = -1
        A.append(a)
        a = np.zeros(nv)
        a[n * k:n * k + k] = 1
        a[-1] = -1
        A.append(a)
    out = {}
    for i in range(n):
        for j in range(k):
            if not hidden[i, j]:
                continue
            obj = np.zeros(nv)
            obj[i * k + j] = 1
            lo_r = linprog(obj, A_eq=np.array(A), b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
            hi_r = linprog(-obj, A_eq=np.array(A), b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
            assert lo_r.status in (0, 3) and hi_r.status in (0, 3), "infeasible: model mismatch"
            out[(i, j)] = (lo_r.fun if lo_r.status == 0 else -np.inf,
                           -hi_r.fun if hi_r.status == 0 else np.inf)
    return out


def _exact(v):
    return (v, v)


@pytest.mark.slow    # 300 LPs: ~25 s
@SETTINGS
@given(tables(max_rows=6, max_cols=3), st.sampled_from([BESTUUR, PUBLICATIE]))
def test_no_hidden_cell_can_be_narrowed_down_by_the_attacker_lp(table, profile):
    """Stronger than subtraction: all line equations at once, with the bounds the labels give.
    Bestuur (exact totals): no hidden cell is pinned to one value. Publication (every total
    rounded): no hidden cell has fewer than five possible values — it stays as uncertain as
    a rounded cell. Either way beyond what the published totals already give away."""
    frame, cols = table
    full = _run(frame, cols, profile)
    out, city = _body(full), full.filter(pl.col("wijk") == CITY)
    truth = _truth_body(frame).select(cols).to_numpy()
    lo, hi = attacker_bounds(out, frame, cols, profile)
    hidden = np.column_stack([out[c].is_null().to_numpy() for c in cols])
    if profile.round_to:
        col_bounds = [total_bounds(city[c].item(), city[c + LABEL_SUFFIX].item()) for c in cols]
    else:
        col_bounds = [_exact(int(s)) for s in truth.sum(axis=0)]
    row_bounds = grand = None
    if len(cols) > 1:
        row_bounds = []
        shown_rows, labels, (g, g_label) = area_totals(truth, profile)
        for shown, label in zip(shown_rows, labels):
            if shown is None:
                row_bounds.append((0, 4 if label == "<5" else None))
            elif profile.round_to and shown > 0:
                row_bounds.append((max(profile.threshold, shown - 2), shown + 2))
            else:
                row_bounds.append((shown, shown))
        grand = total_bounds(g, g_label) if profile.round_to else _exact(int(truth.sum()))
    need = profile.min_range

    def narrow(ranges):
        return {c for c, (a, b) in ranges.items() if b - a + 1 < need}

    found = narrow(cell_ranges(lo, hi, hidden, col_bounds, row_bounds, grand))
    # What the totals alone give away (the table withheld entirely) is not the table's doing:
    # e.g. the city's single case of a kind in the only area with any cases at all.
    everything = np.ones_like(hidden)
    baseline = narrow(cell_ranges(np.zeros_like(lo), np.full_like(hi, np.inf), everything,
                                  col_bounds, row_bounds, grand))
    assert found <= baseline, (found, baseline, out)


def test_module_ranges_agree_with_the_lp():
    """privacy.ranges (network flows) against the LP on a fixed published table."""
    values = np.array([[29], [20], [21], [15], [17], [6], [13], [7], [33], [19], [21], [8], [2], [5]])
    cells = privacy.protect_matrix(values, PUBLICATIE)
    assert cells.total_row == len(values)            # the city total joined the table, rounded
    hidden = cells.hidden[:-1]
    assert hidden[:, 0].tolist() == [bool(1 <= v < 10) for v in values[:, 0]]   # primary only
    lo, hi = cells.bounds()
    lp = cell_ranges(lo[:-1], hi[:-1], hidden, [(lo[-1, 0], hi[-1, 0])], None)
    flows = privacy.ranges(cells, limit=1000)
    for (i, j), (a, b) in lp.items():
        down, up = flows[(i, j)]
        assert (values[i, j] - down, values[i, j] + up) == (a, min(b, values[i, j] + 1000))


def test_a_hidden_cell_narrower_than_a_rounded_cell_gets_a_partner():
    """Total 12 (shown 10: 8–12), one wijk 11 (shown 10: 10–12), one wijk 1: the lone "x" would
    be 0, 1 or 2 — known better than a rounded cell. The audit hides the 11 as well."""
    frame = pl.DataFrame({"wijk": ["A", "B", "C", CITY], "n": [11, 1, 0, 12]})
    out = privacy.protect(frame, PUBLICATIE, ["n"], area_col="wijk", level="wijk", total_area=CITY)
    assert out["n_weergave"].to_list() == ["x", "x", "0", "10"]
    # while a lone hidden cell in a long column of rounded cells is not narrowed down: the
    # rounded total leaves it room, so no cell of 10 or more is hidden for it
    frame = pl.DataFrame({"wijk": [f"W{i}" for i in range(6)] + [CITY],
                          "n": [29, 20, 21, 15, 7, 33, 125]})
    out = privacy.protect(frame, PUBLICATIE, ["n"], area_col="wijk", level="wijk", total_area=CITY)
    assert out["n_weergave"].to_list() == ["30", "20", "20", "15", "x", "35", "125"]


def test_the_total_row_must_add_up_under_publication():
    frame = pl.DataFrame({"wijk": ["A", "B", CITY], "n": [20, 30, 60]})
    with pytest.raises(ValueError, match="niet de som"):
        privacy.protect(frame, PUBLICATIE, ["n"], area_col="wijk", level="wijk", total_area=CITY)


# --- derived figures and levels ------------------------------------------------------------

@SETTINGS
@given(tables(max_cols=2), st.sampled_from([BESTUUR, PUBLICATIE]))
def test_rates_and_changes_follow_their_counts(table, profile):
    frame, cols = table
    # "vorig": the body's counts in reverse order, the city row still their sum
    body = frame.filter(pl.col("wijk") != CITY)
    previous = body[cols[0]].reverse().to_list()
    frame = frame.with_columns(inwoners=pl.lit(2000),
                               vorig=pl.Series(previous + [sum(previous)], dtype=pl.Int64))
    out = privacy.protect(frame, profile, [cols[0], "vorig"], area_col="wijk", level="wijk",
                          total_area=CITY, rates={"per_1000": (cols[0], "inwoners", 1000)},
                          changes={"verschil": (cols[0], "vorig", "abs")})
    for row in out.iter_rows(named=True):
        if row[cols[0]] is None:
            assert row["per_1000"] is None
        else:   # computed from the count as shown (rounded for publication)
            assert row["per_1000"] == pytest.approx(row[cols[0]] * 1000 / 2000)
        if row[cols[0]] is None or row["vorig"] is None:
            assert row["verschil"] is None
        else:
            assert row["verschil"] == row[cols[0]] - row["vorig"]


def test_publication_refuses_buurt_and_focus_areas():
    frame = pl.DataFrame({"buurt": ["BU1", "BU2"], "n": [20, 30]})
    for level in ("buurt", "gebied"):
        with pytest.raises(privacy.NotPublishable):
            privacy.protect(frame, PUBLICATIE, ["n"], area_col="buurt", level=level)
    # the bestuur profile accepts them (with suppression)
    assert privacy.protect(frame, BESTUUR, ["n"], area_col="buurt", level="buurt")["n"].to_list() == [20, 30]


def test_worked_example_bestuur():
    frame = pl.DataFrame({"wijk": ["A", "B", "C", CITY], "n": [3, 12, 7, 22]})
    out = privacy.protect(frame, "bestuur", ["n"], area_col="wijk", level="wijk", total_area=CITY)
    assert out["n_weergave"].to_list() == ["<5", "12", "x", "22"]
    assert out["n"].to_list() == [None, 12, None, 22]


def test_city_level_and_analysts_are_exact():
    frame = pl.DataFrame({"wijk": ["A", "B"], "n": [3, 12]})
    assert privacy.protect(frame, "bestuur", ["n"], area_col="wijk", level="stad")["n"].to_list() == [3, 12]
    assert privacy.protect(frame, None, ["n"], area_col="wijk", level="wijk")["n"].to_list() == [3, 12]
    assert privacy.profile_for("analist") is None and privacy.profile_for("beheerder") is None
    assert privacy.profile_for("bestuur") is BESTUUR
    assert privacy.profile_for("analist", published=True) is PUBLICATIE
    assert privacy.profile_for("onbekend") is PUBLICATIE       # fail closed


def test_published_city_figures_follow_the_publication_profile():
    """Counts rounded to 5 ("<5" for 1–4), amounts to € 1.000, shares and means exact but
    hidden when a count they follow is not shown; no data stays None."""
    from dijkwacht.measures import MEASURES
    values = {m.code: None for m in MEASURES}
    values.update({"hennep_ontmanteld": 3, "hennep_planten_gemiddeld": 212.0,
                   "transacties_aantal": 103, "transacties_bedrag": 697400.79,
                   "signalen_aantal": 216, "signalen_terugkoppeling_pct": 75.0,
                   "dwangsommen_met_bedrag": 15, "dwangsommen_bedrag": 320000.0,
                   "bibob_geweigerd": 0, "activiteiten_aantal": 24, "activiteiten_deelnemers": 1269.0,
                   "controles_aantal": 2, "controles_bevindingen_pct": 50.0, "dwangsommen_aantal": 18})
    out = privacy.publish_figures(values, MEASURES)
    assert out["transacties_aantal"] == 105 and out["signalen_aantal"] == 215
    assert out["dwangsommen_aantal"] == 20 and out["activiteiten_aantal"] == 25
    assert out["hennep_ontmanteld"] == "<5" and out["hennep_planten_gemiddeld"] == "x"
    assert out["controles_aantal"] == "<5" and out["controles_bevindingen_pct"] == "x"
    assert out["transacties_bedrag"] == 697000 and out["dwangsommen_bedrag"] == 320000
    assert out["signalen_terugkoppeling_pct"] == 75.0 and out["activiteiten_deelnemers"] == 1270
    assert out["bibob_geweigerd"] == 0 and out["sluitingen"] is None
    # an amount below € 500 is not rounded to € 0
    assert privacy.publish_figures({"transacties_aantal": 7, "transacties_bedrag": 120.0},
                                   MEASURES)["transacties_bedrag"] == "< € 1.000"
