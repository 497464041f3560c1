"""Exports neutralise spreadsheet formulas in CSV (leading apostrophe) and XLSX (the exact
text in a cell with Excel's hidden quote prefix); numbers stay numbers."""
from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from layers import examples

from dijkwacht.exports import FORMULA_START, csv_bytes, formula_like, neutralise, ods_bytes, xlsx_bytes

ATTACKS = ["=1+1", "+31 6 1234", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"klik\")",
           "\t=1", "\r=1", "=cmd|' /C calc'!A0", "\uff1d1+1"]


def frame():
    return pl.DataFrame({"tekst": ATTACKS, "n": list(range(-4, 5)),
                         "bedrag": [-1.5, 2.25, 0.0, 3.0, -7.0, 1.0, 2.0, 3.0, 4.0],
                         "datum": [date(2025, 1, i + 1) for i in range(9)]})


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_neutralises_every_formula_cell():
    rows = read_csv(csv_bytes(frame()))
    assert rows[0] == ["tekst", "n", "bedrag", "datum"]
    texts = [r[0] for r in rows[1:]]
    assert texts == ["'" + a for a in ATTACKS]
    assert [r[1] for r in rows[1:]] == [str(i) for i in range(-4, 5)]   # numbers untouched
    assert rows[1][2] == "-1,50"


def test_xlsx_neutralises_every_formula_cell_and_keeps_numbers():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame(), "tabel")))
    ws = book["tabel"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"], "a formula cell"
    # openpyxl reads a stored carriage return back as its XML escape
    texts = [ws.cell(r, 1).value.replace("_x000D_", "\r") for r in range(2, 2 + len(ATTACKS))]
    assert texts == ATTACKS                                   # the text as it was, no apostrophe
    assert all(ws.cell(r, 1).quotePrefix for r in range(2, 2 + len(ATTACKS)))
    numbers = [ws.cell(r, 2).value for r in range(2, 11)]
    assert numbers == list(range(-4, 5)) and all(ws.cell(r, 2).data_type == "n" for r in range(2, 11))
    assert ws.cell(2, 3).value == -1.5


def test_column_names_are_neutralised_too():
    f = pl.DataFrame({"=kolom": ["a"], "gewoon": ["b"]})
    assert read_csv(csv_bytes(f))[0] == ["'=kolom", "gewoon"]
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(f))).active
    assert ws.cell(1, 1).value == "=kolom" and ws.cell(1, 1).quotePrefix and ws.cell(1, 1).font.b
    assert not ws.cell(1, 2).quotePrefix


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=6),
       st.sampled_from(FORMULA_START))
def test_no_cell_starts_with_a_formula_character(texts, start):
    texts = texts + [start + texts[0]]
    f = pl.DataFrame({"t": texts})
    for row in read_csv(csv_bytes(f))[1:]:
        assert not row[0].startswith(FORMULA_START)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(f))).active
    for r in range(2, len(texts) + 2):
        value = ws.cell(r, 1).value
        assert ws.cell(r, 1).data_type != "f"
        assert value is None or not formula_like(str(value)) or ws.cell(r, 1).quotePrefix


def test_plain_values_are_unchanged():
    assert neutralise("Dordrecht") == "Dordrecht"
    assert neutralise(-5) == -5 and neutralise(None) is None


def test_several_sheets_from_row_dicts_and_the_same_bytes_twice():
    sheets = {"Indicatoren": [{"naam": "=x", "waarde": 3}], "Per wijk": pl.DataFrame({"w": ["@a"]})}
    data = xlsx_bytes(sheets)
    assert data == xlsx_bytes(sheets)                        # reproducible: same SHA-256
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["Indicatoren"].cell(2, 1).value == "=x" and book["Indicatoren"].cell(2, 1).quotePrefix
    assert book["Indicatoren"].cell(2, 2).value == 3
    assert book["Per wijk"].cell(2, 1).value == "@a" and book["Per wijk"].cell(2, 1).quotePrefix


# --- issue 23: formula payloads behind leading whitespace or invisible characters ----------

HIDDEN_ATTACKS = [
    ' =HYPERLINK("http://x","klik")',        # leading space
    "\u00a0=1+1",                             # no-break space
    "\u200b=HYPERLINK(\"http://x\")",          # zero-width space
    "\ufeff+1",                               # byte order mark
    "\u200e@SUM(A1)",                         # left-to-right mark
    "\u2060\u200d-2+3",                        # word joiner, zero-width joiner
    " \t=1",                                  # space then tab
    "\u3000\uff1d1",                           # ideographic space, full-width '='
    "\u202f\u00ad=1",                          # narrow no-break space, soft hyphen
]
HARMLESS = ["Dordrecht", " Dordrecht", "\u00a0", "\u200b", "   ", "a=b", "e-mail", "3 - 2"]


