"""The Temporal Schedule that runs ReconcileWorkflow: created by every worker at start when
missing (a worker that finds it there leaves it as it is), so a deployment needs no one-off.

The schedule, not our code, keeps the time: Temporal starts a run every `RECONCILE_EVERY`,
skips one while the last is still running, and catches up once after an outage.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)
from temporalio.service import RPCError

from domain.case_ends import ReconcileEndedCases
from workflows.reconcile import ReconcileWorkflow

log = structlog.get_logger("core.schedules")

RECONCILE_EVERY = timedelta(minutes=5)


def reconcile_schedule_id(task_queue: str) -> str:
    """One schedule per task queue: the case workflows it looks at are that queue's."""
    return f"reconcile-ended-cases-{task_queue}"


def reconcile_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ReconcileWorkflow.run,
            ReconcileEndedCases(),
            id=f"reconcile-ended-cases-{task_queue}",
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=30),
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=RECONCILE_EVERY)]),
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=RECONCILE_EVERY * 2
        ),
    )


async def ensure_reconcile_schedule(client: Client, task_queue: str) -> bool:
    """Creates the schedule unless it exists; True if this call created it. A cluster that
    refuses (no permission to create schedules) is logged, not fatal: cases run on, and the
    read model's ended cases wait for `rebuild-read-model` or an operator's schedule."""
    schedule_id = reconcile_schedule_id(task_queue)
    try:
        await client.create_schedule(schedule_id, reconcile_schedule(task_queue))
    except ScheduleAlreadyRunningError:
        return False
    except RPCError as err:
        log.error("reconcile schedule not created", schedule_id=schedule_id, error=err.message)
        return False
    log.info("reconcile schedule created", schedule_id=schedule_id)
    return True
