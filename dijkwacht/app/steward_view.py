"""The Data page's tables as a data steward reads them (issue 22): Dutch column names, local
time (Europe/Amsterdam, "2 dec 2026 00:36"), empty cells empty, counts and outcomes in words.

Pure: the ETL's state (etl/steward.py, the audit log) in, the shown frame out. The page shows
these frames and its downloads hand out the same ones, so the quarantine list a steward sends
back to a partner reads like the screen.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import polars as pl

from dijkwacht import formats
from dijkwacht.sources import SOURCES
from etl.advice import next_step
from etl.read import LINE

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
RUN_KINDS = {"demo": "demo opgebouwd", "laden": "levering", "oefenen": "oefenlevering",
             "terugdraaien": "teruggedraaid"}
AUDIT_ACTIONS = {"inloggen": "inloggen", "uitloggen": "uitloggen", "pagina": "pagina bekeken",
                 "detail": "detail bekeken", "export": "download", "weigering": "geweigerd",
                 "laden": "laden", "terugdraaien": "terugdraaien", "beheer": "beheer", "opvolging": "opvolging"}
AUDIT_RESULTS = {"ok": "gelukt", "mislukt": "mislukt", "geweigerd": "geweigerd"}


def _local(column: str) -> pl.Expr:
    return pl.col(column).map_elements(formats.local_moment, return_dtype=pl.String).fill_null("")


def count(n: int, one: str, more: str) -> str:
    """'1 regel', '1.234 regels'."""
    return f"{formats.number(n)} {one if n == 1 else more}"


def utc_bounds(days) -> tuple[datetime | None, datetime | None]:
    """A date_input's local days (none, one, or from–to inclusive) as the audit log's UTC
    bounds [van, tot): a day here starts at midnight in Europe/Amsterdam."""
    days = tuple(days or ())
    if not days:
        return None, None
    first, last = days[0], days[-1]
    def midnight(d: date) -> datetime:
        return datetime.combine(d, time(), AMSTERDAM).astimezone(timezone.utc)
    return midnight(first), midnight(last + timedelta(days=1))


def _text(column: str) -> pl.Expr:
    """Empty stays empty: no None, no 'null'."""
    return pl.col(column).cast(pl.String).fill_null("")


def _file(column: str = "bestand") -> pl.Expr:
    """A file by its name (the load log keeps the path it was read from)."""
    return _text(column).str.replace(r"^.*[/\\]", "")


def _source(column: str = "bron") -> pl.Expr:
    labels = {name: s.label for name, s in SOURCES.items()}
    return pl.col(column).cast(pl.String).replace_strict(labels, default=pl.col(column).cast(pl.String)).fill_null("")


def _outcome(row: dict) -> str:
    if row["status"] == "bezig":
        return "bezig"
    if row["status"] == "mislukt":
        return "mislukt" + (f": {row['melding']}" if row["melding"] else "")
    if row["soort"] == "terugdraaien":
        return row["melding"] or "vorige versie teruggezet"
    if not row["gepubliceerd"]:
        return "niets nieuws: niet opnieuw gepubliceerd"
    return "gepubliceerd"


def _typed(frame: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """A state query's frame with its columns typed even when it has no rows (an empty
    query gives null-typed columns, which the expressions below cannot map)."""
    return frame.cast({c: t for c, t in schema.items() if c in frame.columns})


RUN_SCHEMA = {"load_id": pl.String, "soort": pl.String, "gestart_op": pl.String, "klaar_op": pl.String,
              "status": pl.String, "gepubliceerd": pl.Int64, "melding": pl.String, "bestanden": pl.Int64,
              "rijen_in": pl.Int64, "geladen": pl.Int64, "gequarantaineerd": pl.Int64, "geweigerd": pl.Int64}
FILE_SCHEMA = {"load_id": pl.String, "bestand": pl.String, "bron": pl.String, "status": pl.String,
               "melding": pl.String, "rijen_in": pl.Int64, "geladen": pl.Int64, "gequarantaineerd": pl.Int64,
               "klaar_op": pl.String}
QUARANTINE_SCHEMA = {"load_id": pl.String, "bestand": pl.String, "bron": pl.String, "regel": pl.Int64,
                     "kolom": pl.String, "regel_fout": pl.String, "waarde": pl.String}


def runs(frame: pl.DataFrame) -> pl.DataFrame:
    """Load runs (etl/steward.load_runs), newest first."""
    frame = _typed(frame, RUN_SCHEMA)
    return frame.with_columns(pl.struct(pl.all()).map_elements(_outcome, return_dtype=pl.String).alias("uitkomst")
                              ).select(
        _local("gestart_op").alias("Begonnen"),
        pl.col("soort").replace_strict(RUN_KINDS, default=pl.col("soort")).alias("Soort"),
        pl.col("uitkomst").alias("Uitkomst"),
        pl.col("bestanden").alias("Bestanden"),
        pl.col("rijen_in").alias("Regels in de bestanden"),
        pl.col("geladen").alias("Geladen"),
        pl.col("gequarantaineerd").alias("In quarantaine"),
        pl.col("geweigerd").alias("Bestanden geweigerd"),
        _local("klaar_op").alias("Klaar"),
        pl.col("load_id").alias("Laadrun (kenmerk)"))


def run_label(row: dict) -> str:
    """One load run in a choice list: '2 dec 2026 00:36 — levering'."""
    return f"{formats.local_moment(row['gestart_op'])} — {RUN_KINDS.get(row['soort'], row['soort'])}"


def quarantine_by_rule(frame: pl.DataFrame) -> pl.DataFrame:
    """The quarantine grouped by rule: per file and broken rule, how many lines and one
    example line (etl/steward.quarantine has one row per broken rule per line)."""
    frame = _typed(frame, QUARANTINE_SCHEMA)
    if frame.is_empty():
        return pl.DataFrame(schema={c: pl.String for c in
                                    ("Bestand", "Kolom", "Wat niet klopt", "Aantal regels", "Voorbeeld")})
    grouped = (frame.sort("regel")
               .group_by("bestand", "bron", "kolom", "regel_fout", maintain_order=True)
               .agg(pl.len().alias("n"), pl.col("regel").first().alias("eerste"),
                    pl.col("waarde").first().alias("voorbeeld")))
    return grouped.sort("bestand", "n", descending=[False, True]).select(
        _file().alias("Bestand"), _text("kolom").alias("Kolom"), _text("regel_fout").alias("Wat niet klopt"),
        pl.col("n").map_elements(formats.number, return_dtype=pl.String).alias("Aantal regels"),
        pl.format("regel {}: {}", pl.col("eerste"), pl.col("voorbeeld").fill_null("(leeg)")).alias("Voorbeeld"))


def quarantine_lines(frame: pl.DataFrame) -> pl.DataFrame:
    """Every quarantined line of one rule or file: the list to send back to the partner."""
    return _typed(frame, QUARANTINE_SCHEMA).select(_text("bestand").alias("Bestand"), _source().alias("Bron"),
                        pl.col("regel").alias("Regel in het bestand"), _text("kolom").alias("Kolom"),
                        _text("regel_fout").alias("Wat niet klopt"), _text("waarde").alias("Waarde in het bestand"))


FILE_STATUS = {"loaded": "geladen", "skipped": "overgeslagen", "rejected": "geweigerd"}


def _file_outcome(row: dict) -> str:
    status = FILE_STATUS.get(row["status"], row["status"] or "")
    if row["status"] == "rejected":
        return f"geweigerd: {row['melding']}" if row["melding"] else status
    return f"{status}: {row['melding']}" if row["melding"] and row["status"] == "skipped" else status


def _file_step(row: dict) -> str:
    if row["status"] == "loaded":
        return next_step(None, row["gequarantaineerd"] or 0)
    return next_step(row["melding"] or row["status"]) if row["status"] == "rejected" else ""


def load_files(frame: pl.DataFrame) -> pl.DataFrame:
    """The files of a load run: outcome in words and what to do next."""
    both = pl.struct(pl.all())
    return _typed(frame, FILE_SCHEMA).select(
        _file().alias("Bestand"), _source().alias("Bron"),
        both.map_elements(_file_outcome, return_dtype=pl.String).alias("Uitkomst"),
        pl.col("rijen_in").alias("Regels"), pl.col("geladen").alias("Geladen"),
        pl.col("gequarantaineerd").alias("In quarantaine"),
        both.map_elements(_file_step, return_dtype=pl.String).alias("Wat nu"),
        _local("klaar_op").alias("Verwerkt"))


def source_status(frame: pl.DataFrame) -> pl.DataFrame:
    """Stand per bron: the record date each source reaches, and when it was last loaded."""
    return frame.select(
        _source().alias("Bron"),
        pl.col("stand_per").map_elements(formats.day, return_dtype=pl.String).fill_null("").alias("Stand per"),
        pl.col("eerste_datum").map_elements(formats.day, return_dtype=pl.String).fill_null("").alias("Gegevens vanaf"),
        pl.col("rijen").map_elements(formats.number, return_dtype=pl.String).fill_null("").alias("Rijen"),
        _local("geladen_op").alias("Laatst geladen"))


def preview_errors(preview) -> pl.DataFrame:
    """An upload preview's quarantine in the shape of the stored one."""
    return preview.errors.rename({LINE: "regel"}).with_columns(
        pl.lit(preview.name).alias("bestand"), pl.lit(preview.source).alias("bron"))


