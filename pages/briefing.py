"""Briefing: the headline indicators for the latest complete year beside the year before."""
import streamlit as st

from dijkwacht import auth, data, formats
from dijkwacht.indicators import BY_CODE, HEADLINE, latest_complete_year, year_period

role = auth.current_role()
meta = data.meta(role)
if not meta:
    st.warning("Er is nog geen database geladen. Laad partnerbestanden of de demodata (`make run`).")
    st.stop()

year = latest_complete_year(meta["stand_per"])
now = data.indicator_values(role, *year_period(year))
before = data.indicator_values(role, *year_period(year - 1))

st.title(f"Briefing {meta['gemeente_naam']}")
st.caption(f"{year} tegenover {year - 1} · stand per {formats.day(meta['stand_per'])}")

columns = st.columns(3)
for i, code in enumerate(HEADLINE):
    indicator = BY_CODE[code]
    with columns[i % 3]:
        st.metric(indicator.naam, formats.value(now[code], indicator.eenheid),
                  delta=formats.change(now[code], before[code]),
                  delta_color="off", help=indicator.definitie)

st.subheader("Stand per bron")
status = data.source_status(role)
st.dataframe(
    [{"Bron": row["bron"], "Stand per": formats.day(row["stand_per"]),
      "Geladen op": formats.day(row["geladen_op"]), "Rijen": formats.number(row["rijen"])}
     for row in status.iter_rows(named=True)],
    hide_index=True)
