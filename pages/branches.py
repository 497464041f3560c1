"""Faciliterende branches (analysts, issue 19): concentration of each branche group per
buurt, wijk and focus area against the city (location quotient) and its trend, turnover
(registrations, closures, the share closed within 12 months), address keys shared with grow
sites, inspections with findings, Bibob refusals and suspicious transactions, and Bibob
outcomes per branche. Computations: dijkwacht/branche_figures.py over dijkwacht/branches.py."""
import polars as pl
import streamlit as st

from dijkwacht import access, branches, formats
from dijkwacht import branche_figures as bf
from dijkwacht.app import auth, data, ui
from dijkwacht.filters import parse_area
from dijkwacht.measures import BRONNEN

SOURCE = ("vestigingen",) if "vestigingen" in BRONNEN else ()
NO_TABLE = ("Er is nog geen uittreksel uit het Handelsregister (KVK, vestigingen) geladen: deze "
            "pagina toont de faciliterende branches zodra dat bestand is aangeleverd.")
EMPTY = ("Het uittreksel uit het Handelsregister (KVK, vestigingen) is geladen maar bevat geen "
         "vestigingen: er valt nog niets te tonen.")
LQ_UITLEG = (f"Locatiequotiënt (LQ): het aandeel van de branche onder alle vestigingen in het gebied, "
             f"gedeeld door dat aandeel in de hele stad. 1 = even geconcentreerd als in de stad, 2 = twee "
             f"keer zo sterk. Geen LQ (–) bij minder dan {branches.LQ_MINIMUM} vestigingen van de "
             "branche in het gebied. Een concentratie is een signaal, geen bewijs.")

role = auth.current_role()
view = ui.start(role, "Faciliterende branches", SOURCE, page="branches")
stand = data.branches_stand(role)
if stand is None or not stand["vestigingen"]:
    st.info(NO_TABLE if stand is None else EMPTY)
    st.stop()

groups = branches.load_groups()
labels = bf.group_labels(groups)
stand_per = stand["stand_per"]
day = bf.peildatum(view.period.tot, stand_per)
area = parse_area(view.filters.gebied)
where = view.area if area else "de hele stad"
order = {g.sleutel: i for i, g in enumerate(groups)}
indeling = (f"Indeling in branches: {branches.load_provenance()['classificatie']}-codes volgens "
            f"data/branches.toml. Laatste datum in het uittreksel: {formats.day(stand_per)}.")


def lq_text(v) -> str:
    return "–" if v is None else formats.number(v, 2)


def label(frame: pl.DataFrame, *, in_file_order: bool = True) -> pl.DataFrame:
    """The Dutch branche label; rows in the order of branches.toml unless told otherwise."""
    frame = frame.with_columns(pl.col("groep").replace_strict(order, default=len(order)).alias("_volgorde"),
                               pl.col("groep").replace_strict(labels, default=pl.col("groep")).alias("Branche"))
    return (frame.sort("_volgorde", maintain_order=True) if in_file_order else frame).drop("_volgorde")


def dutch(frame: pl.DataFrame) -> pl.DataFrame:
    """Decimals as text with a decimal comma for the screen (downloads keep the numbers)."""
    return frame.with_columns(pl.col(c).map_elements(lambda v, d=1 if "%" in c else 2: formats.number(v, d),
                                                     return_dtype=pl.String, skip_nulls=False)
                              for c, t in frame.schema.items() if t == pl.Float64)


def closed_within_a_year(verloop: pl.DataFrame) -> tuple[int, int, list[int]]:
    """(judged, closed within 12 months, the years) of the registrations in the period's
    years; a recent period whose registrations have not had their 12 months yet falls back
    to the latest year that has (said so in the help) rather than a dash on the default view."""
    years = range(view.period.van.year, day.year + 1)
    in_years = verloop.filter(pl.col("jaar").is_in(list(years)))
    if not int(in_years["beoordeeld"].sum()):
        earlier = verloop.filter((pl.col("beoordeeld") > 0) & (pl.col("jaar") <= day.year))
        if earlier.height:
            years = range(int(earlier["jaar"].max()), int(earlier["jaar"].max()) + 1)
            in_years = earlier.filter(pl.col("jaar") == years[0])
    return int(in_years["beoordeeld"].sum()), int(in_years["binnen_12_maanden"].sum()), list(years)


