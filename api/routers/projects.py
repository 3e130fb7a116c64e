"""Project payroll watches (PW-1..PW-6): open one, send its batches and roster changes the
way a bank's or a contractor's system would, read it, list the projects at risk.

Every batch is one action of the project's workflow, checked like any other (api/access.py:
404 for a project outside the caller's counties, 403 for a role the action is not for; the
workflow: 409 for a state that refuses it, 422 for input it refuses, e.g. a worker not on
the roster). A batch is idempotent per batch id: its id is the action's idempotency key, so
the same batch sent twice gets the first answer and records nothing twice, and the same id
with other lines is refused (422). Identity numbers and cards travel in bodies, never in
URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Query, Response

from api import gateway
from api.access import CaseAccess, authorize_action, get_case_access, visible_kinds
from api.auth import Principal
from api.deps import (
    CaseAccessDep,
    CurrentUser,
    EngineDep,
    SessionDep,
    SettingsDep,
    TemporalClientDep,
)
from api.errors import ApiError
from api.intake import intake_dependency
from api.limits import MAX_OFFSET
from api.presenters import present
from api.project_schemas import (
    BatchOutcome,
    CompleteWorksIn,
    FundingIn,
    PaymentsIn,
    ProjectItem,
    ProjectPage,
    RosterChangeIn,
    WageSheetIn,
)
from api.routers.cases import IdempotencyKey, open_case
from api.schemas import ProjectWatchDetail
from core.rows import from_attributes
from domain.project_watch.kind import PROJECT_WATCH
from domain.project_watch.view import ProjectResult
from store.projects import active_by_county, at_risk_by_county, list_projects

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])
log = structlog.get_logger("api.projects")
KIND = PROJECT_WATCH.name


def _project(access: CaseAccessDep) -> CaseAccess:
    """A project watch the caller sees; any other case is not a project (404)."""
    if access.kind != KIND:
        raise gateway.not_found(access.case_id)
    return access


ProjectAccess = Annotated[CaseAccess, Depends(_project)]


def _granted(action: str) -> Callable[..., CaseAccess]:
    def grant(access: Annotated[CaseAccess, Depends(get_case_access)]) -> CaseAccess:
        _project(access)
        authorize_action(access, action)
        return access

    return grant


async def _act(
    client: Any,
    access: CaseAccess,
    action: str,
    body: dict[str, Any],
    key: str | None,
    batch_id: str | None = None,
) -> BatchOutcome:
    cmd = gateway.parse_action(
        access.case_id, action, {**body, "actor": access.actor.model_dump(mode="json")}
    )
    result = await gateway.run_action(client, access.case_id, action, cmd, key)
    assert isinstance(result, ProjectResult)
    log.info("project action", case_id=access.case_id, action=action, actor_id=cmd.actor.id)
    return BatchOutcome(
        case_id=result.case_id,
        batch_id=batch_id,
        status=result.status.value,
        risk=result.risk.value,
        revision=result.revision,
        open_case_id=result.open_case_id,
        available_actions=result.available_actions,
    )


async def _record_batch(
    client: Any, access: CaseAccess, action: str, body: FundingIn | WageSheetIn | PaymentsIn
) -> BatchOutcome:
    # The batch id is the key: the same batch sent again is the same request.
    key = f"batch:{action}:{body.batch_id}"
    data = body.model_dump(mode="json")
    return await _act(client, access, action, data, key, body.batch_id)


@router.post(
    "",
    status_code=201,
    response_model=ProjectWatchDetail,
    responses={200: {"model": ProjectWatchDetail, "description": "the same request again"}},
)
async def create_project_watch(
    intake: intake_dependency(PROJECT_WATCH),  # type: ignore[valid-type]
    user: CurrentUser,
    settings: SettingsDep,
    engine: EngineDep,
    client: TemporalClientDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """PW-1: opens the payroll watch of a construction project (the same as `POST
    /api/v1/cases/project-watches`), from its contract to the last wages paid."""
    detail = await open_case(
        KIND, intake, user, settings, engine, client, response, idempotency_key, None
    )
    response.headers["Location"] = f"/api/v1/projects/{detail.case_id}"
    return detail


@router.get("", response_model=ProjectPage)
def list_project_watches(
    session: SessionDep,
    user: CurrentUser,
    at_risk: bool = Query(
        default=False, description="PW-2, PW-4: funding late, payroll breached or high risk"
    ),
    county_code: str | None = Query(default=None, pattern=r"^\d{6}$"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> ProjectPage:
    """The projects of the caller's counties (a county outside them lists nothing), with the
    month and the amount of their risk; per county, the projects at each risk and those
    still watched."""
    _sees_projects(user)
    rows, total = list_projects(session, sorted(user.counties), county_code, at_risk, limit, offset)
    return ProjectPage(
        items=[
            from_attributes(
                ProjectItem, row, case_id=row.project_id, url=f"/api/v1/projects/{row.project_id}"
            )
            for row in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
        at_risk_by_county=at_risk_by_county(session, sorted(user.counties)),
        active_by_county=active_by_county(session, sorted(user.counties)),
    )


def _sees_projects(user: Principal) -> None:
    shown = visible_kinds(user)
    if shown is not None and KIND not in shown:
        raise ApiError(403, "forbidden", "project watches are not for your role")


@router.get("/{case_id}", response_model=ProjectWatchDetail)
async def get_project_watch(access: ProjectAccess, client: TemporalClientDep) -> Any:
    """The project with its roster (masked unless the caller's role works with the workers)
    and its months as a grid: funded, sheet confirmed, paid, per worker number."""
    view = await gateway.get_view(client, access.case_id)
    return present(view, reveal=access.reveal_personal_data, role=access.user.role)


@router.post("/{case_id}/funding", response_model=BatchOutcome)
async def record_funding(
    body: FundingIn,
    access: Annotated[CaseAccess, Depends(_granted("record_funding"))],
    client: TemporalClientDep,
) -> BatchOutcome:
    """PW-2: a funding batch; the same `batch_id` again answers as the first time."""
    return await _record_batch(client, access, "record_funding", body)


@router.post("/{case_id}/wage-sheets", response_model=BatchOutcome)
async def record_wage_sheet(
    body: WageSheetIn,
    access: Annotated[CaseAccess, Depends(_granted("record_wage_sheet"))],
    client: TemporalClientDep,
) -> BatchOutcome:
    """PW-3: a wage sheet; every line's worker must be on the roster (422)."""
    return await _record_batch(client, access, "record_wage_sheet", body)


@router.post("/{case_id}/payments", response_model=BatchOutcome)
async def record_payments(
    body: PaymentsIn,
    access: Annotated[CaseAccess, Depends(_granted("record_payments"))],
    client: TemporalClientDep,
) -> BatchOutcome:
    """PW-3: a bank's payment batch into the workers' own cards (the roster's card, 422
    otherwise); a line of a worker whose month is in a wage-arrears case pays it there too
    (PW-4)."""
    return await _record_batch(client, access, "record_payments", body)


_ROSTER_ACTIONS = {"join": "join_roster", "leave": "leave_roster", "bank_card": "change_bank_card"}
_ROSTER_FIELDS = {
    "join": ("worker",),
    "leave": ("id_number", "end_on"),
    "bank_card": ("id_number", "bank_card"),
}


@router.post("/{case_id}/roster", response_model=BatchOutcome)
async def change_roster(
    body: RosterChangeIn,
    access: ProjectAccess,
    client: TemporalClientDep,
    idempotency_key: IdempotencyKey = None,
) -> BatchOutcome:
    """PW-1: a worker joins the real-name roster, leaves it, or changes bank card."""
    action = _ROSTER_ACTIONS[body.change]
    authorize_action(access, action)
    wanted = _ROSTER_FIELDS[body.change]
    data = body.model_dump(mode="json", exclude={"change"})
    missing = [name for name in wanted if data.get(name) is None]
    extra = [n for n, v in data.items() if v is not None and n not in (*wanted, "reason")]
    if missing or extra:
        raise ApiError(
            422,
            "invalid_input",
            f"a {body.change} change takes {', '.join(wanted)}",
            [
                *({"loc": ["body", n], "msg": "required", "type": "missing"} for n in missing),
                *(
                    {"loc": ["body", n], "msg": "not for this change", "type": "extra"}
                    for n in extra
                ),
            ],
        )
    fields = {name: data[name] for name in (*wanted, "reason")}
    return await _act(client, access, action, fields, idempotency_key)


@router.post("/{case_id}/completion", response_model=BatchOutcome)
async def complete_works(
    body: CompleteWorksIn,
    access: Annotated[CaseAccess, Depends(_granted("complete_works"))],
    client: TemporalClientDep,
    idempotency_key: IdempotencyKey = None,
) -> BatchOutcome:
    """PW-6: the works are completed; the watch ends once every worker is paid in full."""
    return await _act(
        client, access, "complete_works", body.model_dump(mode="json"), idempotency_key
    )
