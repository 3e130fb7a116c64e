"""Effects of an action or a deadline: what every case kind's transitions return.

A transition returns what it needs done: notifications to write, deadlines to start (their
due times come from the calendar activity), changes to running deadlines, what to record
once those due times are known, and an outcome to report to a linked case. The workflow
carries them out in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from domain.common import Command, cst_date
from domain.deadlines import (
    Deadline,
    DeadlineCommand,
    DeadlineSpec,
    DueRequest,
    DueResult,
    ExtendDeadline,
    PauseDeadline,
    RestartDeadline,
    ResumeDeadline,
    extended,
    extension_request,
    find_pending,
    new_deadline,
    paused,
    restart_request,
    restarted,
    resumed,
)
from domain.notifications import Notification


@dataclass(frozen=True)
class Retime:
    """A running deadline counted again from another start (WA-6: from the day an order was
    served): its due time is computed for `request`, and its ledger names `change`."""

    deadline: str
    request: DueRequest
    change: str
    reason: str | None = None


@dataclass
class Effects:
    notes: list[Notification] = field(default_factory=list)
    start: list[DeadlineSpec] = field(default_factory=list)
    # Changes to running deadlines, applied once their due times are computed.
    recompute: list[tuple[str, DeadlineCommand]] = field(default_factory=list)
    # Running deadlines counted again from another start, once their due times are computed.
    retime: list[Retime] = field(default_factory=list)
    # Run once the deadlines are started: what the transition records of their due times.
    then: list[Callable[[], list[Notification]]] = field(default_factory=list)
    report: str | None = None

    def __iadd__(self, other: Effects) -> Effects:
        self.notes += other.notes
        self.start += other.start
        self.recompute += other.recompute
        self.retime += other.retime
        self.then += other.then
        self.report = other.report or self.report
        return self


S = TypeVar("S")
Transition = Callable[[S, Command, datetime], Effects]


def deadline_changed(state: object, cmd: Command, now: datetime) -> Effects:
    """An officer extended, paused or resumed a running deadline: the workflow computes its
    due time again."""
    assert isinstance(cmd, DeadlineCommand)
    return Effects(recompute=[(cmd.deadline, cmd)])


# What an officer's extend, pause or resume does in every kind whose deadlines allow them.
DEADLINE_CHANGES: Mapping[type[Command], Transition[object]] = {
    ExtendDeadline: deadline_changed,
    PauseDeadline: deadline_changed,
    ResumeDeadline: deadline_changed,
}


def by_command(
    handlers: Mapping[type[Command], Transition[S]],
) -> Callable[[str, S, Command, datetime], Effects]:
    """A kind's `apply`: what the checked action's command does to the case."""

    def apply(name: str, state: S, cmd: Command, now: datetime) -> Effects:
        handler = handlers.get(type(cmd))
        if handler is None:
            raise ValueError(f"no transition for {name}")
        return handler(state, cmd, now)

    return apply


def deadline_change(
    deadlines: list[Deadline], cmd: DeadlineCommand, now: datetime
) -> tuple[Deadline, DueRequest | None]:
    """The deadline an extend/pause/resume/restart acts on, and its due-time request."""
    deadline = find_pending(deadlines, cmd.deadline)
    if isinstance(cmd, ExtendDeadline):
        return deadline, extension_request(deadline, cmd)
    if isinstance(cmd, ResumeDeadline):
        return deadline, deadline.due_request(resume_on=cst_date(now))
    if isinstance(cmd, RestartDeadline):
        return deadline, restart_request(deadline, now)
    return deadline, None


def apply_deadline_change(
    deadline: Deadline,
    cmd: DeadlineCommand,
    request: DueRequest | None,
    due: DueResult | None,
    now: datetime,
) -> None:
    if isinstance(cmd, ExtendDeadline):
        assert request is not None and due is not None
        extended(deadline, cmd, request, due, now)
    elif isinstance(cmd, PauseDeadline):
        paused(deadline, cmd, now)
    elif isinstance(cmd, ResumeDeadline):
        assert due is not None
        resumed(deadline, cmd, due, now)
    elif isinstance(cmd, RestartDeadline):
        assert due is not None
        restarted(deadline, cmd, due, now)


def retimed(
    deadlines: list[Deadline],
    retime: Retime,
    due: DueResult,
    actor_id: str | None,
    now: datetime,
) -> None:
    deadline = find_pending(deadlines, retime.deadline)
    deadline.start_at = retime.request.start_at
    deadline.roll_past_holidays = retime.request.roll_past_holidays
    deadline.set_due(due, now, retime.change, actor_id, retime.reason)


def started(
    deadlines: list[Deadline], spec: DeadlineSpec, due: DueResult, actor_id: str | None
) -> None:
    deadlines.append(
        new_deadline(
            name=spec.name,
            rule=spec.rule,
            request=spec.request,
            due=due,
            warn_before_days=spec.warn_before_days,
            policy=spec.policy,
            actor_id=actor_id,
            reason=spec.reason,
        )
    )


def take_now(
    deadlines: list[Deadline],
    effects: Effects,
    compute: Callable[[DueRequest], DueResult],
    actor_id: str | None,
    now: datetime,
) -> list[Notification]:
    """What the workflow does with effects (workflows/case_base.py `_take`), with the due
    times from `compute` instead of the calendar activity: for pure tests of transitions."""
    for spec in effects.start:
        started(deadlines, spec, compute(spec.request), actor_id)
    for _, cmd in effects.recompute:
        deadline, request = deadline_change(deadlines, cmd, now)
        due = compute(request) if request is not None else None
        apply_deadline_change(deadline, cmd, request, due, now)
    for retime in effects.retime:
        retimed(deadlines, retime, compute(retime.request), actor_id, now)
    notes = list(effects.notes)
    for then in effects.then:
        notes += then()
    return notes
