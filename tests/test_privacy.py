"""Disclosure control (DESIGN §6): property tests over random count tables.

The attacker in these tests works only from the *output* frame (what a widget or download
would show) plus the assumptions documented in dijkwacht/privacy.py: exact city totals per
column and, with several count columns, each area's total as shown elsewhere under the same
profile. The audit below is written independently of the module's own audit.
"""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from dijkwacht import privacy
from dijkwacht.privacy import BESTUUR, PUBLICATIE, LABEL_SUFFIX

CITY = "GM0505"
SETTINGS = settings(max_examples=300, deadline=None,
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


def _run(frame, cols, profile):
    return privacy.protect(frame, profile, cols, area_col="wijk", level="wijk", total_area=CITY)


def _body(out):
    return out.filter(pl.col("wijk") != CITY)


def _truth_body(frame):
    return frame.filter(pl.col("wijk") != CITY)


# --- the three properties of the issue --------------------------------------------------------

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
def test_published_sub_city_counts_are_multiples_of_five(table):
    frame, cols = table
    out = _run(frame, cols, PUBLICATIE)
    for c in cols:
        assert all(v % 5 == 0 for v in _body(out)[c].drop_nulls())
        # city totals stay exact
        assert out.filter(pl.col("wijk") == CITY)[c].item() == frame.filter(pl.col("wijk") == CITY)[c].item()


@SETTINGS
@given(tables(), st.sampled_from([BESTUUR, PUBLICATIE]))
def test_no_hidden_cell_follows_from_a_total_by_subtraction(table, profile):
    """A visible total minus the visible cells of its line never leaves one hidden cell."""
    frame, cols = table
    out = _body(_run(frame, cols, profile))
    truth = _truth_body(frame)
    hidden = np.column_stack([out[c].is_null().to_numpy() for c in cols])
    for j in range(len(cols)):          # column: the city total is visible
        assert hidden[:, j].sum() != 1, (cols[j], out)
    if len(cols) > 1:                   # row: an area's total as shown elsewhere
        totals, _ = area_totals(truth.select(cols).to_numpy(), profile)
        for i, s in enumerate(totals):
            if s is not None and not profile.round_to:   # that total is visible and exact
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
    """Each area's total as another view (the map) shows it: the one-column table."""
    sums = truth.sum(axis=1)
    frame = pl.DataFrame({"wijk": [f"W{i}" for i in range(len(sums))], "n": sums.tolist()})
    shown = privacy.protect(frame, profile, ["n"], area_col="wijk", level="wijk")
    return shown["n"].to_list(), shown["n_weergave"].to_list()


def pinned_cells(lo, hi, hidden, col_sums, row_bounds):
    """Hidden cells whose minimum equals their maximum under the attacker's knowledge."""
    n, k = lo.shape
    # variables: every body cell, plus one per row for its total (when rows are additive)
    nv = n * k + (n if row_bounds is not None else 0)
    bounds = [(lo[i, j], None if np.isinf(hi[i, j]) else hi[i, j]) for i in range(n) for j in range(k)]
    A, b = [], []
    for j in range(k):
        a = np.zeros(nv)
        a[[i * k + j for i in range(n)]] = 1
        A.append(a)
        b.append(col_sums[j])
    if row_bounds is not None:
        for i in range(n):
            a = np.zeros(nv)
            a[i * k:(i + 1) * k] = 1
            a[n * k + i] = -1
            A.append(a)
            b.append(0)
        bounds += row_bounds
    out = []
    for i in range(n):
        for j in range(k):
            if not hidden[i, j]:
                continue
            obj = np.zeros(nv)
            obj[i * k + j] = 1
            lo_r = linprog(obj, A_eq=np.array(A), b_eq=np.array(b), bounds=bounds, method="highs")
            hi_r = linprog(-obj, A_eq=np.array(A), b_eq=np.array(b), bounds=bounds, method="highs")
            assert lo_r.status in (0, 3) and hi_r.status in (0, 3), "infeasible: model mismatch"
            if lo_r.status == 0 and hi_r.status == 0 and -hi_r.fun - lo_r.fun < 0.5:
                out.append((i, j))
    return out


@SETTINGS
@given(tables(max_rows=6, max_cols=3), st.sampled_from([BESTUUR, PUBLICATIE]))
def test_no_hidden_cell_can_be_pinned_by_the_attacker_lp(table, profile):
    """Stronger than subtraction: all line equations at once, with the bounds the labels give.
    The table may not give away any cell beyond what the published totals already do."""
    frame, cols = table
    out = _body(_run(frame, cols, profile))
    truth = _truth_body(frame).select(cols).to_numpy()
    lo, hi = attacker_bounds(out, frame, cols, profile)
    hidden = np.column_stack([out[c].is_null().to_numpy() for c in cols])
    row_bounds = None
    if len(cols) > 1:
        row_bounds = []
        for shown, label in zip(*area_totals(truth, profile)):
            if shown is None:
                row_bounds.append((0, 4 if label == "<5" else None))
            elif profile.round_to and shown > 0:
                row_bounds.append((max(profile.threshold, shown - 2), shown + 2))
            else:
                row_bounds.append((shown, shown))
    pinned = pinned_cells(lo, hi, hidden, truth.sum(axis=0), row_bounds)
    # What the totals alone give away (the table withheld entirely) is not the table's doing:
    # e.g. the city's single case of a kind in the only area with any cases at all.
    everything = np.ones_like(hidden)
    baseline = pinned_cells(np.zeros_like(lo), np.full_like(hi, np.inf), everything,
                            truth.sum(axis=0), row_bounds)
    assert set(pinned) <= set(baseline), (pinned, baseline, out)


# --- derived figures and levels ------------------------------------------------------------

@SETTINGS
@given(tables(max_cols=2), st.sampled_from([BESTUUR, PUBLICATIE]))
def test_rates_and_changes_follow_their_counts(table, profile):
    frame, cols = table
    frame = frame.with_columns(inwoners=pl.lit(2000), vorig=pl.col(cols[0]).reverse())
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
        with pytest.raises(privacy.NotPublishable):
            privacy.protect_value(20, PUBLICATIE, level)
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


def test_single_values():
    assert privacy.protect_value(3, BESTUUR, "buurt") == (None, "<5")
    assert privacy.protect_value(0, BESTUUR, "buurt") == (0, "0")
    assert privacy.protect_value(3, BESTUUR, "stad") == (3, "3")
    assert privacy.protect_value(9, PUBLICATIE, "wijk") == (None, "x")
    assert privacy.protect_value(13, PUBLICATIE, "wijk") == (15, "15")
    assert privacy.protect_value(13, PUBLICATIE, "stad") == (13, "13")
    assert privacy.protect_rate(13, 2000, 1000, PUBLICATIE, "wijk") == 7.5
    assert privacy.protect_rate(3, 2000, 1000, BESTUUR, "wijk") is None
    assert privacy.protect_change(12, 3, BESTUUR, "wijk") is None
    assert privacy.protect_change(12, 30, BESTUUR, "wijk") == -18


def test_long_tables():
    frame = pl.DataFrame({"wijk": ["A", "A", "B", "B", "C", "C"],
                          "thema": ["hennep", "omg"] * 3, "n": [3, 20, 12, 30, 7, 8]})
    out = privacy.protect_long(frame, "bestuur", area_col="wijk", category_col="thema",
                               count_col="n", level="wijk")
    assert out.height == 6 and set(out.columns) == {"wijk", "thema", "n", "n_weergave"}
    hidden = out.filter(pl.col("n").is_null())
    assert hidden.height >= 2 and "<5" in hidden["n_weergave"].to_list()
    assert not out.filter(pl.col("n").is_between(1, 4)).height


# --- the data layer's seam ------------------------------------------------------------------

def test_disclose_map_layout_for_bestuur_and_identity_for_analysts():
    frame = pl.DataFrame({"laag": ["hennepkwekerijen"] * 4 + ["signalen"] * 2,
                          "buurtcode": ["BU1", "BU2", "BU3", None, "BU1", "BU2"],
                          "aantal": [3, 12, 9, 1, 20, 30], "bedrag": [None] * 6})
    assert privacy.disclose("analist", frame).equals(frame)
    out = privacy.disclose("bestuur", frame)
    visible = out.filter(pl.col("aantal").is_not_null())["aantal"].to_list()
    assert not [v for v in visible if 1 <= v <= 4]
    hennep = out.filter(pl.col("laag") == "hennepkwekerijen")
    assert hennep["aantal"].null_count() >= 2                  # 3 and 1 hidden, plus secondary
    assert out.filter(pl.col("laag") == "signalen")["aantal"].to_list() == [20, 30]


def test_disclose_refuses_unknown_sub_city_layouts_for_bestuur():
    frame = pl.DataFrame({"buurtcode": ["BU1"], "iets": [3]})
    with pytest.raises(privacy.UnknownLayout):
        privacy.disclose("bestuur", frame)
    city = pl.DataFrame({"indicator": ["a"], "waarde": [3]})
    assert privacy.disclose("bestuur", city).equals(city)     # city level: exact
    with pytest.raises(privacy.UnknownLayout):
        privacy.disclose("bestuur", city, area=True)          # the same within an area: refused


def test_indicators_within_an_area_follow_their_counts():
    from dijkwacht.indicators import INDICATORS
    values = {i.code: 3 for i in INDICATORS}
    out = privacy.protect_indicators("bestuur", values, INDICATORS, area=True)
    assert out["hennep_ontmanteld"] is None and out["hennep_planten_gemiddeld"] is None
    assert privacy.protect_indicators("bestuur", values, INDICATORS, area=False) == values
    assert privacy.protect_indicators("analist", values, INDICATORS, area=True) == values
