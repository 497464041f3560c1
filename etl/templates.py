"""Templates for partners, as XLSX and as ODS (LibreOffice): Dutch headers, one example row,
drop-down lists for the vocabularies, and a sheet `uitleg` explaining every column.

One workbook per source, generated from the contract in dijkwacht/sources, so a template can
never drift from what the ETL accepts. The example row loads with zero quarantined rows. Both
formats are written from the same rows (`_example_row`, `_help_rows`, `_choices`); only the
way each program is told about styles and drop-downs differs.
"""
from __future__ import annotations

import io

import xlsxwriter
from odf import dc, number
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableCellProperties, TableColumnProperties, TextProperties
from odf.table import ContentValidation, ContentValidations, ErrorMessage, Table, TableCell, TableColumn, TableRow
from odf.text import P

from dijkwacht import config
from dijkwacht.sources import SOURCES, Column, Source
from etl.reference import valid_buurtcodes

EXAMPLES = {
    "date": "03-02-2026", "datetime": "03-02-2026 09:30", "int": "240", "decimal": "2500,00",
    "postcode": "3311 AB", "text": "", "list": "",
}
HELP_HEADER = ["kolom", "uitleg", "toegestane waarden"]
HELP_WIDTHS = (22, 48, 80)             # characters
LAST_ROW = 5001                        # drop-downs reach this row


def _example(column: Column, buurtcode: str) -> str:
    """The column's own example (the registry's `Column.example`), else one by kind."""
    if column.example is not None:
        return column.example
    if column.kind == "buurtcode":
        return buurtcode
    if column.vocab:
        return column.vocab[0]
    return EXAMPLES.get(column.kind, "")


def _help(column: Column) -> str:
    parts = ["verplicht" if column.required else "optioneel"]
    parts.append({"date": "datum dd-mm-jjjj", "datetime": "datum dd-mm-jjjj of dd-mm-jjjj uu:mm",
                  "int": "geheel getal", "decimal": "bedrag of getal (komma of punt)",
                  "postcode": "postcode 1234 AB", "buurtcode": "CBS-buurtcode (BU…)",
                  "list": "lijst, gescheiden door ;", "vocab": "kies uit de lijst",
                  "digits": f"nummer van precies {column.digits} cijfers (voorloopnullen meetellen)",
                  "sbi": "SBI-code, bijv. 4511, 45.11 of 45111"}.get(column.kind, "tekst"))
    if column.not_before:
        parts.append(f"leeg zolang actief; niet voor {column.not_before}")
    if column.minimum is not None:
        parts.append(f"minimaal {column.minimum:g}")
    if column.above is not None:
        parts.append(f"groter dan {column.above:g}")
    if column.maximum is not None:
        parts.append(f"maximaal {column.maximum:g}")
    return ", ".join(parts)


def _date_note(source: Source, column: Column) -> str:
    """The record date may lie at most the configured margin after the delivery (DESIGN §5)."""
    if column.name != source.date_column:
        return ""
    note = f", niet meer dan {config.toekomst_marge_dagen()} dagen na de aanleverdatum (anders quarantaine)"
    return note + ("; geplande activiteiten pas aanleveren als ze zo dichtbij zijn" if source.planned else "")


def _example_row(source: Source) -> list[str]:
    buurtcode = sorted(valid_buurtcodes())[0]
    return [_example(column, buurtcode) for column in source.columns]


def _help_rows(source: Source) -> list[list[str]]:
    return [[c.name, _help(c) + _date_note(source, c), ", ".join(c.vocab)] for c in source.columns]


def _choices(column: Column) -> tuple[str, ...]:
    """The values a drop-down offers: a vocabulary column's (a list column takes several)."""
    return column.vocab if column.kind == "vocab" else ()


def _width(column: Column) -> int:
    return max(14, len(column.name) + 2)


