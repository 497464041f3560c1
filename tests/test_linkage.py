"""Koppelingen (issue 10): keys across sources, owner networks, score, attention list, access.

The example case and the address fixture go through the real ETL (the demo database and
three small CSVs loaded with etl.load.run); the rest are unit tests on small event frames.
"""
from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl
import pytest

from dijkwacht import access, config, linkage, queries

TABS = "koppelingen_tab"                  # pages/koppelingen.py's st.tabs key

EVENTS_SQL = "koppeling_gebeurtenissen"


def ev(bron: str, nummer: str | None, datum: date, adres: str | None = None, persoon: str | None = None,
       **extra) -> dict:
    row = {c: None for c in linkage.EVENT_SCHEMA}
    row.update(bron=bron, nummer=nummer, datum=datum, adres_sleutel=adres, persoon_sleutel=persoon, **extra)
    return row


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=linkage.EVENT_SCHEMA)


# --- the programme's example case on the demo data ----------------------------------------

@pytest.fixture(scope="module")
def demo_events(demo_db) -> pl.DataFrame:
    # Through the app's own (hardened) connection: DuckDB refuses a second connection to
    # the same file with another configuration in one process.
    return queries.served(demo_db).query(EVENTS_SQL)


def test_example_case_is_one_cluster_of_12_properties_with_5_grow_sites_in_150_days(demo_events):
    clusters = linkage.clusters(demo_events)
    family = clusters.filter(pl.col("kwekerijen") >= 5)
    assert family.height == 1, "the family's grow sites fall in exactly one cluster"
    row = family.row(0, named=True)
    assert row["cluster"] == 1                       # the largest cluster ranks first
    assert row["personen"] == 1
    assert row["adressen"] == 12 and row["eigendommen"] == 12
    assert row["kwekerijen"] == 5
    assert row["kwekerijen_venster"] == 5            # all five within 150 days
    assert row["venster_dagen"] <= linkage.GROW_WINDOW_DAYS
    assert row["interventies"] >= 4                  # dwangsom and 3 warnings (at least)
    sentence = linkage.cluster_sentence(row)
    assert "12 adressen" in sentence and "5 hennepkwekerijen" in sentence


def test_example_case_timeline_shows_the_owner_s_grow_sites_and_measures(demo_events):
    owner = linkage.clusters(demo_events).row(0, named=True)["sleutels"][0]
    line = linkage.timeline(demo_events, owner)
    grow = line.filter(pl.col("bron") == "hennepkwekerijen")
    assert grow.height == 5
    assert (grow["datum"].max() - grow["datum"].min()).days <= 150
    assert line.filter(pl.col("bron") == "eigendommen").height == 12
    via = line.filter(pl.col("via") == "eigen adres")
    assert via.filter(pl.col("soort") == "brp-adrescontrole").height >= 12   # BRP checks of all 12
    assert via.filter(pl.col("maatregel") == "last onder dwangsom").height >= 1


def test_example_case_network_layout(demo_events):
    keys = linkage.clusters(demo_events).row(0, named=True)["sleutels"]
    nodes, edges = linkage.cluster_layout(demo_events, keys)
    assert nodes.height == 13 and edges.height == 12
    assert nodes.filter(pl.col("kwekerijen") > 0).filter(pl.col("soort") == "adres").height == 5
    assert set(nodes["label"].str.len_chars()) == {linkage.SHORT}


def test_linked_keys_on_demo_are_ranked_and_show_no_full_key(demo_events):
    keys = linkage.linked_keys(demo_events, date(2026, 10, 30))
    assert keys.height > 0
    assert keys["score"].to_list() == sorted(keys["score"].to_list(), reverse=True)
    assert ((keys["aantal_bronnen"] >= 2) | (keys["registraties"] >= 2)).all()
    shown = linkage.shown_keys(keys)
    assert set(shown["Sleutel"].str.len_chars()) == {linkage.SHORT}


