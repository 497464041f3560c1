"""Cached, role-aware data access for the pages (DESIGN §6).

The app side — this gateway, auth.py and session.py (who is signed in), ui.py (the page
kit) — imports Streamlit; everything else in dijkwacht/ is plain Python and testable without
it (tests/test_imports.py holds that line).

Every public function takes the viewer's role, checks it first and fails closed.
Streamlit's caches are shared by all users, so every cached function takes the role
and the served database's version as (hashed) arguments: a result computed for one role
is never served to another, and a new load invalidates the cache.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from dijkwacht import access, figures, filters, linkage, queries
from dijkwacht.app import auth, session
from dijkwacht.measures import LAYERS

CACHE_TTL = 600
# Every cache is bounded in entries as well as time (issue 17): one entry per role and
# database version, or per role, version and filter choice.
PER_VERSION = 8
PER_FILTER = 64


def database_version() -> str | None:
    """None when no database has been published yet."""
    try:
        return queries.served().version()
    except queries.NoDatabase:
        return None


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _meta(role: str, version: str) -> dict:
    access.require(role, "aggregates")
    rows = queries.served().query("meta").to_dicts()
    return rows[0] if rows else {}


def meta(role: str) -> dict:
    """Demo flag, municipality, load id and the data's *stand per*."""
    access.require(role, "aggregates")
    version = database_version()
    return {} if version is None else _meta(role, version)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _source_status(role: str, version: str) -> pl.DataFrame:
    access.require(role, "aggregates")
    return queries.served().query("bronstand")


def source_status(role: str) -> pl.DataFrame:
    access.require(role, "aggregates")
    return _source_status(role, database_version())


# The schedule is part of the key (hashed as its values): another gemeente.toml is another entry.
@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _delivery_status(role: str, version: str | None, today: date, schedule: tuple) -> list:
    access.require(role, "aggregates")
    from dijkwacht import deliveries
    rows = [] if version is None else queries.served().query("bronstand").iter_rows(named=True)
    return deliveries.status(schedule, deliveries.last_deliveries(rows), today)


def delivery_status(role: str) -> list:
    """Every scheduled source against the delivery schedule ([aanlevering] in gemeente.toml)
    today (Europe/Amsterdam, the app's clock): deliveries.Delivery, the late ones first. For
    every role that sees the sources' *stand per*. Raises config.ScheduleError (Dutch) when
    the schedule is wrong: shown as such, never as "on time"."""
    access.require(role, "aggregates")
    from dijkwacht import config, deliveries
    return _delivery_status(role, database_version(), deliveries.today(), config.aanlevering())


# --- figures: the registry at the grain shown, the role's protection applied once ----------

# The bestuur protection of every cell that role can ask for (dijkwacht/lattice.py), built
# once per database version; cache_resource: one shared object, never copied per hit.
@st.cache_resource(ttl=CACHE_TTL, show_spinner=False, max_entries=2)
def _protected(version: str, stand_per: date):
    from dijkwacht import lattice
    db = queries.served()
    return lattice.build(db, stand_per, tuple(LAYERS), lattice.stored(db, stand_per))


def _figures(role: str) -> figures.Figures:
    """The figures as this role may see them: exact for analysts, protected for bestuur
    (and for any other role: fail closed)."""
    access.require(role, "aggregates")
    from dijkwacht import privacy
    version = database_version()
    if version is None:
        raise queries.NoDatabase(str(queries.served().path))
    stand_per = meta(role)["stand_per"]
    first = {r["bron"]: r["eerste_datum"] for r in source_status(role).iter_rows(named=True)}
    exact = privacy.profile_for(role) is None
    return figures.Figures(queries.served(), stand_per, None if exact else _protected(version, stand_per),
                           first)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _indicator_values(role: str, version: str, van: date, tot: date, gebied: str,
                      buurten: tuple[str, ...] | None, thema: str | None) -> dict:
    return _figures(role).indicators(filters.Period(van, tot), gebied, buurten, thema)


def indicator_values(role: str, van: date, tot: date, gebied: str = "stad",
                     thema: str | None = None) -> dict:
    """Every measure of the registry for [van, tot) in the area filter `gebied`: a number, or
    "<5"/"x" for a figure the role's protection hides (formats.value prints text as it is)."""
    access.require(role, "aggregates")
    buurten = area_buurten(role, gebied)
    return _indicator_values(role, database_version(), van, tot, gebied if buurten is not None else "stad",
                             buurten, thema)


def _require_page(role: str, page: str) -> None:
    """Page-level data (the analysts' pages) only for the roles that may see the page."""
    if not any(p.key == page for p in access.pages_for(role)):
        raise access.AccessDenied(page)


def _area(buurten: tuple[str, ...] | None) -> list[str] | None:
    return list(buurten) if buurten is not None else None


# --- areas -----------------------------------------------------------------------------

@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _area_options(role: str, version: str) -> pl.DataFrame:
    access.require(role, "aggregates")
    return queries.served().query("gebieden_keuze")


def area_options(role: str) -> pl.DataFrame:
    """The choosable areas: soort (wijk|buurt|focus), code, naam, wijk."""
    access.require(role, "aggregates")
    return _area_options(role, database_version())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _area_buurten(role: str, version: str, soort: str, code: str) -> tuple[str, ...]:
    access.require(role, "aggregates")
    frame = queries.served().query("gebied_buurten", soort=soort, code=code)
    return tuple(frame["buurtcode"].to_list())


def area_buurten(role: str, gebied: str) -> tuple[str, ...] | None:
    """The buurt codes of an area filter; None = the whole city. An unknown area resolves
    to no buurten at all (an empty tuple), so it shows nothing rather than everything."""
    access.require(role, "aggregates")
    area = filters.parse_area(gebied)
    if area is None:
        return None
    return _area_buurten(role, database_version(), *area)


