"""The rules of DESIGN §2 — and only those — reject a row; one quarantine row per broken
rule with the line as in the file, the column, the Dutch rule and the raw value (identifying
values hidden). The rules are declared in a dataframely Schema generated per source."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import dataframely as dy
import duckdb
import polars as pl
import pytest
from etl_support import quarantine, table

from dijkwacht import clock, config
from dijkwacht.sources import SOURCES
from etl.clean import HIDDEN, RAW, schema_for
from etl.load import run
from etl.reference import valid_buurtcodes

# A key that passes the key-strength rule (config.key_problem); never a real one.
KEY = b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd"


def load(tmp_path: Path, name: str, lines: list[str]):
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "db" / "dijkwacht.duckdb"
    (report,) = run([path], db, key=KEY, progress=lambda _: None)
    return report, db


def test_required_field_empty(tmp_path):
    report, db = load(tmp_path, "activiteiten.csv", ["datum;titel;pijler", "01-02-2024;  ;1", "01-02-2024;B;1"])
    assert (report.rows_in, report.loaded, report.quarantined) == (2, 1, 1)
    assert quarantine(db) == [(2, "titel", "verplicht veld is leeg", "  ")]   # the cell as written


def test_one_quarantine_row_per_broken_rule(tmp_path):
    report, db = load(tmp_path, "hennepkwekerijen.csv", [
        "registratienummer;datum_ontmanteling;locatietype;aantal_planten;stroomdiefstal;buurtcode",
        "HK1;31-02-2024;kelder;-5;misschien;BU99999999",
        "HK2;01-02-2024;woning;5;ja;"])
    assert (report.rows_in, report.loaded, report.quarantined) == (2, 1, 1)
    got = quarantine(db)
    assert [(r[0], r[1]) for r in got] == [(2, "aantal_planten"), (2, "buurtcode"), (2, "datum_ontmanteling"),
                                           (2, "locatietype"), (2, "stroomdiefstal")]
    rules = {r[1]: (r[2], r[3]) for r in got}
    assert rules["aantal_planten"] == ("kleiner dan 0", "-5")
    assert rules["locatietype"][1] == "kelder" and "niet toegestaan" in rules["locatietype"][0]
    assert rules["buurtcode"][0].startswith("buurtcode hoort niet bij deze gemeente")


@pytest.mark.parametrize("name,header,row,column,rule", [
    ("verdachte_transacties.csv", "transactienummer;datum;bedrag", "T1;01-02-2024;0", "bedrag", "moet groter zijn dan 0"),
    ("verdachte_transacties.csv", "transactienummer;datum;bedrag", "T1;01-02-2024;-3,50", "bedrag", "moet groter zijn dan 0"),
    ("verdachte_transacties.csv", "transactienummer;datum;bedrag", "T1;01-02-2024;veel", "bedrag", "geen getal"),
    ("verdachte_transacties.csv", "transactienummer;datum;bedrag", "T1;01-02-2024;", "bedrag", "verplicht veld is leeg"),
    ("activiteiten.csv", "datum;titel;pijler", "01-02-2024;A;4", "pijler", "groter dan 3"),
    ("activiteiten.csv", "datum;titel;pijler", "01-02-2024;A;0", "pijler", "kleiner dan 1"),
    ("activiteiten.csv", "datum;titel;pijler;deelnemers", "01-02-2024;A;1;-1", "deelnemers", "kleiner dan 0"),
    ("controles.csv", "controlenummer;datum;soort", "C1;01-02-2024;rondje", "soort", "waarde niet toegestaan"),
    ("controles.csv", "controlenummer;datum;soort;bedrag_dwangsom", "C1;01-02-2024;bibob-toets;dertig", "bedrag_dwangsom", "geen getal"),
    ("signalen.csv", "signaalnummer;ontvangen_op;barrierefase", "S1;01-02-2024;kweken en zo", "barrierefase", "waarde niet toegestaan"),
    ("eigendommen.csv", "adres;postcode;eigenaar_id;eigenaar_type", "Voorstraat 1;3311XC;E1;stichting", "eigenaar_type", "waarde niet toegestaan"),
])
def test_rules(tmp_path, name, header, row, column, rule):
    report, db = load(tmp_path, name, [header, row])
    assert (report.status, report.loaded, report.quarantined) == ("loaded", 0, 1)
    ((line, col, text, _),) = quarantine(db)
    assert (line, col) == (2, column) and text.startswith(rule), text


def test_the_same_values_pass(tmp_path):
    report, db = load(tmp_path, "activiteiten.csv", ["datum;titel;pijler;deelnemers", "01-02-2024;A;3;0",
                                                     "01-02-2024;B;1;"])
    assert (report.loaded, report.quarantined) == (2, 0)


def test_duplicate_key_trimmed_and_upper_cased(tmp_path):
    report, db = load(tmp_path, "hennepkwekerijen.csv", [
        "registratienummer;datum_ontmanteling;aantal_planten",
        "HK-1;01-02-2024;10", " hk-1 ;02-02-2024;20", "HK-2;01-02-2024;30", "Hk-1;03-02-2024;40"])
    assert (report.rows_in, report.loaded, report.quarantined) == (4, 2, 2)
    assert quarantine(db) == [
        (3, "registratienummer", "dubbele sleutel in dit bestand (eerder op regel 2)", "hk-1"),
        (5, "registratienummer", "dubbele sleutel in dit bestand (eerder op regel 2)", "Hk-1")]
    assert table(db, "SELECT registratienummer, aantal_planten FROM hennepkwekerijen ORDER BY 1") == [
        ("HK-1", 10), ("HK-2", 30)]


def test_duplicate_rejected_even_when_the_first_was_invalid(tmp_path):
    report, db = load(tmp_path, "hennepkwekerijen.csv", [
        "registratienummer;datum_ontmanteling", "HK-1;31-02-2024", "HK-1;01-02-2024"])
    assert (report.loaded, report.quarantined) == (0, 2)
    assert [(r[0], r[1]) for r in quarantine(db)] == [(2, "datum_ontmanteling"), (3, "registratienummer")]


def test_composite_key_of_activiteiten(tmp_path):
    report, db = load(tmp_path, "activiteiten.csv", [
        "datum;titel;pijler", "01-02-2024;Training;1", "2024-02-01;TRAINING ;2", "02-02-2024;Training;1"])
    assert (report.loaded, report.quarantined) == (2, 1)
    assert quarantine(db)[0][:2] == (3, "datum+titel")


def test_eigendommen_key_is_address_plus_owner_and_hidden(tmp_path):
    report, db = load(tmp_path, "eigendommen.csv", [
        "adres;postcode;eigenaar_id", "Voorstraat 1;3311XC;E1", "voorstraat 1;3311 xc; e1 ",
        "Voorstraat 1;3311XC;E2", "Voorstraat;3311XC;E3"])
    assert (report.rows_in, report.loaded, report.quarantined) == (4, 2, 2)
    got = quarantine(db)
    assert [(r[0], r[1], r[3]) for r in got] == [(3, "adres+eigenaar_id", HIDDEN), (5, "adres", HIDDEN)]


def test_identifying_values_are_never_in_the_quarantine(tmp_path):
    report, db = load(tmp_path, "verdachte_transacties.csv", [
        "transactienummer;datum;bedrag;subject_id;adres;postcode",
        "T1;31-02-2024;5;GEHEIM-ID-1;Geheimstraat 99;3311XC",
        "T1;01-02-2024;5;GEHEIM-ID-2;Geheimstraat 98;3311XC"])
    dump = repr(quarantine(db))
    assert "GEHEIM" not in dump and "Geheimstraat" not in dump
    assert report.quarantined == 2


def test_buurtcode_upper_cased_2024_codes_valid(tmp_path):
    codes = sorted(valid_buurtcodes())
    assert "BU05050708" in codes   # Amstelwijck, 2024-only
    report, db = load(tmp_path, "signalen.csv", [
        "signaalnummer;ontvangen_op;buurtcode", f"S1;01-02-2024;{codes[0].lower()}", "S2;01-02-2024;BU05050708",
        "S3;01-02-2024;BU03630000", "S4;01-02-2024;"])
    assert (report.loaded, report.quarantined) == (3, 1)
    assert table(db, "SELECT signaalnummer, buurtcode FROM signalen ORDER BY 1") == [
        ("S1", codes[0]), ("S2", "BU05050708"), ("S4", None)]


def test_only_the_contract_rules_reject(tmp_path):
    """Odd but allowed: bad postcode, unknown column, a very old date, 3 decimals, an address
    without a house number, a formula: all load, with warnings."""
    report, db = load(tmp_path, "verdachte_transacties.csv", [
        "transactienummer;datum;bedrag;postcode;adres;branche;kleur",
        "T1;01-02-1985;12.345;33;Voorstraat;=1+1;rood"])
    assert (report.loaded, report.quarantined) == (1, 0)
    assert report.unknown_columns == ["kleur"]
    text = " | ".join(report.warnings)
    for word in ("postcode", "onwaarschijnlijke datum", "decimalen", "huisnummer", "formule"):
        assert word in text, (word, text)


def test_signal_free_text_and_reporter_identity_are_never_loaded(tmp_path):
    report, db = load(tmp_path, "signalen.csv", [
        "signaalnummer;ontvangen_op;omschrijving;melder_naam", "S1;01-02-2024;Geheim verhaal;Jan Geheim"])
    con = duckdb.connect(str(db), read_only=True)
    cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name='signalen'").fetchall()]
    con.close()
    assert "omschrijving" not in cols and report.loaded == 1
    assert any("omschrijving" in w for w in report.warnings)


def test_vocabulary_stored_canonical(tmp_path):
    report, db = load(tmp_path, "signalen.csv", [
        "signaalnummer;ontvangen_op;kanaal;thema;status;doorgezet_naar",
        "S1;01-02-2024;Meld Misdaad Anoniem;OMG;In Behandeling;RIEC"])
    assert table(db, "SELECT kanaal, thema, status, doorgezet_naar FROM signalen") == [
        ("meld misdaad anoniem", "omg", "in behandeling", "riec")]


# ---------------------------------------------------------- the declarative schema

def test_each_source_has_a_generated_dataframely_schema():
    codes = valid_buurtcodes()
    for source in SOURCES.values():
        schema, texts = schema_for(source, codes)
        assert issubclass(schema, dy.Schema)
        rules = schema._validation_rules(with_cast=False)
        for rule in rules:
            if rule.endswith("|nullability") and not rule.startswith(RAW):
                continue   # _regel
            assert rule in texts and texts[rule][1], (source.name, rule)
        for col in source.columns:
            assert (f"{RAW}{col.name}|nullability" in rules) == col.required


def test_the_schema_itself_validates():
    """Not a wrapper: dataframely's filter is what rejects a row."""
    schema, _ = schema_for(SOURCES["activiteiten"], valid_buurtcodes())
    frame = pl.DataFrame({c: [None, None] for c in schema.column_names()},
                         schema={name: col.dtype for name, col in schema.columns().items()})
    frame = frame.with_columns(pl.Series("_regel", [2, 3]), pl.Series(RAW + "datum", ["x", "y"]),
                               pl.Series(RAW + "titel", ["A", None]), pl.Series(RAW + "pijler", ["9", "1"]),
                               pl.Series("pijler", [9, 1]))
    valid, failure = schema.filter(frame)
    assert valid.height == 0
    assert failure.counts() == {"datum_geparst": 2, "pijler|max": 1, f"{RAW}titel|nullability": 1}


