"""Read-model queries behind the case lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, or_
from sqlmodel import Session, col, select

from domain.case_ends import ABNORMAL_ENDS
from store.access import Scope, county_and_kind, visible_in
from store.case_numbers import number_key
from store.tables import CaseRecord, CaseRequestRecord, DeadlineRecord


@dataclass(frozen=True, kw_only=True)
class CaseFilter(Scope):
    status: str | None = None
    severity: str | None = None
    due_before: datetime | None = None
    overdue_at: datetime | None = None
    # A case id, or the bureau's own number of a case in one of `county_codes`.
    case_number: str | None = None
    # Part of the employer's name, any case.
    employer: str | None = None
    # The work queue: cases waiting for one of these `role:county` (domain/actions.py).
    awaiting: frozenset[str] | None = None


def awaiting_column(awaiting: list[str]) -> str:
    """The `awaiting` column of a case row: `,role:county,role:county,` (empty: no one), so
    that one `LIKE '%,role:county,%'` finds a case waiting for a role in a county."""
    return f",{','.join(sorted(awaiting))}," if awaiting else ""


def list_cases(
    session: Session, flt: CaseFilter, limit: int, offset: int
) -> tuple[list[CaseRecord], int]:
    c = CaseRecord.__table__.c  # type: ignore[attr-defined]
    query = select(CaseRecord).where(*county_and_kind(c, flt.county_code, flt.kinds, flt.kind))
    if flt.status:
        query = query.where(CaseRecord.status == flt.status)
    if flt.county_codes is not None:
        query = query.where(
            visible_in(col(CaseRecord.case_id), col(CaseRecord.county_code), flt.county_codes)
        )
    if flt.severity:
        query = query.where(CaseRecord.severity == flt.severity)
    if flt.due_before:
        query = query.where(col(CaseRecord.next_due_at) < flt.due_before)
    if flt.overdue_at:
        query = query.where(
            (col(CaseRecord.next_due_at) < flt.overdue_at) | (CaseRecord.breached_count > 0)
        ).where(col(CaseRecord.status).not_in(["settled", "closed", *sorted(ABNORMAL_ENDS)]))
    if flt.case_number:
        counties = sorted(flt.county_codes) if flt.county_codes is not None else []
        numbered = select(CaseRequestRecord.case_id).where(
            col(CaseRequestRecord.key).in_([number_key(c, flt.case_number) for c in counties])
        )
        query = query.where(
            or_(col(CaseRecord.case_id) == flt.case_number, col(CaseRecord.case_id).in_(numbered))
        )
    if flt.employer:
        query = query.where(col(CaseRecord.employer_name).icontains(flt.employer, autoescape=True))
    if flt.awaiting is not None:
        query = query.where(
            or_(
                false(),
                *(
                    col(CaseRecord.awaiting).contains(f",{who},", autoescape=True)
                    for who in sorted(flt.awaiting)
                ),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(
            # MA-4: green-channel cases first.
            col(CaseRecord.priority).desc(),
            col(CaseRecord.next_due_at).is_(None),
            col(CaseRecord.next_due_at),
            col(CaseRecord.opened_at).desc(),
        )
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def next_rules(session: Session, rows: list[CaseRecord]) -> dict[str, str]:
    """The rule of each listed case's next deadline, by case id."""
    named = [(r.case_id, r.next_due_name) for r in rows if r.next_due_name]
    if not named:
        return {}
    found = session.exec(
        select(DeadlineRecord.case_id, DeadlineRecord.name, DeadlineRecord.rule).where(
            col(DeadlineRecord.case_id).in_([case_id for case_id, _ in named])
        )
    ).all()
    wanted = set(named)
    return {case_id: rule for case_id, name, rule in found if (case_id, name) in wanted}
