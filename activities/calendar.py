"""Due times on the official calendar (CAL-1 to CAL-4): the only place holiday data is read."""

from __future__ import annotations

from datetime import date
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar
from temporalio import activity

from domain.calendar import due_instant
from domain.common import utc
from domain.deadlines import DeadlineBasis, DueRequest, DueResult


def _calendar_version() -> str:
    try:
        return f"chinesecalendar-{version('chinesecalendar')}"
    except PackageNotFoundError:
        return "chinesecalendar-unknown"


class OfficialCalendar:
    """The State Council schedule as the `chinesecalendar` package knows it.

    CAL-2: a year the package does not cover is counted with weekends only, and a result that
    touched such a year is provisional.
    """

    def __init__(self) -> None:
        self.version = _calendar_version()
        self.touched_unknown_year = False

    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.touched_unknown_year = True
            return day.weekday() < 5


class CalendarActivities:
    @activity.defn
    def compute_due(self, request: DueRequest) -> DueResult:
        calendar = OfficialCalendar()
        if request.basis is DeadlineBasis.fixed:
            raise ValueError("a fixed deadline has no computed due time")
        due = due_instant(
            request.start_at,
            request.days,
            request.basis,
            calendar.is_workday,
            roll_past_holidays=request.roll_past_holidays,
        )
        return DueResult(
            due_at=utc(due),
            calendar_version=calendar.version,
            provisional=calendar.touched_unknown_year,
        )
