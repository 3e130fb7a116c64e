"""PW-4, PW-5: a wage-arrears case opened by a project's payroll watch. The watch adds its
further breaches to the case and pays the case's workers through its dedicated account; the
case tells the watch of payments confirmed in it (workflows/wage_arrears.py)."""

from __future__ import annotations

from datetime import date, datetime

from domain.common import Role
from domain.deadlines import DeadlineState
from domain.notifications import Notification, notify_case
from domain.project_watch.links import ProjectClaim, ProjectClaims, ProjectPayment
from domain.wage_arrears import accounts
from domain.wage_arrears.models import (
    CaseStatus,
    PaidBy,
    Payment,
    WageArrearsState,
    WorkerClaim,
)
from domain.wage_arrears.rules import close_pending_deadlines

# The staff id the watch acts as in the case it opened (no person acted).
MONITORING_ACTOR_ID = "monitoring"


def from_watch(state: WageArrearsState, project_id: str) -> bool:
    """Whether the case was opened by that project's watch: only it is believed."""
    project = state.intake.project
    return project is not None and project.watch_id == project_id


def _notify(state: WageArrearsState, kind: str, key: str, **params: str) -> Notification:
    return notify_case(state, kind, key, Role.inspector, **params)


def worker_claim(claim: ProjectClaim) -> WorkerClaim:
    """PW-4: a worker's claim in the case, from what the watch found the worker owed."""
    return WorkerClaim(
        name=claim.name,
        id_number=claim.id_number,
        mobile=claim.mobile,
        amount_owed=claim.amount,
        months_owed=claim.months,
    )


def project_claims_joined(
    state: WageArrearsState, claims: ProjectClaims, now: datetime
) -> list[Notification]:
    """PW-4: a further breach joins the case: a worker already in it is owed more, a new one
    is added (the workers' numbers stay as they were)."""
    for claim in claims.claims:
        known = next((w for w in state.intake.workers if w.id_number == claim.id_number), None)
        if known is not None:
            known.amount_owed += claim.amount
            known.months_owed = (known.months_owed or 0) + claim.months
        else:
            state.intake.workers.append(worker_claim(claim))
    if state.status is CaseStatus.settled:
        state.status = CaseStatus.open
        state.settled_at = None
    months = ",".join(claims.months)
    return [
        _notify(
            state, "project_breach_joined", months, months=months, workers=str(len(claims.claims))
        )
    ]


def project_paid(
    state: WageArrearsState, paid: ProjectPayment, now: datetime
) -> list[Notification]:
    """A payment from the project's account to a worker of the case, confirmed by the bank's
    batch (WA-5: evidence), paid by the general contractor (WA-8, PW-5)."""
    worker_no = next(
        (i for i, w in enumerate(state.intake.workers, 1) if w.id_number == paid.id_number), None
    )
    if worker_no is None or state.status is CaseStatus.closed:
        return []
    state.payments.append(
        Payment(
            payment_id=f"P{len(state.payments) + 1}",
            worker_no=worker_no,
            amount=paid.amount,
            paid_by=PaidBy.general_contractor,
            paid_on=date.fromisoformat(paid.paid_on),
            recorded_at=now,
            recorded_by=MONITORING_ACTOR_ID,
            status="confirmed",
            confirmation="evidence",
            evidence_ref=f"bank batch {paid.batch_id}",
            decided_at=now,
        )
    )
    if not accounts.fully_paid(state) or state.status is CaseStatus.settled:
        return []
    state.status = CaseStatus.settled
    state.settled_at = now
    close_pending_deadlines(state, DeadlineState.met, now, "every worker paid in full (WA-5)")
    state.police_referral_active = False
    return [_notify(state, "case_settled", "settled")]
