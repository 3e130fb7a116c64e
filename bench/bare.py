"""Bare Temporal baselines: a timer (bench/timers.py) and a minimal case (bench/throughput.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import activity, workflow


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


@activity.defn
async def bare_step(step: str) -> str:
    """An activity that does nothing: the round trip is what the bare case measures."""
    return step


@workflow.defn
class BareCaseWorkflow:
    """Bare Temporal doing a minimal case (bench/throughput.py's baseline): start, an
    activity, an update that settles, an activity, done."""

    def __init__(self) -> None:
        self._settle = False
        self._done = False

    @workflow.run
    async def run(self, case_id: str) -> str:
        await workflow.execute_activity(
            bare_step, "open", start_to_close_timeout=timedelta(seconds=30)
        )
        await workflow.wait_condition(lambda: self._settle)
        await workflow.execute_activity(
            bare_step, "settle", start_to_close_timeout=timedelta(seconds=30)
        )
        self._done = True
        return "settled"

    @workflow.update
    async def settle(self) -> str:
        self._settle = True
        await workflow.wait_condition(lambda: self._done)
        return "settled"
