"""Who may approve an extension (WA-2, MA-7, SI-6): the supervisors of a county, for the
case page's approver picker. Staff ids only, never a person's name; a county outside the
caller's is 404 like every other read, so the list of supervisors cannot be probed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import CurrentUser, EngineDep
from api.errors import ApiError
from domain.common import Actor, CountyCode, Role
from store import users

router = APIRouter(prefix="/api/v1", tags=["staff"])


@router.get("/approvers", response_model=list[Actor], operation_id="list_approvers")
async def list_approvers(
    county_code: Annotated[CountyCode, Query(description="the case's county")],
    user: CurrentUser,
    engine: EngineDep,
) -> list[Actor]:
    """The active supervisors bound to the county, as the `approver` an extension names; the
    caller is left out (an approver is someone other than the actor)."""
    if county_code not in user.counties:
        raise ApiError(404, "not_found", "no such county among the caller's")
    found = await run_in_threadpool(users.active_of_county, engine, county_code, Role.supervisor)
    return [
        Actor(id=u.user_id, role=Role.supervisor, county_code=county_code)
        for u in found
        if u.user_id != user.user_id
    ]
