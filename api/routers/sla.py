"""The SLA board: deadlines across cases, soonest first."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.access import visible_kinds
from api.deps import CurrentUser, SessionDep
from api.errors import ApiError
from api.limits import MAX_OFFSET, Instant
from core.rows import from_attributes
from domain import kinds
from domain.deadlines import SlaState
from store import sla as sla_store
from store.sla import DEFAULT_SLA_STATES, SlaFilter, SlaRow

router = APIRouter(prefix="/api/v1/sla", tags=["sla"])


class SlaItem(BaseModel):
    case_id: str
    kind: str
    county_code: str
    deadline: str = Field(description="the deadline's name within its case")
    rule: str
    basis: str
    due_at: datetime
    warn_at: datetime | None
    sla_state: SlaState
    provisional: bool
    paused: bool
    priority: bool = Field(description="MA-4 green channel: listed first")
    seconds_left: int = Field(
        description="due_at minus the time of the request, negative once past due, whatever "
        "the state"
    )


class SlaSummary(BaseModel):
    by_state: dict[SlaState, int] = Field(
        description="every state, counted with all filters except sla_state"
    )
    by_county: dict[str, int] = Field(
        description="counted with all filters, sla_state included: adds up to total"
    )


class SlaPage(BaseModel):
    items: list[SlaItem]
    total: int
    limit: int
    offset: int
    summary: SlaSummary


def _item(row: SlaRow, now: datetime) -> SlaItem:
    return from_attributes(
        SlaItem,
        row,
        deadline=row.name,
        # Floor, so a deadline a fraction of a second past due is already negative.
        seconds_left=math.floor((row.due_at - now).total_seconds()),
    )


@router.get("", response_model=SlaPage)
def list_sla_deadlines(
    session: SessionDep,
    user: CurrentUser,
    sla_state: Annotated[
        list[SlaState] | None,
        Query(description="repeatable; default due_soon, overdue and breached"),
    ] = None,
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    kind: kinds.KindName | None = None,
    rule: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
    due_before: Annotated[
        Instant | None, Query(description="due strictly before this instant (with time zone)")
    ] = None,
    provisional: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SlaPage:
    """Deadlines across cases sorted by due time, with their SLA state at the time of the
    request, and counts per state and per county: only cases in the caller's counties (a
    `county_code` outside them lists nothing)."""
    if due_before is not None and due_before.tzinfo is None:
        raise ApiError(422, "invalid_input", "due_before must carry a time zone")
    # One instant for the SQL classification and seconds_left, so the two always agree.
    now = datetime.now(UTC)
    flt = SlaFilter(
        now=now,
        sla_states=frozenset(sla_state) if sla_state else DEFAULT_SLA_STATES,
        county_code=county_code,
        county_codes=user.counties,
        kinds=visible_kinds(user),
        kind=kind,
        rule=rule,
        due_before=due_before,
        provisional=provisional,
    )
    page = sla_store.list_sla_deadlines(session.connection(), flt, limit, offset)
    return SlaPage(
        items=[_item(row, now) for row in page.rows],
        total=page.total,
        limit=limit,
        offset=offset,
        summary=SlaSummary(by_state=page.summary.by_state, by_county=page.summary.by_county),
    )
