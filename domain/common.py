"""Types every case kind shares: actors, roles, money, China Standard Time, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and
# needs no tz database (which workflow code may not read).
CST = timezone(timedelta(hours=8), "CST")

CountyCode = Annotated[
    str, Field(pattern=r"^\d{6}$", description="GB/T 2260 division code, e.g. 140105")
]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
# The bureau's own number for a case, unique within its county and kind (never personal data).
CaseNumber = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")]


class Role(StrEnum):
    mediator = "mediator"
    inspector = "inspector"
    supervisor = "supervisor"
    agency_clerk = "agency_clerk"
    admin = "admin"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Actor(StrictModel):
    """Who takes an action. Ids are staff ids, never a person's name or ID number."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
    role: Role
    county_code: CountyCode


CASE_ID_PATTERN = r"^[A-Z]{2}-\d{4}-\d{6}$"


class RequestStamp(StrictModel):
    """What the API stamps on every action it sends: the case it is for and the request's
    idempotency key. Sealed with the action by the payload codec, so only the API can write
    it; the workflow refuses an action without one, or stamped for another case, and applies
    a key once (a retry gets the first outcome)."""

    case_id: str = Field(pattern=CASE_ID_PATTERN)
    key: str = Field(min_length=1, max_length=200)


class Command(StrictModel):
    """A human action: who takes it and why. The event history keeps both."""

    actor: Actor
    reason: Reason
    # Set by the API, never by the caller (None only in histories recorded before stamps).
    request: RequestStamp | None = None


class ActionNotAllowed(Exception):
    """The case's state forbids the action (HTTP 409)."""


class InvalidActionInput(Exception):
    """The action is allowed but its input is wrong for this case (HTTP 422)."""


class Forbidden(Exception):
    """The actor's role or county may not take this action (HTTP 403)."""


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("instants must carry a time zone")
    return moment.astimezone(UTC)


def cst_date(moment: datetime) -> date:
    return moment.astimezone(CST).date()


def cst_date_str(moment: datetime) -> str:
    return cst_date(moment).isoformat()
