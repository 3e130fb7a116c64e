"""Admin: the official holiday schedules (State Council notices) and CAL-2's recompute.

Loading a year's schedule recomputes, in every running case, each pending deadline computed
on another calendar, so deadlines counted with weekends only in a year the calendar did not
know (provisional) take the official working days once they are published. The recompute is
background work (`CalendarSweepWorkflow`, workflows/calendar_sweep.py): the request answers
202 with the sweep's id, and `GET /sweeps/{sweep_id}` shows its progress.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.calendar import calendar_version, package_version
from activities.calendar_sweep import SweepProgress, SweepRequest
from api.auth import require_roles
from api.deps import EngineDep, SettingsDep, TemporalClientDep
from api.errors import ApiError
from core.rows import from_attributes
from domain.common import Role, StrictModel
from store.calendar import CalendarYearRecord, load_schedules, save_schedule
from workflows.calendar_sweep import CalendarSweepWorkflow, sweep_id

RPC_TIMEOUT = timedelta(seconds=30)

log = structlog.get_logger("api.calendar")


# The official calendar moves every running case's deadlines: admins only (403 for others).
router = APIRouter(
    prefix="/api/v1/admin/calendar", tags=["admin"], dependencies=[require_roles(Role.admin)]
)

Year = Annotated[int, Path(ge=2000, le=2100, description="the calendar year, e.g. 2027")]


class CalendarYear(BaseModel):
    year: int
    source: str
    digest: str
    loaded_at: datetime
    holiday_count: int
    makeup_workday_count: int


class CalendarOverview(BaseModel):
    calendar_version: str = Field(description="what deadlines computed now are stamped with")
    package_version: str
    years: list[CalendarYear]


class YearScheduleIn(StrictModel):
    """A year's schedule as the State Council's notice gives it."""

    holidays: list[date] = Field(min_length=1, max_length=366)
    makeup_workdays: list[date] = Field(default_factory=list, max_length=366)
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SweepStarted(BaseModel):
    sweep_id: str = Field(description="one per calendar year and version")
    calendar_version: str
    status_url: str = Field(description="GET it for the sweep's progress")


class ScheduleSaved(BaseModel):
    year: int
    changed_schedule: bool = Field(description="whether it differs from the stored schedule")
    calendar_version: str
    sweep: SweepStarted


class SweepStatus(BaseModel):
    sweep_id: str
    status: str = Field(description="running, completed, failed, terminated, ...")
    progress: SweepProgress | None = Field(
        description="cases checked, changed, unchanged and failed so far (the first failures "
        "by case), the cursor; null until the sweep's first step"
    )


SWEEP_ID = r"^calendar-sweep-(\d{4}|recompute)-[0-9a-f]{16}$"


def _problem(field: str, index: int, msg: str, type_: str) -> dict[str, Any]:
    return {"loc": ["body", field, str(index)], "msg": msg, "type": type_}


def schedule_problems(year: int, body: YearScheduleIn) -> list[dict[str, Any]]:
    """What makes a well-formed schedule wrong for its year, in the API's details shape."""
    problems: list[dict[str, Any]] = []
    lists = {"holidays": body.holidays, "makeup_workdays": body.makeup_workdays}
    for field, days in lists.items():
        seen: set[date] = set()
        for index, day in enumerate(days):
            if day.year != year:
                problems.append(_problem(field, index, f"{day} is not in {year}", "wrong_year"))
            if day in seen:
                problems.append(_problem(field, index, f"{day} is listed twice", "duplicate"))
            seen.add(day)
    holidays = set(body.holidays)
    for index, day in enumerate(body.makeup_workdays):
        if day in holidays:
            problems.append(
                _problem(
                    "makeup_workdays", index, f"{day} is also a holiday", "holiday_and_workday"
                )
            )
        # A make-up day turns a rest day into a working day; a weekday already is one, so it
        # can only be a typo in the notice's transcription.
        if day.weekday() < 5:
            problems.append(
                _problem(
                    "makeup_workdays",
                    index,
                    f"{day} is a {day:%A}; make-up working days fall on weekends",
                    "makeup_on_weekday",
                )
            )
    return problems


