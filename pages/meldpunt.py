"""Meldpunt (analysts): signals by channel, reporter type and theme; the funnel; the share
of answerable reporters who got feedback; median days to feedback and to closure."""
import streamlit as st

from dijkwacht import auth, charts, data, formats, ui

role = auth.current_role()
view = ui.start(role, "Meldpunt", ("signalen",), page="meldpunt", theme=True)
meld = data.meldpunt(role, view.period, view.buurten, view.filters.thema_or_none)
kern, funnel = meld["kern"], meld["trechter"]

columns = st.columns(4)
columns[0].metric("Signalen", formats.number(funnel["bereikt"][0]))
columns[1].metric("Melders met terugkoppeling", formats.percent(kern["teruggekoppeld_pct"]),
                  help=f"{formats.number(kern['teruggekoppeld'])} van {formats.number(kern['aanspreekbaar'])} "
                       "aanspreekbare melders (niet anoniem en niet via Meld Misdaad Anoniem).")
columns[2].metric("Dagen tot terugkoppeling", formats.number(kern["dagen_tot_terugkoppeling"]), help="Mediaan.")
columns[3].metric("Dagen tot afsluiting", formats.number(kern["dagen_tot_afsluiting"]), help="Mediaan.")

st.subheader("Van ontvangst tot afsluiting")
ui.chart(view, charts.funnel(funnel), "signalen",
         "; ".join(f"{row['fase']}: {formats.number(row['bereikt'])} bereikt, {formats.number(row['nu'])} nu"
                   for row in funnel.iter_rows(named=True)) + ".",
         key="trechter", note="Afgesloten signalen zijn niet altijd doorgezet.")

ui.breakdowns(view, meld["verdeling"], {
    "kanaal": "Kanaal", "melder_type": "Soort melder", "thema": "Thema",
    "doorgezet_naar": "Doorgezet naar"}, "signalen", "meld")
with st.expander("Tabel"):
    ui.table(view, meld["verdeling"], "meldpunt-verdeling", "tabel")
