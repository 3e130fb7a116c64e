"""Checks of the dates an action's input states (CAL-3): what every case kind refuses (422)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from domain.common import InvalidActionInput, cst_date


class _Event(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def at(self) -> datetime: ...


def not_future(field: str, day: date, now: datetime) -> None:
    if day > cst_date(now):
        raise InvalidActionInput(f"{field} is in the future")


def not_before(field: str, day: date, after: date | None, what: str) -> None:
    """CAL-3: a legal date is not before the event it follows."""
    if after is not None and day < after:
        raise InvalidActionInput(f"{field} is before {what} ({after.isoformat()})")


def last_event_day(events: Iterable[_Event], kind: str) -> date | None:
    """The CST day of the latest event of `kind`, if the case recorded one."""
    days = [cst_date(e.at) for e in events if e.kind == kind]
    return days[-1] if days else None