# --- one address, three spellings, three sources (through the real ETL) -------------------

HENNEP = ("registratienummer;datum_ontmanteling;adres;postcode;locatietype\n"
          "HK-1;01-03-2024;Lijnbaan 12;3311XC;woning\n"
          "HK-2;02-03-2024;Lijnbaan 12A;3311XC;woning\n")
SIGNALEN = ("signaalnummer;ontvangen_op;adres;postcode;thema\n"
            "SIG-1;05-03-2024;lijnbaan  12;3311 xc;hennep\n"
            "SIG-2;06-03-2024;Lijnbaan 121;3311 XC;hennep\n")
CONTROLES = ("controlenummer;datum;soort;adres;postcode;maatregel\n"
             "CTR-1;10-03-2024;woningcontrole;LIJNBAAN 12 ;3311xc;sluiting\n")


@pytest.fixture
def lijnbaan(tmp_path, monkeypatch) -> pl.DataFrame:
    from etl.load import run

    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    paths = []
    for name, text in (("hennepkwekerijen.csv", HENNEP), ("signalen.csv", SIGNALEN),
                       ("controles.csv", CONTROLES)):
        path = inbox / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    db = tmp_path / "dijkwacht.duckdb"
    reports = run(paths, db, key=b"EaNmT8QfVG1b2uAmV1QS84Jw4ocG3jgBRzFRoteAtryzyFs3Kpe1qLAopjedv0Dd", progress=lambda _: None)
    assert [r.status for r in reports] == ["loaded"] * 3, [r.message for r in reports]
    assert all(r.quarantined == 0 for r in reports)
    return queries.served(db).query(EVENTS_SQL)


def test_three_spellings_link_to_one_key_and_12a_121_stay_apart(lijnbaan):
    key_of = dict(zip(lijnbaan["nummer"], lijnbaan["adres_sleutel"]))
    assert None not in key_of.values()
    assert key_of["HK-1"] == key_of["SIG-1"] == key_of["CTR-1"]
    assert len({key_of["HK-1"], key_of["HK-2"], key_of["SIG-2"]}) == 3

    keys = linkage.linked_keys(lijnbaan, date(2024, 3, 31))
    assert keys["sleutel"].to_list() == [key_of["HK-1"]]        # 12A and 121 are not linked
    row = keys.row(0, named=True)
    assert row["bronnen"] == ["controles", "hennepkwekerijen", "signalen"]
    assert row["aantal_bronnen"] == 3


def test_no_address_is_stored(lijnbaan):
    text = lijnbaan.drop("partners").write_csv().lower()
    assert "lijnbaan" not in text and "3311" not in text


# --- the score ----------------------------------------------------------------------------

def test_score_ranks_three_sources_above_one_source():
    now = date(2026, 10, 1)
    old = now - timedelta(days=2000)
    events = frame(
        # A: in three sources, once each, long ago
        ev("hennepkwekerijen", "H1", old, adres="A"),
        ev("signalen", "S1", old, adres="A"),
        ev("controles", "C1", old, adres="A"),
        # B: one source, many recent records
        *[ev("signalen", f"S{i}", now - timedelta(days=i), adres="B") for i in range(2, 12)],
    )
    keys = linkage.linked_keys(events, now)
    assert keys["sleutel"].to_list() == ["A", "B"]
    a, b = keys.row(0, named=True), keys.row(1, named=True)
    assert a["score"] == 10 * 3 + 3 + 0
    assert b["score"] == 10 * 1 + 5 + 4


def test_single_record_in_one_source_is_not_linked():
    events = frame(ev("signalen", "S1", date(2026, 1, 1), adres="X"))
    assert linkage.linked_keys(events, date(2026, 2, 1)).is_empty()


