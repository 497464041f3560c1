"""Retention of detail: old rows purged at load, published figures reproducible from the
frozen yearly aggregates; off by default. Purged detail does not survive in the kept
versions, nor come back by a rollback (issue 23)."""
from __future__ import annotations

import dataclasses
import secrets
from datetime import date

import duckdb
import pytest

from dijkwacht import config
from etl import publish, retention
from etl.load import run

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


# --- Issue 23, suspicion: purges undone by the kept versions and by rollback -----------------

LOAD_KEY = secrets.token_urlsafe(48).encode()
TERM = 5 * 365


def _count_before(path, before) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        detail = con.execute("SELECT count(*) FROM hennepkwekerijen WHERE datum_ontmanteling < ?",
                             [before]).fetchall()[0][0]
        facts = con.execute("SELECT count(*) FROM feiten WHERE dag < ?", [before]).fetchall()[0][0]
        return detail + facts
    finally:
        con.close()


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A served database with old detail (2015) and two kept versions, retention off."""
    db = tmp_path / "dijkwacht.duckdb"
    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    real = config.gemeente()

    def term(days):
        monkeypatch.setattr(config, "gemeente", lambda: dataclasses.replace(real, retentie_detail_dagen=days))

    def load(name, rows):
        path = tmp_path / f"hennepkwekerijen_{name}.csv"
        path.write_text("registratienummer;datum_ontmanteling;aantal_planten\n"
                        + "".join(f"{n};{d};10\n" for n, d in rows), encoding="utf-8")
        reports = run([path], db, key=LOAD_KEY, progress=lambda _: None)
        assert reports[0].status == "loaded", reports[0].message

    term(0)
    load("a", [("H-1", "03-02-2015"), ("H-2", "04-03-2015"), ("H-3", "05-04-2025")])
    load("b", [("H-4", "06-05-2025")])
    load("c", [("H-5", "07-06-2025")])
    return db, term, load


def test_a_purge_is_not_kept_in_the_versions_nor_undone_by_rollback(served):
    db, term, load = served
    before = retention.cutoff(TERM, date.today())
    assert all(_count_before(v, before) for v in publish.list_versions(db))   # old detail kept
    term(TERM)
    load("d", [("H-6", "08-07-2025")])          # this load purges detail past the term
    assert _count_before(db, before) == 0
    versions = publish.list_versions(db)
    assert len(versions) == 3
    # the repro's second half: every kept version, and so every rollback, is purged too
    assert [_count_before(v, before) for v in versions] == [0, 0, 0]
    for _ in versions:
        publish.roll_back(db)
        assert _count_before(db, before) == 0
        con = duckdb.connect(str(db), read_only=True)
        try:                                     # the published yearly figure is still there
            frozen = con.execute("SELECT sum(aantal) FROM jaaraggregaten WHERE bron = 'hennepkwekerijen' "
                                 "AND jaar = 2015").fetchall()[0][0]
        finally:
            con.close()
        assert frozen == 2


def test_rollback_applies_the_term_itself(served):
    """A term set (or a day passed) after the last load: the rollback purges before restoring."""
    db, term, _ = served
    before = retention.cutoff(TERM, date.today())
    term(TERM)
    publish.roll_back(db)
    assert _count_before(db, before) == 0
    assert all(_count_before(v, before) == 0 for v in publish.list_versions(db))


def test_a_version_that_cannot_be_purged_is_not_kept(served, monkeypatch):
    db, term, _ = served
    term(TERM)
    monkeypatch.setattr(retention, "_purge_copy", lambda *a: (_ for _ in ()).throw(OSError("vol")))
    outcome = retention.purge_kept_versions(db)
    assert outcome and set(outcome.values()) == {-1}
    assert publish.list_versions(db) == []
    assert not list(publish.versions_dir(db).glob(".*bouw*"))


def test_versions_keep_their_date_and_untouched_ones_are_not_rewritten(served):
    db, term, _ = served
    versions = publish.list_versions(db)
    stamps = {v.name: (v.stat().st_mtime_ns, v.stat().st_ino) for v in versions}
    term(TERM)
    retention.purge_kept_versions(db)
    after = {v.name: (v.stat().st_mtime_ns, v.stat().st_ino) for v in publish.list_versions(db)}
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in stamps.items()}
    assert all(after[k][1] != stamps[k][1] for k in stamps)        # new files, not edited in place
    inodes = {v.stat().st_ino for v in publish.list_versions(db)}
    retention.purge_kept_versions(db)                               # nothing left to purge
    assert {v.stat().st_ino for v in publish.list_versions(db)} == inodes
