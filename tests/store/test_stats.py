"""Clearance statistics on a real database at a fixed `now`: sums per county, the share settled
within the case's own deadline, days to settle, overdue cases, CST weeks and the WA-4 dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from activities.calendar import spring_festival_eve
from store.stats import Stats, StatsFilter, campaign_dates, clearance_stats
from store.tables import CaseRecord, DeadlineRecord

# Tuesday 2026-12-01, noon in Beijing.
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
DAY = timedelta(days=1)
A, B, HIDDEN = "140105", "140106", "140181"


def case(case_id: str, county: str = A, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "case_id": case_id,
        "kind": "wage_arrears",
        "status": "open",
        "county_code": county,
        "workers_count": 1,
        "amount_owed": Decimal("1000.00"),
        "amount_paid": Decimal("0.00"),
        "opened_at": NOW - 2 * DAY,
        "settled_at": None,
        "closed_at": None,
        "revision": 1,
        "updated_at": NOW,
    }
    values.update(overrides)
    return values


def deadline(case_id: str, county: str = A, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "case_id": case_id,
        "name": "settle",
        "kind": "wage_arrears",
        "county_code": county,
        "rule": "WA-1",
        "basis": "calendar_days",
        "due_at": NOW + DAY,
        "warn_at": None,
        "state": "pending",
    }
    values.update(overrides)
    return values


def insert(engine: Engine, cases: list[dict[str, Any]], deadlines: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(CaseRecord.__table__.insert(), cases)  # type: ignore[attr-defined]
        if deadlines:
            conn.execute(DeadlineRecord.__table__.insert(), deadlines)  # type: ignore[attr-defined]


def stats(engine: Engine, counties: tuple[str, ...] = (A, B), **flt: Any) -> Stats:
    with engine.connect() as conn:
        return clearance_stats(
            conn, StatsFilter(now=NOW, counties=frozenset(counties), **flt), spring_festival_eve
        )


@pytest.fixture
def county_cases(engine: Engine) -> Engine:
    insert(
        engine,
        [
            # Settled in 1 day, its WA-1 deadline met.
            case(
                "WA-2026-000001",
                status="settled",
                amount_paid=Decimal("1000.00"),
                opened_at=NOW - 3 * DAY,
                settled_at=NOW - 2 * DAY,
            ),
            # Settled in 5 days after its deadline was breached, then closed.
            case(
                "WA-2026-000002",
                status="closed",
                amount_owed=Decimal("3000.00"),
                amount_paid=Decimal("3000.00"),
                opened_at=NOW - 8 * DAY,
                settled_at=NOW - 3 * DAY,
                closed_at=NOW - 2 * DAY,
            ),
            # Open and breached: overdue.
            case(
                "WA-2026-000003",
                status="escalated",
                amount_owed=Decimal("5000.00"),
                amount_paid=Decimal("500.00"),
                opened_at=NOW - 6 * DAY,
            ),
            # Open, pending deadline past due (the worker was down): overdue as well.
            case("WA-2026-000004"),
            # Open, on track.
            case("WA-2026-000005", county=B, opened_at=NOW - DAY),
            # A county the caller is not bound to.
            case("WA-2026-000006", county=HIDDEN, amount_owed=Decimal("99999.00")),
            case("MA-2026-000001", kind="dispute", amount_owed=Decimal("7000.00")),
        ],
        [
            deadline("WA-2026-000001", state="met"),
            deadline("WA-2026-000002", state="breached", due_at=NOW - 5 * DAY),
            deadline("WA-2026-000003", state="breached", due_at=NOW - 3 * DAY),
            deadline(
                "WA-2026-000003", name="order_to_pay", rule="WA-6", state="breached", due_at=NOW
            ),
            deadline("WA-2026-000004", due_at=NOW - timedelta(minutes=5)),
            deadline("WA-2026-000005", county=B),
            deadline("WA-2026-000006", county=HIDDEN, state="breached", due_at=NOW - DAY),
        ],
    )
    return engine


def test_per_county_sums_settlement_and_overdue(county_cases: Engine) -> None:
    result = stats(county_cases)
    by_county = {c.county_code: c for c in result.counties}
    assert set(by_county) == {A, B}  # HIDDEN is not among the caller's counties
    a = by_county[A]
    assert a.cases_total == 5
    assert a.open_cases == 3  # escalated, open, and the dispute
    assert a.open_arrears_cases == 2
    assert a.amount_owed == Decimal("17000.00")
    assert a.amount_recovered == Decimal("4500.00")
    assert a.amount_outstanding == Decimal("12500.00")
    assert (a.settled, a.settled_within_deadline) == (2, 1)
    assert a.settled_within_deadline_share == 0.5
    assert (a.mean_days_to_settle, a.median_days_to_settle) == (3.0, 3.0)
    # Case 3 has two late deadlines but counts once; case 2 is closed and does not count.
    assert (a.overdue_cases, a.overdue_deadlines) == (2, 3)
    assert by_county[B].overdue_cases == 0
    assert result.totals.county_code == "all"
    assert result.totals.open_arrears_cases == 3
    assert result.totals.amount_owed == Decimal("18000.00")


def test_filters_by_county_and_kind_within_the_callers_counties(county_cases: Engine) -> None:
    only_b = stats(county_cases, county_code=B)
    assert [c.county_code for c in only_b.counties] == [B]
    # A county outside the caller's counts nothing, even when asked for by name.
    assert stats(county_cases, county_code=HIDDEN).counties == []
    disputes = stats(county_cases, kind="dispute")
    assert [(c.county_code, c.cases_total, c.open_arrears_cases) for c in disputes.counties] == [
        (A, 1, 0)
    ]
    assert disputes.campaign == []  # WA-4 is about wage-arrears cases


def test_weekly_buckets_start_on_monday_in_china_standard_time(engine: Engine) -> None:
    monday_cst = datetime(2026, 11, 30, 0, 30, tzinfo=UTC) - timedelta(hours=8)  # 00:30 CST
    sunday_cst = monday_cst - timedelta(hours=1)  # 23:30 CST the Sunday before
    insert(
        engine,
        [
            case("WA-2026-000011", opened_at=monday_cst),
            case("WA-2026-000012", opened_at=sunday_cst, closed_at=monday_cst, status="closed"),
            case("WA-2026-000013", opened_at=NOW - 100 * DAY),  # before the window
        ],
        [],
    )
    weekly = stats(engine, weeks=3).weekly
    assert [w.week_start for w in weekly] == [
        date(2026, 11, 16),
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]
    assert [(w.opened, w.closed) for w in weekly] == [(0, 0), (1, 0), (1, 1)]


def test_wa4_campaign_progress_counts_the_years_cases_left_open(county_cases: Engine) -> None:
    result = stats(county_cases)
    three_months, year_end, spring = result.campaign
    assert three_months.name == "campaign_3_months"
    assert (year_end.name, year_end.clear_by, year_end.campaign_year) == (
        "campaign_year_end",
        date(2026, 12, 31),
        2026,
    )
    assert year_end.days_left == 30
    # Six wage-arrears cases of 2026 in the caller's counties, two of them ended.
    assert (year_end.cases, year_end.cleared, year_end.left_open) == (5, 2, 3)
    # 2027's Spring Festival eve is 5 February: cleared by the 4th, like the case deadline.
    assert spring_festival_eve(2027) == date(2027, 2, 5)
    assert (spring.name, spring.clear_by, spring.campaign_year) == (
        "campaign_spring_festival",
        date(2027, 2, 4),
        2026,
    )
    assert spring.left_open == 3


def test_wa4_three_month_clearance_counts_each_case_by_its_own_clock(engine: Engine) -> None:
    three = {"name": "campaign_3_months", "rule": "WA-4", "basis": "fixed"}
    cases = [
        case("WA-2026-000101", opened_at=datetime(2026, 3, 2, tzinfo=UTC), status="settled"),
        case("WA-2026-000102", opened_at=datetime(2026, 7, 1, tzinfo=UTC)),
        case("WA-2026-000103", opened_at=NOW - 10 * DAY),
        case("WA-2026-000104", opened_at=NOW - 2 * DAY),
        case("WA-2026-000105", HIDDEN, opened_at=NOW - 2 * DAY),  # not the caller's county
        case("WA-2025-000106", opened_at=datetime(2025, 11, 1, tzinfo=UTC)),  # last year's
    ]
    deadlines = [
        deadline("WA-2026-000101", **three, due_at=datetime(2026, 6, 2, tzinfo=UTC), state="met"),
        deadline(
            "WA-2026-000102", **three, due_at=datetime(2026, 10, 1, tzinfo=UTC), state="breached"
        ),
        deadline("WA-2026-000103", **three, due_at=NOW + 80 * DAY),
        deadline("WA-2026-000104", **three, due_at=NOW + 88 * DAY),
        deadline("WA-2026-000105", HIDDEN, **three, due_at=NOW + 5 * DAY),
        deadline(
            "WA-2025-000106", **three, due_at=datetime(2026, 2, 1, tzinfo=UTC), state="breached"
        ),
    ]
    insert(engine, cases, deadlines)
    three_months = stats(engine).campaign[0]
    assert three_months.name == "campaign_3_months" and three_months.campaign_year == 2026
    assert (three_months.cases, three_months.cleared, three_months.left_open) == (4, 1, 3)
    assert three_months.overdue == 1  # past its 3 months and still open
    # The soonest case still running reaches its 3 months in 80 days.
    assert three_months.clear_by == (NOW + 80 * DAY).date()
    assert three_months.days_left == 80


def test_wa4_before_the_eve_the_spring_festival_date_is_for_last_years_cases() -> None:
    eve = spring_festival_eve(2027)
    assert campaign_dates(date(2027, 1, 10), spring_festival_eve) == [
        ("campaign_spring_festival", eve - DAY, 2026),
        ("campaign_year_end", date(2027, 12, 31), 2027),
    ]
    # From the eve on, the coming Spring Festival is next year's.
    assert campaign_dates(eve, spring_festival_eve)[1] == (
        "campaign_spring_festival",
        spring_festival_eve(2028) - DAY,
        2027,
    )
