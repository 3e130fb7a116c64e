"""Pure day arithmetic on the Chinese official calendar (CAL-1, CAL-3, CAL-4).

The calendar itself is passed in (`is_workday`), so this module never reads holiday data:
the calendar activity wires the real calendar, tests may wire a fake one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from domain.common import CST
from domain.deadlines import DateRange, DeadlineBasis, DueRequest

IsWorkday = Callable[[date], bool]


def end_of_day(day: date) -> datetime:
    """The instant a CST calendar day ends: the midnight that starts the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CST)


def at_noon(day: date) -> datetime:
    """A date-only fact (served on, received on) as an instant the calendar can count from."""
    return datetime.combine(day, time(12), tzinfo=CST)


def years_after(day: date, years: int) -> date:
    """The same day `years` later; 29 February falls on 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def excluded_days(ranges: Iterable[DateRange]) -> set[date]:
    days: set[date] = set()
    for span in ranges:
        day = span.start
        while day < span.end:
            days.add(day)
            day += timedelta(days=1)
    return days


def add_days(
    start: date,
    days: int,
    basis: DeadlineBasis,
    is_workday: IsWorkday,
    excluded: set[date] | None = None,
) -> date:
    """The last day of a period of `days` counted from the day after `start` (CAL-3, CAL-4).

    Excluded (paused) days do not count; on a working-day basis neither do rest days.
    """
    excluded = excluded or set()
    if basis is DeadlineBasis.calendar_days and not excluded:
        return start + timedelta(days=days)
    if basis is DeadlineBasis.fixed:
        raise ValueError("a fixed deadline is not counted in days")
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day in excluded:
            continue
        if basis is DeadlineBasis.calendar_days or is_workday(day):
            counted += 1
    return day


def roll_to_workday(day: date, is_workday: IsWorkday) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def due_for(request: DueRequest, is_workday: IsWorkday) -> datetime:
    excluded = excluded_days(request.excluded)
    if request.fixed_due is not None:
        # A date someone set moves by the paused days, day for day.
        return request.fixed_due + timedelta(days=len(excluded))
    last_day = add_days(
        request.start_at.astimezone(CST).date(),
        request.days,
        request.basis,
        is_workday,
        excluded,
    )
    if request.roll_past_holidays:
        last_day = roll_to_workday(last_day, is_workday)
    return end_of_day(last_day)
