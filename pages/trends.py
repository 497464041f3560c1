"""Trends (all roles): counts per source and theme by month, quarter or year, from the
first record up to the end of the chosen period; year on year; the grow-site estimate band."""
import polars as pl
import streamlit as st

from dijkwacht import access, charts, formats
from dijkwacht.app import auth, data, ui
from dijkwacht.filters import Period
from dijkwacht.measures import ASSUMPTION_LABEL, BRONNEN, COUNTED_SOURCES, HANDHAVING_LABEL

SOURCES = COUNTED_SOURCES
GRAINS = {"maand": "Maand", "kwartaal": "Kwartaal", "jaar": "Jaar"}

role = auth.current_role()
view = ui.start(role, "Trends", SOURCES, page="trends", theme=True)
st.caption("De reeksen lopen van de eerste registratie tot het einde van de gekozen periode.")
# The bestuur role gets months only city-wide (figures.Figures.series).
grains = [g for g in GRAINS if g != "maand" or view.buurten is None or access.may(role, "detail")]
korrel = st.radio("Indeling", grains, index=len(grains) - 1, format_func=GRAINS.get, horizontal=True,
                  key="korrel")
series = data.series(role, view.period.tot, view.filters.gebied, view.filters.thema_or_none, korrel)
if series.is_empty():
    st.info("Geen gegevens voor deze keuze.")
    st.stop()

span = Period(series["periode"].min(), view.period.tot)
incomplete = "* = onvolledige periode (tot de stand per)." if not series["volledig"].all() else ""
# A hidden figure (None) stays hidden in a sum: never counted as 0.
def _sum(col: str) -> pl.Expr:
    return pl.when(pl.col(col).null_count() == 0).then(pl.col(col).sum()).alias(col)


per_source = (series.group_by("bron", "periode")
              .agg(_sum("aantal"), _sum("vorig_jaar"), pl.col("volledig").all(),
                   pl.when(pl.len() == 1).then(pl.col("weergave").first())
                   .otherwise(pl.col("aantal").sum().cast(pl.String)).alias("weergave"))
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
st.caption("Een onvolledige laatste periode wordt vergeleken met precies dezelfde dagen een jaar "
           "eerder. " + ui.HIDDEN_NOTE)
table = per_source.with_columns(
    Periode=pl.Series([charts.period_label(d, korrel) for d in per_source["periode"]], dtype=pl.String),
    Bron=pl.col("bron").replace_strict({b: BRONNEN[b].naam for b in SOURCES}, default=pl.col("bron")),
    verandering=pl.when(pl.col("vorig_jaar") > 0)
    .then((100.0 * (pl.col("aantal") - pl.col("vorig_jaar")) / pl.col("vorig_jaar")).round(1)),
).sort("periode", "bron", descending=[True, False])
ui.table(view, table.select("Periode", "Bron", Aantal="aantal", **{
    "Zelfde periode vorig jaar": "vorig_jaar", "Verandering (%)": "verandering", "Volledig": "volledig"}),
    f"trends-{korrel}", "reeks", shown=table.select(
        "Periode", "Bron", Aantal="weergave", **{
            "Zelfde periode vorig jaar": pl.col("vorig_jaar").cast(pl.String).fill_null("–"),
            "Verandering (%)": pl.col("verandering").map_elements(formats.percent, return_dtype=pl.String),
            "Volledig": pl.col("volledig").replace_strict({True: "ja", False: "nee"}, return_dtype=pl.String)}))
