"""Kaart (all roles): choropleth per buurt or wijk, change map, Gi* hotspots, focus areas,
and the profile of a clicked buurt — problem and intervention side by side."""
import polars as pl
import streamlit as st
from streamlit_folium import st_folium

from dijkwacht import access, branche_figures, branches, config, formats, maps
from dijkwacht.app import auth, data, ui
from dijkwacht.filters import parse_area
from dijkwacht.measures import COUNTED_SOURCES, latest_complete_year

SOURCES = COUNTED_SOURCES
MODI = {"waarde": "Kaart", "verandering": "Verandering", "hotspots": "Hotspots (Gi*)"}
VERGELIJK = {"vorige": "Vorige periode", "vorig_jaar": "Zelfde periode vorig jaar"}


def kaart_bron(laag: str) -> str | tuple[str, ...]:
    """The source(s) a layer comes from: measures follow grow sites and inspections."""
    if laag == maps.BRANCHE_LAAG:
        return "vestigingen"
    if laag in SOURCES or laag.startswith("bibob"):
        return laag if laag in SOURCES else "controles"
    return ("hennepkwekerijen", "controles")


role = auth.current_role()
# The bestuur role filters themes only city-wide (figures.py); the map is below the city.
view = ui.start(role, "Kaart", SOURCES, page="kaart", theme=access.may(role, "detail"))

# The facilitating-branche layer (issue 19) only for analysts and the steward, and only once
# the KvK extract is loaded: exact counts, outside the bestuur's disclosure profile.
branche_stand = data.branches_stand(role) if access.may(role, "detail") else None
lagen = {**maps.LAGEN, **({maps.BRANCHE_LAAG: maps.BRANCHE_LAAG_NAAM}
                          if branche_stand and branche_stand["vestigingen"] else {})}
c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
laag = c1.selectbox("Laag", list(lagen), format_func=lagen.get, key="kaart_laag")
branche_laag = laag == maps.BRANCHE_LAAG        # the location quotient: no modes, no measures
modus = c2.radio("Weergave", list(MODI), format_func=MODI.get, key="kaart_modus", disabled=branche_laag)
niveau = c3.radio("Niveau", list(maps.NIVEAUS), format_func=maps.NIVEAUS.get, key="kaart_niveau",
                  disabled=modus == "hotspots" and not branche_laag, help="Hotspots worden altijd per buurt berekend.")
maat = c4.radio("Maat", list(maps.MATEN), format_func=maps.MATEN.get, key="kaart_maat", disabled=branche_laag,
                help="Hotspots: aantal of per 1.000 inwoners.")
vergelijk = st.radio("Vergelijken met", list(VERGELIJK), format_func=VERGELIJK.get, horizontal=True,
                     key="kaart_vergelijk") if modus == "verandering" and not branche_laag else "vorige"
compare = view.period.previous() if vergelijk == "vorige" else view.period.year_before()

thema = view.filters.thema_or_none if access.may(role, "detail") else None   # bestuur: no themes below the city


def layer_frame(period, niveau: str):
    """The chosen layer at the chosen level, computed at that level (location unknown = no code)."""
    frame = data.map_frame(role, period, niveau, thema).filter(pl.col("laag") == laag)
    return frame.with_columns(code=pl.when(pl.col("code") != "onbekend").then(pl.col("code")))


focus_frame = data.focus_areas(role)
focus_rows = {r["gebied"]: r for r in focus_frame.iter_rows(named=True)}
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
        punten = maps.cell_centres(data.grow_site_cells(role, view.period))

period_label = view.period.label()
if branche_laag:
    groepen = branche_figures.group_labels(branches.load_groups())
    groep = st.selectbox("Branche", list(groepen), format_func=groepen.get, key="kaart_branche")
    peil = branche_figures.peildatum(view.period.tot, branche_stand["stand_per"])
    st.caption(f"Locatiequotiënt op {formats.day(peil)} (het einde van de periode), zoals op de pagina "
               "Faciliterende branches; weergave en maat gelden niet voor deze laag.")
    lq = (data.branche_lq(role, (peil,), niveau).filter(pl.col("groep") == groep)
          .rename({"gebied": "code"}))
    kaart = maps.lq_map(lq, niveau, groepen[groep], formats.day(peil))
