"""Map layers for the municipality's GIS team (issue 21, item 6): the Kaart page's layer as
GeoJSON and GeoPackage, holding exactly what the role sees on the map.

Pure (no Streamlit). The input is the drawn map (`maps.Kaart`), whose figures already come
from the data layer under the role's disclosure profile; a hidden cell keeps its mark
("<5", "x") in `weergave` and has no number anywhere in the file. GeoJSON is in WGS 84 as
RFC 7946 requires; the GeoPackage is in RD New (EPSG:28992), the Dutch GIS teams' own.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from dijkwacht import maps

RD_NEW = "EPSG:28992"
FORMATS = {"geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3"}


def layer(kaart: maps.Kaart, titel: str, bron: str):
    """The map's polygons with the shown figures only: code and naam (the CBS area), aantal
    (the count, empty when hidden), weergave (the figure or mark as shown: <5, x), waarde
    (the value in the map's measure, empty when hidden or without a figure), kaarttekst (what
    the map says of the area: value, class or mark), afgeschermd, toelichting (why a figure
    is missing or differs), titel and bron. Every kind of map (maps.choropleth, change,
    hotspot_map, lq_map) has these columns."""
    import geopandas as gpd

    frame = kaart.frame
    hidden = frame["verborgen"].fillna(False).astype(bool).to_numpy()
    count = frame["aantal"].astype(float).where(~hidden)
    value = frame["waarde"].astype(float).where(~hidden)
    return gpd.GeoDataFrame({
        "code": frame["code"].astype(str),
        "naam": frame["naam"].astype(str),
        "aantal": pd.array(np.where(np.isnan(count), None, count), dtype="Float64"),
        "weergave": frame["aantal_tekst"].astype(str),
        "waarde": pd.array(np.where(np.isnan(value), None, value), dtype="Float64"),
        "kaarttekst": frame["tekst"].astype(str),
        "afgeschermd": hidden,
        "toelichting": frame["toelichting"].fillna("").astype(str),
        "titel": titel,
        "bron": bron,
    }, geometry=frame.geometry.values, crs=frame.crs)


def geojson_bytes(kaart: maps.Kaart, titel: str, bron: str) -> bytes:
    return layer(kaart, titel, bron).to_crs("EPSG:4326").to_json(drop_id=True, ensure_ascii=False).encode("utf-8")


def gpkg_bytes(kaart: maps.Kaart, titel: str, bron: str, naam: str = "dijkwacht") -> bytes:
    """One GeoPackage layer `naam` in RD New. GDAL writes to a file, so through a temp dir."""
    with tempfile.TemporaryDirectory(prefix="dijkwacht-gpkg-") as tmp:
        path = Path(tmp) / "laag.gpkg"
        layer(kaart, titel, bron).to_crs(RD_NEW).to_file(
            path, layer=naam, driver="GPKG", engine="pyogrio",
            layer_options={"DESCRIPTION": f"{titel}. {bron}"})
        return path.read_bytes()
