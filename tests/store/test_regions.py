"""Region settings an admin sets (WA-10/WA-11's province amounts, MA-8's minimum wage): the
API's body refuses values outside the ranges the law allows; the store merges and resets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from api.routers.admin_regions import RegionSettingsUpdate
from store import regions


@pytest.mark.parametrize(
    "body",
    [
        {"police_threshold_individual": "4999"},
        {"police_threshold_individual": "20001"},
        {"police_threshold_group": "29999"},
        {"police_threshold_group": "100001"},
        {"monthly_minimum_wage": "0"},
        {"unknown": 1},
    ],
)
def test_wa10_ma8_settings_outside_the_law_are_refused(body: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        RegionSettingsUpdate.model_validate(body)


def test_wa10_ma8_settings_default_then_set_then_reset(engine: Engine) -> None:
    """Defaults are RULES.md's (5 000 / 30 000); an admin's value wins; null resets it."""
    assert regions.load(engine, "140105").police_threshold_individual == Decimal("5000")
    assert regions.load(engine, "140105").police_threshold_group == Decimal("30000")
    body = RegionSettingsUpdate.model_validate(
        {"police_threshold_individual": "10000", "monthly_minimum_wage": "2500.00"}
    )
    saved = regions.save(engine, "140105", body.model_dump(exclude_unset=True))
    assert saved.police_threshold_individual == Decimal("10000")
    assert regions.load(engine, "140105").monthly_minimum_wage == Decimal("2500.00")
    assert regions.load(engine, "140106").monthly_minimum_wage == Decimal("2000")
    regions.save(engine, "140105", {"police_threshold_individual": None})
    assert regions.load(engine, "140105").police_threshold_individual == Decimal("5000")
    assert regions.load(engine, "140105").monthly_minimum_wage == Decimal("2500.00")
