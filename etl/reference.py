"""Public reference data (CBS/Kadaster) for the configured municipality.

Reads the files named in `data/gemeente.toml` once per process and writes the
`wijken`, `buurten` and `gebieden` tables of a database being built.
"""
from __future__ import annotations

import json
from functools import lru_cache

import duckdb
import polars as pl

from dijkwacht.config import Gemeente, gemeente


def wijk_of(buurtcode: str) -> str:
    """CBS codes nest: BU05050202 lies in WK050502."""
    return "WK" + buurtcode[2:8]


@lru_cache(maxsize=2)
def reference_frames(g: Gemeente) -> dict[str, pl.DataFrame]:
    figures = pl.read_csv(g.kerncijfers, infer_schema_length=0)
    with open(g.buurten, encoding="utf-8") as fh:
        buurt_geo = {f["properties"]["bu_code"]: json.dumps(f["geometry"], separators=(",", ":"))
                     for f in json.load(fh)["features"]}
    with open(g.wijken, encoding="utf-8") as fh:
        wijk_features = json.load(fh)["features"]
    codes = pl.read_csv(g.buurtcodes, infer_schema_length=0)

    b2020 = figures.select(
        pl.col("bu_code").alias("buurtcode"), pl.col("bu_naam").alias("naam"),
        pl.col("wk_code").alias("wijkcode"),
        pl.col("aant_inw").cast(pl.Int32, strict=False).alias("inwoners"),
        pl.col("aantal_hh").cast(pl.Int32, strict=False).alias("huishoudens"),
        pl.col("opp_land").cast(pl.Float64, strict=False).alias("opp_land_ha"),
        (pl.col("water") == "JA").alias("water"),
        pl.col("label_lon").cast(pl.Float64), pl.col("label_lat").cast(pl.Float64),
    )
    in2024 = set(codes.filter(pl.col("in_2024") == "ja")["bu_code"].to_list())
    b2020 = b2020.with_columns(
        pl.lit(True).alias("in_2020"),
        pl.col("buurtcode").is_in(sorted(in2024)).alias("in_2024"))
    new = codes.filter((pl.col("in_2020") != "ja") & (pl.col("in_2024") == "ja")).select(
        pl.col("bu_code").alias("buurtcode"), pl.col("naam_2024").alias("naam"))
    new = new.with_columns(
        pl.col("buurtcode").map_elements(wijk_of, return_dtype=pl.String).alias("wijkcode"),
        pl.lit(None, pl.Int32).alias("inwoners"), pl.lit(None, pl.Int32).alias("huishoudens"),
        pl.lit(None, pl.Float64).alias("opp_land_ha"), pl.lit(False).alias("water"),
        pl.lit(None, pl.Float64).alias("label_lon"), pl.lit(None, pl.Float64).alias("label_lat"),
        pl.lit(False).alias("in_2020"), pl.lit(True).alias("in_2024"))
    buurten = pl.concat([b2020, new.select(b2020.columns)]).with_columns(
        pl.col("buurtcode").replace_strict(buurt_geo, default=None, return_dtype=pl.String)
        .alias("geometrie_geojson")).sort("buurtcode")

    land = buurten.group_by("wijkcode").agg(
        pl.col("inwoners").sum().alias("inwoners"), pl.col("opp_land_ha").sum().alias("opp_land_ha"))
    wijken = pl.DataFrame({
        "wijkcode": [f["properties"]["wk_code"] for f in wijk_features],
        "naam": [f["properties"].get("wk_naam") for f in wijk_features],
        "geometrie_geojson": [json.dumps(f["geometry"], separators=(",", ":")) for f in wijk_features],
    }).join(land, on="wijkcode", how="left").select(
        "wijkcode", "naam", "inwoners", "opp_land_ha", "geometrie_geojson").sort("wijkcode")

    areas = pl.read_csv(g.gebieden, infer_schema_length=0)
    rows = []
    for gebied, status, codes_field in areas.select("gebied", "status", "codes").iter_rows():
        for code in codes_field.split(";"):
            code = code.strip()
            members = ([code] if code.startswith("BU") else
                       buurten.filter((pl.col("wijkcode") == code) & pl.col("in_2020"))["buurtcode"].to_list())
            rows += [(gebied, status, m) for m in members]
    gebieden = pl.DataFrame(rows, schema=["gebied", "status", "buurtcode"], orient="row").unique(maintain_order=True)
    return {"buurten": buurten, "wijken": wijken, "gebieden": gebieden}


def valid_buurtcodes(g: Gemeente | None = None) -> frozenset[str]:
    """Codes a row may carry: buurten of this municipality in the CBS 2020 or 2024 lists."""
    buurten = reference_frames(g or gemeente())["buurten"]
    return frozenset(buurten["buurtcode"].to_list())


def write_reference(con: duckdb.DuckDBPyConnection, g: Gemeente | None = None) -> None:
    frames = reference_frames(g or gemeente())
    for table in ("gebieden", "buurten", "wijken"):
        con.execute(f"DELETE FROM {table}")  # table names are fixed identifiers, not input
    for table in ("wijken", "buurten", "gebieden"):
        frame = frames[table]  # noqa: F841 (read by DuckDB by name)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
