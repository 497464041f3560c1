"""Exports neutralise spreadsheet formulas in CSV and XLSX; numbers stay numbers."""
from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dijkwacht.exports import FORMULA_START, csv_bytes, neutralise, xlsx_bytes

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
    assert texts == ["'" + a for a in ATTACKS]
    numbers = [ws.cell(r, 2).value for r in range(2, 11)]
    assert numbers == list(range(-4, 5)) and all(ws.cell(r, 2).data_type == "n" for r in range(2, 11))
    assert ws.cell(2, 3).value == -1.5


def test_column_names_are_neutralised_too():
    f = pl.DataFrame({"=kolom": ["a"], "gewoon": ["b"]})
    assert read_csv(csv_bytes(f))[0] == ["'=kolom", "gewoon"]
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(f))).active
    assert ws.cell(1, 1).value == "'=kolom"


@settings(max_examples=300, deadline=None)
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
        assert value is None or not str(value).startswith(FORMULA_START)


def test_plain_values_are_unchanged():
    assert neutralise("Dordrecht") == "Dordrecht"
    assert neutralise(-5) == -5 and neutralise(None) is None


def test_several_sheets_from_row_dicts_and_the_same_bytes_twice():
    sheets = {"Indicatoren": [{"naam": "=x", "waarde": 3}], "Per wijk": pl.DataFrame({"w": ["@a"]})}
    data = xlsx_bytes(sheets)
    assert data == xlsx_bytes(sheets)                        # reproducible: same SHA-256
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["Indicatoren"].cell(2, 1).value == "'=x" and book["Indicatoren"].cell(2, 2).value == 3
    assert book["Per wijk"].cell(2, 1).value == "'@a"
