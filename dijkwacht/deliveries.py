"""Is every partner delivering on schedule? (the steward's desk, item 3)

Pure: the schedule ([aanlevering] in gemeente.toml, config.aanlevering), each source's last
delivery and today in; per source its partner, last delivery, next due date, days late and
one Dutch line out. The gateway (dijkwacht/app/data.py `delivery_status`) feeds it the served
database's `bronstand` and the app's clock.

What a *delivery* is: the day a file of the source was last loaded into the served database
(`bronstand.geladen_op`, in Europe/Amsterdam), not its latest record date (`stand_per`).
A partner owes a file on a date; the records in it may well end earlier — a month without a
dismantled grow site is an on-time delivery with an old *stand per*, and a late file can
still hold last week's records. `geladen_op` moves only when a file of the source passes the
checks and is published (a rejected file or a copy sent again does not move it), so a source
is on time only when the data people see was renewed, and every role that sees *Stand per
bron* may see it (the load runs in the state database are the beheerder's alone). A rollback
brings back the restored version's dates, which is what is then served.

The rules:
- `elke_dagen = N`: the next file is due N days after the last delivery.
- `dag_van_de_maand = D`: a file every month, due by day D (the month's last day when the
  month is shorter). A file loaded on any day of a month counts for that month, so the next
  one is due by day D of the following month, whether this one came early or late.
- Nothing is due before the schedule took effect (`vanaf`): a source never delivered is due
  N days after `vanaf`, or by the first day D on or after it.
- Late means today is after the due date plus the grace (`coulance_dagen`); it is then late
  by every day since the due date. On the due date itself a file is on time.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from dijkwacht import clock
from dijkwacht.config import Aanlevering
from dijkwacht.formats import day

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MARK = "⚠"


@dataclass(frozen=True)
class Delivery:
    source: str               # the source's name (bronstand.bron)
    partner: str
    plan: str                 # the rule in Dutch: "elke 92 dagen", "maandelijks, uiterlijk de 10e"
    last: date | None         # the last delivery (None: never delivered)
    due: date                 # the next delivery is expected by this day
    days_late: int            # 0: on time (or still within the grace)
    grace: int                # coulance_dagen
    line: str                 # one Dutch line for people

    @property
    def late(self) -> bool:
        return self.days_late > 0

    @property
    def mark(self) -> str:
        """The short mark beside the source (sidebar): '' when on time."""
        return f"{MARK} levering {days_text(self.days_late)} te laat" if self.late else ""


def today() -> date:
    """The app's today: the clock (dijkwacht/clock.py) in Europe/Amsterdam."""
    return clock.now().astimezone(AMSTERDAM).date()


def delivery_day(loaded: datetime | None) -> date | None:
    """The day (Europe/Amsterdam) of a load time as stored (naive UTC, bronstand.geladen_op)."""
    if loaded is None:
        return None
    if loaded.tzinfo is None:
        loaded = loaded.replace(tzinfo=timezone.utc)
    return loaded.astimezone(AMSTERDAM).date()


def last_deliveries(bronstand: Iterable[Mapping]) -> dict[str, date | None]:
    """{bron: last delivery day} from the rows of the `bronstand` query."""
    return {row["bron"]: delivery_day(row["geladen_op"]) for row in bronstand}


def _day_in_month(year: int, month: int, wanted: int) -> date:
    """Day `wanted` of the month, or its last day when the month is shorter (31 → 28 or 29 feb)."""
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def _month_after(moment: date, wanted: int) -> date:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return _day_in_month(year, month, wanted)


def first_due(plan: Aanlevering) -> date:
    """When the first delivery after the schedule took effect is due."""
    if plan.elke_dagen is not None:
        return plan.vanaf + timedelta(days=plan.elke_dagen)
    this_month = _day_in_month(plan.vanaf.year, plan.vanaf.month, plan.dag_van_de_maand)
    return this_month if this_month >= plan.vanaf else _month_after(plan.vanaf, plan.dag_van_de_maand)


def next_due(plan: Aanlevering, last: date | None) -> date:
    """The day by which the next delivery is expected, given the last one (None: never)."""
    start = first_due(plan)
    if last is None:
        return start
    if plan.elke_dagen is not None:
        after = last + timedelta(days=plan.elke_dagen)
    else:
        after = _month_after(last, plan.dag_van_de_maand)
    return max(after, start)


def describe(plan: Aanlevering) -> str:
    """The rule in Dutch: 'elke 92 dagen' or 'maandelijks, uiterlijk de 10e'."""
    if plan.elke_dagen is not None:
        return "elke dag" if plan.elke_dagen == 1 else f"elke {plan.elke_dagen} dagen"
    if plan.dag_van_de_maand >= 29:
        rule = f"maandelijks, uiterlijk de {plan.dag_van_de_maand}e (of de laatste dag van de maand)"
    else:
        rule = f"maandelijks, uiterlijk de {plan.dag_van_de_maand}e"
    return rule


def days_text(n: int) -> str:
    """'1 dag', '12 dagen'."""
    return f"{n} dag" if n == 1 else f"{n} dagen"


def _line(plan: Aanlevering, last: date | None, due: date, days_late: int, today: date) -> str:
    head = f"{plan.partner}: levering {plan.bron.replace('_', ' ')}"
    never = ", nog nooit geleverd" if last is None else ""
    if days_late:
        return f"{head} {days_text(days_late)} te laat{never} (verwacht uiterlijk {day(due)})"
    if today > due:
        return (f"{head} verwacht uiterlijk {day(due)}{never}; nog binnen de coulance van "
                f"{days_text(plan.coulance_dagen)}")
    if last is None:
        return (f"{plan.partner}: {plan.bron.replace('_', ' ')} nog nooit geleverd; de eerste levering "
                f"wordt uiterlijk {day(due)} verwacht")
    return f"{head} op tijd (laatst {day(last)}; de volgende uiterlijk {day(due)})"


def check(plan: Aanlevering, last: date | None, today: date) -> Delivery:
    """One source against its schedule on `today`."""
    due = next_due(plan, last)
    behind = (today - due).days
    days_late = behind if behind > plan.coulance_dagen else 0
    return Delivery(plan.bron, plan.partner, describe(plan), last, due, days_late, plan.coulance_dagen,
                    _line(plan, last, due, days_late, today))


def status(schedule: Iterable[Aanlevering], last: Mapping[str, date | None], today: date) -> list[Delivery]:
    """Every scheduled source on `today`: the late ones first (the latest first), then by due
    date. `last`: {bron: last delivery day}; a source missing from it was never delivered."""
    found = [check(plan, last.get(plan.bron), today) for plan in schedule]
    return sorted(found, key=lambda d: (-d.days_late, d.due))
