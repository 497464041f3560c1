"""The `vestigingen` source (issue 19): the Handelsregister extract through the real ETL —
messy deliveries, the trade name never stored, re-delivery, the upgrade of an older database
— and the demo extract's picture (concentrations, churn, the planted co-location)."""
from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl
import pytest
from etl_support import quarantine, table

from dijkwacht import branches, clock, config
from dijkwacht.sources import SOURCES
from etl import keys
from etl.load import run
from etl.read import LINE
from etl.rehearsal import mark_problem

# A key that passes the key-strength rule (config.key_problem); never a real one.
KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"
LOAD_MOMENT = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)      # load date 02-12-2026
HEADER = ("Vestigingsnummer;KvK nummer;SBI code;Rechtsvorm;Datum inschrijving;Datum opheffing;"
          "Postcode;Huisnummer;Toevoeging;Buurtcode;Handelsnaam")
# Trade names as a sole proprietor registers them: their own name. None may be stored.
TRADE_NAMES = ("Autohandel Sjoerd Brouwersma", "Kapsalon Özlem Yildirim-Ünal", "Nagelstudio Ans de Wïtt",
               "Belhuis Gerrit Zeeuwenhoek", "Bouwbedrijf Hendrikje Vlasblom", "Schoonheidssalon Ëlla Kroos",
               "Kledingwinkel Fenna Tromp", "Loodgieter Kees Tuinstra", "Autobedrijf Ruud Olijslager")
MESSY = [
    HEADER,
    f"000012345678;12345678;45.11;BV;01-02-2020;;3311 xc;12;a;BU05050108;{TRADE_NAMES[0]}",       # 2 ok
    f"000012345679;12345678;96.02.2;Eenmanszaak;2021-03-04;;3311XC;14;;BU05050108;{TRADE_NAMES[1]}",  # 3 ok
    f"00001234567;87654321;9602;eenmanszaak;01-02-2020;;3311 XC;16;;BU05050108;{TRADE_NAMES[2]}",  # 4 11 digits
    f"000012345678;12345678;4742;vof;01-02-2020;;3311 XC;18;;BU05050108;{TRADE_NAMES[3]}",        # 5 duplicate of 2
    f"000012345680;23456789;;eenmanszaak;01-02-2020;;3311 XC;20;;BU05050108;{TRADE_NAMES[4]}",    # 6 no sbi_code
    f"000012345681;34567890;96022;eenmanszaak;15-12-2026;;3311 XC;22;;BU05050108;{TRADE_NAMES[5]}",  # 7 future
    f"000012345682;45678901;4771;bv;01-06-2022;31-05-2022;3311 XC;24;;BU05050108;{TRADE_NAMES[6]}",  # 8 closed before
    f"000012345683;56789012;4322.0;V.O.F.;01-06-2022;31-05-2023;3311 XC;26;;;{TRADE_NAMES[7]}",  # 9 ok, closed
    f"0000 1234 5684;67890123;45111;Besloten  Vennootschap;01-06-2022;;3312 AB;30;;BU05050108;{TRADE_NAMES[8]}",     # 10 ok, spaces
]


@pytest.fixture
def load_day():
    """The project's clock frozen on the load date (the future-date rule reads it)."""
    clock.set_time(LOAD_MOMENT)
    yield LOAD_MOMENT.date()
    clock.reset()


def write(path: Path, lines: list[str], encoding: str = "cp1252") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def load(paths: list[Path], db: Path):
    return run(paths, db, key=KEY, progress=lambda _: None)


