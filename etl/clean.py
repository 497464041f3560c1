"""Pure cleaning of one file's raw strings against its source's contract (DESIGN §2).

`clean()` parses every declared column, and returns the typed rows that pass, one
quarantine entry per broken rule, and the warnings for everything odd that does not
reject a row. Only the rules of DESIGN §2 reject a row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from etl.read import LINE
from etl.sources import Column, Source

HIDDEN = "(verborgen)"
EXCEL_EPOCH = date(1899, 12, 30)
DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y")
TIME_SUFFIXES = (" %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M")
FORMULA_START = ("=", "+", "-", "@")


def normalise_header(name: str) -> str:
    """Header names match case-, space- and underscore-insensitively."""
    return re.sub(r"[\s_]+", "", name.strip().lstrip("\ufeff").lower())


@dataclass
class Cleaned:
    rows: pl.DataFrame                 # typed, valid rows (with LINE)
    errors: pl.DataFrame               # LINE, kolom, regel_fout, waarde
    warnings: list[str] = field(default_factory=list)
    rows_in: int = 0

    @property
    def quarantined(self) -> int:
        return self.errors[LINE].n_unique() if self.errors.height else 0


def _text(name: str) -> pl.Expr:
    """The raw cell trimmed; empty becomes null."""
    value = pl.col(name).str.strip_chars()
    return pl.when(value == "").then(None).otherwise(value)


def _dates(raw: pl.Expr, with_time: bool) -> pl.Expr:
    """Parse every accepted date (and date-time) notation; invalid dates become null."""
    candidates: list[pl.Expr] = []
    for fmt in DATE_FORMATS:
        candidates += [raw.str.to_datetime(fmt + suffix, strict=False) for suffix in TIME_SUFFIXES]
        candidates.append(raw.str.to_date(fmt, strict=False).cast(pl.Datetime("us")))
    serial = raw.str.extract(r"^(\d{4,5}(?:\.\d+)?)$").cast(pl.Float64, strict=False)
    from_serial = (pl.lit(EXCEL_EPOCH).cast(pl.Datetime("us"))
                   + pl.duration(microseconds=(serial * 86_400_000_000).round(0).cast(pl.Int64)))
    candidates.append(pl.when(serial.is_between(1, 2_958_465)).then(from_serial))
    parsed = pl.coalesce(candidates)
    return parsed if with_time else parsed.dt.date()


def _decimal(raw: pl.Expr, comma_decimal: bool) -> pl.Expr:
    value = raw.str.replace_all(r"[\s€]", "")
    if comma_decimal:
        value = value.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return pl.when(value.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)$")).then(
        value.cast(pl.Decimal(18, 2), strict=False))


def _integer(raw: pl.Expr) -> pl.Expr:
    value = raw.str.replace_all(r"\s", "")
    # In an integer column a dot followed by exactly three digits is a thousands separator.
    value = pl.when(value.str.contains(r"^[+-]?\d{1,3}(\.\d{3})+$")).then(
        value.str.replace_all(".", "", literal=True)).otherwise(value)
    return pl.when(value.str.contains(r"^[+-]?\d+$")).then(value.cast(pl.Int64, strict=False))


def _vocab_value(raw: pl.Expr) -> pl.Expr:
    return raw.str.to_lowercase().str.replace_all(r"\s+", " ")


def _parse(col: Column, frame: pl.DataFrame) -> tuple[pl.Expr, list[tuple[pl.Expr, str]]]:
    """(typed value, [(broken-rule condition, rule in Dutch)]) for one column."""
    raw = _text(col.name)
    present = raw.is_not_null()
    rules: list[tuple[pl.Expr, str]] = []
    if col.required:
        rules.append((~present, "verplicht veld is leeg"))
    if col.kind in ("date", "datetime"):
        value = _dates(raw, with_time=col.kind == "datetime")
        what = "datum" if col.kind == "date" else "datum of datum-tijd"
        rules.append((present & value.is_null(), f"geen geldige {what} (verwacht dd-mm-jjjj)"))
    elif col.kind == "decimal":
        comma = frame[col.name].str.contains(",", literal=True).any() if col.name in frame.columns else False
        value = _decimal(raw, bool(comma))
        rules.append((present & value.is_null(), "geen getal"))
    elif col.kind == "int":
        value = _integer(raw)
        rules.append((present & value.is_null(), "geen geheel getal"))
    elif col.kind == "vocab":
        value = _vocab_value(raw)
        allowed = ", ".join(col.vocab)
        rules.append((present & ~value.is_in(col.vocab), f"waarde niet toegestaan (toegestaan: {allowed})"))
    elif col.kind == "list":
        items = raw.str.split(";").list.eval(
            pl.element().str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")
        ).list.eval(pl.element().filter(pl.element() != ""))
        value = items
        if col.vocab:
            bad = items.list.eval(~pl.element().is_in(col.vocab)).list.any()
            rules.append((present & bad.fill_null(False),
                          f"waarde niet toegestaan (toegestaan: {', '.join(col.vocab)})"))
    else:
        value = raw
    numeric = col.kind in ("int", "decimal")
    if numeric and col.minimum is not None:
        rules.append((value < col.minimum, f"kleiner dan {col.minimum:g}"))
    if numeric and col.above is not None:
        rules.append((value <= col.above, f"moet groter zijn dan {col.above:g}"))
    if numeric and col.maximum is not None:
        rules.append((value > col.maximum, f"groter dan {col.maximum:g}"))
    return value.alias(col.name), rules


def clean(frame: pl.DataFrame, source: Source, valid_buurtcodes: frozenset[str]) -> Cleaned:
    """Apply the contract of `source` to a frame whose columns are already contract names."""
    warnings: list[str] = []
    blank = pl.all_horizontal([_text(c).is_null() for c in frame.columns if c != LINE])
    frame = frame.filter(~blank)
    rows_in = frame.height

    declared = [c for c in source.columns if c.name in frame.columns]
    typed, conditions = [], []
    for col in declared:
        value, rules = _parse(col, frame)
        typed.append(value)
        conditions += [(col, cond, rule) for cond, rule in rules]
    if "buurtcode" in frame.columns:
        code = _text("buurtcode").str.to_uppercase()
        typed = [t for t in typed if t.meta.output_name() != "buurtcode"] + [code.alias("buurtcode")]
        conditions.append((source.column("buurtcode"), code.is_not_null() & ~code.is_in(sorted(valid_buurtcodes)),
                           "buurtcode hoort niet bij deze gemeente (CBS 2020 of 2024)"))

    checks = [cond.fill_null(False).alias(f"_fout{i}") for i, (_, cond, _) in enumerate(conditions)]
    parsed = frame.select(pl.col(LINE), *typed, *checks)
    raw = frame.select(pl.col(LINE), *[pl.col(c.name).alias(f"_ruw_{c.name}") for c in declared])
    parsed = parsed.join(raw, on=LINE, maintain_order="left")

    error_parts = []
    for i, (col, _, rule) in enumerate(conditions):
        hit = parsed.filter(pl.col(f"_fout{i}"))
        if hit.height:
            shown = pl.lit(HIDDEN) if col.identifying else pl.col(f"_ruw_{col.name}")
            error_parts.append(hit.select(
                pl.col(LINE), pl.lit(col.name).alias("kolom"), pl.lit(rule).alias("regel_fout"),
                shown.cast(pl.String).alias("waarde")))

    dup_errors = _duplicate_keys(parsed, source)
    if dup_errors is not None:
        error_parts.append(dup_errors)
    errors = (pl.concat(error_parts) if error_parts else
              pl.DataFrame(schema={LINE: pl.Int64, "kolom": pl.String, "regel_fout": pl.String, "waarde": pl.String}))
    errors = errors.sort(LINE, maintain_order=True)

    bad_lines = errors[LINE].unique()
    rows = parsed.filter(~pl.col(LINE).is_in(bad_lines.implode())).select(
        pl.col(LINE), *[pl.col(c.name) for c in declared])
    warnings += _warnings(frame, parsed, source, declared)
    return Cleaned(rows=rows, errors=errors, warnings=warnings, rows_in=rows_in)


def _duplicate_keys(parsed: pl.DataFrame, source: Source) -> pl.DataFrame | None:
    """Every occurrence of a record key after the first is rejected (trimmed, upper-cased).

    Keys built from an address (eigendommen) are checked after key derivation in load.py.
    """
    columns = [c for c in source.key if c in parsed.columns]
    if len(columns) != len(source.key):
        return None
    norm = [pl.col(c).cast(pl.String).str.strip_chars().str.to_uppercase().alias(f"_k{i}")
            for i, c in enumerate(columns)]
    keyed = parsed.select(pl.col(LINE), *norm).with_columns(
        pl.col(LINE).min().over([f"_k{i}" for i in range(len(columns))]).alias("_eerste"))
    dup = keyed.filter((pl.col(LINE) != pl.col("_eerste"))
                       & pl.all_horizontal([pl.col(f"_k{i}").is_not_null() for i in range(len(columns))]))
    if not dup.height:
        return None
    return dup.select(
        pl.col(LINE), pl.lit("+".join(columns)).alias("kolom"),
        pl.format("dubbele sleutel in dit bestand (eerder op regel {})", pl.col("_eerste")).alias("regel_fout"),
        pl.col("_k0").alias("waarde"))


def _warnings(frame: pl.DataFrame, parsed: pl.DataFrame, source: Source, declared: list[Column]) -> list[str]:
    out = []
    if "postcode" in frame.columns:
        given = _text("postcode")
        bad = frame.filter(given.is_not_null() & ~given.str.replace_all(r"\s", "").str.to_uppercase()
                           .str.contains(r"^\d{4}[A-Z]{2}$"))
        if bad.height:
            out.append(f"{bad.height} postcode(s) niet in de vorm 1234AB; behandeld als ontbrekend "
                       f"(regels {_lines(bad)})")
    texts = [c.name for c in declared if c.kind == "text" and not c.identifying]
    for name in texts:
        hit = frame.filter(_text(name).str.starts_with("=") | _text(name).str.starts_with("@"))
        if hit.height:
            out.append(f"kolom {name}: {hit.height} cel(len) beginnen als formule; opgeslagen als tekst "
                       f"(regels {_lines(hit)})")
    return out


def _lines(frame: pl.DataFrame, limit: int = 10) -> str:
    lines = frame[LINE].head(limit).to_list()
    more = "" if frame.height <= limit else f" en {frame.height - limit} meer"
    return ", ".join(map(str, lines)) + more
