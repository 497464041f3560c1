"""The delivery schedule (the steward's desk, item 3): [aanlevering] in gemeente.toml, the pure
rules of dijkwacht/deliveries.py, and a planted late source on the Data page and in the sidebar."""
from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timezone

import duckdb
import pytest
from apptest_support import START, app_for

from dijkwacht import access, clock, config, deliveries
from dijkwacht.config import Aanlevering, ScheduleError
from dijkwacht.sources import SOURCES


def monthly(day: int, grace: int = 0, start: date = date(2020, 1, 1), partner: str = "Politie",
            bron: str = "hennepkwekerijen") -> Aanlevering:
    return Aanlevering(bron, partner, None, day, grace, start)


def every(days: int, grace: int = 0, start: date = date(2020, 1, 1), partner: str = "Kadaster/WOZ",
          bron: str = "eigendommen") -> Aanlevering:
    return Aanlevering(bron, partner, days, None, grace, start)


# --- the rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("day, last, due", [
    (10, date(2026, 11, 2), date(2026, 12, 10)),      # early in the month: next month's 10th
    (10, date(2026, 11, 10), date(2026, 12, 10)),     # on the day
    (10, date(2026, 11, 25), date(2026, 12, 10)),     # late: it still counts for its month
    (10, date(2026, 12, 20), date(2027, 1, 10)),      # over the year's end
    (31, date(2026, 1, 31), date(2026, 2, 28)),       # day 31 in February
    (31, date(2028, 1, 15), date(2028, 2, 29)),       # ... in a leap year
    (29, date(2027, 1, 3), date(2027, 2, 28)),        # day 29, not a leap year
    (31, date(2026, 2, 28), date(2026, 3, 31)),       # back to the 31st after February
    (31, date(2026, 3, 31), date(2026, 4, 30)),       # 30-day month
    (1, date(2026, 1, 31), date(2026, 2, 1)),
])
def test_monthly_due_date(day, last, due):
    assert deliveries.next_due(monthly(day), last) == due


@pytest.mark.parametrize("days, last, due", [
    (30, date(2026, 1, 31), date(2026, 3, 2)),
    (30, date(2028, 2, 1), date(2028, 3, 2)),         # over 29 February
    (30, date(2027, 2, 1), date(2027, 3, 3)),
    (92, date(2026, 10, 1), date(2027, 1, 1)),
    (366, date(2028, 1, 1), date(2029, 1, 1)),        # a leap year's 366 days
])
def test_interval_due_date(days, last, due):
    assert deliveries.next_due(every(days), last) == due


def test_the_example_line_reads_dutch():
    d = deliveries.check(monthly(10, grace=3), date(2026, 10, 5), date(2026, 11, 22))
    assert d.line == "Politie: levering hennepkwekerijen 12 dagen te laat (verwacht uiterlijk 10 nov 2026)"
    assert (d.days_late, d.due, d.late, d.mark) == (12, date(2026, 11, 10), True, "⚠ levering 12 dagen te laat")


def test_on_the_due_date_on_time_the_day_after_late():
    plan, last = monthly(10), date(2026, 10, 5)
    on_time = deliveries.check(plan, last, date(2026, 11, 10))
    assert (on_time.days_late, on_time.late, on_time.mark) == (0, False, "")
    assert on_time.line == ("Politie: levering hennepkwekerijen op tijd (laatst 5 okt 2026; de volgende "
                            "uiterlijk 10 nov 2026)")
    one = deliveries.check(plan, last, date(2026, 11, 11))
    assert one.line == "Politie: levering hennepkwekerijen 1 dag te laat (verwacht uiterlijk 10 nov 2026)"


def test_grace_hides_the_first_days_then_counts_from_the_due_date():
    plan, last = monthly(10, grace=3), date(2026, 10, 5)
    within = deliveries.check(plan, last, date(2026, 11, 13))
    assert within.days_late == 0 and not within.late
    assert within.line == ("Politie: levering hennepkwekerijen verwacht uiterlijk 10 nov 2026; nog binnen "
                           "de coulance van 3 dagen")
    assert deliveries.check(plan, last, date(2026, 11, 14)).days_late == 4


