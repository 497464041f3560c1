"""Pure cleaning of one file's raw strings against its source's contract (DESIGN §2).

Two steps:

1. *Parse* (polars expressions, vectorised): every declared column becomes a typed column
   next to its trimmed raw text `_ruw_<column>`; a value that does not parse becomes null.
2. *Validate* with a dataframely Schema generated from the source's `Column` declarations
   (`schema_for`): required fields (non-null raw text), vocabularies, minima/maxima, "the
   raw text parsed", the CBS buurt list, the record key's uniqueness in the file and "the
   record date is not after the load date plus a margin" (`Horizon`) are all declared as
   dataframely column checks or schema rules. `Schema.filter` splits the rows;
   its per-rule evaluation (`FailureInfo.details()`) gives one quarantine row per broken
   rule, with the rule's Dutch text from `RULE_TEXT`.

Only the rules of DESIGN §2 reject a row; everything else odd becomes a warning.

What the quarantine shows is decided per value, not per column (issue 23 item 1): a line
whose field count differs from the header's (etl.read `_veldfout`) is quarantined whole with
one rule and no value; in every other entry a value is shown only when its column is not
identifying and the value itself does not look like an identifier (`IDENTIFIER_PATTERNS`:
BSN, KvK, RSIN, phone and account numbers, IBAN, e-mail, postcode with house number,
street with house number). Everything else reads `(verborgen)`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import dataframely as dy
import polars as pl

from dijkwacht.branches import sbi_expr
from dijkwacht.sources import Column, Source
from etl.read import CONTENT, FIELD_ERROR, LINE

HIDDEN = "(verborgen)"
RAW = "_ruw_"
ADDRESS_MESSAGE = "_adresbericht"      # 'postcode|nr|toev' or 'straat|nr|toev' (hashed in load.py)
EXCEL_EPOCH = date(1899, 12, 30)
INT32_MAX = 2_147_483_647
PLAUSIBLE_FROM = date(1990, 1, 1)

# dd-mm-jjjj / d-m-jjjj (also / and .), then optional uu:mm[:ss]
_DMY = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
# jjjj-mm-dd, then optional uu:mm[:ss]
_YMD = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
_SERIAL = r"^\d{4,5}(?:[.,]\d+)?$"     # Excel serial day number (as CSV exports write them)

EMPTY_ERRORS = {LINE: pl.Int64, "kolom": pl.String, "regel_fout": pl.String, "waarde": pl.String}
WHOLE_LINE = "hele regel"
FIELD_RULE = ("{}: waarschijnlijk een scheidingsteken of regeleinde in een waarde zonder "
              "aanhalingstekens; de waarden staan in de verkeerde kolommen, de hele regel is niet geladen")

# Values that identify a person, company, account or address, wherever they appear. One list
# for polars (Rust regex) and Python (re): only syntax both read the same. Case-insensitive.
IDENTIFIER_PATTERNS = (
    r"\d{8,}",                                              # BSN, RSIN, KvK, phone, account
    r"\d{3,4}[ .]\d{2,3}[ .]\d{3}(?:\D|$)",                  # BSN written 1234.56.782 / 123 456 782
    r"(?:\+|00)\s?31[\s\-]?(?:\(0\)[\s\-]?)?\d(?:[\s\-]?\d){7,8}",  # +31 6 1234 5678
    r"(?:^|\D)0\d(?:[\s\-]?\d){8}(?:\D|$)",                     # 06-1234 5678, 010 123 4567
    r"[a-z]{2}\d{2}\s?[a-z]{4}\s?\d{4}",                      # IBAN (NL91 ABNA 0417 …)
    r"[a-z]{2}\d{2}[a-z0-9]{11,30}",                          # IBAN, other countries (no spaces)
    r"[^\s@]+@[^\s@]+\.[^\s@]+",                             # e-mail
    r"\d{4}\s?[a-z]{2}[\s,\-]*\d{1,5}",                       # postcode, then house number
    r"\d{1,5}\s?[a-z]{0,2}[\s,]+\d{4}\s?[a-z]{2}(?:\W|$)",     # house number, then postcode
    r"(?:straat|str\.|weg|laan|plein|kade|gracht|dijk|singel|hof|pad|steeg|markt|dreef|haven|wal|park"
    r"|ring|erf|veld|plantsoen|baan|boulevard|dam|zijde|poort)\s*\d{1,5}",   # street + house number
)
# CBS area codes (BU05050101, WK050501, GM0505) are public and stay readable.
AREA_CODE = r"(?i)^\s*(?:bu|wk|gm)\d{4,8}\s*$"
_IDENTIFIER = "(?i)(?:" + "|".join(IDENTIFIER_PATTERNS) + ")"
_IDENTIFIER_RE = re.compile(_IDENTIFIER)
_AREA_CODE_RE = re.compile(AREA_CODE)


def looks_identifying(value: pl.Expr) -> pl.Expr:
    """True where a text value looks like an identifier (see IDENTIFIER_PATTERNS)."""
    return (value.str.contains(_IDENTIFIER) & ~value.str.contains(AREA_CODE)).fill_null(False)


def masked(value: pl.Expr) -> pl.Expr:
    """The value as the quarantine may show it: `(verborgen)` when it looks identifying."""
    return pl.when(looks_identifying(value)).then(pl.lit(HIDDEN)).otherwise(value)


def mask_header(name: str | None) -> str | None:
    """An unknown column name as the load log may show it. A file without a header row has
    its first data row as column names, so any name with a digit or '@' is hidden too."""
    if name is None:
        return None
    return HIDDEN if re.search(r"[\d@]", name) else mask_text(name)


def mask_text(value: str | None) -> str | None:
    """Plain-Python twin of `masked`, the last check before anything reaches state.sqlite."""
    if value is None or value == HIDDEN:
        return value
    return HIDDEN if _IDENTIFIER_RE.search(value) and not _AREA_CODE_RE.search(value) else value


def normalise_header(name: str) -> str:
    """Header names match case-, space-, underscore- and hyphen-insensitively (KVK exports
    write "KvK-nummer" for kvk_nummer)."""
    return re.sub(r"[\s_\-]+", "", name.strip().lstrip("\ufeff").lower())


@dataclass(frozen=True)
class Horizon:
    """The latest record date a load accepts (DESIGN §5): a row whose record date (the
    source's `date_column`) lies more than `margin_days` after `load_date` is quarantined.
    Planned activities follow the same rule. Built from the project's clock by etl.load."""
    load_date: date
    margin_days: int

    @property
    def latest(self) -> date:
        return self.load_date + timedelta(days=self.margin_days)

    def rule_text(self, source: Source) -> str:
        days = f"{self.margin_days} dag" if self.margin_days == 1 else f"{self.margin_days} dagen"
        text = f"datum ligt na de laaddatum (meer dan {days} vooruit)" if self.margin_days \
            else "datum ligt na de laaddatum"
        if source.planned:
            text += f"; geplande activiteiten worden pas geladen als ze binnen {days} plaatsvinden"
        return text


@dataclass
class Cleaned:
    rows: pl.DataFrame                 # typed, valid rows (with LINE)
    errors: pl.DataFrame               # LINE, kolom, regel_fout, waarde
    warnings: list[str] = field(default_factory=list)
    rows_in: int = 0

    @property
    def quarantined(self) -> int:
        return self.errors[LINE].n_unique() if self.errors.height else 0


# ------------------------------------------------------------------------------ parsing

def _text(name: str) -> pl.Expr:
    """The raw cell trimmed; empty becomes null (`replace`: half the time of when/then)."""
    return pl.col(name).str.strip_chars().replace("", None)


def _pad(part: pl.Expr, width: int) -> pl.Expr:
    return part.fill_null("0").str.zfill(width)


def parse_dates(raw: pl.Expr, with_time: bool) -> pl.Expr:
    """Every accepted notation of DESIGN §2 → Datetime (date columns: → Date); null when the
    text is not a real date (31-02-2024) or not in an accepted notation."""
    dmy = raw.str.extract_groups(_DMY)
    ymd = raw.str.extract_groups(_YMD)
    year = pl.coalesce(dmy.struct.field("3"), ymd.struct.field("1"))
    month = pl.coalesce(dmy.struct.field("2"), ymd.struct.field("2"))
    day = pl.coalesce(dmy.struct.field("1"), ymd.struct.field("3"))
    hour = pl.coalesce(dmy.struct.field("4"), ymd.struct.field("4"))
    minute = pl.coalesce(dmy.struct.field("5"), ymd.struct.field("5"))
    second = pl.coalesce(dmy.struct.field("6"), ymd.struct.field("6"))
    iso = pl.concat_str([year, pl.lit("-"), _pad(month, 2), pl.lit("-"), _pad(day, 2), pl.lit(" "),
                         _pad(hour, 2), pl.lit(":"), _pad(minute, 2), pl.lit(":"), _pad(second, 2)])
    # chrono rejects impossible dates and times (31-02, 25:00) → null
    parsed = iso.str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", strict=False)
    serial = (pl.when(raw.str.contains(_SERIAL))
              .then(raw.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)))
    from_serial = (pl.lit(EXCEL_EPOCH).cast(pl.Datetime("us"))
                   + pl.duration(microseconds=(serial * 86_400_000_000).round(0).cast(pl.Int64)))
    value = pl.coalesce(parsed, pl.when(serial >= 1).then(from_serial))
    return value if with_time else value.dt.date()