def stored_texts(db: Path) -> list[str]:
    """Every text value in every table of the database (the trade name must be in none)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                              "WHERE data_type = 'VARCHAR' AND NOT internal").fetchall()
        out = []
        for name, column in columns:
            out += [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{name}"').fetchall()
                    if r[0] is not None]
        return out
    finally:
        con.close()


def files_beside(db: Path) -> list[Path]:
    """The database, its kept versions and state.sqlite (with any journal beside them)."""
    return [p for p in db.parent.rglob("*") if p.is_file()]


# ------------------------------------------------------------------ the messy extract

def test_a_messy_extract_every_row_loaded_or_quarantined_with_line_and_rule(tmp_path, load_day):
    path = write(tmp_path / "in" / "vestigingen_2026-11.csv", MESSY)
    db = tmp_path / "db" / "dijkwacht.duckdb"
    (report,) = load([path], db)
    assert (report.status, report.source, report.rows_in) == ("loaded", "vestigingen", 9)
    assert (report.loaded, report.quarantined) == (4, 5)
    assert quarantine(db) == [
        (4, "vestigingsnummer", "moet precies 12 cijfers zijn", "(verborgen)"),
        (5, "vestigingsnummer", "dubbele sleutel in dit bestand (eerder op regel 2)", "(verborgen)"),
        (6, "sbi_code", "verplicht veld is leeg", None),
        (7, "datum_inschrijving", "datum ligt na de laaddatum (meer dan 7 dagen vooruit)", "15-12-2026"),
        (8, "datum_opheffing", "datum ligt voor datum_inschrijving", "31-05-2022"),
    ]
    assert any("handelsnaam" in w.lower() and "nooit geladen" in w for w in report.warnings)
    rows = table(db, "SELECT sbi_code, rechtsvorm, datum_inschrijving, datum_opheffing, buurtcode, "
                     "length(vestigingsnummer), length(kvk_nummer), length(adres_sleutel) "
                     "FROM vestigingen ORDER BY datum_inschrijving, sbi_code")
    assert rows == [
        ("4511", "bv", date(2020, 2, 1), None, "BU05050108", 64, 64, 64),
        ("96022", "eenmanszaak", date(2021, 3, 4), None, "BU05050108", 64, 64, 64),
        ("4322", "vof", date(2022, 6, 1), date(2023, 5, 31), None, 64, 64, 64),
        ("45111", "bv", date(2022, 6, 1), None, "BU05050108", 64, 64, 64),
    ]
    # Both numbers are keyed pseudonyms; the one with spaces is the same number without them.
    hashed = {r[0] for r in table(db, "SELECT vestigingsnummer FROM vestigingen")}
    assert keys.hmac_hex(KEY, "000012345684") in hashed and keys.hmac_hex(KEY, "000012345678") in hashed
    assert not any(v.isdigit() for v in hashed)


def test_the_trade_name_is_never_stored_nor_shown(tmp_path, load_day):
    path = write(tmp_path / "in" / "vestigingen.csv", MESSY)
    db = tmp_path / "db" / "dijkwacht.duckdb"
    (report,) = load([path], db)
    assert report.loaded == 4 and report.quarantined == 5      # names on loaded and quarantined lines
    texts = stored_texts(db)
    assert texts, "the check must see the stored values"
    blobs = {p: p.read_bytes() for p in files_beside(db)}
    assert any(p.name == "state.sqlite" for p in blobs) and any(p.suffix == ".duckdb" for p in blobs)
    # The grep can see what is stored: the file's hash is in both files as plain bytes.
    assert all(report.sha256.encode() in blob for p, blob in blobs.items()
               if p.name in ("state.sqlite", "dijkwacht.duckdb"))
    for name in TRADE_NAMES:
        for part in (name, *name.split()[1:]):              # the whole name, and each of its words
            if len(part) < 4:
                continue
            assert not any(part.lower() in t.lower() for t in texts), part
            for encoded in {part.encode("utf-8"), part.encode("cp1252")}:
                assert not any(encoded in blob for blob in blobs.values()), (part, "in a stored file")
    log = sqlite3.connect(db.with_name("state.sqlite"))
    try:
        shown = [r[0] for r in log.execute("SELECT waarde FROM quarantaine WHERE waarde IS NOT NULL")]
        warnings = log.execute("SELECT waarschuwingen FROM laadbestanden").fetchone()[0]
    finally:
        log.close()
    assert not any(any(w in v for name in TRADE_NAMES for w in name.split()[1:]) for v in shown)
    assert "Handelsnaam" in warnings       # the column's name is reported, never its values


def test_a_redelivery_is_idempotent(tmp_path, load_day):
    path = write(tmp_path / "in" / "vestigingen_2026-11.csv", MESSY)
    db = tmp_path / "db" / "dijkwacht.duckdb"
    load([path], db)
    before = sorted(table(db, "SELECT * EXCLUDE (bestand_sha256) FROM vestigingen"))
    (again,) = load([path], db)                         # the same bytes: skipped
    assert again.status == "skipped"
    # The same extract exported again (comma-separated, UTF-8): every valid row replaces
    # itself, nothing is added, the same lines are quarantined.
    export = write(tmp_path / "in2" / "vestigingen_2026-11_opnieuw.csv", [r.replace(";", ",") for r in MESSY],
                   "utf-8")
    (report,) = load([export], db)
    assert (report.loaded, report.replaced, report.quarantined) == (4, 4, 5)
    assert sorted(table(db, "SELECT * EXCLUDE (bestand_sha256) FROM vestigingen")) == before
    # A later extract closes a vestiging: the row is replaced, not doubled.
    later = write(tmp_path / "in3" / "vestigingen_2026-12.csv",
                  [HEADER, "000012345678;12345678;4511;bv;01-02-2020;30-11-2026;3311 XC;12;A;BU05050108;x"])
    (closed,) = load([later], db)
    assert (closed.loaded, closed.replaced) == (1, 1)
    assert table(db, "SELECT count(*), count(datum_opheffing) FROM vestigingen") == [(4, 2)]


def test_kvk_header_spellings_are_recognised(tmp_path, load_day):
    """KVK exports write "KvK-nummer" and "SBI-code": the same columns as kvk_nummer, sbi_code."""
    header = HEADER.replace("KvK nummer", "KvK-nummer").replace("SBI code", "SBI-code")
    (report,) = load([write(tmp_path / "in" / "vestigingen_kvk.csv", [header, *MESSY[1:]])],
                     tmp_path / "db" / "dijkwacht.duckdb")
    plain = load([write(tmp_path / "in2" / "vestigingen_kvk.csv", MESSY)], tmp_path / "db2" / "dijkwacht.duckdb")[0]
    assert (report.loaded, report.quarantined) == (plain.loaded, plain.quarantined)
    assert table(tmp_path / "db" / "dijkwacht.duckdb", "SELECT count(kvk_nummer) FROM vestigingen") == \
        table(tmp_path / "db2" / "dijkwacht.duckdb", "SELECT count(kvk_nummer) FROM vestigingen")


def test_a_recent_registration_does_not_move_the_stand_per(tmp_path, load_day):
    """The extract is no event source (DESIGN §5): its dates never move the data's stand per."""
    events = write(tmp_path / "in" / "hennepkwekerijen.csv", ["registratienummer;datum_ontmanteling", "H1;20-11-2026"])
    extract = write(tmp_path / "in" / "vestigingen.csv",
                    [HEADER, "000012345678;12345678;4511;bv;06-12-2026;;3311 XC;12;;BU05050108;x"])
    db = tmp_path / "db" / "dijkwacht.duckdb"
    assert [r.loaded for r in load([events, extract], db)] == [1, 1]
    assert table(db, "SELECT stand_per FROM meta") == [(date(2026, 11, 20),)]
    assert table(db, "SELECT stand_per, rijen FROM bronstand WHERE bron = 'vestigingen'") == [(date(2026, 12, 6), 1)]


