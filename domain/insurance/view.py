"""What a transfer case shows: the query result and the read-model snapshot."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.common import StrictModel
from domain.deadlines import next_pending
from domain.insurance.models import TransferStage, TransferState
from domain.insurance.rules import available_actions, awaited_by
from domain.snapshot import CaseSnapshot, deadline_rows

KIND = "insurance_transfer"


class TransferView(StrictModel):
    state: TransferState
    available_actions: list[str]


class TransferActionResult(StrictModel):
    case_id: str
    status: TransferStage
    revision: int
    available_actions: list[str]


def view(state: TransferState) -> TransferView:
    return TransferView(state=state, available_actions=available_actions(state))


def action_result(state: TransferState) -> TransferActionResult:
    return TransferActionResult(
        case_id=state.case_id,
        status=state.stage,
        revision=state.revision,
        available_actions=available_actions(state),
    )


def snapshot(state: TransferState, now: datetime) -> CaseSnapshot:
    nearest = next_pending(state.deadlines)
    moved = state.amounts.total if state.amounts else Decimal("0.00")
    return CaseSnapshot(
        case_id=state.case_id,
        kind=KIND,
        status=state.stage.value,
        severity="escalated" if state.escalated else None,
        county_code=state.intake.to_agency.county_code,
        employer_name=None,
        workers_count=1,
        amount_owed=moved,
        amount_paid=moved if state.stage is TransferStage.completed else Decimal("0.00"),
        next_due_at=nearest.due_at if nearest else None,
        next_due_name=nearest.name if nearest else None,
        next_warn_at=nearest.warn_at if nearest else None,
        sla_state=nearest.sla_state_at(now) if nearest else None,
        provisional=bool(nearest and nearest.provisional),
        breached_count=sum(1 for d in state.deadlines if d.state.value == "breached"),
        opened_at=state.opened_at,
        closed_at=state.closed_at,
        revision=state.revision,
        deadlines=deadline_rows(state.deadlines),
        awaiting=awaited_by(state),
    )
