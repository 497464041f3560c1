"""Briefing (home, all roles): the headline indicators for the chosen period beside the
previous period and the same period a year before; what changed most; the top areas;
each source's stand per. Presentation mode: large type, no sidebar, no detail."""
from datetime import date

import polars as pl
import streamlit as st

from dijkwacht import access, charts, formats
from dijkwacht.app import auth, data, session, ui
from dijkwacht.filters import Period
from dijkwacht.measures import BY_CODE, COUNTED_SOURCES, HANDHAVING_LABEL, HEADLINE

SOURCES = COUNTED_SOURCES

role = auth.current_role()
view = ui.start(role, "Briefing", SOURCES, page="briefing", presentable=True)
briefing = data.briefing(role, view.period, view.filters.gebied)

before, year_before = view.period.previous(), view.period.year_before()
same = before == year_before          # for a whole year the previous period is the year before
if not view.presentation:
    st.caption(f"Verandering tegenover dezelfde periode een jaar eerder ({year_before.label()})"
               + ("." if same else f"; daaronder ook de vorige periode ({before.label()})."))
columns = st.columns(3)
for i, code in enumerate(HEADLINE):
    indicator = BY_CODE[code]
    now, last_year, previous = (briefing[k][code] for k in ("nu", "vorig_jaar", "vorige"))
    with columns[i % 3]:
        # an unchanged figure gets no arrow: "↑ 0,0%" reads as a rise from the back of the room
        st.metric(indicator.naam, formats.value(now, indicator.eenheid),
                  delta=(f"{change} t.o.v. een jaar eerder" if (change := formats.change(now, last_year))
                         else None),
                  delta_color="off", delta_arrow="off" if now == last_year else "auto",
                  help=indicator.definitie)
        if not view.presentation:
            st.caption(f"Vorig jaar {formats.value(last_year, indicator.eenheid)}"
                       + ("" if same else f" · vorige periode {formats.value(previous, indicator.eenheid)} "
                                          f"({formats.change(now, previous) or '–'})")
                       + (f" · {HANDHAVING_LABEL}" if indicator.handhaving else ""))

st.subheader("Wat veranderde het meest")
if not view.presentation:
    st.caption(f"Stijgingen in problemen tegenover {year_before.label()}; controles staan ernaast als "
               "wat er gedaan is (handhavingsoutput). Afgeschermde cijfers tellen niet mee.")
changes = briefing["veranderingen"]
kinds = (("wijk", "Per wijk"), ("focus", "Per focusgebied"), ("thema", "Per thema (signalen, hele stad)"
                                                                 if role == "bestuur" else "Per thema (signalen)"))
# On the projector: the two largest rises per wijk and focus area beside the top wijken,
# one screen without scrolling; otherwise three of each kind.
columns = st.columns(3)
for column, (soort, title) in zip(columns, kinds[:2] if view.presentation else kinds):
    rises = charts.biggest_rises(changes, soort, n=2 if view.presentation else 3)
    with column:
        st.markdown(f"**{title}**")
        lines = [charts.rise_sentence(row, changes if not view.presentation else None)
                 for row in rises.iter_rows(named=True)]
        st.markdown("\n".join(f"- {line}" for line in lines) if lines
                    else "Geen stijgingen tegenover dezelfde periode een jaar eerder.")

top = charts.top_areas(briefing["veranderingen"], n=3 if view.presentation else 20)
if view.presentation:
    with columns[2]:
        st.markdown("**Wijken met de meeste zaken**")
        ranked = top.filter(pl.col("zaken").is_not_null())
        st.markdown("\n".join(f"{i}. {row['naam']} — {formats.number(row['zaken'])}"
                               for i, row in enumerate(ranked.iter_rows(named=True), start=1))
                    or "In deze periode zijn de aantallen per wijk te klein om te tonen.")
else:
    st.subheader("Wijken met de meeste zaken")
    columns = {"Kwekerijen": "hennepkwekerijen", "Verdachte transacties": "verdachte_transacties",
               "Signalen": "signalen", "Zaken samen": "zaken", "Controles (handhavingsoutput)": "controles"}
    shown = top.select(Wijk="naam", **{label: f"{col}_weergave" for label, col in columns.items()})
    ui.table(view, top.select(Wijk="naam", **columns), "briefing-wijken", "wijken", shown=shown)
    st.caption("Zaken = kwekerijen + verdachte transacties + signalen; controles zijn "
               f"{HANDHAVING_LABEL} en tellen niet mee. " + ui.HIDDEN_NOTE + " "
               + ui.source_caption(view, "signalen"))

    st.subheader("Stand per bron")
    st.dataframe([{"Bron": row["bron"], "Stand per": formats.day(row["stand_per"]),
                   "Geladen op": formats.day(row["geladen_op"]), "Rijen": formats.number(row["rijen"])}
                  for row in briefing["bronnen"].iter_rows(named=True)], hide_index=True)

    if access.may(role, "detail"):
        st.metric("Aandachtslijst Koppelingen", formats.number(data.attention_count(role)),
                  help="Nieuwe registraties bij al bekende adressen of personen sinds uw vorige "
                       "bezoek aan Koppelingen.")

    st.subheader("Momentopname voor de driehoek")
    st.caption("Eén klik: de cijfers van deze periode en dit gebied, zoals u ze hier ziet, als PDF "
               "met de stand per van de gegevens. Elke momentopname wordt ook in het archief bewaard.")
    who = st.session_state.get(auth.NAME_KEY) or role

    def snapshot_pdf() -> bytes:
        """Built, archived and audited only when the button is clicked."""
        kept = data.keep_snapshot(role, who, view.period, view.filters.gebied, view.area)
        name = kept["bestanden"][0]["bestand"]
        return ui.exported(role, name, data.archived_file(role, name), filters=view.filters.to_query())

    # Built on click (never on a rerun); the next run lists it below.
    st.download_button("Momentopname maken (PDF)", data=session.in_session(snapshot_pdf), on_click="ignore",
                       file_name=f"briefing-{view.period.van}-{view.period.tot}.pdf",
                       mime="application/pdf", key="momentopname_pdf", icon=":material/photo_camera:")
    mine = [a for a in data.archive(role, "briefing") if a["gemaakt_door"] == who][:5]
    if mine:
        st.markdown("**Uw laatste momentopnamen**")
        for i, item in enumerate(mine):
            name = item["bestanden"][0]["bestand"]
            van, tot = (date.fromisoformat(d) for d in item["periode"].split("/"))
            st.download_button(f"{formats.local_moment(item['gemaakt_op'])} · {Period(van, tot).label()}",
                               data=ui.export(role, name, lambda name=name: data.archived_file(role, name)),
                               file_name=name, mime="application/pdf", key=f"momentopname_{i}",
                               on_click="ignore", icon=":material/picture_as_pdf:")