UNKNOWN_AREA = "Onbekend gebied"


def area_name(role: str, gebied: str) -> str:
    """A Dutch label for an area filter. The code of an area that does not exist is never
    echoed (it may come from a crafted URL): such an area is "Onbekend gebied"."""
    area = filters.parse_area(gebied)
    if area is None:
        return "Hele stad"
    options = area_options(role).filter((pl.col("soort") == area[0]) & (pl.col("code") == area[1]))
    if not options.height:
        return UNKNOWN_AREA
    name = options["naam"][0] or area[1]
    return f"{filters.AREA_KINDS[area[0]]} {name}" if area[0] != "wijk" else name


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _first_date(role: str, version: str) -> date | None:
    access.require(role, "aggregates")
    return queries.served().query("databereik")["eerste_datum"][0]


def first_date(role: str) -> date | None:
    """The first record date over the dated sources."""
    access.require(role, "aggregates")
    return _first_date(role, database_version())


# --- Briefing ----------------------------------------------------------------------------

@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _changes(role: str, version: str, van: date, tot: date, van0: date, tot0: date,
             buurten: tuple[str, ...] | None) -> pl.DataFrame:
    return _figures(role).changes(filters.Period(van, tot), filters.Period(van0, tot0), buurten)


def changes(role: str, period: filters.Period, compare: filters.Period,
            buurten: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Counts per wijk × source and per signal theme, now and in the comparison period:
    soort, sleutel, naam, bron, nu, eerder (None = hidden), nu_weergave, eerder_weergave."""
    access.require(role, "aggregates")
    return _changes(role, database_version(), period.van, period.tot, compare.van, compare.tot,
                    buurten)


def briefing(role: str, period: filters.Period, gebied: str = "stad") -> dict:
    """Everything the Briefing shows, in one call: the indicator set now, in the previous
    period and a year before; changes per wijk and theme against a year before; sources."""
    access.require(role, "aggregates")
    before, year_before = period.previous(), period.year_before()
    return {
        "nu": indicator_values(role, period.van, period.tot, gebied),
        "vorige": indicator_values(role, before.van, before.tot, gebied),
        "vorig_jaar": indicator_values(role, year_before.van, year_before.tot, gebied),
        "veranderingen": changes(role, period, year_before, area_buurten(role, gebied)),
        "bronnen": source_status(role),
    }


# --- Trends ------------------------------------------------------------------------------

@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _series(role: str, version: str, tot: date, gebied: str, buurten: tuple[str, ...] | None,
            thema: str | None, korrel: str) -> pl.DataFrame:
    return _figures(role).series(tot, gebied, buurten, thema, korrel)


def series(role: str, tot: date, gebied: str = "stad", thema: str | None = None,
           korrel: str = "jaar") -> pl.DataFrame:
    """Counts per source and theme per month/quarter/year from each source's first record up
    to tot: bron, thema, periode, aantal (None = hidden), weergave, volledig, vorig_jaar (the
    same span a year before), schatting_laag/schatting/schatting_hoog (grow sites)."""
    access.require(role, "aggregates")
    if korrel not in figures.GRAIN_UNIT:
        raise ValueError(korrel)
    buurten = area_buurten(role, gebied)
    return _series(role, database_version(), tot, gebied if buurten is not None else "stad",
                   buurten, thema, korrel)


# --- the analysts' pages -----------------------------------------------------------------

def _page_data(role: str, page: str, version: str, van: date, tot: date,
               buurten: tuple[str, ...] | None, parts: dict[str, dict]) -> dict:
    """Run the page's queries (analysts and beheerder only: exact); one-row key figures
    come back as a dict."""
    _require_page(role, page)
    db = queries.served()
    out = {}
    for name, (query, extra) in parts.items():
        frame = db.query(query, van=van, tot=tot, buurten=_area(buurten), **extra)
        out[name] = frame.to_dicts()[0] if name == "kern" else frame
    return out


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _hennep(role, version, van, tot, buurten):
    return _page_data(role, "hennep", version, van, tot, buurten, {
        "kern": ("hennep_kerncijfers", {}), "verdeling": ("hennep_verdeling", {})})


def hennep(role: str, period: filters.Period, buurten: tuple[str, ...] | None = None) -> dict:
    """Grow sites: kern (key figures incl. repeat addresses) and verdeling (by dimension)."""
    _require_page(role, "hennep")
    return _hennep(role, database_version(), period.van, period.tot, buurten)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _geldstromen(role, version, van, tot, buurten):
    return _page_data(role, "geldstromen", version, van, tot, buurten, {
        "kern": ("transacties_kerncijfers", {}), "verdeling": ("transacties_verdeling", {})})


def geldstromen(role: str, period: filters.Period, buurten: tuple[str, ...] | None = None) -> dict:
    """Suspicious transactions: kern (count, amounts, distinct subjects) and verdeling."""
    _require_page(role, "geldstromen")
    return _geldstromen(role, database_version(), period.van, period.tot, buurten)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _meldpunt(role, version, van, tot, buurten, thema):
    extra = {"thema": thema}
    return _page_data(role, "meldpunt", version, van, tot, buurten, {
        "kern": ("signalen_doorlooptijd", extra), "verdeling": ("signalen_verdeling", extra),
        "trechter": ("signalen_trechter", extra)})


def meldpunt(role: str, period: filters.Period, buurten: tuple[str, ...] | None = None,
             thema: str | None = None) -> dict:
    """Signals: kern (feedback share, median days), verdeling, trechter (the funnel)."""
    _require_page(role, "meldpunt")
    return _meldpunt(role, database_version(), period.van, period.tot, buurten, thema)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _handhaving(role, version, van, tot, buurten):
    return _page_data(role, "handhaving", version, van, tot, buurten, {
        "verdeling": ("controles_verdeling", {})})


def handhaving(role: str, period: filters.Period, buurten: tuple[str, ...] | None = None) -> dict:
    """Inspections by kind, object, finding, Bibob outcome and measure (the key figures and
    the per-wijk table come from the registry: indicator_values, map_frame)."""
    _require_page(role, "handhaving")
    return _handhaving(role, database_version(), period.van, period.tot, buurten)


# --- Faciliterende branches (issue 19); dijkwacht/branche_figures.py ---------------------
# Per area and per address these are small exact counts that no disclosure profile covers
# yet: analysts and the steward only ("detail"). The bestuur gets the city's figures, which
# its profile shows exactly (DESIGN §6), from branches_city alone.

BRANCHES_PAGE = "branches"


def _branches_db():
    from dijkwacht import branches
    return queries.served(), branches.load_groups()


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _branches_stand(role: str, version: str) -> dict | None:
    from dijkwacht import branche_figures
    _require_page(role, BRANCHES_PAGE)
    db = queries.served()
    return branche_figures.stand(db) if branche_figures.present(db) else None


def branches_stand(role: str) -> dict | None:
    """The KvK extract's size and stand (vestigingen, stand_per, eerste_inschrijving), or
    None when the database has no `vestigingen` table (loaded before the source existed)."""
    _require_page(role, BRANCHES_PAGE)
    return _branches_stand(role, database_version())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _branches_city(role: str, version: str, day: date, stand_per: date) -> dict:
    from dijkwacht import branche_figures
    _require_page(role, BRANCHES_PAGE)
    db, groups = _branches_db()
    return branche_figures.city(db, day, groups, stand_per)


def branches_city(role: str, day: date, stand_per: date) -> dict:
    """The whole city only, for every role of the page: active vestigingen per branche group
    on `day` with all vestigingen (actief: groep, n, totaal), and the city's turnover per
    group and year (verloop, as branche_figures.turnover)."""
    _require_page(role, BRANCHES_PAGE)
    access.require(role, "aggregates")
    return _branches_city(role, database_version(), day, stand_per)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _branche_lq(role: str, version: str, peildata: tuple[date, ...], niveau: str) -> pl.DataFrame:
    from dijkwacht import branche_figures
    _require_page(role, BRANCHES_PAGE)
    access.require(role, "detail")
    db, groups = _branches_db()
    return branche_figures.location_quotients(db, list(peildata), niveau, groups)


def branche_lq(role: str, peildata: tuple[date, ...], niveau: str = "buurt") -> pl.DataFrame:
    """Location quotient of every branche group per area of `niveau` (buurt | wijk | focus)
    on each day of `peildata`: the page's table and the map layer read this one function."""
    _require_page(role, BRANCHES_PAGE)
    access.require(role, "detail")
    from dijkwacht.branche_figures import LEVELS
    if niveau not in LEVELS:
        raise ValueError(niveau)
    return _branche_lq(role, database_version(), tuple(peildata), niveau)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _branche_parts(role: str, version: str, van: date, tot: date, buurten: tuple[str, ...] | None,
                   stand_per: date) -> dict:
    from dijkwacht import branche_figures
    _require_page(role, BRANCHES_PAGE)
    access.require(role, "detail")               # co-location lists address keys
    db, groups = _branches_db()
    return {"verloop": branche_figures.turnover(db, buurten, groups, stand_per),
            "adressen": branche_figures.co_location(db, van, tot, buurten, groups),
            "bibob": branche_figures.bibob(db, van, tot, buurten, groups)}


def branche_parts(role: str, period: filters.Period, buurten: tuple[str, ...] | None,
                  stand_per: date) -> dict:
    """Turnover per branche and year (verloop), co-location by address key (adressen, full
    keys: show them shortened) and Bibob outcomes per branche (bibob) for the period and
    area filter; stand_per is the extract's own stand."""
    _require_page(role, BRANCHES_PAGE)
    access.require(role, "detail")
    return _branche_parts(role, database_version(), period.van, period.tot, buurten, stand_per)


# --- Data page (beheerder): load log, quarantine, inbox, versions. Not cached: the state
# changes with every load, and these reads are small.

def steward(role: str):
    """The data steward's operations (etl/steward.py), for the beheerder only: the one door
    from the Data page to the ETL's side."""
    access.require(role, "data_management")
    from etl import steward
    return steward


def load_runs(role: str) -> pl.DataFrame:
    return steward(role).load_runs()


def quarantine(role: str, load_id: str | None = None) -> pl.DataFrame:
    return steward(role).quarantine(load_id)


def practice_file(role: str) -> tuple[str, bytes]:
    """The demo's practice delivery (etl/rehearsal.py): file name and bytes, dated in the
    quarter every page opens with — beheerder only, demo only."""
    if not steward(role).rehearsing():
        raise access.AccessDenied("oefenbestanden alleen in de demo")
    from etl import rehearsal
    from etl.reference import valid_buurtcodes
    stand_per = meta(role)["stand_per"]
    return (rehearsal.practice_name(stand_per),
            rehearsal.practice_file(stand_per, sorted(valid_buurtcodes())[::12]))


def load_files(role: str, load_id: str | None = None) -> pl.DataFrame:
    return steward(role).load_files(load_id)


def inbox_files(role: str) -> pl.DataFrame:
    return steward(role).inbox_files()


def kept_versions(role: str) -> list[dict]:
    return steward(role).versions()


def roll_back(role: str) -> str:
    """Put the previous published database back (beheerder only); returns its load id."""
    steward(role)
    from etl.publish import roll_back as restore
    return restore(actor=session.user(), role=role)


# --- Koppelingen (issue 10): key-level data, "detail" permission --------------------------
# Built at load (issue 17: dijkwacht/sql/build/koppelingen.sql, etl/linkage_tables.py): the
# event list, a per-key index, the linked keys with their score parts and the owner
# clusters are tables. A request reads one key, one cluster, one period or what is new
# with a bound, bounded query and runs the pure linkage functions on just those records:
# nothing here holds the whole event list or builds the whole graph
# (tests/test_linkage_at_load.py: the same figures as the functions over every event).

KEY_LIMIT = 500             # the linked keys the page lists
CLUSTER_LIMIT = linkage.SHOWN_CLUSTERS     # the owner networks the page lists


def _link_records(role: str, name: str, **params) -> pl.DataFrame:
    """Records of the linked event list through the bound query `name` (EVENT_SCHEMA);
    none without a database."""
    access.require(role, "detail")
    if database_version() is None:
        return linkage.empty_events()
    return queries.served().query(name, **params).cast(linkage.EVENT_SCHEMA)


def _link_table(role: str, name: str, like: pl.DataFrame, **params) -> pl.DataFrame:
    """A load-built Koppelingen table through the bound query `name`, with the columns and
    types of `like` (the pure function's result on no events, also served without a
    database)."""
    access.require(role, "detail")
    if database_version() is None:
        return like
    return queries.served().query(name, **params).select(like.columns).cast(dict(like.schema))


def _stand_per(role: str) -> date:
    return meta(role).get("stand_per") or date.today()


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _linked_keys(role: str, version: str, stand_per: date, limit: int | None) -> pl.DataFrame:
    access.require(role, "detail")
    like = linkage.linked_keys(linkage.empty_events(), stand_per)
    return _link_table(role, "koppeling_sleutels", like, stand_per=stand_per, limit=limit)


def linked_keys(role: str, limit: int | None = KEY_LIMIT) -> pl.DataFrame:
    """The `limit` highest of the keys in ≥ 2 sources or repeated in one (None = all),
    ranked by linkage.SCORE_UITLEG."""
    access.require(role, "detail")
    return _linked_keys(role, database_version(), _stand_per(role), limit)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _linked_key_count(role: str, version: str) -> int:
    access.require(role, "detail")
    return int(queries.served().query("koppeling_sleutels_aantal")["aantal"][0])


def linked_key_count(role: str) -> int:
    """How many linked keys there are (linked_keys lists the first KEY_LIMIT)."""
    access.require(role, "detail")
    version = database_version()
    return 0 if version is None else _linked_key_count(role, version)


def key_timeline(role: str, key: str) -> pl.DataFrame:
    """Every record of one key, oldest first (ask the purpose first: log_detail_view)."""
    access.require(role, "detail")
    like = linkage.timeline(linkage.empty_events(), key)
    return _link_table(role, "koppeling_tijdlijn", like, sleutel=key)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _owner_clusters(role: str, version: str, limit: int | None) -> pl.DataFrame:
    access.require(role, "detail")
    like = linkage.clusters(linkage.empty_events())
    return _link_table(role, "koppeling_clusters", like, limit=limit)


def owner_clusters(role: str, limit: int | None = CLUSTER_LIMIT) -> pl.DataFrame:
    """The `limit` largest owner networks (connected components; None = all), largest first."""
    access.require(role, "detail")
    return _owner_clusters(role, database_version(), limit)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _cluster_network(role: str, version: str, keys: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    access.require(role, "detail")
    if version is None:
        return linkage.cluster_layout(linkage.empty_events(), list(keys))
    # Only this cluster's edges, in the whole graph's order: the same graph and layout as
    # drawn from all events (linkage.cluster_layout), without reading them. The clusters
    # the page offers were laid out at load; any other is laid out here.
    links = queries.served().query("koppeling_netwerk", sleutels=list(keys))
    counts = queries.served().query("koppeling_knopen", sleutels=list(keys))
    graph = linkage.link_graph(links.iter_rows())
    placed = {(kind, key): (x, y) for kind, key, x, y in counts.select("soort", "sleutel", "x", "y").iter_rows()
              if x is not None and y is not None}
    pos = placed if graph.number_of_nodes() and all(n in placed for n in graph.nodes) else None
    return linkage.draw_network(graph, counts, pos=pos)


def cluster_network(role: str, keys: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Nodes and edges (with a fixed-seed layout) of one cluster, by its keys."""
    access.require(role, "detail")
    return _cluster_network(role, database_version(), tuple(keys))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _link_period(role: str, version: str, what: str, van: date | None, tot: date | None,
                 buurten: tuple[str, ...] | None):
    access.require(role, "detail")
    # Only the period's records in these buurten, and what can follow its signals.
    events = _link_records(role, "koppeling_periode", van=van, tot=tot, dagen=linkage.FOLLOW_UP_DAYS,
                           buurten=None if buurten is None else list(buurten))
    if what == "buurten":
        return linkage.problem_vs_intervention(events, van, tot)
    if what == "barriere":
        return linkage.barrier_model(events, van, tot)
    return {"trechter": linkage.signal_funnel(events, van, tot),
            "per_doorverwijzing": linkage.outcome_by_referral(events, van, tot)}


def problem_intervention(role: str, period: filters.Period | None = None,
                         buurten: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Per buurt: problems beside interventions (analysts only: unsuppressed buurt counts)."""
    access.require(role, "detail")
    return _link_period(role, database_version(), "buurten", *_bounds(period), buurten)


def barrier_model(role: str, period: filters.Period | None = None,
                  buurten: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The hennep barrier model: per stage signals, measures that followed, partners."""
    access.require(role, "detail")
    return _link_period(role, database_version(), "barriere", *_bounds(period), buurten)


def signal_outcomes(role: str, period: filters.Period | None = None,
                    buurten: tuple[str, ...] | None = None) -> dict:
    """Signal → intervention → outcome: trechter and per_doorverwijzing."""
    access.require(role, "detail")
    return _link_period(role, database_version(), "uitkomst", *_bounds(period), buurten)


def _bounds(period: filters.Period | None) -> tuple[date | None, date | None]:
    return (None, None) if period is None else (period.van, period.tot)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=16)
def _attention(role: str, version: str, since: date) -> pl.DataFrame:
    access.require(role, "detail")
    # The new records, and of the earlier ones only counts per key and source: a request
    # never holds a key's history (at ×1000 that was 4 GB on the analyst's Briefing).
    if database_version() is None:
        return linkage.attention_list(linkage.empty_events(), since)
    served = queries.served()
    known = served.query("koppeling_aandacht_bekend", sinds=since, **linkage.known_record_params())
    return linkage.attention_from(
        _link_records(role, "koppeling_aandacht_nieuw", sinds=since),
        known.cast({"aantal": pl.UInt32, "laatst": pl.Date}),
        served.query("koppeling_aandacht_eigenaars", sinds=since))


SINCE_KEY = "dijkwacht_koppelingen_sinds"


def attention_since(role: str) -> date:
    """Where "new" starts: the data's stand per at this user's previous visit of Koppelingen
    (fixed for the session), else 30 days before the current stand per."""
    access.require(role, "detail")
    if SINCE_KEY in st.session_state:
        return st.session_state[SINCE_KEY]
    from dijkwacht import state
    previous = None
    if session.user():
        with state.opened() as con:
            previous = linkage.last_visit(con, session.user())
    return previous or linkage.default_since(_stand_per(role))


def record_visit(role: str) -> date:
    """Called by the Koppelingen page: fixes `since` for this session and stores this visit
    (once per session, so a rerun does not empty the list). Returns `since`."""
    since = attention_since(role)
    if SINCE_KEY not in st.session_state:
        st.session_state[SINCE_KEY] = since
        if session.user():
            from dijkwacht import state
            with state.opened() as con:
                linkage.record_visit(con, session.user(), _stand_per(role), state.utc_now())
    return since


def attention_list(role: str, since: date | None = None) -> pl.DataFrame:
    """New records since `since` (default attention_since) at keys known before."""
    access.require(role, "detail")
    return _attention(role, database_version(), since or attention_since(role))


def attention_count(role: str, since: date | None = None) -> int:
    """The attention list's count (for the analysts' Briefing); distinct new records."""
    access.require(role, "detail")
    return _attention(role, database_version(), since or attention_since(role)) \
        .select("bron", "nummer").unique().height


DETAIL_LOGGED_KEY = "dijkwacht_detail_gelogd"


def log_detail_view(role: str, key: str, purpose: str) -> bool:
    """Opening one key's detail writes an audit row: who, which key and why.

    Once per (key, purpose) per sign-in — a rerun writes no second row, but another user in
    the same tab (or the same user after signing in again) does: what was logged is bound
    to the sign-in (auth.session_ref), and sign-out clears it too. Returns True when a row
    was written."""
    access.require(role, "detail")
    if not linkage.valid_purpose(purpose):
        raise ValueError("doel ontbreekt of is ongeldig")
    entry = (auth.session_ref(), session.user(), key, purpose)
    seen = st.session_state.setdefault(DETAIL_LOGGED_KEY, set())
    if entry in seen:
        return False
    _audit("detail", role, object=f"sleutel:{linkage.short(key)}", filters={"doel": purpose})
    seen.add(entry)
    return True



# --- Kaart ---------------------------------------------------------------------------------

@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _map_frame(role: str, version: str, van: date, tot: date, niveau: str, thema: str | None) -> pl.DataFrame:
    return _figures(role).area_frame(filters.Period(van, tot), niveau, figures.MAP_LAYERS, thema)


def map_frame(role: str, period: filters.Period, niveau: str = "buurt",
              thema: str | None = None) -> pl.DataFrame:
    """Per map layer and area at `niveau` (buurt | wijk), computed at that level: laag, code,
    aantal (None = hidden), weergave, aantal_2020, bedrag."""
    access.require(role, "aggregates")
    if niveau not in ("buurt", "wijk"):
        raise ValueError(niveau)
    return _map_frame(role, database_version(), period.van, period.tot, niveau, thema)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=32)
def _hotspot_input(role: str, version: str, van: date, tot: date, laag: str) -> pl.DataFrame:
    return _figures(role).hotspot_input(filters.Period(van, tot), laag)


def hotspot_input(role: str, period: filters.Period, laag: str) -> pl.DataFrame:
    """Exact buurt counts for Gi* with the role's labels (maps.hotspot_map shows only classes
    and labels)."""
    access.require(role, "aggregates")
    return _hotspot_input(role, database_version(), period.van, period.tot, laag)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _focus_areas(role: str, version: str) -> pl.DataFrame:
    access.require(role, "aggregates")
    return queries.served().query("kaart_focusgebieden")


def focus_areas(role: str) -> pl.DataFrame:
    """The focus areas: gebied, status (placed | approximate | uncertain), buurtcodes."""
    access.require(role, "aggregates")
    return _focus_areas(role, database_version())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _grow_site_cells(role: str, version: str, van: date, tot: date) -> pl.DataFrame:
    access.require(role, "points")
    return queries.served().query("kaart_cellen", van=van, tot=tot)


def grow_site_cells(role: str, period: filters.Period) -> pl.DataFrame:
    """Grow sites per 100 m cell (cel_x, cel_y, aantal): analysts only (DESIGN §6)."""
    access.require(role, "points")
    return _grow_site_cells(role, database_version(), period.van, period.tot)


def area_profile(role: str, niveau: str, code: str, period: filters.Period,
                 compare: filters.Period, years: list[int]) -> pl.DataFrame:
    """Per map layer for one buurt or wijk: laag, periode ("nu", "eerder", "2024", …), aantal,
    weergave, bedrag — the same cells as the map."""
    access.require(role, "aggregates")
    return _figures(role).profile(niveau, code, period, compare, years)


# --- Factsheet and briefing snapshot (issue 11; dijkwacht/documents/ is pure) -------------
# The factsheet is published output: every figure passes the publication profile inside
# documents.figures.build_factsheet, for every role alike. The briefing snapshot is what
# the mayor takes to the triangle: the bestuur profile, whoever makes it.
# So the factsheet's figures and drawings are cached without a role: one copy serves every
# role (and the server's warm-up makes it once); the public functions check the role.

@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_FILTER)
def _factsheet(version: str, year: int):
    from dijkwacht.documents.figures import build_factsheet
    return build_factsheet(queries.served(), year)


def factsheet(role: str, year: int):
    """The figures of the annual factsheet (a documents.figures.Factsheet) for `year`."""
    access.require(role, "aggregates")
    return _factsheet(database_version(), year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=8)
def _factsheet_charts(version: str, year: int) -> dict[str, bytes]:
    from dijkwacht.documents.charts import chart_files
    return chart_files(_factsheet(version, year), "png")


def factsheet_charts(role: str, year: int) -> dict[str, bytes]:
    """{name: PNG} of the factsheet's charts and wijk map, as the page shows them."""
    access.require(role, "aggregates")
    return _factsheet_charts(database_version(), year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=8)
def _factsheet_svgs(version: str, year: int) -> dict[str, bytes]:
    from dijkwacht.documents.charts import chart_files
    return chart_files(_factsheet(version, year), "svg")


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=8)
def _factsheet_document(role: str, version: str, year: int, begeleidend: str | None) -> dict[str, bytes]:
    access.require(role, "export_factsheet")
    from dijkwacht.documents.pdf import factsheet_pdf, page_pngs
    pdf = factsheet_pdf(_factsheet(version, year), _factsheet_svgs(version, year), begeleidend)
    first, *rest = page_pngs(pdf)
    return {"pdf": pdf, "png": first, **{f"pagina-{i}.png": png for i, png in enumerate(rest, start=2)}}


def factsheet_document(role: str, year: int, begeleidend: str | None = None) -> dict[str, bytes]:
    """{"pdf", "png", "pagina-2.png", …} of the factsheet (vector charts; every page as PNG at
    300 dpi) with the edition's accompanying text (documents.letter; raises letter.TeLang
    when it does not fit), for every role that may export it. Made when first asked for (a
    download, publishing), not for showing the page."""
    access.require(role, "export_factsheet")
    from dijkwacht.documents import letter
    return _factsheet_document(role, database_version(), year, letter.clean(begeleidend))


def edition_text(role: str, year: int) -> str | None:
    """The accompanying text of the last published factsheet of `year` (None: none yet)."""
    access.require(role, "aggregates")
    from dijkwacht import state
    from dijkwacht.documents.archive import edition_text as last_text
    with state.opened() as con:
        return last_text(con, year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=8)
def _factsheet_reuse(role: str, version: str, year: int, kind: str) -> bytes | dict:
    access.require(role, "export_tables")
    from dijkwacht.documents.xlsx import indicator_xlsx
    return (indicator_xlsx(_factsheet(version, year)) if kind == "xlsx"
            else _factsheet_svgs(version, year))


def factsheet_reuse(role: str, year: int, kind: str) -> bytes | dict:
    """Analysts' re-use files: kind "svg" → {name: svg bytes}; "xlsx" → the indicator table.
    Cached like the PDF: drawing the SVGs again on every rerun cost ~1 s."""
    access.require(role, "export_tables")
    return _factsheet_reuse(role, database_version(), year, kind)


def publish_factsheet(role: str, who: str, year: int, reden: str | None = None,
                      begeleidend: str | None = None) -> dict:
    """Store the factsheet (PDF, a PNG per page, the accompanying text, numbers) in the
    archive; returns the register row.
    Publishing is the analysts' job (DESIGN §1). Republishing an edition whose changes
    single out fewer than 10 records raises documents.archive.Republicatie unless `reden` (one
    of documents.archive.REDENEN) is given; the reason is kept in the register."""
    access.require(role, "export_tables")
    from dijkwacht import state
    from dijkwacht.documents import letter
    from dijkwacht.documents.archive import publish
    files = factsheet_document(role, year, begeleidend) | letter.file_bytes(begeleidend)
    with state.opened() as con:
        return publish(con, factsheet(role, year), files,
                       who, role, reden=reden)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=16)
