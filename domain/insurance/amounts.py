"""What a pension transfer moves (SI-2), and medical continuity (SI-4): pure functions."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.insurance.models import Amounts, Continuity, ContributionYear

POOLED_RATE = Decimal("0.12")
CONTINUITY_MONTHS = 3  # SI-4
CENT = Decimal("0.01")


def pooled_funds(history: list[ContributionYear]) -> Decimal:
    """SI-2: 12 % of each year's contribution base; a partial year prorated by month.

    A year's contribution base is its monthly base times twelve, so a year of `months` paid
    months moves monthly_base x 12 x 12 % x months / 12 = monthly_base x months x 12 %.
    """
    total = sum((c.monthly_base * c.months * POOLED_RATE for c in history), Decimal("0"))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def transfer_amounts(history: list[ContributionYear], individual_account: Decimal) -> Amounts:
    return Amounts(
        individual_account=individual_account.quantize(CENT, rounding=ROUND_HALF_UP),
        pooled_funds=pooled_funds(history),
    )


def months_between(ended_on: date, starts_on: date) -> int:
    """Whole calendar months without cover between the old cover's end and the new start."""
    months = (starts_on.year - ended_on.year) * 12 + starts_on.month - ended_on.month - 1
    return max(months, 0)


def continuity(ended_on: date, starts_on: date, waiting_period_months: int) -> Continuity:
    """SI-4: a gap of up to 3 months is back-paid and benefits stay continuous; a longer gap
    may carry a waiting period (the region's figure, at most 6 months by default)."""
    gap = months_between(ended_on, starts_on)
    continuous = gap <= CONTINUITY_MONTHS
    return Continuity(
        gap_months=gap,
        continuous=continuous,
        waiting_period_months=0 if continuous else waiting_period_months,
    )


def difference(expected: Amounts, received: Amounts) -> dict[str, str]:
    """What a receiving agency's confirmation differs by, per item (received minus expected)."""
    return {
        name: str(getattr(received, name) - getattr(expected, name))
        for name in ("individual_account", "pooled_funds")
        if getattr(received, name) != getattr(expected, name)
    }