def test_never_delivered_is_late_from_the_first_due_date():
    plan = monthly(10, start=date(2026, 1, 20))                  # the 10th has passed: February's
    assert deliveries.next_due(plan, None) == date(2026, 2, 10)
    before = deliveries.check(plan, None, date(2026, 2, 10))
    assert not before.late and before.last is None
    assert before.line == ("Politie: hennepkwekerijen nog nooit geleverd; de eerste levering wordt "
                           "uiterlijk 10 feb 2026 verwacht")
    after = deliveries.check(plan, None, date(2026, 3, 1))
    assert after.line == ("Politie: levering hennepkwekerijen 19 dagen te laat, nog nooit geleverd "
                          "(verwacht uiterlijk 10 feb 2026)")
    assert deliveries.next_due(monthly(10, start=date(2026, 1, 10)), None) == date(2026, 1, 10)
    assert deliveries.next_due(monthly(31, start=date(2028, 2, 1)), None) == date(2028, 2, 29)
    assert deliveries.next_due(every(92, start=date(2026, 1, 1)), None) == date(2026, 4, 3)


def test_nothing_is_due_before_the_schedule_took_effect():
    plan = monthly(10, start=date(2026, 1, 1))
    assert deliveries.next_due(plan, date(2020, 5, 1)) == date(2026, 1, 10)
    assert deliveries.check(plan, date(2020, 5, 1), date(2026, 1, 10)).days_late == 0


def test_a_load_after_today_is_on_time():
    """A clock behind the load (a test's frozen clock): never late, never negative."""
    d = deliveries.check(monthly(10), date(2026, 12, 2), date(2026, 11, 30))
    assert d.days_late == 0 and d.due == date(2027, 1, 10)


def test_status_puts_the_late_first_and_treats_a_missing_source_as_never_delivered():
    schedule = (monthly(10), monthly(5, partner="Meldpunt", bron="signalen"),
                every(92, start=date(2026, 1, 1)))
    found = deliveries.status(schedule, {"hennepkwekerijen": date(2026, 10, 1),
                                         "signalen": date(2026, 11, 25)}, date(2026, 11, 30))
    assert [(d.source, d.days_late) for d in found] == [
        ("eigendommen", 241), ("hennepkwekerijen", 20), ("signalen", 0)]
    assert found[0].last is None and "nog nooit geleverd" in found[0].line


def test_today_and_delivery_days_are_amsterdam_days():
    clock.set_time(datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc))     # 00:30 on 1 December
    try:
        assert deliveries.today() == date(2026, 12, 1)
    finally:
        clock.reset()
    assert deliveries.delivery_day(datetime(2026, 6, 30, 22, 30)) == date(2026, 7, 1)   # CEST, naive UTC
    assert deliveries.delivery_day(datetime(2026, 12, 31, 22, 30)) == date(2026, 12, 31)
    assert deliveries.delivery_day(datetime(2026, 12, 31, 23, 30)) == date(2027, 1, 1)
    assert deliveries.delivery_day(None) is None
    assert deliveries.last_deliveries([{"bron": "signalen", "geladen_op": None}]) == {"signalen": None}


def test_plans_read_dutch():
    assert deliveries.describe(monthly(10)) == "maandelijks, uiterlijk de 10e"
    assert deliveries.describe(monthly(31)) == "maandelijks, uiterlijk de 31e (of de laatste dag van de maand)"
    assert deliveries.describe(every(92)) == "elke 92 dagen"
    assert deliveries.describe(every(1)) == "elke dag"


# --- the schedule in gemeente.toml --------------------------------------------------------------

def test_dordrecht_schedules_every_source():
    schedule = config.aanlevering()
    assert [p.bron for p in schedule] == list(SOURCES)
    assert all(p.partner and (p.elke_dagen is None) != (p.dag_van_de_maand is None) for p in schedule)


def _toml(tmp_path, text: str):
    path = tmp_path / "gemeente.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = '[aanlevering]\nvanaf = 2026-01-01\n\n[aanlevering.signalen]\npartner = "Meldpunt"\n'


