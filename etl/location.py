"""Where a row is: its buurt from coordinates, and the 100 m grid cell it snaps to.

Raw coordinates are never stored; only the RD New cell's lower-left corner is kept.
"""
from __future__ import annotations

from functools import lru_cache

import polars as pl

CELL = 100  # metres


@lru_cache(maxsize=2)
def _buurt_polygons(path):
    """(codes, polygons in RD New, STRtree) from the CBS buurt GeoJSON (WGS84); shapely and
    pyproj directly: importing geopandas alone costs about a second per load."""
    import json

    import numpy as np
    import shapely
    from pyproj import Transformer

    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    codes = np.array([f["properties"]["bu_code"] for f in features], dtype=object)
    wgs84 = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    to_rd = Transformer.from_crs(4326, 28992, always_xy=True)
    rd = shapely.transform(wgs84, lambda xy: np.column_stack(to_rd.transform(xy[:, 0], xy[:, 1])))
    return codes, rd, shapely.STRtree(rd)


def rd_coordinates(rows: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """RD New x/y per row from x_rd/y_rd, else from lat/lon (WGS84)."""
    n = rows.height
    x = rows["x_rd"].cast(pl.Float64) if "x_rd" in rows.columns else pl.Series([None] * n, dtype=pl.Float64)
    y = rows["y_rd"].cast(pl.Float64) if "y_rd" in rows.columns else pl.Series([None] * n, dtype=pl.Float64)
    if "lat" in rows.columns and "lon" in rows.columns:
        lat, lon = rows["lat"].cast(pl.Float64), rows["lon"].cast(pl.Float64)
        need = (x.is_null() | y.is_null()) & lat.is_not_null() & lon.is_not_null()
        if need.any():
            from pyproj import Transformer
            to_rd = Transformer.from_crs(4326, 28992, always_xy=True)
            idx = need.arg_true()
            tx, ty = to_rd.transform(lon.gather(idx).to_numpy(), lat.gather(idx).to_numpy())
            x, y = x.scatter(idx, pl.Series(tx)), y.scatter(idx, pl.Series(ty))
    return x.alias("x"), y.alias("y")


def buurt_from_points(x: pl.Series, y: pl.Series, buurten_path, mask: pl.Series | None = None) -> pl.Series:
    """Point in polygon on the CBS buurt file for the rows in `mask` (default: rows with
    both coordinates); None outside every buurt."""
    import shapely

    codes, _, tree = _buurt_polygons(buurten_path)
    has = x.is_not_null() & y.is_not_null() & x.is_finite() & y.is_finite()
    if mask is not None:
        has = has & mask
    idx = has.arg_true()
    result = pl.Series("buurt_uit_punt", [None] * len(x), dtype=pl.String)
    if idx.len():
        points = shapely.points(x.gather(idx).to_numpy(), y.gather(idx).to_numpy())
        point_i, polygon_i = tree.query(points, predicate="within")
        if len(point_i):
            hits = pl.DataFrame({"i": idx.gather(point_i), "code": codes[polygon_i].astype(str)})
            hits = hits.unique("i", keep="first", maintain_order=True)
            result = result.scatter(hits["i"], hits["code"])
    return result


def grid_cells(x: pl.Series, y: pl.Series) -> tuple[pl.Series, pl.Series]:
    return ((x // CELL * CELL).cast(pl.Int32, strict=False).alias("cel_x"),
            (y // CELL * CELL).cast(pl.Int32, strict=False).alias("cel_y"))
