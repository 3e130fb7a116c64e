"""CAL-2: loading a year's official schedule recomputes every pending provisional deadline,
through each case's workflow, on the time-skipping server."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.calendar import calendar_version
from activities.calendar_sweep import SweepProgress, SweepRequest
from domain.common import CST
from domain.deadlines import Deadline, DeadlineState, RecomputeResult
from domain.wage_arrears.view import WageArrearsView
from ops.calendar_sweep import (
    ChangedCase,
    SweepReport,
    recompute_pending_deadlines,
    stale_case_ids,
)
from store.calendar import load_schedules, save_schedule
from store.db import make_engine
from store.tables import CaseRecord, DeadlineRecord
from tests import factories as f
from tests.workflows.conftest import Harness
from tests.workflows.expected_dates import year_known
from workflows.calendar_sweep import CalendarSweepWorkflow, sweep_id

INVESTIGATION = "investigation"  # WA-12: 60 working days from opening, for an inspection


async def move_to_late_in_last_known_year(harness: Harness) -> None:
    """Puts the server clock where a 60-working-day period ends in a year the calendar package
    does not know, whatever date the tests run on (the clock only moves forward)."""
    now = (await harness.now()).astimezone(CST)
    year = now.year
    while year_known(year):
        year += 1
    if year == now.year:
        # Earlier tests on this server moved its clock into a year the package does not know:
        # that year is loaded (no holidays), so the period starts in a known year and only the
        # year it ends in is unknown, as on a real date late in the last known year.
        save_schedule(harness.engine, year, [], [], source="test")
        year += 1
    # From 2 November, 60 working days end late in January of the next year; from a later
    # date they end later in it.
    await harness.sleep_until(datetime(year - 1, 11, 2, 10, 0, tzinfo=CST))


# Written out here rather than taken from domain.calendar, so a mistake there shows.
def last_day(due_at: datetime) -> date:
    """A due time is the midnight (CST) that ends the period's last day."""
    return due_at.astimezone(CST).date() - timedelta(days=1)


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CST)


