"""What every case workflow shares: the deadline loop, the flusher, search attributes, refusals,
and its handlers: the view query, `wait_opened`, `recompute_deadlines`, and one update per
action of the kind's `ACTIONS` (named after it, so the event history names every action and
its actor), each typed with the action's own command and the kind's result.

A case workflow keeps its state in a pydantic model with `revision` and `deadlines`. Every
change bumps the revision; one flusher task writes notifications and the read-model snapshot
through idempotent activities, so timers keep firing while the database is away, and an
update returns once the read model shows it.

An action is believed only as the API stamped it (`RequestStamp`: this case, an idempotency
key; the payload codec makes the stamp unforgeable); a key is applied once and its retries
get the first outcome. A handler never raises after its validator passed except as a typed
`ActionFailed` refusal, with the case's state as it was, so a bug fails one update instead
of every workflow task. Before its history grows too large a case continues as new,
carrying its state, its clocks and its recent keys.
"""

from __future__ import annotations

import asyncio
import hashlib
import types
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Protocol, TypeVar, cast

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from core import search_attributes as sa
    from domain import carry
    from domain.actions import check
    from domain.carry import CaseCarry, SeenRequest
    from domain.case_kind import CaseKind
    from domain.common import ActionNotAllowed, Command, Forbidden, InvalidActionInput
    from domain.deadlines import (
        Deadline,
        RecomputeDeadlines,
        RecomputeResult,
        recomputed,
    )
    from domain.effects import (
        Effects,
        apply_deadline_change,
        deadline_change,
        retimed,
        started,
    )
    from domain.notifications import Notification
    from domain.regions import RegionSettings
    from domain.snapshot import CaseSnapshot
    from domain.worker_window import WorkerAccess, WorkerAccessResult
    from workflows import patches
    from workflows.deadlines import DeadlineClock, compute_due, run_io
    from workflows.patches import (
        CASE_SUMMARIES,
        LOCAL_IO,
        OPENED_VIEW,
        STAMPED_ACTIONS,
        STEADY_TIMER,
    )

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


def action_failed(name: str) -> ApplicationError:
    return ApplicationError(
        f"{name} could not be applied to this case; nothing was recorded",
        type="ActionFailed",
        non_retryable=True,
    )


def fingerprint(name: str, cmd: Command) -> str:
    """The request behind an idempotency key: the action and its input, less the stamp."""
    body = cmd.model_dump_json(exclude={"request"})
    return hashlib.sha256(f"{name}\n{body}".encode()).hexdigest()


class CaseState(Protocol):
    revision: int
    deadlines: list[Deadline]

    def model_copy(self, *, deep: bool = ...) -> Any: ...


S = TypeVar("S", bound=CaseState)
R = TypeVar("R", bound=BaseModel)


