"""The shared filters (period, area, theme): pure logic, no widgets.

Periods are relative to the data's *stand per*, not the clock, so "this year" is never
empty. A filter state is a small frozen value that round-trips through the URL's query
parameters, so a bookmarked URL reproduces the view.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dijkwacht.measures import latest_complete_year
from dijkwacht.sources import SOURCES

PERIOD_KINDS = {
    "dit_jaar": "Dit jaar (tot stand per)",
    "12_maanden": "Laatste 12 maanden",
    "kwartaal": "Kwartaal",
    "jaar": "Jaar",
    "eigen": "Eigen periode",
}
# The bestuur role sees figures below the city only for whole quarters, whole years and the
# last four complete quarters, and themes only city-wide (dijkwacht/lattice.py protects
# every cell of those choices together; day-level periods would let a binary search on the
# end date find single records).
BESTUUR_PERIOD_KINDS = ("kwartaal", "jaar", "12_maanden")
EXACT_ROLES = ("analist", "beheerder")


def default_period() -> str:
    """[briefing] standaardperiode in data/gemeente.toml: the period every page opens with
    (the last complete quarter unless the municipality says otherwise)."""
    from dijkwacht import config
    kind = config.setting("briefing", "standaardperiode", "kwartaal")
    return kind if kind in PERIOD_KINDS else "kwartaal"


def period_kinds(role: str | None) -> list[str]:
    """The period choices a role gets in the filters."""
    return [k for k in PERIOD_KINDS if role in EXACT_ROLES or k in BESTUUR_PERIOD_KINDS]


AREA_KINDS = {"stad": "Hele stad", "wijk": "Wijk", "buurt": "Buurt", "focus": "Focusgebied"}
# The themes are the meldpunt's vocabulary (signalen.thema), "alle" first.
THEMES = ("alle", *SOURCES["signalen"].column("thema").vocab)


@dataclass(frozen=True)
class Period:
    van: date          # inclusive
    tot: date          # exclusive

    @property
    def days(self) -> int:
        return (self.tot - self.van).days

    def previous(self) -> "Period":
        """The period of the same length just before this one (in whole months when the
        period is whole months, so the year before 2025 is 2024, leap day and all)."""
        if self.van.day == 1 and self.tot.day == 1:
            months = (self.tot.year - self.van.year) * 12 + self.tot.month - self.van.month
            return Period(_shift_months(self.van, -months), self.van)
        return Period(self.van - timedelta(days=self.days), self.van)

    def year_before(self) -> "Period":
        return Period(_shift_year(self.van, -1), _shift_year(self.tot, -1))

    def label(self) -> str:
        from dijkwacht.formats import day
        return f"{day(self.van)} – {day(self.tot - timedelta(days=1))}"


def _shift_months(d: date, months: int) -> date:
    """First-of-month arithmetic: (2026-07-01, -3) → 2026-04-01."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:          # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True)