def _snapshot(role: str, version: str, van: date, tot: date, gebied: str, gebied_naam: str):
    access.require(role, "export_factsheet")
    from dijkwacht.documents.figures import build_snapshot
    from dijkwacht.documents.pdf import snapshot_pdf
    snap = build_snapshot(meta(role), van, tot, gebied, gebied_naam,
                          briefing(role, filters.Period(van, tot), gebied))
    return snap, snapshot_pdf(snap)


def briefing_snapshot(role: str, period: filters.Period, gebied: str, gebied_naam: str):
    """(documents.figures.Snapshot, PDF bytes) of the Briefing as this role sees it, for the
    chosen period and area."""
    access.require(role, "export_factsheet")
    return _snapshot(role, database_version(), period.van, period.tot, gebied, gebied_naam)


def keep_snapshot(role: str, who: str, period: filters.Period, gebied: str, gebied_naam: str) -> dict:
    """Freeze the briefing: store its PDF (and numbers) in the archive; the register row."""
    access.require(role, "export_factsheet")
    from dijkwacht import state
    from dijkwacht.documents.archive import publish
    snap, pdf = briefing_snapshot(role, period, gebied, gebied_naam)
    with state.opened() as con:
        return publish(con, snap, {"pdf": pdf}, who, role)


def archive(role: str, kind: str | None = None) -> list[dict]:
    """The archive register, newest first (not cached: it changes on every publication)."""
    access.require(role, "export_factsheet")
    from dijkwacht import state
    from dijkwacht.documents.archive import archive_list
    with state.opened() as con:
        return archive_list(con, kind)


