"""Cases: open, list, read, act, audit."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol, TypeVar, cast

import structlog
from fastapi import APIRouter, Body, Header, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from temporalio.client import Client

from api import gateway
from api.access import sees_personal_data, visible_kinds
from api.auth import Principal
from api.deps import (
    ActionGrantDep,
    CaseAccessDep,
    CurrentUser,
    EngineDep,
    SessionDep,
    SettingsDep,
    TemporalClientDep,
)
from api.errors import ApiError
from api.exports import CSV_BOM, history_csv
from api.history import build_history, with_deliveries
from api.intake import intake_dependency
from api.limits import MAX_OFFSET, Instant
from api.presenters import DETAILS, present
from api.schemas import (
    ActionOutcome,
    AnyCaseDetail,
    CaseHistory,
    CasePage,
    CaseSummary,
)
from core.settings import Settings
from domain import kinds
from domain.case_kind import CaseKind
from domain.common import Actor
from store.access import add_case_counties
from store.case_numbers import CaseNumberTaken, IdempotencyKeyReused, claim_case_id, number_key
from store.cases import CaseFilter, list_cases, next_rules
from store.delivery_log import case_attempts

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
log = structlog.get_logger("api.cases")


class _Intake(Protocol):
    """What the create routes read of any kind's intake."""

    case_number: str | None
    opened_by: Actor

    def model_dump_json(self) -> str: ...

    def model_copy(self, *, update: dict[str, Any]) -> Any: ...


Intake = TypeVar("Intake", bound=_Intake)
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]


def _bind(case_id: str) -> None:
    structlog.contextvars.bind_contextvars(case_id=case_id)


async def open_case(
    kind: str,
    intake: _Intake,
    user: Principal,
    settings: Settings,
    engine: Engine,
    client: Client,
    response: Response,
    idempotency_key: str | None,
    case_number: str | None,
) -> AnyCaseDetail:
    intake = _numbered(intake, case_number)
    fingerprint = hashlib.sha256(intake.model_dump_json().encode()).hexdigest()
    keys = request_keys(intake, idempotency_key)
    try:
        case_id, first = await run_in_threadpool(claim_case_id, engine, kind, keys, fingerprint)
    except CaseNumberTaken:
        raise ApiError(
            409,
            "case_number_taken",
            "this case number is already used for another case of this kind in the county",
        ) from None
    except IdempotencyKeyReused:
        raise ApiError(
            422, "idempotency_key_reused", "this key was used before for a different request"
        ) from None
    _bind(case_id)
    further = kinds.named(kind).counties(intake)[1:]
    if further:
        # Other counties that see the case (a transfer's old agency, SI-1, SI-3).
        await run_in_threadpool(add_case_counties, engine, case_id, further)
    view = await gateway.start_case(
        client, settings.task_queue, kind, case_id, cast(BaseModel, intake)
    )
    if first:
        log.info("case opened", kind=kind, county_code=intake.opened_by.county_code)
    else:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/cases/{case_id}"
    return present(view, reveal=sees_personal_data(user, kind), role=user.role)


def _numbered(intake: Intake, case_number: str | None) -> Intake:
    """The case number of the query string, stored on the case with its intake."""
    if case_number is None or intake.case_number == case_number:
        return intake
    if intake.case_number is not None:
        raise ApiError(
            422,
            "invalid_input",
            "the case number of the query and of the body differ",
            [{"loc": ["query", "case_number"], "msg": "differs from the body's", "type": "value"}],
        )
    return cast(Intake, intake.model_copy(update={"case_number": case_number}))


def request_keys(intake: Intake, idempotency_key: str | None) -> list[str]:
    """What makes a create the same request again: its case number, within its county (a
    number of another county is another case, and tells nothing of it), and its key."""
    keys = []
    if intake.case_number is not None:
        keys.append(number_key(intake.opened_by.county_code, intake.case_number))
    if idempotency_key is not None:
        keys.append(idempotency_key)
    return keys


CaseNumber = Annotated[
    str | None,
    Query(min_length=1, max_length=64, description="the bureau's own number for the case"),
]


