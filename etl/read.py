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
ENCODINGS = ("utf-8-sig", "cp1252")
SEPARATORS = (";", ",", "\t")


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is for the user (Dutch)."""


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding): UTF-8 (with or without BOM), else cp1252."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("de tekenset is niet te herkennen (verwacht UTF-8 of Windows-1252)")


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
    header_line = text.splitlines()[0]
    separator = sniff_separator(header_line)
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            separator=separator,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
            quote_char='"',
        )
    except pl.exceptions.PolarsError as exc:  # malformed quoting and the like
        raise Unreadable(f"het bestand is geen geldige CSV ({type(exc).__name__})") from exc
    if _has_multiline_cells(text, separator):
        lines = _physical_lines(text, separator)
    else:
        lines = pl.int_range(2, frame.height + 2, eager=True)
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    return frame, {"encoding": encoding, "separator": separator}


def _has_multiline_cells(text: str, separator: str) -> bool:
    return '"' in text and any(line.count('"') % 2 for line in text.splitlines())


def _physical_lines(text: str, separator: str) -> list[int]:
    """Line numbers of each record when quoted cells span lines (rare, so plain Python)."""
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    next(reader, None)
    starts = []
    line = reader.line_num + 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts


def read_xlsx_bytes(data: bytes) -> tuple[pl.DataFrame, dict]:
    """First sheet of a workbook; every cell as text, dates as ISO dates."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        sheet = reader.load_sheet(0, header_row=0)
        frame = pl.from_arrow(sheet.to_arrow())
    except Exception as exc:  # fastexcel raises its own hierarchy; all mean "unreadable"
        raise Unreadable(f"het werkblad is niet te lezen ({type(exc).__name__})") from exc
    frame = frame.with_columns(
        [_as_text(frame[name]).alias(name) for name in frame.columns])
    frame = frame.with_columns(pl.int_range(2, frame.height + 2).cast(pl.Int64).alias(LINE))
    return frame, {"encoding": "xlsx", "separator": None}


def _as_text(series: pl.Series) -> pl.Series:
    if series.dtype == pl.Datetime:
        has_time = (series.dt.hour() + series.dt.minute() + series.dt.second()).fill_null(0).max()
        fmt = "%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d"
        return series.dt.strftime(fmt)
    if series.dtype == pl.Date:
        return series.dt.strftime("%Y-%m-%d")
    if series.dtype in (pl.Float64, pl.Float32):
        # Whole floats (Excel stores every number as a float) print without ".0".
        return pl.Series(series.name, [None if v is None else (str(int(v)) if float(v).is_integer() else repr(v))
                                       for v in series.to_list()], dtype=pl.String)
    return series.cast(pl.String)


def read_file(path: Path, data: bytes) -> tuple[pl.DataFrame, dict]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_bytes(data)
    return read_csv_bytes(data)
