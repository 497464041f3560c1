"""Faciliterende branches (issue 19): the pure core the `vestigingen` source, its page and
the demo build on. No Streamlit, no ETL: SBI codes, branche groups, and four computations
over polars frames.

SBI codes (`normalise_sbi`, `sbi_expr`)
    A code is kept as its digits: 2 to 5 of them ("45" division, "451" group, "4511" class,
    "45111" Dutch subclass). What a partner file delivers is normalised as follows:

    1. Surrounding whitespace (also a non-breaking space) is dropped; an int counts as its
       digits, a float as Python writes it (4511.0 → "4511.0", then rule 2).
    2. A spreadsheet number: digits, one "." or ",", and only zeros after it ("4511.0",
       "4511,00", "45.0") loses that fraction. "45.0" becomes "45": the only SBI groups that
       end in 0 (11.0, 12.0, 97.0, ...) cover exactly their division, so "45" and "450"
       select the same codes.
    3. The dotted notation: two digits, then ".d", ".dd", ".ddd" or ".dd.d" ("45.1",
       "45.11", "45.111", "45.11.1"): the dots are dropped.
    4. Plain digits, 2 to 5 of them, are kept as they are.
    5. Anything else is invalid (None): letters, one digit, six or more, "00" as division,
       inner spaces, two separators in a row, a negative sign, an empty value.

    A code that lost its leading zero in a spreadsheet ("111" for 01.11) is not repaired:
    it cannot be told from a real code, and no facilitating group starts with 0. Whether a
    code exists in the CBS list is not checked here (the list is not bundled).

Branche groups (`load_groups`, `group_of`, `group_expr`)
    data/branches.toml, schema in its header. A code occurs once in the whole file; a code
    covered by another code of its own group is an error (redundant); a code inside a
    shorter code of another group is allowed and the longest prefix wins, so every SBI code
    belongs to at most one group. Errors are `BranchesError`, in Dutch, naming the key.

Computations (all keys only: no names, no addresses)
    `location_quotient`  concentration of each group per area against the city
    `turnover`           registrations, closures and the share closed within 12 months
    `co_location`        address keys where a facilitating vestiging shares the key with
                         grow sites, inspections with findings, Bibob refusals or
                         suspicious transactions
    `co_location_events` the events co_location takes, from the source tables' rows, by
                         the rules of the measure registry (sql/build/feiten.sql)
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from dijkwacht import config

BRANCHES_TOML = config.DATA_DIR / "branches.toml"

GROUP_KEYS = ("label", "toelichting", "codes")
CODE_KEYS = ("code", "omschrijving")
PROVENANCE_KEYS = ("classificatie", "versie", "bron", "url", "omschrijvingen", "geraadpleegd",
                   "licentie", "licentie_url", "opmerking")
PROVENANCE_REQUIRED = ("classificatie", "bron", "url", "geraadpleegd", "licentie")
TOP_KEYS = ("herkomst", "groepen")

_SPREADSHEET = re.compile(r"^(\d{2,5})[.,]0+$")
_DOTTED = re.compile(r"^\d{2}(?:\.\d{1,3}|\.\d{2}\.\d)$")
_DIGITS = re.compile(r"^\d{2,5}$")
_GROUP_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

# The minimum count below which a location quotient is not given (null): an area with
# fewer vestigingen of a group than this says nothing about concentration, and matches
# the disclosure rule that counts below 5 are not shown exactly.
LQ_MINIMUM = 5

# The kinds of event co_location counts, and the column each becomes.
CO_LOCATION_KINDS = {
    "hennepkwekerij": "hennepkwekerijen",
    "controle met bevindingen": "controles_met_bevindingen",
    "bibob geweigerd": "bibob_geweigerd",
    "verdachte transactie": "verdachte_transacties",
}
# As in linkage.BIBOB_REFUSED and sql/build/feiten.sql (bibob_geweigerd).
BIBOB_REFUSED = ("bibob: geweigerd", "bibob: ingetrokken")


class BranchesError(ValueError):
    """data/branches.toml is wrong; the message (Dutch) names the file and the key."""


@dataclass(frozen=True)
class SbiCode:
    code: str             # 2-5 digits
    omschrijving: str     # the CBS description, Dutch


@dataclass(frozen=True)
class BrancheGroup:
    sleutel: str                  # the table name in branches.toml, e.g. "autohandel"
    label: str                    # Dutch, on screen
    toelichting: str              # why the branche is facilitating
    codes: tuple[SbiCode, ...]

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)


# ---------------------------------------------------------------------------------------
# SBI codes
# ---------------------------------------------------------------------------------------
def normalise_sbi(value: str | int | float | None) -> str | None:
    """An SBI code as its digits (module docstring, rules 1-5), or None when invalid."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    spreadsheet = _SPREADSHEET.match(text)
    if spreadsheet:
        text = spreadsheet.group(1)
    elif _DOTTED.match(text):
        text = text.replace(".", "")
    if not _DIGITS.match(text) or text.startswith("00"):
        return None
    return text


