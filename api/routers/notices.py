"""Official notices: produced as PDF files of their case, numbered per county and year.

Who produces a notice, and where: the API, not a workflow activity. The API reads the case
from its workflow, takes the notice's document number from the read model (the number the
notice was first given, or the county's next: store/notices.py), prints the PDF from the
case's state (api/notices/render.py), stores it content-addressed and sends the case's
`attach_file` update as the caller, exactly like an upload. So the case's history stays the
single record of the notice, naming who produced it and its SHA-256, and no workflow's
recorded commands change. Retries are harmless at every step: the number is looked up by
the notice's key, the same state prints the same bytes (no creation date in the PDF), the
store writes one object per hash, and the case records one file per hash. A Temporal
activity would have had to return the PDF or its hash to a workflow that then records it
(a new command in every case's history, behind a patch) for the same result.

A notice the case's state does not allow yet (no order to pay issued, no agreement reached,
...) is refused with 409 before any number is issued.
"""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Header, Path, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api import gateway
from api.deps import AttachGrantDep, CaseAccessDep, EngineDep, FileStoreDep, TemporalClientDep
from api.errors import ApiError
from api.notices.render import render
from api.routers.files import _public
from api.schemas import CaseFilePublic
from domain.common import ActionNotAllowed
from domain.files import find_file
from domain.notices import SPECS, NoticeKind, document_number, kinds_for, occasion
from store.files import FileStoreError, sha256_of
from store.notices import issue_number, issued_for_case, notice_key

router = APIRouter(prefix="/api/v1/cases", tags=["notices"])
log = structlog.get_logger("api.notices")

IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]


class NoticePublic(BaseModel):
    """A notice as produced: its kind, document number and the file it is."""

    kind: NoticeKind
    title: str
    rule: str
    number: str
    file: CaseFilePublic


class NoticeOffer(BaseModel):
    """A notice the case offers now, and the number it was given if it was produced."""

    kind: NoticeKind
    title: str
    rule: str
    number: str | None
    url: str
    # Whether the caller may produce it (the roles that attach files to the case).
    can_produce: bool


class NoticeOffers(BaseModel):
    items: list[NoticeOffer]


def _kind(case_id: str, value: str) -> NoticeKind:
    case_kind = gateway.kind_of(case_id).name
    kinds = kinds_for(case_kind)
    try:
        kind = NoticeKind(value)
    except ValueError:
        kind = None
    if kind is None or kind not in kinds:
        names = ", ".join(k.value for k in kinds)
        raise ApiError(404, "unknown_notice", f"no such notice for this case; notices: {names}")
    return kind


def _case_number(state: Any) -> str | None:
    number: str | None = getattr(state.intake, "case_number", None)
    return number


@router.get("/{case_id}/notices", response_model=NoticeOffers)
async def list_notices(
    case_id: str, access: CaseAccessDep, client: TemporalClientDep, engine: EngineDep
) -> NoticeOffers:
    """The notices the case's state allows now (none once it is closed), each with its
    number once produced and whether the caller may produce it; the produced PDFs are among
    the case's files."""
    view: Any = await gateway.get_view(client, case_id)
    attach = gateway.kind_of(case_id).actions["attach_file"]
    try:
        attach.state_check(view.state)
    except ActionNotAllowed:
        return NoticeOffers(items=[])  # a closed case takes no file
    can_produce = access.user.role in attach.roles
    issued = await run_in_threadpool(issued_for_case, engine, case_id)
    items = []
    for kind in kinds_for(access.kind):
        try:
            occ = occasion(kind, access.kind, view.state)
        except ActionNotAllowed:
            continue
        got = issued.get(notice_key(case_id, kind.value, occ.key))
        spec = SPECS[kind]
        items.append(
            NoticeOffer(
                kind=kind,
                title=occ.title,
                rule=spec.rule,
                number=document_number(got.county_code, got.year, got.seq) if got else None,
                url=f"/api/v1/cases/{case_id}/notices/{kind.value}",
                can_produce=can_produce,
            )
        )
    return NoticeOffers(items=items)


@router.post("/{case_id}/notices/{notice_kind}", status_code=201, response_model=NoticePublic)
async def produce_notice(
    case_id: str,
    notice_kind: Annotated[str, Path(max_length=60)],
    grant: AttachGrantDep,
    client: TemporalClientDep,
    engine: EngineDep,
    store: FileStoreDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> NoticePublic:
    """Prints the notice as a PDF and attaches it to the case as the caller (201; 200 when
    this very notice is already among the case's files). Producing it again gives the same
    document number; 409 while the case's state does not allow the notice (e.g. no order to
    pay issued) or once the case is closed; roles as for attaching a file."""
    kind = _kind(case_id, notice_kind)
    view: Any = await gateway.get_view(client, case_id)
    state = view.state
    try:
        grant.spec.state_check(state)  # a closed case takes no file: refuse before numbering
        occ = occasion(kind, grant.access.kind, state)
    except ActionNotAllowed as err:
        raise ApiError(409, "notice_not_available", str(err)) from None
    actor = grant.access.actor
    issued = await run_in_threadpool(
        lambda: issue_number(
            engine,
            case_id=case_id,
            kind=kind.value,
            occasion=occ.key,
            county_code=occ.county_code,
            year=occ.issued_on.year,
            issued_by=actor.id,
        )
    )
    number = document_number(issued.county_code, issued.year, issued.seq)
    pdf = await run_in_threadpool(render, occ, number, case_id, _case_number(state))
    sha256 = sha256_of(pdf)
    already = find_file(state.files, sha256) is not None
    body = {
        "reason": f"出具{occ.title}（{number}）",
        "sha256": sha256,
        "name": f"{occ.title}-{number}-{case_id}.pdf",
        "media_type": "application/pdf",
        "size": len(pdf),
        "notice": {
            "kind": kind.value,
            "occasion": occ.key,
            "county_code": issued.county_code,
            "year": issued.year,
            "seq": issued.seq,
        },
    }
    cmd = gateway.parse_action(case_id, "attach_file", grant.command_input(body))
    try:
        await run_in_threadpool(store.put, pdf)
    except FileStoreError as err:
        raise ApiError(503, "file_store_unavailable", str(err)) from None
    # Without a key of the caller's, the notice's own: the same notice produced again by the
    # same officer is the same request.
    key = idempotency_key or f"notice:{kind.value}:{occ.key}:{sha256[:32]}:{actor.id}"
    await gateway.run_action(client, case_id, "attach_file", cmd, key)
    view_after: Any = await gateway.get_view(client, case_id)
    recorded = find_file(view_after.state.files, sha256)
    if recorded is None:
        raise ApiError(409, "action_failed", "the notice's file was not recorded")
    log.info("notice produced", kind=kind.value, sha256=sha256, size=len(pdf), first=issued.first)
    response.headers["Location"] = f"/api/v1/cases/{case_id}/files/{sha256}"
    if already:
        response.status_code = 200
    return NoticePublic(
        kind=kind,
        title=occ.title,
        rule=SPECS[kind].rule,
        number=number,
        file=_public(case_id, recorded),
    )
