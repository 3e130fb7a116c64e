"""The deadline primitive every case kind uses.

A deadline is data: its due time is computed by an activity (from the start, the basis, the
period, the paused days and the official calendar) and stored with the calendar version that
produced it, so replaying a workflow never recomputes it. The workflow owns the timer (see
`workflows/deadlines.py`); this module holds the pure rules for changing a deadline.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import Field, model_validator

from domain.common import (
    ActionNotAllowed,
    Actor,
    Command,
    InvalidActionInput,
    Role,
    StrictModel,
    cst_date,
)


class ApproverCapacity(StrEnum):
    arbitration_commission_chair = "arbitration_commission_chair"
    bureau_head = "bureau_head"


class DeadlineBasis(StrEnum):
    calendar_days = "calendar_days"
    working_days = "working_days"
    fixed = "fixed"


class DeadlineState(StrEnum):
    pending = "pending"
    met = "met"
    breached = "breached"
    cancelled = "cancelled"
    # Never set by a workflow: the read model's mark for a clock whose case's workflow ended
    # abnormally (terminated, failed, timed out), so it is no longer pending (store/case_ends.py).
    abandoned = "abandoned"


class SlaState(StrEnum):
    on_track = "on_track"
    due_soon = "due_soon"
    overdue = "overdue"
    met = "met"
    breached = "breached"
    cancelled = "cancelled"
    abandoned = "abandoned"


class LedgerEntry(StrictModel):
    at: datetime
    change: str
    due_at: datetime | None = None
    actor_id: str | None = None
    reason: str | None = None
    approver_id: str | None = None
    provisional: bool | None = None

    @classmethod
    def due_set(
        cls,
        at: datetime,
        change: str,
        due: DueResult,
        actor_id: str | None,
        reason: str | None,
        approver_id: str | None = None,
    ) -> LedgerEntry:
        """An entry that gives the deadline a due time: set, extended, resumed, recomputed."""
        return cls(
            at=at,
            change=change,
            due_at=due.due_at,
            actor_id=actor_id,
            reason=reason,
            approver_id=approver_id,
            provisional=due.provisional,
        )


class DateRange(StrictModel):
    """Whole CST days from `start` up to, not including, `end`."""

    start: date
    end: date


class DueRequest(StrictModel):
    """Input of the calendar activity: `days` counted from the day after `start_at` (CST)."""

    start_at: datetime
    basis: DeadlineBasis
    days: int = Field(default=0, ge=0, le=3660)
    # CAL-3: a statutory period whose last day is a holiday ends on the next working day.
    roll_past_holidays: bool = False
    # Paused days do not count (suspensions, MA-7).
    excluded: list[DateRange] = Field(default_factory=list)
    fixed_due: datetime | None = None


class DueResult(StrictModel):
    due_at: datetime
    calendar_version: str
    provisional: bool = False


class DeadlinePolicy(StrictModel):
    """What people may do to a running deadline; set by the rule that creates it."""

    extendable: bool = False
    max_extensions: int | None = None
    max_extension_days: int | None = None
    approval_required: bool = False
    pausable: bool = False
    restartable: bool = False
    # Who must approve, where the law names them (MA-7: the arbitration commission's chair).
    approver_capacity: ApproverCapacity | None = None


class Pause(StrictModel):
    start: date
    end: date | None = None


class Deadline(StrictModel):
    name: str
    rule: str
    basis: DeadlineBasis
    start_at: datetime
    due_at: datetime
    warn_at: datetime | None = None
    calendar_version: str = ""
    provisional: bool = False
    state: DeadlineState = DeadlineState.pending
    warned: bool = False
    ledger: list[LedgerEntry] = Field(default_factory=list)
    days: int = 0
    base_days: int = 0
    roll_past_holidays: bool = False
    fixed_due: datetime | None = None
    warn_before_days: int | None = None
    # How much earlier than `warn_before_days` the warning comes (WA-4's campaign warnings,
    # spread over a day by the case id so that a province's cases are not all warned in the
    # same second; docs/RULES-notes.md). Never moves the due time.
    warn_spread_seconds: int = 0
    pauses: list[Pause] = Field(default_factory=list)
    extensions: int = 0
    policy: DeadlinePolicy = Field(default_factory=DeadlinePolicy)

    @property
    def pending(self) -> bool:
        return self.state is DeadlineState.pending

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    @property
    def computed(self) -> bool:
        """Whether the due time depends on the calendar (and so may be recomputed)."""
        return self.basis is DeadlineBasis.working_days or self.roll_past_holidays

    def next_wakeup(self) -> datetime | None:
        if not self.pending or self.paused:
            return None
        if self.warn_at is not None and not self.warned and self.warn_at < self.due_at:
            return self.warn_at
        return self.due_at

    def sla_state_at(self, now: datetime) -> SlaState:
        if self.state is not DeadlineState.pending:
            return SlaState(self.state.value)
        if self.paused:
            return SlaState.on_track
        if now >= self.due_at:
            return SlaState.overdue
        if self.warn_at is not None and now >= self.warn_at:
            return SlaState.due_soon
        return SlaState.on_track

    def due_request(self, resume_on: date | None = None) -> DueRequest:
        excluded = [DateRange(start=p.start, end=p.end) for p in self.pauses if p.end is not None]
        if resume_on is not None and self.paused:
            excluded.append(DateRange(start=self.pauses[-1].start, end=resume_on))
        return DueRequest(
            start_at=self.start_at,
            basis=self.basis,
            days=self.days,
            roll_past_holidays=self.roll_past_holidays,
            excluded=excluded,
            fixed_due=self.fixed_due,
        )

    def set_due(
        self,
        due: DueResult,
        at: datetime,
        change: str,
        actor_id: str | None = None,
        reason: str | None = None,
        approver_id: str | None = None,
    ) -> None:
        moved_later = due.due_at > self.due_at
        self.due_at = due.due_at
        self.calendar_version = due.calendar_version
        self.provisional = due.provisional
        self.warn_at = _warn_at(
            self.start_at, due.due_at, self.warn_before_days, self.warn_spread_seconds
        )
        if moved_later and self.warn_at is not None and self.warn_at > at:
            self.warned = False
        self.ledger.append(LedgerEntry.due_set(at, change, due, actor_id, reason, approver_id))

    def close(
        self, state: DeadlineState, at: datetime, actor_id: str | None = None, reason: str = ""
    ) -> None:
        self.state = state
        self.ledger.append(
            LedgerEntry(at=at, change=state.value, actor_id=actor_id, reason=reason or None)
        )


def _warn_at(
    start_at: datetime, due_at: datetime, warn_before_days: int | None, spread_seconds: int = 0
) -> datetime | None:
    if not warn_before_days:
        return None
    return max(start_at, due_at - timedelta(days=warn_before_days, seconds=spread_seconds))


def new_deadline(
    *,
    name: str,
    rule: str,
    request: DueRequest,
    due: DueResult,
    warn_before_days: int | None = None,
    warn_spread_seconds: int = 0,
    policy: DeadlinePolicy | None = None,
    actor_id: str | None = None,
    reason: str | None = None,
) -> Deadline:
    return Deadline(
        name=name,
        rule=rule,
        basis=request.basis,
        start_at=request.start_at,
        due_at=due.due_at,
        warn_at=_warn_at(request.start_at, due.due_at, warn_before_days, warn_spread_seconds),
        calendar_version=due.calendar_version,
        provisional=due.provisional,
        days=request.days,
        base_days=request.days,
        roll_past_holidays=request.roll_past_holidays,
        fixed_due=request.fixed_due,
        warn_before_days=warn_before_days,
        warn_spread_seconds=warn_spread_seconds,
        policy=policy or DeadlinePolicy(),
        ledger=[LedgerEntry.due_set(request.start_at, "set", due, actor_id, reason)],
    )


class DeadlineSpec(StrictModel):
    """A deadline to start once the calendar activity has computed its due time."""

    name: str
    rule: str
    request: DueRequest
    warn_before_days: int | None = None
    policy: DeadlinePolicy | None = None
    # Why it was set, in its ledger (an officer's reason for the action that started it).
    reason: str | None = None


def next_pending(deadlines: list[Deadline]) -> Deadline | None:
    pending = [d for d in deadlines if d.pending and not d.paused]
    return min(pending, key=lambda d: d.due_at) if pending else None


# Changing a running deadline: commands and their rules.


class DeadlineCommand(Command):
    deadline: str = Field(min_length=1, max_length=60)


class ExtendDeadline(DeadlineCommand):
    days: int | None = Field(default=None, ge=1, le=365)
    to: datetime | None = None
    approver: Actor | None = None
    # In what capacity the approver approves (MA-7: the arbitration commission's chair).
    approver_capacity: ApproverCapacity | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ExtendDeadline:
        if (self.days is None) == (self.to is None):
            raise ValueError("give either days or to")
        if self.to is not None and self.to.tzinfo is None:
            raise ValueError("to must carry a time zone")
        return self


class PauseDeadline(DeadlineCommand):
    pass


class ResumeDeadline(DeadlineCommand):
    pass


class RestartDeadline(DeadlineCommand):
    pass


class RecomputeDeadlines(StrictModel):
    """The calendar version now in force (see the calendar activity)."""

    calendar_version: str = Field(min_length=1, max_length=400)


class RecomputeResult(StrictModel):
    case_id: str
    changed: list[str]


def find_pending(deadlines: list[Deadline], name: str) -> Deadline:
    found = [d for d in deadlines if d.name == name]
    if not found:
        # Named by the case's own deadlines, never by the value asked for.
        known = ", ".join(sorted({d.name for d in deadlines})) or "none"
        raise InvalidActionInput(f"no deadline of that name in this case (deadlines: {known})")
    deadline = found[-1]
    if not deadline.pending:
        raise ActionNotAllowed(f"the {name} deadline is {deadline.state.value}")
    return deadline


def check_extend(deadline: Deadline, cmd: ExtendDeadline) -> None:
    policy = deadline.policy
    if deadline.paused:
        raise ActionNotAllowed(f"the {deadline.name} deadline is paused: resume it first")
    if not policy.extendable:
        raise ActionNotAllowed(f"{deadline.rule}: the {deadline.name} deadline cannot be extended")
    if policy.max_extensions is not None and deadline.extensions >= policy.max_extensions:
        raise ActionNotAllowed(
            f"{deadline.rule}: the {deadline.name} deadline was already extended "
            f"{deadline.extensions} time(s), the most allowed"
        )
    if cmd.to is not None:
        if cmd.to <= deadline.due_at:
            raise InvalidActionInput("an extension must move the deadline later")
        extra = (cst_date(cmd.to) - cst_date(deadline.due_at)).days
    else:
        extra = cmd.days or 0
    if policy.max_extension_days is not None and extra > policy.max_extension_days:
        raise InvalidActionInput(
            f"{deadline.rule}: an extension of the {deadline.name} deadline is at most "
            f"{policy.max_extension_days} days"
        )
    if policy.approval_required:
        if cmd.approver is None:
            raise InvalidActionInput(f"{deadline.rule}: this extension needs an approver")
        if cmd.approver.id == cmd.actor.id:
            raise InvalidActionInput("the approver must be someone other than the actor")
        wanted = policy.approver_capacity
        if wanted is not None:
            if cmd.approver_capacity is not wanted:
                raise InvalidActionInput(
                    f"{deadline.rule}: this extension is approved by the {wanted.value} "
                    f"(approver_capacity {wanted.value!r})"
                )
            if cmd.approver.role is not Role.supervisor:
                raise InvalidActionInput(
                    f"{deadline.rule}: the {wanted.value} approves as a supervisor"
                )
            if cmd.approver.county_code != cmd.actor.county_code:
                raise InvalidActionInput(
                    f"{deadline.rule}: the {wanted.value} must be of the case's county"
                )


def extension_request(deadline: Deadline, cmd: ExtendDeadline) -> DueRequest:
    request = deadline.due_request()
    if cmd.to is not None:
        # Days paused so far shift a fixed due time; the date asked for must not move.
        paused_days = sum((r.end - r.start).days for r in request.excluded)
        return request.model_copy(update={"fixed_due": cmd.to - timedelta(days=paused_days)})
    if request.fixed_due is not None:
        return request.model_copy(
            update={"fixed_due": request.fixed_due + timedelta(days=cmd.days or 0)}
        )
    return request.model_copy(update={"days": request.days + (cmd.days or 0)})


def extended(
    deadline: Deadline, cmd: ExtendDeadline, request: DueRequest, due: DueResult, at: datetime
) -> None:
    deadline.extensions += 1
    deadline.days = request.days
    deadline.fixed_due = request.fixed_due
    deadline.set_due(
        due, at, "extended", cmd.actor.id, cmd.reason, cmd.approver.id if cmd.approver else None
    )


def check_pause(deadline: Deadline) -> None:
    if not deadline.policy.pausable:
        raise ActionNotAllowed(f"{deadline.rule}: the {deadline.name} deadline cannot be paused")
    if deadline.paused:
        raise ActionNotAllowed(f"the {deadline.name} deadline is already paused")


def paused(deadline: Deadline, cmd: PauseDeadline, at: datetime) -> None:
    deadline.pauses.append(Pause(start=cst_date(at)))
    deadline.ledger.append(
        LedgerEntry(at=at, change="paused", actor_id=cmd.actor.id, reason=cmd.reason)
    )


def check_resume(deadline: Deadline) -> None:
    if not deadline.paused:
        raise ActionNotAllowed(f"the {deadline.name} deadline is not paused")


def resumed(deadline: Deadline, cmd: ResumeDeadline, due: DueResult, at: datetime) -> None:
    deadline.pauses[-1].end = cst_date(at)
    deadline.set_due(due, at, "resumed", cmd.actor.id, cmd.reason)


def check_restart(deadline: Deadline) -> None:
    if not deadline.policy.restartable:
        raise ActionNotAllowed(f"{deadline.rule}: the {deadline.name} deadline cannot restart")


def restart_request(deadline: Deadline, at: datetime) -> DueRequest:
    return DueRequest(
        start_at=at,
        basis=deadline.basis,
        days=deadline.base_days,
        roll_past_holidays=deadline.roll_past_holidays,
    )


def restarted(deadline: Deadline, cmd: RestartDeadline, due: DueResult, at: datetime) -> None:
    deadline.start_at = at
    deadline.days = deadline.base_days
    deadline.pauses = []
    deadline.extensions = 0
    deadline.fixed_due = None
    deadline.set_due(due, at, "restarted", cmd.actor.id, cmd.reason)


def recomputed(deadline: Deadline, due: DueResult, at: datetime) -> bool:
    """Applies a due time computed from a newer calendar; whether anything changed."""
    if (due.due_at, due.provisional, due.calendar_version) == (
        deadline.due_at,
        deadline.provisional,
        deadline.calendar_version,
    ):
        return False
    if due.due_at == deadline.due_at and due.provisional == deadline.provisional:
        deadline.calendar_version = due.calendar_version
        return False
    deadline.set_due(due, at, "recomputed", reason=f"calendar {due.calendar_version}")
    return True