def sbi_expr(col: str) -> pl.Expr:
    """`normalise_sbi` as a polars expression over a string column (vectorised; same rules)."""
    text = pl.col(col).cast(pl.String).str.strip_chars()
    text = (pl.when(text.str.contains(_SPREADSHEET.pattern))
            .then(text.str.replace(r"[.,]0+$", ""))
            .when(text.str.contains(_DOTTED.pattern))
            .then(text.str.replace_all(".", "", literal=True))
            .otherwise(text))
    return (pl.when(text.str.contains(_DIGITS.pattern) & ~text.str.starts_with("00"))
            .then(text).otherwise(None).alias(col))


# ---------------------------------------------------------------------------------------
# Branche groups
# ---------------------------------------------------------------------------------------
def _fail(where: str, message: str) -> BranchesError:
    return BranchesError(f"{where}: {message}")


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{key} moet een niet-lege tekst zijn, niet {value!r}")
    return value.strip()


def _check_provenance(raw: object, name: str) -> None:
    where = f"{name}: [herkomst]"
    if not isinstance(raw, dict):
        raise _fail(name, "[herkomst] ontbreekt: de herkomst van de SBI-codes is verplicht")
    unknown = [k for k in raw if k not in PROVENANCE_KEYS]
    if unknown:
        raise _fail(where, f"{unknown[0]}: onbekende sleutel (toegestaan: {', '.join(PROVENANCE_KEYS)})")
    for key in PROVENANCE_REQUIRED:
        if key == "geraadpleegd":
            if not isinstance(raw.get(key), date):
                raise _fail(where, f"geraadpleegd moet een datum zijn (bijv. 2026-12-02), niet {raw.get(key)!r}")
        else:
            _text(raw, key, where)


def _group(key: str, raw: object, name: str) -> BrancheGroup:
    where = f"{name}: [groepen.{key}]"
    if not _GROUP_KEY.match(key):
        raise _fail(where, "de naam van een groep bestaat uit kleine letters, cijfers en _")
    if not isinstance(raw, dict):
        raise _fail(where, "moet een tabel zijn")
    unknown = [k for k in raw if k not in GROUP_KEYS]
    if unknown:
        raise _fail(where, f"{unknown[0]}: onbekende sleutel (toegestaan: {', '.join(GROUP_KEYS)})")
    label = _text(raw, "label", where)
    toelichting = _text(raw, "toelichting", where)
    entries = raw.get("codes")
    if not isinstance(entries, list) or not entries:
        raise _fail(where, "codes moet een niet-lege lijst zijn van { code = \"...\", omschrijving = \"...\" }")
    codes: list[SbiCode] = []
    for i, entry in enumerate(entries, start=1):
        at = f"{where} codes[{i}]"
        if not isinstance(entry, dict):
            raise _fail(at, "moet een tabel { code = \"...\", omschrijving = \"...\" } zijn")
        unknown = [k for k in entry if k not in CODE_KEYS]
        if unknown:
            raise _fail(at, f"{unknown[0]}: onbekende sleutel (toegestaan: {', '.join(CODE_KEYS)})")
        code = entry.get("code")
        if not isinstance(code, str) or not _DIGITS.match(code) or code.startswith("00"):
            raise _fail(at, f"code moet een tekst van 2 tot 5 cijfers zijn zonder punten (bijv. \"4511\"), "
                            f"niet {code!r}")
        codes.append(SbiCode(code, _text(entry, "omschrijving", at)))
    for a in codes:
        for b in codes:
            if a is not b and a.code == b.code:
                raise _fail(where, f"code {a.code} staat twee keer in de groep")
            if a is not b and b.code.startswith(a.code):
                raise _fail(where, f"code {b.code} is overbodig: {a.code} in dezelfde groep omvat hem al")
    return BrancheGroup(key, label, toelichting, tuple(codes))