def test_person_and_address_keys_share_a_record():
    events = frame(ev("verdachte_transacties", "T1", date(2025, 1, 1), adres="A", persoon="P"),
                   ev("eigendommen", None, date(2026, 1, 1), adres="A", persoon="P"))
    keys = linkage.linked_keys(events, date(2026, 1, 1))
    assert set(keys["sleutel_soort"]) == {"adres", "persoon"}


def test_max_within_window():
    d = date(2014, 1, 1)
    assert linkage.max_within([d, d + timedelta(days=100), d + timedelta(days=150), d + timedelta(days=151)]) == (3, 51)
    assert linkage.max_within([d, d + timedelta(days=150)]) == (2, 150)
    assert linkage.max_within([d, d + timedelta(days=151)]) == (1, 0)
    assert linkage.max_within([]) == (0, None)


# --- the attention list -----------------------------------------------------------------

def test_attention_list_new_event_at_known_key_only():
    since = date(2026, 9, 1)
    events = frame(
        ev("hennepkwekerijen", "H1", date(2019, 5, 1), adres="KNOWN"),
        ev("signalen", "S-NEW-KNOWN", date(2026, 9, 15), adres="KNOWN"),
        ev("signalen", "S-NEW-FRESH", date(2026, 9, 16), adres="FRESH"),
        ev("signalen", "S-OLD", date(2026, 8, 1), adres="KNOWN"),
    )
    out = linkage.attention_list(events, since)
    assert out["nummer"].to_list() == ["S-NEW-KNOWN"]
    assert out["reden"][0] == "sleutel eerder bekend"
    assert "hennepkwekerij" in out["eerder"][0]
    assert linkage.attention_count(events, since) == 1


def test_attention_list_address_of_a_known_owner():
    since = date(2026, 9, 1)
    events = frame(
        ev("hennepkwekerijen", "H1", date(2014, 3, 1), adres="A1", persoon="FAM"),
        ev("eigendommen", None, date(2026, 10, 1), adres="A2", persoon="FAM"),
        ev("signalen", "S1", date(2026, 9, 20), adres="A2"),
    )
    out = linkage.attention_list(events, since)
    assert out["nummer"].to_list() == ["S1"]
    assert out["reden"][0] == "eigenaar eerder bekend"


def test_routine_inspection_without_finding_does_not_make_a_key_known():
    events = frame(
        ev("controles", "C1", date(2020, 1, 1), adres="A", uitkomst="geen overtreding", maatregel="geen"),
        ev("signalen", "S1", date(2026, 9, 20), adres="A"),
    )
    assert linkage.attention_count(events, date(2026, 9, 1)) == 0


def test_visit_register_round_trip(tmp_path):
    from dijkwacht import state
    con = state.connect(tmp_path / "state.sqlite")
    try:
        assert linkage.last_visit(con, "ana") is None
        linkage.record_visit(con, "ana", date(2026, 9, 30), "2026-10-01T08:00:00+00:00")
        linkage.record_visit(con, "ana", date(2026, 10, 30), "2026-11-01T08:00:00+00:00")
        assert linkage.last_visit(con, "ana") == date(2026, 10, 30)
    finally:
        con.close()


# --- problem vs intervention, signal → outcome, barrier model -----------------------------

def test_problem_vs_intervention_per_buurt():
    events = frame(
        ev("hennepkwekerijen", "H1", date(2025, 2, 1), adres="A", buurtcode="BU1", maatregel="sluiting"),
        ev("signalen", "S1", date(2025, 3, 1), adres="B", buurtcode="BU1"),
        ev("controles", "C1", date(2025, 4, 1), adres="C", buurtcode="BU2", uitkomst="bibob: geweigerd"),
        ev("signalen", "S2", date(2025, 5, 1), adres="D", buurtcode=None),
    )
    out = linkage.problem_vs_intervention(events, date(2025, 1, 1), date(2026, 1, 1))
    bu1 = out.filter(pl.col("buurtcode") == "BU1").row(0, named=True)
    assert (bu1["problemen"], bu1["interventies"], bu1["onbeantwoord"]) == (2, 1, 1)
    bu2 = out.filter(pl.col("buurtcode") == "BU2").row(0, named=True)
    assert bu2["Bibob geweigerd/ingetrokken"] == 1 and bu2["onbeantwoord"] == 0
    assert out.filter(pl.col("buurtcode").is_null())["buurtnaam"].to_list() == ["onbekend"]


