"""Factsheet (all roles): the annual indicator set beside the year before, with charts, the
wijk map, the caveats and the sources; PDF and PNG for everyone, charts (PNG/SVG) and the
indicator table (XLSX) for analysts; publishing to the archive and the archive list."""
from datetime import date

import streamlit as st

from dijkwacht import access, auth, data, formats, ui
from dijkwacht import factsheet as fsh
from dijkwacht.indicators import BY_CODE, DISCOVERY_BAND, DISCOVERY_FACTOR, HEADLINE, latest_complete_year

role = auth.current_role()
meta = ui.guard(role, "factsheet")

last = latest_complete_year(meta["stand_per"])
years = list(range(last, 2012, -1))      # the year before must exist too (data from 2012)
year = st.selectbox("Jaar", years, index=0, key="factsheet_jaar",
                    help="Standaard het laatste volledige jaar vóór de stand per van de gegevens.")
fs = data.factsheet(role, year)
data.log_view(role, "factsheet", filters={"jaar": year})

st.title(fs.titel)
st.caption(f"{year} tegenover {year - 1} · stand per {formats.day(meta['stand_per'])} · "
           "alle cijfers zijn publicatieveilig (stad en wijk)")
if fs.demo:
    st.badge("Demodata — alle cijfers zijn verzonnen", icon=":material/science:", color="orange")

columns = st.columns(3)
for i, code in enumerate(HEADLINE):
    c = fs.cijfer(code)
    with columns[i % 3]:
        st.metric(c["naam"], formats.value(c["waarde"], c["eenheid"]),
                  delta=f"{fsh.change_text(c['waarde'], c['vorig'], c['eenheid'])} t.o.v. {year - 1}",
                  delta_color="off", help=c["definitie"])
        if c["handhaving"]:
            st.caption("handhavingsoutput, geen maat voor omvang")
low, mid, high = fs.schatting
st.info(f"Geschat aantal hennepkwekerijen {year}: {formats.number(low)} tot {formats.number(high)} "
        f"(middenschatting {formats.number(mid)}). Aanname: ongeveer 1 op {DISCOVERY_FACTOR} wordt "
        f"gevonden (bandbreedte × {DISCOVERY_BAND[0]} tot × {DISCOVERY_BAND[1]}).")

files = data.factsheet_files(role, year)
left, right = st.columns(2)
for column, names in ((left, ("hennep", "handhaving")), (right, ("reeks", "activiteiten"))):
    with column:
        for name in names:
            st.image(files["charts"][name], caption=fsh.CHARTS[name][0], width="stretch")

st.subheader(f"Alle indicatoren, {year} en {year - 1}")
st.dataframe([{"Indicator": c["naam"], str(year): formats.value(c["waarde"], c["eenheid"]),
               str(year - 1): formats.value(c["vorig"], c["eenheid"]),
               "Verschil": fsh.change_text(c["waarde"], c["vorig"], c["eenheid"]),
               "Bron": c["bron"].replace("_", " "),
               "Handhavingsoutput": "ja" if c["handhaving"] else ""} for c in fs.cijfers],
             hide_index=True)

st.subheader(f"Per wijk, {year}")
left, right = st.columns([1, 1])
with left:
    st.dataframe([{"Wijk": r["wijk"], **{BY_CODE[c].naam: fsh.cell_text(r[c]) for c in fs.wijk_codes}}
                  for r in fs.wijken], hide_index=True)
    st.caption(fsh.HIDDEN_NOTE)
with right:
    st.image(files["charts"]["kaart"], caption=fsh.MAP_TITLE, width="stretch")

st.subheader("Activiteiten van het programma")
st.dataframe([{"Pijler": fsh.PIJLER_NAMEN.get(a["pijler"], a["pijler"]),
               "Soort": fsh.SOORT_NAMEN.get(a["soort"], a["soort"]),
               "Aantal": a["aantal"], "Deelnemers": a["deelnemers"]} for a in fs.activiteiten],
             hide_index=True)

st.subheader("Lees deze cijfers zo")
st.markdown("\n".join("- " + line.replace("<b>", "**").replace("</b>", "**")
                      for line in fsh.caveats(fs, str(year))))
