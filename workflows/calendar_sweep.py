"""CAL-2's sweep over the running cases as background work: started by the API when a year's
official schedule is loaded (or by `POST /admin/calendar/recompute`), one workflow per
calendar year and version (`sweep_id`), so a second start of the same sweep joins the one
running, and one after it has finished retries what it left behind.

It walks the stale cases in case-id order, a batch at a time: `stale_batch` reads the next
ones after its cursor from the read model, `recompute_batch` asks each, `concurrency` at once,
to recompute through its own workflow. Progress (counts, the first failures, the cursor) is
the `progress` query and the result. A crash of the worker or the server loses nothing: the
workflow resumes at its cursor, and a batch cut short is asked again (each case's recompute
is idempotent). Every `batches_per_run` batches (50), or sooner if Temporal suggests it, it
continues as new with the cursor and the counts, so its history stays small at any size.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.calendar_sweep import (
        MAX_LISTED_FAILURES,
        CalendarSweepActivities,
        SweepProgress,
        SweepRequest,
    )
    from workflows.retries import doubling

RETRY = doubling(timedelta(seconds=2), timedelta(minutes=1))


def sweep_id(calendar_version: str, year: int | None) -> str:
    """The workflow id of the sweep of one calendar year and version (the version is long and
    made of years and digests: its hash keeps the id short)."""
    digest = hashlib.sha256(calendar_version.encode()).hexdigest()[:16]
    return f"calendar-sweep-{year if year is not None else 'recompute'}-{digest}"


@workflow.defn
class CalendarSweepWorkflow:
    def __init__(self) -> None:
        self._progress: SweepProgress | None = None

    @workflow.query
    def progress(self) -> SweepProgress | None:
        return self._progress

    @workflow.run
    async def run(self, request: SweepRequest) -> SweepProgress:
        progress = request.progress or SweepProgress(
            calendar_version=request.calendar_version, year=request.year
        )
        self._progress = progress
        for _ in range(request.batches_per_run):
            batch = await workflow.execute_activity_method(
                CalendarSweepActivities.stale_batch,
                args=[request.calendar_version, progress.cursor, request.batch_size],
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RETRY,
            )
            if not batch:
                progress.done = True
                return progress
            outcome = await workflow.execute_activity_method(
                CalendarSweepActivities.recompute_batch,
                args=[request.calendar_version, batch, request.concurrency],
                # Each case's update waits at most a minute; a batch of them, a bounded number
                # at once, well within this. The heartbeat notices a dead worker sooner.
                start_to_close_timeout=timedelta(minutes=30),
                heartbeat_timeout=timedelta(minutes=2),
                retry_policy=RETRY,
            )
            progress.cases_checked += len(batch)
            progress.changed += outcome.changed
            progress.unchanged += outcome.unchanged
            progress.failed += len(outcome.failures)
            room = MAX_LISTED_FAILURES - len(progress.failures)
            progress.failures.extend(outcome.failures[: max(room, 0)])
            progress.batches += 1
            progress.cursor = batch[-1]
            if workflow.info().is_continue_as_new_suggested():
                break
        workflow.continue_as_new(request.model_copy(update={"progress": progress}))
