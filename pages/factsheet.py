"""Factsheet (all roles): the annual indicator set beside the year before, with charts, the
wijk map, the caveats and the sources; the PDF (PDF/UA and PDF/A) and each page as PNG at
300 dpi for everyone, charts and map (PNG/SVG) and the indicator table (XLSX) for analysts;
publishing to the archive and the archive list.
Every figure on this page is published output (publication profile: counts rounded to 5,
wijk cells 1–9 hidden). Republishing a year that is in the archive may be refused: the
changed cells are shown and the analyst picks one of the fixed reasons."""
from datetime import date

import streamlit as st

from dijkwacht import access, formats
from dijkwacht.app import auth, data, ui
from dijkwacht.documents import archive, charts, figures, letter, pdf
from dijkwacht.measures import BY_CODE, DISCOVERY_BAND, DISCOVERY_FACTOR, HEADLINE, latest_complete_year

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
           "alle cijfers zijn publicatieveilig (stad en wijk); aantallen afgerond op 5, ook de stadstotalen")
if fs.demo:
    st.badge("Demodata — alle cijfers zijn verzonnen", icon=":material/science:", color="orange")

columns = st.columns(3)
for i, code in enumerate(HEADLINE):
    c = fs.cijfer(code)
    with columns[i % 3]:
        change = figures.change_text(c["waarde"], c["vorig"], c["eenheid"])
        # no arrow where nothing rose or fell, or the change cannot be shown ("–")
        flat = c["waarde"] == c["vorig"] or not any(ch.isdigit() for ch in change)
        st.metric(c["naam"], figures.NO_DATA if c["waarde"] is None else figures.shown(c["waarde"], c["eenheid"]),
                  delta=f"{change} t.o.v. {year - 1}", delta_color="off", delta_arrow="off" if flat else "auto",
                  help=c["definitie"])
        if c["handhaving"]:
            st.caption("handhavingsoutput, geen maat voor omvang")
if fs.schatting is not None:
    low, mid, high = fs.schatting
    st.info(f"Geschat aantal hennepkwekerijen {year}: {formats.number(low)} tot {formats.number(high)} "
            f"(middenschatting {formats.number(mid)}). Aanname: ongeveer 1 op {DISCOVERY_FACTOR} wordt "
            f"gevonden (bandbreedte × {DISCOVERY_BAND[0]} tot × {DISCOVERY_BAND[1]}).")
st.write(f"**{figures.dwangsom_text(fs)}** (het bedrag telt alleen de lasten waarvan het bedrag is vastgelegd).")

chart_png = data.factsheet_charts(role, year)
left, right = st.columns(2)
for column, names in ((left, ("hennep", "handhaving")), (right, ("reeks", "activiteiten"))):
    with column:
        for name in names:
            st.image(chart_png[name], caption=charts.CHARTS[name][0], width="stretch")

st.subheader(f"Alle indicatoren, {year} en {year - 1}")
st.dataframe([{"Indicator": c["naam"], str(year): figures.shown(c["waarde"], c["eenheid"]),
               str(year - 1): figures.shown(c["vorig"], c["eenheid"]),
               "Verschil": figures.change_text(c["waarde"], c["vorig"], c["eenheid"]),
               "Bron": figures.bron_text(c["bronnen"], short=False),
               "Handhavingsoutput": "ja" if c["handhaving"] else ""} for c in fs.cijfers],
             hide_index=True)
st.caption("– = geen gegevens (de bron levert pas later); x = niet getoond (het aantal waarop het cijfer "
           "berust is kleiner dan 5). " + figures.ROUNDING_NOTE.replace("&lt;", "<"))

st.subheader(f"Per wijk, {year}")
left, right = st.columns([1, 1])
with left:
    st.dataframe([{"Wijk": r["wijk"], **{BY_CODE[c].naam: figures.cell_text(r[c]) for c in fs.wijk_codes}}
                  for r in fs.wijken]
                 + [{"Wijk": "Gemeente", **{BY_CODE[c].naam: figures.cell_text(fs.cijfer(c)["waarde"])
                                            for c in fs.wijk_codes}}], hide_index=True)
    st.caption(figures.HIDDEN_NOTE)
with right:
    st.image(chart_png["kaart"], caption=charts.MAP_TITLE, width="stretch")

