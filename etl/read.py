"""Read a partner file into a frame of raw strings, whatever its encoding or separator.

Every cell stays a string (or null) so that cleaning sees exactly what the partner wrote;
`_regel` is the line number as in the file (header = line 1). A CSV line whose number of
fields differs from the header's gets a Dutch description in `_veldfout` (an unquoted ';'
in an address shifts every value after it into the wrong column): etl.clean quarantines the
whole line and shows none of its values.

Workbooks (.xlsx, .xlsm, the old binary .xls, LibreOffice's .ods) are read alike by fastexcel
(calamine); line numbers are the sheet's row numbers. Which kind a file is, is told by its first
bytes, else by its suffix.

Files are opened with `read_bytes_safely`: never through a symbolic link, never anything but
a regular file (issue 23 item 9).
"""
from __future__ import annotations

import csv
import errno
import io
import os
import re
import stat
import zipfile
from pathlib import Path

import polars as pl

LINE = "_regel"
FIELD_ERROR = "_veldfout"              # why a line's field count is wrong, else null
CONTENT = "_inhoud"                    # the line has a value in any column, dropped ones included
SEPARATORS = (";", ",", "\t")
BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"          # the old binary .xls format (and a password-protected .xlsx)
# An ODS is a ZIP whose first entry is `mimetype`, stored uncompressed, saying so (ODF 1.2 part 3, 3.3).
ODS_MIMETYPE = b"mimetype" + b"application/vnd.oasis.opendocument.spreadsheet"
WORKBOOK_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}
# What the ETL reads, defined once: the inbox (etl.load) and the upload (etl.steward) take these.
ACCEPTED_SUFFIXES = (".csv", ".txt", ".tsv", *WORKBOOK_SUFFIXES)
# A workbook cell read as ISO text: how calamine gives every ODS date ('2024-02-03',
# '2024-02-03T14:30:00'); an XLSX or XLS date cell comes out as '2024-02-03 00:00:00'.
ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?)?$"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")   # the stream of a password-protected .xlsx
XLS_FILEPASS = re.compile(rb"\x09\x08\x10\x00.{16}\x2f\x00", re.DOTALL)  # .xls: BOF, then FILEPASS (password)
PASSWORD_REFUSAL = "het bestand is met een wachtwoord beveiligd; sla het op zonder wachtwoord en lever het opnieuw aan"


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is for the user (Dutch)."""


class NotARegularFile(Unreadable):
    """A symbolic link, folder, pipe or device where a partner file was expected."""


SYMLINK_REFUSAL = ("is een symbolische koppeling (symlink); alleen gewone bestanden worden geladen, "
                   "de koppeling is niet gevolgd")
NOT_REGULAR_REFUSAL = "is geen gewoon bestand; alleen gewone bestanden worden geladen"


def refusal(path: Path) -> str | None:
    """Why `path` is not a file the ETL may read (Dutch), from lstat: a link is never
    followed; None for a regular file."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "bestaat niet (meer)"
    if stat.S_ISLNK(st.st_mode):
        return SYMLINK_REFUSAL
    if not stat.S_ISREG(st.st_mode):
        return NOT_REGULAR_REFUSAL
    return None