def parse_decimal(raw: pl.Expr, comma_decimal: bool, dtype: pl.DataType) -> pl.Expr:
    """A number; with `comma_decimal` the comma is the decimal mark and dots group thousands."""
    value = raw.str.replace_all(r"[\s\u00a0\u202f€]", "")
    if comma_decimal:
        value = value.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    ok = value.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)$")
    if isinstance(dtype, pl.Decimal):
        number = value.cast(pl.Decimal(38, 12), strict=False).round(dtype.scale).cast(dtype, strict=False)
    else:
        number = value.cast(dtype, strict=False)
    return pl.when(ok).then(number)


def parse_integer(raw: pl.Expr) -> pl.Expr:
    """A whole number; a dot followed by exactly three digits groups thousands (1.040 = 1040);
    '12,0' and '12.00' are 12."""
    value = raw.str.replace_all(r"[\s\u00a0\u202f]", "")
    value = (pl.when(value.str.contains(r"^[+-]?\d{1,3}(\.\d{3})+$"))
             .then(value.str.replace_all(".", "", literal=True))
             .otherwise(value.str.replace(r"^([+-]?\d+)[.,]0+$", "$1")))
    number = pl.when(value.str.contains(r"^[+-]?\d{1,12}$")).then(value.cast(pl.Int64, strict=False))
    return pl.when(number.abs() <= INT32_MAX).then(number)