def parse_groups(raw: dict, name: str = "branches.toml") -> tuple[BrancheGroup, ...]:
    """The groups of a parsed branches.toml (`load_groups` without the file)."""
    unknown = [k for k in raw if k not in TOP_KEYS]
    if unknown:
        raise _fail(name, f"{unknown[0]}: onbekende sleutel (toegestaan: {', '.join(TOP_KEYS)})")
    _check_provenance(raw.get("herkomst"), name)
    tables = raw.get("groepen")
    if not isinstance(tables, dict) or not tables:
        raise _fail(name, "[groepen] ontbreekt of is leeg: geef ten minste één groep")
    groups = tuple(_group(key, value, name) for key, value in tables.items())
    owner: dict[str, str] = {}
    labels: dict[str, str] = {}
    for group in groups:
        if group.label in labels:
            raise _fail(f"{name}: [groepen.{group.sleutel}]",
                        f"label {group.label!r} is al het label van [groepen.{labels[group.label]}]")
        labels[group.label] = group.sleutel
        for code in group.prefixes:
            if code in owner:
                raise _fail(f"{name}: [groepen.{group.sleutel}]",
                            f"code {code} staat ook in [groepen.{owner[code]}]: een code hoort bij één groep")
            owner[code] = group.sleutel
    return groups


def load_groups(path: Path | str | None = None) -> tuple[BrancheGroup, ...]:
    """The facilitating branche groups of data/branches.toml (or `path`), in file order.
    Raises BranchesError (Dutch, naming the key) when the file is wrong."""
    path = Path(path) if path is not None else BRANCHES_TOML
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise _fail(path.name, f"geen geldige TOML: {err}") from None
    return parse_groups(raw, path.name)


def load_provenance(path: Path | str | None = None) -> dict:
    """The [herkomst] table of branches.toml (checked), for a page's source line."""
    path = Path(path) if path is not None else BRANCHES_TOML
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    _check_provenance(raw.get("herkomst"), path.name)
    return dict(raw["herkomst"])


def _prefix_table(groups: tuple[BrancheGroup, ...]) -> dict[str, str]:
    return {code: g.sleutel for g in groups for code in g.prefixes}


def group_of(sbi: str | None, groups: tuple[BrancheGroup, ...]) -> str | None:
    """The key of the group whose longest code is a prefix of `sbi` (normalised first), or
    None when no group covers it or the code is invalid."""
    code = normalise_sbi(sbi)
    if code is None:
        return None
    table = _prefix_table(groups)
    for length in range(len(code), 1, -1):
        if code[:length] in table:
            return table[code[:length]]
    return None


