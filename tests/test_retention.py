"""Retention of detail: old rows purged at load, published figures reproducible from the
frozen yearly aggregates; off by default."""
from __future__ import annotations

from datetime import date

import pytest

from dijkwacht import config
from etl import retention

TODAY = date(2026, 11, 1)


@pytest.fixture
def db(memdb):
    memdb.execute("INSERT INTO buurten (buurtcode, naam, wijkcode, water, in_2020, in_2024) VALUES "
                  "('BU05050101', 'a', 'WK050501', false, true, true),"
                  "('BU05050201', 'b', 'WK050502', false, true, true)")
    rows = []
    for year in (2018, 2019, 2024, 2025):
        for i in range(6):
            buurt = ["BU05050101", "BU05050201", None][i % 3]
            rows.append((f"R{year}{i}", date(year, 1 + i, 10), buurt, 100 + i))
    memdb.executemany("INSERT INTO hennepkwekerijen (registratienummer, datum_ontmanteling, buurtcode, "
                      "aantal_planten, bestand_sha256) VALUES (?, ?, ?, ?, 'x')", rows)
    memdb.executemany("INSERT INTO verdachte_transacties (transactienummer, datum, bedrag, buurtcode, "
                      "bestand_sha256) VALUES (?, ?, ?, ?, 'x')",
                      [(f"T{i}", date(2017 + i, 3, 1), 1000.0 + i, "BU05050101") for i in range(9)])
    return memdb


def published(con, table="hennepkwekerijen", column="datum_ontmanteling"):
    """A published figure: count per year and wijk, as the factsheet computes it."""
    return dict(((y, w), n) for y, w, n in con.execute(
        f"SELECT CAST(year({column}) AS INTEGER), coalesce(b.wijkcode, 'onbekend'), count(*) "
        f"FROM {table} t LEFT JOIN buurten b USING (buurtcode) GROUP BY ALL").fetchall())


def test_off_by_default_and_at_zero(db):
    assert config.gemeente().retentie_detail_dagen == 0
    before = db.execute("SELECT count(*) FROM hennepkwekerijen").fetchall()
    assert retention.apply(db) == {}
    assert retention.apply(db, days=0, today=TODAY) == {}
    assert db.execute("SELECT count(*) FROM hennepkwekerijen").fetchall() == before


def test_old_detail_is_purged_and_published_figures_stay_reproducible(db):
    figures = published(db)
    purged = retention.apply(db, days=5 * 365, today=TODAY)       # cut-off 2021-11-02
    assert purged["hennepkwekerijen"] == 12 and purged["verdachte_transacties"] == 5
    left = db.execute("SELECT min(datum_ontmanteling) FROM hennepkwekerijen").fetchall()[0][0]
    assert left >= retention.cutoff(5 * 365, TODAY)
    kept = dict(((y, w), n) for y, w, n in db.execute(
        "SELECT jaar, wijkcode, aantal FROM jaaraggregaten WHERE bron = 'hennepkwekerijen'").fetchall())
    for (year, wijk), n in figures.items():
        if year < 2021:
            assert kept[(year, wijk)] == n                     # from the frozen aggregates
        else:
            assert published(db)[(year, wijk)] == n            # still from detail
    plants = db.execute("SELECT sum(bedrag) FROM jaaraggregaten WHERE bron = 'hennepkwekerijen' "
                        "AND jaar = 2018").fetchall()[0][0]
    assert plants == sum(100 + i for i in range(6))


def test_a_frozen_year_is_not_recomputed_from_incomplete_detail(db):
    retention.apply(db, days=5 * 365, today=TODAY)
    first = db.execute("SELECT * FROM jaaraggregaten ORDER BY ALL").fetchall()
    # a later load with a longer cut-off: 2018/2019 stay as frozen, nothing doubles
    retention.apply(db, days=365, today=TODAY)
    again = db.execute("SELECT * FROM jaaraggregaten WHERE jaar < 2021 ORDER BY ALL").fetchall()
    assert again == [r for r in first if r[1] < 2021]
    assert db.execute("SELECT count(*) FROM jaaraggregaten WHERE bron = 'hennepkwekerijen' "
                      "AND jaar = 2024").fetchall()[0][0] == 3   # 2024 frozen now, per wijk
    assert retention.apply(db, days=365, today=TODAY)["hennepkwekerijen"] == 0