def parse_digits(raw: pl.Expr, n: int) -> pl.Expr:
    """Exactly `n` digits as text (leading zeros kept); spaces and a spreadsheet's '.0' are
    dropped. Nothing is padded: a number that lost its leading zeros cannot be told from a
    wrong one, so it breaks the rule instead of becoming someone else's number."""
    value = raw.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(r"^(\d+)[.,]0+$", "$1")
    return pl.when(value.str.contains(rf"^\d{{{n}}}$")).then(value)


def normalise_vocab(raw: pl.Expr) -> pl.Expr:
    return raw.str.to_lowercase().str.replace_all(r"\s+", " ")


def normalise_postcode(raw: pl.Expr) -> pl.Expr:
    """'3311 xc' → '3311XC'; anything that is not four digits and two letters → null."""
    compact = raw.str.replace_all(r"\s+", "").str.to_uppercase()
    return pl.when(compact.str.contains(r"^[0-9]{4}[A-Z]{2}$")).then(compact)


def address_message(adres: pl.Expr, postcode: pl.Expr) -> pl.Expr:
    """The text an address key is the HMAC of (DESIGN §2), vectorised:
    house number = the last group of digits, addition = whatever follows it (upper case, no
    spaces or dashes); 'postcode|nr|toev' with a valid postcode, else 'straat|nr|toev' with
    the street lower-cased and spaces collapsed; null without a house number."""
    parts = adres.str.strip_chars().str.extract_groups(r"^(?s)(.*?)(\d+)(\D*)$")
    street = (parts.struct.field("1").str.to_lowercase().str.replace_all(",", " ", literal=True)
              .str.replace_all(r"\s+", " ").str.strip_chars())
    number = parts.struct.field("2").str.replace(r"^0+(\d)", "$1")
    addition = parts.struct.field("3").str.replace_all(r"[\s\-]+", "").str.to_uppercase()
    tail = pl.concat_str([pl.lit("|"), number, pl.lit("|"), addition])
    return (pl.when(number.is_null()).then(None)
            .when(postcode.is_not_null()).then(pl.concat_str([postcode, tail]))
            .when(street != "").then(pl.concat_str([street, tail])))