def replayed(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The 200 of an idempotent replay: the same body as the first answer's 201."""
    return {200: {"model": model, "description": "the same request was made before: its case"}}


def _create_route(kind: CaseKind) -> None:
    """`POST /api/v1/cases/{route}` for the kind (api/presenters.py DETAILS): its intake in,
    its detail out."""
    shown = DETAILS[kind.name]

    async def create(
        intake: Any,
        user: Any,
        settings: Any,
        engine: Any,
        client: Any,
        response: Response,
        idempotency_key: Any = None,
        case_number: Any = None,
    ) -> AnyCaseDetail:
        return await open_case(
            kind.name, intake, user, settings, engine, client, response, idempotency_key,
            case_number,
        )  # fmt: skip

    create.__name__ = create.__qualname__ = f"create_{kind.name}_case"
    create.__doc__ = shown.opening
    # FastAPI reads these: the kind's intake, and the same dependencies for every kind.
    create.__annotations__ = {
        "intake": intake_dependency(kind),
        "user": CurrentUser,
        "settings": SettingsDep,
        "engine": EngineDep,
        "client": TemporalClientDep,
        "response": Response,
        "idempotency_key": IdempotencyKey,
        "case_number": CaseNumber,
        "return": AnyCaseDetail,
    }
    router.post(
        f"/{shown.route}",
        status_code=201,
        response_model=shown.model,
        responses=replayed(shown.model),
    )(create)


for _kind in kinds.KINDS:
    _create_route(_kind)


@router.get("", response_model=CasePage)
def list_all_cases(
    session: SessionDep,
    user: CurrentUser,
    kind: kinds.KindName | None = None,
    status: str | None = Query(default=None, max_length=40),
    county_code: str | None = Query(default=None, pattern=r"^\d{6}$"),
    severity: Literal["general", "major"] | None = None,
    due_before: Instant | None = None,
    overdue: bool = False,
    case_number: str | None = Query(
        default=None, min_length=1, max_length=64, description="a case id or the bureau's number"
    ),
    employer: str | None = Query(
        default=None, min_length=1, max_length=200, description="part of the employer's name"
    ),
    waiting_for_me: bool = Query(
        default=False,
        description="only the cases waiting for an action of the caller's role in their counties",
    ),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> CasePage:
    if due_before is not None and due_before.tzinfo is None:
        raise ApiError(422, "invalid_input", "due_before must carry a time zone")
    flt = CaseFilter(
        kind=kind,
        status=status,
        county_code=county_code,
        county_codes=user.counties,
        kinds=visible_kinds(user),
        severity=severity,
        due_before=due_before,
        overdue_at=datetime.now(UTC) if overdue else None,
        case_number=case_number,
        employer=employer,
        awaiting=(
            frozenset(f"{user.role.value}:{county}" for county in user.counties)
            if waiting_for_me
            else None
        ),
    )
    rows, total = list_cases(session, flt, limit, offset)
    rules = next_rules(session, rows)
    return CasePage(
        items=[
            CaseSummary.model_validate(row, from_attributes=True).model_copy(
                update={"next_due_rule": rules.get(row.case_id)}
            )
            for row in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{case_id}", response_model=AnyCaseDetail)
async def get_case(case_id: str, access: CaseAccessDep, client: TemporalClientDep) -> AnyCaseDetail:
    """The case's state from its workflow; a case whose workflow ended abnormally says so
    (`ended_abnormally`, and the same `status`), with no action available."""
    _bind(case_id)
    view, ended = await asyncio.gather(
        gateway.get_view(client, case_id), gateway.get_end(client, case_id)
    )
    return present(view, reveal=access.reveal_personal_data, ended=ended, role=access.user.role)


@router.post("/{case_id}/actions/{action}", response_model=ActionOutcome)
async def take_action(
    case_id: str,
    action: str,
    grant: ActionGrantDep,
    client: TemporalClientDep,
    body: Annotated[
        dict[str, Any],
        Body(description="the action's input: reason and fields; the actor is the caller"),
    ],
    idempotency_key: IdempotencyKey = None,
) -> ActionOutcome:
    """Takes one human action on the case as the caller. 403 for a role the action is not
    for, 409 when the case's state forbids it, 422 when the input is wrong; a refused action
    changes nothing. Repeating it with the same `Idempotency-Key` returns the first outcome
    without acting again (422 if the key was used for a different action or input)."""
    _bind(case_id)
    cmd = gateway.parse_action(case_id, action, grant.command_input(body))
    result = ActionOutcome.model_validate(
        (await gateway.run_action(client, case_id, action, cmd, idempotency_key)).model_dump()
    )
    log.info("action taken", action=action, actor_id=cmd.actor.id, status=result.status)
    return result


@router.get("/{case_id}/history", response_model=CaseHistory)
async def get_case_history(
    case_id: str,
    access: CaseAccessDep,
    client: TemporalClientDep,
    engine: EngineDep,
    format: Literal["timeline", "json", "csv"] = "timeline",
) -> Any:
    """The case's audit trail from its Temporal event history; `format=json` to export as a
    file, `format=csv` for spreadsheets."""
    _bind(case_id)
    history = await gateway.fetch_history(client, case_id)
    timeline = await build_history(
        case_id, history, client.data_converter, reveal=access.reveal_personal_data
    )
    # Each delivery of the case's notifications, from SQL (a workflow of its own each).
    timeline = with_deliveries(timeline, await run_in_threadpool(case_attempts, engine, case_id))
    disposition = {"Content-Disposition": f'attachment; filename="{case_id}-history.{format}"'}
    if format == "json":
        return JSONResponse(timeline.model_dump(mode="json"), headers=disposition)
    if format == "csv":
        return PlainTextResponse(
            CSV_BOM + history_csv(timeline),
            media_type="text/csv; charset=utf-8",
            headers=disposition,
        )
    return timeline
