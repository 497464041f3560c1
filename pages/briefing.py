"""Briefing (home, all roles): the headline indicators for the chosen period beside the
previous period and the same period a year before; what changed most; the top areas;
each source's stand per. Presentation mode: large type, no sidebar, no detail."""
import streamlit as st

from dijkwacht import access, auth, charts, data, formats, ui
from dijkwacht.measures import BY_CODE, HANDHAVING_LABEL, HEADLINE

SOURCES = ("hennepkwekerijen", "verdachte_transacties", "signalen", "controles")

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
        st.metric(indicator.naam, formats.value(now, indicator.eenheid),
                  delta=(f"{change} t.o.v. vorig jaar" if (change := formats.change(now, last_year))
                         else None),
                  delta_color="off", help=indicator.definitie)
        if not view.presentation:
            st.caption(f"Vorig jaar {formats.value(last_year, indicator.eenheid)}"
                       + ("" if same else f" · vorige periode {formats.value(previous, indicator.eenheid)} "
                                          f"({formats.change(now, previous) or '–'})")
                       + (f" · {HANDHAVING_LABEL}" if indicator.handhaving else ""))

st.subheader("Wat veranderde het meest")
left, right = st.columns(2)
for column, soort, title in ((left, "wijk", "Per wijk"), (right, "thema", "Per thema (signalen)")):
    rises = charts.biggest_rises(briefing["veranderingen"], soort)
    with column:
        st.markdown(f"**{title}**")
        lines = [charts.rise_sentence(row) for row in rises.iter_rows(named=True)]
        st.markdown("\n".join(f"- {line}" for line in lines) if lines
                    else "Geen stijgingen tegenover dezelfde periode een jaar eerder.")

st.subheader("Wijken met de meeste zaken")
top = charts.top_areas(briefing["veranderingen"], n=3 if view.presentation else 20)
if view.presentation:
    st.markdown("\n".join(f"{i}. **{row['naam']}** — {formats.value(row['zaken'] if row['zaken'] is not None else row['zaken_weergave'], 'aantal')} zaken"
                          for i, row in enumerate(top.iter_rows(named=True), start=1)))
else:
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
    st.caption("Legt de cijfers van deze periode en dit gebied vast als PDF, met de stand per van de "
               "gegevens, en bewaart die in het archief.")
    if st.button("Momentopname maken", key="momentopname", icon=":material/photo_camera:"):
        kept = data.keep_snapshot(role, st.session_state.get(auth.NAME_KEY) or role, view.period,
                                  view.filters.gebied, view.area)
        st.session_state["momentopname"] = kept["bestanden"][0]["bestand"]
    if st.session_state.get("momentopname"):
        name = st.session_state["momentopname"]
        st.download_button("Momentopname (PDF)", data=lambda: ui.exported(role, name, data.archived_file(role, name), filters=view.filters.to_query()),
                           file_name=name,
                           mime="application/pdf", key="momentopname_pdf", on_click="ignore",
                           icon=":material/picture_as_pdf:")
