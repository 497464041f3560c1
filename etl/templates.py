"""XLSX templates for partners: Dutch headers, one example row, drop-down lists.

One workbook per source, generated from the contract in dijkwacht/sources, so a template can
never drift from what the ETL accepts. The example row loads with zero quarantined rows.
"""
from __future__ import annotations

import io

import xlsxwriter

from dijkwacht import config
from dijkwacht.sources import SOURCES, Column, Source
from etl.reference import valid_buurtcodes

EXAMPLES = {
    "date": "03-02-2026", "datetime": "03-02-2026 09:30", "int": "240", "decimal": "2500,00",
    "postcode": "3311 AB", "text": "", "list": "",
}


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
                  "list": "lijst, gescheiden door ;", "vocab": "kies uit de lijst"}.get(column.kind, "tekst"))
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


def template_xlsx(source: Source) -> bytes:
    """The template workbook for one source."""
    buurtcode = sorted(valid_buurtcodes())[0]
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
    info.write_row(0, 0, ["kolom", "uitleg", "toegestane waarden"], header)
    list_col = 0
    for i, column in enumerate(source.columns):
        sheet.write_string(0, i, column.name, header)
        sheet.write_string(1, i, _example(column, buurtcode), text)
        sheet.set_column(i, i, max(14, len(column.name) + 2), text)
        info.write_row(i + 1, 0, [column.name, _help(column) + _date_note(source, column), ", ".join(column.vocab)])
        if column.vocab and column.kind == "vocab":
            lists.write_column(0, list_col, column.vocab)
            letter = xlsxwriter.utility.xl_col_to_name(list_col)
            sheet.data_validation(1, i, 5000, i, {
                "validate": "list", "source": f"=keuzelijsten!${letter}$1:${letter}${len(column.vocab)}",
                "error_title": "Ongeldige waarde", "error_message": f"Kies een waarde uit de lijst voor {column.name}.",
            })
            list_col += 1
    sheet.freeze_panes(1, 0)
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 48)
    info.set_column(2, 2, 80)
    book.close()
    return buffer.getvalue()


def template_names() -> dict[str, str]:
    """Source → file name of its template."""
    return {name: f"{name}_sjabloon.xlsx" for name in SOURCES}
