"""Due times on the official calendar (CAL-1 to CAL-4) and the campaign dates (WA-4)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from temporalio.testing import ActivityEnvironment

from activities.calendar import CalendarActivities, OfficialCalendar, spring_festival_eve
from domain.calendar import add_days, due_for
from domain.campaign import CampaignRequest
from domain.common import CST
from domain.deadlines import DateRange, DeadlineBasis, DueRequest, DueResult
from store.calendar import save_schedule


def compute(
    engine: Engine, start: datetime, days: int, basis: DeadlineBasis, roll: bool = False
) -> DueResult:
    request = DueRequest(start_at=start, basis=basis, days=days, roll_past_holidays=roll)
    return ActivityEnvironment().run(CalendarActivities(engine).compute_due, request)


def test_cal1_fifteen_working_days_skip_national_day_week(engine: Engine) -> None:
    result = compute(
        engine, datetime(2026, 9, 28, 10, 0, tzinfo=CST), 15, DeadlineBasis.working_days
    )
    # The period's last day is Friday 23 October; it ends at the midnight after it.
    assert result.due_at == datetime(2026, 10, 24, 0, 0, tzinfo=CST).astimezone(UTC)
    assert not result.provisional
    assert result.calendar_version.startswith("chinesecalendar-")


def test_cal1_makeup_saturday_counts_as_a_working_day() -> None:
    calendar = OfficialCalendar()
    assert calendar.is_workday(date(2026, 2, 14))  # Saturday, make-up working day
    next_day = add_days(date(2026, 2, 13), 1, DeadlineBasis.working_days, calendar.is_workday)
    assert next_day == date(2026, 2, 14)


def test_cal2_a_year_the_calendar_does_not_know_is_provisional(engine: Engine) -> None:
    start = datetime(2026, 12, 28, 9, 0, tzinfo=CST)
    result = compute(engine, start, 10, DeadlineBasis.working_days)
    assert result.provisional
    # Weekends only: 29-31 Dec, then 1-8 Jan 2027 minus the weekend 2-3 Jan, gives 11 Jan.
    assert result.due_at == datetime(2027, 1, 12, 0, 0, tzinfo=CST).astimezone(UTC)
    known = compute(engine, datetime(2026, 11, 2, 9, 0, tzinfo=CST), 10, DeadlineBasis.working_days)
    assert not known.provisional


def test_cal2_loading_the_year_moves_the_due_time_and_clears_the_flag(engine: Engine) -> None:
    start = datetime(2026, 12, 28, 9, 0, tzinfo=CST)
    before = compute(engine, start, 10, DeadlineBasis.working_days)
    # New Year's Day holiday Friday 1 to Sunday 3 Jan 2027: Friday is no longer a working day.
    save_schedule(
        engine,
        2027,
        holidays=[date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)],
        makeup_workdays=[],
        source="test notice",
    )
    after = compute(engine, start, 10, DeadlineBasis.working_days)
    assert not after.provisional
    assert after.calendar_version != before.calendar_version
    # 29, 30, 31 Dec; 4 to 8 Jan; 11 and 12 Jan: the 10th working day is Tuesday 12 Jan.
    assert after.due_at == datetime(2027, 1, 13, 0, 0, tzinfo=CST).astimezone(UTC)
    assert after.due_at > before.due_at


def test_cal2_a_running_worker_sees_each_year_loaded_or_replaced(engine: Engine) -> None:
    # One worker's activities throughout, as in production: what they hold is not stale.
    activities = CalendarActivities(engine)
    request = DueRequest(
        start_at=datetime(2026, 12, 28, 9, 0, tzinfo=CST),
        basis=DeadlineBasis.working_days,
        days=10,
    )

    def run() -> DueResult:
        return ActivityEnvironment().run(activities.compute_due, request)

    before = run()
    assert before.provisional
    assert run() == before
    save_schedule(
        engine, 2027, holidays=[date(2027, 1, 1)], makeup_workdays=[], source="first notice"
    )
    loaded = run()
    assert not loaded.provisional
    assert loaded.calendar_version != before.calendar_version
    assert loaded.due_at == datetime(2027, 1, 13, 0, 0, tzinfo=CST).astimezone(UTC)
    # The notice corrected: 4 January a holiday too.
    save_schedule(
        engine,
        2027,
        holidays=[date(2027, 1, 1), date(2027, 1, 4)],
        makeup_workdays=[],
        source="corrected notice",
    )
    replaced = run()
    assert replaced.calendar_version not in (before.calendar_version, loaded.calendar_version)
    assert replaced.due_at == datetime(2027, 1, 14, 0, 0, tzinfo=CST).astimezone(UTC)
    assert run() == replaced


def test_cal3_period_ending_on_a_holiday_rolls_to_the_next_working_day(engine: Engine) -> None:
    # The 15th day after 16 Sep 2026 is 1 Oct, National Day; the holiday runs to 7 Oct, so
    # the period's last day becomes Thursday 8 Oct (it ends at the midnight after it).
    start = datetime(2026, 9, 16, 15, 0, tzinfo=CST)
    plain = compute(engine, start, 15, DeadlineBasis.calendar_days)
    rolled = compute(engine, start, 15, DeadlineBasis.calendar_days, roll=True)
    assert plain.due_at == datetime(2026, 10, 2, 0, 0, tzinfo=CST)
    assert rolled.due_at == datetime(2026, 10, 9, 0, 0, tzinfo=CST)


def test_cal4_wa1_is_not_stretched_over_holidays() -> None:
    request = DueRequest(
        start_at=datetime(2026, 9, 30, 23, 30, tzinfo=CST),  # eve of National Day
        basis=DeadlineBasis.calendar_days,
        days=3,
    )
    assert due_for(request, lambda d: False) == datetime(2026, 10, 4, 0, 0, tzinfo=CST)


def test_paused_days_do_not_count() -> None:
    request = DueRequest(
        start_at=datetime(2026, 11, 2, 9, 0, tzinfo=CST),
        basis=DeadlineBasis.calendar_days,
        days=10,
        excluded=[DateRange(start=date(2026, 11, 5), end=date(2026, 11, 8))],
    )
    assert due_for(request, lambda d: True) == datetime(2026, 11, 16, 0, 0, tzinfo=CST)
    fixed = DueRequest(
        start_at=datetime(2026, 11, 2, 9, 0, tzinfo=CST),
        basis=DeadlineBasis.fixed,
        fixed_due=datetime(2026, 11, 20, 0, 0, tzinfo=CST),
        excluded=[DateRange(start=date(2026, 11, 5), end=date(2026, 11, 8))],
    )
    assert due_for(fixed, lambda d: True) == datetime(2026, 11, 23, 0, 0, tzinfo=CST)


def test_wa4_campaign_dates(engine: Engine) -> None:
    opened = datetime(2026, 11, 30, 10, 0, tzinfo=CST)
    dues = ActivityEnvironment().run(
        CalendarActivities(engine).campaign_dues, CampaignRequest(opened_at=opened)
    )
    by_name = {d.name: d.due_at.astimezone(CST) for d in dues}
    # 30 Nov + 3 months has no 30 Feb: the last day of February.
    assert by_name["campaign_3_months"] == datetime(2027, 3, 1, 0, 0, tzinfo=CST)
    assert by_name["campaign_year_end"] == datetime(2027, 1, 1, 0, 0, tzinfo=CST)
    # Spring Festival 2027 is 6 Feb; its eve 5 Feb; cleared before the eve begins.
    assert spring_festival_eve(2027) == date(2027, 2, 5)
    assert by_name["campaign_spring_festival"] == datetime(2027, 2, 5, 0, 0, tzinfo=CST)
