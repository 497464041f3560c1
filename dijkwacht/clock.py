"""The one clock for sessions and account locks.

Everything that compares times for access (idle and absolute session timeouts, the
account lock) asks `now()`, so a test can set the time instead of waiting it out.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

_fixed: datetime | None = None


def now() -> datetime:
    """The current time, UTC and timezone-aware."""
    return _fixed if _fixed is not None else datetime.now(timezone.utc)


def set_time(moment: datetime) -> None:
    """Freeze the clock at `moment` (tests only)."""
    global _fixed
    if moment.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware time")
    _fixed = moment.astimezone(timezone.utc)


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward (tests only); freezes it at now first."""
    set_time(now() + delta)


def reset() -> None:
    """Back to the real time."""
    global _fixed
    _fixed = None