def read_bytes_safely(path: Path) -> bytes:
    """The bytes of a regular file, opened with O_NOFOLLOW (a symlink fails to open instead
    of being followed) and O_NONBLOCK (a pipe cannot stall the ETL); the opened descriptor
    is checked to be a regular file before anything is read. Raises NotARegularFile or
    OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
        | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotARegularFile(SYMLINK_REFUSAL) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(NOT_REGULAR_REFUSAL)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding): UTF-16 with BOM, UTF-8 (with or without BOM), else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data:
        raise Unreadable("binair bestand, geen tekst (verwacht CSV, XLSX, XLS of ODS)")
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
    if not text or text.isspace():          # not text.strip(): no copy of a large file
        raise Unreadable("het bestand is leeg")
    if text[0] in "\r\n":
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
    header = next(csv.reader([header_line], delimiter=separator))
    header_fields = len(header)
    while len(header) > 1 and not header[-1].strip():
        header = header[:-1]
    # The file's physical lines, split once (Python's split is the fastest way into a Series).
    physical = pl.Series(text.split("\n"), dtype=pl.String)
    if b'"' in payload and _has_multiline_cells(physical):
        lines, fields, trimmed = _physical_lines(text, separator)
        if len(lines) != frame.height:
            # The two parsers disagree about where records end: no line can be trusted to
            # have its values in the right columns.
            raise Unreadable("de regels van het bestand zijn niet eenduidig te lezen (controleer de "
                             "aanhalingstekens rond waarden met een scheidingsteken of regeleinde)")
        fields, trimmed = pl.Series(fields, dtype=pl.Int64), pl.Series(trimmed, dtype=pl.Int64)
    else:
        lines = pl.int_range(2, frame.height + 2, eager=True)
        fields, trimmed = _field_counts(physical.slice(1, frame.height), separator, header_fields)
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64),
                               _field_error(fields, trimmed, len(header), header_fields))
    return frame, {"encoding": encoding, "separator": separator}


def _field_counts(physical: pl.Series, separator: str, header_fields: int) -> tuple[pl.Series, pl.Series]:
    """Per record line (one per physical line here): its number of fields, and the number
    without trailing empty fields. Quoted parts are removed before counting.

    A line's trailing '\r' holds no separator and is whitespace, so it needs no stripping.
    Only the lines with more fields than the header can have too many non-empty ones
    (`_field_error`), so only theirs are trimmed; elsewhere the count stands for both."""
    quoted = physical.str.contains('"', literal=True)
    bare = physical
    if quoted.any():
        bare = pl.select(pl.when(quoted).then(physical.str.replace_all(r'"(?:[^"]|"")*"', "\"\""))
                         .otherwise(physical)).to_series()
    fields = bare.str.count_matches(separator, literal=True).cast(pl.Int64) + 1
    more = fields > header_fields
    if not more.any():
        return fields, fields
    stripped = bare.str.strip_chars_end().str.strip_chars_end(separator + " ")
    counted = stripped.str.count_matches(separator, literal=True).cast(pl.Int64) + 1
    trimmed = pl.select(pl.when(more).then(counted).otherwise(fields)).to_series()
    return fields, trimmed


def _field_error(fields: pl.Series, trimmed: pl.Series, header: int, header_fields: int) -> pl.Series:
    """A Dutch description for a line with fewer fields than the header, or with more
    non-empty ones (empty fields after the last column, as some exports write, are fine;
    so is a header that ends in empty names)."""
    frame = pl.DataFrame({"n": fields, "t": trimmed})
    return frame.select(
        pl.when((pl.col("n") < header) | (pl.col("t") > header_fields))
        .then(pl.format("regel heeft {} velden, de kopregel " + str(header), pl.col("n")))
        .alias(FIELD_ERROR)).to_series()


def _has_multiline_cells(physical: pl.Series) -> bool:
    """A quoted cell spans lines when some physical line has an odd number of quotes."""
    quotes = physical.str.count_matches('"', literal=True)
    return bool((quotes % 2 == 1).any())


def _physical_lines(text: str, separator: str) -> tuple[list[int], list[int], list[int]]:
    """Line numbers, field counts and field counts without trailing empty fields of each
    record when quoted cells span lines (rare, so plain Python)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    next(reader, None)
    starts, fields, trimmed = [], [], []
    line = reader.line_num + 1
    for record in reader:
        starts.append(line)
        fields.append(len(record))
        while len(record) > 1 and not record[-1].strip():
            record = record[:-1]
        trimmed.append(len(record))
        line = reader.line_num + 1
    return starts, fields, trimmed