def _retyped(fn: Callable[..., Any], name: str, **annotations: Any) -> Any:
    """A copy of `fn` named `name`, with concrete types where it says the generic ones: the
    SDK reads a handler's types to decode its input and a client's result."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = name
    copy.__doc__ = fn.__doc__
    copy.__annotations__ = dict(annotations)
    return copy


class CaseWorkflow(Generic[S, R]):
    case_kind: ClassVar[CaseKind]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Gives each kind's workflow its handlers, typed with its own commands, view and
        result."""
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("case_kind")
        if kind is None:
            return
        view = _retyped(CaseWorkflow._view, "view", **{"return": kind.view})
        cls.view = workflow.query(view)  # type: ignore[method-assign]
        opened = _retyped(CaseWorkflow._wait_opened, "wait_opened", **{"return": kind.view})
        cls.wait_opened = workflow.update(opened)  # type: ignore[method-assign]
        recompute = workflow.update(
            _retyped(
                CaseWorkflow._recompute_deadlines,
                "recompute_deadlines",
                cmd=RecomputeDeadlines,
                **{"return": RecomputeResult},
            )
        )
        recompute.validator(
            _retyped(
                CaseWorkflow._check_recompute,
                "_check_recompute_deadlines",
                cmd=RecomputeDeadlines,
                **{"return": None},
            )
        )
        cls.recompute_deadlines = recompute  # type: ignore[method-assign]
        for name, spec in kind.actions.items():
            # A kind's workflow may write an action's update itself (one that loads something
            # first); every other action gets the plain one.
            if name not in cls.__dict__:
                setattr(cls, name, _action_update(name, spec.command, kind.result))

    def __init__(self) -> None:
        self._state: S | None = None
        self._outbox: list[Notification] = []
        self._flushed = -1
        self._clock = DeadlineClock()
        self._lock = asyncio.Lock()
        self._search: dict[str, Any] = {}
        self._requests: dict[str, SeenRequest] = {}
        self._stamped = False

    @property
    def state(self) -> S:
        if self._state is None:
            raise ApplicationError("the case is still opening", type="CaseOpening")
        return self._state

    # What each case kind says: its registry record, and these.

    async def _open(self, intake: Any) -> None:
        """Opens the case: its region's settings, then its kind's `case_opened` effects."""
        region = await self._region(intake)
        case_id = workflow.info().workflow_id
        self._state, effects = self.transitions.case_opened(case_id, intake, region, workflow.now())
        await self._take(effects, intake.opened_by.id)

    # The kind's transitions module: `apply(name, state, cmd, now)` and
    # `deadline_passed(state, deadline, now)` return Effects, `deadline_warned(state,
    # deadline)` the notifications (domain/<kind>/transitions.py).
    transitions: ClassVar[Any]

    async def _on_deadline(
        self, deadline: Deadline, what: Literal["warn", "due"]
    ) -> list[Notification]:
        if what == "warn":
            notes: list[Notification] = self.transitions.deadline_warned(self.state, deadline)
            return notes
        effects = self.transitions.deadline_passed(self.state, deadline, workflow.now())
        return await self._take(effects, None, commit=False)

    async def _apply(self, name: str, cmd: Command) -> list[Notification]:
        """Applies a validated action to the state; returns its notifications."""
        effects = self.transitions.apply(name, self.state, cmd, workflow.now())
        return await self._take(effects, cmd.actor.id, commit=False)

    def _is_closed(self) -> bool:
        return self.case_kind.is_closed(self.state)

    def _snapshot(self, now: datetime) -> CaseSnapshot:
        return self.case_kind.snapshot(self.state, now)

    def _result(self) -> R:
        return cast(R, self.case_kind.result_of(self.state))

    # The machinery.

    async def _run(self, intake: Any, carried: CaseCarry[Any] | None) -> R:
        """A run of the case: opened or carried over, then served until it closes."""
        # Started with the intake alone, the SDK applies no type hints (they are matched
        # only when the counts agree): the intake arrives as JSON data.
        intake = self.case_kind.intake.model_validate(intake)
        if not self._begin(carried):
            await self._open(intake)
        await self._serve(intake)
        return self._result()

    async def _region(self, intake: Any) -> RegionSettings:
        """The settings of the case's own county, as its kind names it."""
        return await run_io(
            ReadModelActivities.load_region_settings, self.case_kind.county_of(intake)
        )

    # The handlers every kind has (typed for each kind by __init_subclass__).

    def _view(self) -> BaseModel:
        return self.case_kind.view_of(self.state)

    async def _wait_opened(self) -> BaseModel:
        """Returns once the case is open and in the read model, with its view: the API's
        create waits on it, and answers with it."""
        await workflow.wait_condition(lambda: self._state is not None and self._flushed >= 1)
        if patches.patched(OPENED_VIEW):
            return self.case_kind.view_of(self.state)
        return self._result()

    def _check_recompute(self, cmd: RecomputeDeadlines) -> None:
        self._check_running()

    if TYPE_CHECKING:
        # What each kind's workflow gets from __init_subclass__, as type checkers see it (its
        # actions' updates too, by their names).

        @workflow.query
        def view(self) -> BaseModel:
            return self._view()

        @workflow.update
        async def wait_opened(self) -> BaseModel:
            return await self._wait_opened()

        @workflow.update
        async def recompute_deadlines(self, cmd: RecomputeDeadlines) -> RecomputeResult:
            return await self._recompute_deadlines(cmd)

    def _begin(self, carried: CaseCarry[Any] | None) -> bool:
        """Starts a run; True when it continues the case from the run before."""
        patches.begin()
        self._stamped = patches.patched(STAMPED_ACTIONS)
        if carried is None:
            return False
        self._resume(carried)
        return True

    def _resume(self, carried: CaseCarry[Any]) -> None:
        """A run continued from the one before: the same case, clocks and recent keys."""
        self._state = carried.state
        self._requests = {seen.key: seen for seen in carried.requests}
        # The read model already shows this revision; nothing to write until it changes.
        self._flushed = self.state.revision

    def _history_full(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > carry.MAX_HISTORY_EVENTS
        )

    async def _continue_as_new(self, intake: BaseModel) -> None:
        """Hands the case to a fresh run once every handler and write has finished."""
        await workflow.wait_condition(
            lambda: (
                workflow.all_handlers_finished()
                and not self._lock.locked()
                and self._flushed >= self.state.revision
            )
        )
        carried = CaseCarry[Any](state=self._carried(), requests=list(self._requests.values()))
        workflow.continue_as_new(args=[intake, carried])

    def _carried(self) -> S:
        """The state the next run starts from: all of it, unless the kind bounds it."""
        return self.state

    async def _serve(self, intake: BaseModel | None = None) -> None:
        """Runs the case's clocks until it closes, then lets every write and handler finish.

        With the run's intake, it continues as new when the history grows too large."""
        flusher = asyncio.create_task(self._flush_forever())
        while not self._is_closed():
            if intake is not None and self._history_full():
                await self._continue_as_new(intake)
            summary = self.case_kind.timer_summary if patches.patched(CASE_SUMMARIES) else None
            await self._clock.sleep(
                self.state.deadlines,
                stop=self._is_closed,
                summary=summary,
                steady=patches.patched(STEADY_TIMER),
            )
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
        check(self.case_kind.actions, name, state, cmd, workflow.now())

    def _validate(self, name: str, cmd: Command) -> None:
        """What an update's validator decides; a refusal is typed for the API (403/409/422)."""
        if self._state is None:
            raise ApplicationError("the case is still opening", type="ActionNotAllowed")
        try:
            self._check_stamp(cmd)
            if self._seen(name, cmd) is not None:
                return  # a retry: the handler answers with the first outcome
            self._check(name, self._state, cmd)
        except REFUSALS as exc:
            raise refusal(exc) from None

    def _check_stamp(self, cmd: Command) -> None:
        stamp = cmd.request
        if not self._stamped:
            return
        if stamp is None:
            raise Forbidden("an action is accepted only through the API")
        if stamp.case_id != workflow.info().workflow_id:
            raise Forbidden("the action was issued for another case")

    def _seen(self, name: str, cmd: Command) -> R | None:
        """The first outcome of an action already applied under this idempotency key."""
        if cmd.request is None:
            return None
        seen = self._requests.get(cmd.request.key)
        if seen is None:
            return None
        if seen.action != name or seen.fingerprint != fingerprint(name, cmd):
            raise InvalidActionInput(
                "this Idempotency-Key was used before on this case for a different request"
            )
        return cast(R, self.case_kind.result.model_validate(seen.result))

    def _remember(self, name: str, cmd: Command, result: R) -> None:
        if cmd.request is None:
            return
        self._requests[cmd.request.key] = SeenRequest(
            key=cmd.request.key,
            action=name,
            fingerprint=fingerprint(name, cmd),
            result=result.model_dump(mode="json"),
        )
        while len(self._requests) > carry.KEPT_REQUESTS:
            del self._requests[next(iter(self._requests))]

    async def _act(self, name: str, cmd: Command) -> R:
        """One human action: validated again under the lock (another update may have changed
        the case since the validator ran), applied, remembered under its key, written."""
        try:
            seen = self._seen(name, cmd)
        except REFUSALS as exc:
            raise refusal(exc) from None
        if seen is not None:
            return seen
        async with self._lock:
            self._validate(name, cmd)
            try:
                seen = self._seen(name, cmd)
            except REFUSALS as exc:
                raise refusal(exc) from None
            if seen is not None:
                return seen  # a concurrent retry applied it while this one waited
            before = self.state.model_copy(deep=True)
            try:
                notes = await self._apply(name, cmd)
            except ApplicationError:
                self._state = before
                raise
            except REFUSALS as exc:
                self._state = before
                raise refusal(exc) from None
            except Exception as exc:
                # A bug, not a refusal: fail this update with the case as it was, instead
                # of failing the workflow task for ever.
                self._state = before
                workflow.logger.error(
                    "action %s failed after validation: %s", name, type(exc).__name__
                )
                raise action_failed(name) from None
            self._changed(notes)
            result = self._result()
            self._remember(name, cmd, result)
        await self._flushed_now()
        return result

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
        for retime in effects.retime:
            retimed_due = await compute_due(retime.request)
            retimed(self.state.deadlines, retime, retimed_due, actor_id, now)
        for then in effects.then:
            effects.notes += then()
        if effects.report:
            await self._report(effects.report)
        if commit:
            self._changed(effects.notes)
        return effects.notes

    async def _tell(self, workflow_id: str, signal: str, payload: BaseModel) -> bool:
        """Signals a linked case or project by its id; False when it has ended (what it was
        told then stays recorded here only, and the action that told it still applies)."""
        try:
            await workflow.get_external_workflow_handle(workflow_id).signal(signal, payload)
        except FailureError:
            workflow.logger.warning("a linked workflow has ended: %s not delivered", signal)
            return False
        return True

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

    # PUB-4: a worker's access through the worker's window, recorded in the case's history as
    # the worker (the update's input names a worker actor, never staff). It changes nothing
    # else: no revision, no read-model write; the API sends it once per session, and the
    # update id (the session's) makes a retry join the first.

    @workflow.update
    async def worker_access(self, access: WorkerAccess) -> WorkerAccessResult:
        return WorkerAccessResult(case_id=workflow.info().workflow_id)

    @worker_access.validator
    def _check_worker_access(self, access: WorkerAccess) -> None:
        if self._state is None or self._is_closed():
            raise ApplicationError("the case is not running", type="ActionNotAllowed")
        stamp = access.request
        if self._stamped and (stamp is None or stamp.case_id != workflow.info().workflow_id):
            raise ApplicationError("an access is recorded only through the API", type="Forbidden")

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
            if patches.patched(LOCAL_IO):
                # Local activities: each answers with what it wrote, so that the history
                # holds it (core/history.py).
                if notes:
                    await run_io(ReadModelActivities.keep_notifications, notes)
                await run_io(ReadModelActivities.keep_case, row)
            else:
                if notes:
                    await run_io(ReadModelActivities.write_notifications, notes)
                await run_io(ReadModelActivities.sync_case, self._snapshot(workflow.now()))
            await self._write_rows()
            self._flushed = revision

    async def _write_rows(self) -> None:
        """What a kind writes to the read model beside its case row (a project: its months
        and roster); most write nothing more."""
        return None

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


def _action_update(name: str, command: type[Command], result: type[BaseModel]) -> Any:
    """The update of one action, typed with its command and the kind's result, and its
    validator (`_check_<name>`)."""

    async def act(self: CaseWorkflow[Any, Any], cmd: Command) -> Any:
        return await self._act(name, cmd)

    def validate(self: CaseWorkflow[Any, Any], cmd: Command) -> None:
        self._validate(name, cmd)

    update = workflow.update(_retyped(act, name, cmd=command, **{"return": result}))
    update.validator(_retyped(validate, f"_check_{name}", cmd=command))
    return update
