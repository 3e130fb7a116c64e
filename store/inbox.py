"""A staff member's inbox: the outbox rows the routing table addresses to them.

An entry is the user's when it is in one of their counties and the table names their role
for its kind (or the kind's written role is theirs), or it names them as its recipient.
Computed when read, so the inbox never waits for a delivery and a rebuilt outbox comes back
with it; a read mark is one row per user and entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from core.rows import from_attributes
from domain.common import Role
from domain.notification_routes import ROUTES, kinds_for, route, written_kinds
from domain.notifications import Notification
from store.delivery import NotificationReadRecord
from store.tables import NotificationRecord
from store.upsert import insert_into

_notes = NotificationRecord.__table__  # type: ignore[attr-defined]
_reads = NotificationReadRecord.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class InboxRow:
    id: int
    key: str
    case_id: str
    kind: str
    county_code: str
    recipient_role: str | None
    params: dict[str, str]
    created_at: datetime
    read_at: datetime | None


def notification_of(row: NotificationRecord | InboxRow) -> Notification:
    """The notification an outbox row, or an inbox entry read from one, holds."""
    return Notification(
        key=row.key,
        case_id=row.case_id,
        kind=row.kind,
        recipient_role=Role(row.recipient_role) if row.recipient_role else None,
        recipient=row.recipient if isinstance(row, NotificationRecord) else None,
        county_code=row.county_code,
        params=dict(row.params or {}),
    )


def _mine(user_id: str, role: Role, counties: Sequence[str]) -> Any:
    by_role = [_notes.c.kind.in_(sorted(kinds_for(role)))]
    by_role.append(
        and_(_notes.c.kind.in_(sorted(written_kinds())), _notes.c.recipient_role == role.value)
    )
    if role in route("*").roles:
        # Kinds the table does not know reach the fallback's roles.
        by_role.append(_notes.c.kind.not_in(sorted(ROUTES)))
    clauses = [_notes.c.recipient == user_id]
    if counties:
        clauses.append(and_(_notes.c.county_code.in_(sorted(counties)), or_(*by_role)))
    return or_(*clauses)


def _unread() -> Any:
    return _reads.c.read_at.is_(None)


def _joined(user_id: str) -> Any:
    return _notes.outerjoin(
        _reads, and_(_reads.c.notification_id == _notes.c.id, _reads.c.user_id == user_id)
    )


def list_inbox(
    session: Session,
    user_id: str,
    role: Role,
    counties: Sequence[str],
    *,
    case_id: str | None = None,
    kind: str | None = None,
    unread_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InboxRow], int]:
    """The user's entries, unread first, newest first within each."""
    where = [_mine(user_id, role, counties)]
    if case_id:
        where.append(_notes.c.case_id == case_id)
    if kind:
        where.append(_notes.c.kind == kind)
    if unread_only:
        where.append(_unread())
    base = select(_notes, _reads.c.read_at).select_from(_joined(user_id)).where(*where)
    total = session.execute(
        select(func.count()).select_from(_joined(user_id)).where(*where)
    ).scalar_one()
    rows = session.execute(
        base.order_by(_reads.c.read_at.is_not(None), _notes.c.created_at.desc(), _notes.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [from_attributes(InboxRow, r, params=dict(r.params or {})) for r in rows], int(total)


def unread_count(session: Session, user_id: str, role: Role, counties: Sequence[str]) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(_joined(user_id))
            .where(_mine(user_id, role, counties), _unread())
        ).scalar_one()
    )


def is_mine(
    session: Session, notification_id: int, user_id: str, role: Role, counties: Sequence[str]
) -> bool:
    return (
        session.execute(
            select(_notes.c.id).where(
                _notes.c.id == notification_id, _mine(user_id, role, counties)
            )
        ).first()
        is not None
    )


def _mark(session: Session, ids: Sequence[int], user_id: str) -> int:
    if not ids:
        return 0
    now = datetime.now(UTC)
    stmt = (
        insert_into(session.get_bind(), _reads)
        .values([{"notification_id": i, "user_id": user_id, "read_at": now} for i in ids])
        .on_conflict_do_nothing(index_elements=[_reads.c.notification_id, _reads.c.user_id])
        .returning(_reads.c.notification_id)
    )
    marked = len(session.execute(stmt).all())
    session.commit()
    return marked


def mark_read(session: Session, notification_id: int, user_id: str) -> int:
    return _mark(session, [notification_id], user_id)


def mark_all_read(
    session: Session,
    user_id: str,
    role: Role,
    counties: Sequence[str],
    case_id: str | None = None,
) -> int:
    where = [_mine(user_id, role, counties), _unread()]
    if case_id:
        where.append(_notes.c.case_id == case_id)
    ids = session.execute(select(_notes.c.id).select_from(_joined(user_id)).where(*where)).scalars()
    return _mark(session, list(ids), user_id)