@pytest.mark.parametrize("extra, named", [
    ("dag_van_de_maan = 10\n", "dag_van_de_maan"),                          # a typo fails, not silence
    ("dag_van_de_maand = 10\nelke_dagen = 30\n", "precies één"),
    ("", "precies één"),
    ("elke_dagen = 0\n", "elke_dagen"),
    ("elke_dagen = true\n", "elke_dagen"),
    ("elke_dagen = 30.5\n", "elke_dagen"),
    ("dag_van_de_maand = 32\n", "dag_van_de_maand"),
    ('dag_van_de_maand = "10"\n', "dag_van_de_maand"),
    ("dag_van_de_maand = 10\ncoulance_dagen = -1\n", "coulance_dagen"),
    ('dag_van_de_maand = 10\nvanaf = "2026-01-01"\n', "vanaf"),
    ("dag_van_de_maand = 10\nvanaf = 2026-01-01T10:00:00\n", "vanaf"),
])
def test_a_wrong_schedule_stops_with_a_dutch_message_naming_the_key(tmp_path, extra, named):
    with pytest.raises(ScheduleError, match=named) as caught:
        config._load_aanlevering(_toml(tmp_path, GOOD + extra))
    assert "[aanlevering.signalen]" in str(caught.value)


@pytest.mark.parametrize("text, named", [
    ('[aanlevering]\nvanaf = 2026-01-01\n[aanlevering.hennep]\npartner = "P"\nelke_dagen = 3\n',
     r"\[aanlevering.hennep\]: onbekende bron"),
    ('[aanlevering]\nvanaf = 2026-01-01\nelke_dagen = 3\n', "elke_dagen: onbekende sleutel"),
    ('[aanlevering.signalen]\npartner = "P"\nelke_dagen = 3\n', "vanaf ontbreekt"),
    ('[aanlevering.signalen]\nelke_dagen = 3\nvanaf = 2026-01-01\n', "partner"),
    ('[aanlevering.signalen]\npartner = "  "\nelke_dagen = 3\nvanaf = 2026-01-01\n', "partner"),
    ('aanlevering = 3\n', "moet een tabel zijn"),
])
def test_a_wrong_section_names_what_is_wrong(tmp_path, text, named):
    with pytest.raises(ScheduleError, match=named):
        config._load_aanlevering(_toml(tmp_path, text))


def test_no_section_schedules_nothing_and_a_source_may_start_later(tmp_path):
    (tmp_path / "leeg").mkdir()
    assert config._load_aanlevering(_toml(tmp_path / "leeg", "[gemeente]\nnaam = \"X\"\n")) == ()
    (plan,) = config._load_aanlevering(_toml(tmp_path, GOOD + "elke_dagen = 30\nvanaf = 2026-06-01\n"))
    assert plan == Aanlevering("signalen", "Meldpunt", 30, None, 0, date(2026, 6, 1))


# --- on screen: a planted late source ------------------------------------------------------------

PLANTED = """
[aanlevering]
vanaf = 2026-01-01

[aanlevering.hennepkwekerijen]
partner = "Politie"
dag_van_de_maand = 10

[aanlevering.signalen]
partner = "Meldpunt ondermijning"
dag_van_de_maand = 10

[aanlevering.verdachte_transacties]
partner = "FIU-Nederland"
elke_dagen = 30
"""
LATE_LINE = "Politie: levering hennepkwekerijen 51 dagen te laat (verwacht uiterlijk 10 okt 2026)"
MARK = "⚠ levering 51 dagen te laat"


