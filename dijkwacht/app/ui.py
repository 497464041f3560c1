"""What every page shares on screen: the filters, the header, captions, tables and downloads.

Streamlit is imported by three modules only: data.py (caching), auth.py (sessions) and this
one (widgets). Pages call `start()` first and get a `View` — the role, the chosen period
and area, the data's stand per — and render through `chart()` and `table()`, so every
chart names its source, period and stand per, and every download is gated by role.

Filters live in st.session_state (they hold across pages) and are written to the URL on
every page: Streamlit clears query parameters on navigation (streamlit issue 9050), and a
bookmarked URL must reproduce the view. The URL is read once, on a session's first run;
an area that does not exist falls back to the whole city, with a line saying so.

Text from outside the code (filter values, area names, file names, user names) goes through
`md()` before it reaches st.markdown, st.caption, st.title or a metric's label: a crafted
value must not become a link, an image or formatting.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl
import streamlit as st

from dijkwacht import access, chart_export, charts, exports, formats
from dijkwacht.app import data, session
from dijkwacht.filters import (
    AREA_KINDS,
    PERIOD_KINDS,
    THEMES,
    Filters,
    Period,
    parse_area,
    period_kinds,
    quarter_label,
    quarters,
)
from dijkwacht.formats import md
from dijkwacht.measures import BRONNEN, latest_complete_year

# The legend of hidden figures, wherever one can appear (DESIGN §6).
HIDDEN_NOTE = ("<5 = 1 tot 4; x = afgeschermd om een ander cijfer te beschermen. Een afgeschermd "
               "cijfer telt nooit als 0.")
STATE_KEY = "dijkwacht_filters"          # the Filters value shared by all pages
PRESENT_KEY = "dijkwacht_presentatie"    # the Briefing's presentation mode toggle
_W = "_filter_"                          # prefix of the filter widgets' keys
UNKNOWN_AREA_TEXT = "Het gevraagde gebied bestaat niet; u ziet de cijfers van de hele stad."
@dataclass(frozen=True)
class View:
    role: str
    filters: Filters
    period: Period
    buurten: tuple[str, ...] | None      # None = whole city
    area: str                            # Dutch label of the area
    stand_per: date
    demo: bool
    presentation: bool
    sources: dict                        # bron → its own stand per


def start(role: str | None, title: str, bronnen: tuple[str, ...] = (), *, page: str | None = None,
          presentable: bool = False, theme: bool = False, period: bool = True) -> View:
    """Check access, draw the filters and the header; stops the page when it may not show.
    `period=False`: a page about now (Week) offers no period filter and names none."""
    # The dataframe toolbar's CSV download and copy are off: exports go through the app's
    # own, role-gated buttons (DESIGN §6). Also belongs in .streamlit/config.toml
    # ([client] disableDataExport = true) so it holds from the first message on.
    st.set_option("client.disableDataExport", True)
    meta = guard(role, page, title)
    stand_per = meta["stand_per"]
    first_run = STATE_KEY not in st.session_state
    filters = (Filters.from_query(st.query_params.to_dict()) if first_run
               else st.session_state[STATE_KEY]).for_role(role)
    presentation = False
    if presentable:
        if PRESENT_KEY not in st.session_state:
            st.session_state[PRESENT_KEY] = first_run and st.query_params.get("presentatie") == "1"
        presentation = st.toggle("Presentatiemodus", key=PRESENT_KEY,
                                 help="Grote letters, geen zijbalk en geen details: voor de driehoek.")
    if st.session_state.get(_W + "pagina") != title:
        # A widget's state does not survive a page switch (its id includes the page):
        # re-seed every filter widget from the shared Filters on a new page.
        for key in [k for k in st.session_state if str(k).startswith(_W)]:
            del st.session_state[key]
        st.session_state[_W + "pagina"] = title
    if presentation:
        _presentation_css()
    else:
        filters = _sidebar(role, filters, stand_per, theme, period)
    filters = filters.for_role(role)
    asked = st.query_params.get("gebied") if first_run else None
    if filters.gebied != "stad" and not data.area_buurten(role, filters.gebied):
        # An area that does not exist (a crafted or stale URL): never echoed, never an empty
        # page that looks like zero; the whole city instead, and a line saying so.
        filters = replace(filters, gebied="stad").for_role(role)
        for key in [k for k in st.session_state if str(k).startswith(_W + "gebied")]:
            del st.session_state[key]
        st.info(UNKNOWN_AREA_TEXT)
    elif asked and asked != "stad" and filters.gebied == "stad":
        st.info(UNKNOWN_AREA_TEXT)        # not even shaped like an area (Filters.from_query)
    st.session_state[STATE_KEY] = filters
    _write_url(filters, presentation)

    sources = {row["bron"]: row["stand_per"] for row in data.source_status(role).iter_rows(named=True)}
    view = View(role, filters, filters.period(stand_per, role), data.area_buurten(role, filters.gebied),
                data.area_name(role, filters.gebied), stand_per, bool(meta.get("demo")), presentation,
                sources)
    _header(view, title, bronnen, theme, period)
    data.log_view(role, page or title, filters=filters.to_query())
    return view


def guard(role: str | None, page: str | None, title: str | None = None) -> dict:
    """Stop the page unless the role may see it (audited) and a database is loaded;
    returns the database's meta. Pages that draw no filters call this instead of start()."""
    if role is None or (page and not any(p.key == page for p in access.pages_for(role))):
        data.log_denial(role, page or title)
        st.error("U heeft geen toegang tot deze pagina.")
        st.stop()
    meta = data.meta(role)
    if not meta:
        st.warning("Er is nog geen database geladen. Laad partnerbestanden of de demodata (`make run`).")
        st.stop()
    return meta