def _overview(engine: Engine) -> CalendarOverview:
    with Session(engine) as session:
        rows = session.exec(select(CalendarYearRecord).order_by(col(CalendarYearRecord.year)))
        years = [
            from_attributes(
                CalendarYear,
                row,
                holiday_count=len(row.holidays),
                makeup_workday_count=len(row.makeup_workdays),
            )
            for row in rows
        ]
    return CalendarOverview(
        calendar_version=_current_version(engine), package_version=package_version(), years=years
    )


def _current_version(engine: Engine) -> str:
    # The same function the calendar activity stamps deadlines with, on the same table: the
    # sweep's version and the recomputed deadlines' version then agree, and a second sweep
    # finds nothing left.
    return calendar_version(load_schedules(engine))


@router.get("", response_model=CalendarOverview)
async def get_calendar(engine: EngineDep) -> CalendarOverview:
    """The schedules operators loaded and the calendar version in force."""
    return await run_in_threadpool(_overview, engine)


async def _start_sweep(
    client: Client, task_queue: str, version: str, year: int | None
) -> SweepStarted:
    """Starts the sweep of `version`, or joins the one running (the same id); one that has
    finished is started again, which retries the cases it reported failed."""
    workflow_id = sweep_id(version, year)
    await client.start_workflow(
        CalendarSweepWorkflow.run,
        SweepRequest(calendar_version=version, year=year),
        id=workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        rpc_timeout=RPC_TIMEOUT,
    )
    log.info("calendar sweep started", sweep_id=workflow_id, calendar_version=version)
    return SweepStarted(
        sweep_id=workflow_id,
        calendar_version=version,
        status_url=f"/api/v1/admin/calendar/sweeps/{workflow_id}",
    )


@router.put("/{year}", response_model=ScheduleSaved, status_code=202)
async def put_year_schedule(
    year: Year,
    body: YearScheduleIn,
    engine: EngineDep,
    client: TemporalClientDep,
    settings: SettingsDep,
) -> ScheduleSaved:
    """Loads a year's official schedule, then starts the recompute of every stale pending
    deadline (CAL-2) as a background sweep: 202 with its id. Repeating the same request
    changes nothing, joins the sweep if it is still running and, once it has finished, sweeps
    again, which retries the cases that failed."""
    problems = schedule_problems(year, body)
    if problems:
        raise ApiError(422, "invalid_schedule", f"the schedule for {year} is not valid", problems)
    _, changed = await run_in_threadpool(
        save_schedule, engine, year, body.holidays, body.makeup_workdays, body.source
    )
    version = await run_in_threadpool(_current_version, engine)
    log.info("calendar schedule loaded", year=year, changed=changed, calendar_version=version)
    # Swept even when the schedule is unchanged: that is how a repeated request retries the
    # cases a first, partly failed sweep left behind.
    sweep = await _start_sweep(client, settings.task_queue, version, year)
    return ScheduleSaved(year=year, changed_schedule=changed, calendar_version=version, sweep=sweep)


@router.post("/recompute", response_model=SweepStarted, status_code=202)
async def recompute(
    engine: EngineDep, client: TemporalClientDep, settings: SettingsDep
) -> SweepStarted:
    """Starts a sweep of stale pending deadlines without loading anything: after an upgrade
    of the calendar package, or to retry the cases an earlier sweep reported as failed."""
    version = await run_in_threadpool(_current_version, engine)
    return await _start_sweep(client, settings.task_queue, version, None)


@router.get("/sweeps/{sweep}", response_model=SweepStatus)
async def get_sweep(
    sweep: Annotated[str, Path(pattern=SWEEP_ID)], client: TemporalClientDep
) -> SweepStatus:
    """A sweep's progress: its counts so far while it runs, its report once it is done."""
    handle = client.get_workflow_handle(sweep, result_type=SweepProgress)
    try:
        described = await handle.describe(rpc_timeout=RPC_TIMEOUT)
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise ApiError(404, "not_found", "no such sweep") from None
        raise
    status = described.status.name.lower() if described.status else "unknown"
    if described.status is WorkflowExecutionStatus.COMPLETED:
        progress: SweepProgress | None = await handle.result(rpc_timeout=RPC_TIMEOUT)
    elif described.status is WorkflowExecutionStatus.RUNNING:
        progress = await handle.query(CalendarSweepWorkflow.progress, rpc_timeout=RPC_TIMEOUT)
    else:
        progress = None
    return SweepStatus(sweep_id=sweep, status=status, progress=progress)