FOLDERS = {"wacht": "wacht op laden", "verwerkt": "verwerkt", "geweigerd": "geweigerd"}


def inbox(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("map").replace_strict(FOLDERS, default=pl.col("map")).alias("Status"),
        _text("bestand").alias("Bestand"),
        pl.col("grootte_kb").map_elements(lambda kb: f"{formats.number(kb, 1)} kB", return_dtype=pl.String)
        .alias("Grootte"),
        pl.col("verwijderd_op").map_elements(formats.day, return_dtype=pl.String).fill_null("")
        .alias("Wordt verwijderd op"))


def versions(kept: list[dict]) -> pl.DataFrame:
    """Kept versions, newest first (etl/steward.versions): the first is what a rollback
    brings back, each next one a rollback further."""
    rows = [{"Bewaard sinds": formats.local_moment(v["bewaard_sinds"]),
             "Bij terugdraaien": "wordt nu teruggezet" if i == 0 else f"bij de {i + 1}e keer terugdraaien"}
            for i, v in enumerate(kept)]
    return pl.DataFrame(rows, schema={"Bewaard sinds": pl.String, "Bij terugdraaien": pl.String})


def _filters(text: str | None) -> str:
    """The audit row's filter JSON as words: 'periode: kwartaal, gebied: wijk 01'."""
    if not text:
        return ""
    try:
        values = json.loads(text)
    except ValueError:
        return text
    if not isinstance(values, dict):
        return str(values)
    def word(v) -> str:
        return "ja" if v is True else "nee" if v is False else "" if v is None else str(v)
    return ", ".join(f"{k}: {word(v)}" for k, v in values.items() if v not in (None, "", [], {}))


def audit_log(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("nr").alias("Nr"), _local("tijd").alias("Tijd"), _text("actor").alias("Wie"),
        _text("rol").alias("Rol"),
        pl.col("actie").replace_strict(AUDIT_ACTIONS, default=pl.col("actie")).fill_null("").alias("Actie"),
        _text("object").alias("Wat"),
        pl.col("resultaat").replace_strict(AUDIT_RESULTS, default=pl.col("resultaat")).fill_null("")
        .alias("Resultaat"),
        pl.col("herkomst").str.replace(r"^app\b", "dashboard").str.replace(r"^etl$", "laadproces")
        .fill_null("").alias("Via"),
        pl.col("filters").map_elements(_filters, return_dtype=pl.String).fill_null("").alias("Keuzes"),
        pl.col("rijen").map_elements(formats.number, return_dtype=pl.String).fill_null("").alias("Rijen"),
        _text("export_sha256").alias("Controlegetal download (SHA-256)"),
        _text("load_id").alias("Laadrun (kenmerk)"))
