"""Kaart (all roles): choropleth per buurt or wijk, change map, Gi* hotspots, focus areas,
and the profile of a clicked buurt — problem and intervention side by side."""
import polars as pl
import streamlit as st
from streamlit_folium import st_folium

from dijkwacht import access, auth, config, data, formats, maps, ui
from dijkwacht.filters import parse_area

SOURCES = ("hennepkwekerijen", "verdachte_transacties", "signalen", "controles")
MODI = {"waarde": "Kaart", "verandering": "Verandering", "hotspots": "Hotspots (Gi*)"}
VERGELIJK = {"vorige": "Vorige periode", "vorig_jaar": "Zelfde periode vorig jaar"}


def kaart_bron(laag: str) -> str | tuple[str, ...]:
    """The source(s) a layer comes from: measures follow grow sites and inspections."""
    if laag in SOURCES or laag.startswith("bibob"):
        return laag if laag in SOURCES else "controles"
    return ("hennepkwekerijen", "controles")


role = auth.current_role()
view = ui.start(role, "Kaart", SOURCES, page="kaart", theme=True)

c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
laag = c1.selectbox("Laag", list(maps.LAGEN), format_func=maps.LAGEN.get, key="kaart_laag")
modus = c2.radio("Weergave", list(MODI), format_func=MODI.get, key="kaart_modus")
niveau = c3.radio("Niveau", list(maps.NIVEAUS), format_func=maps.NIVEAUS.get, key="kaart_niveau",
                  disabled=modus == "hotspots", help="Hotspots worden altijd per buurt berekend.")
maat = c4.radio("Maat", list(maps.MATEN), format_func=maps.MATEN.get, key="kaart_maat",
                disabled=modus == "hotspots")
vergelijk = st.radio("Vergelijken met", list(VERGELIJK), format_func=VERGELIJK.get, horizontal=True,
                     key="kaart_vergelijk") if modus == "verandering" else "vorige"
compare = view.period.previous() if vergelijk == "vorige" else view.period.year_before()

kaart_data = data.map_data(role, view.period, compare, view.filters.thema_or_none)

focus_rows = {r["gebied"]: r for r in kaart_data["focus"].iter_rows(named=True)}
area = parse_area(view.filters.gebied)
default_focus = area[1] if area and area[0] == "focus" and area[1] in focus_rows else "(geen)"
f1, f2 = st.columns([3, 2])
focus_name = f1.selectbox("Focusgebied tonen", ["(geen)", *focus_rows], key="kaart_focus",
                          index=(["(geen)", *focus_rows]).index(default_focus),
                          help="Focusgebieden overlappen; er wordt er één tegelijk getoond.")
focus = None
if focus_name in focus_rows:
    row = focus_rows[focus_name]
    focus = maps.Focus(focus_name, row["status"], tuple(row["buurtcodes"]))
punten = None
if access.may(role, "points") and laag == "hennepkwekerijen":
    if f2.toggle("Kwekerijen als punten (100 m-raster)", key="kaart_punten",
                 help="Alleen voor analisten: het midden van de 100 m-cel, nooit het adres."):
        punten = maps.cell_centres(kaart_data["cellen"])

counts = kaart_data["nu"].filter(pl.col("laag") == laag)
period_label = view.period.label()
if modus == "hotspots":
    kaart = maps.hotspot_map(counts, laag, period_label)
elif modus == "verandering":
    kaart = maps.change(counts, kaart_data["eerder"].filter(pl.col("laag") == laag), niveau, maat,
                        laag, period_label, compare.label())
else:
    kaart = maps.choropleth(counts, niveau, maat, laag, period_label)

if modus == "hotspots":
    (st.warning if kaart.notities[0] != maps.HOTSPOT_UITLEG else st.info)(kaart.notities[0])

out = st_folium(maps.folium_map(kaart, focus=focus, punten=punten), key="kaart", height=620,
                use_container_width=True, returned_objects=["last_active_drawing"])
st.caption(f"{ui.source_caption(view, kaart_bron(laag))} Grenzen: wijk- en buurtkaart 2020, "
           f"{config.gemeente().bronvermelding}.")
if focus and focus.indicatief:
    st.caption(f"De ligging van focusgebied {focus.naam} is indicatief: de koppeling aan buurten "
               "is benaderd of onzeker.")

clicked = ((out or {}).get("last_active_drawing") or {}).get("properties") or {}
if clicked.get("code"):
    st.session_state["kaart_gekozen"] = (clicked["code"], clicked.get("naam", clicked["code"]))
if "kaart_gekozen" not in st.session_state:
    st.info("Klik op een buurt voor het profiel: per bron het aantal en de trend, en de maatregelen.")
    st.stop()

code, naam = st.session_state["kaart_gekozen"]
buurten = (code,) if code.startswith("BU") else tuple(
    b for b in kaart_data["nu"]["buurtcode"].drop_nulls().unique().to_list() if maps.wijk_of(b) == code)
profiel = data.area_profile(role, buurten or (code,), view.period, compare, view.stand_per,
                            view.filters.thema_or_none)
years = sorted(p for p in profiel["periode"].unique().to_list() if p.isdigit())


trend = f"Trend {years[0]}–{years[-1]}" if years else "Trend"


def _rows(lagen: tuple[str, ...]) -> list[dict]:
    """One row per layer: count now, in the comparison period, and per year (sparkline)."""
    counts = {(r["laag"], r["periode"]): r["aantal"] for r in profiel.iter_rows(named=True)}
    return [{"Wat": maps.LAGEN[code], "Deze periode": counts.get((code, "nu"), 0),
             VERGELIJK[vergelijk]: counts.get((code, "eerder"), 0),
             trend: [counts.get((code, y), 0) for y in years]} for code in lagen]


st.subheader(f"Profiel: {naam}")
st.caption(f"Periode {period_label}, vergeleken met {compare.label()}. Trend per kalenderjaar.")
columns = {trend: st.column_config.LineChartColumn(trend, y_min=0)}
left, right = st.columns(2)
left.markdown("**Probleem**")
left.dataframe(_rows(maps.PROBLEEM), hide_index=True, column_config=columns)
right.markdown("**Interventie**")
right.dataframe(_rows(maps.INTERVENTIE), hide_index=True, column_config=columns)
bedrag = profiel.filter((pl.col("laag") == "dwangsommen") & (pl.col("periode") == "nu"))["bedrag"]
if bedrag.len() and bedrag[0]:
    right.caption(f"Opgelegde dwangsommen deze periode: {formats.money(bedrag[0])}.")
right.caption("Controles, sluitingen en kwekerijen zijn handhavingsoutput: ze tonen waar gezocht "
              "en opgetreden is, niet hoe vaak iets voorkomt.")