# --- filters -----------------------------------------------------------------------------

def _keep(key: str, options: list, current) -> str:
    """Seed a filter widget's state from the shared Filters when the widget is new on this
    page (Streamlit drops widget state on navigation) or holds a value no longer offered."""
    wkey = _W + key
    if st.session_state.get(wkey) not in options:
        st.session_state[wkey] = current if current in options else options[0]
    return wkey


def _sidebar(role: str, f: Filters, stand_per: date, theme: bool, period: bool = True) -> Filters:
    sb = st.sidebar
    sb.subheader("Filters")
    if not period:           # the shared period stays as it was for the next page
        return replace(f, gebied=_area_widgets(role, f.gebied))
    kinds = period_kinds(role)
    periode = sb.selectbox("Periode", kinds, key=_keep("periode", kinds, f.periode),
                           format_func=PERIOD_KINDS.get,
                           help="Relatief aan de stand per van de gegevens, niet aan vandaag.")
    changes: dict = {"periode": periode}
    first = data.first_date(role) or stand_per
    if periode == "jaar":
        years = list(range(latest_complete_year(stand_per), first.year - 1, -1))
        changes["jaar"] = sb.selectbox("Jaar", years, key=_keep("jaar", years, f.jaar or years[0]))
    elif periode == "kwartaal":
        options = quarters(first.year, stand_per)
        changes["kwartaal"] = sb.selectbox("Kwartaal", options, format_func=quarter_label,
                                           key=_keep("kwartaal", options, f.kwartaal or options[0]))
    elif periode == "eigen":
        van = f.van or date(stand_per.year, 1, 1)
        tot = f.tot or stand_per
        for key, value in (("van", van), ("tot", tot)):
            if not isinstance(st.session_state.get(_W + key), date):
                st.session_state[_W + key] = value
        changes["van"] = sb.date_input("Van", key=_W + "van", min_value=first, max_value=stand_per,
                                       format="DD-MM-YYYY")
        changes["tot"] = sb.date_input("Tot en met", key=_W + "tot", min_value=first,
                                       max_value=stand_per, format="DD-MM-YYYY")
    changes["gebied"] = _area_widgets(role, f.gebied)
    if theme and role == "bestuur" and changes["gebied"] != "stad":
        sb.caption("Thema's: alleen voor de hele stad.")
    elif theme:
        changes["thema"] = sb.selectbox(
            "Thema", list(THEMES), key=_keep("thema", list(THEMES), f.thema),
            format_func=lambda t: "Alle thema's" if t == "alle" else t)
    return replace(f, **changes)


