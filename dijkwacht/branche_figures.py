"""Faciliterende branches (issue 19, part 2): what the page and the map layer show, read
from the `vestigingen` table (the KvK Handelsregister extract) by the queries in
dijkwacht/sql/branches/ and computed by dijkwacht/branches.py — the one definition of the
groups, the location quotient, turnover and co-location. Nothing here counts on its own.

Pure Python, no Streamlit: `db` is anything with `.query(name, **params) -> polars`
(queries.Served, queries.OnConnection). The data layer (dijkwacht/app/data.py) caches these
per role and database version and decides who may call them: per-key rows (co-location)
are for analysts only, and so is the whole page (no disclosure profile covers it yet).

Area levels (`LEVELS`): buurt, wijk and the programme's focus areas, the industrial
estates (Mijlweg, Dordtse Kil, Louter Bloemen) among them. Buurten and wijken partition the
city; focus areas overlap, so the city figure is always passed explicitly (the city is
every vestiging in the extract, also those without a known buurt).
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl

from dijkwacht import branches, linkage

LEVELS = {"buurt": "Buurt", "wijk": "Wijk", "focus": "Focusgebied of bedrijventerrein"}
TREND_YEARS = 10          # the trend shows at most this many year ends
BIBOB_OUTCOMES = {        # controles.uitkomst of a bibob-toets → Dutch column title
    "bibob: verleend": "Verleend",
    "bibob: verleend onder voorwaarden": "Onder voorwaarden",
    "bibob: geweigerd": "Geweigerd",
    "bibob: ingetrokken": "Ingetrokken",
}
CO_LOCATION_TITLES = {
    "hennepkwekerijen": "Hennepkwekerijen",
    "controles_met_bevindingen": "Controles met bevindingen",
    "bibob_geweigerd": "Bibob geweigerd of ingetrokken",
    "verdachte_transacties": "Verdachte transacties",
}


def present(db) -> bool:
    """Whether the database holds the `vestigingen` table at all."""
    return bool(db.query("branches/tabel")["aanwezig"][0])


def stand(db) -> dict:
    """vestigingen (rows), stand_per (the extract's latest date), eerste_inschrijving."""
    return db.query("branches/stand").to_dicts()[0]


def peildatum(tot: date, stand_per: date) -> date:
    """The day a period's concentration is measured on: its last day, never after the
    extract's stand (a later day would count every vestiging still open as active)."""
    return min(tot - timedelta(days=1), stand_per)


def year_ends(stand_per: date, first: date | None) -> list[date]:
    """31 December of the complete years of the extract (at most TREND_YEARS, the latest)."""
    last = stand_per.year if (stand_per.month, stand_per.day) == (12, 31) else stand_per.year - 1
    start = max(first.year if first else last, last - TREND_YEARS + 1)
    return [date(y, 12, 31) for y in range(start, last + 1)]


def group_labels(groups: tuple[branches.BrancheGroup, ...]) -> dict[str, str]:
    return {g.sleutel: g.label for g in groups}


def _areas(db, niveau: str) -> pl.DataFrame:
    """(buurtcode, gebied, naam) for the level: one row per buurt and the area it is in
    (a buurt lies in several focus areas, or none)."""
    frame = db.query("branches/gebieden")
    if niveau == "buurt":
        return frame.select("buurtcode", pl.col("buurtcode").alias("gebied"), pl.col("buurtnaam").alias("naam"))
    if niveau == "wijk":
        return frame.select("buurtcode", pl.col("wijkcode").alias("gebied"), pl.col("wijknaam").alias("naam"))
    if niveau == "focus":
        return (frame.select("buurtcode", pl.col("focus").alias("gebied")).explode("gebied")
                .drop_nulls("gebied").with_columns(naam=pl.col("gebied")))
    raise ValueError(f"unknown level {niveau!r}")


def location_quotients(db, peildata: list[date], niveau: str,
                       groups: tuple[branches.BrancheGroup, ...]) -> pl.DataFrame:
    """The location quotient of every branche group in every area of `niveau` on each day
    of `peildata` (branches.location_quotient, its minimum count included): peildatum,
    gebied, naam, groep, n, totaal, aandeel, stad_n, stad_totaal, stad_aandeel, lq. Areas
    without any vestiging on a day have no row (nothing to compare)."""
    raw = db.query("branches/actief", peildata=list(peildata)).with_columns(
        branches.group_expr("sbi_code", groups), pl.col("n").cast(pl.Int64))
    areas = _areas(db, niveau)
    names = areas.select("gebied", "naam").unique("gebied")
    located = raw.join(areas.select("buurtcode", "gebied"), on="buurtcode", how="inner")
    parts = []
    for day in peildata:
        on_day = raw.filter(pl.col("peildatum") == day)
        here = located.filter(pl.col("peildatum") == day)
        totals = here.group_by("gebied").agg(pl.col("n").sum().alias("totaal"))
        if totals.is_empty():
            continue
        counts = here.filter(pl.col("groep").is_not_null()).group_by("gebied", "groep").agg(pl.col("n").sum())
        lq = branches.location_quotient(counts, totals, stad=_city_counts(on_day, groups))
        parts.append(lq.with_columns(pl.lit(day, dtype=pl.Date).alias("peildatum")))
    schema = {"peildatum": pl.Date, "gebied": pl.String, "naam": pl.String, "groep": pl.String,
              "n": pl.Int64, "totaal": pl.Int64, "aandeel": pl.Float64, "stad_n": pl.Int64,
              "stad_totaal": pl.Int64, "stad_aandeel": pl.Float64, "lq": pl.Float64}
    if not parts:
        return pl.DataFrame(schema=schema)
    order = {g.sleutel: i for i, g in enumerate(groups)}
    return (pl.concat(parts).join(names, on="gebied", how="left")
            .with_columns(pl.col("groep").replace_strict(order, default=len(order)).alias("_volgorde"))
            .sort("peildatum", "gebied", "_volgorde").select(list(schema)))


def city(db, day: date, groups: tuple[branches.BrancheGroup, ...], stand_per: date) -> dict:
    """The whole city on `day`: active vestigingen per group beside all of them (actief:
    groep, n, totaal; every group of branches.toml, 0 where none) and the turnover per group
    and year (verloop). Nothing below the city: this is what the bestuur sees."""
    raw = db.query("branches/actief", peildata=[day]).with_columns(
        branches.group_expr("sbi_code", groups), pl.col("n").cast(pl.Int64))
    return {"actief": _city_counts(raw, groups), "verloop": turnover(db, None, groups, stand_per)}


def _city_counts(active: pl.DataFrame, groups: tuple[branches.BrancheGroup, ...]) -> pl.DataFrame:
    """The city on one day: per group of branches.toml (0 where none) its active vestigingen
    (n) beside all active vestigingen (totaal), also those without a known buurt. The one
    definition behind the location quotients' city share and the bestuur's city figures."""
    per_group = active.filter(pl.col("groep").is_not_null()).group_by("groep").agg(pl.col("n").sum())
    return (pl.DataFrame({"groep": [g.sleutel for g in groups]})
            .join(per_group, on="groep", how="left")
            .with_columns(pl.col("n").fill_null(0).cast(pl.Int64),
                          pl.lit(int(active["n"].sum()), dtype=pl.Int64).alias("totaal")))


def turnover(db, buurten: tuple[str, ...] | None, groups: tuple[branches.BrancheGroup, ...],
             stand_per: date) -> pl.DataFrame:
    """branches.turnover over the vestigingen of the area filter (None = the city)."""
    frame = db.query("branches/looptijden", buurten=list(buurten) if buurten is not None else None)
    return branches.turnover(frame, groups, stand_per=stand_per)


def co_location(db, van: date, tot: date, buurten: tuple[str, ...] | None,
                groups: tuple[branches.BrancheGroup, ...]) -> pl.DataFrame:
    """branches.co_location of the facilitating vestigingen active in [van, tot) within the
    area filter and the events of [van, tot) at their address keys (full keys: the page
    shortens them)."""
    keys = db.query("branches/adressen", van=van, tot=tot, buurten=list(buurten) if buurten is not None else None)
    events = db.query("branches/gebeurtenissen", van=van, tot=tot)
    by_source = {bron: events.filter(pl.col("bron") == bron) for bron in
                 ("hennepkwekerijen", "controles", "verdachte_transacties")}
    return branches.co_location(keys, branches.co_location_events(**by_source), groups)


def bibob(db, van: date, tot: date, buurten: tuple[str, ...] | None,
          groups: tuple[branches.BrancheGroup, ...]) -> pl.DataFrame:
    """Bibob decisions of [van, tot) per branche group and outcome (groep, uitkomst, aantal):
    a decision at an address key where a vestiging of the group was active that day; one
    decision counts once per group (a key with two groups counts in both)."""
    rows = db.query("branches/bibob", van=van, tot=tot, buurten=list(buurten) if buurten is not None else None)
    return (rows.with_columns(branches.group_expr("sbi_code", groups))
            .filter(pl.col("groep").is_not_null())
            .unique(["controlenummer", "groep"])
            .group_by("groep", "uitkomst").agg(pl.len().cast(pl.Int64).alias("aantal"))
            .sort("groep", "uitkomst"))


# --- what the page shows (Dutch, formatted by the caller's formats) ------------------------

def short_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """The co-location rows with the address key shortened (linkage.short), never whole."""
    return frame.with_columns(pl.col("adres_sleutel").map_elements(linkage.short, return_dtype=pl.String))


# --- facts for the measure registry (built at load, see dijkwacht/sql/build/) --------------

def build_facts(con, groups: tuple[branches.BrancheGroup, ...] | None = None) -> None:
    """Add the facilitating branches' facts to `feiten` (sql/build/feiten_branches.sql) on an
    open read-write connection, after feiten.sql has built the table. The ETL's hook: call
    this in etl/facts.build_facts after the fact table is built. The groups are bound as
    parameters, so data/branches.toml stays their one definition."""
    from dijkwacht import config
    groups = groups if groups is not None else branches.load_groups()
    pairs = [(code, g.sleutel) for g in groups for code in g.prefixes]
    sql = (config.SQL_DIR / "build" / "feiten_branches.sql").read_text(encoding="utf-8")
    # Two statements (a statement ends with ";" at the end of a line); DuckDB binds
    # parameters per statement, and the DELETE takes none.
    delete, insert = re.split(r";[ \t]*\n", sql, maxsplit=1)
    con.execute(delete)
    # A kept version from before schema 4 (retention rebuilds its facts) has no extract.
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'vestigingen' "
                   "AND table_schema = 'main'").fetchone()[0]:
        con.execute(insert, {"codes": [c for c, _ in pairs], "groepen": [g for _, g in pairs]})