class Filters:
    periode: str = field(default_factory=lambda: default_period())   # a key of PERIOD_KINDS
    jaar: int | None = None          # for "jaar"; None = latest complete year
    kwartaal: str | None = None      # "2026-3" for "kwartaal"; None = latest complete quarter
    van: date | None = None          # for "eigen"
    tot: date | None = None          # for "eigen", inclusive end date as the user picks it
    gebied: str = "stad"             # "stad" | "wijk:WK..." | "buurt:BU..." | "focus:<name>"
    thema: str = "alle"

    def for_role(self, role: str | None) -> "Filters":
        """The filters this role may use (bestuur: BESTUUR_PERIOD_KINDS, themes city-wide)."""
        if role in EXACT_ROLES:
            return self
        changes = {}
        if self.periode not in BESTUUR_PERIOD_KINDS:
            changes["periode"] = "kwartaal"
        if self.gebied != "stad" and self.thema != "alle":
            changes["thema"] = "alle"
        return replace(self, **changes)

    def period(self, stand_per: date, role: str | None = None) -> Period:
        """The chosen period as [van, tot), relative to the data's stand per. For the bestuur
        role "the last 12 months" are the last four complete quarters."""
        end = stand_per + timedelta(days=1)
        if self.periode == "12_maanden" and role not in EXACT_ROLES:
            year, q = latest_complete_quarter(stand_per)
            tot = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
            return Period(_shift_year(tot, -1), tot)
        if self.periode == "dit_jaar":
            return Period(date(stand_per.year, 1, 1), end)
        if self.periode == "12_maanden":
            return Period(_shift_year(end, -1), end)
        if self.periode == "kwartaal":
            year, q = (map(int, self.kwartaal.split("-")) if self.kwartaal
                       else latest_complete_quarter(stand_per))
            start = date(year, 3 * (q - 1) + 1, 1)
            return Period(start, date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1))
        if self.periode == "eigen" and self.van and self.tot and self.van <= self.tot:
            return Period(self.van, self.tot + timedelta(days=1))
        year = self.jaar or latest_complete_year(stand_per)
        return Period(date(year, 1, 1), date(year + 1, 1, 1))

    def area(self) -> tuple[str, str] | None:
        """('wijk'|'buurt'|'focus', code or name), or None for the whole city."""
        return parse_area(self.gebied)

    @property
    def thema_or_none(self) -> str | None:
        """The theme as a query parameter: None means all themes."""
        return None if self.thema == "alle" else self.thema

    def to_query(self) -> dict[str, str]:
        """Query parameters for the URL (only what differs from the default)."""
        out = {}
        for name, default in Filters().__dict__.items():
            value = getattr(self, name)
            if value != default and value is not None:
                out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    @classmethod
    def from_query(cls, params: dict[str, str]) -> "Filters":
        """Parse query parameters; anything malformed falls back to the default. An area code
        must look like one (WK + 6 digits, BU + 8 digits, a focus area's name of letters,
        digits, spaces and . , ' ( ) / & -); whether it exists is checked where the data is (a
        crafted URL's text is never shown: ui.start falls back to the whole city)."""
        import re
        codes = {"wijk": r"WK\d{6}", "buurt": r"BU\d{8}", "focus": r"[^\W_][\w .,'()/&-]{0,79}"}
        f = cls()
        changes = {}
        if params.get("periode") in PERIOD_KINDS:
            changes["periode"] = params["periode"]
        for name, parse in (("jaar", int), ("van", date.fromisoformat), ("tot", date.fromisoformat)):
            try:
                if name in params:
                    changes[name] = parse(params[name])
            except ValueError:
                pass
        if _is_quarter(params.get("kwartaal", "")):
            changes["kwartaal"] = params["kwartaal"]
        gebied = params.get("gebied", "")
        kind, _, code = gebied.partition(":")
        if gebied == "stad" or (kind in codes and re.fullmatch(codes[kind], code)):
            changes["gebied"] = gebied
        if params.get("thema") in THEMES:
            changes["thema"] = params["thema"]
        return replace(f, **changes)


def _is_quarter(text: str) -> bool:
    parts = text.split("-")
    return len(parts) == 2 and parts[0].isdigit() and parts[1] in ("1", "2", "3", "4")


def latest_complete_quarter(stand_per: date) -> tuple[int, int]:
    """(year, quarter) of the last quarter that lies wholly on or before *stand per*."""
    end = stand_per + timedelta(days=1)
    year, quarter = end.year, (end.month - 1) // 3       # quarters before the one `end` is in
    return (year - 1, 4) if quarter == 0 else (year, quarter)


def parse_area(gebied: str) -> tuple[str, str] | None:
    """'wijk:WK050503' → ('wijk', 'WK050503'); 'stad' or anything malformed → None (the
    whole city). Resolution to buurt codes is a query (data.area_buurten), not done here."""
    kind, _, code = (gebied or "").partition(":")
    if kind in ("wijk", "buurt", "focus") and code.strip():
        return kind, code.strip()
    return None


def quarter_label(quarter: str) -> str:
    """'2026-3' → 'K3 2026'."""
    year, q = quarter.split("-")
    return f"K{q} {year}"


def quarters(first_year: int, stand_per: date) -> list[str]:
    """Complete quarters from first_year up to stand per, newest first ('2026-3')."""
    last_year, last_q = latest_complete_quarter(stand_per)
    return [f"{y}-{q}" for y in range(last_year, first_year - 1, -1) for q in range(4, 0, -1)
            if (y, q) <= (last_year, last_q)]
