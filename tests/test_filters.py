"""Shared filters: periods relative to the data's stand per, and URL round trips."""
from datetime import date

import pytest

from dijkwacht.filters import Filters, Period, latest_complete_quarter

STAND = date(2026, 10, 31)


@pytest.mark.parametrize("filters, expected", [
    (Filters(periode="jaar"), Period(date(2025, 1, 1), date(2026, 1, 1))),
    (Filters(periode="jaar", jaar=2014), Period(date(2014, 1, 1), date(2015, 1, 1))),
    (Filters(periode="dit_jaar"), Period(date(2026, 1, 1), date(2026, 11, 1))),
    (Filters(periode="12_maanden"), Period(date(2025, 11, 1), date(2026, 11, 1))),
    (Filters(periode="kwartaal"), Period(date(2026, 7, 1), date(2026, 10, 1))),
    (Filters(periode="kwartaal", kwartaal="2025-4"), Period(date(2025, 10, 1), date(2026, 1, 1))),
    (Filters(periode="eigen", van=date(2026, 2, 1), tot=date(2026, 2, 28)), Period(date(2026, 2, 1), date(2026, 3, 1))),
])
def test_periods_are_relative_to_stand_per(filters, expected):
    assert filters.period(STAND, "analist") == expected


def test_bestuur_gets_whole_quarters_and_city_wide_themes():
    """Below the city the bestuur role sees whole quarters, years or the last four complete
    quarters (lattice.py protects exactly those), and themes only for the whole city."""
    assert Filters(periode="12_maanden").period(STAND, "bestuur") == Period(date(2025, 10, 1), date(2026, 10, 1))
    assert Filters(periode="eigen", van=date(2026, 2, 1), tot=date(2026, 2, 3)).for_role("bestuur").periode == "kwartaal"
    assert Filters(periode="dit_jaar").for_role("bestuur").periode == "kwartaal"
    assert Filters(gebied="wijk:WK050501", thema="hennep").for_role("bestuur").thema == "alle"
    assert Filters(gebied="stad", thema="hennep").for_role("bestuur").thema == "hennep"
    kept = Filters(periode="eigen", van=date(2026, 2, 1), tot=date(2026, 2, 3))
    assert kept.for_role("analist") is kept


def test_previous_and_year_before():
    year = Period(date(2025, 1, 1), date(2026, 1, 1))
    assert year.previous() == Period(date(2024, 1, 1), date(2025, 1, 1))
    quarter = Period(date(2026, 7, 1), date(2026, 10, 1))
    assert quarter.previous() == Period(date(2026, 4, 1), date(2026, 7, 1))
    assert quarter.year_before() == Period(date(2025, 7, 1), date(2025, 10, 1))


def test_latest_complete_quarter():
    assert latest_complete_quarter(date(2026, 9, 30)) == (2026, 3)
    assert latest_complete_quarter(date(2026, 9, 29)) == (2026, 2)
    assert latest_complete_quarter(date(2026, 2, 1)) == (2025, 4)


def test_url_round_trip_and_bad_input():
    f = Filters(periode="kwartaal", kwartaal="2025-2", gebied="buurt:BU05050202", thema="hennep")
    assert Filters.from_query(f.to_query()) == f
    assert Filters.from_query({"periode": "DROP TABLE", "jaar": "x", "gebied": "evil", "thema": "?"}) == Filters()
