"""Data (beheerder): load runs, quarantine, inbox, templates, upload, rollback."""
import tempfile
from pathlib import Path

import streamlit as st

from dijkwacht import audit, auth, beheer, data, formats, ui
from etl.sources import SOURCES
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
    columns[i % 3].download_button(f"Sjabloon {SOURCES[source].label}", template_xlsx(SOURCES[source]),
                                   file_name=name, key=f"sjabloon-{source}")

st.subheader("Bestand aanleveren")
upload = st.file_uploader("Partnerbestand (CSV of XLSX)", type=["csv", "txt", "tsv", "xlsx"])
if upload is not None:
    problem = beheer.check_upload(upload.name, upload.size)
    if problem:
        st.error(problem)
    else:
        staging = Path(tempfile.mkdtemp(prefix="dijkwacht-upload-")) / beheer.safe_upload_name(upload.name)
        staging.write_bytes(upload.getvalue())
        prepared, refusal = beheer.preview_upload(staging)
        if refusal:
            st.error(refusal)
        else:
            report = prepared.report
            st.info(f"{report.source}: {report.rows_in} regels, {report.loaded} worden geladen, "
                    f"{report.quarantined} gaan naar de quarantaine.")
            st.dataframe(prepared.errors, hide_index=True)
            if st.button("Accepteren en in de inbox zetten", type="primary"):
                target = beheer.accept_upload(staging)
                data.log_steward_action(role, "beheer", f"upload {target.name}")
                st.success(f"{target.name} staat in de inbox; de bewaker laadt het binnen een minuut.")

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
if versions and st.button("Vorige versie terugzetten"):
    restored = data.roll_back(role)
    st.success(f"Teruggezet naar de versie van load {restored}.")
