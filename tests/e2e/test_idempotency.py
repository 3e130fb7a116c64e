"""Creates and actions under retries, over HTTP: a case number names one case in its county,
and an action's Idempotency-Key acts once, however often the client retries."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"
OTHER_COUNTY = "140106"


def number() -> str:
    return f"小劳监〔2026〕{uuid.uuid4().int % 10**6}号"


async def create(stack: Stack, case_number: str, key: str | None = None, **overrides: Any) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return await stack.http.post(
        f"{CASES}/wage-arrears",
        params={"case_number": case_number},
        json=f.intake(**overrides),
        headers=headers,
    )


async def test_a_case_number_dedupes_even_with_another_idempotency_key(stack: Stack) -> None:
    n = number()
    first = await create(stack, n, key=uuid.uuid4().hex)
    assert first.status_code == 201, first.text
    assert first.json()["case_number"] == n
    again = await create(stack, n, key=uuid.uuid4().hex)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["case_id"] == first.json()["case_id"]
    # Stored on the case: its own view names it.
    seen = await stack.http.get(f"{CASES}/{first.json()['case_id']}")
    assert seen.json()["case_number"] == n


async def test_a_case_number_is_scoped_to_its_county(stack: Stack) -> None:
    n = number()
    here = await create(stack, n)
    assert here.status_code == 201, here.text
    opener = f.actor(Role.mediator, county=OTHER_COUNTY, id="mediator-yz")
    there = await create(stack, n, county_code=OTHER_COUNTY, opened_by=opener)
    assert there.status_code == 201, there.text
    assert there.json()["case_id"] != here.json()["case_id"]


async def test_a_case_number_of_another_case_is_a_conflict(stack: Stack) -> None:
    n = number()
    assert (await create(stack, n)).status_code == 201
    other = await create(stack, n, workers=3)
    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "case_number_taken"


def payment(amount: str = "500.00") -> dict[str, Any]:
    return f.payment(amount=amount, reason="paid at the bureau")


async def test_a_retried_action_with_its_key_is_applied_once(stack: Stack) -> None:
    case_id = (await create(stack, number())).json()["case_id"]
    url = f"{CASES}/{case_id}/actions/record_payment"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await stack.http.post(url, json=payment(), headers=key)
    assert first.status_code == 200, first.text
    for _ in range(3):
        again = await stack.http.post(url, json=payment(), headers=key)
        assert again.status_code == 200 and again.json() == first.json()
    view = (await stack.http.get(f"{CASES}/{case_id}")).json()
    assert len(view["payments"]) == 1
    reused = await stack.http.post(url, json=payment("600.00"), headers=key)
    assert reused.status_code == 422, reused.text
    # Without a key, each request is an action of its own.
    assert (await stack.http.post(url, json=payment())).status_code == 200
    assert len((await stack.http.get(f"{CASES}/{case_id}")).json()["payments"]) == 2


async def test_the_stamp_cannot_be_sent_in_the_body(stack: Stack) -> None:
    case_id = (await create(stack, number())).json()["case_id"]
    body = {**payment(), "request": {"case_id": case_id, "key": "mine"}}
    response = await stack.http.post(f"{CASES}/{case_id}/actions/record_payment", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "request_from_api"
