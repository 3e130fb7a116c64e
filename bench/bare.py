"""A bare Temporal timer: the baseline for bench/timers.py (no activities, no state)."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow


@workflow.defn
class BareTimerWorkflow:
    @workflow.run
    async def run(self, due_at: str) -> str:
        """Sleeps until `due_at` (ISO 8601, with zone) and returns the time it woke."""
        due = datetime.fromisoformat(due_at)
        delay = due - workflow.now()
        if delay.total_seconds() > 0:
            await workflow.sleep(delay)
        return workflow.now().isoformat()
