"""Expected dates for the workflow tests, worked out independently of domain/calendar.py and
activities/calendar.py: the official calendar from `chinese_calendar`, or a schedule a test
loads (CAL-1, CAL-2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import chinese_calendar

from domain.common import CST


class Workdays:
    """The official calendar as the tests see it: a loaded year's schedule wins, then the
    package, then weekends only for a year nobody knows (CAL-1, CAL-2)."""

    def __init__(
        self, holidays: Iterable[date] = (), makeup: Iterable[date] = (), year: int | None = None
    ) -> None:
        self.holidays, self.makeup, self.year = set(holidays), set(makeup), year

    def __call__(self, day: date) -> bool:
        if day.year == self.year:
            return day not in self.holidays and (day in self.makeup or day.weekday() < 5)
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add(self, day: date, n: int) -> date:
        """The n-th working day after `day`."""
        while n:
            day += timedelta(days=1)
            n -= self(day)
        return day

    def between(self, first: date, end: date) -> int:
        """Working days in [first, end)."""
        return sum(self(first + timedelta(days=i)) for i in range((end - first).days))


OFFICIAL = Workdays()


def midnight_after(day: date) -> datetime:
    """The instant a CST day ends."""
    return datetime.combine(day + timedelta(days=1), time(0), CST)


def cst_day(moment: datetime) -> date:
    return moment.astimezone(CST).date()


def year_known(year: int) -> bool:
    """Whether `chinese_calendar` has the official schedule of `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True