# ------------------------------------------------- future dates (load date + margin)

LOAD_MOMENT = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)   # load date 02-12-2026
FUTURE_RULE = "datum ligt na de laaddatum (meer dan 7 dagen vooruit)"


@pytest.fixture
def load_day():
    """The project's clock frozen on the load date."""
    clock.set_time(LOAD_MOMENT)
    yield LOAD_MOMENT.date()
    clock.reset()


def test_the_margin_is_configuration():
    assert config.toekomst_marge_dagen() == 7      # data/gemeente.toml [laden]


@pytest.mark.parametrize("name,header,beyond,within", [
    ("hennepkwekerijen.csv", "registratienummer;datum_ontmanteling", "H1;10-12-2026", "H2;09-12-2026"),
    ("verdachte_transacties.csv", "transactienummer;datum;bedrag", "T1;2026-12-10;5", "T2;2026-12-09;5"),
    ("signalen.csv", "signaalnummer;ontvangen_op", "S1;10-12-2026 00:05", "S2;09-12-2026 23:59"),
    ("controles.csv", "controlenummer;datum;soort", "C1;10-12-2026;horecacontrole", "C2;09-12-2026;horecacontrole"),
    ("eigendommen.csv", "adres;postcode;eigenaar_id;peildatum", "Voorstraat 1;3311XC;E1;10-12-2026",
     "Voorstraat 2;3311XC;E1;09-12-2026"),
])
def test_a_row_dated_one_day_past_the_margin_is_quarantined(tmp_path, load_day, name, header, beyond, within):
    """Load date 02-12-2026, margin 7 days: 09-12-2026 loads, 10-12-2026 is quarantined."""
    report, db = load(tmp_path, name, [header, within, beyond])
    assert (report.rows_in, report.loaded, report.quarantined) == (2, 1, 1)
    column = SOURCES[name.removesuffix(".csv")].date_column
    assert quarantine(db) == [(3, column, FUTURE_RULE, beyond.split(";")[-1 if name == "eigendommen.csv" else 1])]
    assert not any("onwaarschijnlijke datum" in w for w in report.warnings)   # a rule, not a warning too