def test_signal_followed_by_measure_at_the_same_address():
    events = frame(
        ev("signalen", "S1", date(2025, 1, 10), adres="A", doorgezet_naar="politie", fase="kweken"),
        ev("controles", "C1", date(2025, 3, 1), adres="A", uitkomst="overtreding", maatregel="sluiting",
           partners=["gemeente", "politie"]),
        ev("signalen", "S2", date(2025, 1, 10), adres="B", fase="kweken"),
        ev("controles", "C2", date(2024, 12, 1), adres="B", maatregel="sluiting"),   # before: not a follow-up
        ev("signalen", "S3", date(2025, 1, 10), adres=None),
    )
    funnel = linkage.signal_funnel(events)
    assert funnel["aantal"].to_list() == [3, 2, 1, 1]
    per = linkage.outcome_by_referral(events)
    assert per.filter(pl.col("doorgezet_naar") == "politie")["aandeel_maatregel"].to_list() == [100.0]
    barrier = linkage.barrier_model(events)
    assert barrier["fase"].to_list() == list(linkage.BARRIER_STAGES)
    kweken = barrier.filter(pl.col("fase") == "kweken").row(0, named=True)
    assert (kweken["signalen"], kweken["doorgezet"], kweken["met_maatregel"]) == (2, 1, 1)
    assert kweken["maatregelen"] == "sluiting (1)"
    assert kweken["partners"] == "gemeente, politie"


def test_barrier_stages_match_the_import_contract():
    from dijkwacht.sources import BARRIEREFASEN
    assert linkage.BARRIER_STAGES == BARRIEREFASEN


def test_purpose_is_a_listed_purpose_or_a_case_number():
    assert linkage.valid_purpose("RIEC-casus")
    assert linkage.valid_purpose("RIEC-2026-014")
    assert not linkage.valid_purpose("")
    assert not linkage.valid_purpose(None)
    assert not linkage.valid_purpose("x")


# --- access --------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda d: d.linked_keys("bestuur"),
    lambda d: d.linked_key_count("bestuur"),
    lambda d: d.key_timeline("bestuur", "abc"),
    lambda d: d.owner_clusters("bestuur"),
    lambda d: d.cluster_network("bestuur", ("abc",)),
    lambda d: d.attention_list("bestuur", date(2026, 1, 1)),
    lambda d: d.attention_count("bestuur", date(2026, 1, 1)),
    lambda d: d.problem_intervention("bestuur"),
    lambda d: d.barrier_model("bestuur"),
    lambda d: d.signal_outcomes("bestuur"),
    lambda d: d.log_detail_view("bestuur", "abc", "RIEC-casus"),
    lambda d: d.linked_keys(None),
    lambda d: d.linked_keys("onbekend"),
])
def test_bestuur_and_unknown_roles_get_no_key_level_data(served_demo, call):
    from dijkwacht.app import data
    with pytest.raises(access.AccessDenied):
        call(data)


def test_analist_gets_key_level_data(served_demo):
    from dijkwacht.app import data
    clusters = data.owner_clusters("analist")
    assert clusters.row(0, named=True)["adressen"] == 12
    assert data.attention_count("analist", date(2026, 9, 30)) >= 0


def test_koppelingen_page_is_for_analysts_only():
    page = next(p for p in access.PAGES if p.key == "koppelingen")
    assert set(page.roles) == {"analist", "beheerder"}
    assert page.script == "pages/koppelingen.py"