def template_xlsx(source: Source) -> bytes:
    """The template workbook for one source."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False})
    book.set_properties({"title": f"Sjabloon {source.label}", "company": "Dijkwacht"})
    header = book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(source.name[:31])
    lists = book.add_worksheet("keuzelijsten")
    lists.hide()
    info = book.add_worksheet("uitleg")
    info.write_row(0, 0, HELP_HEADER, header)
    list_col = 0
    for i, (column, example, help_row) in enumerate(zip(source.columns, _example_row(source), _help_rows(source))):
        sheet.write_string(0, i, column.name, header)
        sheet.write_string(1, i, example, text)
        sheet.set_column(i, i, _width(column), text)
        info.write_row(i + 1, 0, help_row)
        if choices := _choices(column):
            lists.write_column(0, list_col, choices)
            letter = xlsxwriter.utility.xl_col_to_name(list_col)
            sheet.data_validation(1, i, LAST_ROW - 1, i, {
                "validate": "list", "source": f"=keuzelijsten!${letter}$1:${letter}${len(choices)}",
                "error_title": "Ongeldige waarde", "error_message": f"Kies een waarde uit de lijst voor {column.name}.",
            })
            list_col += 1
    sheet.freeze_panes(1, 0)
    for i, width in enumerate(HELP_WIDTHS):
        info.set_column(i, i, width)
    book.close()
    return buffer.getvalue()


def template_ods(source: Source) -> bytes:
    """The template for one source as an OpenDocument spreadsheet: the same headers, example
    row and `uitleg` sheet as the XLSX one; the drop-downs are content validations listing
    the allowed values in the rule itself (no hidden sheet needed). Every cell is formatted
    as text, so that LibreOffice keeps a typed 03-02-2026 as the partner wrote it."""
    doc = OpenDocumentSpreadsheet()
    doc.meta.addElement(dc.Title(text=f"Sjabloon {source.label}"))
    text_format = number.TextStyle(name="tekstformaat")
    text_format.addElement(number.TextContent())
    text = Style(name="tekst", family="table-cell", datastylename="tekstformaat")
    header = Style(name="kop", family="table-cell", datastylename="tekstformaat")
    header.addElement(TableCellProperties(backgroundcolor="#DDE7F0", border="0.5pt solid #000000"))
    header.addElement(TextProperties(fontweight="bold"))
    for style in (text_format, text, header):
        doc.automaticstyles.addElement(style)
    names = [f"keuze{i + 1}" if _choices(c) else None for i, c in enumerate(source.columns)]
    validations = ContentValidations()
    for name, column in zip(names, source.columns):
        if name:
            validations.addElement(_ods_validation(name, column))
    sheet = Table(name=source.name[:31])
    _ods_columns(doc, sheet, [_width(c) for c in source.columns])
    sheet.addElement(_ods_row([c.name for c in source.columns], header))
    sheet.addElement(_ods_row(_example_row(source), text, names))
    sheet.addElement(_ods_row([""] * len(names), text, names, repeated=LAST_ROW - 2))
    info = Table(name="uitleg")
    _ods_columns(doc, info, list(HELP_WIDTHS))
    info.addElement(_ods_row(HELP_HEADER, header))
    for row in _help_rows(source):
        info.addElement(_ods_row(row, text))
    if validations.childNodes:
        doc.spreadsheet.addElement(validations)
    doc.spreadsheet.addElement(sheet)
    doc.spreadsheet.addElement(info)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def _ods_validation(name: str, column: Column) -> ContentValidation:
    """A drop-down of the column's allowed values that refuses anything else."""
    listed = ";".join('"' + choice.replace('"', '""') + '"' for choice in _choices(column))
    rule = ContentValidation(name=name, condition=f"of:cell-content-is-in-list({listed})",
                             allowemptycell="true", displaylist="unsorted")
    message = ErrorMessage(display="true", messagetype="stop", title="Ongeldige waarde")
    message.addElement(P(text=f"Kies een waarde uit de lijst voor {column.name}."))
    rule.addElement(message)
    return rule


def _ods_columns(doc: OpenDocumentSpreadsheet, sheet: Table, widths: list[int]) -> None:
    """Column widths in characters, as xlsxwriter takes them (about 0.2 cm each)."""
    for i, width in enumerate(widths):
        style = Style(name=f"{sheet.getAttribute('name')}-kolom{i + 1}", family="table-column")
        style.addElement(TableColumnProperties(columnwidth=f"{width * 0.2:.1f}cm"))
        doc.automaticstyles.addElement(style)
        sheet.addElement(TableColumn(stylename=style, defaultcellstylename="tekst"))


def _ods_row(values: list[str], style: Style, validations: list[str | None] | None = None,
             repeated: int = 1) -> TableRow:
    """One row of text cells (an empty value is an empty cell), each with its drop-down."""
    row = TableRow(numberrowsrepeated=repeated) if repeated > 1 else TableRow()
    for value, validation in zip(values, validations or [None] * len(values)):
        cell = TableCell(stylename=style, **({"contentvalidationname": validation} if validation else {}))
        if value:
            cell.setAttribute("valuetype", "string")
            cell.addElement(P(text=value))
        row.addElement(cell)
    return row


def template_names(extension: str = "xlsx") -> dict[str, str]:
    """Source → file name of its template, as XLSX or (`extension="ods"`) as ODS."""
    return {name: f"{name}_sjabloon.{extension}" for name in SOURCES}
