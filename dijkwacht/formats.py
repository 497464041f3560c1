"""Dutch formats for everything a user reads: 1.234,5 · 3 mrt 2024 · € 1.234,56 · 12,5%."""
from __future__ import annotations

from datetime import date, datetime

MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTHS_LONG = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december")


def number(value, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def money(value, decimals: int = 0) -> str:
    return "–" if value is None else f"€ {number(value, decimals)}"


def percent(value, decimals: int = 1) -> str:
    return "–" if value is None else f"{number(value, decimals)}%"


def day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def value(v, unit: str) -> str:
    """Format an indicator value by its unit."""
    if isinstance(v, str):           # already disclosure-formatted ("<5")
        return v
    if unit == "euro":
        return money(v)
    if unit == "procent":
        return percent(v)
    return number(v)


def change(current, previous) -> str | None:
    """'+12,5%' style change, None when it cannot be computed."""
    if not isinstance(current, (int, float)) or not isinstance(previous, (int, float)) or not previous:
        return None
    pct = 100.0 * (current - previous) / previous
    sign = "+" if pct > 0 else ""
    return f"{sign}{number(pct, 1)}%"


def moment(value: datetime | None) -> str:
    """'3 mrt 2024 14:05' (times are stored in UTC and shown as such, labelled)."""
    if value is None:
        return "–"
    return f"{day(value)} {value:%H:%M} UTC"


def local_moment(value: datetime | str | None) -> str:
    """A stored UTC moment as a person reads it here: '2 dec 2026 00:36' (Europe/Amsterdam)."""
    if not value:
        return ""
    from datetime import timezone
    from zoneinfo import ZoneInfo
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    return f"{day(moment)} {moment:%H:%M}"
