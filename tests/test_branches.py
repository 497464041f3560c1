"""Faciliterende branches (issue 19, dijkwacht/branches.py): SBI codes, the branche groups
of data/branches.toml, and the location quotient, turnover and co-location on small frames
whose answers are worked out by hand in the comments."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dijkwacht import branches
from dijkwacht.branches import BrancheGroup, BranchesError, SbiCode

GROUPS = branches.load_groups()


# ---------------------------------------------------------------------------------------
# SBI codes
# ---------------------------------------------------------------------------------------
SBI_TABLE = [
    # the forms of the issue and the brief
    ("4511", "4511"),
    ("45.11", "4511"),
    ("45111", "45111"),
    (" 45.11.1 ", "45111"),
    ("4511.0", "4511"),          # spreadsheet number
    # more spreadsheet and dotted forms
    ("4511,0", "4511"),          # Dutch decimal comma
    ("45111.00", "45111"),
    ("45.0", "45"),              # group x.0 = its division
    ("45", "45"),
    ("45.1", "451"),
    ("45.10", "4510"),           # class 45.10 is not a spreadsheet artefact
    ("45.11.0", "45110"),
    ("45.111", "45111"),
    ("\u00a04511\u00a0", "4511"),  # non-breaking spaces from a spreadsheet
    ("\t96022\n", "96022"),
    ("111", "111"),              # a lost leading zero is not repaired
    # invalid
    ("", None),
    ("   ", None),
    ("4", None),
    ("451111", None),
    ("00.11", None),
    ("0011", None),
    ("G", None),
    ("45a1", None),
    ("45 11", None),
    ("45..11", None),
    ("45.11.", None),
    (".4511", None),
    ("-4511", None),
    ("4511.5", None),
    ("45.11.11", None),
    ("4.511", None),
    ("1e3", None),
]


@pytest.mark.parametrize(("value", "expected"), SBI_TABLE)
def test_normalise_sbi(value, expected):
    assert branches.normalise_sbi(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (4511, "4511"), (4511.0, "4511"), (45111.0, "45111"), (45.11, "4511"), (None, None), (True, None),
    (7, None), (1e20, None),
])
def test_normalise_sbi_non_text(value, expected):
    assert branches.normalise_sbi(value) == expected


def test_sbi_expr_on_spreadsheet_number_columns():
    floats = pl.DataFrame({"sbi_code": [4511.0, 45111.0, None]})
    assert floats.select(branches.sbi_expr("sbi_code"))["sbi_code"].to_list() == ["4511", "45111", None]
    ints = pl.DataFrame({"sbi_code": [4511, 45111, 7]})
    assert ints.select(branches.sbi_expr("sbi_code"))["sbi_code"].to_list() == ["4511", "45111", None]


def test_sbi_expr_agrees_with_normalise_sbi():
    values = [v for v, _ in SBI_TABLE] + [None]
    got = pl.DataFrame({"sbi_code": values}).select(branches.sbi_expr("sbi_code"))["sbi_code"].to_list()
    assert got == [expected for _, expected in SBI_TABLE] + [None]


# ---------------------------------------------------------------------------------------
# Groups: the shipped file
# ---------------------------------------------------------------------------------------
def test_shipped_groups():
    assert [g.sleutel for g in GROUPS] == [
        "autohandel", "meubelhandel", "autoverhuur", "geldtransfer", "goud_juwelen", "tweedehands", "opslag",
        "uitzendbureaus", "belwinkels", "kappers_schoonheid", "horeca", "vastgoed"]
    labels = {g.sleutel: g.label for g in GROUPS}
    assert labels["kappers_schoonheid"] == "Kappers, schoonheids- en nagelsalons"
    assert labels["horeca"] == "Shishalounges en overige horeca"
    for group in GROUPS:
        assert group.toelichting and group.codes
        for code in group.codes:
            assert code.code.isdigit() and 2 <= len(code.code) <= 5 and code.omschrijving
    herkomst = branches.load_provenance()
    assert herkomst["classificatie"] == "SBI 2008"
    assert herkomst["url"].startswith("https://www.cbs.nl/")
    assert herkomst["licentie"].startswith("CC BY 4.0")
    assert herkomst["geraadpleegd"] == date(2026, 12, 2)


@pytest.mark.parametrize(("sbi", "expected"), [
    ("4511", "autohandel"),
    ("45111", "autohandel"),          # sub-code of 4511
    ("45.11.2", "autohandel"),        # normalised first
    ("4520", None),                   # car repair, not trade
    ("451", None),                    # coarser than any code of the group
    ("77111", "autoverhuur"),
    ("77112", None),                  # operational lease left out
    ("7711", None),                   # could be rental or lease: not decided
    ("66193", "geldtransfer"),
    ("47793", "tweedehands"),
    ("46772", "tweedehands"),
    ("52101", None),                  # tank storage left out
    ("52109", "opslag"),
    ("78201", "uitzendbureaus"),
    ("78203", None),
    ("6190", "belwinkels"),
    ("96021", "kappers_schoonheid"),
    ("96022", "kappers_schoonheid"),
    ("5630", "horeca"),
    ("56102", "horeca"),
    ("68201", None),                  # housing associations left out
    ("68204", "vastgoed"),
    ("6201", None),
    ("", None),
    ("xx", None),
])
def test_group_of_shipped(sbi, expected):
    assert branches.group_of(sbi, GROUPS) == expected


def test_group_expr_agrees_with_group_of():
    codes = ["4511", "45111", "4520", "451", "77111", "77112", "7711", "66193", "47793", "52101",
             "52109", "96022", "56102", "68201", "68204", "6201", None]
    got = pl.DataFrame({"sbi_code": codes}).select(branches.group_expr("sbi_code", GROUPS))["groep"].to_list()
    assert got == [branches.group_of(c, GROUPS) for c in codes]


NESTED = (
    BrancheGroup("horeca", "Horeca", "x", (SbiCode("56", "Eet- en drinkgelegenheden"),)),
    BrancheGroup("cafes", "Cafés", "x", (SbiCode("5630", "Cafés"),)),
    BrancheGroup("shisha", "Shisha", "x", (SbiCode("56301", "planted five-digit code"),)),
)


@pytest.mark.parametrize(("sbi", "expected"), [
    ("56", "horeca"), ("5610", "horeca"), ("56101", "horeca"), ("5630", "cafes"), ("56302", "cafes"),
    ("56301", "shisha"), ("563", "horeca"), ("57", None), ("5", None),
])
def test_longest_prefix_wins(sbi, expected):
    assert branches.group_of(sbi, NESTED) == expected
    frame = pl.DataFrame({"sbi_code": [sbi]}).with_columns(branches.sbi_expr("sbi_code"))
    assert frame.select(branches.group_expr("sbi_code", NESTED))["groep"][0] == expected


def test_group_expr_without_groups_is_null():
    assert pl.DataFrame({"s": ["4511"]}).select(branches.group_expr("s", ()))["groep"].to_list() == [None]


# ---------------------------------------------------------------------------------------
# Groups: validation of branches.toml
# ---------------------------------------------------------------------------------------
HERKOMST = """
[herkomst]
classificatie = "SBI 2008"
bron = "CBS"
url = "https://www.cbs.nl/"
geraadpleegd = 2026-12-02
licentie = "CC BY 4.0 (CBS)"
"""

GOOD_GROUP = """
[groepen.autohandel]
label = "Autohandel"
toelichting = "Concentraties."
codes = [{ code = "4511", omschrijving = "Handel in en reparatie van personenauto's en lichte bedrijfsauto's" }]
"""


def load(tmp_path, text):
    path = tmp_path / "branches.toml"
    path.write_text(text, encoding="utf-8")
    return branches.load_groups(path)


def test_minimal_file_loads(tmp_path):
    groups = load(tmp_path, HERKOMST + GOOD_GROUP)
    assert groups == (BrancheGroup("autohandel", "Autohandel", "Concentraties.", (SbiCode(
        "4511", "Handel in en reparatie van personenauto's en lichte bedrijfsauto's"),)),)


@pytest.mark.parametrize(("text", "message"), [
    (HERKOMST + GOOD_GROUP + "\n[kleuren]\nrood = 1\n",
     "branches.toml: kleuren: onbekende sleutel (toegestaan: herkomst, groepen)"),
    (GOOD_GROUP,
     "branches.toml: [herkomst] ontbreekt"),
    (HERKOMST.replace('bron = "CBS"', 'bron = "CBS"\nauteur = "x"') + GOOD_GROUP,
     "branches.toml: [herkomst]: auteur: onbekende sleutel"),
    (HERKOMST.replace('url = "https://www.cbs.nl/"\n', "") + GOOD_GROUP,
     "branches.toml: [herkomst]: url moet een niet-lege tekst zijn, niet None"),
    (HERKOMST.replace("geraadpleegd = 2026-12-02", 'geraadpleegd = "december"') + GOOD_GROUP,
     "branches.toml: [herkomst]: geraadpleegd moet een datum zijn"),
    (HERKOMST,
     "branches.toml: [groepen] ontbreekt of is leeg"),
    (HERKOMST + GOOD_GROUP.replace('label = "Autohandel"', 'label = "Autohandel"\nkleur = "rood"'),
     "branches.toml: [groepen.autohandel]: kleur: onbekende sleutel (toegestaan: label, toelichting, codes)"),
    (HERKOMST + GOOD_GROUP.replace('label = "Autohandel"\n', ""),
     "branches.toml: [groepen.autohandel]: label moet een niet-lege tekst zijn"),
    (HERKOMST + GOOD_GROUP.replace("[groepen.autohandel]", "[groepen.Auto-handel]"),
     "branches.toml: [groepen.Auto-handel]: de naam van een groep bestaat uit kleine letters"),
    (HERKOMST + GOOD_GROUP.replace('code = "4511"', 'code = "45.11"'),
     "branches.toml: [groepen.autohandel] codes[1]: code moet een tekst van 2 tot 5 cijfers zijn zonder punten"),
    (HERKOMST + GOOD_GROUP.replace('code = "4511"', "code = 4511"),
     "branches.toml: [groepen.autohandel] codes[1]: code moet een tekst van 2 tot 5 cijfers zijn"),
    (HERKOMST + GOOD_GROUP.replace('omschrijving = "Handel', 'sbi = "x", omschrijving = "Handel'),
     "branches.toml: [groepen.autohandel] codes[1]: sbi: onbekende sleutel (toegestaan: code, omschrijving)"),
    (HERKOMST + GOOD_GROUP.replace(', omschrijving = "Handel in en reparatie van personenauto\'s en lichte bedrijfsauto\'s"', ""),
     "branches.toml: [groepen.autohandel] codes[1]: omschrijving moet een niet-lege tekst zijn"),
    (HERKOMST + GOOD_GROUP.replace("codes = [{", "codes = []\nx = [{"),
     "branches.toml: [groepen.autohandel]: x: onbekende sleutel"),
    (HERKOMST + GOOD_GROUP.replace("codes = [{", "codes = []\n#[{"),
     "branches.toml: [groepen.autohandel]: codes moet een niet-lege lijst zijn"),
    (HERKOMST + GOOD_GROUP.replace('" }]\n', '" }, { code = "45111", omschrijving = "Import" }]\n'),
     "branches.toml: [groepen.autohandel]: code 45111 is overbodig: 4511 in dezelfde groep omvat hem al"),
    (HERKOMST + GOOD_GROUP.replace('" }]\n', '" }, { code = "4511", omschrijving = "Nog eens" }]\n'),
     "branches.toml: [groepen.autohandel]: code 4511 staat twee keer in de groep"),
    (HERKOMST + GOOD_GROUP + GOOD_GROUP.replace("autohandel]", "tweede]").replace('"Autohandel"', '"Tweede"'),
     "branches.toml: [groepen.tweede]: code 4511 staat ook in [groepen.autohandel]: een code hoort bij één groep"),
    (HERKOMST + GOOD_GROUP + GOOD_GROUP.replace("autohandel]", "tweede]").replace('"4511"', '"4519"'),
     "branches.toml: [groepen.tweede]: label 'Autohandel' is al het label van [groepen.autohandel]"),
    (HERKOMST + GOOD_GROUP + "[groepen.leeg\n",
     "branches.toml: geen geldige TOML"),
])
def test_validation_errors(tmp_path, text, message):
    with pytest.raises(BranchesError) as err:
        load(tmp_path, text)
    assert str(err.value).startswith(message), str(err.value)


def test_nested_codes_across_groups_are_allowed(tmp_path):
    other = (GOOD_GROUP.replace("autohandel]", "import]").replace('"Autohandel"', '"Import"')
             .replace('"4511"', '"45111"'))
    groups = load(tmp_path, HERKOMST + GOOD_GROUP + other)
    assert [branches.group_of(c, groups) for c in ("45111", "45112", "4511")] == ["import", "autohandel", "autohandel"]


# ---------------------------------------------------------------------------------------
# Location quotient
# ---------------------------------------------------------------------------------------
# Areas A, B, C partition the city (400 vestigingen); D has none at all.
#   autohandel  A 10, B 5, C 5  → city 20 of 400 = 0.05
#   kappers     A 2,  B 20, C 18 → city 40 of 400 = 0.10
# LQ autohandel: A (10/50)/0.05 = 4.0, B (5/100)/0.05 = 1.0, C (5/250)/0.05 = 0.4
# LQ kappers:    A n = 2 < 5 → null, B (20/100)/0.10 = 2.0, C (18/250)/0.10 = 0.72
TOTALS = pl.DataFrame({"gebied": ["A", "B", "C", "D"], "totaal": [50, 100, 250, 0]})
COUNTS = pl.DataFrame({
    "gebied": ["A", "B", "C", "A", "B", "C"],
    "groep": ["autohandel"] * 3 + ["kappers"] * 3,
    "n": [10, 5, 5, 2, 20, 18],
})


def test_location_quotient_hand_computed():
    lq = branches.location_quotient(COUNTS, TOTALS)
    got = {(r["gebied"], r["groep"]): r for r in lq.iter_rows(named=True)}
    assert len(lq) == 8                                  # 4 areas × 2 groups
    assert got["A", "autohandel"]["lq"] == 4.0
    assert got["B", "autohandel"]["lq"] == 1.0
    assert got["C", "autohandel"]["lq"] == 0.4
    assert got["A", "kappers"]["lq"] is None             # below the minimum of 5
    assert got["B", "kappers"]["lq"] == 2.0
    assert got["C", "kappers"]["lq"] == 0.72
    assert got["D", "autohandel"] == {"gebied": "D", "groep": "autohandel", "n": 0, "totaal": 0, "aandeel": None,
                                      "stad_n": 20, "stad_totaal": 400, "stad_aandeel": 0.05, "lq": None}
    assert got["A", "autohandel"]["aandeel"] == 0.2
    assert got["A", "kappers"]["stad_aandeel"] == 0.1
    assert lq.columns == ["gebied", "groep", "n", "totaal", "aandeel", "stad_n", "stad_totaal", "stad_aandeel", "lq"]
    assert lq.select("gebied", "groep").rows() == sorted(lq.select("gebied", "groep").rows())


def test_location_quotient_minimum_and_missing_rows():
    lq = branches.location_quotient(COUNTS, TOTALS, minimum=1)
    got = {(r["gebied"], r["groep"]): r["lq"] for r in lq.iter_rows(named=True)}
    assert got["A", "kappers"] == 0.4                    # 2 × 400 / (50 × 40)
    # a group missing in an area is 0 there: no quotient, even at minimum 1
    only_a = COUNTS.filter(~((pl.col("gebied") == "C") & (pl.col("groep") == "kappers")))
    row = branches.location_quotient(only_a, TOTALS).filter(pl.col("gebied") == "C", pl.col("groep") == "kappers")
    assert row["n"].to_list() == [0] and row["lq"].to_list() == [None]
    assert row["stad_n"].to_list() == [22]               # the city sum drops C's 18


def test_location_quotient_with_city_reference():
    # A focus area overlapping the buurten: 10 of its 40 vestigingen are car traders; the city
    # has 20 of 400. LQ = (10/40)/(20/400) = 5.0
    focus = branches.location_quotient(
        pl.DataFrame({"gebied": ["Mijlweg"], "groep": ["autohandel"], "n": [10]}),
        pl.DataFrame({"gebied": ["Mijlweg"], "totaal": [40]}),
        stad=pl.DataFrame({"groep": ["autohandel", "kappers"], "n": [20, 40], "totaal": [400, 400]}))
    assert focus.select("groep", "n", "lq").rows() == [("autohandel", 10, 5.0), ("kappers", 0, None)]


def test_location_quotient_rejects_bad_input():
    with pytest.raises(ValueError, match="areas without a total"):
        branches.location_quotient(COUNTS, TOTALS.filter(pl.col("gebied") != "B"))
    with pytest.raises(ValueError, match="minimum"):
        branches.location_quotient(COUNTS, TOTALS, minimum=0)


# ---------------------------------------------------------------------------------------
# Turnover
# ---------------------------------------------------------------------------------------
STAND = date(2025, 6, 30)
VESTIGINGEN = pl.DataFrame({
    "vestigingsnummer": [f"{i:012d}" for i in range(1, 9)],
    "sbi_code": ["45111", "4511", "45112", "4511", "4519", "4540", "96021", "6201"],
    "datum_inschrijving": [date(2023, 3, 15), date(2023, 3, 15), date(2023, 3, 15), date(2023, 6, 1),
                           date(2024, 9, 1), date(2024, 5, 1), date(2024, 1, 10), date(2023, 2, 1)],
    "datum_opheffing": [date(2024, 2, 15),   # 11 months: within
                        date(2024, 4, 15),   # 13 months: not within
                        date(2024, 3, 15),   # exactly 12 months: within (the day included)
                        None,                # active
                        date(2024, 10, 1),   # 1 month, but its 12 months end after the stand
                        None,                # registered 2024-05-01: judged (2025-05-01 ≤ stand)
                        date(2024, 12, 10),  # hairdresser, 11 months: within
                        date(2023, 3, 1)],   # not facilitating: left out
})


def test_turnover_planted_dates():
    got = branches.turnover(VESTIGINGEN, GROUPS, stand_per=STAND)
    assert got.columns == ["groep", "jaar", "inschrijvingen", "opheffingen", "beoordeeld", "binnen_12_maanden",
                           "aandeel_binnen_12_maanden"]
    assert got.rows() == [
        # 2023: four registrations, all judged; the 11- and 12-month closures are quick
        ("autohandel", 2023, 4, 0, 4, 2, 0.5),
        # 2024: two registrations, one judged (and active); four closures in 2024
        ("autohandel", 2024, 2, 4, 1, 0, 0.0),
        ("kappers_schoonheid", 2024, 1, 1, 1, 1, 1.0),
    ]


def test_turnover_without_stand_judges_everything():
    got = branches.turnover(VESTIGINGEN, GROUPS)
    row = got.filter(pl.col("groep") == "autohandel", pl.col("jaar") == 2024)
    assert row.select("beoordeeld", "binnen_12_maanden", "aandeel_binnen_12_maanden").rows() == [(2, 1, 0.5)]


def test_turnover_closure_only_year_and_group_column():
    frame = pl.DataFrame({"groep": ["opslag", "opslag"],
                          "datum_inschrijving": [date(2020, 1, 1), date(2020, 2, 29)],
                          "datum_opheffing": [date(2022, 5, 1), date(2021, 2, 28)]})
    # 29 Feb 2020 + 12 months = 28 Feb 2021: within
    assert branches.turnover(frame).rows() == [
        ("opslag", 2020, 2, 0, 2, 1, 0.5),
        ("opslag", 2021, 0, 1, 0, 0, None),
        ("opslag", 2022, 0, 1, 0, 0, None),
    ]
    with pytest.raises(ValueError, match="groep"):
        branches.turnover(frame.drop("groep"))


# ---------------------------------------------------------------------------------------
# Co-location
# ---------------------------------------------------------------------------------------
def key(label: str) -> str:
    return (label.encode().hex() + "0" * 64)[:64]


K1, K2, K3, K4 = key("a1"), key("b2"), key("c3"), key("d4")     # K1 < K2 < K3 < K4


def test_co_location_planted_keys():
    vestigingen = pl.DataFrame({
        "adres_sleutel": [K1, K1, K1, K2, K3, K4, None],
        "sbi_code": ["4511", "45112", "6190", "96022", "6201", "4511", "4511"],
    })
    hennep = pl.DataFrame({"adres_sleutel": [K1, K1, K3]})
    controles = pl.DataFrame({
        "adres_sleutel": [K1, K2, K2, K2, K4, None],
        "soort": ["integrale controle", "bibob-toets", "integrale controle", "integrale controle",
                  "bibob-toets", "integrale controle"],
        "uitkomst": ["overtreding", "bibob: geweigerd", "geen overtreding", "in orde", "bibob: verleend",
                     "overtreding"],
        "bevindingen": [[], None, ["schijnbeheer"], [], None, ["drugs"]],
    }, schema_overrides={"bevindingen": pl.List(pl.String)})
    transacties = pl.DataFrame({"adres_sleutel": [K2, None]}, schema={"adres_sleutel": pl.String})
    events = branches.co_location_events(hennepkwekerijen=hennep, controles=controles,
                                         verdachte_transacties=transacties)
    assert sorted(events.rows()) == sorted([
        (K1, "hennepkwekerij"), (K1, "hennepkwekerij"), (K3, "hennepkwekerij"),
        (K1, "controle met bevindingen"), (K2, "controle met bevindingen"),
        (K2, "bibob geweigerd"), (K2, "verdachte transactie")])

    got = branches.co_location(vestigingen, events, GROUPS)
    assert got.columns == ["adres_sleutel", "groep", "vestigingen", "hennepkwekerijen", "controles_met_bevindingen",
                           "bibob_geweigerd", "verdachte_transacties", "totaal"]
    assert got.rows() == [
        (K1, "autohandel", 2, 2, 1, 0, 0, 3),
        (K1, "belwinkels", 1, 2, 1, 0, 0, 3),
        (K2, "kappers_schoonheid", 1, 0, 1, 1, 1, 3),
    ]
    # K3 has a grow site but no facilitating vestiging; K4 a car trader but no events.


def test_co_location_ordering_and_kinds():
    vest = pl.DataFrame({"adres_sleutel": [K1, K2], "groep": ["opslag", "opslag"]})
    events = pl.DataFrame({"adres_sleutel": [K1, K2, K2], "soort": ["hennepkwekerij"] * 3})
    assert branches.co_location(vest, events).select("adres_sleutel", "totaal").rows() == [(K2, 2), (K1, 1)]
    with pytest.raises(ValueError, match="unknown event kinds"):
        branches.co_location(vest, pl.DataFrame({"adres_sleutel": [K1], "soort": ["signaal"]}))
    assert branches.co_location_events().schema == pl.Schema({"adres_sleutel": pl.String, "soort": pl.String})
