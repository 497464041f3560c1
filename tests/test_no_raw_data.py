"""No raw address, identifier, coordinate or signal text from the demo files is stored:
every text value in the served database is checked against the raw values."""
from __future__ import annotations

import csv

from dijkwacht import config

RAW_COLUMNS = ("adres", "postcode", "subject_id", "eigenaar_id", "omschrijving", "x_rd", "y_rd", "lat", "lon")


def raw_values() -> set[str]:
    values = set()
    for path in config.DEMO_DIR.glob("*.csv"):
        with open(path, encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                for column in RAW_COLUMNS:
                    value = (row.get(column) or "").strip()
                    if len(value) >= 4:
                        values.add(value)
                        values.add(value.upper())
                        values.add(value.replace(" ", "").upper())
    return values


def stored_values(con) -> set[str]:
    stored = set()
    tables = [t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
    for table in tables:
        columns = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
            [table]).fetchall()
        for column, data_type in columns:
            if data_type == "VARCHAR":
                stored |= {v for (v,) in con.execute(
                    f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()}
            elif data_type == "VARCHAR[]":
                stored |= {v for (v,) in con.execute(
                    f'SELECT DISTINCT unnest("{column}") FROM "{table}"').fetchall() if v}
    return stored


def test_raw_values_exist_in_the_demo_files():
    # guards the next test against passing vacuously
    assert len(raw_values()) > 1000


def test_no_raw_value_is_stored(demo_con):
    leaked = raw_values() & stored_values(demo_con)
    assert not leaked, sorted(leaked)[:5]


def test_no_raw_value_is_a_substring_of_a_stored_text(demo_con):
    raw = {v for v in raw_values() if len(v) >= 8 and not v.replace(".", "").isdigit()}
    stored = [s for s in stored_values(demo_con) if len(s) >= 8]
    blob = "\n".join(stored)
    leaked = [v for v in raw if v in blob]
    assert not leaked, leaked[:5]


def test_addresses_and_identifiers_are_keys(demo_con):
    for table, column in [("hennepkwekerijen", "adres_sleutel"), ("eigendommen", "eigenaar_id"),
                          ("verdachte_transacties", "subject_id")]:
        values = [v for (v,) in demo_con.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()]
        assert values and all(len(v) == 64 and int(v, 16) >= 0 for v in values), table
