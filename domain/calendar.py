"""Pure day arithmetic on the Chinese official calendar (CAL-1, CAL-3, CAL-4).

The calendar itself is passed in (`is_workday`), so this module never imports the holiday
data: activities wire the real calendar, tests may wire a fake one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from domain.common import CST
from domain.deadlines import DeadlineBasis

IsWorkday = Callable[[date], bool]


def end_of_day(day: date) -> datetime:
    """The instant a CST calendar day ends: the midnight that starts the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CST)


def add_days(start: date, days: int, basis: DeadlineBasis, is_workday: IsWorkday) -> date:
    """The last day of a period of `days` counted from the day after `start` (CAL-3, CAL-4)."""
    if basis is DeadlineBasis.calendar_days:
        return start + timedelta(days=days)
    if basis is DeadlineBasis.working_days:
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if is_workday(day):
                counted += 1
        return day
    raise ValueError(f"cannot add days on a {basis.value} basis")


def roll_to_workday(day: date, is_workday: IsWorkday) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def due_instant(
    start_at: datetime,
    days: int,
    basis: DeadlineBasis,
    is_workday: IsWorkday,
    *,
    roll_past_holidays: bool = False,
) -> datetime:
    last_day = add_days(start_at.astimezone(CST).date(), days, basis, is_workday)
    if roll_past_holidays:
        last_day = roll_to_workday(last_day, is_workday)
    return end_of_day(last_day)
