"""Table exports (CSV, XLSX and ODS) that a spreadsheet can never run as formulas (DESIGN §6).

Pure (no Streamlit). One test decides what is dangerous (`formula_like`): a text cell that
starts with a character a spreadsheet reads as the start of a formula or command — = + - @,
tab, carriage return, line feed, or their full-width forms — also when that character comes
after leading whitespace or invisible characters a spreadsheet may skip or a reader cannot
see (spaces, NBSP, zero-width space and joiners, BOM, bidi marks, other control and format
characters) (OWASP "CSV injection", issue 23). In CSV such a cell gets a leading apostrophe;
in XLSX it keeps its exact text in a cell with Excel's hidden quote prefix (`quotePrefix`),
so the sheet shows the text as typed and Excel never turns it into a formula, not even
after editing the cell. Numbers stay numbers: only text is touched, so -5 as a number is
written as the number -5, while the text "-5" (e.g. in an identifier column) is escaped.
Column names are text too and get the same treatment. XLSX cells are written with explicit
types (write_string/write_number), with xlsxwriter's string-to-formula/number/URL
conversions off.

The app hands these bytes out only through its own download buttons, gated by role and
audited (data.log_export with the bytes' SHA-256).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import polars as pl

from dijkwacht import formats

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Unicode categories of leading characters that hide what a cell starts with: separators
# (space, NBSP, ideographic space, line/paragraph separators), control characters and
# format characters (zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks).
_SKIPPED = {"Zs", "Zl", "Zp", "Cc", "Cf"}


def _skipped(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in _SKIPPED


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula or command: it starts with a
    formula character, or has one after leading whitespace or invisible characters."""
    if text.startswith(FORMULA_START):
        return True
    i = 0
    while i < len(text) and _skipped(text[i]):
        i += 1
    return 0 < i < len(text) and text[i:].startswith(FORMULA_START)


def neutralise(value):
    """The one escaping rule for text cells: formula-like text gets a leading apostrophe
    (CSV); XLSX writes the same cells with the hidden quote prefix instead (`xlsx_bytes`)."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def _plain(value) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)


def _text(value) -> str:
    return str(neutralise(_plain(value)))


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV as Dutch Excel opens it: ';'-separated, decimal comma, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_text(c) for c in frame.columns])
    for row in frame.iter_rows():
        cells = []
        for v in row:
            if v is None:
                cells.append("")
            elif isinstance(v, bool):
                cells.append("ja" if v else "nee")
            elif isinstance(v, int):
                cells.append(str(v))
            elif isinstance(v, (float, Decimal)):
                cells.append(formats.number(v, 2).replace(".", ""))
            else:
                cells.append(_text(v))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(frame, sheet: str = "gegevens", *, title: str | None = None,
               notes: dict[str, str] | None = None) -> bytes:
    """XLSX with numbers as numbers and every text cell written as text, never a formula.

    `frame` is a polars frame (one sheet named `sheet`) or a dict {sheet name: frame or list
    of row dicts}. `notes` puts a line of text one empty row below a sheet's table (what a
    mark such as "x" means), written like any other text cell. The file's creation date is
    fixed, so the same table gives the same bytes (and the same SHA-256 in the audit log)."""
    import xlsxwriter

    sheets = frame if isinstance(frame, dict) else {sheet: frame}
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": title or "", "author": "Dijkwacht",
                         "created": datetime(2000, 1, 1)})
    bold = book.add_format({"bold": True})
    bold_quoted = book.add_format({"bold": True, "quote_prefix": True})
    quoted = book.add_format({"quote_prefix": True})

    def text(ws, r: int, c: int, value, header: bool = False) -> None:
        value = _plain(value)
        if formula_like(value):       # the exact text, shown and kept as text by Excel
            ws.write_string(r, c, value, bold_quoted if header else quoted)
        else:
            ws.write_string(r, c, value, bold if header else None)

    for name, table in sheets.items():
        if isinstance(table, pl.DataFrame):
            columns, rows = table.columns, table.iter_rows()
        else:   # row dicts: each cell keeps its own type (a column may mix "x" and numbers)
            columns = list(table[0].keys()) if table else []
            rows = ([row.get(c) for c in columns] for row in table)
        ws = book.add_worksheet(str(name)[:31] or "gegevens")
        for c, col in enumerate(columns):
            text(ws, 0, c, col, header=True)
        r = 0
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if v is None:
                    ws.write_blank(r, c, None)
                elif isinstance(v, bool):
                    ws.write_string(r, c, "ja" if v else "nee")
                elif isinstance(v, (int, float, Decimal)):
                    ws.write_number(r, c, float(v))
                else:
                    text(ws, r, c, v)
        if notes and notes.get(name):
            text(ws, r + 2, 0, notes[name])
    book.close()
    return buf.getvalue()


def ods_bytes(frame: pl.DataFrame, sheet: str = "gegevens", *, title: str | None = None) -> bytes:
    """OpenDocument spreadsheet beside XLSX (issue 21, item 7): numbers as numbers, dates as
    dates, text as text. A string-typed ODS cell is never evaluated; a formula-like one also
    gets a text number format, so that LibreOffice keeps it text after the cell is edited
    (what the hidden quote prefix does in XLSX)."""
    from odf import dc, number
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TextProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    doc.meta.addElement(dc.Title(text=title or sheet))
    text_format = number.TextStyle(name="tekstformaat")
    text_format.addElement(number.TextContent())
    kept = Style(name="tekst", family="table-cell", datastylename="tekstformaat")
    bold = Style(name="kop", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    bold_kept = Style(name="kop-tekst", family="table-cell", datastylename="tekstformaat")
    bold_kept.addElement(TextProperties(fontweight="bold"))
    for style in (text_format, kept, bold, bold_kept):
        doc.automaticstyles.addElement(style)

    def cell(value, header: bool = False) -> TableCell:
        if value is None:
            return TableCell()
        if isinstance(value, bool):
            value = "ja" if value else "nee"
        if isinstance(value, (int, float, Decimal)):
            out = TableCell(valuetype="float", value=float(value))
            shown = formats.number(value, 2) if isinstance(value, (float, Decimal)) else str(value)
        elif isinstance(value, (date, datetime)):
            out = TableCell(valuetype="date", datevalue=value.isoformat())
            shown = value.isoformat()
        else:
            shown = _plain(value)
            style = (bold_kept if header else kept) if formula_like(shown) else (bold if header else None)
            out = TableCell(valuetype="string", **({"stylename": style} if style else {}))
        out.addElement(P(text=shown))
        return out

    table = Table(name=sheet[:31] or "gegevens")
    header = TableRow()
    for name in frame.columns:
        header.addElement(cell(name, header=True))
    table.addElement(header)
    for values in frame.iter_rows():
        row = TableRow()
        for value in values:
            row.addElement(cell(value))
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()
