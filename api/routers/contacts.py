"""Where people are reached: a staff member's own email address (and its opt-out), and a
worker's opt-out of SMS about a case.

A worker's opt-out is recorded by the staff who work with them (the roles that see their
personal data), by worker number: the phone number never appears in a URL or a row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlmodel import col, select

from api.access import sees_personal_data
from api.deps import CaseAccessDep, CurrentUser, SessionDep
from api.errors import ApiError
from core.rows import from_attributes
from domain.common import StrictModel
from store.delivery import ContactPointRecord, SmsOptOutRecord
from store.tables import CaseRecord

router = APIRouter(prefix="/api/v1", tags=["contacts"])

EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$"


class ContactPoint(BaseModel):
    channel: str
    address: str
    enabled: bool


class EmailContact(StrictModel):
    address: str = Field(max_length=320, pattern=EMAIL)
    enabled: bool = Field(default=True, description="false: no emails (the inbox stays)")


class SmsOptOut(StrictModel):
    worker_no: int = Field(ge=1, le=1000, description="the worker's number in the case, from 1")
    reason: str = Field(min_length=1, max_length=500)


class OptedOut(BaseModel):
    case_id: str
    worker_no: int
    recorded_by: str
    created_at: datetime


@router.get("/me/contacts", response_model=list[ContactPoint])
def list_my_contacts(user: CurrentUser, session: SessionDep) -> list[ContactPoint]:
    rows = session.exec(
        select(ContactPointRecord).where(col(ContactPointRecord.user_id) == user.user_id)
    ).all()
    return [ContactPoint(channel=r.channel, address=r.address, enabled=r.enabled) for r in rows]


@router.put("/me/contacts/email", response_model=ContactPoint)
def put_my_email(body: EmailContact, user: CurrentUser, session: SessionDep) -> ContactPoint:
    """Sets the caller's notification email, or turns emails off (`enabled: false`)."""
    row = session.exec(
        select(ContactPointRecord).where(
            col(ContactPointRecord.user_id) == user.user_id,
            col(ContactPointRecord.channel) == "email",
        )
    ).first()
    if row is None:
        row = ContactPointRecord(user_id=user.user_id, channel="email", address=body.address)
    row.address = body.address
    row.enabled = body.enabled
    row.updated_at = datetime.now(UTC)
    session.add(row)
    session.commit()
    return ContactPoint(channel="email", address=row.address, enabled=row.enabled)


@router.post("/cases/{case_id}/sms-opt-out", response_model=OptedOut)
def record_sms_opt_out(
    case_id: Annotated[str, Path(max_length=40)],
    body: SmsOptOut,
    access: CaseAccessDep,
    session: SessionDep,
) -> OptedOut:
    """The worker asked for no more SMS about this case; asking again changes nothing."""
    if not sees_personal_data(access.user, access.kind):
        raise ApiError(
            403, "forbidden", "an opt-out is recorded by the staff who work with the worker"
        )
    case = session.get(CaseRecord, access.case_id)
    workers = case.workers_count if case is not None else 0
    if body.worker_no > max(workers, 1):
        raise ApiError(
            422, "unknown_worker", f"the case has {workers} worker(s); no worker {body.worker_no}"
        )
    row = session.get(SmsOptOutRecord, (access.case_id, body.worker_no))
    if row is None:
        row = SmsOptOutRecord(
            case_id=access.case_id, worker_no=body.worker_no, recorded_by=access.user.user_id
        )
        session.add(row)
        session.commit()
        session.refresh(row)
    return from_attributes(OptedOut, row)
