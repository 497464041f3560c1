"""What each kind of downloaded file must be: one check per extension, shared by the page
tests and the every-control walk. Each check raises AssertionError with what is wrong and
returns a short description for the report."""
from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree


def check_csv(data: bytes) -> str:
    text = data.decode("utf-8-sig")
    sample = text[:4096]
    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    # A header is required; an empty table (no quarantined rows in the demo) is not an error.
    assert rows and any(cell.strip() for cell in rows[0]), f"CSV without a header: {text[:200]!r}"
    width = len(rows[0])
    assert all(len(r) == width for r in rows if r), "CSV rows of unequal width"
    formulas = [c for r in rows for c in r if re.match(r"^(=|@|[+-][^\d.,\s])", c)]
    assert not formulas, f"CSV cells a spreadsheet reads as formulas: {formulas[:5]}"
    return f"CSV, {len(rows) - 1} rows × {width} columns"


def check_xlsx(data: bytes) -> str:
    import openpyxl

    assert data[:2] == b"PK", "XLSX is not a zip file"
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [r for r in book.worksheets[0].iter_rows(values_only=True) if any(c is not None for c in r)]
    assert rows and any(c not in (None, "") for c in rows[0]), "XLSX without a header row"
    return f"XLSX, {len(book.worksheets)} sheet(s), {len(rows) - 1} rows on the first"


def check_png(data: bytes) -> str:
    from PIL import Image

    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    with Image.open(io.BytesIO(data)) as image:
        assert image.width > 50 and image.height > 50, image.size
        return f"PNG {image.width}×{image.height}"


def check_svg(data: bytes) -> str:
    root = ElementTree.fromstring(data)
    assert root.tag.endswith("svg"), f"not an SVG: <{root.tag}>"
    return f"SVG {len(data)} bytes"


def check_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    assert data[:5] == b"%PDF-", f"not a PDF: {data[:20]!r}"
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    assert len(text.strip()) > 20, "PDF without readable text"
    return f"PDF {len(reader.pages)} page(s), {len(text)} characters of text"


def check_ods(data: bytes) -> str:
    """An OpenDocument spreadsheet read back by the ETL's own reader (fastexcel)."""
    import zipfile

    from etl.read import read_workbook_bytes

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert book.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet", "not an ODS"
    frame, _ = read_workbook_bytes(data, "ods")
    assert frame.width > 2, f"ODS without a header row: {frame.columns}"
    return f"ODS, {frame.height} rows × {frame.width - 2} columns on the first sheet"


def check_geojson(data: bytes) -> str:
    import json

    doc = json.loads(data)
    assert doc.get("type") == "FeatureCollection" and doc["features"], "not a GeoJSON layer"
    props = [f["properties"] for f in doc["features"]]
    hidden = [p for p in props if p["afgeschermd"]]
    assert all(p["aantal"] is None and p["waarde"] is None for p in hidden), "a hidden cell with a number"
    return f"GeoJSON, {len(props)} areas, {len(hidden)} hidden"


def check_gpkg(data: bytes) -> str:
    import tempfile
    from pathlib import Path

    import geopandas as gpd

    assert data[:16] == b"SQLite format 3\x00", "not a GeoPackage"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "laag.gpkg"
        path.write_bytes(data)
        layer = gpd.read_file(path)
    assert layer.crs.to_epsg() == 28992 and len(layer), "GeoPackage not in RD New or empty"
    return f"GeoPackage, {len(layer)} areas in RD New"


CHECKS = {".geojson": check_geojson, ".gpkg": check_gpkg, ".csv": check_csv, ".xlsx": check_xlsx, ".ods": check_ods, ".png": check_png, ".svg": check_svg, ".pdf": check_pdf}


# --- who may download what, and what a button's label promises -----------------------------

def allowed_exports(role: str) -> set[str]:
    """DESIGN §6: the factsheet and the snapshot for everyone, tables and charts for analysts;
    the steward's partner templates and the demo's practice file for the beheerder."""
    from dijkwacht import access

    kinds = {".pdf", ".png"} if access.may(role, "export_factsheet") else set()
    if access.may(role, "export_tables"):
        kinds |= {".csv", ".xlsx", ".ods", ".svg", ".png", ".geojson", ".gpkg"}
    if access.may(role, "data_management"):
        kinds |= {".xlsx", ".ods", ".csv"}
    return kinds


# A type named in a button's label is the type the file must have.
LABEL_TYPES = {"pdf": ".pdf", "excel": ".xlsx", "xlsx": ".xlsx", "ods": ".ods", "csv": ".csv", "png": ".png",
               "svg": ".svg", "oefenbestand": ".csv", "geojson": ".geojson", "geopackage": ".gpkg"}


def expected_type(label: str) -> str | None:
    words = re.findall(r"[a-z]+", label.lower())
    return next((LABEL_TYPES[w] for w in words if w in LABEL_TYPES), None)