def test_the_address_and_kvk_keys_join_the_other_sources(tmp_path, load_day):
    """postcode + huisnummer + toevoeging give the address key a free address gives in the
    other sources; the KvK number shares the key space of subject_id and eigenaar_id."""
    vest = write(tmp_path / "in" / "vestigingen.csv", [HEADER, MESSY[1]])
    owner = write(tmp_path / "in" / "eigendommen.csv",
                  ["adres;postcode;eigenaar_id;eigenaar_type", "Voorstraat 12 A;3311 XC;12345678;rechtspersoon"])
    db = tmp_path / "db" / "dijkwacht.duckdb"
    load([owner, vest], db)
    assert table(db, "SELECT count(*) FROM vestigingen v JOIN eigendommen e USING (adres_sleutel) "
                     "WHERE v.kvk_nummer = e.eigenaar_id") == [(1,)]


def test_an_xlsx_extract_with_numbers_as_numbers_loads(tmp_path, load_day):
    """Spreadsheets deliver SBI codes and numbers as numbers (4511.0, 45.11 as a decimal)."""
    import xlsxwriter

    path = tmp_path / "in" / "vestigingen_kvk.xlsx"
    path.parent.mkdir()
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER.split(";"))
    sheet.write_row(1, 0, ["000012345678", 12345678, 4511, "bv", "01-02-2020", "", "3311 XC", 12, "", "BU05050108",
                           "Garage Piet Zwanenburg"])
    sheet.write_row(2, 0, ["000012345679", 12345679, 45.11, "bv", "01-02-2020", "", "3311 XC", 14, "", "BU05050108",
                           "Garage Jan Zwanenburg"])
    book.close()
    db = tmp_path / "db" / "dijkwacht.duckdb"
    (report,) = load([path], db)
    assert (report.loaded, report.quarantined) == (2, 0), quarantine(db)
    assert sorted(table(db, "SELECT sbi_code FROM vestigingen")) == [("4511",), ("4511",)]
    assert b"Zwanenburg" not in db.read_bytes()


