"""A worker's new mobile (PUB-7, docs/worker-window.md): the worker asks through the worker's
window; the staff who work with them (the roles that see their personal data) confirm or
refuse it. Until confirmed, no code or SMS goes to the new number; once confirmed, it replaces
the intake's for every SMS of the case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.access import CaseAccess, sees_personal_data
from api.deps import CaseAccessDep, EngineDep, SettingsDep
from api.errors import ApiError
from core import one_time_codes as otc
from core.settings import Settings
from domain.common import StrictModel
from domain.identity import mask_mobile
from store import public as store

router = APIRouter(prefix="/api/v1", tags=["contacts"])


class MobileChangeOut(BaseModel):
    id: int
    case_id: str
    worker_no: int
    # In full for the roles that see personal data (only they may decide), masked otherwise.
    mobile: str
    status: Literal["pending", "confirmed", "refused", "superseded"]
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class MobileDecision(StrictModel):
    decision: Literal["confirm", "refuse"]
    reason: str = Field(min_length=1, max_length=500)


def _out(change: store.MobileChange, settings: Settings, reveal: bool) -> MobileChangeOut:
    mobile = otc.unseal_mobile(settings, change.mobile_sealed)
    return MobileChangeOut(
        id=change.id,
        case_id=change.case_id,
        worker_no=change.worker_no,
        mobile=mobile if reveal else mask_mobile(mobile),
        status=change.status,
        requested_at=change.requested_at,
        decided_by=change.decided_by,
        decided_at=change.decided_at,
    )


def _reveals(access: CaseAccess) -> bool:
    return sees_personal_data(access.user, access.kind)


@router.get("/cases/{case_id}/mobile-changes", response_model=list[MobileChangeOut])
async def list_mobile_changes(
    case_id: Annotated[str, Path(max_length=40)],
    access: CaseAccessDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> list[MobileChangeOut]:
    """The workers' requests for a new mobile on this case, oldest first."""
    changes = await run_in_threadpool(store.mobile_changes, engine, access.case_id)
    return [_out(c, settings, _reveals(access)) for c in changes]


@router.post("/cases/{case_id}/mobile-changes/{change_id}/decision", response_model=MobileChangeOut)
async def decide_mobile_change(
    case_id: Annotated[str, Path(max_length=40)],
    change_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: MobileDecision,
    access: CaseAccessDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> MobileChangeOut:
    """PUB-7: confirms (after checking with the worker) or refuses a new mobile."""
    if not _reveals(access):
        raise ApiError(
            403, "forbidden", "a new mobile is confirmed by the staff who work with the worker"
        )
    decided = await run_in_threadpool(
        store.decide_mobile_change,
        engine,
        access.case_id,
        change_id,
        body.decision == "confirm",
        access.user.user_id,
    )
    if decided is None:
        found = await run_in_threadpool(store.mobile_changes, engine, access.case_id)
        if not any(c.id == change_id for c in found):
            raise ApiError(404, "not_found", f"no mobile change {change_id} on this case")
        raise ApiError(409, "action_not_allowed", "PUB-7: the request was decided already")
    return _out(decided, settings, True)
