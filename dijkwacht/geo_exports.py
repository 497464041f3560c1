"""Map layers for the municipality's GIS team (issue 21, item 6): the Kaart page's layer as
GeoJSON and GeoPackage, holding exactly what the role sees on the map.

Pure (no Streamlit). The input is the drawn map (`maps.Kaart`), whose figures already come
from the data layer under the role's disclosure profile; a hidden cell keeps its mark
("<5", "x") in `weergave` and has no number anywhere in the file. GeoJSON is in WGS 84 as
RFC 7946 requires; the GeoPackage is in RD New (EPSG:28992), the Dutch GIS teams' own.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from dijkwacht import maps

RD_NEW = "EPSG:28992"
FORMATS = {"geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3"}
# The columns a GIS user gets, with what they mean (also the GeoPackage's layer description).
COLUMNS = {
    "code": "CBS-code van de buurt of wijk",
    "naam": "naam van de buurt of wijk",
    "aantal": "aantal in de periode (leeg als afgeschermd)",
    "weergave": "het getoonde cijfer of de markering (<5, x) als het is afgeschermd",
    "waarde": "de waarde in de gekozen maat (leeg als afgeschermd of geen cijfer)",
    "kaarttekst": "wat de kaart bij het gebied zegt (waarde, klasse of markering)",
    "afgeschermd": "waar: het cijfer is afgeschermd (onthullingsbeheersing)",
    "toelichting": "waarom een cijfer ontbreekt of afwijkt",
}


def layer(kaart: maps.Kaart, titel: str, bron: str):
    """The map's polygons with the shown figures only; hidden cells carry no number."""
    import geopandas as gpd

    frame = kaart.frame
    hidden = frame["verborgen"].fillna(False).astype(bool).to_numpy()
    count = frame["aantal"].astype(float).where(~hidden)
    value = frame["waarde"].astype(float).where(~hidden) if "waarde" in frame else count
    out = gpd.GeoDataFrame({
        "code": frame["code"].astype(str),
        "naam": frame["naam"].astype(str),
        "aantal": pd.array(np.where(np.isnan(count), None, count), dtype="Float64"),
        "weergave": frame["aantal_tekst"].astype(str) if "aantal_tekst" in frame else frame["weergave"].astype(str),
        "waarde": pd.array(np.where(np.isnan(value), None, value), dtype="Float64"),
        "kaarttekst": frame["tekst"].astype(str) if "tekst" in frame else "",
        "afgeschermd": hidden,
        "toelichting": frame["toelichting"].fillna("").astype(str) if "toelichting" in frame else "",
        "titel": titel,
        "bron": bron,
    }, geometry=frame.geometry.values, crs=frame.crs)
    return out


def geojson_bytes(kaart: maps.Kaart, titel: str, bron: str) -> bytes:
    return layer(kaart, titel, bron).to_crs("EPSG:4326").to_json(drop_id=True, ensure_ascii=False).encode("utf-8")


def gpkg_bytes(kaart: maps.Kaart, titel: str, bron: str, naam: str = "dijkwacht") -> bytes:
    """One GeoPackage layer `naam` in RD New. GDAL writes to a file, so through a temp dir."""
    with tempfile.TemporaryDirectory(prefix="dijkwacht-gpkg-") as tmp:
        path = Path(tmp) / "laag.gpkg"
        layer(kaart, titel, bron).to_crs(RD_NEW).to_file(
            path, layer=naam, driver="GPKG", engine="pyogrio",
            layer_options={"DESCRIPTION": f"{titel}. {bron}"})
        return io.BytesIO(path.read_bytes()).getvalue()
