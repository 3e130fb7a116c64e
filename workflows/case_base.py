"""What every case workflow shares: the deadline loop, the flusher, search attributes, refusals.

A case workflow keeps its state in a pydantic model with `revision` and `deadlines`. Every
change bumps the revision; one flusher task writes notifications and the read-model snapshot
through idempotent activities, so timers keep firing while the database is away, and an
update returns once the read model shows it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.common import ActionNotAllowed, Command, Forbidden, InvalidActionInput
    from domain.deadlines import Deadline, RecomputeDeadlines, RecomputeResult, recomputed
    from domain.effects import Effects, apply_deadline_change, deadline_change, started
    from domain.notifications import Notification
    from domain.snapshot import CaseSnapshot
    from workflows import search_attributes as sa
    from workflows.deadlines import ACTIVITY_TIMEOUT, RETRY_FOREVER, DeadlineClock, compute_due

_REFUSAL_TYPES: dict[type[Exception], str] = {
    ActionNotAllowed: "ActionNotAllowed",
    InvalidActionInput: "InvalidActionInput",
    Forbidden: "Forbidden",
}
REFUSALS = tuple(_REFUSAL_TYPES)


def refusal(exc: Exception) -> ApplicationError:
    """Domain refusals cross to the client as typed, non-retryable application errors."""
    kind = _REFUSAL_TYPES.get(type(exc), "InvalidActionInput")
    return ApplicationError(str(exc), type=kind, non_retryable=True)


class CaseState(Protocol):
    revision: int
    deadlines: list[Deadline]


S = TypeVar("S", bound=CaseState)


class CaseWorkflow(Generic[S]):
    kind: ClassVar[str]

    def __init__(self) -> None:
        self._state: S | None = None
        self._outbox: list[Notification] = []
        self._flushed = -1
        self._clock = DeadlineClock()
        self._lock = asyncio.Lock()
        self._search: dict[str, Any] = {}

    @property
    def state(self) -> S:
        if self._state is None:
            raise ApplicationError("the case is still opening", type="CaseOpening")
        return self._state

    # What each case kind says.

    def _is_closed(self) -> bool:
        raise NotImplementedError

    def _snapshot(self, now: datetime) -> CaseSnapshot:
        raise NotImplementedError

    async def _on_deadline(
        self, deadline: Deadline, what: Literal["warn", "due"]
    ) -> list[Notification]:
        raise NotImplementedError

    # The machinery.

    async def _serve(self) -> None:
        """Runs the case's clocks until it closes, then lets every write and handler finish."""
        flusher = asyncio.create_task(self._flush_forever())
        while not self._is_closed():
            await self._clock.sleep(self.state.deadlines, stop=self._is_closed)
            async with self._lock:
                notes: list[Notification] = []
                for deadline, what in DeadlineClock.due(self.state.deadlines):
                    notes += await self._on_deadline(deadline, what)
                if notes:
                    self._changed(notes)
        await self._flushed_now()
        await workflow.wait_condition(workflow.all_handlers_finished)
        flusher.cancel()

    def _check(self, name: str, state: S, cmd: Command) -> None:
        raise NotImplementedError

    def _validate(self, name: str, cmd: Command) -> None:
        """What an update's validator decides; a refusal is typed for the API (403/409/422)."""
        if self._state is None:
            raise ApplicationError("the case is still opening", type="ActionNotAllowed")
        try:
            self._check(name, self._state, cmd)
        except REFUSALS as exc:
            raise refusal(exc) from None

    async def _take(
        self, effects: Effects, actor_id: str | None, commit: bool = True
    ) -> list[Notification]:
        """Computes the due times the effects need, starts and changes deadlines, reports."""
        now = workflow.now()
        for spec in effects.start:
            due = await compute_due(spec.request)
            started(self.state.deadlines, spec, due, actor_id)
        for _, cmd in effects.recompute:
            deadline, request = deadline_change(self.state.deadlines, cmd, now)
            changed_due = await compute_due(request) if request is not None else None
            apply_deadline_change(deadline, cmd, request, changed_due, now)
        if effects.report:
            await self._report(effects.report)
        if commit:
            self._changed(effects.notes)
        return effects.notes

    async def _report(self, outcome: str) -> None:
        """Tells a linked case an outcome; only case kinds with links report anything."""
        return None

    def _check_running(self) -> None:
        if self._state is None or self._is_closed():
            raise ApplicationError("the case is not running", type="ActionNotAllowed")

    async def _recompute_deadlines(self, cmd: RecomputeDeadlines) -> RecomputeResult:
        """CAL-2: recompute every pending calendar-dependent deadline computed with another
        calendar version. Safe to repeat: an up-to-date deadline is left alone."""
        async with self._lock:
            changed: list[str] = []
            touched = False
            for deadline in self.state.deadlines:
                if not (deadline.pending and deadline.computed):
                    continue
                if deadline.calendar_version == cmd.calendar_version:
                    continue
                due = await compute_due(deadline.due_request())
                touched = True
                if recomputed(deadline, due, workflow.now()):
                    changed.append(deadline.name)
            if touched:
                # Even a deadline that did not move now carries the new calendar version,
                # and the read model must show it, or every sweep finds the case again.
                self._changed([])
        await self._flushed_now()
        return RecomputeResult(case_id=workflow.info().workflow_id, changed=changed)

    def _changed(self, notes: list[Notification]) -> None:
        self.state.revision += 1
        self._outbox.extend(notes)
        self._clock.poke()

    async def _flushed_now(self) -> None:
        revision = self.state.revision
        await workflow.wait_condition(lambda: self._flushed >= revision)

    async def _flush_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: self._flushed < self.state.revision)
            revision = self.state.revision
            notes, self._outbox = self._outbox, []
            row = self._snapshot(workflow.now())
            self._upsert_search_attributes(row)
            if notes:
                await workflow.execute_activity_method(
                    ReadModelActivities.write_notifications,
                    notes,
                    start_to_close_timeout=ACTIVITY_TIMEOUT,
                    retry_policy=RETRY_FOREVER,
                )
            await workflow.execute_activity_method(
                ReadModelActivities.sync_case,
                self._snapshot(workflow.now()),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=RETRY_FOREVER,
            )
            self._flushed = revision

    def _upsert_search_attributes(self, row: CaseSnapshot) -> None:
        wanted: dict[str, Any] = {
            sa.CASE_KIND.name: row.kind,
            sa.CASE_STATUS.name: row.status,
            sa.COUNTY_CODE.name: row.county_code,
            sa.NEXT_DUE_AT.name: row.next_due_at,
        }
        if wanted == self._search:
            return
        self._search = wanted
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.CASE_KIND.value_set(row.kind),
            sa.CASE_STATUS.value_set(row.status),
            sa.COUNTY_CODE.value_set(row.county_code),
            sa.NEXT_DUE_AT.value_set(row.next_due_at)
            if row.next_due_at
            else sa.NEXT_DUE_AT.value_unset(),
        ]
        workflow.upsert_search_attributes(updates)
