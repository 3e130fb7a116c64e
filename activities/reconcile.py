"""Finds, through Temporal visibility, the case workflows that ended abnormally, and marks
them in the read model (store/case_ends.py): a terminated case never looks open."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client

from domain import kinds
from domain.case_ends import AbnormalEnd, EndedCasesReconciled, ReconcileEndedCases
from store.case_ends import mark_case_ended

log = structlog.get_logger("activities.reconcile")

# Visibility's names of those statuses.
_VISIBILITY_STATUS = {
    AbnormalEnd.terminated: "Terminated",
    AbnormalEnd.failed: "Failed",
    AbnormalEnd.timed_out: "TimedOut",
    AbnormalEnd.canceled: "Canceled",
}


def ended_cases_query(task_queue: str, since: datetime) -> str:
    """The case workflows of `task_queue` closed abnormally since `since` (CaseKind is set
    by every case workflow, and by nothing else)."""
    statuses = " OR ".join(f"ExecutionStatus = '{s}'" for s in _VISIBILITY_STATUS.values())
    names = ", ".join(f"'{name}'" for name in sorted(kinds.NAMES))
    return (
        f"({statuses}) AND CloseTime >= '{since.astimezone(UTC).isoformat()}' "
        f"AND CaseKind IN ({names}) AND TaskQueue = '{task_queue}'"
    )


class ReconcileActivities:
    def __init__(self, client: Client, engine: Engine, task_queue: str) -> None:
        self._client = client
        self._engine = engine
        self._task_queue = task_queue

    async def _latest_end(self, case_id: str) -> AbnormalEnd | None:
        # A reset terminates the run it resets and starts another: only the case's latest
        # run says whether the case ended.
        described = await self._client.get_workflow_handle(case_id).describe()
        return AbnormalEnd.of(described.status.name if described.status else None)

    @activity.defn
    async def mark_ended_cases(self, request: ReconcileEndedCases) -> EndedCasesReconciled:
        since = datetime.now(UTC) - request.lookback
        report = EndedCasesReconciled()
        seen: set[str] = set()
        async for execution in self._client.list_workflows(
            ended_cases_query(self._task_queue, since)
        ):
            if execution.id in seen:
                continue
            seen.add(execution.id)
            report.listed += 1
            activity.heartbeat(report.listed)
            end = await self._latest_end(execution.id)
            if end is None:
                continue
            if await asyncio.to_thread(mark_case_ended, self._engine, execution.id, end):
                report.marked.append(execution.id)
                log.info("case marked ended", case_id=execution.id, status=end.value)
        log.info("ended cases reconciled", listed=report.listed, marked=len(report.marked))
        return report
