"""Chart builders for the pages: pure plotly (no Streamlit), one palette, Dutch formats.

Every builder returns a figure; every figure has a one-line Dutch summary beside it (the
`summary_*` functions) that pages show under the chart and pass to screen readers.
Plotly's own locale files are not loaded in Streamlit (its dates read "Oct 1, 2025"), so no
date is ever formatted by plotly: periods are category labels from dijkwacht/formats.py,
every tooltip gets its date as precomputed Dutch text (customdata), and a real date axis
gets Dutch tickvals/ticktext. `separators=",."` gives 1.234,5.
"""
from __future__ import annotations

import operator
from datetime import date, timedelta
from functools import reduce

import plotly.graph_objects as go
import polars as pl

from dijkwacht import formats
from dijkwacht.measures import ASSUMPTION_LABEL, BRONNEN, COUNTED_SOURCES, HANDHAVING_LABEL
from dijkwacht.sources import SOURCES

# Okabe–Ito: distinguishable with every common colour-vision deficiency. Yellow last: it
# has too little contrast on white for lines.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
# Each counted source in its own colour (the registry's, from PALETTE).
SOURCE_COLOURS = {b: SOURCES[b].colour or PALETTE[6] for b in COUNTED_SOURCES}
FONT = "Source Sans Pro, Arial, sans-serif"
# For st.plotly_chart: no modebar, so no client-side image download (DESIGN §6).
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False,
                 "modeBarButtonsToRemove": ["toImage"], "locale": "nl"}


def _layout(fig: go.Figure, height: int = 320, legend: bool = False) -> go.Figure:
    fig.update_layout(
        separators=",.", colorway=list(PALETTE), height=height, font={"family": FONT, "size": 14},
        margin={"l": 8, "r": 8, "t": 8, "b": 8}, showlegend=legend, hovermode="closest",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        plot_bgcolor="white",
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True, gridcolor="#e5e5e5", rangemode="tozero")
    return fig


def period_label(d: date, korrel: str) -> str:
    """Dutch label of a period start: 'mrt 2024', 'K1 2024' or '2024' (axis, tables)."""
    return formats.period(d, korrel)


# --- bars ------------------------------------------------------------------------------

def bars(frame: pl.DataFrame, label: str, value: str, *, money: bool = False,
         colour: str = PALETTE[0], keep_order: bool = False) -> go.Figure:
    """Horizontal bars, largest on top (or in the frame's order for ordinal classes)."""
    if not keep_order:
        frame = frame.sort(value, descending=True)
    frame = frame.reverse()          # plotly draws the first category at the bottom
    fmt = "€ %{x:,.0f}" if money else "%{x:,.0f}"
    fig = go.Figure(go.Bar(
        x=frame[value].to_list(), y=frame[label].to_list(), orientation="h",
        marker_color=colour, hovertemplate=f"%{{y}}: {fmt}<extra></extra>",
        text=[formats.money(v) if money else formats.number(v) for v in frame[value]],
        textposition="auto", cliponaxis=False))
    fig.update_yaxes(type="category")
    fig.update_xaxes(tickformat=",.0f", tickprefix="€ " if money else "")
    return _layout(fig, height=max(160, 34 * frame.height + 40))


def nests(counts: list[int]) -> bool:
    """Whether stage counts can be a funnel: never more in a stage than in the one before."""
    return all(a >= b for a, b in zip(counts, counts[1:]))


