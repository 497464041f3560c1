"""Dutch formats for everything a user reads: 1.234,5 · 3 mrt 2024 · € 1.234,56 · 12,5%."""
from __future__ import annotations

import re
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


def month(value: date | datetime) -> str:
    """'okt 2025'."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def quarter(value: date | datetime, long: bool = False) -> str:
    """The quarter a date falls in: 'K2 2025', or long (tooltips) '2e kwartaal 2025'."""
    q = (value.month - 1) // 3 + 1
    return f"{q}e kwartaal {value.year}" if long else f"K{q} {value.year}"


def period(start: date | datetime, korrel: str, long: bool = False) -> str:
    """A period by its first day and grain (maand, kwartaal, jaar): 'mrt 2024', 'K1 2024',
    '2024'; long (tooltips) spells the quarter out: '1e kwartaal 2024'."""
    if korrel == "maand":
        return month(start)
    if korrel == "kwartaal":
        return quarter(start, long)
    return str(start.year)


def date_ticks(first: date | datetime, last: date | datetime, most: int = 10) -> tuple[list[date], list[str]]:
    """Dutch tick values and labels for a date axis from `first` to `last` (plotly's own
    labels would be English: 'Jan 2025'): month starts every 1, 2, 3 or 6 months ('jan 2025'),
    or year starts every 1, 2, 5 … years ('2025'), at most `most` (+1) ticks."""
    first = date(first.year, first.month, 1)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    for step in (1, 2, 3, 6, 12, 24, 60, 120, 240):
        if months / step <= most:
            break
    if step < 12:
        start = first.year * 12 + (first.month - 1) // step * step
        index = range(start, last.year * 12 + last.month + step, step)   # one beyond the last
        ticks = [date(i // 12, i % 12 + 1, 1) for i in index]
        return ticks, [month(t) for t in ticks]
    years = step // 12
    ticks = [date(y, 1, 1) for y in range(first.year // years * years, last.year + years + 1, years)]
    return ticks, [str(t.year) for t in ticks]


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


# --- user text inside markdown ------------------------------------------------------------

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md(text) -> str:
    """`text` as literal text inside Streamlit markdown (st.markdown, st.caption, st.title,
    labels): every ASCII punctuation character backslash-escaped (CommonMark allows exactly
    that), so no link, image, autolink, emphasis, code, heading, list, HTML, LaTeX or
    Streamlit colour/icon directive can form; line breaks and other control characters
    become spaces, so nothing can start a block of its own."""
    text = "".join(" " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029") else c
                   for c in str(text if text is not None else ""))
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
