"""Due times on the official calendar (CAL-1 to CAL-4)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from temporalio.testing import ActivityEnvironment

from activities.calendar import CalendarActivities
from domain.calendar import add_days, due_instant
from domain.common import CST
from domain.deadlines import DeadlineBasis, DueRequest, DueResult


def compute(start: datetime, days: int, basis: DeadlineBasis, roll: bool = False) -> DueResult:
    request = DueRequest(start_at=start, basis=basis, days=days, roll_past_holidays=roll)
    return ActivityEnvironment().run(CalendarActivities().compute_due, request)


def test_cal1_fifteen_working_days_skip_national_day_week() -> None:
    start = datetime(2026, 9, 28, 10, 0, tzinfo=CST)
    result = compute(start, 15, DeadlineBasis.working_days)
    assert result.due_at.astimezone(CST).date() == date(2026, 10, 24)  # end of Fri 23 Oct
    assert result.due_at == datetime(2026, 10, 24, 0, 0, tzinfo=CST).astimezone(UTC)
    assert not result.provisional
    assert result.calendar_version.startswith("chinesecalendar-")


def test_cal1_makeup_saturday_counts_as_a_working_day() -> None:
    from activities.calendar import OfficialCalendar

    assert OfficialCalendar().is_workday(date(2026, 2, 14))  # Saturday, make-up working day
    # Friday 13 Feb + 1 working day is the make-up Saturday, not Monday.
    calendar = OfficialCalendar()
    next_day = add_days(date(2026, 2, 13), 1, DeadlineBasis.working_days, calendar.is_workday)
    assert next_day == date(2026, 2, 14)


def test_cal2_a_year_the_calendar_does_not_know_is_provisional() -> None:
    result = compute(datetime(2026, 12, 28, 9, 0, tzinfo=CST), 10, DeadlineBasis.working_days)
    assert result.provisional
    known = compute(datetime(2026, 11, 2, 9, 0, tzinfo=CST), 10, DeadlineBasis.working_days)
    assert not known.provisional


def test_cal3_period_ending_on_a_holiday_rolls_to_the_next_working_day() -> None:
    # The 15th day after 16 Sep 2026 is 1 Oct, National Day; the holiday runs to 7 Oct, so
    # the period's last day becomes Thursday 8 Oct (it ends at the midnight after it).
    start = datetime(2026, 9, 16, 15, 0, tzinfo=CST)
    plain = compute(start, 15, DeadlineBasis.calendar_days)
    rolled = compute(start, 15, DeadlineBasis.calendar_days, roll=True)
    assert plain.due_at == datetime(2026, 10, 2, 0, 0, tzinfo=CST)
    assert rolled.due_at == datetime(2026, 10, 9, 0, 0, tzinfo=CST)


def test_cal4_wa1_is_not_stretched_over_holidays() -> None:
    opened = datetime(2026, 9, 30, 23, 30, tzinfo=CST)  # eve of National Day
    due = due_instant(opened, 3, DeadlineBasis.calendar_days, lambda d: False)
    assert due == datetime(2026, 10, 4, 0, 0, tzinfo=CST)
