"""The durable deadline primitive: one Temporal timer for the earliest pending wake-up.

The due times are data (computed by the calendar activity and stored in the case state), so a
replay rebuilds the very same timers. A deadline fires at most once: firing closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import CancelledError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.calendar import CalendarActivities
    from domain.deadlines import Deadline, DueRequest, DueResult
    from workflows import patches
    from workflows.patches import LOCAL_IO
    from workflows.retries import doubling

Wakeup = tuple[Deadline, Literal["warn", "due"]]

# Activities that touch SQL or the calendar retry until they succeed: a database outage
# delays the read model, it never loses a case.
RETRY_FOREVER = doubling(timedelta(seconds=1), timedelta(minutes=1))
ACTIVITY_TIMEOUT = timedelta(seconds=30)

# Lookups and read-model writes run first as local activities: in the workflow task that
# asks for them, recorded as one marker each, with no round trip through the server (a
# settled case records about a third of the events it did). A local activity that keeps
# failing holds its workflow task, and with it every timer of the case, so its tries are
# bounded (LOCAL_BUDGET in all); after them the same call goes as an ordinary activity that
# retries for ever, while the case's timers fire as usual.
LOCAL_TRIES = doubling(timedelta(milliseconds=200), timedelta(seconds=2), attempts=3)
LOCAL_BUDGET = timedelta(seconds=8)

T = TypeVar("T")


async def run_io(
    method: Callable[[Any, Any], Awaitable[T]] | Callable[[Any, Any], T], arg: Any
) -> T:
    """Runs an activity method of the calendar or the read model, local first (see LOCAL_IO)."""
    return await local_first(method, arg, local=patches.patched(LOCAL_IO))


async def local_first(
    method: Callable[[Any, Any], Awaitable[T]] | Callable[[Any, Any], T],
    arg: Any,
    *,
    local: bool,
    retry: RetryPolicy = RETRY_FOREVER,
) -> T:
    """A local activity with bounded tries when `local` (the caller's patch), then the same
    call as an ordinary activity with `retry`."""
    if local:
        try:
            return await workflow.execute_local_activity_method(
                method,
                arg,
                start_to_close_timeout=LOCAL_BUDGET,
                schedule_to_close_timeout=LOCAL_BUDGET,
                retry_policy=LOCAL_TRIES,
            )
        except CancelledError:
            raise
        except FailureError as err:
            # A local activity's failure is raised as it is (ApplicationError, a timeout),
            # not wrapped in an ActivityError.
            workflow.logger.warning(
                "a local activity gave up; retrying it as an activity",
                extra={"error_type": type(err).__name__},
            )
    return await workflow.execute_activity_method(
        method,
        arg,
        start_to_close_timeout=ACTIVITY_TIMEOUT,
        retry_policy=retry,
    )


async def compute_due(request: DueRequest) -> DueResult:
    return await run_io(CalendarActivities.compute_due, request)


class DeadlineClock:
    """Sleeps until the earliest pending warning or due time, or until poked.

    `steady` (behind the STEADY_TIMER patch): the timer outlives a poke that leaves the
    earliest wake-up where it was. An action that moves no deadline (a payment recorded, a
    file attached) then neither cancels nor restarts the case's timer: two events fewer
    per action in its history, and the Temporal UI shows one timer per wake-up.
    """

    def __init__(self) -> None:
        self._poked = False
        self._timer: asyncio.Task[None] | None = None
        self._timer_at: datetime | None = None

    def poke(self) -> None:
        """The deadlines changed: recompute the timer."""
        self._poked = True

    async def sleep(
        self,
        deadlines: Iterable[Deadline],
        stop: Callable[[], bool],
        summary: Callable[[Deadline], str] | None = None,
        steady: bool = False,
    ) -> None:
        """`summary` names the timer after the deadline it waits for (Temporal UI)."""
        wakeups = [(w, d) for d in deadlines if (w := d.next_wakeup()) is not None]
        self._poked = False
        if not wakeups:
            self._drop_timer()
            await workflow.wait_condition(lambda: self._poked or stop())
            return
        moment, first = min(wakeups, key=lambda pair: pair[0])
        timeout = moment - workflow.now()
        if timeout <= timedelta(0):
            self._drop_timer()
            return
        if steady:
            await self._steady_sleep(moment, timeout, summary(first) if summary else None, stop)
            return
        try:
            await workflow.wait_condition(
                lambda: self._poked or stop(),
                timeout=timeout,
                timeout_summary=summary(first) if summary is not None else None,
            )
        except TimeoutError:
            pass

    async def _steady_sleep(
        self, moment: datetime, timeout: timedelta, summary: str | None, stop: Callable[[], bool]
    ) -> None:
        if self._timer is None or self._timer_at != moment:
            self._drop_timer()
            self._timer = asyncio.create_task(workflow.sleep(timeout, summary=summary))
            self._timer_at = moment
        timer = self._timer
        await workflow.wait_condition(lambda: self._poked or stop() or timer.done())
        if timer.done():
            self._timer = self._timer_at = None

    def _drop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._timer_at = None

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
