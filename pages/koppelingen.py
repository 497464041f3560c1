"""Koppelingen: the information position linked across sources (issue 10).

Keys in several sources, owner networks, problem vs intervention per buurt, signal →
outcome and the attention list. Key-level data: analist and beheerder only; keys are shown
as their first 10 characters, never as an address or identifier.
"""
from datetime import timedelta

import streamlit as st

from dijkwacht import charts, filters, formats, linkage
from dijkwacht.app import auth, data, ui

BRONNEN = linkage.SOURCES
NETWORK = ("eigendommen", "hennepkwekerijen", "verdachte_transacties")
FOLLOW_UP = ("signalen", "controles", "hennepkwekerijen")
OPEN_KEY = "koppelingen_open"             # (sign-in, key, purpose) whose timeline is open
# The open tab: only its content runs (issue 17). The choices in a tab are kept while the
# user is on the page (persist_state); the purpose of a detail view is asked anew.
TAB_KEY = "koppelingen_tab"

view = ui.start(auth.current_role(), "Koppelingen", BRONNEN, page="koppelingen")
role = view.role
since = data.record_visit(role)
everything = filters.Period(data.first_date(role) or view.stand_per, view.stand_per + timedelta(days=1))
st.caption("Adressen en personen staan hier alleen als pseudoniem: de eerste 10 tekens van hun "
           "sleutel. Dezelfde sleutel in verschillende bronnen is hetzelfde adres of dezelfde "
           "persoon of organisatie.")

tab_new, tab_keys, tab_net, tab_area, tab_out = st.tabs(
    ["Aandachtslijst", "Sleutels", "Netwerken", "Probleem en interventie", "Signaal → uitkomst"],
    key=TAB_KEY, on_change="rerun")

with tab_new:
    if tab_new.open:
        chosen = st.date_input("Nieuw sinds", value=since, max_value=view.stand_per, format="DD-MM-YYYY",
                               help="Standaard: de stand per bij uw vorige bezoek aan deze pagina.",
                               key="koppelingen_sinds", persist_state="page")
        attention = data.attention_list(role, chosen)
        st.metric("Nieuwe registraties bij bekende sleutels", formats.number(data.attention_count(role, chosen)))
        st.caption("Nieuw: geregistreerd na de gekozen datum. Bekend: de sleutel had al een "
                   "hennepkwekerij, verdachte transactie, signaal of controle met overtreding of "
                   "maatregel, of de eigenaar van het adres had die.")
        ui.table(view, linkage.shown_attention(attention), "aandachtslijst", "aandacht")

with tab_keys:
    if tab_keys.open:
        st.markdown(linkage.SCORE_UITLEG)
        keys = data.linked_keys(role)           # the data.KEY_LIMIT highest
        ui.table(view, linkage.shown_keys(keys), "gekoppelde_sleutels", "sleutels")
        st.caption(f"{formats.number(data.linked_key_count(role))} gekoppelde sleutels; de "
                   f"{formats.number(data.KEY_LIMIT)} hoogste staan in de tabel.")

        st.subheader("Tijdlijn van één sleutel")
        key = st.selectbox("Sleutel", keys["sleutel"].to_list(), format_func=linkage.short,
                           key="koppelingen_sleutel", persist_state="page")
        purpose = st.selectbox("Doel van het inzien", [*linkage.DETAIL_PURPOSES, "Zaaknummer"], index=None,
                               placeholder="Kies een doel")
        if purpose == "Zaaknummer":
            purpose = st.text_input("Zaaknummer", max_chars=40)
        if st.button("Tijdlijn openen", disabled=not linkage.valid_purpose(purpose)):
            data.log_detail_view(role, key, purpose)
            st.session_state[OPEN_KEY] = (auth.session_ref(), key, purpose)
        # Open only for the sign-in that chose a purpose (and was audited): sign-out clears it,
        # and a value left from another sign-in in this tab does not count.
        opened = st.session_state.get(OPEN_KEY)
        if (isinstance(opened, tuple) and len(opened) == 3 and opened[0] is not None
                and opened[0] == auth.session_ref() and opened[1] == key):
            line = data.key_timeline(role, key)
            ui.chart(view, charts.key_timeline(line, linkage.SOURCE_LABELS), BRONNEN,
                     f"Tijdlijn van sleutel {linkage.short(key)}: {line.height} registraties.",
                     key="tijdlijn", period=everything, note="Open rondje: op een adres in eigendom.")
            ui.table(view, linkage.shown_timeline(line), f"tijdlijn_{linkage.short(key)}", "tijdlijn_tabel")

with tab_net:
    if tab_net.open:
        st.caption("Eigenaren en FIU-subjecten verbonden via de adressen die zij bezitten (eigendommen) "
                   "of waar zij geregistreerd zijn (hennepkwekerij, verdachte transactie). Een cluster is "
                   "een groep die zo met elkaar verbonden is; gerangschikt op aantal adressen, dan "
                   "registraties.")
        clusters = data.owner_clusters(role)    # the data.CLUSTER_LIMIT largest
        ui.table(view, linkage.shown_clusters(clusters), "clusters", "clusters")
        if clusters.height:
            number = st.selectbox("Cluster", clusters["cluster"].to_list(),
                                  format_func=lambda n: linkage.cluster_sentence(clusters.row(n - 1, named=True)),
                                  key="koppelingen_cluster", persist_state="page")
            row = clusters.row(number - 1, named=True)
            nodes, edges = data.cluster_network(role, tuple(row["sleutels"]))
            ui.chart(view, charts.network(nodes, edges), NETWORK, linkage.cluster_sentence(row),
                     key="netwerk", period=everything)

with tab_area:
    if tab_area.open:
        area = data.problem_intervention(role, view.period, view.buurten)
        st.caption("Problemen: hennepkwekerijen, verdachte transacties, signalen. Interventies: "
                   "sluitingen, lasten onder dwangsom, bestuurlijke waarschuwingen, Bibob geweigerd of "
                   "ingetrokken, uitkeringen stopgezet, beslagen. Gesorteerd op problemen zonder interventie.")
        top = area.head(15)
        ui.chart(view, charts.bars(top.rename({"buurtnaam": "Buurt"}), "Buurt", "onbeantwoord"),
                 (*linkage.PROBLEMS, "controles"),
                 charts.summary_bars(top.rename({"buurtnaam": "Buurt"}), "Buurt", "onbeantwoord",
                                     "problemen zonder interventie per buurt"), key="buurten")
        ui.table(view, linkage.shown_buurten(area), "probleem_interventie_buurt", "buurten_tabel")

with tab_out:
    if tab_out.open:
        outcome = data.signal_outcomes(role, view.period, view.buurten)
        funnel = outcome["trechter"]
        share = funnel["aandeel"][-1] if funnel.height and funnel["aantal"][0] else None
        ui.chart(view, charts.outcome_funnel(funnel), FOLLOW_UP,
                 f"Van de signalen in deze periode leidde {formats.percent(share)} binnen "
                 f"{linkage.FOLLOW_UP_DAYS} dagen tot een maatregel op hetzelfde adres.", key="trechter",
                 note="Gevolgd: een controle of ontmanteling op hetzelfde adres op of na de datum van het signaal.")
        ui.table(view, linkage.shown_referrals(outcome["per_doorverwijzing"]), "signaal_uitkomst", "uitkomst")
