"""GET /api/v1/stats over HTTP against the real stack: the figures follow the cases as they are
paid, only the caller's counties count, filters and bad input are handled, no token is a 401."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from domain.common import CST, Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

STATS = "/api/v1/stats"
CASES = "/api/v1/cases"
MINE, OTHER = "140123", "140122"  # 娄烦县, 阳曲县: no other test opens cases there


async def open_case(stack: Stack, county: str, workers: int, amount: str) -> str:
    intake = f.intake(
        workers=workers,
        amount=amount,
        county_code=county,
        opened_by=f.actor(Role.mediator, county, id=f"mediator-{county}"),
    )
    opened = await stack.http.post(f"{CASES}/wage-arrears", json=intake)
    assert opened.status_code == 201, opened.text
    case_id: str = opened.json()["case_id"]
    return case_id


async def pay(stack: Stack, case_id: str, county: str, worker_no: int, amount: str) -> None:
    officer = f.actor(Role.mediator, county, id=f"mediator-{county}")
    paid = await stack.http.post(
        f"{CASES}/{case_id}/actions/record_payment",
        json={
            "actor": officer,
            "reason": "paid at the bureau",
            "worker_no": worker_no,
            "amount": amount,
            "paid_on": f.today().isoformat(),
        },
    )
    assert paid.status_code == 200, paid.text
    case = (await stack.http.get(f"{CASES}/{case_id}")).json()
    payment_id = case["payments"][-1]["payment_id"]
    confirmed = await stack.http.post(
        f"{CASES}/{case_id}/actions/confirm_payment",
        json={"actor": officer, "reason": "worker signed", "payment_id": payment_id},
    )
    assert confirmed.status_code == 200, confirmed.text


async def stats(stack: Stack, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await stack.http.get(STATS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_stats_follow_payments_in_the_callers_counties_only(stack: Stack) -> None:
    settled = await open_case(stack, MINE, workers=1, amount="3000.00")
    partly = await open_case(stack, MINE, workers=2, amount="2000.00")
    await open_case(stack, OTHER, workers=1, amount="50000.00")
    await pay(stack, settled, MINE, 1, "3000.00")
    await pay(stack, partly, MINE, 1, "2000.00")

    supervisor = await stack.login(Role.supervisor, counties=[MINE])
    body = await stats(stack, supervisor)
    [county] = body["counties"]
    assert county["county_code"] == MINE  # OTHER's case is not counted
    assert county["cases_total"] == 2
    assert county["open_arrears_cases"] == 1
    assert county["amount_owed"] == "7000.00"
    assert county["amount_recovered"] == "5000.00"
    assert county["amount_outstanding"] == "2000.00"
    # WA-1/WA-5: settled the day it opened, its own deadline met.
    assert (county["settled"], county["settled_within_deadline"]) == (1, 1)
    assert county["settled_within_deadline_share"] == 1.0
    assert 0 <= county["median_days_to_settle"] < 1
    assert body["totals"]["amount_recovered"] == "5000.00"
    this_week = body["weekly"][-1]
    assert (this_week["opened"], this_week["closed"]) == (2, 1)
    assert len(body["weekly"]) == 12

    # WA-4: 31 December and the coming Spring Festival, counting this county's cases.
    names = [c["name"] for c in body["campaign"]]
    assert sorted(names) == ["campaign_3_months", "campaign_spring_festival", "campaign_year_end"]
    year_end = next(c for c in body["campaign"] if c["name"] == "campaign_year_end")
    this_year = datetime.now(CST).year
    assert (year_end["clear_by"], year_end["campaign_year"]) == (f"{this_year}-12-31", this_year)
    assert (year_end["cases"], year_end["cleared"], year_end["left_open"]) == (2, 1, 1)


async def test_stats_filters_and_refusals(stack: Stack) -> None:
    supervisor = await stack.login(Role.supervisor, counties=[MINE])
    # Another county's code counts nothing rather than revealing it.
    assert (await stats(stack, supervisor, county_code=OTHER))["counties"] == []
    disputes = await stats(stack, supervisor, kind="dispute")
    assert disputes["counties"] == [] and disputes["campaign"] == []
    assert len((await stats(stack, supervisor, weeks=3))["weekly"]) == 3

    for params in ({"county_code": "14012"}, {"kind": "parking"}, {"weeks": 0}):
        refused = await stack.http.get(STATS, params=params, headers=supervisor)
        assert refused.status_code == 422, params
        assert refused.json()["error"]["code"] == "invalid_input"

    bad_token = {"Authorization": "Bearer lce_0000000000_not-a-real-token-at-all"}
    assert (await stack.http.get(STATS, headers=bad_token)).status_code == 401
