"""Rehearsal (oefenen) in the demo database (issue 22): a steward tries upload → preview →
quarantine → accept → rollback in the browser, with practice files, before a partner's
real file ever arrives.

A practice file names every record with the mark `OEFEN-` (registratienummer
`OEFEN-2026-001`, …; the column is the source's `record_number`). The mark keeps the two
worlds apart, both ways, before anything is keyed or written:

- the demo database takes only practice files through the inbox and the upload: a real
  partner file dropped there by mistake is refused, because the demo keys with a public key
  (config.DEMO_KEY) that must never touch a real identifier;
- a database with real data refuses a practice file.

The demo's own files (data/demo, loaded by `python -m etl --demo`) carry no mark: they are
the demo itself, not a delivery.

A source whose record number is a fixed number of digits (vestigingen: a 12-digit
vestigingsnummer) cannot carry the mark, so it has no practice file: the demo refuses such a
delivery whole with a message that says so, and a real database never meets the mark there
(the digits rule would quarantine it anyway).
"""
from __future__ import annotations

import csv
import io
from datetime import date

import polars as pl

from dijkwacht.filters import latest_complete_quarter
from dijkwacht.sources import SOURCES, Source
from etl.read import LINE

MARK = "OEFEN-"
PRACTICE_SOURCE = SOURCES["hennepkwekerijen"]


def mark_problem(frame: pl.DataFrame, source: Source, name: str, practice: bool) -> str | None:
    """Why this file may not load here (Dutch, naming the file, the line and the rule), or
    None. `practice`: the target is the demo (every record must carry the mark); otherwise
    it holds real data (no record may carry it). Values are never echoed."""
    column = source.record_number
    if practice and source.column(column).kind == "digits":
        return (f"{name}: voor de bron {source.label} bestaat geen oefenbestand ({column} is een nummer van "
                f"{source.column(column).digits} cijfers en kan niet met {MARK} beginnen); in de oefenomgeving "
                "(demodatabase) wordt zo'n bestand niet geladen. Er is niets geladen.")
    if column not in frame.columns:
        if not practice:
            return None
        return (f"{name}: kolom {column} ontbreekt; dit is de oefenomgeving (demodatabase), hier worden "
                f"alleen oefenbestanden geladen, waarin elk(e) {column} met {MARK} begint.")
    values = frame.select(LINE, pl.col(column).cast(pl.String).str.strip_chars().alias("v"))
    marked = pl.col("v").str.to_uppercase().str.starts_with(MARK)
    if practice:
        wrong = values.filter(pl.col("v").is_not_null() & (pl.col("v") != "") & ~marked)
        if wrong.height:
            return (f"{name}: regel {wrong[LINE][0]}: dit is de oefenomgeving (demodatabase); hier worden "
                    f"alleen oefenbestanden geladen, waarin elk(e) {column} met {MARK} begint. Er is niets "
                    "geladen.")
        return None
    wrong = values.filter(marked.fill_null(False))
    if wrong.height:
        return (f"{name}: regel {wrong[LINE][0]}: dit is een oefenbestand ({column} begint met {MARK}); "
                "oefenbestanden worden nooit in een database met echte gegevens geladen. Er is niets geladen.")
    return None


def _quarter_before(stand_per: date) -> tuple[date, int]:
    """The first day of the quarter every page opens with on `stand_per` (the last complete
    one, dijkwacht.filters), and its length in days: practice rows there show on the Briefing."""
    year, quarter = latest_complete_quarter(stand_per)
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, (end - start).days


GOOD = 8
# One row per rule a partner's file typically breaks: (column, value, what is wrong).
BAD = (("datum_ontmanteling", "31-02-{year}", "a date that does not exist"),
       ("aantal_planten", "-5", "a negative number of plants"),
       ("locatietype", "zolderkamer", "a location type outside the list"))


def practice_file(stand_per: date, buurtcodes: list[str]) -> bytes:
    """A hennepkwekerijen delivery to practise with, as a Dutch spreadsheet exports it (`;`,
    dd-mm-jjjj): GOOD rows in the last complete quarter before `stand_per` and one row
    breaking each rule in BAD. Fictional addresses; every record carries the mark."""
    start, days = _quarter_before(stand_per)
    columns = ["registratienummer", "datum_ontmanteling", "adres", "postcode", "buurtcode",
               "locatietype", "aantal_planten", "stroomdiefstal", "eigendom", "maatregel"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for i in range(GOOD + len(BAD)):
        day = date.fromordinal(start.toordinal() + (i * 7) % days)
        row = {"registratienummer": f"{MARK}{start.year}-{i + 1:03d}", "datum_ontmanteling": f"{day:%d-%m-%Y}",
               "adres": f"Oefenstraat {i + 1}", "postcode": "3311 AB",
               "buurtcode": buurtcodes[i % len(buurtcodes)], "locatietype": "woning",
               "aantal_planten": str(100 + 20 * i), "stroomdiefstal": "ja", "eigendom": "particuliere verhuur",
               "maatregel": "sluiting"}
        if i >= GOOD:
            column, value, _ = BAD[i - GOOD]
            row[column] = value.format(year=start.year)
        writer.writerow([row[c] for c in columns])
    return out.getvalue().encode("utf-8")


def practice_name(stand_per: date) -> str:
    start, _ = _quarter_before(stand_per)
    return f"{PRACTICE_SOURCE.name}_oefenen_{start.year}-{(start.month - 1) // 3 + 1}e-kwartaal.csv"
