"""Where a row is: its buurt from coordinates, and the 100 m grid cell it snaps to.

Raw coordinates are never stored; only the RD New cell's lower-left corner is kept.
"""
from __future__ import annotations

from functools import lru_cache

import polars as pl

CELL = 100  # metres


@lru_cache(maxsize=2)
def _buurt_polygons(path):
    import geopandas as gpd
    frame = gpd.read_file(path)[["bu_code", "geometry"]]
    return frame.to_crs(28992)


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
    import geopandas as gpd
    polygons = _buurt_polygons(buurten_path)
    has = x.is_not_null() & y.is_not_null()
    if mask is not None:
        has = has & mask
    idx = has.arg_true()
    result = pl.Series("buurt_uit_punt", [None] * len(x), dtype=pl.String)
    if idx.len():
        points = gpd.GeoDataFrame(
            {"i": idx.to_numpy()},
            geometry=gpd.points_from_xy(x.gather(idx).to_numpy(), y.gather(idx).to_numpy()), crs=28992)
        joined = gpd.sjoin(points, polygons, how="inner", predicate="within")
        joined = joined.drop_duplicates("i")
        if len(joined):
            result = result.scatter(pl.Series(joined["i"].to_numpy()), pl.Series(joined["bu_code"].astype(str).to_numpy()))
    return result


def grid_cells(x: pl.Series, y: pl.Series) -> tuple[pl.Series, pl.Series]:
    return ((x // CELL * CELL).cast(pl.Int32, strict=False).alias("cel_x"),
            (y // CELL * CELL).cast(pl.Int32, strict=False).alias("cel_y"))
