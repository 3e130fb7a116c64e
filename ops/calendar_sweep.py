"""CAL-2's operator path: after a year's official schedule is loaded (or the calendar package
is upgraded), recompute the pending deadlines of every running case that was computed on
another calendar.

The read model says which cases need it; each case's workflow does the recomputing (its
`recompute_deadlines` update), so due times and timers stay in the case's own history. The
sweep is safe to repeat: a case whose deadlines already carry the version is left alone by
the workflow, and once the workflow has flushed its read-model rows a later sweep does not
find it at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import structlog
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.deadlines import DeadlineState, RecomputeDeadlines, RecomputeResult
from store.tables import CaseRecord, DeadlineRecord

log = structlog.get_logger("ops.calendar_sweep")

# Longer than an action's timeout: the update computes each stale deadline in an activity
# and returns only once the case's read-model rows are written.
UPDATE_TIMEOUT = timedelta(seconds=60)
DESCRIBE_TIMEOUT = timedelta(seconds=10)
# The read model's status of an ended case, whatever its kind: the sweep is not about one kind.
CLOSED = "closed"


class ChangedCase(BaseModel):
    case_id: str
    deadlines: list[str] = Field(description="names of the deadlines whose due time moved")


class FailedCase(BaseModel):
    case_id: str
    error: str


class SweepReport(BaseModel):
    calendar_version: str
    cases_checked: int = Field(description="running cases the read model showed as stale")
    changed: list[ChangedCase] = Field(default_factory=list)
    unchanged: int = 0
    failed: list[FailedCase] = Field(
        default_factory=list, description="cases to retry: run the sweep again"
    )


def stale_case_ids(
    engine: Engine, calendar_version: str, after: str | None = None, limit: int | None = None
) -> list[str]:
    """Running cases with a pending deadline computed on another calendar, or provisional, in
    case-id order: all of them, or the first `limit` after `after` (a sweep's batch)."""
    query = (
        select(DeadlineRecord.case_id)
        .join(CaseRecord, col(CaseRecord.case_id) == col(DeadlineRecord.case_id))
        .where(col(CaseRecord.status) != CLOSED)
        .where(col(DeadlineRecord.state) == DeadlineState.pending.value)
        .where(
            or_(
                and_(
                    col(DeadlineRecord.computed).is_(True),
                    col(DeadlineRecord.calendar_version) != calendar_version,
                ),
                # A provisional deadline is recomputed whatever its version says: the sweep
                # is also how a retry reaches it after a partly failed run.
                col(DeadlineRecord.provisional).is_(True),
            )
        )
        .distinct()
        .order_by(col(DeadlineRecord.case_id))
    )
    if after is not None:
        query = query.where(col(DeadlineRecord.case_id) > after)
    if limit is not None:
        query = query.limit(limit)
    with Session(engine) as session:
        return list(session.exec(query).all())


def _describe(err: Exception) -> str:
    if isinstance(err, WorkflowUpdateFailedError):
        cause = err.cause
        if isinstance(cause, ApplicationError):
            return f"update refused: {cause.message}"
        return f"update failed: {cause}"
    if isinstance(err, RPCError):
        return f"{err.status.name}: {err.message}"
    if isinstance(err, RPCTimeoutOrCancelledError):
        return "the case did not answer in time; it may still finish: run the sweep again"
    return f"{type(err).__name__}: {err}"


async def _explain_not_found(handle: WorkflowHandle[Any, Any], err: RPCError) -> str:
    # The server's NOT_FOUND names the update or the execution, not why: a case whose
    # workflow ended outside the engine (terminated, timed out) while its read-model row still
    # says running is the likely one, and the operator needs to be told so.
    try:
        description = await handle.describe(rpc_timeout=DESCRIBE_TIMEOUT)
    except RPCError as describe_err:
        if describe_err.status is RPCStatusCode.NOT_FOUND:
            return (
                "no workflow for this case in Temporal, though the read model lists it as running"
            )
        return _describe(err)
    if description.status is not WorkflowExecutionStatus.RUNNING:
        status = (
            description.status.name.lower().replace("_", " ") if description.status else "ended"
        )
        return f"the case's workflow is {status}, though the read model lists it as running"
    return "the case's workflow did not find the update; run the sweep again"


async def recompute_pending_deadlines(
    client: Client, engine: Engine, calendar_version: str, concurrency: int = 8
) -> SweepReport:
    """CAL-2: asks every stale running case to recompute on `calendar_version`, here and now
    (the API starts `CalendarSweepWorkflow` instead, which does this batch by batch)."""
    case_ids = await run_in_threadpool(stale_case_ids, engine, calendar_version)
    return await recompute_cases(client, calendar_version, case_ids, concurrency)


async def recompute_cases(
    client: Client,
    calendar_version: str,
    case_ids: list[str],
    concurrency: int = 8,
    on_done: Callable[[], None] | None = None,
) -> SweepReport:
    """CAL-2: asks each of `case_ids` to recompute on `calendar_version`, `concurrency` at once.

    A failure on one case (engine unreachable, case ended in Temporal while the read model
    still shows it open) is reported and never stops the others.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    cmd = RecomputeDeadlines(calendar_version=calendar_version)
    # Bounded so a sweep over thousands of cases does not flood the frontend or the worker's
    # activity slots that live cases need for their own actions.
    slots = asyncio.Semaphore(concurrency)

    async def recompute(case_id: str) -> RecomputeResult | FailedCase:
        async with slots:
            try:
                return await _recompute_one(client, case_id, cmd)
            finally:
                if on_done is not None:
                    on_done()

    outcomes = await asyncio.gather(*(recompute(case_id) for case_id in case_ids))
    report = SweepReport(calendar_version=calendar_version, cases_checked=len(case_ids))
    for outcome in outcomes:
        if isinstance(outcome, FailedCase):
            report.failed.append(outcome)
        elif outcome.changed:
            report.changed.append(ChangedCase(case_id=outcome.case_id, deadlines=outcome.changed))
        else:
            report.unchanged += 1
    log.info(
        "calendar sweep",
        calendar_version=calendar_version,
        cases_checked=report.cases_checked,
        changed=len(report.changed),
        unchanged=report.unchanged,
        failed=len(report.failed),
    )
    return report


async def _recompute_one(
    client: Client, case_id: str, cmd: RecomputeDeadlines
) -> RecomputeResult | FailedCase:
    handle = client.get_workflow_handle(case_id)
    try:
        result: RecomputeResult = await handle.execute_update(
            "recompute_deadlines",
            cmd,
            result_type=RecomputeResult,
            rpc_timeout=UPDATE_TIMEOUT,
        )
        return result
    except Exception as err:  # one case's failure belongs in its own report line
        log.warning("calendar recompute failed", case_id=case_id, error_type=type(err).__name__)
        if isinstance(err, RPCError) and err.status is RPCStatusCode.NOT_FOUND:
            return FailedCase(case_id=case_id, error=await _explain_not_found(handle, err))
        return FailedCase(case_id=case_id, error=_describe(err))