def funnel(frame: pl.DataFrame) -> go.Figure:
    """The meldpunt funnel (dijkwacht/sql/signalen_trechter.sql): the stages marked
    `trechter`, each a subset of the one before by their definition, as a funnel with the
    share of the first stage. Rows outside the funnel (closed without passing on) are not
    drawn here. Stages whose counts do not nest are never drawn as a funnel: they get plain
    bars, in stage order (the page says so)."""
    stages = frame.filter(pl.col("trechter")) if "trechter" in frame.columns else frame
    stages = stages.sort("volgorde")
    counts = [int(v) for v in stages["aantal"]]
    if not nests(counts):
        return bars(stages, "fase", "aantal", keep_order=True)
    fig = go.Figure(go.Funnel(
        y=stages["fase"].to_list(), x=counts, marker={"color": PALETTE[0]},
        texttemplate="%{value:,.0f} (%{percentInitial:.0%})" if counts and counts[0] else "%{value:,.0f}",
        hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    fig.update_yaxes(type="category")
    return _layout(fig, height=280)


# --- time series ---------------------------------------------------------------------

def lines(frame: pl.DataFrame, korrel: str, group: str = "bron") -> go.Figure:
    """One line per source (or theme) over time; an incomplete last period is marked."""
    fig = go.Figure()
    for i, ((key,), part) in enumerate(frame.sort("periode").group_by([group], maintain_order=True)):
        name = BRONNEN[key].naam if group == "bron" and key in BRONNEN else str(key)
        colour = SOURCE_COLOURS.get(key, PALETTE[i % len(PALETTE)]) if group == "bron" else PALETTE[i % len(PALETTE)]
        labels = _labels(part, korrel)
        # A hidden figure is a gap in the line; its hover shows the mark ("<5", "x").
        shown = (part["weergave"] if "weergave" in part.columns
                 else part["aantal"].cast(pl.String)).fill_null("–").to_list()
        fig.add_scatter(x=labels, y=part["aantal"].to_list(), mode="lines+markers", name=name,
                        line={"color": colour, "width": 2}, marker={"size": 5},
                        customdata=[[when, text] for when, text in zip(_hover_labels(part, korrel), shown)],
                        hovertemplate=f"{name}, %{{customdata[0]}}: %{{customdata[1]}}<extra></extra>")
    fig.update_xaxes(type="category")
    return _layout(fig, height=360, legend=True)


def estimate_band(frame: pl.DataFrame, korrel: str) -> go.Figure:
    """Grow sites found, with the estimated number present (× 4 … × 8, central × 6)."""
    part = frame.filter(pl.col("bron") == "hennepkwekerijen").sort("periode")
    labels, when = _labels(part, korrel), _hover_labels(part, korrel)
    fig = go.Figure()
    fig.add_scatter(x=labels, y=part["schatting_hoog"].to_list(), mode="lines", line={"width": 0},
                    showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=labels, y=part["schatting_laag"].to_list(), mode="lines", line={"width": 0},
                    fill="tonexty", fillcolor="rgba(0,158,115,0.18)",
                    name="geschatte bandbreedte (× 4 tot × 8)", hoverinfo="skip")
    fig.add_scatter(x=labels, y=part["schatting"].to_list(), mode="lines",
                    line={"color": PALETTE[2], "dash": "dash"}, name="schatting (× 6)", customdata=when,
                    hovertemplate="schatting %{customdata}: %{y:,.0f}<extra></extra>")
    fig.add_scatter(x=labels, y=part["aantal"].to_list(), mode="lines+markers",
                    line={"color": PALETTE[6], "width": 2}, name="ontmanteld (gevonden)", customdata=when,
                    hovertemplate="ontmanteld %{customdata}: %{y:,.0f}<extra></extra>")
    fig.add_annotation(text=ASSUMPTION_LABEL, xref="paper", yref="paper", x=0, y=1,
                       showarrow=False, xanchor="left", yanchor="top", font={"size": 12})
    fig.update_xaxes(type="category")
    return _layout(fig, height=360, legend=True)


def _labels(part: pl.DataFrame, korrel: str) -> list[str]:
    """Period labels; the incomplete last period gets an asterisk (explained in the caption)."""
    return [period_label(d, korrel) + ("" if full else "*")
            for d, full in zip(part["periode"], part["volledig"])]


def _hover_labels(part: pl.DataFrame, korrel: str) -> list[str]:
    """Period labels for tooltips, in words: '2e kwartaal 2025 (onvolledig)'."""
    return [formats.period(d, korrel, long=True) + ("" if full else " (onvolledig)")
            for d, full in zip(part["periode"], part["volledig"])]


# --- one-line summaries (screen readers, and under every chart) ------------------------

def summary_bars(frame: pl.DataFrame, label: str, value: str, what: str, money: bool = False) -> str:
    """'Verdeling van <what>: meeste bij A (12), dan B (8) en C (3); totaal 25.'"""
    if frame.is_empty() or not frame[value].sum():
        return f"Geen {what} in deze periode."
    fmt = formats.money if money else formats.number
    top = frame.sort(value, descending=True).head(3)
    parts = [f"{row[label]} ({fmt(row[value])})" for row in top.iter_rows(named=True)]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" en {parts[-1]}"
    return f"{what.capitalize()}: het meest {listed}; totaal {fmt(frame[value].sum())}."


def summary_series(frame: pl.DataFrame, korrel: str, name: str) -> str:
    """'<name>: van 55 (2012) naar 35 (2025); hoogste 98 in 2014.'"""
    part = frame.sort("periode")
    if part.is_empty():
        return f"{name}: geen gegevens."
    first, last = part.row(0, named=True), part.row(-1, named=True)
    peak = part.sort("aantal", descending=True, nulls_last=True).row(0, named=True)

    def shown(row: dict) -> str:
        return formats.number(row["aantal"]) if row["aantal"] is not None else row.get("weergave") or "x"

    return (f"{name}: van {shown(first)} ({period_label(first['periode'], korrel)}) "
            f"naar {shown(last)} ({period_label(last['periode'], korrel)}"
            f"{'' if last['volledig'] else ', onvolledig'}); hoogste {shown(peak)} "
            f"in {period_label(peak['periode'], korrel)}.")


# --- "what changed most" (Briefing) ---------------------------------------------------

PROBLEM_SOURCES = tuple(s.name for s in SOURCES.values() if s.problem)


def biggest_rises(changes: pl.DataFrame, soort: str, n: int = 3) -> pl.DataFrame:
    """The n largest rises (now − before > 0) in problems (grow sites, transactions, signals;
    not inspections, which are what the municipality did) of one kind ('wijk' or 'thema'),
    largest first. A hidden figure is never ranked; unknown location is not an area."""
    return (changes.filter((pl.col("soort") == soort) & (pl.col("sleutel") != "onbekend")
                           & pl.col("bron").is_in(PROBLEM_SOURCES)
                           & pl.col("nu").is_not_null() & pl.col("eerder").is_not_null())
            .with_columns(stijging=pl.col("nu") - pl.col("eerder"))
            .filter(pl.col("stijging") > 0)
            .sort(["stijging", "nu", "sleutel"], descending=[True, True, False])
            .head(n))


def rise_sentence(row: dict, changes: pl.DataFrame | None = None) -> str:
    """One Dutch sentence for a rise, e.g. 'In Wijk 01 Binnenstad steeg het aantal signalen
    meldpunt van 30 naar 49 (+19); daar 40 controles (handhavingsoutput).' — what was done
    in the same area and period beside the problem, when `changes` holds it."""
    what = BRONNEN[row["bron"]].naam.lower() if row["bron"] in BRONNEN else row["bron"]
    steps = (f"van {formats.number(row['eerder'])} naar {formats.number(row['nu'])} "
             f"(+{formats.number(row['stijging'])})")
    if row["soort"] == "thema":
        return f"Het aantal signalen over {row['naam']} steeg {steps}."
    where = f"focusgebied {row['naam']}" if row["soort"] == "focus" else row["naam"]
    done = ""
    if changes is not None:
        ctr = changes.filter((pl.col("soort") == row["soort"]) & (pl.col("sleutel") == row["sleutel"])
                             & (pl.col("bron") == "controles"))
        if ctr.height:
            done = f"; daar {ctr['nu_weergave'][0]} controles ({HANDHAVING_LABEL})"
    return f"In {where} steeg het aantal {what} {steps}{done}."


def top_areas(changes: pl.DataFrame, n: int = 5) -> pl.DataFrame:
    """Wijken by cases now (grow sites + transactions + signals; inspections are enforcement
    output and shown beside them, not counted). Per source the shown value and its label
    ("<bron>_weergave"); zaken only when all three parts are shown. Wijken whose zaken are
    hidden are never ranked: they follow the ranked ones, marked "x" (a rank would say where
    the hidden figure lies)."""
    wijk = changes.filter((pl.col("soort") == "wijk") & (pl.col("sleutel") != "onbekend"))
    values = wijk.pivot(on="bron", index=["sleutel", "naam"], values="nu", aggregate_function="first")
    labels = (wijk.with_columns(pl.col("bron") + "_weergave")
              .pivot(on="bron", index=["sleutel", "naam"], values="nu_weergave", aggregate_function="first"))
    wide = values.join(labels, on=["sleutel", "naam"])
    for bron in SOURCE_COLOURS:
        if bron not in wide.columns:
            wide = wide.with_columns(pl.lit(0, pl.Int64).alias(bron), pl.lit("0").alias(bron + "_weergave"))
    wide = wide.with_columns(zaken=reduce(operator.add, (pl.col(b) for b in PROBLEM_SOURCES)))
    wide = wide.with_columns(zaken_weergave=pl.col("zaken").cast(pl.String).fill_null("x"))
    ranked = wide.filter(pl.col("zaken").is_not_null()).sort(["zaken", "sleutel"], descending=[True, False])
    return pl.concat([ranked, wide.filter(pl.col("zaken").is_null()).sort("sleutel")]).head(n)


# --- Koppelingen (issue 10) --------------------------------------------------------------

LINK_SOURCE_COLOURS = {s.name: s.colour for s in SOURCES.values() if s.colour}


def network(nodes: pl.DataFrame, edges: pl.DataFrame) -> go.Figure:
    """An owner network (dijkwacht.linkage.cluster_layout): persons as diamonds, addresses
    as circles sized by their records, grow-site addresses in the hennep colour. Labels are
    truncated keys only."""
    fig = go.Figure()
    xs, ys = [], []
    for e in edges.iter_rows(named=True):
        xs += [e["x0"], e["x1"], None]
        ys += [e["y0"], e["y1"], None]
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": "#999999", "width": 1},
                    hoverinfo="skip", showlegend=False)
    kinds = (("persoon", "persoon/organisatie", "diamond", PALETTE[4]),
             ("adres", "adres", "circle", PALETTE[0]))
    for kind, name, symbol, colour in kinds:
        part = nodes.filter(pl.col("soort") == kind)
        if kind == "adres":
            for grow, label, col in ((False, "adres", colour), (True, "adres met hennepkwekerij", PALETTE[2])):
                sub = part.filter((pl.col("kwekerijen") > 0) == grow)
                if sub.height:
                    _nodes(fig, sub, label, symbol, col)
        elif part.height:
            _nodes(fig, part, name, symbol, colour)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, rangemode="normal")
    return _layout(fig, height=460, legend=True)