def _comma_decimal(frame: pl.DataFrame, name: str) -> bool:
    return bool(frame.select(pl.col(name).str.contains(",", literal=True).any()).item())


def _typed(col: Column, frame: pl.DataFrame) -> pl.Expr:
    raw = pl.col(RAW + col.name)
    if col.kind == "date":
        return parse_dates(raw, with_time=False)
    if col.kind == "datetime":
        return parse_dates(raw, with_time=True)
    if col.kind == "int":
        return parse_integer(raw)
    if col.kind in ("decimal", "float"):
        dtype = pl.Decimal(18, 2) if col.kind == "decimal" else pl.Float64
        return parse_decimal(raw, _comma_decimal(frame, col.name), dtype)
    if col.kind == "vocab":
        value = normalise_vocab(raw)
        return value.replace(dict(col.aliases)) if col.aliases else value
    if col.kind == "list":
        items = raw.str.split(";").list.eval(normalise_vocab(pl.element().str.strip_chars()))
        return items.list.eval(pl.element().filter(pl.element() != ""))
    if col.kind == "postcode":
        return normalise_postcode(raw)
    if col.kind == "buurtcode":
        return raw.str.to_uppercase()
    if col.kind == "digits":
        return parse_digits(raw, col.digits or 0)
    if col.kind == "sbi":
        return sbi_expr(RAW + col.name)        # the one SBI rule, shared with dijkwacht.branches
    return raw


def mostly_distinct(distinct: int, total: int) -> bool:
    """Whether a column is worth evaluating row by row instead of once per distinct value:
    mapping results back costs more than it saves when most values differ (ids, a
    register's addresses). The one rule for parsing here and hashing in etl.keys."""
    return 2 * distinct > total


def per_distinct(frame: pl.DataFrame, columns: list[str], expr: pl.Expr, name: str) -> pl.Series:
    """`expr` over `columns`, evaluated once per distinct combination and mapped back (a
    1 M-row file has a few thousand distinct dates, numbers and vocabulary values); on the
    rows themselves when they are mostly distinct (at x100 the Handelsregister's 610,000
    vestigingsnummers: 0.48 s mapped back, 0.20 s row by row)."""
    part = frame.select(columns)
    distinct = part.unique()
    if mostly_distinct(distinct.height, part.height):
        return part.select(expr.alias(name)).to_series()
    distinct = distinct.with_columns(expr.alias(name))
    return part.join(distinct, on=columns, how="left", nulls_equal=True, maintain_order="left")[name]


def _typed_distinct(raw: pl.DataFrame, col: Column, frame: pl.DataFrame) -> pl.Series:
    name = RAW + col.name
    if col.kind == "text":
        return raw[name].alias(col.name)
    return per_distinct(raw, [name], _typed(col, frame), col.name)


def _null_typed(col: Column) -> pl.Expr:
    dtype = {"date": pl.Date, "datetime": pl.Datetime("us"), "int": pl.Int64, "decimal": pl.Decimal(18, 2),
             "float": pl.Float64, "list": pl.List(pl.String)}.get(col.kind, pl.String)
    return pl.lit(None, dtype).alias(col.name)


