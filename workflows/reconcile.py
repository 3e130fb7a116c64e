"""Marks in the read model the cases whose workflow ended abnormally (terminated, failed,
timed out, cancelled): a Temporal Schedule runs it every few minutes (core/schedules.py)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.reconcile import ReconcileActivities
    from domain.case_ends import EndedCasesReconciled, ReconcileEndedCases
    from workflows.retries import doubling

# Bounded: the schedule's next run starts over anyway, and a run that retried forever would
# make the schedule skip every later one (its overlap policy).
RETRY = doubling(timedelta(seconds=2), timedelta(seconds=30), attempts=5)


@workflow.defn
class ReconcileWorkflow:
    @workflow.run
    async def run(self, request: ReconcileEndedCases) -> EndedCasesReconciled:
        return await workflow.execute_activity_method(
            ReconcileActivities.mark_ended_cases,
            request,
            start_to_close_timeout=timedelta(minutes=5),
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=RETRY,
        )
