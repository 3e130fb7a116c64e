"""`manage.py demo` against the real stack, with a handful of cases in one county no other test
uses: the scenarios show up (settled, partly paid, escalated and ordered to pay, near its
deadline, just opened), and a second run opens nothing new. (The sixth scenario, a referral to
mediation, would put a green-channel dispute first on the shared stack's board.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Coroutine
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from devstack.demo import DemoResult, credit_code, load_demo, plans, resident_id
from devstack.demo_projects import WAGES, project_plans
from domain.common import CST
from domain.project_watch import rules
from store.db import make_engine
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

COUNTY = "140121"  # 清徐县


def load(stack: Stack, engine: Engine) -> Coroutine[Any, Any, DemoResult]:
    return load_demo(
        stack.base_url, engine, count=5, say=lambda _: None, counties=[COUNTY], projects=False
    )


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


async def test_demo_projects_a_clean_month_a_late_funding_and_a_missed_payroll(
    stack: Stack,
) -> None:
    """The demo's three projects (PW rules): a clean month funded, confirmed and paid; a late
    funding at risk at once; a missed payroll, enrolled after its month's pay date and grace,
    whose payments (one worker of three) and then wage sheet open a wage-arrears case by
    themselves while the demo runs, with the two unpaid workers and their amounts."""
    engine = make_engine(stack.settings.database_url)
    try:
        first = await load_demo(
            stack.base_url, engine, count=0, say=lambda _: None, counties=[COUNTY]
        )
        opened = first.projects.opened
        assert sorted(opened) == ["clean", "late_funding", "missed_payroll"]
        headers = {"Authorization": f"Bearer {first.supervisor_token}"}

        async def project(scenario: str) -> dict[str, Any]:
            r = await stack.http.get(f"/api/v1/projects/{opened[scenario]}", headers=headers)
            assert r.status_code == 200
            found: dict[str, Any] = r.json()
            assert found["county_code"] == COUNTY
            return found

        today = datetime.now(CST).date()
        clean = await project("clean")
        assert clean["risk"] == "ok"
        [month] = clean["months"]
        assert month["month"] == rules.month_of(today) and Decimal(month["funded"]) > 0
        assert month["sheet_confirmed"] and month["paid_in_full"]
        assert len(month["workers"]) == 3

        late = await project("late_funding")
        last_month = late["months"][0]["month"]
        cycle_end = rules.new_month(last_month, 15, 3).funding_due
        if datetime.now(UTC) >= cycle_end + rules.spread(opened["late_funding"]):
            assert late["risk"] == "funding_late" and late["risk_month"] == last_month
            assert late["months"][0]["funding_late"]

        missed = await project("missed_payroll")
        plan = next(
            p
            for p in project_plans(today, COUNTY, credit_code, resident_id)
            if p.scenario == "missed_payroll"
        )
        record = next(m for m in missed["months"] if m["month"] == plan.month)
        cells = {c["worker_no"]: c for c in record["workers"]}
        assert [Decimal(cells[no]["sheet_amount"]) for no in (1, 2, 3)] == list(WAGES)
        assert [Decimal(cells[no]["paid"]) for no in (1, 2, 3)] == [WAGES[0], 0, 0]
        assert Decimal(record["owed"]) == WAGES[1] + WAGES[2]
        # PW-4, PW-5: the case the watch opened by itself, against the general contractor.
        assert missed["grace_days"] == 3 and missed["risk"] == "high_risk"
        case_id = missed["open_case_id"]
        assert case_id is not None
        r = await stack.http.get(f"/api/v1/cases/{case_id}", headers=headers)
        assert r.status_code == 200
        case = r.json()
        assert case["source"] == "monitoring"
        roster = plan.body["roster"]
        assert [Decimal(w["owed"]) for w in case["workers"]] == [WAGES[1], WAGES[2]]
        assert case["employer"]["name"] == plan.body["general_contractor"]["name"]
        assert case["project"]["watch_id"] == opened["missed_payroll"]
        # The supervisor sees the workers' names masked (personal data).
        assert [w["name"] for w in case["workers"]] == [roster[i]["name"][0] + "**" for i in (1, 2)]

        listed = (
            await stack.http.get(
                "/api/v1/projects",
                params={"at_risk": "true", "county_code": COUNTY},
                headers=headers,
            )
        ).json()
        # The board's row of the missed payroll: what its workers are owed, and its case.
        item = next(i for i in listed["items"] if i["case_id"] == opened["missed_payroll"])
        assert Decimal(item["risk_amount"]) == WAGES[1] + WAGES[2]
        assert item["open_case_id"] == case_id
        if late["risk"] != "ok":
            assert opened["late_funding"] in {i["case_id"] for i in listed["items"]}
            assert listed["at_risk_by_county"][COUNTY]["funding_late"] >= 1

        second = await load_demo(
            stack.base_url, engine, count=0, say=lambda _: None, counties=[COUNTY]
        )
        assert second.projects.opened == {} and second.projects.already_there == opened
    finally:
        engine.dispose()