def test_a_schema_3_database_gets_the_table_at_its_next_load(tmp_path, load_day):
    db = tmp_path / "db" / "dijkwacht.duckdb"
    first = write(tmp_path / "in" / "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;Training;1"], "utf-8")
    load([first], db)
    con = duckdb.connect(str(db))            # as Dijkwacht with schema version 3 left it
    con.execute("DROP TABLE vestigingen")
    con.execute("UPDATE meta SET schema_versie = 3")
    con.close()
    from etl.versions import SCHEMA_VERSION, schema_of
    assert schema_of(db) == 3 < SCHEMA_VERSION

    # A load with nothing new still brings it up to date (make run after an update) ...
    assert load([first], db)[0].status == "skipped"
    assert schema_of(db) == SCHEMA_VERSION
    assert table(db, "SELECT count(*) FROM vestigingen") == [(0,)]
    assert table(db, "SELECT rijen FROM bronstand WHERE bron = 'vestigingen'") == [(0,)]
    # ... and a first extract loads into it, the older rows kept.
    (report,) = load([write(tmp_path / "in" / "vestigingen.csv", [HEADER, MESSY[1]])], db)
    assert (report.status, report.loaded) == ("loaded", 1)
    assert table(db, "SELECT (SELECT count(*) FROM activiteiten), (SELECT count(*) FROM vestigingen)") == [(1, 1)]


def test_a_schema_3_database_with_a_vestigingen_file_upgrades_in_the_same_load(tmp_path, load_day):
    db = tmp_path / "db" / "dijkwacht.duckdb"
    load([write(tmp_path / "in" / "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;T;1"], "utf-8")], db)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE vestigingen")
    con.execute("UPDATE meta SET schema_versie = 3")
    con.close()
    (report,) = load([write(tmp_path / "in" / "vestigingen.csv", [HEADER, MESSY[1], MESSY[2]])], db)
    assert (report.status, report.loaded) == ("loaded", 2)
    from etl.versions import SCHEMA_VERSION
    assert table(db, "SELECT schema_versie FROM meta") == [(SCHEMA_VERSION,)]


def test_no_practice_file_for_vestigingen():
    """The rehearsal marks record numbers OEFEN-; a 12-digit number cannot carry it, so the
    demo refuses a vestigingen delivery whole and says why."""
    frame = pl.DataFrame({LINE: [2], "vestigingsnummer": ["OEFEN-000000000001"]})
    message = mark_problem(frame, SOURCES["vestigingen"], "vestigingen.csv", practice=True)
    assert message and "geen oefenbestand" in message and "12 cijfers" in message
    # A real database is not affected: the digits rule already refuses such a row.
    assert mark_problem(pl.DataFrame({LINE: [2], "vestigingsnummer": ["000000000001"]}),
                        SOURCES["vestigingen"], "vestigingen.csv", practice=False) is None