def _area_widgets(role: str, gebied: str) -> str:
    sb = st.sidebar
    area = parse_area(gebied)
    kinds = list(AREA_KINDS)
    kind = sb.selectbox("Gebied", kinds, format_func=AREA_KINDS.get,
                        key=_keep("gebied_soort", kinds, area[0] if area else "stad"),
                        help="Focusgebieden overlappen soms; ze worden één voor één getoond en nooit opgeteld.")
    if kind == "stad":
        return "stad"
    options = data.area_options(role).filter(pl.col("soort") == kind)
    names = dict(zip(options["code"], options["naam"]))
    codes = list(names)
    label = {"wijk": "Wijk", "buurt": "Buurt", "focus": "Focusgebied"}[kind]
    current = area[1] if area and area[0] == kind else codes[0]
    code = sb.selectbox(label, codes, key=_keep("gebied_" + kind, codes, current),
                        format_func=lambda c: (names[c] or c) if kind != "buurt" else f"{names[c] or c} ({c})")
    return f"{kind}:{code}"


def _write_url(filters: Filters, presentation: bool) -> None:
    wanted = filters.to_query() | ({"presentatie": "1"} if presentation else {})
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _presentation_css() -> None:
    """Large type, no sidebar, no toolbar: one screen for the triangle briefing on a projector
    (1920×1080 and 1280×720 without scrolling). The metric's digits sit in an inner element
    that the paragraph rule would also hit, so every metric rule reaches its descendants."""
    st.html("""<style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
    [data-testid="stSidebarNav"], [data-testid="stHeader"], [data-testid="stToolbar"] {display: none !important;}
    .block-container, [data-testid="stMainBlockContainer"] {padding-top: 0.6rem !important;
        padding-bottom: 0 !important; max-width: 100% !important;}
    [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {
        font-size: clamp(1.2rem, 2.2vh, 1.45rem);}
    [data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: clamp(3rem, 7vh, 4.8rem) !important;
        line-height: 1.05 !important; font-weight: 600;}
    [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {font-size: 1.35rem !important;}
    [data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {font-size: 1.55rem !important;}
    [data-testid="stMetric"] {margin-bottom: -0.6rem;}
    [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {font-size: 1.2rem !important;}
    h1 {font-size: 2rem !important; padding: 0 !important;}
    h3 {font-size: 1.4rem !important; padding: 0.3rem 0 0 0 !important;}
    </style>""")


# --- header and captions -----------------------------------------------------------------

def _header(view: View, title: str, bronnen: tuple[str, ...], theme: bool, period: bool = True) -> None:
    st.title(title)                        # titles and period labels are the code's own text
    parts = [f"Periode {view.period.label()}"] if period else []
    parts.append(md(view.area))
    if theme and view.filters.thema != "alle":
        parts.append(f"thema {md(view.filters.thema)}")
    parts.append(f"stand per {formats.day(view.stand_per)}")
    st.caption(" · ".join(parts))
    if view.demo:
        st.badge("Demodata — alle cijfers zijn verzonnen", icon=":material/science:", color="orange")
    if bronnen and not view.presentation:
        st.caption(source_caption(view, bronnen).replace("Bron: ", "Bronnen: ", 1))


def source_caption(view: View, bron: str | tuple[str, ...], period: Period | None = None) -> str:
    """'Bron: politie en Omgevingsdienst (ontmantelde hennepkwekerijen, stand per …), periode …, <gebied>.'
    Each source is named with its own stand per (DESIGN §5)."""
    period = period or view.period
    names = "; ".join(
        f"{BRONNEN[b].leverancier} ({BRONNEN[b].naam.lower()}, stand per "
        f"{formats.day(view.sources.get(b, view.stand_per))})"
        for b in ((bron,) if isinstance(bron, str) else bron))
    return f"Bron: {names}. Periode {period.label()}, {md(view.area)}."


