"""The row a case keeps in the read model, sent by the workflow after every change."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from pydantic import Field

from domain.common import CountyCode, StrictModel
from domain.deadlines import Deadline, SlaState, next_pending


class DeadlineRow(StrictModel):
    """One deadline of a case, as the SLA board lists it."""

    name: str
    rule: str
    basis: str
    due_at: datetime
    warn_at: datetime | None = None
    state: str
    provisional: bool = False
    paused: bool = False
    computed: bool = False
    calendar_version: str = ""


class CaseSnapshot(StrictModel):
    case_id: str
    kind: str
    status: str
    severity: str | None = None
    county_code: CountyCode
    # The employer is an organisation; worker names never enter the read model.
    employer_name: str | None = None
    # How the case came in (a wage-arrears case's intake source: complaint, hotline, ...).
    source: str | None = None
    # `online`: filed by the worker through the worker's window (PUB-5).
    channel: str | None = None
    workers_count: int = 0
    amount_owed: Decimal = Decimal("0")
    amount_paid: Decimal = Decimal("0")
    next_due_at: datetime | None = None
    next_due_name: str | None = None
    next_warn_at: datetime | None = None
    sla_state: SlaState | None = None
    provisional: bool = False
    breached_count: int = 0
    # MA-4 green channel: sorts first in lists and on the SLA board.
    priority: bool = False
    opened_at: datetime
    settled_at: datetime | None = None
    closed_at: datetime | None = None
    deadlines: list[DeadlineRow] = Field(default_factory=list)
    # Who the case waits for, as `role:county` (domain/actions.py `awaited`): the work queue.
    awaiting: list[str] = Field(default_factory=list)
    # Monotonic per case: a late retry of an older snapshot never overwrites a newer one.
    revision: int


def deadline_rows(deadlines: list[Deadline]) -> list[DeadlineRow]:
    return [
        DeadlineRow(
            name=d.name,
            rule=d.rule,
            basis=d.basis.value,
            due_at=d.due_at,
            warn_at=d.warn_at,
            state=d.state.value,
            provisional=d.provisional,
            paused=d.paused,
            computed=d.computed,
            calendar_version=d.calendar_version,
        )
        for d in deadlines
    ]


def clock_fields(deadlines: list[Deadline], now: datetime) -> dict[str, Any]:
    """A snapshot's fields of the case's clocks: its deadlines and the nearest pending one."""
    nearest = next_pending(deadlines)
    return {
        "next_due_at": nearest.due_at if nearest else None,
        "next_due_name": nearest.name if nearest else None,
        "next_warn_at": nearest.warn_at if nearest else None,
        "sla_state": nearest.sla_state_at(now) if nearest else None,
        "provisional": bool(nearest and nearest.provisional),
        "deadlines": deadline_rows(deadlines),
    }


class _Case(Protocol):
    @property
    def case_id(self) -> str: ...

    @property
    def opened_at(self) -> datetime: ...

    @property
    def closed_at(self) -> datetime | None: ...

    @property
    def revision(self) -> int: ...

    @property
    def deadlines(self) -> list[Deadline]: ...


def case_snapshot(
    kind: str, state: _Case, now: datetime, awaiting: list[str], **fields: Any
) -> CaseSnapshot:
    """A case's row with what every kind fills alike: its id, dates, revision, clocks and who
    it waits for; `fields` are the kind's own (status, county, amounts, ...). A breach is a
    breached deadline unless the kind counts its breaches otherwise."""
    fields.setdefault(
        "breached_count", sum(1 for d in state.deadlines if d.state.value == "breached")
    )
    return CaseSnapshot(
        case_id=state.case_id,
        kind=kind,
        opened_at=state.opened_at,
        closed_at=state.closed_at,
        revision=state.revision,
        **clock_fields(state.deadlines, now),
        awaiting=awaiting,
        **fields,
    )
