"""Geldstromen (analysts): suspicious transactions by amount band, type, reporting sector,
persons vs companies and branche; distinct subjects."""
import streamlit as st

from dijkwacht import formats
from dijkwacht.app import auth, data, ui

role = auth.current_role()
view = ui.start(role, "Geldstromen", ("verdachte_transacties",), page="geldstromen")
geld = data.geldstromen(role, view.period, view.buurten)
kern = geld["kern"]

columns = st.columns(5)
columns[0].metric("Verdachte transacties", formats.number(kern["aantal"]))
columns[1].metric("Totaalbedrag", formats.money(kern["bedrag"]))
columns[2].metric("Mediaan bedrag", formats.money(kern["mediaan_bedrag"]))
columns[3].metric("Personen", formats.number(kern["personen"]), help="Unieke natuurlijke personen.")
columns[4].metric("Rechtspersonen", formats.number(kern["rechtspersonen"]), help="Unieke bedrijven.")

ui.breakdowns(view, geld["verdeling"], {
    "bedragklasse": "Bedragklasse", "transactietype": "Transactietype",
    "melder_sector": "Sector van de melder", "subject_type": "Personen en bedrijven",
    "branche": "Branche"}, "verdachte_transacties", "geld")
with st.expander("Tabel"):
    ui.table(view, geld["verdeling"].drop("volgorde"), "geldstromen-verdeling", "tabel")
