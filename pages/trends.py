"""Trends (all roles): counts per source and theme by month, quarter or year, from the
first record up to the end of the chosen period; year on year; the grow-site estimate band."""
import polars as pl
import streamlit as st

from dijkwacht import auth, charts, data, formats, ui
from dijkwacht.filters import Period
from dijkwacht.indicators import ASSUMPTION_LABEL, BRONNEN, HANDHAVING_LABEL

SOURCES = ("hennepkwekerijen", "verdachte_transacties", "signalen", "controles")
GRAINS = {"maand": "Maand", "kwartaal": "Kwartaal", "jaar": "Jaar"}

role = auth.current_role()
view = ui.start(role, "Trends", SOURCES, page="trends", theme=True)
st.caption("De reeksen lopen van de eerste registratie tot het einde van de gekozen periode.")
korrel = st.radio("Indeling", list(GRAINS), index=2, format_func=GRAINS.get, horizontal=True, key="korrel")
series = data.series(role, view.period.tot, view.buurten, view.filters.thema_or_none, korrel)
if series.is_empty():
    st.info("Geen gegevens voor deze keuze.")
    st.stop()

span = Period(series["periode"].min(), view.period.tot)
incomplete = "* = onvolledige periode (tot de stand per)." if not series["volledig"].all() else ""
per_source = (series.group_by("bron", "periode")
              .agg(pl.col("aantal").sum(), pl.col("vorig_jaar").sum(), pl.col("volledig").all())
              .sort("bron", "periode"))

st.subheader("Per bron")
shown_sources = tuple(b for b in SOURCES if b in per_source["bron"].to_list())
ui.chart(view, charts.lines(per_source, korrel), shown_sources,
         " ".join(charts.summary_series(per_source.filter(pl.col("bron") == b), korrel, BRONNEN[b].naam)
                  for b in shown_sources),
         key="per_bron", period=span,
         note=f"Kwekerijen en controles zijn {HANDHAVING_LABEL}. {incomplete}")

if "hennepkwekerijen" in shown_sources:
    st.subheader("Hennepkwekerijen: gevonden en geschat")
    hennep = series.filter(pl.col("bron") == "hennepkwekerijen")
    ui.chart(view, charts.estimate_band(series, korrel), "hennepkwekerijen",
             charts.summary_series(hennep, korrel, "Ontmantelde hennepkwekerijen")
             + f" Geschat aanwezig: het zesvoudige, bandbreedte vier- tot achtvoudig ({ASSUMPTION_LABEL}).",
             key="schatting", period=span,
             note=f"Ontmanteld = {HANDHAVING_LABEL}; de schatting is een {ASSUMPTION_LABEL}. {incomplete}")

signals = series.filter(pl.col("bron") == "signalen")
if signals["thema"].n_unique() > 1:
    st.subheader("Signalen per thema")
    top = signals.group_by("thema").agg(pl.col("aantal").sum()).sort("aantal", descending=True)
    ui.chart(view, charts.lines(signals, korrel, group="thema"), "signalen",
             "Meeste signalen over " + ", ".join(top["thema"].head(3).to_list()) + ".",
             key="thema", period=span, note=incomplete)

st.subheader("Jaar op jaar")
table = per_source.with_columns(
    Periode=pl.Series([charts.period_label(d, korrel) for d in per_source["periode"]]),
    Bron=pl.col("bron").replace_strict({b: BRONNEN[b].naam for b in SOURCES}, default=pl.col("bron")),
    verandering=pl.when(pl.col("vorig_jaar") > 0)
    .then((100.0 * (pl.col("aantal") - pl.col("vorig_jaar")) / pl.col("vorig_jaar")).round(1)),
).sort("periode", "bron", descending=[True, False]).select(
    "Periode", "Bron", Aantal="aantal", **{"Zelfde periode vorig jaar": "vorig_jaar",
                                           "Verandering (%)": "verandering", "Volledig": "volledig"})
ui.table(view, table, f"trends-{korrel}", "reeks", shown=table.with_columns(
    pl.col("Verandering (%)").map_elements(formats.percent, return_dtype=pl.String),
    pl.col("Volledig").replace_strict({True: "ja", False: "nee"}, return_dtype=pl.String)))