def years_text(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def quick_metric(column, judged: int, quick: int, years: list[int]) -> None:
    span = years_text(years)
    column.metric("Binnen 12 maanden opgeheven", formats.percent(100 * quick / judged if judged else None),
                  help=f"Van de faciliterende inschrijvingen in {span} waarvan de 12 maanden "
                       f"voorbij zijn ({formats.number(judged)}): {formats.number(quick)} binnen 12 maanden "
                       "opgeheven.")


if not access.may(role, "detail"):
    # The bestuur: the city's figures only. Per area and per address these are small exact
    # counts that no disclosure profile covers yet (DESIGN §6: city figures are exact).
    city = data.branches_city(role, day, stand_per)
    active, verloop = city["actief"], city["verloop"]
    n_fac, n_all = int(active["n"].sum()), int(active["totaal"].max() or 0)
    judged, quick, years = closed_within_a_year(verloop)
    span = years_text(years)
    if area:
        st.info("Faciliterende branches zijn hier alleen voor de hele stad te zien; per gebied en per "
                "adres alleen voor analisten.")
    columns = st.columns(3)
    columns[0].metric("Faciliterende vestigingen", formats.number(n_fac), help=f"Actief op {formats.day(day)}.")
    columns[1].metric("Aandeel van alle vestigingen", formats.percent(100 * n_fac / n_all if n_all else None))
    quick_metric(columns[2], judged, quick, years)
    counted = ("inschrijvingen", "opheffingen", "beoordeeld", "binnen_12_maanden")
    per_group = verloop.filter(pl.col("jaar").is_in(years)).group_by("groep").agg(pl.col(*counted).sum())
    table = label(active.join(per_group, on="groep", how="left").fill_null(0)).select(
        "Branche", pl.col("n").alias(f"Actief op {formats.day(day)}"),
        (100 * pl.col("n") / pl.col("totaal")).round(1).alias("Aandeel van alle vestigingen (%)"),
        pl.col("inschrijvingen").alias(f"Inschrijvingen {span}"), pl.col("opheffingen").alias(f"Opheffingen {span}"),
        pl.when(pl.col("beoordeeld") > 0).then((100 * pl.col("binnen_12_maanden") / pl.col("beoordeeld")).round(1))
        .alias("Binnen 12 maanden opgeheven (%)"))
    st.dataframe(dutch(table), hide_index=True, key="branches_stad")
    st.caption(f"Hele stad. {indeling} Concentraties per buurt, wijk of bedrijventerrein en adressen met "
               "samenloop zijn alleen voor analisten: het zijn kleine, exacte aantallen.")
    st.stop()

# --- key figures: the chosen area (or the city) on the day measured ----------------------
niveau_area = area[0] if area else "buurt"
lq_now = data.branche_lq(role, (day,), niveau_area)
if area:
    here = lq_now.filter(pl.col("gebied") == area[1])
    n_fac, n_all = int(here["n"].sum()), int(here["totaal"].max() or 0)
else:
    city = lq_now.unique("groep")
    n_fac, n_all = int(city["stad_n"].sum()), int(city["stad_totaal"].max() or 0)
parts = data.branche_parts(role, view.period, view.buurten, stand_per)
judged, quick, years = closed_within_a_year(parts["verloop"])

columns = st.columns(4)
columns[0].metric("Faciliterende vestigingen", formats.number(n_fac),
                  help=f"Actief op {formats.day(day)}, in {where}.")
columns[1].metric("Aandeel van alle vestigingen", formats.percent(100 * n_fac / n_all if n_all else None))
quick_metric(columns[2], judged, quick, years)
columns[3].metric("Adressen met samenloop", formats.number(parts["adressen"]["adres_sleutel"].n_unique()),
                  help="Adressleutels met een faciliterende vestiging en in deze periode een hennepkwekerij, "
                       "een controle met bevindingen, een Bibob-weigering of een verdachte transactie.")
st.caption(indeling)

tab_lq, tab_trend, tab_turn, tab_keys, tab_bibob = st.tabs(
    ["Concentratie", "Trend", "Verloop", "Zelfde adres", "Bibob per branche"],
    key="branches_tab", on_change="rerun")          # only the open tab runs (issue 17)

with tab_lq:
    if tab_lq.open:
        niveau = st.radio("Gebieden", list(bf.LEVELS), format_func=bf.LEVELS.get, horizontal=True,
                          key="branches_niveau", persist_state="page")   # kept through other tabs
        lq = data.branche_lq(role, (day,), niveau)
        if niveau == "buurt" and view.buurten is not None:
            lq = lq.filter(pl.col("gebied").is_in(list(view.buurten)))
        wide = (label(lq).with_columns(pl.col("lq").map_elements(lq_text, return_dtype=pl.String, skip_nulls=False))
                .pivot(on="Branche", index=["gebied", "naam"], values="lq", maintain_order=True)
                .join(lq.group_by("gebied").agg(pl.col("lq").max().alias("_hoogste")), on="gebied")
                .sort(["_hoogste", "naam"], descending=[True, False], nulls_last=True).drop("_hoogste")
                .rename({"gebied": "Code", "naam": bf.LEVELS[niveau]}))
        st.caption(f"Locatiequotiënt per branche op {formats.day(day)}, de gebieden met de hoogste LQ eerst. "
                   f"{LQ_UITLEG}")
        st.dataframe(wide, hide_index=True, key="branches_lq")
        with st.expander("Tabel met aantallen"):
            long = label(lq).select(
                pl.col("gebied").alias("Code"), pl.col("naam").alias(bf.LEVELS[niveau]), "Branche",
                pl.col("n").alias("Vestigingen van de branche"), pl.col("totaal").alias("Alle vestigingen"),
                (100 * pl.col("aandeel")).round(1).alias("Aandeel (%)"),
                (100 * pl.col("stad_aandeel")).round(1).alias("Aandeel in de stad (%)"),
                pl.col("lq").round(2).alias("LQ"))
            ui.table(view, long, f"branches-lq-{niveau}", "branches_lq_tabel", shown=dutch(long))

with tab_trend:
    if tab_trend.open:
        ends = bf.year_ends(stand_per, stand["eerste_inschrijving"])
        trend = data.branche_lq(role, tuple(ends), niveau_area)
        if area:
            trend = trend.filter(pl.col("gebied") == area[1])
            value, what = "lq", f"Locatiequotiënt van {view.area} op 31 december van elk jaar."
        else:
            trend = trend.unique(["peildatum", "groep"]).with_columns(n=pl.col("stad_n"))
            value, what = "n", ("Actieve faciliterende vestigingen in de hele stad op 31 december van elk jaar; "
                                "kies links een gebied voor de trend van zijn locatiequotiënt.")
        shown = (label(trend.sort("peildatum"))
                 .with_columns(pl.col("peildatum").dt.year().cast(pl.String).alias("jaar"),
                               pl.col(value).map_elements(lq_text if value == "lq" else formats.number,
                                                          return_dtype=pl.String, skip_nulls=False))
                 .pivot(on="jaar", index="Branche", values=value, maintain_order=True))
        st.caption(what)
        st.dataframe(shown, hide_index=True, key="branches_trend")

with tab_turn:
    if tab_turn.open:
        recent = parts["verloop"].filter(pl.col("jaar") > day.year - bf.TREND_YEARS)
        turn = label(recent).select(
            "Branche", pl.col("jaar").cast(pl.String).alias("Jaar"),
            pl.col("inschrijvingen").alias("Inschrijvingen"), pl.col("opheffingen").alias("Opheffingen"),
            pl.col("beoordeeld").alias("Inschrijvingen met 12 maanden voorbij"),
            pl.col("binnen_12_maanden").alias("Binnen 12 maanden opgeheven"),
            (100 * pl.col("aandeel_binnen_12_maanden")).round(1).alias("Aandeel binnen 12 maanden (%)"))
        st.caption(f"Inschrijvingen en opheffingen per jaar in {where}. Binnen 12 maanden opgeheven: van de "
                   "inschrijvingen van dat jaar, alleen beoordeeld als de 12 maanden op de stand van het "
                   "uittreksel voorbij zijn. Veel snelle opheffingen in een branche of straat kan wijzen op "
                   "katvangers of een doorloopadres.")
        ui.table(view, turn, "branches-verloop", "branches_verloop", shown=dutch(turn))

with tab_keys:
    if tab_keys.open:
        keys = bf.short_keys(parts["adressen"])
        st.caption(f"Adressen (alleen als de eerste tekens van hun sleutel) waar een faciliterende vestiging "
                   f"actief was in {view.period.label()} en waar in die periode ook iets anders is vastgelegd. "
                   "Nooit namen of adressen; dezelfde sleutel is hetzelfde adres in alle bronnen.")
        shown_keys = label(keys, in_file_order=False).select(      # most events first
            pl.col("adres_sleutel").alias("Adressleutel"), "Branche", pl.col("vestigingen").alias("Vestigingen"),
            *[pl.col(c).alias(t) for c, t in bf.CO_LOCATION_TITLES.items()], pl.col("totaal").alias("Totaal"))
        if shown_keys.is_empty():
            st.info("Geen adressen met een faciliterende vestiging en een andere registratie in deze periode.")
        else:
            ui.table(view, shown_keys, "branches-zelfde-adres", "branches_adressen")

with tab_bibob:
    if tab_bibob.open:
        bib = parts["bibob"]
        outcome_cols = [t for u, t in bf.BIBOB_OUTCOMES.items() if u in set(bib["uitkomst"].to_list())]
        if bib.is_empty():
            st.info("Geen Bibob-toetsen op adressen met een faciliterende vestiging in deze periode.")
        else:
            table = (label(bib).with_columns(pl.col("uitkomst").replace_strict(bf.BIBOB_OUTCOMES, default="Overig"))
                     .pivot(on="uitkomst", index="Branche", values="aantal", aggregate_function="sum")
                     .fill_null(0))
            table = table.select("Branche", pl.sum_horizontal(pl.exclude("Branche")).alias("Toetsen"),
                                 *[c for c in outcome_cols if c in table.columns],
                                 *[c for c in table.columns if c not in ("Branche", *outcome_cols)])
            st.caption(f"Bibob-toetsen in {view.period.label()} op een adres waar op de dag van het besluit "
                       "een vestiging van de branche actief was; een besluit telt bij elke branche op dat adres "
                       "één keer.")
            ui.table(view, table, "branches-bibob", "branches_bibob")