st.subheader("Activiteiten van het programma (pijler 2 en 3)")
if fs.activiteiten:
    st.dataframe([{"Pijler": figures.PIJLER_NAMEN.get(a["pijler"], a["pijler"]),
                   "Soort": figures.SOORT_NAMEN.get(a["soort"], a["soort"]),
                   "Aantal": figures.cell_text(a["aantal"]), "Deelnemers": figures.cell_text(a["deelnemers"])}
                  for a in fs.activiteiten], hide_index=True)
    st.caption(f"Totaal: {figures.shown(fs.cijfer('activiteiten_aantal')['waarde'])} activiteiten, "
               f"{figures.shown(fs.cijfer('activiteiten_deelnemers')['waarde'], 'deelnemers')} deelnemers. "
               "Zoals de indicator luidt: pijler 2 en 3; pijler 1 (de aanpak) staat in de handhavingscijfers.")
else:
    st.caption(f"Geen gegevens over activiteiten in {year}.")

st.subheader("Lees deze cijfers zo")
st.markdown("\n".join("- " + line.replace("<b>", "**").replace("</b>", "**")
                      for line in pdf.caveats(fs, str(year))))
st.subheader("Bronnen en stand per")
st.markdown("\n".join(
    f"- {b['naam']}: stand per {formats.day(date.fromisoformat(b['stand_per'])) if b['stand_per'] else '–'}"
    + (f", gegevens vanaf {formats.day(date.fromisoformat(b['eerste_datum']))}" if b.get("eerste_datum") else "")
    for b in fs.bronnen) + f"\n- Wijkgrenzen: CBS Wijk- en buurtkaart 2020 ({fs.attributie}, CC BY 4.0)")

# --- downloads: the app's own buttons, gated by role (DESIGN §6); each file is made on click
st.subheader("Downloaden")
name = f"factsheet-{fs.gemeente.lower()}-{year}"
# The edition's accompanying text (the programme's "kort begeleidend schrijven"): analysts
# write it, it is printed on page 2 and archived with the edition; others get the last one.
begeleidend = data.edition_text(role, year)
if access.may(role, "export_tables"):
    begeleidend = st.text_area(
        "Begeleidend schrijven bij deze editie", value=begeleidend or "", max_chars=letter.MAX_CHARS,
        key=f"fs_begeleidend_{year}", height=110,
        help=f"Gewone tekst, hoogstens {letter.MAX_PARAGRAPHS} alinea's (een lege regel ertussen). Staat op "
             "pagina 2 van de factsheet en wordt met de editie in het archief bewaard.")
try:
    letter.clean(begeleidend)
    fits = True
except letter.TeLang as too_long:
    st.error(str(too_long))
    fits = False


def document(kind: str) -> bytes:
    return data.factsheet_document(role, year, begeleidend)[kind]


def svg(chart: str) -> bytes:
    return data.factsheet_reuse(role, year, "svg")[chart]


a, b, c, _ = st.columns([1, 1, 1, 2])
a.download_button("PDF", data=ui.export(role, f"{name}.pdf", lambda: document("pdf")), file_name=f"{name}.pdf",
                  mime="application/pdf", key="fs_pdf", on_click="ignore", icon=":material/picture_as_pdf:",
                  disabled=not fits)
b.download_button("PNG pagina 1", data=ui.export(role, f"{name}.png", lambda: document("png")),
                  file_name=f"{name}.png", mime="image/png", key="fs_png", on_click="ignore", icon=":material/image:",
                  disabled=not fits)
c.download_button("PNG pagina 2", data=ui.export(role, f"{name}-pagina-2.png", lambda: document("pagina-2.png")),
                  file_name=f"{name}-pagina-2.png", mime="image/png", key="fs_png_2", on_click="ignore",
                  icon=":material/image:", disabled=not fits)
st.caption("De PDF is toegankelijk (PDF/UA) en archiefwaardig (PDF/A). De PNG's zijn de pagina's op "
           "300 dpi (A4: 2480 × 3508 pixels), voor drukwerk en de vormgever.")
