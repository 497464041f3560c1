"""Data (beheerder): load runs, quarantine, inbox, templates, upload, rollback."""
from functools import partial

import streamlit as st

from dijkwacht import audit, formats
from dijkwacht.app import auth, data, ui
from dijkwacht.sources import SOURCES
from etl.templates import template_names, template_xlsx

role = auth.current_role()
view = ui.start(role, "Data", page="data")

runs = data.load_runs(role)
st.subheader("Laadruns")
st.dataframe(runs, hide_index=True)

st.subheader("Quarantaine")
load_ids = [None] + runs["load_id"].to_list()
chosen = st.selectbox("Laadrun", load_ids, format_func=lambda x: "alle runs" if x is None else x)
rows = data.quarantine(role, chosen)
st.caption(f"{formats.number(rows.height)} afgekeurde regels (één regel per overtreden regel); "
           "identificerende waarden zijn verborgen.")
ui.table(view, rows, "quarantaine", key="quarantaine")

st.subheader("Stand per bron")
st.dataframe(data.source_status(role), hide_index=True)

st.subheader("Inbox en bewaartermijn")
st.dataframe(data.inbox_files(role), hide_index=True)

st.subheader("Sjablonen voor partners")
columns = st.columns(3)
for i, (source, name) in enumerate(template_names().items()):
    # Made on click (a callable): no file waits under /media for the rest of the session.
    # No rerun on click (on_click="ignore", as every other download): a rerun replaces every
    # button's deferred file, and a download clicked before the new ones arrive fails.
    columns[i % 3].download_button(f"Sjabloon {SOURCES[source].label}", partial(template_xlsx, SOURCES[source]),
                                   file_name=name, key=f"sjabloon-{source}", on_click="ignore",
                                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader("Bestand aanleveren")
# One preview per upload: its outcome is kept in the session, so a rerun writes no copy;
# the copy the preview needs lives in a private folder and is gone when the preview is done.
PREVIEW_KEY, ROUND_KEY, ACCEPTED_KEY = "beheer_upload_voorbeeld", "beheer_upload_ronde", "beheer_upload_geaccepteerd"
upload = st.file_uploader("Partnerbestand (CSV of XLSX)", type=["csv", "txt", "tsv", "xlsx"],
                          key=f"upload-{st.session_state.get(ROUND_KEY, 0)}")
accepted = st.session_state.pop(ACCEPTED_KEY, None)
if accepted:
    st.success(f"{ui.md(accepted)} staat in de inbox; de bewaker laadt het binnen een minuut.")
if upload is None:
    st.session_state.pop(PREVIEW_KEY, None)
else:
    desk = data.steward(role)
    problem = desk.check_upload(upload.name, upload.size)
    if problem:
        st.error(problem)
    else:
        ident = (getattr(upload, "file_id", None), upload.name, upload.size)
        kept = st.session_state.get(PREVIEW_KEY)
        if kept is None or kept[0] != ident:
            kept = (ident, desk.preview_bytes(upload.name, upload.getvalue()))
            if not kept[1].again:
                st.session_state[PREVIEW_KEY] = kept
        preview = kept[1]
        if preview.refusal:
            st.error(preview.refusal)
        else:
            st.info(f"{preview.source}: {preview.rows_in} regels, {preview.loaded} worden geladen, "
                    f"{preview.quarantined} gaan naar de quarantaine.")
            st.dataframe(preview.errors, hide_index=True)
            if st.button("Accepteren en in de inbox zetten", type="primary"):
                try:
                    target = desk.accept_upload(upload.name, upload.getvalue(), preview.sha256)
                except ValueError:
                    st.session_state.pop(PREVIEW_KEY, None)
                    st.error("Het bestand is veranderd sinds het voorbeeld; bekijk het opnieuw.")
                else:
                    data.log_steward_action(role, "beheer", f"upload {target.name}")
                    st.session_state.pop(PREVIEW_KEY, None)
                    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1   # empties the uploader
                    st.session_state[ACCEPTED_KEY] = target.name
                    st.rerun()

st.subheader("Auditlog")
intact, verdict = data.audit_intact(role)
(st.success if intact else st.error)(verdict)
left, middle, right = st.columns(3)
actie = left.selectbox("Actie", [None, *audit.ACTIONS], format_func=lambda a: a or "alle acties")
resultaat = middle.selectbox("Resultaat", [None, *audit.RESULTS], format_func=lambda r: r or "alle")
actor = right.text_input("Gebruiker") or None
ui.table(view, data.audit_log(role, actie=actie, resultaat=resultaat, actor=actor), "auditlog", key="auditlog")

st.subheader("Terugdraaien")
versions = data.kept_versions(role)
st.caption(f"{len(versions)} eerdere versie(s) bewaard.")
# The version served now is not kept when the previous one comes back: ask first. The
# question holds for one run; any other click on the page closes it unanswered.
CONFIRM_KEY = "beheer_terugzetten"


def _answer(step: str | None) -> None:
    st.session_state[CONFIRM_KEY] = step


step = st.session_state.pop(CONFIRM_KEY, None) if versions else None
if versions:
    st.button("Vorige versie terugzetten", key="terugzetten", on_click=_answer, args=("vraag",))
if step == "vraag":
    st.warning("De gegevens die nu getoond worden, worden vervangen door de vorige versie; de huidige "
               "versie wordt daarna niet bewaard (alleen opnieuw laden brengt haar terug). Doorgaan?",
               icon=":material/warning:")
    yes, no, _ = st.columns([1, 1, 4])
    yes.button("Ja, terugzetten", type="primary", key="terugzetten_ja", on_click=_answer, args=("ja",))
    no.button("Annuleren", key="terugzetten_nee", on_click=_answer, args=(None,))
elif step == "ja":
    restored = data.roll_back(role)
    st.success(f"Teruggezet naar de versie van load {restored}.")
