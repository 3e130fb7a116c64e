"""What a transfer case shows: the query result and the read-model snapshot."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.actions import ActionResult
from domain.common import StrictModel
from domain.insurance.models import TransferStage, TransferState
from domain.insurance.rules import available_actions, awaited_by
from domain.snapshot import CaseSnapshot, case_snapshot

KIND = "insurance_transfer"


class TransferView(StrictModel):
    state: TransferState
    available_actions: list[str]


class TransferActionResult(ActionResult[TransferStage]):
    pass


def view(state: TransferState) -> TransferView:
    return TransferView(state=state, available_actions=available_actions(state))


def action_result(state: TransferState) -> TransferActionResult:
    return TransferActionResult.of(state, state.stage, available_actions(state))


def snapshot(state: TransferState, now: datetime) -> CaseSnapshot:
    moved = state.amounts.total if state.amounts else Decimal("0.00")
    return case_snapshot(
        KIND,
        state,
        now,
        awaited_by(state),
        status=state.stage.value,
        severity="escalated" if state.escalated else None,
        county_code=state.intake.to_agency.county_code,
        employer_name=None,
        workers_count=1,
        amount_owed=moved,
        amount_paid=moved if state.stage is TransferStage.completed else Decimal("0.00"),
    )