def group_expr(col: str, groups: tuple[BrancheGroup, ...]) -> pl.Expr:
    """A polars expression: the group key of each SBI code in `col` (digits, as `sbi_expr`
    gives them), longest prefix first; null when no group covers it. Vectorised: one
    lookup per code length, no Python per row."""
    table = _prefix_table(groups)
    lengths = sorted({len(code) for code in table}, reverse=True)
    code = pl.col(col).cast(pl.String)
    lookups = []
    for length in lengths:
        mapping = {k: v for k, v in table.items() if len(k) == length}
        lookups.append(code.str.slice(0, length)
                       .replace_strict(list(mapping), list(mapping.values()), default=None,
                                       return_dtype=pl.String))
    if not lookups:
        return pl.lit(None, dtype=pl.String).alias("groep")
    return pl.coalesce(lookups).alias("groep")


def _with_group(frame: pl.DataFrame, groups: tuple[BrancheGroup, ...] | None, caller: str) -> pl.DataFrame:
    if "groep" in frame.columns:
        return frame
    if groups is None or "sbi_code" not in frame.columns:
        raise ValueError(f"{caller} needs a 'groep' column, or an 'sbi_code' column and the groups")
    return frame.with_columns(group_expr("sbi_code", groups))


# ---------------------------------------------------------------------------------------
# Location quotient
# ---------------------------------------------------------------------------------------
def location_quotient(counts: pl.DataFrame, totals: pl.DataFrame, *, stad: pl.DataFrame | None = None,
                      minimum: int = LQ_MINIMUM) -> pl.DataFrame:
    """The location quotient of each group in each area:

        LQ = (n / totaal) / (stad_n / stad_totaal) = (n × stad_totaal) / (totaal × stad_n)

    counts  (gebied, groep, n): vestigingen of a group in an area; a missing row is 0,
            rows without a group are left out, repeated rows are summed.
    totals  (gebied, totaal): ALL vestigingen in the area (every SBI code, facilitating or
            not), the denominator; every area of `counts` needs one.
    stad    (groep, n, totaal): the city's count per group and the city's total (the same
            on every row). Default: the sums over the areas, right only when the areas
            partition the city (buurten, wijken); pass it for overlapping areas (focus
            areas, industrial estates) or a subset of areas.
    minimum the guard: lq is null when n < minimum (also when n is 0), when the area's total
            is 0, or when the city has none of the group.

    Returns one row per area in `totals` × group in `counts`/`stad`, sorted by gebied and
    groep: gebied, groep, n, totaal, aandeel (n / totaal), stad_n, stad_totaal,
    stad_aandeel, lq (all ratios Float64; lq computed as one division of integer products).
    """
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    missing = set(counts["gebied"].unique().to_list()) - set(totals["gebied"].to_list())
    if missing:
        raise ValueError(f"areas without a total: {sorted(missing)[:5]}")
    if totals["gebied"].is_duplicated().any():
        raise ValueError("totals has an area twice")
    counts = (counts.filter(pl.col("groep").is_not_null())
              .group_by("gebied", "groep").agg(pl.col("n").sum().cast(pl.Int64)))
    totals = totals.select("gebied", pl.col("totaal").cast(pl.Int64))
    if stad is None:
        stad = (counts.group_by("groep").agg(pl.col("n").sum().alias("stad_n"))
                .with_columns(pl.lit(int(totals["totaal"].sum()), dtype=pl.Int64).alias("stad_totaal")))
    else:
        stad = stad.select("groep", pl.col("n").cast(pl.Int64).alias("stad_n"),
                           pl.col("totaal").cast(pl.Int64).alias("stad_totaal"))
    group_names = pl.concat([counts.select("groep"), stad.select("groep")]).unique()
    grid = (totals.join(group_names, how="cross")
            .join(counts, on=["gebied", "groep"], how="left")
            .join(stad, on="groep", how="left")
            .with_columns(pl.col("n").fill_null(0), pl.col("stad_n").fill_null(0)))
    ok = (pl.col("n") >= minimum) & (pl.col("totaal") > 0) & (pl.col("stad_n") > 0)
    return (grid.with_columns(
                pl.when(pl.col("totaal") > 0).then(pl.col("n") / pl.col("totaal")).alias("aandeel"),
                pl.when(pl.col("stad_totaal") > 0).then(pl.col("stad_n") / pl.col("stad_totaal"))
                  .alias("stad_aandeel"),
                pl.when(ok).then((pl.col("n") * pl.col("stad_totaal")).cast(pl.Float64)
                                 / (pl.col("totaal") * pl.col("stad_n")).cast(pl.Float64)).alias("lq"))
            .select("gebied", "groep", "n", "totaal", "aandeel", "stad_n", "stad_totaal", "stad_aandeel", "lq")
            .sort("gebied", "groep"))


