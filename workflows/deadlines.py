"""The durable deadline primitive: one Temporal timer for the earliest pending wake-up.

The due times are data (computed by the calendar activity and stored in the case state), so a
replay rebuilds the very same timers. A deadline fires at most once: firing closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Literal

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.calendar import CalendarActivities
    from domain.deadlines import Deadline, DueRequest, DueResult

Wakeup = tuple[Deadline, Literal["warn", "due"]]

# Activities that touch SQL or the calendar retry until they succeed: a database outage
# delays the read model, it never loses a case.
RETRY_FOREVER = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=["ValueError", "ValidationError"],
)
ACTIVITY_TIMEOUT = timedelta(seconds=30)


async def compute_due(request: DueRequest) -> DueResult:
    return await workflow.execute_activity_method(
        CalendarActivities.compute_due,
        request,
        start_to_close_timeout=ACTIVITY_TIMEOUT,
        retry_policy=RETRY_FOREVER,
    )


class DeadlineClock:
    """Sleeps until the earliest pending warning or due time, or until poked."""

    def __init__(self) -> None:
        self._poked = False

    def poke(self) -> None:
        """The deadlines changed: recompute the timer."""
        self._poked = True

    async def sleep(
        self,
        deadlines: Iterable[Deadline],
        stop: Callable[[], bool],
        summary: Callable[[Deadline], str] | None = None,
    ) -> None:
        """`summary` names the timer after the deadline it waits for (Temporal UI)."""
        wakeups = [(w, d) for d in deadlines if (w := d.next_wakeup()) is not None]
        self._poked = False
        if not wakeups:
            await workflow.wait_condition(lambda: self._poked or stop())
            return
        moment, first = min(wakeups, key=lambda pair: pair[0])
        timeout = moment - workflow.now()
        if timeout <= timedelta(0):
            return
        try:
            await workflow.wait_condition(
                lambda: self._poked or stop(),
                timeout=timeout,
                timeout_summary=summary(first) if summary is not None else None,
            )
        except TimeoutError:
            pass

    @staticmethod
    def due(deadlines: Iterable[Deadline]) -> list[Wakeup]:
        """Warnings and due times that have come, earliest first."""
        now = workflow.now()
        found: list[Wakeup] = []
        for deadline in deadlines:
            if not deadline.pending or deadline.paused:
                continue
            if deadline.due_at <= now:
                found.append((deadline, "due"))
            elif deadline.warn_at is not None and not deadline.warned and deadline.warn_at <= now:
                found.append((deadline, "warn"))
        return sorted(found, key=lambda w: w[0].due_at)


__all__ = ["DeadlineClock", "compute_due"]