def test_a_planned_activity_beyond_the_margin_is_quarantined_and_says_why(tmp_path, load_day):
    report, db = load(tmp_path, "activiteiten.csv", [
        "datum;titel;pijler;soort", "15-01-2027;Training Bibob;2;training", "09-12-2026;Leerkring;2;bijeenkomst"])
    assert (report.loaded, report.quarantined) == (1, 1)
    assert quarantine(db) == [(2, "datum", FUTURE_RULE + "; geplande activiteiten worden pas geladen als ze "
                                           "binnen 7 dagen plaatsvinden", "15-01-2027")]
    assert table(db, "SELECT titel FROM activiteiten") == [("Leerkring",)]


def test_the_margin_comes_from_the_configuration(tmp_path, load_day, monkeypatch):
    monkeypatch.setattr(config, "toekomst_marge_dagen", lambda: 0)
    report, db = load(tmp_path, "hennepkwekerijen.csv", [
        "registratienummer;datum_ontmanteling", "H1;02-12-2026", "H2;03-12-2026"])
    assert (report.loaded, report.quarantined) == (1, 1)
    assert quarantine(db) == [(3, "datum_ontmanteling", "datum ligt na de laaddatum", "03-12-2026")]


def test_a_future_date_that_does_not_parse_breaks_one_rule(tmp_path, load_day):
    report, db = load(tmp_path, "hennepkwekerijen.csv", [
        "registratienummer;datum_ontmanteling", "H1;31-02-2027", "H2;01-01-2027"])
    assert [(r[0], r[2]) for r in quarantine(db)] == [
        (2, "geen geldige datum (verwacht dd-mm-jjjj, jjjj-mm-dd of een Excel-datum)"), (3, FUTURE_RULE)]