def next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def as_utc(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; the read model stores UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def investigation(view: WageArrearsView) -> Deadline:
    return [d for d in view.state.deadlines if d.name == INVESTIGATION][-1]


def current_version(engine: Engine) -> str:
    return calendar_version(load_schedules(engine))


def deadline_rows(engine: Engine) -> list[DeadlineRecord]:
    with Session(engine) as session:
        return list(session.exec(select(DeadlineRecord)))


def investigation_rows(engine: Engine) -> dict[str, DeadlineRecord]:
    return {row.case_id: row for row in deadline_rows(engine) if row.name == INVESTIGATION}


def load_holidays_on(engine: Engine, days: set[date]) -> None:
    """Declares each given day a holiday in its year: every deadline ending on one moves."""
    for year in {day.year for day in days}:
        in_year = sorted(day for day in days if day.year == year)
        save_schedule(engine, year, holidays=in_year, makeup_workdays=[], source="test")


async def open_inspection(harness: Harness) -> WorkflowHandle[Any, Any]:
    return await harness.open_case(f.intake(source="inspection"))


async def test_cal2_loading_the_year_moves_a_provisional_deadline_and_its_timer(
    harness: Harness,
) -> None:
    await move_to_late_in_last_known_year(harness)
    handle = await open_inspection(harness)
    before = investigation(await harness.view(handle))
    assert before.provisional and before.pending, before
    old_last = last_day(before.due_at)
    assert not year_known(old_last.year)
    expected = end_of(next_weekday(old_last))

    save_schedule(harness.engine, old_last.year, [old_last], [], source="test")
    version = current_version(harness.engine)
    report = await recompute_pending_deadlines(harness.client, harness.engine, version)

    assert report == SweepReport(
        calendar_version=version,
        cases_checked=1,
        changed=[ChangedCase(case_id=handle.id, deadlines=[INVESTIGATION])],
    )
    after = investigation(await harness.view(handle))
    assert after.due_at == expected
    assert not after.provisional and after.calendar_version == version
    assert after.ledger[-1].change == "recomputed"
    row = investigation_rows(harness.engine)[handle.id]
    assert as_utc(row.due_at) == expected
    assert not row.provisional and row.calendar_version == version

    again = await recompute_pending_deadlines(harness.client, harness.engine, version)
    assert again == SweepReport(calendar_version=version, cases_checked=0)

    # The workflow's timer moved with the due time: nothing at the old one, a breach at the new.
    await harness.sleep_until(before.due_at + timedelta(minutes=1))
    assert investigation(await harness.view(handle)).pending
    await harness.sleep_until(expected + timedelta(minutes=1))
    view = await harness.view(handle)
    assert investigation(view).state is DeadlineState.breached
    breach = next(b for b in view.state.breaches if b.deadline == INVESTIGATION)
    assert expected <= breach.at < expected + timedelta(minutes=1)


async def test_cal2_a_year_that_touches_no_deadline_moves_nothing(harness: Harness) -> None:
    """A schedule for a year no period reaches: the case is asked, its deadline stays where it
    was (still provisional) on the new version, and a second sweep moves nothing either."""
    await move_to_late_in_last_known_year(harness)
    handle = await open_inspection(harness)
    before = investigation(await harness.view(handle))
    far = last_day(before.due_at).year + 50
    save_schedule(harness.engine, far, [date(far, 1, 1)], [], source="test")
    version = current_version(harness.engine)

    report = await recompute_pending_deadlines(harness.client, harness.engine, version)

    assert report == SweepReport(calendar_version=version, cases_checked=1, unchanged=1)
    after = investigation(await harness.view(handle))
    assert (after.due_at, after.provisional) == (before.due_at, True)
    assert after.calendar_version == version
    again = await recompute_pending_deadlines(harness.client, harness.engine, version)
    assert again.changed == [] and again.failed == []


async def test_cal2_one_sweep_over_200_running_cases_leaves_none_behind(
    harness: Harness,
) -> None:
    await move_to_late_in_last_known_year(harness)
    handles: list[WorkflowHandle[Any, Any]] = []
    for _ in range(4):
        handles += await asyncio.gather(*(open_inspection(harness) for _ in range(50)))
    case_ids = {h.id for h in handles}
    before = investigation_rows(harness.engine)
    assert set(before) == case_ids
    assert all(row.provisional for row in before.values())

    load_holidays_on(harness.engine, {last_day(as_utc(row.due_at)) for row in before.values()})
    version = current_version(harness.engine)
    report = await recompute_pending_deadlines(harness.client, harness.engine, version)

    assert report.failed == [] and report.unchanged == 0
    assert report.cases_checked == 200
    assert {c.case_id for c in report.changed} == case_ids
    assert all(c.deadlines == [INVESTIGATION] for c in report.changed)
    left_behind = [
        (row.case_id, row.name)
        for row in deadline_rows(harness.engine)
        if row.state == "pending"
        and (row.provisional or (row.computed and row.calendar_version != version))
    ]
    assert left_behind == []
    after = investigation_rows(harness.engine)
    assert all(as_utc(after[i].due_at) > as_utc(before[i].due_at) for i in case_ids)

    again = await recompute_pending_deadlines(harness.client, harness.engine, version)
    assert again == SweepReport(calendar_version=version, cases_checked=0)


async def test_cal2_a_case_ended_outside_the_engine_fails_alone(harness: Harness) -> None:
    """The read model still shows a terminated case as running: its update fails, is reported,
    and the other cases are recomputed all the same."""
    await move_to_late_in_last_known_year(harness)
    handles = [await open_inspection(harness) for _ in range(3)]
    gone = handles[1]
    await gone.terminate("ended outside the engine")
    rows = investigation_rows(harness.engine)
    load_holidays_on(harness.engine, {last_day(as_utc(row.due_at)) for row in rows.values()})
    version = current_version(harness.engine)

    report = await recompute_pending_deadlines(harness.client, harness.engine, version)

    assert report.cases_checked == 3
    assert [c.case_id for c in report.failed] == [gone.id]
    assert "workflow is terminated" in report.failed[0].error
    assert sorted(c.case_id for c in report.changed) == sorted(
        h.id for h in handles if h is not gone
    )
    survivors = investigation_rows(harness.engine)
    assert all(
        survivors[h.id].calendar_version == version and not survivors[h.id].provisional
        for h in handles
        if h is not gone
    )

    # Nothing left to move; the ended case keeps failing until its read-model row is fixed.
    again = await recompute_pending_deadlines(harness.client, harness.engine, version)
    assert again.changed == [] and [c.case_id for c in again.failed] == [gone.id]


# The read-model query and the fan-out, without Temporal.


def _case(case_id: str, status: str = "open") -> CaseRecord:
    return CaseRecord(
        case_id=case_id,
        kind="wage_arrears",
        status=status,
        county_code=f.COUNTY,
        opened_at=datetime(2026, 11, 2, tzinfo=UTC),
    )


def _deadline(
    case_id: str,
    name: str = INVESTIGATION,
    *,
    version: str = "old",
    state: str = "pending",
    computed: bool = True,
    provisional: bool = False,
) -> DeadlineRecord:
    return DeadlineRecord(
        case_id=case_id,
        name=name,
        kind="wage_arrears",
        county_code=f.COUNTY,
        rule="WA-12",
        basis="working_days" if computed else "fixed",
        due_at=datetime(2027, 1, 28, 16, tzinfo=UTC),
        state=state,
        provisional=provisional,
        computed=computed,
        calendar_version=version,
    )


def _engine_with(database_url: str, rows: list[CaseRecord | DeadlineRecord]) -> Engine:
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
    return engine


def test_cal2_stale_cases_are_running_with_a_pending_deadline_on_another_calendar(
    database_url: str,
) -> None:
    engine = _engine_with(
        database_url,
        [
            _case("WA-A"),
            _deadline("WA-A"),
            _case("WA-B"),
            _deadline("WA-B", version="new"),
            _case("WA-C", status="closed"),
            _deadline("WA-C"),
            _case("WA-D"),
            _deadline("WA-D", state="met"),
            _case("WA-E"),
            _deadline("WA-E", "campaign_year_end", computed=False, version="lunardate"),
            _case("WA-F"),
            _deadline("WA-F", version="new", provisional=True),
            _case("WA-G", status="escalated"),
            _deadline("WA-G"),
            _deadline("WA-G", "deposit_payout"),
        ],
    )
    assert stale_case_ids(engine, "new") == ["WA-A", "WA-F", "WA-G"]


class _FakeHandle:
    def __init__(self, client: _FakeClient, case_id: str) -> None:
        self.client, self.case_id = client, case_id

    async def execute_update(self, name: str, cmd: Any, **_: Any) -> RecomputeResult:
        assert name == "recompute_deadlines" and cmd.calendar_version == "new"
        self.client.in_flight += 1
        self.client.most_in_flight = max(self.client.most_in_flight, self.client.in_flight)
        try:
            await asyncio.sleep(0.01)
            if self.case_id == "WA-03":
                raise RPCError("unavailable", RPCStatusCode.UNAVAILABLE, b"")
            if self.case_id == "WA-07":
                raise RuntimeError("boom")
            changed = [INVESTIGATION] if int(self.case_id[-2:]) % 2 else []
            return RecomputeResult(case_id=self.case_id, changed=changed)
        finally:
            self.client.in_flight -= 1


class _FakeClient:
    def __init__(self) -> None:
        self.in_flight = 0
        self.most_in_flight = 0

    def get_workflow_handle(self, case_id: str) -> _FakeHandle:
        return _FakeHandle(self, case_id)


async def test_cal2_sweep_is_bounded_and_one_failure_stops_no_other_case(
    database_url: str,
) -> None:
    ids = [f"WA-{n:02d}" for n in range(1, 21)]
    engine = _engine_with(database_url, [row for i in ids for row in (_case(i), _deadline(i))])
    client = _FakeClient()

    report = await recompute_pending_deadlines(client, engine, "new", concurrency=3)  # type: ignore[arg-type]

    assert client.most_in_flight == 3
    assert report.cases_checked == 20
    assert [(c.case_id, c.error) for c in report.failed] == [
        ("WA-03", "UNAVAILABLE: unavailable"),
        ("WA-07", "RuntimeError: boom"),
    ]
    odd = [i for i in ids if int(i[-2:]) % 2 and i not in ("WA-03", "WA-07")]
    assert [c.case_id for c in report.changed] == odd
    assert report.unchanged == 20 - 2 - len(odd)


# The sweep as background work: CalendarSweepWorkflow, batch by batch.


async def _sweep(harness: Harness, version: str, **request: Any) -> SweepProgress:
    handle = await harness.client.start_workflow(
        CalendarSweepWorkflow.run,
        SweepRequest(calendar_version=version, year=None, **request),
        id=sweep_id(version, None),
        task_queue=harness.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    result: SweepProgress = await handle.result()
    return result


async def test_cal2_the_sweep_workflow_walks_batches_and_continues_as_new(
    harness: Harness,
) -> None:
    """Five stale cases, batches of two, two batches per run: three batches over two
    continue-as-new, the counts and cursor carried, every case recomputed; run again (the
    same id), it finds nothing left."""
    await move_to_late_in_last_known_year(harness)
    handles = [await open_inspection(harness) for _ in range(5)]
    rows = investigation_rows(harness.engine)
    load_holidays_on(harness.engine, {last_day(as_utc(row.due_at)) for row in rows.values()})
    version = current_version(harness.engine)

    progress = await _sweep(harness, version, batch_size=2, batches_per_run=2, concurrency=2)

    assert progress.done and progress.batches == 3
    assert (progress.cases_checked, progress.changed, progress.failed) == (5, 5, 0)
    assert progress.cursor == max(h.id for h in handles)
    after = investigation_rows(harness.engine)
    assert all(
        not after[h.id].provisional and after[h.id].calendar_version == version for h in handles
    )
    # Continue-as-new happened: the sweep's latest run is not its first.
    described = await harness.client.get_workflow_handle(sweep_id(version, None)).describe()
    assert described.run_id != described.raw_description.workflow_execution_info.first_run_id

    again = await _sweep(harness, version)
    assert again.done and again.cases_checked == 0


async def test_cal2_a_sweep_started_twice_runs_once(harness: Harness) -> None:
    """The same calendar version's sweep started again while it runs joins it (one run)."""
    await move_to_late_in_last_known_year(harness)
    await open_inspection(harness)
    version = current_version(harness.engine)
    request = SweepRequest(calendar_version=version, year=2031)
    started = [
        await harness.client.start_workflow(
            CalendarSweepWorkflow.run,
            request,
            id=sweep_id(version, 2031),
            task_queue=harness.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
        for _ in range(2)
    ]
    first, second = started

    assert first.result_run_id == second.result_run_id
    result: SweepProgress = await first.result()
    assert result.done and result.failed == 0
