"""What a wage-arrears case shows: the query result and the read-model snapshot."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.actions import ActionResult
from domain.common import StrictModel
from domain.snapshot import CaseSnapshot, case_snapshot
from domain.wage_arrears import accounts
from domain.wage_arrears.models import CaseStatus, WageArrearsState
from domain.wage_arrears.rules import available_actions, awaited_by

KIND = "wage_arrears"


class WorkerAccount(StrictModel):
    worker_no: int
    owed: Decimal
    paid: Decimal
    awaiting_confirmation: Decimal
    outstanding: Decimal


class WageArrearsView(StrictModel):
    state: WageArrearsState
    accounts: list[WorkerAccount]
    available_actions: list[str]


class WageArrearsActionResult(ActionResult[CaseStatus]):
    pass


def worker_accounts(state: WageArrearsState) -> list[WorkerAccount]:
    return [
        WorkerAccount(
            worker_no=n,
            owed=accounts.owed(state, n),
            paid=accounts.confirmed_paid(state, n),
            awaiting_confirmation=accounts.unconfirmed_paid(state, n),
            outstanding=accounts.outstanding(state, n),
        )
        for n in accounts.worker_numbers(state)
    ]


def view(state: WageArrearsState) -> WageArrearsView:
    return WageArrearsView(
        state=state, accounts=worker_accounts(state), available_actions=available_actions(state)
    )


def action_result(state: WageArrearsState) -> WageArrearsActionResult:
    return WageArrearsActionResult.of(state, state.status, available_actions(state))


def snapshot(state: WageArrearsState, now: datetime) -> CaseSnapshot:
    return case_snapshot(
        KIND,
        state,
        now,
        awaited_by(state),
        status=state.status.value,
        severity=state.severity.value,
        county_code=state.intake.county_code,
        employer_name=state.intake.employer.name,
        source=state.intake.source.value,
        channel=state.intake.channel,
        workers_count=len(state.intake.workers),
        amount_owed=accounts.total_owed(state),
        amount_paid=accounts.total_paid(state),
        breached_count=len(state.breaches),
        settled_at=state.settled_at,
    )