# ---------------------------------------------------------------------------------------
# Turnover
# ---------------------------------------------------------------------------------------
def turnover(frame: pl.DataFrame, groups: tuple[BrancheGroup, ...] | None = None, *,
             stand_per: date | None = None) -> pl.DataFrame:
    """Registrations, closures and quick closures per group and year.

    frame  one row per vestiging: datum_inschrijving (Date, required), datum_opheffing
           (Date, null while active) and either `groep` or `sbi_code` with `groups`. Rows
           without a group (not facilitating) are left out.
    stand_per  the data's date: a registration can only be judged "closed within 12 months"
           once its 12 months have passed by then. Default: every registration is judged.

    Per (groep, jaar), sorted:
      inschrijvingen      vestigingen registered in that year
      opheffingen         vestigingen closed in that year (whatever their registration year)
      beoordeeld          of that year's registrations, those whose 12 months have passed
      binnen_12_maanden   of those, the ones closed within 12 calendar months of
                          registration (registration ≤ closure ≤ registration + 12 months,
                          the day itself included: 15 March 2023 → 15 March 2024)
      aandeel_binnen_12_maanden  binnen_12_maanden / beoordeeld (null when none judged)
    A year appears when it has a registration or a closure of the group.
    """
    frame = _with_group(frame, groups, "turnover").filter(pl.col("groep").is_not_null())
    start = pl.col("datum_inschrijving")
    end = pl.col("datum_opheffing")
    deadline = start.dt.offset_by("12mo")
    judged = deadline <= stand_per if stand_per is not None else pl.lit(True)
    quick = end.is_not_null() & (end >= start) & (end <= deadline)
    registered = (frame.with_columns(judged.alias("_judged"), quick.alias("_quick"))
                  .group_by("groep", start.dt.year().alias("jaar"))
                  .agg(pl.len().alias("inschrijvingen"),
                       pl.col("_judged").sum().alias("beoordeeld"),
                       (pl.col("_judged") & pl.col("_quick")).sum().alias("binnen_12_maanden")))
    closed = (frame.filter(end.is_not_null())
              .group_by("groep", end.dt.year().alias("jaar"))
              .agg(pl.len().alias("opheffingen")))
    counts = ("inschrijvingen", "opheffingen", "beoordeeld", "binnen_12_maanden")
    return (registered.join(closed, on=["groep", "jaar"], how="full", coalesce=True)
            .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
            .with_columns(pl.when(pl.col("beoordeeld") > 0)
                          .then(pl.col("binnen_12_maanden") / pl.col("beoordeeld"))
                          .alias("aandeel_binnen_12_maanden"))
            .select("groep", pl.col("jaar").cast(pl.Int32), *counts, "aandeel_binnen_12_maanden")
            .sort("groep", "jaar"))


