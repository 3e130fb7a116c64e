"""The staff inbox: who am I, my notifications, marking them read.

An entry is a sentence built from the routing table (`domain/notification_routes.py`) and
the notification's params, which never hold personal data: nothing to mask, whatever the
role. County scoping is the inbox query's own (store/inbox.py): an entry outside the caller's
counties is not theirs, and reading it is a 404 like any entry that is not theirs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.deps import CurrentUser, SessionDep
from api.errors import ApiError
from api.limits import MAX_OFFSET
from core.rows import from_attributes
from domain import kinds
from domain.common import Role
from domain.notification_routes import route, sentence
from store import inbox
from store.inbox import InboxRow

router = APIRouter(prefix="/api/v1", tags=["inbox"])
CaseId = Annotated[str | None, Query(max_length=40, pattern=r"^[A-Z]{2}-\d{4}-\d{6}$")]
Kind = Annotated[str | None, Query(max_length=60, pattern=r"^[a-z_]+$")]


class Me(BaseModel):
    user_id: str
    role: Role
    counties: list[str]
    unread: int = Field(description="unread entries in the caller's inbox")
    opens: list[str] = Field(
        default_factory=list, description="the case kinds the caller's role may open"
    )


class InboxEntry(BaseModel):
    id: int
    case_id: str
    kind: str
    rule: str
    county_code: str
    text: str = Field(description="the entry as a sentence, in the requested language")
    created_at: datetime
    read: bool
    read_at: datetime | None


class InboxPage(BaseModel):
    items: list[InboxEntry]
    total: int
    unread: int
    limit: int
    offset: int


class Marked(BaseModel):
    marked: int = Field(description="entries newly marked read")
    unread: int


def _entry(row: InboxRow, lang: str) -> InboxEntry:
    note = inbox.notification_of(row)
    return from_attributes(
        InboxEntry,
        row,
        rule=row.params.get("rule") or route(row.kind).rule,
        text=sentence(note, lang),
        read=row.read_at is not None,
    )


def _unread(session: SessionDep, user: CurrentUser) -> int:
    return inbox.unread_count(session, user.user_id, user.role, sorted(user.counties))


@router.get("/me", response_model=Me)
def get_me(user: CurrentUser, session: SessionDep) -> Me:
    """Who the token is: staff id, role, counties, and the inbox's unread count."""
    return Me(
        user_id=user.user_id,
        role=user.role,
        counties=sorted(user.counties),
        unread=_unread(session, user),
        opens=[kind.name for kind in kinds.KINDS if user.role in kind.opened_by],
    )


@router.get("/notifications", response_model=InboxPage)
def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    case_id: CaseId = None,
    kind: Kind = None,
    unread_only: bool = False,
    lang: Literal["zh", "en"] = "zh",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> InboxPage:
    """The caller's inbox, unread first, newest first; filter by case or kind."""
    rows, total = inbox.list_inbox(
        session,
        user.user_id,
        user.role,
        sorted(user.counties),
        case_id=case_id,
        kind=kind,
        unread_only=unread_only,
        limit=limit,
        offset=offset,
    )
    return InboxPage(
        items=[_entry(r, lang) for r in rows],
        total=total,
        unread=_unread(session, user),
        limit=limit,
        offset=offset,
    )


@router.post("/notifications/read-all", response_model=Marked)
def read_all_notifications(
    user: CurrentUser, session: SessionDep, case_id: CaseId = None
) -> Marked:
    """Marks every unread entry of the caller's inbox read (or those of one case)."""
    marked = inbox.mark_all_read(
        session, user.user_id, user.role, sorted(user.counties), case_id=case_id
    )
    return Marked(marked=marked, unread=_unread(session, user))


@router.post("/notifications/{notification_id}/read", response_model=Marked)
def read_notification(
    # The id column is an INTEGER (int4 on PostgreSQL): a larger id is malformed, not a 500.
    notification_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: CurrentUser,
    session: SessionDep,
) -> Marked:
    """Marks one entry read; marking it again changes nothing."""
    if not inbox.is_mine(session, notification_id, user.user_id, user.role, sorted(user.counties)):
        raise ApiError(404, "notification_not_found", f"no notification {notification_id} for you")
    marked = inbox.mark_read(session, notification_id, user.user_id)
    return Marked(marked=marked, unread=_unread(session, user))