st.subheader("Bronnen en stand per")
st.markdown("\n".join(
    f"- {b['naam']}: stand per {formats.day(date.fromisoformat(b['stand_per'])) if b['stand_per'] else '–'}"
    for b in fs.bronnen) + f"\n- Wijkgrenzen: CBS Wijk- en buurtkaart 2020 ({fs.attributie}, CC BY 4.0)")

# --- downloads: the app's own buttons, gated by role (DESIGN §6) -------------------------
# through dijkwacht/audit.py once it exists.
st.subheader("Downloaden")
name = f"factsheet-{fs.gemeente.lower()}-{year}"
a, b, _ = st.columns([1, 1, 3])
a.download_button("PDF", data=lambda: ui.exported(role, f"{name}.pdf", files["pdf"]), file_name=f"{name}.pdf", mime="application/pdf",
                  key="fs_pdf", on_click="ignore", icon=":material/picture_as_pdf:")
b.download_button("PNG", data=lambda: ui.exported(role, f"{name}.png", files["png"]), file_name=f"{name}.png", mime="image/png",
                  key="fs_png", on_click="ignore", icon=":material/image:")
if access.may(role, "export_tables"):
    st.caption("Voor hergebruik: elke grafiek als PNG of SVG, en de indicatorentabel als Excel.")
    svgs = data.factsheet_reuse(role, year, "svg")
    for chart, (title, _) in fsh.CHARTS.items():
        c1, c2, c3 = st.columns([3, 1, 1])
        c1.write(title)
        c2.download_button("PNG", data=lambda c=chart: ui.exported(role, f"{name}-{c}.png", files["charts"][c]),
                           file_name=f"{name}-{chart}.png",
                           mime="image/png", key=f"fs_{chart}_png", on_click="ignore")
        c3.download_button("SVG", data=lambda c=chart: ui.exported(role, f"{name}-{c}.svg", svgs[c]),
                           file_name=f"{name}-{chart}.svg",
                           mime="image/svg+xml", key=f"fs_{chart}_svg", on_click="ignore")
    c1, c2, _ = st.columns([3, 1, 1])
    c1.write(fsh.MAP_TITLE)
    c2.download_button("PNG", data=lambda: ui.exported(role, f"{name}-kaart.png", files["charts"]["kaart"]),
                       file_name=f"{name}-kaart.png",
                       mime="image/png", key="fs_kaart_png", on_click="ignore")
    st.download_button("Indicatoren (Excel)", data=lambda: ui.exported(role, f"{name}-indicatoren.xlsx",
                                                         data.factsheet_reuse(role, year, "xlsx")),
                       file_name=f"{name}-indicatoren.xlsx", key="fs_xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/table:")

    st.subheader("Publiceren")
    st.caption("Publiceren bewaart de PDF, de PNG en de cijfers in het archief, met wie, wanneer "
               "en uit welke gegevenslading.")
    if st.button("Publiceren", key="fs_publiceren", icon=":material/publish:"):
        row = data.publish_factsheet(role, st.session_state.get(auth.NAME_KEY) or role, year)
        st.success(f"Gepubliceerd en bewaard in het archief ({row['gemaakt_op']}).")

# --- the archive ---------------------------------------------------------------------------
st.subheader("Archief")
rows = data.archive(role)
if not rows:
    st.caption("Nog niets gepubliceerd of bewaard.")
else:
    st.dataframe([{"Soort": "Factsheet" if r["soort"] == "factsheet" else "Briefing (momentopname)",
                   "Periode": r["periode"], "Gemaakt door": r["gemaakt_door"], "Op (UTC)": r["gemaakt_op"],
                   "Gegevenslading": r["load_id"], "Stand per": r["stand_per"],
                   "Demo": "ja" if r["demo"] else "",
                   "Bestanden": ", ".join(f["bestand"] for f in r["bestanden"])} for r in rows],
                 hide_index=True)
    choice = st.selectbox("Bestand uit het archief", [f["bestand"] for r in rows for f in r["bestanden"]
                                                      if not f["bestand"].endswith(".json")],
                          key="fs_archief_keuze")
    if choice:
        st.download_button("Download uit archief", data=lambda: ui.exported(role, choice, data.archived_file(role, choice)),
                           file_name=choice, key="fs_archief_download", on_click="ignore",
                           mime="application/pdf" if choice.endswith(".pdf") else "image/png")