def test_the_registry_keeps_it_out_of_counts_and_koppelingen():
    from dijkwacht import linkage, measures
    from etl import retention

    s = SOURCES["vestigingen"]
    assert list(SOURCES)[-1] == "vestigingen" and len(SOURCES) == 7
    assert not (s.event or s.problem or s.linked or s.retained) and s.theme is None and s.extract
    assert "vestigingen" not in measures.EVENT_SOURCES + measures.ZAKEN + linkage.SOURCES
    assert "vestigingen" not in retention.RETAINED
    assert set(s.hashed_ids) == {"vestigingsnummer", "kvk_nummer"} and "handelsnaam" in s.dropped
    assert [c.name for c in s.columns if c.stored] == [
        "vestigingsnummer", "kvk_nummer", "sbi_code", "rechtsvorm", "datum_inschrijving", "datum_opheffing",
        "buurtcode"]


# ---------------------------------------------------------------------------- the demo

@pytest.fixture(scope="module")
def demo(demo_con) -> dict[str, pl.DataFrame]:
    """The demo (data/demo through the real ETL, conftest's demo_db) as frames, through the
    session's one connection (a second one with other settings is refused by DuckDB)."""
    def frame(sql: str) -> pl.DataFrame:
        return pl.from_arrow(demo_con.sql(sql).to_arrow_table())
    return {
        "vestigingen": frame("SELECT v.*, b.wijkcode FROM vestigingen v LEFT JOIN buurten b USING (buurtcode)"),
        "hennepkwekerijen": frame("SELECT adres_sleutel FROM hennepkwekerijen"),
        "controles": frame("SELECT adres_sleutel, soort, objecttype, uitkomst, bevindingen FROM controles"),
        "verdachte_transacties": frame("SELECT adres_sleutel, subject_type FROM verdachte_transacties"),
        "eigendommen": frame("SELECT adres_sleutel, eigenaar_id FROM eigendommen"),
        "signalen": frame("SELECT adres_sleutel FROM signalen"),
        "stand_per": frame("SELECT stand_per FROM meta"),
    }


GROUPS = branches.load_groups()


def _quotients(active: pl.DataFrame, area: pl.Expr) -> pl.DataFrame:
    frame = active.with_columns(area.alias("gebied"), branches.group_expr("sbi_code", GROUPS))
    counts = frame.group_by("gebied", "groep").agg(pl.len().alias("n"))
    totals = frame.group_by("gebied").agg(pl.len().alias("totaal"))
    return branches.location_quotient(counts, totals)


def _lq(frame: pl.DataFrame, gebied: str, groep: str) -> float:
    return frame.filter((pl.col("gebied") == gebied) & (pl.col("groep") == groep))["lq"].item()


def test_the_demo_extract_loads_whole(demo):
    v = demo["vestigingen"]
    assert v.height > 3000
    assert v["vestigingsnummer"].n_unique() == v.height
    assert v["adres_sleutel"].null_count() == 0 and v["buurtcode"].null_count() == 0
    assert v["sbi_code"].str.contains(r"^\d{2,5}$").all()


def test_car_trade_concentrates_at_the_mijlweg_estate(demo):
    active = demo["vestigingen"].filter(pl.col("datum_opheffing").is_null())
    per_buurt = _quotients(active, pl.coalesce(pl.col("buurtcode"), pl.lit("onbekend")))
    assert _lq(per_buurt, "BU05051904", "autohandel") > 2
    for estate in ("BU05051903", "BU05051910"):        # Louter Bloemen, Dordtse Kil I
        assert _lq(per_buurt, estate, "autohandel") > 2
    assert _lq(per_buurt, "BU05051904", "meubelhandel") > 2


def test_hair_beauty_and_nails_concentrate_in_krispijn(demo):
    active = demo["vestigingen"].filter(pl.col("datum_opheffing").is_null())
    krispijn = pl.when(pl.col("wijkcode").is_in(["WK050503", "WK050504"])).then(pl.lit("krispijn")) \
        .otherwise(pl.lit("rest"))
    lq = _quotients(active, krispijn)
    assert _lq(lq, "krispijn", "kappers_schoonheid") > 2
    assert _lq(lq, "krispijn", "belwinkels") > 2
    # Ordinary branches follow the inhabitants: no concentration of horeca or real estate.
    assert 0.5 < _lq(lq, "krispijn", "horeca") < 1.5
    assert _lq(lq, "rest", "kappers_schoonheid") < 1


