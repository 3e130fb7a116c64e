"""What a pension transfer moves (SI-2) and medical continuity (SI-4): worked examples of
domain/insurance/amounts.py, every expected figure written out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.insurance.amounts import (
    continuity,
    difference,
    months_between,
    pooled_funds,
    transfer_amounts,
)
from domain.insurance.models import Amounts, Continuity, ContributionYear


def year(y: int, months: int, base: str) -> ContributionYear:
    return ContributionYear(year=y, months=months, monthly_base=Decimal(base))


# 2019 joined in September (4 months), 2020-2022 full years, 2023 left after July (7 months).
HISTORY = [
    year(2019, 4, "5000.00"),
    year(2020, 12, "5500.00"),
    year(2021, 12, "6000.00"),
    year(2022, 12, "6500.00"),
    year(2023, 7, "7000.00"),
]


# SI-2: pooled funds.


def test_si2_partial_first_year_is_prorated_by_month() -> None:
    """SI-2: 4 months at a monthly base of 5000: 5000 x 12 x 12 % x 4/12 = 5000 x 4 x 12 %."""
    assert pooled_funds([year(2019, 4, "5000.00")]) == Decimal("2400.00")


def test_si2_full_year_is_twelve_percent_of_the_year_base() -> None:
    """SI-2: a full year at 5500 a month: base 66000, 12 % of it is 7920.00."""
    assert pooled_funds([year(2020, 12, "5500.00")]) == Decimal("7920.00")


def test_si2_partial_last_year_is_prorated_by_month() -> None:
    """SI-2: 7 months at 7000 a month: 7000 x 7 x 12 % = 5880.00."""
    assert pooled_funds([year(2023, 7, "7000.00")]) == Decimal("5880.00")


def test_si2_whole_history_adds_each_year() -> None:
    """SI-2: 2400 (2019, 4 months) + 7920 + 8640 + 9360 (2020-2022) + 5880 (2023, 7 months)."""
    expected = Decimal("2400.00") + Decimal("7920.00") + Decimal("8640.00")
    expected += Decimal("9360.00") + Decimal("5880.00")
    assert expected == Decimal("34200.00")
    assert pooled_funds(HISTORY) == expected
    # Order of the years does not matter.
    assert pooled_funds(list(reversed(HISTORY))) == expected


def test_si2_pooled_funds_are_rounded_to_cents() -> None:
    """SI-2: 3333.33 x 7 x 12 % = 2799.9972, moved as 2800.00; 1234.56 x 5 x 12 % = 740.736,
    moved as 740.74; 1000.01 x 1 x 12 % = 120.0012, moved as 120.00."""
    assert pooled_funds([year(2021, 7, "3333.33")]) == Decimal("2800.00")
    assert pooled_funds([year(2021, 5, "1234.56")]) == Decimal("740.74")
    assert pooled_funds([year(2021, 1, "1000.01")]) == Decimal("120.00")
    for history in ([year(2021, 7, "3333.33")], HISTORY):
        assert pooled_funds(history).as_tuple().exponent == -2


def test_si2_no_history_moves_no_pooled_funds() -> None:
    assert pooled_funds([]) == Decimal("0.00")


def test_si2_transfer_amounts_carry_the_individual_account_as_is() -> None:
    """SI-2: the individual account moves as recorded; the pooled funds are computed."""
    moved = transfer_amounts(HISTORY, Decimal("18765.43"))
    assert moved == Amounts(
        individual_account=Decimal("18765.43"), pooled_funds=Decimal("34200.00")
    )
    assert moved.total == Decimal("52965.43")
    assert transfer_amounts(HISTORY, Decimal("0.00")).individual_account == Decimal("0.00")


# SI-2: what a receiving agency's confirmation differs by.


EXPECTED = Amounts(individual_account=Decimal("18765.43"), pooled_funds=Decimal("34200.00"))


def test_si2_difference_of_matching_amounts_is_empty() -> None:
    same = Amounts(individual_account=Decimal("18765.43"), pooled_funds=Decimal("34200.00"))
    assert difference(EXPECTED, same) == {}


def test_si2_difference_is_received_minus_expected_per_item() -> None:
    short = Amounts(individual_account=Decimal("18765.43"), pooled_funds=Decimal("34100.50"))
    assert difference(EXPECTED, short) == {"pooled_funds": "-99.50"}
    over = Amounts(individual_account=Decimal("18800.00"), pooled_funds=Decimal("34200.00"))
    assert difference(EXPECTED, over) == {"individual_account": "34.57"}
    both = Amounts(individual_account=Decimal("0.00"), pooled_funds=Decimal("34200.01"))
    assert difference(EXPECTED, both) == {
        "individual_account": "-18765.43",
        "pooled_funds": "0.01",
    }


def test_si2_difference_ignores_trailing_zeros() -> None:
    """34200 and 34200.00 are the same amount."""
    same = Amounts(individual_account=Decimal("18765.430"), pooled_funds=Decimal("34200"))
    assert difference(EXPECTED, same) == {}


# SI-4: medical continuity.


@pytest.mark.parametrize(
    ("ended_on", "starts_on", "gap"),
    [
        (date(2024, 3, 31), date(2024, 4, 1), 0),  # cover goes on the next day
        (date(2024, 3, 15), date(2024, 4, 10), 0),  # the month after: nothing is missing
        (date(2024, 3, 31), date(2024, 3, 1), 0),  # overlapping cover
        (date(2024, 1, 31), date(2024, 3, 1), 1),  # February
        (date(2024, 1, 31), date(2024, 4, 1), 2),  # February, March
        (date(2024, 1, 31), date(2024, 5, 1), 3),
        (date(2024, 1, 31), date(2024, 6, 1), 4),
        # Across a year boundary: December, January, February.
        (date(2023, 11, 30), date(2024, 3, 1), 3),
        (date(2023, 11, 30), date(2024, 4, 1), 4),
        (date(2023, 12, 31), date(2024, 1, 1), 0),
        (date(2023, 10, 31), date(2024, 4, 1), 5),
        (date(2022, 12, 31), date(2024, 1, 1), 12),
    ],
)
def test_si4_gap_counts_whole_months_without_cover(
    ended_on: date, starts_on: date, gap: int
) -> None:
    assert months_between(ended_on, starts_on) == gap


def test_si4_no_gap_is_continuous() -> None:
    result = continuity(date(2024, 3, 31), date(2024, 4, 1), 6)
    assert result == Continuity(gap_months=0, continuous=True, waiting_period_months=0)


def test_si4_gap_of_exactly_three_months_is_continuous() -> None:
    """SI-4: up to 3 months can be back-paid: no waiting period."""
    result = continuity(date(2024, 1, 31), date(2024, 5, 1), 6)
    assert result == Continuity(gap_months=3, continuous=True, waiting_period_months=0)


def test_si4_gap_of_four_months_carries_the_regions_waiting_period() -> None:
    """SI-4: a longer gap carries the waiting period the region sets (configurable)."""
    assert continuity(date(2024, 1, 31), date(2024, 6, 1), 6) == Continuity(
        gap_months=4, continuous=False, waiting_period_months=6
    )
    assert continuity(date(2024, 1, 31), date(2024, 6, 1), 3) == Continuity(
        gap_months=4, continuous=False, waiting_period_months=3
    )
    assert continuity(date(2024, 1, 31), date(2024, 6, 1), 0) == Continuity(
        gap_months=4, continuous=False, waiting_period_months=0
    )


def test_si4_continuity_across_a_year_boundary() -> None:
    """SI-4: cover ended 30 November, new cover from 1 March: December to February, 3 months,
    continuous; from 1 April: 4 months, the waiting period applies."""
    assert continuity(date(2023, 11, 30), date(2024, 3, 1), 6).continuous is True
    after = continuity(date(2023, 11, 30), date(2024, 4, 1), 6)
    assert after == Continuity(gap_months=4, continuous=False, waiting_period_months=6)