def _nodes(fig: go.Figure, part: pl.DataFrame, name: str, symbol: str, colour: str) -> None:
    fig.add_scatter(
        x=part["x"].to_list(), y=part["y"].to_list(), mode="markers+text", name=name,
        text=part["label"].to_list(), textposition="top center", textfont={"size": 10},
        marker={"symbol": symbol, "color": colour, "line": {"color": "white", "width": 1},
                "size": [12 + min(3 * n, 18) for n in part["gebeurtenissen"]]},
        customdata=list(zip(part["gebeurtenissen"].to_list(), part["kwekerijen"].to_list())),
        hovertemplate=(f"{name} %{{text}}<br>registraties: %{{customdata[0]}}"
                       "<br>hennepkwekerijen: %{customdata[1]}<extra></extra>"))


def key_timeline(frame: pl.DataFrame, labels: dict[str, str]) -> go.Figure:
    """The records of one key over time, one row per source. A real date axis, but every
    date the user reads is Dutch: the tooltip's '1 okt 2025' and the ticks ('jan 2025', '2025')."""
    fig = go.Figure()
    for bron, label in labels.items():
        part = frame.filter(pl.col("bron") == bron)
        if part.is_empty():
            continue
        fig.add_scatter(
            x=part["datum"].to_list(), y=[label] * part.height, mode="markers", name=label,
            marker={"size": 12, "color": LINK_SOURCE_COLOURS.get(bron, PALETTE[6]),
                    "symbol": ["circle-open" if v == "eigen adres" else "circle" for v in part["via"]]},
            customdata=[formats.day(d) for d in part["datum"]],
            text=[" · ".join(x for x in (s, m) if x) for s, m in zip(part["soort"], part["maatregel"])],
            hovertemplate="%{customdata}: %{text}<extra></extra>")
    dates = frame["datum"].drop_nulls() if "datum" in frame.columns else pl.Series([], dtype=pl.Date)
    if dates.len():
        first, last = dates.min(), dates.max()
        pad = timedelta(days=max(15, (last - first).days // 30))
        ticks, text = formats.date_ticks(first, last)
        fig.update_xaxes(type="date", range=[first - pad, last + pad], tickmode="array",
                         tickvals=ticks, ticktext=text)
    fig.update_yaxes(type="category", rangemode="normal")
    return _layout(fig, height=120 + 40 * frame["bron"].n_unique())


def outcome_funnel(frame: pl.DataFrame) -> go.Figure:
    """Signal → intervention → outcome (linkage.signal_funnel): stages in order."""
    fig = go.Figure(go.Funnel(
        y=frame["stap"].to_list(), x=frame["aantal"].to_list(), marker={"color": PALETTE[0]},
        texttemplate="%{value:,.0f} (%{percentInitial:.1%})",
        hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    return _layout(fig, height=280)


def barrier(frame: pl.DataFrame) -> go.Figure:
    """The hennep barrier model (linkage.barrier_model): per stage, in process order, the
    signals tagged to it, those referred and those followed by a measure (a barrier)."""
    frame = frame.reverse()          # first stage on top
    fig = go.Figure()
    for column, name, colour in (("signalen", "signalen", PALETTE[0]), ("doorgezet", "doorgezet", PALETTE[5]),
                                 ("met_maatregel", "gevolgd door maatregel", PALETTE[3])):
        fig.add_bar(x=frame[column].to_list(), y=frame["fase"].to_list(), orientation="h", name=name,
                    marker_color=colour, hovertemplate=f"%{{y}} ({name}): %{{x:,.0f}}<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_yaxes(type="category")
    return _layout(fig, height=420, legend=True)


def summary_barrier(frame: pl.DataFrame) -> str:
    """'Barrièremodel: 498 signalen over 8 fasen, het meest bij kweken (162); 52 gevolgd door een maatregel.'"""
    total = int(frame["signalen"].sum()) if frame.height else 0
    if not total:
        return "Barrièremodel: geen signalen met een fase in deze periode."
    top = frame.sort("signalen", descending=True).row(0, named=True)
    return (f"Barrièremodel: {formats.number(total)} signalen met een fase, het meest bij {top['fase']} "
            f"({formats.number(top['signalen'])}); {formats.number(frame['met_maatregel'].sum())} "
            f"gevolgd door een maatregel op hetzelfde adres.")