# ---------------------------------------------------------------------------------------
# Co-location
# ---------------------------------------------------------------------------------------
def co_location_events(*, hennepkwekerijen: pl.DataFrame | None = None, controles: pl.DataFrame | None = None,
                       verdachte_transacties: pl.DataFrame | None = None) -> pl.DataFrame:
    """The events `co_location` counts, as (adres_sleutel, soort), from rows of the source
    tables (only the columns named below are read):

      hennepkwekerijen       every grow site                            → "hennepkwekerij"
      controles              soort ≠ 'bibob-toets' and (uitkomst = 'overtreding' or any
                             bevindingen): an inspection with findings  → "controle met bevindingen"
      controles              uitkomst 'bibob: geweigerd' / 'bibob: ingetrokken'
                                                                        → "bibob geweigerd"
      verdachte_transacties  every suspicious transaction               → "verdachte transactie"

    The same rules as the measure registry's controles_met_bevindingen and bibob_geweigerd
    (dijkwacht/sql/build/feiten.sql). Rows without an address key are left out."""
    parts = []
    if hennepkwekerijen is not None:
        parts.append(hennepkwekerijen.select("adres_sleutel", pl.lit("hennepkwekerij").alias("soort")))
    if controles is not None:
        findings = (pl.col("soort") != "bibob-toets") & (
            (pl.col("uitkomst") == "overtreding").fill_null(False)
            | (pl.col("bevindingen").list.len().fill_null(0) > 0))
        parts.append(controles.filter(findings.fill_null(False))
                     .select("adres_sleutel", pl.lit("controle met bevindingen").alias("soort")))
        parts.append(controles.filter(pl.col("uitkomst").is_in(BIBOB_REFUSED).fill_null(False))
                     .select("adres_sleutel", pl.lit("bibob geweigerd").alias("soort")))
    if verdachte_transacties is not None:
        parts.append(verdachte_transacties.select("adres_sleutel", pl.lit("verdachte transactie").alias("soort")))
    if not parts:
        return pl.DataFrame(schema={"adres_sleutel": pl.String, "soort": pl.String})
    return (pl.concat([p.with_columns(pl.col("adres_sleutel").cast(pl.String)) for p in parts])
            .filter(pl.col("adres_sleutel").is_not_null()))


def co_location(vestigingen_keys: pl.DataFrame, other_events: pl.DataFrame,
                groups: tuple[BrancheGroup, ...] | None = None) -> pl.DataFrame:
    """Address keys where a facilitating vestiging shares the key with other events.

    vestigingen_keys  one row per vestiging: adres_sleutel and `groep` (or `sbi_code` with
                      `groups`); rows without a key or without a group are left out.
    other_events      (adres_sleutel, soort), soort one of CO_LOCATION_KINDS (what
                      `co_location_events` gives); other kinds raise ValueError.

    One row per (adres_sleutel, groep) whose key has at least one event: vestigingen (of
    that group at the key), one count column per kind (hennepkwekerijen,
    controles_met_bevindingen, bibob_geweigerd, verdachte_transacties) and totaal (the
    events at the key, all kinds; the same on each group row of one key). Sorted by totaal
    descending, then key and group. Keys only: nothing here can make a key readable. The
    match is on the key alone, not on time: the page decides which period it shows.
    """
    unknown = set(other_events["soort"].unique().to_list()) - set(CO_LOCATION_KINDS)
    if unknown:
        raise ValueError(f"unknown event kinds {sorted(map(str, unknown))}; expected {list(CO_LOCATION_KINDS)}")
    vest = (_with_group(vestigingen_keys, groups, "co_location")
            .filter(pl.col("adres_sleutel").is_not_null() & pl.col("groep").is_not_null())
            .group_by("adres_sleutel", "groep").agg(pl.len().alias("vestigingen")))
    events = other_events.filter(pl.col("adres_sleutel").is_not_null())
    per_key = events.group_by("adres_sleutel").agg(
        *[(pl.col("soort") == kind).sum().cast(pl.Int64).alias(column) for kind, column in CO_LOCATION_KINDS.items()],
        pl.len().cast(pl.Int64).alias("totaal"))
    columns = list(CO_LOCATION_KINDS.values())
    return (vest.join(per_key, on="adres_sleutel", how="inner")
            .select("adres_sleutel", "groep", pl.col("vestigingen").cast(pl.Int64), *columns, "totaal")
            .sort(["totaal", "adres_sleutel", "groep"], descending=[True, False, False]))