def test_hidden_formula_starts_are_neutralised_in_csv():
    """The attack: each payload, behind whitespace or an invisible character, went out as is."""
    rows = read_csv(csv_bytes(pl.DataFrame({"t": HIDDEN_ATTACKS + HARMLESS})))
    out = [r[0] for r in rows[1:]]
    assert out[:len(HIDDEN_ATTACKS)] == ["'" + a for a in HIDDEN_ATTACKS]
    assert out[len(HIDDEN_ATTACKS):] == HARMLESS
    assert all(formula_like(a) for a in HIDDEN_ATTACKS) and not any(formula_like(h) for h in HARMLESS)


def test_hidden_formula_starts_get_the_quote_prefix_in_xlsx():
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(pl.DataFrame({"t": HIDDEN_ATTACKS + HARMLESS})))).active
    cells = [ws.cell(r, 1) for r in range(2, 2 + len(HIDDEN_ATTACKS) + len(HARMLESS))]
    assert not [c for c in cells if c.data_type == "f"]
    attacks, harmless = cells[:len(HIDDEN_ATTACKS)], cells[len(HIDDEN_ATTACKS):]
    assert [c.value for c in attacks] == HIDDEN_ATTACKS                  # no literal apostrophe
    assert all(c.quotePrefix for c in attacks)
    assert not any(c.quotePrefix for c in harmless)


def test_neutralise_is_the_one_rule():
    for a in HIDDEN_ATTACKS + ATTACKS:
        assert neutralise(a) == "'" + a
    for h in HARMLESS:
        assert neutralise(h) == h


# --- ODS (issue 21, item 7) ------------------------------------------------------------------

def ods_cells(data: bytes) -> list[list[dict]]:
    """Every cell of the first sheet with its value type, value, text and style name."""
    from odf.namespaces import OFFICENS, TABLENS
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    doc = load(io.BytesIO(data))
    sheet = doc.spreadsheet.getElementsByType(Table)[0]
    rows = []
    for row in sheet.getElementsByType(TableRow):
        rows.append([{"type": c.attributes.get((OFFICENS, "value-type")),
                      "value": c.attributes.get((OFFICENS, "value")),
                      "formula": c.attributes.get((TABLENS, "formula")),
                      "style": c.attributes.get((TABLENS, "style-name")),
                      "text": "".join(str(p) for p in c.childNodes)}
                     for c in row.getElementsByType(TableCell)])
    return rows


def test_ods_keeps_formula_text_as_text_and_numbers_as_numbers():
    rows = ods_cells(ods_bytes(frame(), "tabel"))
    assert [c["text"] for c in rows[0]] == ["tekst", "n", "bedrag", "datum"]
    body = rows[1:]
    assert not [c for r in rows for c in r if c["formula"]], "a formula cell"
    # no literal apostrophe; XML reads a stored carriage return back as a line feed
    assert [r[0]["text"] for r in body] == [a.replace("\r", "\n") for a in ATTACKS]
    assert all(r[0]["type"] == "string" and r[0]["style"] == "tekst" for r in body)
    assert [float(r[1]["value"]) for r in body] == list(range(-4, 5))
    assert all(r[1]["type"] == "float" for r in body) and body[0][2]["value"] == "-1.5"
    assert body[0][3]["type"] == "date"


def test_ods_gives_the_text_format_only_to_formula_like_text():
    rows = ods_cells(ods_bytes(pl.DataFrame({"t": HIDDEN_ATTACKS + HARMLESS})))[1:]
    styles = [r[0]["style"] for r in rows]
    assert styles == ["tekst"] * len(HIDDEN_ATTACKS) + [None] * len(HARMLESS)
    assert [r[0]["text"] for r in rows] == HIDDEN_ATTACKS + HARMLESS


def test_libreoffice_opens_the_ods_without_evaluating_a_formula(tmp_path):
    """The real reader: LibreOffice converts the ODS to CSV; every attack comes back as typed."""
    import shutil
    import subprocess

    import pytest

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) staat niet op deze machine")
    # one line per attack: LibreOffice's CSV export quotes cells with line breaks
    attacks = [a for a in ATTACKS if "\r" not in a and "\n" not in a]
    (tmp_path / "t.ods").write_bytes(ods_bytes(pl.DataFrame({"tekst": attacks, "n": list(range(len(attacks)))})))
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profiel", "--headless",
                    "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76', "--outdir", str(tmp_path), str(tmp_path / "t.ods")],
                   check=True, capture_output=True, timeout=120)
    rows = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text("utf-8"))))
    assert [r[0] for r in rows[1:]] == attacks
    assert [r[1] for r in rows[1:]] == [str(i) for i in range(len(attacks))]
