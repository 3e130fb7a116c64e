"""What a dispute case shows: the query result and the read-model snapshot."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.actions import ActionResult
from domain.common import StrictModel
from domain.dispute.models import AwardItemKind, DisputeStage, DisputeState
from domain.dispute.rules import available_actions, awaited_by
from domain.snapshot import CaseSnapshot, case_snapshot

KIND = "dispute"


class DisputeView(StrictModel):
    state: DisputeState
    available_actions: list[str]


class DisputeActionResult(ActionResult[DisputeStage]):
    pass


class DisputeOutcome(StrictModel):
    """What a dispute tells the wage-arrears case that referred it."""

    dispute_id: str
    outcome: str
    at: datetime
    # WA-5: what the performed agreement or the effective award says is owed.
    amount: Decimal | None = None


def outcome_report(state: DisputeState, outcome: str, at: datetime) -> DisputeOutcome:
    amount: Decimal | None = None
    if outcome == "performed":
        amount = state.agreement_amount
    elif outcome == "award_effective" and state.award is not None:
        amount = sum(
            (i.amount for i in state.award.items if i.kind is AwardItemKind.money),
            Decimal("0.00"),
        )
    return DisputeOutcome(dispute_id=state.case_id, outcome=outcome, at=at, amount=amount)


def view(state: DisputeState) -> DisputeView:
    return DisputeView(state=state, available_actions=available_actions(state))


def action_result(state: DisputeState) -> DisputeActionResult:
    return DisputeActionResult.of(state, state.stage, available_actions(state))


def snapshot(state: DisputeState, now: datetime) -> CaseSnapshot:
    return case_snapshot(
        KIND,
        state,
        now,
        awaited_by(state),
        status=state.stage.value,
        severity=None,
        priority=state.priority,
        county_code=state.intake.county_code,
        employer_name=state.intake.employer.name,
        workers_count=len(state.intake.workers),
        amount_owed=sum((c.amount for c in state.claims), Decimal("0.00")),
        amount_paid=Decimal("0.00"),
    )
