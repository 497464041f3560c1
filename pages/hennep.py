"""Hennep (analysts): dismantled grow sites by location type, plants, energy theft,
ownership and measures taken; repeat addresses as a count."""
import streamlit as st

from dijkwacht import charts, formats, linkage
from dijkwacht.app import auth, data, ui
from dijkwacht.measures import HANDHAVING_LABEL

role = auth.current_role()
view = ui.start(role, "Hennep", ("hennepkwekerijen",), page="hennep")
hennep = data.hennep(role, view.period, view.buurten)
kern = hennep["kern"]

columns = st.columns(5)
columns[0].metric("Ontmantelde kwekerijen", formats.number(kern["kwekerijen"]), help=HANDHAVING_LABEL)
columns[1].metric("Planten", formats.number(kern["planten"]))
columns[2].metric("Planten per kwekerij", formats.number(kern["planten_gemiddeld"]), help="Gemiddelde.")
columns[3].metric("Met stroomdiefstal", formats.number(kern["stroomdiefstal"]))
columns[4].metric("Herhaaladressen", formats.number(kern["herhaaladressen"]),
                  help="Adressen met een kwekerij in deze periode en in totaal minstens twee "
                       "(sinds het begin van de registratie).")
st.caption(f"Ontmantelde kwekerijen zijn {HANDHAVING_LABEL}: naar schatting wordt 1 op 6 gevonden.")

ui.breakdowns(view, hennep["verdeling"], {
    "locatietype": "Locatietype", "planten": "Aantal planten", "stroomdiefstal": "Stroomdiefstal",
    "eigendom": "Eigendom", "maatregel": "Maatregel"}, "hennepkwekerijen", "hennep")
with st.expander("Tabel"):
    ui.table(view, hennep["verdeling"].drop("volgorde"), "hennep-verdeling", "tabel")

st.subheader("Barrièremodel")
barriers = data.barrier_model(role, view.period, view.buurten)
ui.chart(view, charts.barrier(barriers), ("signalen", "controles", "hennepkwekerijen"),
         charts.summary_barrier(barriers), key="barriere",
         note=f"Maatregel: binnen {linkage.FOLLOW_UP_DAYS} dagen op hetzelfde adres als het signaal.")
ui.table(view, linkage.shown_barriers(barriers), "barrieremodel", "barriere_tabel")