if access.may(role, "export_tables"):
    st.caption("Voor hergebruik: elke grafiek als PNG of SVG, en de indicatorentabel als Excel.")
    for chart, (title, _) in charts.CHARTS.items():
        c1, c2, c3 = st.columns([3, 1, 1])
        c1.write(title)
        c2.download_button("PNG", data=ui.export(role, f"{name}-{chart}.png", lambda c=chart: chart_png[c]),
                           file_name=f"{name}-{chart}.png",
                           mime="image/png", key=f"fs_{chart}_png", on_click="ignore")
        c3.download_button("SVG", data=ui.export(role, f"{name}-{chart}.svg", lambda c=chart: svg(c)),
                           file_name=f"{name}-{chart}.svg",
                           mime="image/svg+xml", key=f"fs_{chart}_svg", on_click="ignore")
    c1, c2, c3 = st.columns([3, 1, 1])
    c1.write(charts.MAP_TITLE)
    c2.download_button("PNG", data=ui.export(role, f"{name}-kaart.png", lambda: chart_png["kaart"]),
                       file_name=f"{name}-kaart.png",
                       mime="image/png", key="fs_kaart_png", on_click="ignore")
    c3.download_button("SVG", data=ui.export(role, f"{name}-kaart.svg", lambda: svg("kaart")),
                       file_name=f"{name}-kaart.svg",
                       mime="image/svg+xml", key="fs_kaart_svg", on_click="ignore")
    st.download_button("Indicatoren (Excel)", data=ui.export(role, f"{name}-indicatoren.xlsx",
                                                           lambda: data.factsheet_reuse(role, year, "xlsx")),
                       file_name=f"{name}-indicatoren.xlsx", key="fs_xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/table:")

    st.subheader("Publiceren")
    st.caption("Publiceren bewaart de PDF, de PNG's, de begeleidende tekst en de cijfers in het archief, "
               "met wie, wanneer en uit welke gegevenslading. Is dit jaar al gepubliceerd, dan worden de cijfers "
               "vergeleken met de vorige editie.")
    who = st.session_state.get(auth.NAME_KEY) or role
    if st.button("Publiceren", key="fs_publiceren", icon=":material/publish:", disabled=not fits):
        try:
            row = data.publish_factsheet(role, who, year, begeleidend=begeleidend)
        except archive.Republicatie as refusal:
            st.session_state["fs_herpublicatie"] = {
                "jaar": year, "vorige": refusal.vorige["gemaakt_op"],
                "wijzigingen": [dict(w) for w in refusal.check.wijzigingen]}
        else:
            st.session_state.pop("fs_herpublicatie", None)
            st.success(f"Gepubliceerd en bewaard in het archief ({row['gemaakt_op']}).")
    refusal = st.session_state.get("fs_herpublicatie")
    if refusal and refusal["jaar"] == year:
        st.warning(f"De factsheet {year} is al gepubliceerd ({refusal['vorige']}). Een cel die met minder "
                   f"dan {archive.SINGLE_OUT} registraties verandert, kan die registraties aanwijzen: opnieuw "
                   "publiceren kan alleen met een reden, die in het archief wordt vastgelegd.",
                   icon=":material/warning:")
        st.dataframe([{"Cel": w["cel"], "Gepubliceerd": archive.value_text(w["oud"]),
                       "Nu": archive.value_text(w["nieuw"]),
                       f"Minder dan {archive.SINGLE_OUT} registraties": "ja" if w["aanwijsbaar"] else ""}
                      for w in refusal["wijzigingen"]], hide_index=True)
        reden = st.selectbox("Reden van de nieuwe editie", archive.REDENEN, index=None,
                             placeholder="Kies een reden", key="fs_reden")
        if st.button("Opnieuw publiceren met deze reden", key="fs_herpubliceren",
                     icon=":material/publish:", disabled=reden is None):
            row = data.publish_factsheet(role, who, year, reden=reden, begeleidend=begeleidend)
            st.session_state.pop("fs_herpublicatie", None)
            st.success(f"Opnieuw gepubliceerd en bewaard in het archief ({row['gemaakt_op']}); "
                       f"reden: {reden}.")

# --- the archive ---------------------------------------------------------------------------
st.subheader("Archief")
rows = data.archive(role)
if not rows:
    st.caption("Nog niets gepubliceerd of bewaard.")
else:
    st.dataframe([{"Soort": "Factsheet" if r["soort"] == "factsheet" else "Briefing (momentopname)",
                   "Periode": r["periode"], "Gemaakt door": r["gemaakt_door"], "Op (UTC)": r["gemaakt_op"],
                   "Gegevenslading": r["load_id"], "Stand per": r["stand_per"],
                   "Reden": r["filters"].get("reden", ""),
                   "Demo": "ja" if r["demo"] else "",
                   "Bestanden": ", ".join(f["bestand"] for f in r["bestanden"])} for r in rows],
                 hide_index=True)
    choice = st.selectbox("Bestand uit het archief", [f["bestand"] for r in rows for f in r["bestanden"]
                                                      if not f["bestand"].endswith(".json")],
                          key="fs_archief_keuze")
    if choice:
        st.download_button("Download uit archief",
                           data=ui.export(role, choice, lambda: data.archived_file(role, choice)),
                           file_name=choice, key="fs_archief_download", on_click="ignore",
                           mime="application/pdf" if choice.endswith(".pdf") else "image/png")
