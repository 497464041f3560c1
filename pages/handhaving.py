"""Handhaving (analysts): inspections by kind and object, share with findings, findings by
kind, Bibob outcomes, closures and penalty orders, per wijk."""
import polars as pl
import streamlit as st

from dijkwacht import charts, formats
from dijkwacht.app import auth, data, ui
from dijkwacht.measures import BY_CODE, DEDUP_RULE, HANDHAVING_LABEL

role = auth.current_role()
view = ui.start(role, "Handhaving", ("controles",), page="handhaving")
hh = data.handhaving(role, view.period, view.buurten)

# The key figures are the registry's measures (the same labels and numbers as the Briefing
# and the factsheet): interventions from grow sites and inspections, each counted once.
figures = data.indicator_values(role, view.period.van, view.period.tot, view.filters.gebied)
codes = ("controles_aantal", "controles_bevindingen_pct", "bibob_toetsen", "sluitingen",
         "dwangsommen_aantal", "dwangsommen_bedrag")
for column, code in zip(st.columns(len(codes)), codes):
    m = BY_CODE[code]
    column.metric(m.naam, formats.value(figures[code], m.eenheid), help=m.definitie)
st.caption(f"Alle aantallen op deze pagina zijn {HANDHAVING_LABEL}. Bedrag dwangsommen: over de "
           f"{formats.number(figures['dwangsommen_met_bedrag'])} lasten met een bekend bedrag. {DEDUP_RULE}")

ui.breakdowns(view, hh["verdeling"], {
    "soort": "Soort controle", "objecttype": "Object", "bevinding": "Bevindingen",
    "bibob": "Bibob-uitkomst", "maatregel": "Maatregel"}, "controles", "hh", note=HANDHAVING_LABEL.capitalize() + ".")

st.subheader("Per wijk")
layers = {"controles": "Controles en Bibob-toetsen", "sluitingen": "Sluitingen", "dwangsommen": "Lasten onder dwangsom"}
wijken = data.map_frame(role, view.period, "wijk").filter(pl.col("laag").is_in(list(layers)))
names = {r["code"]: r["naam"] for r in data.area_options(role).filter(pl.col("soort") == "wijk").iter_rows(named=True)}
per_wijk = (wijken.pivot(on="laag", index="code", values="aantal")
            .join(wijken.filter(pl.col("laag") == "dwangsommen").select("code", bedrag_dwangsommen="bedrag"), on="code")
            .with_columns(wijk=pl.col("code").replace_strict(names, default="Locatie onbekend"))
            .sort("code"))
ui.chart(view, charts.bars(per_wijk, "wijk", "controles"), "controles",
         charts.summary_bars(per_wijk, "wijk", "controles", "controles per wijk"), key="per_wijk",
         note=HANDHAVING_LABEL.capitalize() + ".")
ui.table(view, per_wijk.select("wijk", *layers, "bedrag_dwangsommen"), "handhaving-per-wijk", "wijk_tabel",
         shown=per_wijk.select(Wijk="wijk", **{label: code for code, label in layers.items()}).with_columns(
             **{"Bedrag dwangsommen": per_wijk["bedrag_dwangsommen"].map_elements(formats.money, return_dtype=str)}))