def _without_schedule(text: str) -> str:
    """gemeente.toml without its [aanlevering] tables (the test plants its own)."""
    kept, skipping = [], False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line.startswith("[aanlevering")
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _unescaped(text: str) -> str:
    """Markdown as read: ui.md's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture
def late_hennep(served_demo, tmp_path, monkeypatch):
    """The demo with every source loaded on 25 nov 2026, but the police's grow sites last on
    20 sep 2026 (monthly, by the 10th: due 10 okt); today is 30 nov 2026 (apptest START)."""
    db = tmp_path / "dijkwacht.duckdb"
    shutil.copyfile(served_demo, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE bronstand SET geladen_op = TIMESTAMP '2026-11-25 09:00:00'")
    con.execute("UPDATE bronstand SET geladen_op = TIMESTAMP '2026-09-20 09:00:00' "
                "WHERE bron = 'hennepkwekerijen'")
    con.close()
    toml = _without_schedule(config._config_file().read_text(encoding="utf-8"))
    toml = toml.replace('= "geo/', f'= "{config.DATA_DIR}/geo/') + PLANTED
    monkeypatch.setenv("DIJKWACHT_GEMEENTE", str(_toml(tmp_path, toml)))
    monkeypatch.setenv("DIJKWACHT_DB", str(db))
    clock.set_time(START)
    yield db
    clock.reset()


def test_the_gateway_gives_every_role_that_sees_the_sources_the_schedule(late_hennep):
    from dijkwacht.app import data

    for role in access.ROLES:
        found = data.delivery_status(role)
        assert [(d.source, d.days_late) for d in found] == [
            ("hennepkwekerijen", 51), ("signalen", 0), ("verdachte_transacties", 0)]
        assert found[0].line == LATE_LINE
    with pytest.raises(access.AccessDenied):
        data.delivery_status("gast")
    (late,) = [line for line in data.freshness_lines("bestuur") if "te laat" in line]
    assert late.startswith("Hennepkwekerijen (ontmanteld): stand per ")
    assert late.endswith(f", geladen 20 sep 2026 11:00 — **{MARK}**")


def test_a_late_source_shows_on_the_data_page_and_in_the_sidebar(late_hennep):
    at = app_for("beheerder", "dashboard.py").run()
    assert not at.exception
    sidebar = [_unescaped(c.value) for c in at.sidebar.caption if "stand per" in c.value]
    assert len(sidebar) == 1, sidebar
    lines = sidebar[0].split("  \n")
    hennep = next(line for line in lines if line.startswith("Hennepkwekerijen"))
    signalen = next(line for line in lines if line.startswith("Signalen"))
    assert hennep.endswith(f"— **{MARK}**")
    assert "te laat" not in signalen                    # delivered on 25 nov: due by 10 dec

    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Data"]
    (late,) = [_unescaped(w.value) for w in at.warning if "te laat" in w.value]
    assert late.splitlines() == [f"- {LATE_LINE}"]              # the on-time sources are not in it
    table = next(df.value for df in at.dataframe if "Toestand" in df.value.columns)
    rows = {r["Bron"]: r for r in table.to_dict("records")}
    assert list(rows) == ["Hennepkwekerijen (ontmanteld)", "Signalen (meldpunt)", "Verdachte transacties (FIU)"]
    assert rows["Hennepkwekerijen (ontmanteld)"]["Toestand"] == "⚠ 51 dagen te laat"
    assert rows["Hennepkwekerijen (ontmanteld)"]["Verwacht uiterlijk"] == "10 okt 2026"
    assert rows["Hennepkwekerijen (ontmanteld)"]["Laatst geleverd"] == "20 sep 2026"
    assert rows["Signalen (meldpunt)"]["Toestand"] == "op tijd"
    assert rows["Signalen (meldpunt)"]["Verwacht uiterlijk"] == "10 dec 2026"


def test_a_broken_schedule_is_said_not_hidden(late_hennep, tmp_path, monkeypatch):
    from dijkwacht.app import data

    toml = _without_schedule(config._config_file().read_text(encoding="utf-8"))
    toml = toml.replace('= "geo/', f'= "{config.DATA_DIR}/geo/') + PLANTED.replace("elke_dagen", "elke_dag")
    path = tmp_path / "kapot" / "gemeente.toml"
    path.parent.mkdir()
    path.write_text(toml, encoding="utf-8")
    monkeypatch.setenv("DIJKWACHT_GEMEENTE", str(path))
    assert data.freshness_lines("analist")[-1] == (
        "⚠ Het aanleverschema (gemeente.toml) klopt niet; meld het de beheerder.")
    at = app_for("beheerder", "pages/data.py").run()
    assert not at.exception
    errors = [_unescaped(e.value) for e in at.error]
    assert any("aanleverschema klopt niet" in e and "[aanlevering.verdachte_transacties] elke_dag" in e
               for e in errors), errors