def chart(view: View, fig, bron: str | tuple[str, ...], summary: str, key: str, *,
          note: str = "", period: Period | None = None) -> None:
    """A chart, its source caption and its one-line summary (also its screen-reader name),
    with PNG and SVG downloads for the roles that may export."""
    st.plotly_chart(fig, config=charts.PLOTLY_CONFIG, key=key, theme=None, alt=summary)
    source = source_caption(view, bron, period) + (f" {note}" if note else "")
    st.caption(source)
    st.caption(summary)
    chart_downloads(view, fig, summary, source, key)


def chart_downloads(view: View, fig, summary: str, source: str, key: str) -> None:
    """The chart as PNG and SVG, its summary and source line drawn in (dijkwacht.chart_export);
    gated and audited like the table exports, the image made only on click."""
    if view.presentation or not access.may(view.role, "export_tables"):
        return
    if not chart_export.available():
        st.caption(chart_export.unavailable_reason())
        return
    for column, fmt in zip(st.columns([1, 1, 4])[:2], chart_export.FORMATS):
        name = f"grafiek-{key}.{fmt}"
        column.download_button(
            fmt.upper(), data=export(view.role, name, lambda f=fmt: chart_export.image(fig, f, summary, source),
                                     None, view.filters.to_query()),
            file_name=name, mime=chart_export.FORMATS[fmt], key=f"{key}_{fmt}", on_click="ignore",
            icon=":material/image:")


def breakdowns(view: View, frame: pl.DataFrame, dims: dict[str, str], bron: str, key: str, *,
               value: str = "aantal", money: bool = False, note: str = "") -> None:
    """Bar charts of a (dimensie, categorie, aantal) frame, two per row, in the order of
    `dims` (dimension → Dutch title). Ordinal classes keep their `volgorde`."""
    items = list(dims.items())
    for i in range(0, len(items), 2):
        for column, (dim, title) in zip(st.columns(2), items[i:i + 2]):
            part = frame.filter(pl.col("dimensie") == dim)
            ordinal = "volgorde" in part.columns and part["volgorde"].max() not in (None, 0)
            if ordinal:
                part = part.sort("volgorde")
            with column:
                st.markdown(f"**{title}**")
                if part.is_empty():
                    st.caption("Geen gegevens in deze periode.")
                    continue
                chart(view, charts.bars(part, "categorie", value, money=money, keep_order=ordinal),
                      bron, charts.summary_bars(part, "categorie", value, title.lower(), money=money),
                      key=f"{key}_{dim}", note=note)


def table(view: View, frame: pl.DataFrame, name: str, key: str, *, shown: pl.DataFrame | None = None) -> None:
    """A table (shown formatted in Dutch) with CSV, XLSX and ODS downloads of the raw values
    for the roles that may export tables."""
    shown = shown if shown is not None else frame
    # A missing value reads "–" as elsewhere in the app, not Streamlit's "None".
    grid(shown, key=key, column_config=day_columns(shown), placeholder="–")
    downloads(view, frame, name, key)


def grid(rows, **options) -> None:
    """st.dataframe without an index; a polars frame goes in as pandas made through Arrow
    (`as_pandas`), never through polars' own to_pandas."""
    st.dataframe(as_pandas(rows) if isinstance(rows, pl.DataFrame) else rows, hide_index=True, **options)


def as_pandas(frame: pl.DataFrame):
    """`frame` as pandas, converted by pyarrow. Streamlit converts a polars frame with
    polars' to_pandas, and in polars 2.1.0 that deadlocks the whole server (the GIL held,
    every session stuck, the health check unanswered) when another session's map_elements
    runs at the same moment: ten users opening Trends at once hung it (docs/benchmarks.md,
    tests/test_concurrency.py)."""
    return frame.to_arrow().to_pandas()


def day_columns(frame: pl.DataFrame) -> dict:
    """Date columns shown as Dutch days (31-12-2026): the table goes through pandas, which
    has no date type, and would show every day with a time of 00:00:00."""
    return {name: st.column_config.DateColumn(name, format="DD-MM-YYYY")
            for name, dtype in frame.schema.items() if dtype == pl.Date}


