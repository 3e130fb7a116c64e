"""Who is owed what, and what has been paid (WA-5)."""

from __future__ import annotations

from decimal import Decimal

from domain.wage_arrears.models import WageArrearsState

ZERO = Decimal("0.00")


def confirmed_paid(state: WageArrearsState, worker_no: int) -> Decimal:
    return sum(
        (p.amount for p in state.payments if p.worker_no == worker_no and p.status == "confirmed"),
        ZERO,
    )


def unconfirmed_paid(state: WageArrearsState, worker_no: int) -> Decimal:
    return sum(
        (p.amount for p in state.payments if p.worker_no == worker_no and p.status == "recorded"),
        ZERO,
    )


def owed(state: WageArrearsState, worker_no: int) -> Decimal:
    return state.intake.workers[worker_no - 1].amount_owed


def outstanding(state: WageArrearsState, worker_no: int) -> Decimal:
    """Owed and not yet confirmed paid: what the law still counts as in arrears."""
    return owed(state, worker_no) - confirmed_paid(state, worker_no)


def unallocated(state: WageArrearsState, worker_no: int) -> Decimal:
    """What a new payment may still cover: owed less every payment not disputed."""
    return outstanding(state, worker_no) - unconfirmed_paid(state, worker_no)


def worker_numbers(state: WageArrearsState) -> range:
    return range(1, len(state.intake.workers) + 1)


def total_owed(state: WageArrearsState) -> Decimal:
    return state.intake.total_owed


def total_paid(state: WageArrearsState) -> Decimal:
    return sum((confirmed_paid(state, n) for n in worker_numbers(state)), ZERO)


def total_outstanding(state: WageArrearsState) -> Decimal:
    return total_owed(state) - total_paid(state)


def fully_paid(state: WageArrearsState) -> bool:
    # WA-5: settled only when every worker's amount is paid and the payment confirmed.
    return all(outstanding(state, n) <= ZERO for n in worker_numbers(state))


def reaches_criminal_threshold(state: WageArrearsState) -> bool:
    """WA-10 amounts: one worker 3+ months or the individual sum; 10+ workers the group sum."""
    region = state.region
    for n in worker_numbers(state):
        months = state.intake.workers[n - 1].months_owed or 0
        if outstanding(state, n) > ZERO and (
            outstanding(state, n) >= region.police_threshold_individual
            or months >= region.police_threshold_months
        ):
            return True
    unpaid_workers = sum(1 for n in worker_numbers(state) if outstanding(state, n) > ZERO)
    return (
        unpaid_workers >= region.police_group_size
        and total_outstanding(state) >= region.police_threshold_group
    )