elif modus == "hotspots":
    gi_maat = maat if maat in ("aantal", "per_1000") else "aantal"
    inputs = data.hotspot_input(role, view.period, laag).with_columns(
        code=pl.when(pl.col("code") != "onbekend").then(pl.col("code")))
    kaart = maps.hotspot_map(inputs, laag, period_label, gi_maat)
    (st.warning if kaart.waarschuwing else st.info)(kaart.waarschuwing or kaart.notities[0])
elif modus == "verandering":
    kaart = maps.change(layer_frame(view.period, niveau), layer_frame(compare, niveau), niveau, maat,
                        laag, period_label, compare.label())
else:
    kaart = maps.choropleth(layer_frame(view.period, niveau), niveau, maat, laag, period_label)

out = st_folium(maps.folium_map(kaart, focus=focus, punten=punten), key="kaart", height=620,
                use_container_width=True, returned_objects=["last_active_drawing"])
bron = (f"{ui.source_caption(view, kaart_bron(laag))} Grenzen: CBS wijk- en buurtkaart 2020, "
        f"{config.gemeente().bronvermelding}.")
st.caption(bron)
# The layer as drawn, for the municipality's GIS team (issue 21): hotspots are always per buurt.
ui.map_downloads(view, kaart, f"kaart-{laag}-{'buurt' if modus == 'hotspots' else niveau}", bron)
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
last = latest_complete_year(view.stand_per)
profiel = data.area_profile(role, "buurt" if code.startswith("BU") else "wijk", code, view.period, compare,
                            list(range(last - 4, last + 1)))
years = sorted(p for p in profiel["periode"].unique().to_list() if p.isdigit()) if profiel.height else []
trend = f"Trend {years[0]}–{years[-1]}" if years else "Trend"


def _rows(lagen: tuple[str, ...]) -> list[dict]:
    """One row per layer: count now, in the comparison period, and per year (sparkline);
    hidden figures show their mark and leave a gap in the sparkline."""
    cells = {(r["laag"], r["periode"]): r for r in profiel.iter_rows(named=True)}

    def shown(key: tuple) -> str:
        return cells[key]["weergave"] if key in cells else "–"

    return [{"Wat": maps.LAGEN[c], "Deze periode": shown((c, "nu")), VERGELIJK[vergelijk]: shown((c, "eerder")),
             trend: [cells[(c, y)]["aantal"] if (c, y) in cells else None for y in years]} for c in lagen]


st.subheader(f"Profiel: {naam}")
st.caption(f"Periode {period_label}, vergeleken met {compare.label()}. Trend per kalenderjaar. "
           + ui.HIDDEN_NOTE)
columns = {trend: st.column_config.LineChartColumn(trend, y_min=0)}
left, right = st.columns(2)
left.markdown("**Probleem**")
left.dataframe(_rows(maps.PROBLEEM), hide_index=True, column_config=columns)
right.markdown("**Interventie**")
right.dataframe(_rows(maps.INTERVENTIE), hide_index=True, column_config=columns)
bedrag = profiel.filter((pl.col("laag") == "dwangsommen") & (pl.col("periode") == "nu"))["bedrag"] \
    if profiel.height else pl.Series([])
if bedrag.len() and bedrag[0]:
    right.caption(f"Opgelegde dwangsommen met bekend bedrag deze periode: {formats.money(bedrag[0])}.")
right.caption("Controles, sluitingen en kwekerijen zijn handhavingsoutput: ze tonen waar gezocht "
              "en opgetreden is, niet hoe vaak iets voorkomt.")
