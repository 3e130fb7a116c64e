"""Clearance statistics (欠薪动态清零) read from the read model: per county, per week, and the
WA-4 campaign dates.

Sums, counts and the weekly series run in SQL (a week starts on a Monday in China Standard
Time, counted from a fixed instant, so no week-truncation function is needed). Medians are
taken in Python over the settled cases' durations: SQLite has no median.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, select
from sqlalchemy.engine import Connection

from domain.case_ends import ABNORMAL_ENDS
from domain.common import CST
from domain.deadlines import SlaState
from store.access import county_and_kind
from store.sla import sla_state_expression
from store.tables import CaseRecord, DeadlineRecord

# A case in one of these states is done with, for clearance: paid in full, or closed.
ENDED = ("settled", "closed")
# Not open either, but not cleared: its workflow ended abnormally (domain/case_ends.py).
NOT_OPEN = (*ENDED, *sorted(ABNORMAL_ENDS))
WAGE_ARREARS = "wage_arrears"
# WA-1/WA-2: the wage-arrears case's own settle-or-escalate deadline.
SETTLE_DEADLINE = "settle"
ZERO = Decimal("0.00")
# The Spring Festival eve of a year (activities.calendar.spring_festival_eve).
EveOf = Callable[[int], date]


@dataclass(frozen=True)
class StatsFilter:
    now: datetime
    # The counties the caller is bound to: nothing outside them is counted.
    counties: Collection[str] | None
    county_code: str | None = None
    kind: str | None = None
    # The kinds the caller works on (None: every kind).
    kinds: Collection[str] | None = None
    weeks: int = 12


@dataclass
class CountyStats:
    county_code: str
    cases_total: int = 0
    open_cases: int = 0
    open_arrears_cases: int = 0
    amount_owed: Decimal = ZERO
    amount_recovered: Decimal = ZERO
    amount_outstanding: Decimal = ZERO
    settled: int = 0
    settled_within_deadline: int = 0
    settled_within_deadline_share: float | None = None
    mean_days_to_settle: float | None = None
    median_days_to_settle: float | None = None
    overdue_cases: int = 0
    overdue_deadlines: int = 0
    days_to_settle: list[float] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class WeekCount:
    week_start: date
    opened: int
    closed: int


@dataclass(frozen=True)
class CampaignProgress:
    """WA-4: the wage-arrears cases of one campaign year against one clearance date."""

    name: str
    clear_by: date
    campaign_year: int
    days_left: int
    cases: int
    cleared: int
    left_open: int
    # Of `left_open`, those already past their clearance date (the 3-month one: per case).
    overdue: int = 0


@dataclass(frozen=True)
class Stats:
    counties: list[CountyStats]
    totals: CountyStats
    weekly: list[WeekCount]
    campaign: list[CampaignProgress]


def _cases_table() -> Any:
    return CaseRecord.__table__  # type: ignore[attr-defined]


def _deadlines_table() -> Any:
    return DeadlineRecord.__table__  # type: ignore[attr-defined]


def _cases() -> Any:
    return _cases_table().c


def _deadlines() -> Any:
    return _deadlines_table().c


def _scope(flt: StatsFilter, c: Any) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.counties is not None:
        where.append(c.county_code.in_(sorted(flt.counties)))
    return where + county_and_kind(c, flt.county_code, flt.kinds, flt.kind)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _cst_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), CST).astimezone(UTC)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _county_rows(conn: Connection, flt: StatsFilter) -> dict[str, CountyStats]:
    c = _cases()
    is_open = c.status.not_in(NOT_OPEN)
    query = (
        select(
            c.county_code,
            func.count().label("cases_total"),
            func.sum(case((is_open, 1), else_=0)).label("open_cases"),
            func.sum(case((and_(is_open, c.kind == WAGE_ARREARS), 1), else_=0)).label(
                "open_arrears"
            ),
            func.coalesce(func.sum(c.amount_owed), 0).label("owed"),
            func.coalesce(func.sum(c.amount_paid), 0).label("paid"),
        )
        .where(*_scope(flt, c))
        .group_by(c.county_code)
    )
    rows: dict[str, CountyStats] = {}
    for r in conn.execute(query):
        owed, paid = Decimal(r.owed).quantize(ZERO), Decimal(r.paid).quantize(ZERO)
        rows[r.county_code] = CountyStats(
            county_code=r.county_code,
            cases_total=int(r.cases_total),
            open_cases=int(r.open_cases or 0),
            open_arrears_cases=int(r.open_arrears or 0),
            amount_owed=owed,
            amount_recovered=paid,
            amount_outstanding=owed - paid,
        )
    return rows


def _settlement(conn: Connection, flt: StatsFilter, rows: dict[str, CountyStats]) -> None:
    """Settled cases, how long each took, and whether its own deadline was met (WA-1/WA-2)."""
    c, d = _cases(), _deadlines()
    query = (
        select(c.county_code, c.opened_at, c.settled_at, d.state.label("settle_state"))
        .select_from(
            _cases_table().outerjoin(
                _deadlines_table(), and_(d.case_id == c.case_id, d.name == SETTLE_DEADLINE)
            )
        )
        .where(c.settled_at.is_not(None), *_scope(flt, c))
    )
    for r in conn.execute(query):
        stats = rows.setdefault(r.county_code, CountyStats(county_code=r.county_code))
        stats.settled += 1
        if r.settle_state == "met":
            stats.settled_within_deadline += 1
        took = _aware(r.settled_at) - _aware(r.opened_at)
        stats.days_to_settle.append(took.total_seconds() / 86400)


def _overdue(conn: Connection, flt: StatsFilter, rows: dict[str, CountyStats]) -> None:
    """Cases not yet cleared with a clock that ran out (overdue now, or breached already)."""
    c, d = _cases(), _deadlines()
    late = sla_state_expression(flt.now).in_([SlaState.overdue.value, SlaState.breached.value])
    query = (
        select(
            c.county_code,
            func.count(func.distinct(c.case_id)).label("cases"),
            func.count().label("deadlines"),
        )
        .select_from(_cases_table().join(_deadlines_table(), d.case_id == c.case_id))
        .where(late, c.status.not_in(NOT_OPEN), *_scope(flt, c))
        .group_by(c.county_code)
    )
    for r in conn.execute(query):
        stats = rows.setdefault(r.county_code, CountyStats(county_code=r.county_code))
        stats.overdue_cases = int(r.cases)
        stats.overdue_deadlines = int(r.deadlines)


def _finish(stats: CountyStats) -> CountyStats:
    days = stats.days_to_settle
    stats.settled_within_deadline_share = _share(stats.settled_within_deadline, stats.settled)
    stats.mean_days_to_settle = round(statistics.fmean(days), 2) if days else None
    stats.median_days_to_settle = round(statistics.median(days), 2) if days else None
    return stats


def _totals(rows: list[CountyStats]) -> CountyStats:
    total = CountyStats(county_code="all")
    for r in rows:
        total.cases_total += r.cases_total
        total.open_cases += r.open_cases
        total.open_arrears_cases += r.open_arrears_cases
        total.amount_owed += r.amount_owed
        total.amount_recovered += r.amount_recovered
        total.amount_outstanding += r.amount_outstanding
        total.settled += r.settled
        total.settled_within_deadline += r.settled_within_deadline
        total.overdue_cases += r.overdue_cases
        total.overdue_deadlines += r.overdue_deadlines
        total.days_to_settle.extend(r.days_to_settle)
    return _finish(total)


WEEK_SECONDS = 7 * 86400
UNIX_EPOCH_JULIAN_DAY = 2440587.5


def _week_index(moment: Any, since: datetime, dialect: str) -> ColumnElement[int]:
    """Whole weeks from `since` to the column's instant, in SQL (never negative here: rows
    before `since` are filtered out), so the database counts per week and returns one row each.
    """
    if dialect == "sqlite":
        # UTCDateTime keeps UTC text; julianday reads it. CAST truncates, which is floor here.
        seconds = (func.julianday(moment) - UNIX_EPOCH_JULIAN_DAY) * 86400.0
        return cast((seconds - since.timestamp()) / WEEK_SECONDS, Integer)
    seconds = func.extract("epoch", moment)
    return cast(func.floor((seconds - since.timestamp()) / WEEK_SECONDS), Integer)


def _per_week(conn: Connection, flt: StatsFilter, moment: Any, since: datetime) -> dict[int, int]:
    c = _cases()
    weeks = (
        select(_week_index(moment, since, conn.dialect.name).label("week"))
        .where(moment >= since, *_scope(flt, c))
        .subquery("weeks")
    )
    counted = select(weeks.c.week, func.count()).group_by(weeks.c.week)
    return {int(week): int(count) for week, count in conn.execute(counted)}


def _weekly(conn: Connection, flt: StatsFilter) -> list[WeekCount]:
    """Cases opened and cases cleared (settled or closed, whichever came first) per CST week,
    each week starting on a Monday at midnight in Beijing."""
    c = _cases()
    today = flt.now.astimezone(CST).date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=flt.weeks - 1)
    since = _cst_midnight(first)
    opened = _per_week(conn, flt, c.opened_at, since)
    closed = _per_week(conn, flt, func.coalesce(c.settled_at, c.closed_at), since)
    return [
        WeekCount(first + timedelta(weeks=i), opened.get(i, 0), closed.get(i, 0))
        for i in range(flt.weeks)
    ]


def _campaign_year_cases(conn: Connection, flt: StatsFilter, year: int) -> tuple[int, int]:
    c = _cases()
    start, end = _cst_midnight(date(year, 1, 1)), _cst_midnight(date(year + 1, 1, 1))
    query = select(func.count(), func.sum(case((c.status.in_(ENDED), 1), else_=0))).where(
        c.kind == WAGE_ARREARS,
        c.opened_at >= start,
        c.opened_at < end,
        *_scope(flt, c),
    )
    total, cleared = conn.execute(query).one()
    return int(total or 0), int(cleared or 0)


def campaign_dates(today: date, eve_of: EveOf) -> list[tuple[str, date, int]]:
    """WA-4: the coming clearance dates as (name, clear-by day, campaign year).

    The year's cases are cleared by 31 December, and before the Spring Festival that follows
    (by the day before its eve, as the case's own campaign deadline has it). `eve_of(year)`
    is the Spring Festival eve of `year`, from the calendar code.
    """
    before_eve: date = eve_of(today.year) - timedelta(days=1)
    if today <= before_eve:
        spring = ("campaign_spring_festival", before_eve, today.year - 1)
    else:
        spring = (
            "campaign_spring_festival",
            eve_of(today.year + 1) - timedelta(days=1),
            today.year,
        )
    year_end = ("campaign_year_end", date(today.year, 12, 31), today.year)
    return sorted([year_end, spring], key=lambda item: item[1])


THREE_MONTHS = "campaign_3_months"


def _three_months(conn: Connection, flt: StatsFilter, today: date) -> CampaignProgress:
    """WA-4's third clearance: each case opened this year cleared within 3 months of its
    opening, counted from its own `campaign_3_months` clock; `clear_by` is the soonest such
    date still running."""
    c, d = _cases(), _deadlines()
    start, end = _cst_midnight(date(today.year, 1, 1)), _cst_midnight(date(today.year + 1, 1, 1))
    query = (
        select(d.state, func.count(), func.min(d.due_at))
        .select_from(_deadlines_table().join(_cases_table(), d.case_id == c.case_id))
        .where(
            d.name == THREE_MONTHS,
            c.kind == WAGE_ARREARS,
            c.opened_at >= start,
            c.opened_at < end,
            *_scope(flt, c),
        )
        .group_by(d.state)
    )
    counts: dict[str, int] = {}
    soonest: datetime | None = None
    for state, count, first_due in conn.execute(query):
        counts[state] = int(count)
        if state == "pending" and first_due is not None:
            soonest = _aware(first_due)
    clear_by = soonest.astimezone(CST).date() if soonest else today
    pending, breached = counts.get("pending", 0), counts.get("breached", 0)
    total = sum(counts.values()) - counts.get("cancelled", 0)
    return CampaignProgress(
        name=THREE_MONTHS,
        clear_by=clear_by,
        campaign_year=today.year,
        days_left=(clear_by - today).days,
        cases=total,
        cleared=counts.get("met", 0),
        left_open=pending + breached,
        overdue=breached,
    )


def _campaign(conn: Connection, flt: StatsFilter, eve_of: EveOf) -> list[CampaignProgress]:
    if (flt.kind and flt.kind != WAGE_ARREARS) or (
        flt.kinds is not None and WAGE_ARREARS not in flt.kinds
    ):
        return []
    today = flt.now.astimezone(CST).date()
    progress = [_three_months(conn, flt, today)]
    for name, clear_by, year in campaign_dates(today, eve_of):
        total, cleared = _campaign_year_cases(conn, flt, year)
        progress.append(
            CampaignProgress(
                name=name,
                clear_by=clear_by,
                campaign_year=year,
                days_left=(clear_by - today).days,
                cases=total,
                cleared=cleared,
                left_open=total - cleared,
            )
        )
    return progress


def clearance_stats(conn: Connection, flt: StatsFilter, eve_of: EveOf) -> Stats:
    rows = _county_rows(conn, flt)
    _settlement(conn, flt, rows)
    _overdue(conn, flt, rows)
    counties = [_finish(rows[k]) for k in sorted(rows)]
    return Stats(
        counties=counties,
        totals=_totals(counties),
        weekly=_weekly(conn, flt),
        campaign=_campaign(conn, flt, eve_of),
    )