def archived_file(role: str, name: str) -> bytes:
    access.require(role, "export_factsheet")
    from dijkwacht.documents.archive import archive_file
    return archive_file(name)


# --- Live data: an idle page never reruns by itself (STACK-NOTES), so a fragment polls the
# served file's identity and reruns the whole app when the ETL has published a new version.
LIVE_SECONDS = 20


@st.fragment(run_every=LIVE_SECONDS)
def watch_for_new_data() -> None:
    """Every LIVE_SECONDS: rerun the app when a new database is published, or when this
    tab's session has ended (idle, absolute term, logout elsewhere), so the login replaces
    the figures at once. These runs are not a user's action: they never renew the idle
    clock (auth.mark_automatic; the router then checks without renewing)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    timed = bool(ctx and ctx.fragment_ids_this_run)    # a full run: the router just checked
    if timed and not auth.session_alive():
        auth.mark_automatic()
        st.rerun(scope="app")
    version = database_version()
    seen = st.session_state.setdefault("dijkwacht_dataversie", version)
    if version != seen:
        st.session_state["dijkwacht_dataversie"] = version
        auth.mark_automatic()
        st.rerun(scope="app")


def late_deliveries(role: str) -> int:
    """How many sources are late by the delivery schedule (a broken schedule counts as one:
    someone must look)."""
    from dijkwacht import config
    try:
        return sum(d.late for d in delivery_status(role))
    except config.ScheduleError:
        return 1


def freshness_lines(role: str) -> list[str]:
    """One line per source: latest record date and load time (shown on every page), and a
    source whose delivery is late says so in words (delivery_status)."""
    from dijkwacht import config, deliveries, formats
    from dijkwacht.sources import SOURCES

    try:
        late = {d.source: d.mark for d in delivery_status(role) if d.late}
    except config.ScheduleError:
        late = None
    lines = []
    for row in source_status(role).iter_rows(named=True):
        label = SOURCES[row["bron"]].label if row["bron"] in SOURCES else row["bron"]
        loaded = formats.local_moment(row["geladen_op"])
        mark = f" — **{late[row['bron']]}**" if late and row["bron"] in late else ""
        lines.append(f"{label}: stand per {formats.day(row['stand_per'])}, geladen {loaded}{mark}")
    if late is None:
        lines.append(f"{deliveries.MARK} Het aanleverschema (gemeente.toml) klopt niet; meld het de beheerder.")
    return lines


# --- Week (issue 18): the work list (dijkwacht/week.py) and its follow-up (followup.py) -----
# The items are computed on the served database once per version and day (the late
# deliveries move with the clock); the follow-up changes with every click: its stamp is read
# fresh on every call (_week).

# cache_resource, not cache_data: the items are frozen and the tuple cannot change, so every
# reader shares one copy instead of unpickling 17,000 items per call at ×100 (five calls a run).
# Not keyed by role: the items are the same for every role (the callers decide what a role
# sees of them: the bestuur only counts), so one copy serves all (31 MB of objects at ×100).
@st.cache_resource(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _week_items(version: str | None, today: date, stand_per: date | None, late: tuple) -> tuple:
    from dijkwacht import config, week
    return tuple(week.items(queries.served() if version else None, stand_per, config.week(), list(late)))


def week_items(role: str) -> tuple:
    """Every item of the work list, prioritised (the analyst's and steward's view: items name
    pseudonymous keys, hence "detail")."""
    access.require(role, "detail")
    return _all_week_items(role)


def _week_key(role: str) -> tuple:
    """What the work list depends on: (database version, today, stand per, late deliveries)."""
    access.require(role, "aggregates")
    from dijkwacht import config, deliveries
    try:
        late = tuple(delivery_status(role))
    except config.ScheduleError:
        late = ()
    version = database_version()
    return version, deliveries.today(), meta(role).get("stand_per") if version else None, late


def _all_week_items(role: str) -> tuple:
    return _week_items(*_week_key(role))


@dataclass(frozen=True)
class WeekState:
    """The work list against its follow-up: the open items (with their follow-up), the
    handled ones that stay off, the open items per kind and the badge's count."""
    open: tuple
    closed: tuple
    counts: tuple[tuple[str, int], ...]
    badge: int


