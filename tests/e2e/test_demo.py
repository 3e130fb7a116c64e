"""`manage.py demo` against the real stack, with a handful of cases: every scenario shows up
(settled, partly paid, escalated, near its deadline, referred to mediation), and a second run
opens nothing new."""

from __future__ import annotations

from collections import Counter

import pytest

from devstack.demo import COUNTIES, load_demo, plans
from store.db import make_engine
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


async def test_demo_fills_the_counties_and_a_second_run_changes_nothing(stack: Stack) -> None:
    engine = make_engine(stack.settings.database_url)
    try:
        first = await load_demo(stack.base_url, engine, count=6, say=lambda _: None)
        assert len(first.opened) == 6 and first.already_there == []
        headers = {"Authorization": f"Bearer {first.supervisor_token}"}
        statuses = Counter()
        for case_id in first.opened:
            case = (await stack.http.get(f"/api/v1/cases/{case_id}", headers=headers)).json()
            assert case["county_code"] in COUNTIES
            statuses[case["status"]] += 1
            if case["status"] == "escalated" and case["linked_cases"]:
                assert case["linked_cases"][0]["case_id"].startswith("MA-")
        # One of each scenario: settled, partly paid (open), escalated twice (one ordered to
        # pay, one referred), near its deadline (open), and one just opened.
        assert statuses == {"settled": 1, "open": 3, "escalated": 2}
        board = (await stack.http.get("/api/v1/sla", headers=headers)).json()
        assert {i["case_id"] for i in board["items"]} & set(first.opened)

        second = await load_demo(stack.base_url, engine, count=6, say=lambda _: None)
        assert second.opened == [] and sorted(second.already_there) == sorted(first.opened)
        assert [p.key for p in plans(6)] == [p.key for p in plans(6)]
    finally:
        engine.dispose()
