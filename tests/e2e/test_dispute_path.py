"""The whole path over HTTP, with days skipped: a wage-arrears case escalates, is referred to
mediation, mediation fails, arbitration awards, the award takes effect; both cases' histories
show every step and its actor.

The API and a real worker run against the time-skipping test server, so the 3-day WA-1
deadline passes in milliseconds while every call still goes through HTTP.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from domain.common import CST, Role
from tests import factories as f
from tests.e2e.auth import TestUsers
from tests.e2e.conftest import notifications_in

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"


@pytest.fixture
def http(skipping: tuple[httpx.AsyncClient, TestUsers]) -> httpx.AsyncClient:
    return skipping[0]


def cmd(role: Role, reason: str, **fields: Any) -> dict[str, Any]:
    return {"actor": f.actor(role), "reason": reason, **fields}


async def act(http: httpx.AsyncClient, case_id: str, action: str, body: dict[str, Any]) -> Any:
    response = await http.post(f"{CASES}/{case_id}/actions/{action}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def humans(history: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [
        (e["what"], (e["actor"] or {}).get("id")) for e in history["events"] if e["kind"] == "human"
    ]


async def test_escalated_case_goes_through_mediation_and_arbitration_to_an_effective_award(
    http: httpx.AsyncClient, time_skipping_env: WorkflowEnvironment
) -> None:
    opened = await http.post(f"{CASES}/wage-arrears", json=f.intake(workers=2, amount="6000.00"))
    assert opened.status_code == 201, opened.text
    wa_id = opened.json()["case_id"]
    http.started.append(wa_id)  # type: ignore[attr-defined]

    await time_skipping_env.sleep(timedelta(days=4))  # WA-1 passes unpaid
    case = (await http.get(f"{CASES}/{wa_id}")).json()
    assert case["status"] == "escalated"

    await act(http, wa_id, "refer_to_mediation", cmd(Role.mediator, "both sides agree to mediate"))
    case = (await http.get(f"{CASES}/{wa_id}")).json()
    [link] = case["linked_cases"]
    ma_id = link["case_id"]
    http.started.append(ma_id)  # type: ignore[attr-defined]
    assert ma_id.startswith("MA-") and link["relation"] == "referred_to"

    dispute = (await http.get(f"{CASES}/{ma_id}")).json()
    assert dispute["stage"] == "mediation"
    assert dispute["linked_cases"][0]["case_id"] == wa_id
    assert dispute["priority"] is True  # MA-4: migrant workers' wage claim
    assert dispute["claims_total"] == "12000.00"

    await act(http, ma_id, "record_mediation_failure", cmd(Role.mediator, "employer walked out"))
    await act(
        http, ma_id, "decide_acceptance", cmd(Role.mediator, "within scope", decision="accept")
    )
    # The award's day in China Standard Time, like the day its acceptance is counted in.
    made_on = (await time_skipping_env.get_current_time()).astimezone(CST).date().isoformat()
    award = await act(
        http,
        ma_id,
        "record_award",
        cmd(
            Role.supervisor,
            "tribunal's award",
            made_on=made_on,
            items=[
                {"description": "wages, worker 1", "amount": "6000.00"},
                {"description": "wages, worker 2", "amount": "6000.00"},
            ],
        ),
    )
    assert award["status"] == "award"
    dispute = (await http.get(f"{CASES}/{ma_id}")).json()
    assert dispute["award"]["final"] is True  # MA-8: each item at most 12 x the minimum wage
    assert dispute["award"]["effective_on"] == made_on
    assert any(d["name"] == "enforcement" and d["state"] == "pending" for d in dispute["deadlines"])

    for _ in range(20):  # the outcome reaches the wage-arrears case by signal
        case = (await http.get(f"{CASES}/{wa_id}")).json()
        if case["linked_cases"][0].get("outcome"):
            break
        await time_skipping_env.sleep(timedelta(seconds=1))
    assert case["linked_cases"][0]["outcome"] == "award_effective"

    wa_history = (await http.get(f"{CASES}/{wa_id}/history")).json()
    assert humans(wa_history) == [
        ("case_opened", "mediator-01"),
        ("refer_to_mediation", "mediator-01"),
    ]
    wa_system = [e["what"] for e in wa_history["events"] if e["kind"] == "system"]
    assert "timer_fired" in wa_system and "linked_case_opened" in wa_system
    assert "signal:dispute_outcome" in wa_system
    notified = [n["kind"] for n in notifications_in(wa_history["events"])]
    assert "case_escalated" in notified

    ma_history = (await http.get(f"{CASES}/{ma_id}/history")).json()
    assert ma_history["events"][0]["details"]["linked_case_id"] == wa_id
    assert humans(ma_history) == [
        ("case_opened", "mediator-01"),
        ("record_mediation_failure", "mediator-01"),
        ("decide_acceptance", "mediator-01"),
        ("record_award", "supervisor-01"),
    ]
    assert "reported_to_linked_case" in [e["what"] for e in ma_history["events"]]
