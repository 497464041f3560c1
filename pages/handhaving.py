"""Handhaving (analysts): inspections by kind and object, share with findings, findings by
kind, Bibob outcomes, closures and penalty orders, per wijk."""
import streamlit as st

from dijkwacht import auth, charts, data, formats, ui
from dijkwacht.measures import HANDHAVING_LABEL

role = auth.current_role()
view = ui.start(role, "Handhaving", ("controles",), page="handhaving")
hh = data.handhaving(role, view.period, view.buurten)
kern = hh["kern"]

columns = st.columns(6)
columns[0].metric("Controles", formats.number(kern["controles"]), help="Zonder Bibob-toetsen.")
columns[1].metric("Met bevindingen", formats.percent(kern["met_bevindingen_pct"]),
                  help=f"{formats.number(kern['met_bevindingen'])} controles met een overtreding of bevinding.")
columns[2].metric("Bibob-toetsen", formats.number(kern["bibob_toetsen"]))
columns[3].metric("Sluitingen", formats.number(kern["sluitingen"]), help="Na een controle.")
columns[4].metric("Dwangsommen", formats.number(kern["dwangsommen"]))
columns[5].metric("Bedrag dwangsommen", formats.money(kern["bedrag_dwangsommen"]))
st.caption(f"Alle aantallen op deze pagina zijn {HANDHAVING_LABEL}.")

ui.breakdowns(view, hh["verdeling"], {
    "soort": "Soort controle", "objecttype": "Object", "bevinding": "Bevindingen",
    "bibob": "Bibob-uitkomst", "maatregel": "Maatregel"}, "controles", "hh", note=HANDHAVING_LABEL.capitalize() + ".")

st.subheader("Per wijk")
per_wijk = hh["per_wijk"]
ui.chart(view, charts.bars(per_wijk, "wijk", "controles"), "controles",
         charts.summary_bars(per_wijk, "wijk", "controles", "controles per wijk"), key="per_wijk",
         note=HANDHAVING_LABEL.capitalize() + ".")
ui.table(view, per_wijk.drop("wijkcode"), "handhaving-per-wijk", "wijk_tabel", shown=per_wijk.select(
    Wijk="wijk", Controles="controles", **{"Met bevindingen": "met_bevindingen"},
    Sluitingen="sluitingen", Dwangsommen="dwangsommen").with_columns(
    **{"Bedrag dwangsommen": per_wijk["bedrag_dwangsommen"].map_elements(formats.money, return_dtype=str)}))