def _address_distinct(typed: pl.DataFrame) -> pl.Series:
    if RAW + "adres" not in typed.columns and RAW + "huisnummer" in typed.columns:
        # Postcode, huisnummer and toevoeging in columns of their own (vestigingen): as the
        # tail of a free address they give the same message, so the same address key.
        typed = typed.with_columns(pl.concat_str(
            [pl.col(RAW + "huisnummer"), pl.col(RAW + "toevoeging").fill_null("")], separator=" ")
            .alias(RAW + "adres"))
    message = address_message(pl.col(RAW + "adres"), pl.col("postcode"))
    return per_distinct(typed, [RAW + "adres", "postcode"], message, ADDRESS_MESSAGE)


# --------------------------------------------------------------------------- the schema

PARSED = "geparst"
FUTURE = "toekomst"
DUPLICATE = "sleutel_uniek"
HOUSE_NUMBER = "adres_huisnummer"

_PARSE_TEXT = {
    "date": "geen geldige datum (verwacht dd-mm-jjjj, jjjj-mm-dd of een Excel-datum)",
    "datetime": "geen geldige datum of datum-tijd (verwacht dd-mm-jjjj [uu:mm[:ss]])",
    "int": "geen geheel getal",
    "decimal": "geen getal",
    "float": "geen getal",
    "digits": "moet precies {n} cijfers zijn",
    "sbi": "geen geldige SBI-code (verwacht bijv. 4511, 45.11 of 45111)",
}
NOT_BEFORE = "niet_voor"


def _vocab_check(vocab: tuple[str, ...]):
    def vocab_check(expr: pl.Expr) -> pl.Expr:
        return expr.is_in(list(vocab))
    return vocab_check


def _list_vocab_check(vocab: tuple[str, ...]):
    def vocab_check(expr: pl.Expr) -> pl.Expr:
        return expr.list.eval(pl.element().is_in(list(vocab))).list.all()
    return vocab_check


def _dy_column(col: Column, codes: frozenset[str]) -> dy.Column:
    """The typed column's dataframely declaration (nullable: emptiness is checked on the raw
    text, so an unparseable required value breaks one rule, not two)."""
    bounds = {}
    if col.minimum is not None:
        bounds["min"] = int(col.minimum) if col.kind == "int" else col.minimum
    if col.above is not None:
        bounds["min_exclusive"] = int(col.above) if col.kind == "int" else col.above
    if col.maximum is not None:
        bounds["max"] = int(col.maximum) if col.kind == "int" else col.maximum
    if col.kind == "date":
        return dy.Date(nullable=True)
    if col.kind == "datetime":
        return dy.Datetime(nullable=True, time_unit="us")
    if col.kind == "int":
        return dy.Int64(nullable=True, **bounds)
    if col.kind == "decimal":
        return dy.Decimal(18, 2, nullable=True, **bounds)
    if col.kind == "float":
        return dy.Float64(nullable=True, **bounds)
    if col.kind == "vocab":
        return dy.String(nullable=True, check={"vocab": _vocab_check(col.vocab)})
    if col.kind == "list":
        check = {"vocab": _list_vocab_check(col.vocab)} if col.vocab else None
        return dy.List(dy.String(nullable=True), nullable=True, check=check)
    if col.kind == "buurtcode":
        return dy.String(nullable=True, check={"cbs": _vocab_check(tuple(sorted(codes)))})
    return dy.String(nullable=True)


def key_columns(source: Source) -> list[str]:
    """The file columns a record key is compared on (eigendommen: the address message)."""
    return [ADDRESS_MESSAGE if k == "adres_sleutel" else k for k in source.key]


def key_expr(source: Source, name: str) -> pl.Expr:
    """A key part as compared: trimmed and upper-cased text (parsed value when it parses)."""
    if name == ADDRESS_MESSAGE:
        return pl.col(ADDRESS_MESSAGE)
    col = source.column(name)
    raw = pl.col(RAW + name).str.to_uppercase()
    if col.kind in ("date", "datetime", "int", "decimal", "float", "digits"):
        return pl.coalesce(pl.col(name).cast(pl.String), raw)
    return raw