# Every page run asks for the badge and the Week page for the counts, the open and the closed
# items: at ×100 four passes over 17,000 items (~80 ms a Week run). They are derived once per
# follow-up state instead: the key holds the history's stamp (followup.stamp, read fresh on
# every call), so a saved follow-up shows at once. Shared, frozen, like _week_items.
@st.cache_resource(ttl=CACHE_TTL, show_spinner=False, max_entries=PER_VERSION)
def _week_state(version: str | None, today: date, stand_per: date | None, late: tuple,
                state_path: str, stamp: tuple) -> WeekState:
    from dijkwacht import alerts, followup, state
    items = _week_items(version, today, stand_per, late)
    with state.opened(Path(state_path)) as con:
        current = followup.current(con)
    found = tuple(followup.open_items(items, current))
    return WeekState(open=found, closed=tuple(followup.closed_items(items, current)),
                     counts=tuple(Counter(item.kind for item, _ in found).items()),
                     badge=alerts.badge([item for item, _ in found]))


def _week(role: str) -> WeekState:
    from dijkwacht import config, followup, state
    path = config.state_path()
    with state.opened(path) as con:
        stamp = followup.stamp(con)
    return _week_state(*_week_key(role), str(path), stamp)


def week_open(role: str, buurten: tuple[str, ...] | None = None) -> list[tuple]:
    """The open items (handled ones stay off until something new happens at them) in the
    chosen area (None: the whole city; items without a buurt — a wijk-wide rise, a late
    delivery — always show), each with its current follow-up."""
    access.require(role, "detail")
    return [(i, f) for i, f in _week(role).open if buurten is None or i.buurt is None or i.buurt in buurten]