# --- the page --------------------------------------------------------------------------------

@pytest.mark.skipif(not (config.ROOT / "tests" / "apptest_support.py").exists(), reason="no AppTest support")
def test_page_shows_the_example_case_and_asks_a_purpose(served_demo):
    from apptest_support import app_for, on_tab

    at = app_for("analist", "pages/koppelingen.py").run()
    assert not at.exception
    # Only the open tab runs (issue 17): the attention list, not the networks or the keys.
    assert [t.label for t in at.tabs][:2] == ["Aandachtslijst", "Sleutels"]
    assert any(m.label == "Nieuwe registraties bij bekende sleutels" for m in at.metric)
    assert not any(b.label == "Tijdlijn openen" for b in at.button)
    cluster_1 = "Cluster 1: 1 persoon of organisatie, 12 adressen (12 in eigendom), 5 hennepkwekerijen"
    assert cluster_1 not in " ".join(c.value for c in at.caption)
    on_tab(at, TABS, "Netwerken")
    assert cluster_1 in " ".join(c.value for c in at.caption)
    # First and last registration shown as Dutch days, not with a time of 00:00:00.
    clusters = next(d for d in at.dataframe if "Eerste" in d.value.columns).proto
    assert json.loads(clusters.columns)["Eerste"]["type_config"] == {"type": "date", "format": "DD-MM-YYYY"}
    assert clusters.placeholder == "–"             # a cluster without registrations: no "None"
    assert not any(m.label == "Nieuwe registraties bij bekende sleutels" for m in at.metric)
    on_tab(at, TABS, "Sleutels")
    assert next(b for b in at.button if b.label == "Tijdlijn openen").disabled   # no purpose yet
    assert not any(c.value.startswith("Tijdlijn van sleutel") for c in at.caption)
    next(s for s in at.selectbox if s.label == "Doel van het inzien").select("RIEC-casus")
    on_tab(at, TABS, "Sleutels")
    next(b for b in at.button if b.label == "Tijdlijn openen").click()
    on_tab(at, TABS, "Sleutels")
    assert not at.exception
    assert any(c.value.startswith("Tijdlijn van sleutel") for c in at.caption)
    text = " ".join(str(m.value) for m in at.markdown)
    assert "Score = 10" in text


@pytest.mark.skipif(not (config.ROOT / "tests" / "apptest_support.py").exists(), reason="no AppTest support")
def test_a_choice_in_a_tab_is_kept_while_another_tab_is_open(served_demo):
    """Only the open tab runs, so a closed tab's widgets are not drawn; their choices are
    kept while the user stays on the page (persist_state), and the purpose is asked anew."""
    from apptest_support import app_for, on_tab

    at = on_tab(app_for("analist", "pages/koppelingen.py"), TABS, "Netwerken")
    at.selectbox(key="koppelingen_cluster").select_index(1)
    on_tab(at, TABS, "Netwerken")
    assert at.selectbox(key="koppelingen_cluster").value == 2
    on_tab(at, TABS, "Sleutels")
    assert not any(s.label == "Cluster" for s in at.selectbox)            # not drawn
    on_tab(at, TABS, "Netwerken")
    assert at.selectbox(key="koppelingen_cluster").value == 2


def test_page_refuses_bestuur(served_demo):
    from apptest_support import app_for

    at = app_for("bestuur", "pages/koppelingen.py").run()
    assert not at.exception
    assert at.error and not at.dataframe


def test_first_and_last_are_shown_as_days(served_demo):
    """Keys and clusters show their first and last registration as dates, not 00:00:00."""
    from dijkwacht.app import data
    for shown in (linkage.shown_keys(data.linked_keys("analist")),
                  linkage.shown_clusters(data.owner_clusters("analist"))):
        assert shown.schema["Eerste"] == pl.Date and shown.schema["Laatste"] == pl.Date
        assert shown["Eerste"].drop_nulls().len() > 0