def workbook_kind(path: Path, data: bytes) -> str | None:
    """'xlsx', 'xls' or 'ods' for a workbook, None for a text file. The first bytes decide, so
    a misnamed workbook is still read as one; the suffix decides when they say nothing, so a
    damaged workbook is refused as a workbook instead of being read as text."""
    if data.startswith(OLE_MAGIC):
        return "xls"
    if data.startswith(ZIP_MAGIC):
        return "ods" if data[30:30 + len(ODS_MIMETYPE)] == ODS_MIMETYPE else "xlsx"
    return WORKBOOK_SUFFIXES.get(path.suffix.lower())


def read_workbook_bytes(data: bytes, kind: str) -> tuple[pl.DataFrame, dict]:
    """First sheet of a workbook, header on row 1; every cell as text (dates as ISO
    date-times, numbers without a trailing '.0'). A formula cell gives the value the
    program last computed for it (a text cell that merely starts with '=' stays text)."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        frame = pl.from_arrow(reader.load_sheet(0, header_row=0, dtypes="string").to_arrow())
        if isinstance(frame, pl.DataFrame) and frame.width:
            frame = _dates_as_in_xlsx(reader, frame)
    except Exception as exc:  # fastexcel raises its own hierarchy; all mean "unreadable"
        if _password_protected(data):
            raise Unreadable(PASSWORD_REFUSAL) from exc
        raise Unreadable(f"het werkblad is niet te lezen ({type(exc).__name__})") from exc
    if not isinstance(frame, pl.DataFrame) or not frame.width:
        raise Unreadable("het werkblad heeft geen kopregel")
    frame = frame.with_columns(
        pl.col(c).cast(pl.String).str.replace(r"^(-?\d+)\.0$", "$1") for c in frame.columns)
    frame = frame.with_columns(pl.int_range(2, frame.height + 2).cast(pl.Int64).alias(LINE),
                               pl.lit(None, pl.String).alias(FIELD_ERROR))   # cells cannot shift
    return frame, {"encoding": kind, "separator": None}


def _dates_as_in_xlsx(reader, frame: pl.DataFrame) -> pl.DataFrame:
    """Date cells that came out as ISO text (every date of an ODS) in the XLSX notation
    '2024-02-03 00:00:00', so that a date shows in the quarantine, and is stored in a text
    column, alike whichever program saved the file. A text cell that only looks like an ISO
    date keeps what the partner wrote: only cells the sheet holds as dates change, which a
    second read as dates (null for a text cell) tells apart."""
    if not frame.select(pl.any_horizontal(pl.all().cast(pl.String).str.contains(ISO_DATE).any())).item():
        return frame
    dates = pl.from_arrow(reader.load_sheet(0, header_row=0, dtypes="date").to_arrow())
    return frame.with_columns(
        pl.when(dated.is_not_null() & pl.col(c).cast(pl.String).str.contains(ISO_DATE))
        .then(pl.col(c).cast(pl.String).str.replace("T", " ", literal=True)
              .str.replace(r"^(\d{4}-\d{2}-\d{2})$", "$1 00:00:00"))
        .otherwise(pl.col(c)).alias(c)
        for c, dated in zip(frame.columns, dates.get_columns()))


def _password_protected(data: bytes) -> bool:
    """Whether a workbook that would not open is password-protected: an encrypted XLSX is an
    OLE file with an EncryptedPackage stream, an encrypted XLS has a FILEPASS record right
    after its first BOF record, an encrypted ODS has encryption data in its manifest."""
    if data.startswith(OLE_MAGIC):
        return ENCRYPTED_PACKAGE in data or XLS_FILEPASS.search(data) is not None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("META-INF/manifest.xml") as manifest:
            return b"encryption-data" in manifest.read(1 << 20)
    except Exception:  # noqa: BLE001 — not a readable ZIP or no manifest: only picks which refusal to give
        return False


def read_file(path: Path, data: bytes) -> tuple[pl.DataFrame, dict]:
    kind = workbook_kind(path, data)
    return read_workbook_bytes(data, kind) if kind else read_csv_bytes(data)
