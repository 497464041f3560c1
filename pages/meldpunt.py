"""Meldpunt (analysts): signals by channel, reporter type and theme; the funnel from
receipt to closure (stages that nest, closed-without-passing-on beside it); the share of
answerable reporters who got feedback; median days to feedback and to closure."""
import polars as pl
import streamlit as st

from dijkwacht import charts, formats
from dijkwacht.app import auth, data, ui

role = auth.current_role()
view = ui.start(role, "Meldpunt", ("signalen",), page="meldpunt", theme=True)
meld = data.meldpunt(role, view.period, view.buurten, view.filters.thema_or_none)
kern, funnel = meld["kern"], meld["trechter"]
stages = funnel.filter(pl.col("trechter")).sort("volgorde")
beside = funnel.filter(~pl.col("trechter")).sort("volgorde")
received = int(stages["aantal"][0])

columns = st.columns(4)
columns[0].metric("Signalen", formats.number(received))
columns[1].metric("Melders met terugkoppeling", formats.percent(kern["teruggekoppeld_pct"]),
                  help=f"{formats.number(kern['teruggekoppeld'])} van {formats.number(kern['aanspreekbaar'])} "
                       "aanspreekbare melders (niet anoniem en niet via Meld Misdaad Anoniem).")
columns[2].metric("Dagen tot terugkoppeling", formats.number(kern["dagen_tot_terugkoppeling"]), help="Mediaan.")
columns[3].metric("Dagen tot afsluiting", formats.number(kern["dagen_tot_afsluiting"]), help="Mediaan.")


def share(n: int) -> str:
    return f" ({formats.number(100 * n / received)}%)" if received else ""


nested = charts.nests(stages["aantal"].to_list())
st.subheader("Van ontvangst tot afsluiting" if nested else "Signalen per fase (geen trechter)")
summary = "; ".join(f"{row['fase']}: {formats.number(row['aantal'])}{share(row['aantal'])}"
                    for row in stages.iter_rows(named=True)) + "."
note = ("Elke fase is een deel van de vorige." if nested
        else "De fasen sluiten niet op elkaar aan: staafdiagram, geen trechter.")
for row in beside.iter_rows(named=True):
    note += (f" Daarnaast {row['fase']} (door het meldpunt zelf afgehandeld): "
             f"{formats.number(row['aantal'])}{share(row['aantal'])}; die signalen zitten niet in de "
             "fasen na 'in behandeling genomen'.")
ui.chart(view, charts.funnel(funnel), "signalen", summary, key="trechter", note=note)

ui.breakdowns(view, meld["verdeling"], {
    "kanaal": "Kanaal", "melder_type": "Soort melder", "thema": "Thema",
    "doorgezet_naar": "Doorgezet naar"}, "signalen", "meld")
with st.expander("Tabel"):
    ui.table(view, meld["verdeling"], "meldpunt-verdeling", "tabel")