def week_closed(role: str) -> list[tuple]:
    access.require(role, "detail")
    return list(_week(role).closed)


def week_counts(role: str) -> dict[str, int]:
    """Open items per kind (every role: the bestuur sees these counts, never the items)."""
    return dict(_week(role).counts)


def week_badge(role: str) -> int:
    """Open items the alert rules (data/gemeente.toml [meldingen]) flag: the sidebar's badge."""
    if not access.may(role, "detail"):
        return 0
    return _week(role).badge


def _oidc_analysts() -> tuple[str, ...]:
    """Identities the reviewed OIDC roles file gives an analyst's or steward's role: they may
    be assigned an item beside the local accounts (followup.record's `allowed`)."""
    return tuple(sorted(i for i, r in auth.oidc_roles().items() if r in access.ANALYSTS))


def week_assignees(role: str) -> tuple[str, ...]:
    access.require(role, "detail")
    from dijkwacht import followup, state
    with state.opened() as con:
        return tuple(sorted({*followup.assignees(con), *_oidc_analysts()}))


def follow_up(role: str, item, *, status: str, reason: str, assignee: str | None) -> bool:
    """Record a follow-up change for an item as the signed-in user (audited by followup)."""
    access.require(role, "detail")
    from dijkwacht import followup, state
    who = session.identity()
    with state.opened() as con:
        return followup.record(con, item.id, status=status, reason=reason, assignee=assignee,
                               actor=who.user, role=role, latest=item.latest, origin=who.origin,
                               session=who.session, load_id=meta(role).get("load_id"),
                               allowed=_oidc_analysts())


