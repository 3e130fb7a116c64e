"""The read model's record of a case whose workflow ended abnormally (domain/case_ends.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from domain.case_ends import ABNORMAL_ENDS, AbnormalEnd
from store.board import abandon_pending
from store.tables import CaseRecord


def mark_case_ended(engine: Engine, case_id: str, end: AbnormalEnd) -> bool:
    """Sets the case's status to `end`, abandons its pending deadlines and clears its next due
    time; True if anything changed. Idempotent. A case the read model does not know (its
    workflow ended before its first write) is left unknown."""
    cases = CaseRecord.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        status = conn.execute(
            select(cases.c.status).where(cases.c.case_id == case_id).with_for_update()
        ).scalar_one_or_none()
        if status is None:
            return False
        # The board counts the abandoned rows in the same transaction (store/board.py).
        abandoned = abandon_pending(conn, case_id)
        if status == end.value and not abandoned:
            return False
        conn.execute(
            cases.update()
            .where(cases.c.case_id == case_id)
            .values(
                status=end.value,
                next_due_at=None,
                next_due_name=None,
                next_warn_at=None,
                sla_state=None,
                updated_at=datetime.now(UTC),
            )
        )
    return True


def ended_abnormally(status: str | None) -> bool:
    return status in ABNORMAL_ENDS
