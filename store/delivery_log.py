"""Reading deliveries: a case's attempts for its audit trail, the failed ones for the admins."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from store.delivery import DeliveryAttemptRecord, DeliveryRecord
from store.tables import NotificationRecord


def case_attempts(engine: Engine, case_id: str) -> list[DeliveryAttemptRecord]:
    with Session(engine) as session:
        rows = session.exec(
            select(DeliveryAttemptRecord)
            .where(DeliveryAttemptRecord.case_id == case_id)
            .order_by(col(DeliveryAttemptRecord.at), col(DeliveryAttemptRecord.id))
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def failed_deliveries(
    session: Session, counties: Sequence[str], limit: int, offset: int
) -> tuple[list[DeliveryRecord], int]:
    where = (
        col(DeliveryRecord.status) == "gave_up",
        col(DeliveryRecord.county_code).in_(sorted(counties)),
    )
    total = session.exec(select(func.count()).select_from(DeliveryRecord).where(*where)).one()
    rows = session.exec(
        select(DeliveryRecord)
        .where(*where)
        .order_by(col(DeliveryRecord.updated_at).desc(), col(DeliveryRecord.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def notification(session: Session, notification_id: int) -> NotificationRecord | None:
    return session.get(NotificationRecord, notification_id)