# --- Audit log (dijkwacht/audit.py is pure; these helpers add who/where from the session) ----

def _audit(actie: str, role: str | None, *, dedupe: bool = False, **fields) -> int | None:
    """One audit row for this tab (session.record), with the load the role was shown."""
    if "load_id" not in fields and role in access.ROLES:
        try:
            fields["load_id"] = meta(role).get("load_id")
        except Exception:  # noqa: BLE001 — no database: the row still counts
            fields["load_id"] = None
    return session.record(actie, role, dedupe=dedupe, **fields)


def log_view(role: str, page: str, filters: dict | None = None, rows: int | None = None) -> int | None:
    """A page view: one row per view; a rerun or timed refresh of the same page and filters
    in the same session writes nothing."""
    return _audit("pagina", role, object=page, filters=filters, rijen=rows, dedupe=True)


def log_export(role: str, name: str, data: bytes, rows: int | None = None,
               filters: dict | None = None) -> int | None:
    """An export (download) with the SHA-256 of the exact bytes handed out."""
    from dijkwacht import audit
    return _audit("export", role, object=name, filters=filters, rijen=rows,
                  export_sha256=audit.sha256(data))


def log_denial(role: str | None, what: str) -> int | None:
    """A refused page or data call (access.AccessDenied)."""
    return _audit("weigering", role, object=what, resultaat="geweigerd")