def test_facilitating_branches_close_sooner(demo):
    stand_per = demo["stand_per"]["stand_per"].item()
    recent = demo["vestigingen"].filter(pl.col("datum_inschrijving") >= date(2012, 1, 1)).with_columns(
        branches.group_expr("sbi_code", GROUPS))
    quick = branches.turnover(recent, stand_per=stand_per).group_by(pl.col("groep").is_in(
        ["autohandel", "belwinkels", "kappers_schoonheid"]).alias("faciliterend")).agg(
        (pl.col("binnen_12_maanden").sum() / pl.col("beoordeeld").sum()).alias("aandeel"))
    share = dict(quick.iter_rows())
    assert 0.12 < share[True] < 0.4
    # the ordinary branches (in no group), judged the same way
    ordinary = recent.filter(pl.col("groep").is_null()).with_columns(pl.lit("gewoon").alias("groep"))
    judged = branches.turnover(ordinary, stand_per=stand_per)
    ordinary_share = judged["binnen_12_maanden"].sum() / judged["beoordeeld"].sum()
    assert 0.02 < ordinary_share < share[True] / 2


def test_the_co_location_finds_the_family_case(demo):
    events = branches.co_location_events(hennepkwekerijen=demo["hennepkwekerijen"], controles=demo["controles"],
                                         verdachte_transacties=demo["verdachte_transacties"])
    found = branches.co_location(demo["vestigingen"].select("adres_sleutel", "sbi_code"), events, GROUPS)
    owners = demo["eigendommen"].group_by("eigenaar_id").agg(pl.len().alias("n")).sort("n", descending=True)
    family = owners["eigenaar_id"][0]
    assert owners["n"][0] == 12
    addresses = demo["eigendommen"].filter(pl.col("eigenaar_id") == family).select("adres_sleutel")
    planted = found.join(addresses, on="adres_sleutel")
    assert sorted(planted["groep"].to_list()) == ["autohandel", "kappers_schoonheid"]
    assert (planted["hennepkwekerijen"] >= 1).all() and (planted["controles_met_bevindingen"] >= 1).all()
    # one company (eenmanszaak) with both vestigingen
    at_family = demo["vestigingen"].join(addresses, on="adres_sleutel")
    assert at_family["kvk_nummer"].n_unique() == 1 and set(at_family["rechtsvorm"]) == {"eenmanszaak"}


def test_no_vestiging_shares_an_address_by_chance(demo):
    """Every address key a vestiging shares with another source is a planted one: the family's
    properties, an FIU company's address or a horeca Bibob test (etl/demo.py)."""
    v = demo["vestigingen"].select("adres_sleutel")
    family = demo["eigendommen"].group_by("eigenaar_id").agg(pl.len().alias("n"), pl.col("adres_sleutel")) \
        .sort("n", descending=True)["adres_sleutel"][0].to_list()
    companies = demo["verdachte_transacties"].filter(pl.col("subject_type") == "rechtspersoon")["adres_sleutel"]
    bibob = demo["controles"].filter((pl.col("soort") == "bibob-toets") & (pl.col("objecttype") == "horeca"))
    planted = set(family) | set(companies.drop_nulls()) | set(bibob["adres_sleutel"].drop_nulls())
    others = pl.concat([demo[s].select("adres_sleutel") for s in
                        ("hennepkwekerijen", "controles", "verdachte_transacties", "eigendommen", "signalen")])
    shared = set(v.join(others.unique(), on="adres_sleutel")["adres_sleutel"].drop_nulls())
    assert shared, "the planted overlaps exist"
    assert shared <= planted, f"{len(shared - planted)} address(es) shared by chance"
    assert set(family) & shared


def test_the_demo_extract_is_in_the_shipped_demo():
    assert (config.DEMO_DIR / "vestigingen.csv").exists()
    header = (config.DEMO_DIR / "vestigingen.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[-1] == "handelsnaam"       # delivered, and dropped at load