@lru_cache(maxsize=32)
def schema_for(source: Source, codes: frozenset[str], horizon: Horizon | None = None
               ) -> tuple[type[dy.Schema], dict[str, tuple[str, str]]]:
    """A dataframely Schema generated from the source's declarations, and for each of its
    rules the (column, Dutch rule text) a quarantine row names. With a `horizon`, a record
    date after `horizon.latest` breaks a rule of its own."""
    namespace: dict = {LINE: dy.Int64()}
    texts: dict[str, tuple[str, str]] = {}
    for col in source.columns:
        namespace[RAW + col.name] = dy.String(nullable=not col.required)
        if col.required:
            texts[f"{RAW}{col.name}|nullability"] = (col.name, "verplicht veld is leeg")
        namespace[col.name] = _dy_column(col, codes)
        allowed = ", ".join(col.vocab)
        texts[f"{col.name}|check__vocab"] = (col.name, f"waarde niet toegestaan (toegestaan: {allowed})")
        texts[f"{col.name}|check__cbs"] = (col.name, "buurtcode hoort niet bij deze gemeente (CBS 2020 of 2024)")
        texts[f"{col.name}|min"] = (col.name, f"kleiner dan {col.minimum:g}" if col.minimum is not None else "")
        texts[f"{col.name}|min_exclusive"] = (
            col.name, f"moet groter zijn dan {col.above:g}" if col.above is not None else "")
        texts[f"{col.name}|max"] = (col.name, f"groter dan {col.maximum:g}" if col.maximum is not None else "")
        texts[f"{col.name}|inf"] = texts[f"{col.name}|nan"] = (col.name, "geen getal")
        if col.kind in _PARSE_TEXT:
            rule_name = f"{col.name}_{PARSED}"
            namespace[rule_name] = dy.rule()(_parsed_rule(col.name))
            texts[rule_name] = (col.name, _PARSE_TEXT[col.kind].format(n=col.digits))
        if col.not_before:
            rule_name = f"{col.name}_{NOT_BEFORE}"
            namespace[rule_name] = dy.rule()(_not_before_rule(col.name, col.not_before))
            texts[rule_name] = (col.name, f"datum ligt voor {col.not_before}")
    if horizon is not None:
        rule_name = f"{source.date_column}_{FUTURE}"
        namespace[rule_name] = dy.rule()(_not_after_rule(source.date_column, horizon.latest))
        texts[rule_name] = (source.date_column, horizon.rule_text(source))
    if source.address:
        namespace[ADDRESS_MESSAGE] = dy.String(nullable=True)
    if "adres_sleutel" in source.key:
        # The record key is built from the address: without a house number there is no key.
        namespace[HOUSE_NUMBER] = dy.rule()(_house_number_rule)
        texts[HOUSE_NUMBER] = ("adres", "adres zonder huisnummer: geen adressleutel (deel van de recordsleutel)")
    namespace[DUPLICATE] = dy.rule()(_duplicate_rule(source))
    texts[DUPLICATE] = ("+".join("adres" if k == "adres_sleutel" else k for k in source.key),
                        "dubbele sleutel in dit bestand")
    schema = type(f"{source.name.title()}Schema", (dy.Schema,), namespace)
    return schema, texts


def _parsed_rule(name: str):
    def parsed(cls) -> pl.Expr:
        return pl.col(RAW + name).is_null() | pl.col(name).is_not_null()
    return parsed


def _not_after_rule(name: str, latest: date):
    def not_after(cls) -> pl.Expr:
        return pl.col(name).is_null() | (pl.col(name).cast(pl.Date) <= pl.lit(latest, pl.Date))
    return not_after


def _not_before_rule(name: str, other: str):
    def not_before(cls) -> pl.Expr:
        return pl.col(name).is_null() | pl.col(other).is_null() | (pl.col(name) >= pl.col(other))
    return not_before


def _house_number_rule(cls) -> pl.Expr:
    return pl.col(RAW + "adres").is_null() | pl.col(ADDRESS_MESSAGE).is_not_null()


def _duplicate_rule(source: Source):
    def unique_key(cls) -> pl.Expr:
        parts = [key_expr(source, k) for k in key_columns(source)]
        first = pl.col(LINE).min().over(parts)
        return (pl.col(LINE) == first) | pl.any_horizontal([p.is_null() for p in parts])
    return unique_key


# ------------------------------------------------------------------------------- clean

