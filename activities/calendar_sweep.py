"""CAL-2's sweep as background work: the activities of `CalendarSweepWorkflow`
(workflows/calendar_sweep.py), one batch of stale cases at a time.

`stale_batch` reads from the read model the next cases, in case-id order after a cursor, that
hold a pending deadline computed on another calendar (or provisional); `recompute_batch` asks
each of them, a bounded number at once, to recompute through its own workflow's
`recompute_deadlines` update (ops/calendar_sweep.py), heartbeating as cases finish. Both are
safe to repeat: a case already on the version is left alone by its workflow, and a retried
batch only asks again.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client

from ops.calendar_sweep import FailedCase, recompute_cases, stale_case_ids

# How many failures a sweep's progress lists by case (all are counted).
MAX_LISTED_FAILURES = 100


class SweepProgress(BaseModel):
    calendar_version: str
    year: int | None = None
    cases_checked: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[FailedCase] = Field(
        default_factory=list, description=f"the first {MAX_LISTED_FAILURES} failed cases"
    )
    batches: int = 0
    # The last case id of the last batch done: where the sweep goes on from.
    cursor: str | None = None
    done: bool = False


class SweepRequest(BaseModel):
    calendar_version: str
    year: int | None = None
    batch_size: int = Field(default=200, ge=1, le=5000)
    concurrency: int = Field(default=8, ge=1, le=64)
    # Batches before the workflow continues as new (sooner if Temporal suggests it).
    batches_per_run: int = Field(default=50, ge=1, le=1000)
    # Carried by continue-as-new: what earlier runs of the same sweep did.
    progress: SweepProgress | None = None


class BatchOutcome(BaseModel):
    changed: int = 0
    unchanged: int = 0
    failures: list[FailedCase] = Field(default_factory=list)


class CalendarSweepActivities:
    def __init__(self, client: Client, engine: Engine) -> None:
        self._client = client
        self._engine = engine

    @activity.defn
    def stale_batch(self, calendar_version: str, after: str | None, limit: int) -> list[str]:
        return stale_case_ids(self._engine, calendar_version, after=after, limit=limit)

    @activity.defn
    async def recompute_batch(
        self, calendar_version: str, case_ids: list[str], concurrency: int
    ) -> BatchOutcome:
        done = 0

        def finished() -> None:
            nonlocal done
            done += 1
            activity.heartbeat(done)

        report = await recompute_cases(
            self._client, calendar_version, case_ids, concurrency, on_done=finished
        )
        return BatchOutcome(
            changed=len(report.changed), unchanged=report.unchanged, failures=report.failed
        )