def downloads(view: View, frame: pl.DataFrame, name: str, key: str) -> None:
    """The app's own download buttons (DESIGN §6): gated by role, formula-safe, audited with
    the SHA-256 of the exact bytes. The bytes are built only on click."""
    if view.presentation or not access.may(view.role, "export_tables"):
        return
    left, right, third, _ = st.columns([1, 1, 1, 3])
    left.download_button("CSV", data=export(view.role, f"{name}.csv", lambda: exports.csv_bytes(frame),
                                            frame.height, view.filters.to_query()),
                         file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore",
                         icon=":material/download:")
    right.download_button("Excel", data=export(view.role, f"{name}.xlsx", lambda: exports.xlsx_bytes(frame, name),
                                               frame.height, view.filters.to_query()),
                          file_name=f"{name}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", on_click="ignore", icon=":material/download:")
    third.download_button("ODS", data=export(view.role, f"{name}.ods", lambda: exports.ods_bytes(frame, name),
                                             frame.height, view.filters.to_query()),
                          file_name=f"{name}.ods", mime="application/vnd.oasis.opendocument.spreadsheet",
                          key=f"{key}_ods", on_click="ignore", icon=":material/download:")


def map_downloads(view: View, kaart, name: str, source: str) -> None:
    """The drawn map layer as GeoJSON and GeoPackage (dijkwacht.geo_exports): the figures and
    marks this role sees, gated and audited like the table exports, made only on click."""
    from dijkwacht import geo_exports
    if view.presentation or not access.may(view.role, "export_tables"):
        return
    labels = {"geojson": "GeoJSON", "gpkg": "GeoPackage"}
    makers = {"geojson": geo_exports.geojson_bytes, "gpkg": geo_exports.gpkg_bytes}
    for column, fmt in zip(st.columns([1, 1, 3])[:2], geo_exports.FORMATS):
        file_name = f"{name}.{fmt}"
        column.download_button(
            labels[fmt], data=export(view.role, file_name, lambda f=fmt: makers[f](kaart, kaart.titel, source),
                                     len(kaart.frame), view.filters.to_query()),
            file_name=file_name, mime=geo_exports.FORMATS[fmt], key=f"kaart_{fmt}", on_click="ignore",
            icon=":material/map:")


def deliveries(role: str) -> None:
    """The delivery schedule per source (data/gemeente.toml [aanlevering]): the late ones in
    words first, then every source with its partner, rule, last and next delivery."""
    from dijkwacht import config
    from dijkwacht.deliveries import days_text
    from dijkwacht.sources import SOURCES
    st.markdown("**Aanlevering volgens schema**")
    try:
        found = data.delivery_status(role)
    except config.ScheduleError as exc:
        st.error(f"Het aanleverschema klopt niet, dus niemand wordt als te laat gemeld: {md(exc)}")
        return
    if not found:
        st.caption("Er is geen aanleverschema ingesteld ([aanlevering] in data/gemeente.toml).")
        return
    late = [d for d in found if d.late]
    if late:
        st.warning("\n".join(f"- {md(d.line)}" for d in late), icon=":material/warning:")
    else:
        st.caption("Alle bronnen zijn volgens schema aangeleverd.")

    def state(d) -> str:
        if d.late:
            return f"⚠ {days_text(d.days_late)} te laat"
        return "nog nooit geleverd" if d.last is None else "op tijd"

    st.dataframe([{"Bron": SOURCES[d.source].label if d.source in SOURCES else d.source,
                   "Partner": d.partner, "Schema": d.plan,
                   "Laatst geleverd": formats.day(d.last) if d.last else "nog nooit",
                   "Verwacht uiterlijk": formats.day(d.due), "Toestand": state(d),
                   "Coulance": days_text(d.grace)} for d in found],
                 hide_index=True, key="aanlevering")


def exported(role: str, name: str, payload: bytes, rows: int | None = None,
             filters: dict | None = None) -> bytes:
    """Write the export (with the SHA-256 of these bytes) to the audit log, then hand them out."""
    data.log_export(role, name, payload, rows=rows, filters=filters)
    return payload


def export(role: str, name: str, make, rows: int | None = None, filters: dict | None = None):
    """A download button's data: the bytes are made on click (make()), audited as `name` with
    their SHA-256, in the name of the user and session that drew the button."""
    return session.in_session(lambda: exported(role, name, make(), rows, filters))
