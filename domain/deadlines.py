"""The deadline primitive every case kind uses.

A deadline is data: its due time is computed once, by an activity, and stored with the
calendar version that produced it, so replaying a workflow never recomputes it. The workflow
owns the timer (see `workflows/deadlines.py`); this module holds the pure transitions.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from domain.common import StrictModel


class DeadlineBasis(StrEnum):
    calendar_days = "calendar_days"
    working_days = "working_days"
    fixed = "fixed"


class DeadlineState(StrEnum):
    pending = "pending"
    met = "met"
    breached = "breached"
    cancelled = "cancelled"


class SlaState(StrEnum):
    on_track = "on_track"
    due_soon = "due_soon"
    overdue = "overdue"
    met = "met"
    breached = "breached"
    cancelled = "cancelled"


class LedgerEntry(StrictModel):
    at: datetime
    change: str
    due_at: datetime | None = None
    actor_id: str | None = None
    reason: str | None = None


class DueRequest(StrictModel):
    """Input of the calendar activity: `days` counted after the day `start_at` falls on (CST)."""

    start_at: datetime
    basis: DeadlineBasis
    days: int = Field(ge=0, le=3660)
    # CAL-3: a statutory period whose last day is a holiday ends on the next working day.
    roll_past_holidays: bool = False


class DueResult(StrictModel):
    due_at: datetime
    calendar_version: str
    provisional: bool = False


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

    @property
    def pending(self) -> bool:
        return self.state is DeadlineState.pending

    def next_wakeup(self) -> datetime | None:
        if not self.pending:
            return None
        if self.warn_at is not None and not self.warned and self.warn_at < self.due_at:
            return self.warn_at
        return self.due_at

    def sla_state_at(self, now: datetime) -> SlaState:
        if self.state is not DeadlineState.pending:
            return SlaState(self.state.value)
        if now >= self.due_at:
            return SlaState.overdue
        if self.warn_at is not None and now >= self.warn_at:
            return SlaState.due_soon
        return SlaState.on_track

    def close(
        self, state: DeadlineState, at: datetime, actor_id: str | None = None, reason: str = ""
    ) -> None:
        self.state = state
        self.ledger.append(
            LedgerEntry(at=at, change=state.value, actor_id=actor_id, reason=reason or None)
        )


def new_deadline(
    *,
    name: str,
    rule: str,
    basis: DeadlineBasis,
    start_at: datetime,
    due: DueResult,
    warn_before_days: int | None = None,
    actor_id: str | None = None,
    reason: str | None = None,
) -> Deadline:
    from datetime import timedelta

    warn_at = None
    if warn_before_days:
        warn_at = max(start_at, due.due_at - timedelta(days=warn_before_days))
    return Deadline(
        name=name,
        rule=rule,
        basis=basis,
        start_at=start_at,
        due_at=due.due_at,
        warn_at=warn_at,
        calendar_version=due.calendar_version,
        provisional=due.provisional,
        ledger=[
            LedgerEntry(
                at=start_at, change="set", due_at=due.due_at, actor_id=actor_id, reason=reason
            )
        ],
    )


def next_pending(deadlines: list[Deadline]) -> Deadline | None:
    pending = [d for d in deadlines if d.pending]
    return min(pending, key=lambda d: d.due_at) if pending else None
