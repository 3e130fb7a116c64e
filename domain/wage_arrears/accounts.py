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


def given_up(state: WageArrearsState, worker_no: int) -> Decimal:
    """WA-5: what a linked dispute's agreement or award left out of the claim: given up by
    agreement, never recovered."""
    return sum((g.amount for g in state.given_up if g.worker_no == worker_no), ZERO)


def owed(state: WageArrearsState, worker_no: int) -> Decimal:
    """What the worker is owed now: the claim, less what an agreement or award gave up."""
    return state.intake.workers[worker_no - 1].amount_owed - given_up(state, worker_no)


def paid_before_opening(state: WageArrearsState, worker_no: int) -> Decimal:
    return sum(
        (
            p.amount
            for p in state.payments
            if p.worker_no == worker_no and p.status == "confirmed" and p.before_opening
        ),
        ZERO,
    )


def outstanding(state: WageArrearsState, worker_no: int) -> Decimal:
    """Owed and not yet confirmed paid: what the law still counts as in arrears."""
    return owed(state, worker_no) - confirmed_paid(state, worker_no)


def unallocated(state: WageArrearsState, worker_no: int) -> Decimal:
    """What a new payment may still cover: owed less every payment not disputed."""
    return outstanding(state, worker_no) - unconfirmed_paid(state, worker_no)


def worker_numbers(state: WageArrearsState) -> range:
    return range(1, len(state.intake.workers) + 1)


def total_owed(state: WageArrearsState) -> Decimal:
    return sum((owed(state, n) for n in worker_numbers(state)), ZERO)


def total_given_up(state: WageArrearsState) -> Decimal:
    return sum((g.amount for g in state.given_up), ZERO)


def total_paid(state: WageArrearsState) -> Decimal:
    return sum((confirmed_paid(state, n) for n in worker_numbers(state)), ZERO)


def total_outstanding(state: WageArrearsState) -> Decimal:
    return total_owed(state) - total_paid(state)


def fully_paid(state: WageArrearsState) -> bool:
    # WA-5: settled only when every worker's amount is paid and the payment confirmed.
    return all(outstanding(state, n) <= ZERO for n in worker_numbers(state))


def reaches_criminal_threshold(state: WageArrearsState) -> bool:
    """WA-10 amounts (SPC 2013 Art.3): one worker owed 3+ months' pay *and* at least the
    province's amount, or 10+ workers owed *and* at least the province's cumulative amount.
    Both conditions of a branch must hold; only what is still outstanding counts."""
    region = state.region
    for n in worker_numbers(state):
        months = state.intake.workers[n - 1].months_owed or 0
        enough_months = months >= region.police_threshold_months
        enough_amount = outstanding(state, n) >= region.police_threshold_individual
        if not state.law_as_written:
            # Cases opened before read either condition as enough; their histories replay
            # (update validators run again on replay) and they carry on so.
            if outstanding(state, n) > ZERO and (enough_months or enough_amount):
                return True
        elif enough_months and enough_amount:
            return True
    unpaid_workers = sum(1 for n in worker_numbers(state) if outstanding(state, n) > ZERO)
    return (
        unpaid_workers >= region.police_group_size
        and total_outstanding(state) >= region.police_threshold_group
    )


def share_given_up(state: WageArrearsState, agreed: Decimal) -> dict[int, Decimal]:
    """WA-5: the part of what is still outstanding that an agreement or award of `agreed`
    leaves out, spread over the workers in proportion to what each may still be paid."""
    free = {n: unallocated(state, n) for n in worker_numbers(state) if unallocated(state, n) > 0}
    pending = sum((unconfirmed_paid(state, n) for n in worker_numbers(state)), ZERO)
    left = sum(free.values(), ZERO)
    # Payments recorded and not yet confirmed count towards the agreed amount.
    rest = min(left, max(ZERO, left - max(ZERO, agreed - pending)))
    if rest <= ZERO or left <= ZERO:
        return {}
    shares: dict[int, Decimal] = {}
    spread = ZERO
    numbers = sorted(free)
    for n in numbers[:-1]:
        share = (rest * free[n] / left).quantize(Decimal("0.01"))
        shares[n] = share
        spread += share
    shares[numbers[-1]] = rest - spread
    return {n: amount for n, amount in shares.items() if amount > ZERO}