def audit_log(role: str, *, van: date | None = None, tot: date | None = None,
              actor: str | None = None, actie: str | None = None, resultaat: str | None = None,
              limit: int = 1000) -> pl.DataFrame:
    """The audit log for the Data page, newest first — beheerder only (not cached)."""
    access.require(role, "data_management")
    from dijkwacht import audit, state
    with state.opened() as con:
        rows = audit.query(con, van=van.isoformat() if van else None,
                           tot=tot.isoformat() if tot else None, actor=actor or None,
                           actie=actie or None, resultaat=resultaat or None, limit=limit)
    schema = {"nr": pl.Int64, "tijd": pl.String, "actor": pl.String, "rol": pl.String,
              "actie": pl.String, "object": pl.String, "resultaat": pl.String,
              "herkomst": pl.String, "filters": pl.String, "rijen": pl.Int64,
              "export_sha256": pl.String, "load_id": pl.String}
    return pl.DataFrame(rows, schema=schema)


def audit_choices(role: str) -> tuple[list[str], list[date]]:
    """Everyone in the audit log and the local days it has rows for (the Data page's
    filters) — beheerder only."""
    access.require(role, "data_management")
    from dijkwacht import audit, state
    with state.opened() as con:
        return audit.actors(con), audit.days(con)


def audit_intact(role: str) -> tuple[bool, str]:
    """(intact, Dutch message) of the hash chain — beheerder only."""
    access.require(role, "data_management")
    from dijkwacht import audit, state
    with state.opened() as con:
        return audit.verify(con)


# --- Errors: a short Dutch message with an incident id; the traceback goes to the log --------

DENIED_TEXT = "U heeft geen toegang tot deze gegevens."
INCIDENT_TEXT = ("Er ging iets mis bij het tonen van deze pagina. Probeer het opnieuw of meld "
                 "incident **{incident}** bij de beheerder.")


def run_guarded(page, role: str | None) -> None:
    """Run the chosen page (dashboard.py). A refusal is audited and shown in one sentence;
    any other error gets an incident id that links the user's message to the log entry.
    Streamlit's own control flow (st.rerun, st.stop, switch_page) is a BaseException and
    passes through untouched."""
    import logging
    import uuid

    try:
        page.run()
    except access.AccessDenied as exc:
        log_denial(role, str(exc))
        st.error(DENIED_TEXT)
    except Exception:
        incident = uuid.uuid4().hex[:8].upper()
        logging.getLogger("dijkwacht").exception("incident %s (rol %s)", incident, role)
        st.error(INCIDENT_TEXT.format(incident=incident))


def log_steward_action(role: str, action: str, what: str) -> int | None:
    """A data steward's change (rollback, accepted upload) in the audit log."""
    access.require(role, "data_management")
    return _audit(action, role, object=what)
