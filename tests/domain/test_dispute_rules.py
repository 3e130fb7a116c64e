"""Unit tests of domain/dispute/rules.py: limitation (MA-3), final awards (MA-8) and the green
channel (MA-4). Pure functions, no Temporal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.dispute import rules
from domain.dispute.models import AwardItem, DisputeIntake
from domain.regions import RegionSettings
from tests import factories as f

APPLIED = date(2026, 6, 15)


def intake(workers: int = 1, **overrides: Any) -> DisputeIntake:
    data: dict[str, Any] = {
        "origin": "arbitration",
        "county_code": f.COUNTY,
        "employer": {"name": "太原某建筑劳务有限公司", "credit_code": f.EMPLOYER_CODE},
        "workers": [
            {"name": f"工人{i}", "id_number": f.resident_id(i), "mobile": f"139{i:08d}"}
            for i in range(1, workers + 1)
        ],
        "claims": [{"description": "unpaid wages", "amount": "6000.00"}],
        "claim_known_on": "2026-01-10",
        "summary": "申请仲裁",
        "opened_by": f.actor("mediator"),
    }
    data.update(overrides)
    return DisputeIntake.model_validate(data)


def items(*amounts: str) -> list[AwardItem]:
    return [AwardItem(description=f"item {i}", amount=Decimal(a)) for i, a in enumerate(amounts)]


REGION = RegionSettings(county_code=f.COUNTY)


# MA-3: limitation.


def test_ma3_a_claim_runs_one_year_from_when_the_worker_knew() -> None:
    known = date(2025, 6, 15)
    on_the_last_day = rules.limitation(
        intake(wage_claim=False, claim_known_on=known.isoformat()), APPLIED
    )
    assert on_the_last_day.runs_from == known
    assert on_the_last_day.expires_on == date(2026, 6, 15)
    assert on_the_last_day.applied_on == APPLIED
    assert not on_the_last_day.time_barred

    a_day_late = rules.limitation(intake(wage_claim=False, claim_known_on="2025-06-14"), APPLIED)
    assert a_day_late.expires_on == date(2026, 6, 14) and a_day_late.time_barred


def test_ma3_unpaid_pay_during_employment_is_not_barred() -> None:
    """MA-3: while the job lasts the year has not started, however old the arrears."""
    result = rules.limitation(intake(claim_known_on="2021-03-01"), APPLIED)
    assert result.runs_from == APPLIED and not result.time_barred


def test_ma3_unpaid_pay_runs_from_the_end_of_the_job() -> None:
    within = rules.limitation(
        intake(claim_known_on="2021-03-01", employment_ended_on="2025-07-01"), APPLIED
    )
    assert within.runs_from == date(2025, 7, 1) and not within.time_barred
    expired = rules.limitation(
        intake(claim_known_on="2021-03-01", employment_ended_on="2025-06-01"), APPLIED
    )
    assert expired.expires_on == date(2026, 6, 1) and expired.time_barred


def test_ma3_the_latest_interruption_restarts_the_year() -> None:
    result = rules.limitation(
        intake(
            wage_claim=False,
            claim_known_on="2024-01-10",
            limitation_interrupted_on=["2024-11-01", "2025-09-30", "2024-12-01"],
        ),
        APPLIED,
    )
    assert result.runs_from == date(2025, 9, 30)
    assert result.expires_on == date(2026, 9, 30)
    assert not result.time_barred


def test_ma3_interruptions_after_the_application_and_before_knowing_do_not_count() -> None:
    result = rules.limitation(
        intake(
            wage_claim=False,
            claim_known_on="2025-01-10",
            limitation_interrupted_on=["2024-12-01", "2026-06-20"],
        ),
        APPLIED,
    )
    assert result.runs_from == date(2025, 1, 10) and result.time_barred


def test_ma3_a_year_from_29_february_ends_on_28_february() -> None:
    result = rules.limitation(intake(wage_claim=False, claim_known_on="2024-02-29"), APPLIED)
    assert result.expires_on == date(2025, 2, 28) and result.time_barred


# MA-8: final awards.


@pytest.mark.parametrize(
    ("amounts", "final"),
    [
        (("24000.00",), True),
        (("24000.01",), False),
        (("0.00", "24000.00", "24000.00"), True),
        (("1000.00", "24000.01"), False),  # mixed: non-final
        (("30000.00", "50000.00"), False),
    ],
)
def test_ma8_final_when_every_item_is_at_most_12_months_minimum_wage(
    amounts: tuple[str, ...], final: bool
) -> None:
    assert rules.award_is_final(items(*amounts), REGION) == (final, Decimal("24000"))


def test_ma8_the_threshold_follows_the_regions_minimum_wage() -> None:
    region = RegionSettings(county_code=f.COUNTY, monthly_minimum_wage=Decimal("2500"))
    assert rules.award_is_final(items("30000.00"), region) == (True, Decimal("30000"))
    assert rules.award_is_final(items("30000.01"), region) == (False, Decimal("30000"))


# MA-4: the green channel.


@pytest.mark.parametrize(
    ("workers", "migrant", "wage", "priority"),
    [
        (1, True, True, True),  # migrant workers' wage claim
        (3, True, False, False),  # migrant workers, not a wage claim
        (3, False, True, False),  # a wage claim, not migrant workers
        (3, False, False, False),
        (9, False, False, False),
        (10, False, False, True),  # a group of 10+
    ],
)
def test_ma4_green_channel(workers: int, migrant: bool, wage: bool, priority: bool) -> None:
    case = intake(workers=workers, migrant_workers=migrant, wage_claim=wage)
    assert rules.is_priority(case) is priority
