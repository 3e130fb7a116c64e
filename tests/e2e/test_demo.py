"""`manage.py demo` against the real stack, with a handful of cases in one county no other test
uses: the scenarios show up (settled, partly paid, escalated and ordered to pay, near its
deadline, just opened), and a second run opens nothing new. (The sixth scenario, a referral to
mediation, would put a green-channel dispute first on the shared stack's board.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Coroutine
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from devstack.demo import DemoResult, load_demo, plans
from store.db import make_engine
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

COUNTY = "140121"  # 清徐县


def load(stack: Stack, engine: Engine) -> Coroutine[Any, Any, DemoResult]:
    return load_demo(stack.base_url, engine, count=5, say=lambda _: None, counties=[COUNTY])


async def test_demo_fills_the_counties_and_a_second_run_changes_nothing(stack: Stack) -> None:
    engine = make_engine(stack.settings.database_url)
    try:
        first = await load(stack, engine)
        assert len(first.opened) == 5 and first.already_there == []
        headers = {"Authorization": f"Bearer {first.supervisor_token}"}
        statuses: Counter[str] = Counter()
        for case_id in first.opened:
            case = (await stack.http.get(f"/api/v1/cases/{case_id}", headers=headers)).json()
            assert case["county_code"] == COUNTY
            statuses[case["status"]] += 1
            if case["status"] == "escalated":
                assert [s["rung"] for s in case["ladder"]] == ["order_to_pay"]
        # Settled; partly paid, near its deadline and just opened (open); escalated.
        assert statuses == {"settled": 1, "open": 3, "escalated": 1}
        board = (await stack.http.get("/api/v1/sla", headers=headers)).json()
        assert {i["case_id"] for i in board["items"]} & set(first.opened)

        second = await load(stack, engine)
        assert second.opened == [] and sorted(second.already_there) == sorted(first.opened)
        assert [p.body for p in plans(5)] == [p.body for p in plans(5)]
    finally:
        engine.dispose()