def clean(frame: pl.DataFrame, source: Source, valid_buurtcodes: frozenset[str],
          horizon: Horizon | None = None) -> Cleaned:
    """Apply the contract of `source` to a frame whose columns are already contract names.
    With a `horizon` (etl.load always passes one), rows dated after it are quarantined."""
    data_columns = [c for c in frame.columns if c not in (LINE, FIELD_ERROR, CONTENT)]
    if CONTENT in frame.columns:          # judged before free-text columns were dropped
        frame = frame.filter(pl.col(CONTENT)).drop(CONTENT)
    elif data_columns:
        blank = pl.all_horizontal([_text(c).is_null() for c in data_columns])
        frame = frame.filter(~blank)
    rows_in = frame.height
    shifted = pl.DataFrame(schema=EMPTY_ERRORS)
    if FIELD_ERROR in frame.columns:
        bad = pl.col(FIELD_ERROR).is_not_null()
        shifted = frame.filter(bad).select(
            pl.col(LINE), pl.lit(WHOLE_LINE).alias("kolom"),
            pl.format(FIELD_RULE, pl.col(FIELD_ERROR)).alias("regel_fout"),
            pl.lit(HIDDEN).alias("waarde"))
        frame = frame.filter(~bad).drop(FIELD_ERROR)

    # Columns the file does not have are null: one schema per source, whatever the file holds.
    missing = [c.name for c in source.columns if c.name not in frame.columns]
    frame = frame.with_columns([pl.lit(None, pl.String).alias(m) for m in missing])
    raw = frame.select(pl.col(LINE), *[_text(c.name).alias(RAW + c.name) for c in source.columns])
    typed = raw.with_columns(
        [_typed_distinct(raw, c, frame) for c in source.columns if c.name not in missing]
        + [_null_typed(c) for c in source.columns if c.name in missing])
    if source.address:
        typed = typed.with_columns(_address_distinct(typed))

    schema, texts = schema_for(source, valid_buurtcodes, horizon)
    valid, failure = schema.filter(typed)

    errors = _quarantine_rows(failure, frame, typed, source, texts)
    if shifted.height:
        errors = pl.concat([shifted, errors]).sort(LINE, maintain_order=True)
    rows = valid.select(pl.col(LINE), *[pl.col(c.name) for c in source.columns if c.name not in missing],
                        *([pl.col(ADDRESS_MESSAGE)] if source.address else []))
    commas = {c.name: _comma_decimal(frame, c.name) for c in source.columns if c.kind == "decimal"}
    warnings = _warnings(typed, source, [c for c in source.columns if c.name not in missing], commas,
                         future_is_rule=horizon is not None)
    return Cleaned(rows=rows, errors=errors, warnings=warnings, rows_in=rows_in)


def _quarantine_rows(failure: dy.FailureInfo, frame: pl.DataFrame, typed: pl.DataFrame, source: Source,
                     texts: dict[str, tuple[str, str]]) -> pl.DataFrame:
    """One row per broken rule per row, from dataframely's per-rule evaluation."""
    counts = failure.counts()
    if not counts:
        return pl.DataFrame(schema=EMPTY_ERRORS)
    details = failure.details()
    # The value as written in the file (untrimmed), joined back by line number.
    originals = frame.select(LINE, *[c.name for c in source.columns]).join(
        details.select(LINE), on=LINE, how="semi")
    details = details.select(LINE, *counts).join(originals, on=LINE, how="left")
    parts = []
    for rule in counts:
        column, text = texts[rule]
        hit = details.filter(pl.col(rule) == "invalid")
        if rule == DUPLICATE:
            parts.append(_duplicate_entries(hit, typed, source, column, text))
            continue
        identifying = source.column(column).identifying if column in {c.name for c in source.columns} else True
        shown = pl.lit(HIDDEN) if identifying else masked(pl.col(column).cast(pl.String))
        parts.append(hit.select(pl.col(LINE), pl.lit(column).alias("kolom"), pl.lit(text).alias("regel_fout"),
                                shown.alias("waarde")))
    return pl.concat(parts).sort(LINE, maintain_order=True)


