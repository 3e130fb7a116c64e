"""Notifications the workflows ask for; the outbox activity stores each exactly once."""

from __future__ import annotations

from typing import Protocol

from pydantic import Field

from domain.common import CountyCode, Role, StrictModel
from domain.deadlines import Deadline


class Notification(StrictModel):
    # Unique per case: a retried activity or a replayed workflow writes the same key again,
    # and the outbox keeps one row.
    key: str = Field(min_length=1, max_length=200)
    case_id: str
    kind: str
    recipient_role: Role | None = None
    recipient: str | None = None
    county_code: CountyCode
    # Never personal data: outbox rows are read by other systems and by people.
    params: dict[str, str] = Field(default_factory=dict)


def notify(
    case_id: str, county_code: str, kind: str, key: str, role: Role | None, **params: str
) -> Notification:
    """A notification keyed by case, kind and `key`, so writing it twice keeps one row."""
    return Notification(
        key=f"{case_id}:{kind}:{key}",
        case_id=case_id,
        kind=kind,
        recipient_role=role,
        county_code=county_code,
        params=params,
    )


class _InCounty(Protocol):
    @property
    def county_code(self) -> str: ...


class _CountyCase(Protocol):
    @property
    def case_id(self) -> str: ...

    @property
    def intake(self) -> _InCounty: ...


def notify_case(
    state: _CountyCase, kind: str, key: str, role: Role | None, **params: str
) -> Notification:
    """A notification of a case that belongs to its intake's county."""
    return notify(state.case_id, state.intake.county_code, kind, key, role, **params)


def deadline_notice(
    state: _CountyCase, kind: str, deadline: Deadline, role: Role, **params: str
) -> Notification:
    """A notification about one of the case's deadlines (`deadline_due_soon`,
    `deadline_breached`), written once for each due time the deadline has."""
    key = f"{deadline.name}:{deadline.due_at.isoformat()}"
    return notify_case(state, kind, key, role, deadline=deadline.name, rule=deadline.rule, **params)
