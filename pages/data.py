"""Data (beheerder), in the order a steward works: what each source stands at and when its next
delivery is due, upload (practice on the demo), load runs and quarantine, inbox, rollback,
templates, audit log."""
from functools import partial

import streamlit as st

from dijkwacht import formats
from dijkwacht.app import auth, data, ui
from dijkwacht.app import steward_view as shown
from dijkwacht.sources import SOURCES
from etl.advice import next_step
from etl.templates import template_names, template_ods, template_xlsx

role = auth.current_role()
view = ui.start(role, "Data", page="data")
desk = data.steward(role)
rehearsing = desk.rehearsing()
if rehearsing:
    st.info("**Oefenomgeving.** Dit is de demodatabase: wat u hier aanlevert komt alleen in de demo, nooit bij "
            "echte gegevens, en alleen oefenbestanden worden geladen. Oefen de hele gang: download het "
            "oefenbestand, lever het aan onder *Bestand aanleveren*, bekijk voorbeeld en quarantaine, accepteer, "
            "zie de cijfers op de Briefing veranderen en zet onder *Terugdraaien* de vorige versie terug.",
            icon=":material/school:")
    practice_name, practice = data.practice_file(role)
    st.download_button("Oefenbestand downloaden", practice, file_name=practice_name, mime="text/csv",
                       key="oefenbestand", on_click="ignore", icon=":material/download:")

st.subheader("Stand per bron")
ui.grid(shown.source_status(data.source_status(role)))
ui.deliveries(role)

st.subheader("Bestand aanleveren")
# One preview per upload: its outcome is kept in the session, so a rerun writes no copy;
# the copy the preview needs lives in a private folder and is gone when the preview is done.
PREVIEW_KEY, ROUND_KEY, ACCEPTED_KEY = "beheer_upload_voorbeeld", "beheer_upload_ronde", "beheer_upload_geaccepteerd"
upload = st.file_uploader("Oefenbestand (CSV, Excel of OpenDocument)" if rehearsing else
                          "Partnerbestand (CSV, Excel of OpenDocument)",
                          type=[suffix.lstrip(".") for suffix in desk.UPLOAD_SUFFIXES],
                          key=f"upload-{st.session_state.get(ROUND_KEY, 0)}")
accepted = st.session_state.pop(ACCEPTED_KEY, None)
if accepted:
    st.success(f"{ui.md(accepted)} staat in de inbox; de bewaker laadt het binnen een minuut.")
if upload is None:
    st.session_state.pop(PREVIEW_KEY, None)
else:
    problem = desk.check_upload(upload.name, upload.size)
    if problem:
        st.error(f"{problem}. {next_step(problem)}")
    else:
        ident = (getattr(upload, "file_id", None), upload.name, upload.size)
        kept = st.session_state.get(PREVIEW_KEY)
        if kept is None or kept[0] != ident:
            kept = (ident, desk.preview_bytes(upload.name, upload.getvalue()))
            if not kept[1].again:
                st.session_state[PREVIEW_KEY] = kept
        preview = kept[1]
        if preview.refusal:
            st.error(f"{ui.md(preview.refusal)} {next_step(preview.refusal)}")
        else:
            st.info(f"**Voorbeeld** — {SOURCES[preview.source].label}: "
                    f"{shown.count(preview.rows_in, 'regel', 'regels')}, "
                    f"{shown.count(preview.loaded, 'wordt', 'worden')} geladen, "
                    f"{shown.count(preview.quarantined, 'gaat', 'gaan')} naar de quarantaine. "
                    + next_step(None, preview.quarantined, previewing=True))
            ui.grid(shown.quarantine_by_rule(shown.preview_errors(preview)).drop("Bestand"))
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

runs = data.load_runs(role)
st.subheader("Laadruns")
ui.grid(shown.runs(runs))

st.subheader("Quarantaine")
labels = {r["load_id"]: shown.run_label(r) for r in runs.iter_rows(named=True)}
load_id = st.selectbox("Laadrun", [None, *labels], format_func=lambda i: labels.get(i, "alle laadruns"))
files = data.load_files(role, load_id)
ui.grid(shown.load_files(files))
rows = data.quarantine(role, load_id)
st.caption(f"{shown.count(rows.height, 'afgekeurde regel', 'afgekeurde regels')}, gegroepeerd per regel die "
           "niet klopt; identificerende waarden zijn verborgen.")
ui.grid(shown.quarantine_by_rule(rows))
with st.expander("Alle afgekeurde regels (om terug te sturen naar de partner)"):
    ui.table(view, shown.quarantine_lines(rows), "quarantaine", key="quarantaine")

st.subheader("Inbox en bewaartermijn")
ui.grid(shown.inbox(data.inbox_files(role)))

st.subheader("Terugdraaien")
versions = data.kept_versions(role)
st.caption(f"{shown.count(len(versions), 'eerdere versie', 'eerdere versies')} bewaard.")
if versions:
    ui.grid(shown.versions(versions))
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
    st.success(f"Teruggezet naar de vorige versie (laadrun {restored}); de stappen staan in het auditlog.")

st.subheader("Sjablonen voor partners")
st.caption("Eén sjabloon per bron, met uitleg per kolom en keuzelijsten; in Excel of in OpenDocument "
           "(LibreOffice). Wat erin past, laadt zonder quarantaine.")
excel, ods = st.columns(2)
for source, name in template_names().items():
    # Made on click (a callable): no file waits under /media for the rest of the session.
    # No rerun on click (on_click="ignore", as every other download): a rerun replaces every
    # button's deferred file, and a download clicked before the new ones arrive fails.
    label = SOURCES[source].label
    excel.download_button(f"{label} (.xlsx)", partial(template_xlsx, SOURCES[source]), file_name=name,
                          key=f"sjabloon-{source}", on_click="ignore", icon=":material/download:",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ods.download_button(f"{label} (.ods)", partial(template_ods, SOURCES[source]),
                        file_name=template_names("ods")[source], key=f"sjabloon-{source}-ods", on_click="ignore",
                        icon=":material/download:", mime="application/vnd.oasis.opendocument.spreadsheet")

st.subheader("Auditlog")
intact, verdict = data.audit_intact(role)
(st.success if intact else st.error)(verdict)
people, days = data.audit_choices(role)
who, what, result, when = st.columns([2, 2, 1, 2])
actor = who.selectbox("Wie", [None, *people], format_func=lambda a: a or "iedereen")
actie = what.selectbox("Actie", [None, *shown.AUDIT_ACTIONS],
                       format_func=lambda a: shown.AUDIT_ACTIONS.get(a, "alle acties"))
resultaat = result.selectbox("Resultaat", [None, *shown.AUDIT_RESULTS],
                             format_func=lambda r: shown.AUDIT_RESULTS.get(r, "alle"))
day = when.selectbox("Dag", [None, *days], format_func=lambda d: formats.day(d) if d else "alle dagen")
van, tot = shown.utc_bounds((day,) if day else ())
ui.table(view, shown.audit_log(data.audit_log(role, actie=actie, resultaat=resultaat, actor=actor, van=van, tot=tot)),
         "auditlog", key="auditlog")