def _duplicate_entries(hit: pl.DataFrame, all_rows: pl.DataFrame, source: Source, column: str,
                       text: str) -> pl.DataFrame:
    """Name the line of the first occurrence (looked up over all rows: it may be valid)."""
    parts = [key_expr(source, k).alias(f"_k{i}") for i, k in enumerate(key_columns(source))]
    keyed = all_rows.select(pl.col(LINE), *parts)
    hidden = any(source.column(k).identifying for k in source.key if k != "adres_sleutel") \
        or "adres_sleutel" in source.key
    shown = (pl.lit(HIDDEN) if hidden else
             masked(pl.concat_str([pl.col(RAW + k) for k in source.key], separator=" | ")))
    values = all_rows.select(pl.col(LINE), shown.alias("waarde"))
    return (hit.select(LINE).join(keyed, on=LINE).join(values, on=LINE)
            .join(_first_lines(keyed), on=[f"_k{i}" for i in range(len(parts))], how="left", nulls_equal=True)
            .select(pl.col(LINE), pl.lit(column).alias("kolom"),
                    pl.when(pl.col("_eerste").is_not_null())
                    .then(pl.format(text + " (eerder op regel {})", pl.col("_eerste")))
                    .otherwise(pl.lit(text)).alias("regel_fout"),
                    pl.col("waarde")))


def _first_lines(keyed: pl.DataFrame) -> pl.DataFrame:
    by = [c for c in keyed.columns if c.startswith("_k")]
    return keyed.group_by(by).agg(pl.col(LINE).min().alias("_eerste"))


# ----------------------------------------------------------------------------- warnings

def _warnings(typed: pl.DataFrame, source: Source, declared: list[Column], commas: dict[str, bool],
              future_is_rule: bool = False) -> list[str]:
    """Everything odd that does not reject a row (DESIGN §2). A record date in the future is
    a rule (the quarantine says so) when `future_is_rule`; only its other oddity is warned."""
    checks: list[tuple[pl.Expr, str]] = []
    names = {c.name for c in declared}
    if "postcode" in names:
        checks.append((pl.col(RAW + "postcode").is_not_null() & pl.col("postcode").is_null(),
                       "postcode niet in de vorm 1234AB; behandeld als ontbrekend"))
    for col in declared:
        if col.kind in ("text", "postcode", "buurtcode", "vocab", "list"):
            checks.append((pl.col(RAW + col.name).str.contains(r"^(=|@|[+\-][A-Za-z(])"),
                           f"kolom {col.name}: cel begint als formule; opgeslagen als tekst"))
        if col.kind in ("date", "datetime"):
            day = pl.col(col.name).cast(pl.Date)
            if future_is_rule and col.name == source.date_column:
                checks.append((day < PLAUSIBLE_FROM, f"kolom {col.name}: onwaarschijnlijke datum (voor 1990)"))
            else:
                checks.append((day.is_not_null() & ~day.is_between(PLAUSIBLE_FROM, date.today() + timedelta(days=366)),
                               f"kolom {col.name}: onwaarschijnlijke datum (voor 1990 of in de toekomst)"))
        if col.kind == "decimal":
            mark = "," if commas.get(col.name) else "."
            checks.append((pl.col(RAW + col.name).str.contains(re.escape(mark) + r"\d{3,}\s*$"),
                           f"kolom {col.name}: meer dan twee decimalen; afgerond op centen"))
    if not checks:
        return []
    flags = typed.select(pl.col(LINE), *[c.fill_null(False).alias(f"_w{i}") for i, (c, _) in enumerate(checks)])
    out = []
    counts = flags.select([pl.col(f"_w{i}").sum() for i in range(len(checks))]).row(0)
    for i, ((_, text), n) in enumerate(zip(checks, counts)):
        if n:
            lines = flags.filter(pl.col(f"_w{i}"))[LINE]
            out.append(f"{n} rij(en): {text} (regels {_lines(lines)})")
    return out


def _lines(lines: pl.Series, limit: int = 10) -> str:
    shown = ", ".join(map(str, lines.head(limit).to_list()))
    return shown + ("" if lines.len() <= limit else f" en {lines.len() - limit} meer")
