"""Read a partner file into a frame of raw strings, whatever its encoding or separator.

Every cell stays a string (or null) so that cleaning sees exactly what the partner wrote;
`_regel` is the line number as in the file (header = line 1).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

LINE = "_regel"
SEPARATORS = (";", ",", "\t")
BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"          # the old binary .xls format


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is for the user (Dutch)."""


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding): UTF-16 with BOM, UTF-8 (with or without BOM), else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data:
        raise Unreadable("binair bestand, geen tekst (verwacht CSV of XLSX)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise Unreadable("de tekenset is niet te herkennen (verwacht UTF-8 of Windows-1252)") from None


def sniff_separator(header_line: str) -> str:
    """The separator is the candidate that splits the header into the most columns."""
    counts = {sep: len(next(csv.reader([header_line], delimiter=sep))) for sep in SEPARATORS}
    best = max(counts, key=counts.get)
    if counts[best] < 2:
        raise Unreadable("geen scheidingsteken gevonden in de kopregel (verwacht ';', ',' of tab)")
    return best


def read_csv_bytes(data: bytes) -> tuple[pl.DataFrame, dict]:
    text, encoding = decode(data)
    if not text.strip():
        raise Unreadable("het bestand is leeg")
    if text.lstrip("\r\n") != text:
        raise Unreadable("de eerste regel is leeg (verwacht de kopregel op regel 1)")
    header_line = text.split("\n", 1)[0].rstrip("\r")
    separator = sniff_separator(header_line)
    # UTF-8 goes to polars as it is (without BOM); other encodings are transcoded first.
    payload = (data[len(BOM):] if data.startswith(BOM) else data) if encoding == "utf-8" else text.encode("utf-8")
    try:
        frame = pl.read_csv(
            payload,
            separator=separator,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
            quote_char='"',
        )
    except pl.exceptions.PolarsError as exc:  # malformed quoting and the like
        raise Unreadable(f"het bestand is geen geldige CSV ({type(exc).__name__})") from exc
    if b'"' in payload and _has_multiline_cells(text, separator):
        lines = _physical_lines(text, separator)
        if len(lines) != frame.height:
            lines = list(range(2, frame.height + 2))
    else:
        lines = pl.int_range(2, frame.height + 2, eager=True)
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    return frame, {"encoding": encoding, "separator": separator}


def _has_multiline_cells(text: str, separator: str) -> bool:
    """A quoted cell spans lines when some physical line has an odd number of quotes."""
    quotes = pl.Series(text.split("\n")).str.count_matches('"', literal=True)
    return bool((quotes % 2 == 1).any())


def _physical_lines(text: str, separator: str) -> list[int]:
    """Line numbers of each record when quoted cells span lines (rare, so plain Python)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    next(reader, None)
    starts = []
    line = reader.line_num + 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts


def read_xlsx_bytes(data: bytes) -> tuple[pl.DataFrame, dict]:
    """First sheet of a workbook, header on row 1; every cell as text (dates as ISO
    date-times, numbers without a trailing '.0')."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        sheet = reader.load_sheet(0, header_row=0, dtypes="string")
        frame = pl.from_arrow(sheet.to_arrow())
    except Exception as exc:  # fastexcel raises its own hierarchy; all mean "unreadable"
        raise Unreadable(f"het werkblad is niet te lezen ({type(exc).__name__})") from exc
    if not isinstance(frame, pl.DataFrame) or not frame.width:
        raise Unreadable("het werkblad heeft geen kopregel")
    frame = frame.with_columns(
        pl.col(c).cast(pl.String).str.replace(r"^(-?\d+)\.0$", "$1") for c in frame.columns)
    frame = frame.with_columns(pl.int_range(2, frame.height + 2).cast(pl.Int64).alias(LINE))
    return frame, {"encoding": "xlsx", "separator": None}


def read_file(path: Path, data: bytes) -> tuple[pl.DataFrame, dict]:
    if data.startswith(OLE_MAGIC):
        raise Unreadable("oud Excel-formaat (.xls); sla het bestand op als .xlsx of CSV")
    if path.suffix.lower() in (".xlsx", ".xlsm") or data.startswith(ZIP_MAGIC):
        return read_xlsx_bytes(data)
    return read_csv_bytes(data)
