"""Over HTTP against a real dev server and worker: open, act, list, audit; bad input refused."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"


async def open_case(stack: Stack, **overrides: Any) -> dict[str, Any]:
    response = await stack.http.post(f"{CASES}/wage-arrears", json=f.intake(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def pay(worker_no: int, amount: str) -> dict[str, Any]:
    return f.payment(worker_no, amount, reason="employer paid in cash at the bureau")


async def act(stack: Stack, case_id: str, action: str, body: dict[str, Any]) -> Any:
    return await stack.http.post(f"{CASES}/{case_id}/actions/{action}", json=body)


async def test_open_pay_confirm_list_and_audit(stack: Stack) -> None:
    case = await open_case(stack, workers=2, amount="2500.00")
    case_id = case["case_id"]
    assert case_id.startswith("WA-")
    assert case["status"] == "open" and case["severity"] == "general"
    # The mediator who opened it sees the workers in full; a supervisor, masked.
    assert case["workers"][0]["id_number"] == f.resident_id(1)
    seen = (await stack.http.get(f"{CASES}/{case_id}")).json()
    assert seen["workers"][0]["id_number"].count("*") == 8
    assert case["deadlines"][0]["rule"] == "WA-1"
    assert {"record_payment", "issue_order_to_pay", "close"} <= {
        a["action"] for a in case["available_actions"]
    }

    for n in (1, 2):
        assert (await act(stack, case_id, "record_payment", pay(n, "2500.00"))).status_code == 200
    for pid in ("P1", "P2"):
        response = await act(
            stack,
            case_id,
            "confirm_payment",
            {"actor": f.actor(Role.mediator), "reason": "worker signed", "payment_id": pid},
        )
        assert response.status_code == 200, response.text
    assert response.json()["status"] == "settled"

    listed = (
        await stack.http.get(CASES, params={"county_code": f.COUNTY, "status": "settled"})
    ).json()
    assert case_id in [c["case_id"] for c in listed["items"]]
    row = next(c for c in listed["items"] if c["case_id"] == case_id)
    assert row["amount_paid"] == "5000.00" and row["sla_state"] is None

    closed = await act(
        stack,
        case_id,
        "close",
        {"actor": f.actor(Role.inspector), "reason": "paid in full", "outcome": "settled"},
    )
    assert closed.status_code == 200, closed.text

    history = (await stack.http.get(f"{CASES}/{case_id}/history")).json()["events"]
    actions = [(e["what"], (e["actor"] or {}).get("id")) for e in history if e["kind"] == "human"]
    assert actions == [
        ("case_opened", "mediator-01"),
        ("record_payment", "mediator-01"),
        ("record_payment", "mediator-01"),
        ("confirm_payment", "mediator-01"),
        ("confirm_payment", "mediator-01"),
        ("close", "inspector-01"),
    ]
    assert all(e["reason"] for e in history if e["kind"] == "human")
    # The case's own events end with its end; the last notification's delivery may follow.
    assert [e for e in history if not e["what"].startswith("delivery_")][-1]["what"] == (
        "case_ended"
    )
    exported = await stack.http.get(f"{CASES}/{case_id}/history", params={"format": "json"})
    assert "attachment" in exported.headers["content-disposition"]
    text = exported.text + (await stack.http.get(f"{CASES}/{case_id}/history?format=csv")).text
    assert f.resident_id(1) not in text and "工人1" not in text

    after_close = await act(stack, case_id, "record_payment", pay(1, "1.00"))
    assert after_close.status_code == 409


async def test_idempotency_key_returns_the_same_case(stack: Stack) -> None:
    key = str(uuid.uuid4())
    body = f.intake()
    first = await stack.http.post(
        f"{CASES}/wage-arrears", json=body, headers={"Idempotency-Key": key}
    )
    again = await stack.http.post(
        f"{CASES}/wage-arrears", json=body, headers={"Idempotency-Key": key}
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["case_id"] == again.json()["case_id"]
    other = await stack.http.post(
        f"{CASES}/wage-arrears", json=f.intake(workers=3), headers={"Idempotency-Key": key}
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (
            lambda b: b["workers"][0].update(
                id_number=b["workers"][0]["id_number"][:-1]
                + ("0" if b["workers"][0]["id_number"][-1] != "0" else "1")
            ),
            "id_number",
        ),
        (lambda b: b["workers"][0].update(amount_owed="-5.00"), "amount_owed"),
        (lambda b: b["employer"].update(credit_code="91350100M000100Y44"), "credit_code"),
        (lambda b: b.update(source="platform_clue"), "clue_number"),
    ],
)
async def test_malformed_intake_is_422_and_opens_nothing(
    stack: Stack, mutate: Any, field: str
) -> None:
    body = f.intake()
    mutate(body)
    before = (await stack.http.get(CASES, params={"limit": 1})).json()["total"]
    response = await stack.http.post(f"{CASES}/wage-arrears", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert field in response.text
    assert f.resident_id(1) not in response.text
    assert (await stack.http.get(CASES, params={"limit": 1})).json()["total"] == before


async def test_bad_actions_get_their_status_and_change_nothing(stack: Stack) -> None:
    case = await open_case(stack, workers=1, amount="900.00")
    case_id = case["case_id"]

    unknown = await act(stack, case_id, "pay_everyone", pay(1, "1.00"))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_action"

    negative = await act(stack, case_id, "record_payment", pay(1, "-1.00"))
    assert negative.status_code == 422

    too_much = await act(stack, case_id, "record_payment", pay(1, "900.01"))
    assert too_much.status_code == 422
    assert too_much.json()["error"]["code"] == "invalid_action_input"

    police = await act(
        stack, case_id, "refer_to_police", {"actor": f.actor(Role.inspector), "reason": "refuses"}
    )
    assert police.status_code == 409
    assert "WA-10" in police.json()["error"]["message"]

    missing = await stack.http.get(f"{CASES}/WA-2026-999999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "case_not_found"

    after = (await stack.http.get(f"{CASES}/{case_id}")).json()
    assert after["revision"] == case["revision"]
    assert after["payments"] == [] and after["ladder"] == []


async def test_worker_restart_keeps_the_case_and_its_timer(stack: Stack) -> None:
    case = await open_case(stack, workers=1, amount="700.00")
    await stack.restart_worker()
    response = await act(stack, case["case_id"], "record_payment", pay(1, "700.00"))
    assert response.status_code == 200, response.text
    after = (await stack.http.get(f"{CASES}/{case['case_id']}")).json()
    assert after["deadlines"][0]["due_at"] == case["deadlines"][0]["due_at"]
    assert after["deadlines"][0]["state"] == "pending"


async def test_log_lines_carry_the_case_id_and_no_personal_data(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    case = await open_case(stack, workers=1, amount="650.00")
    case_id = case["case_id"]
    await act(stack, case_id, "record_payment", pay(1, "650.00"))
    await stack.http.get(f"{CASES}/{case_id}")
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert any(line.get("case_id") == case_id for line in requests)
    activity_lines = [line for line in lines if line.get("event") == "read model synced"]
    assert activity_lines and all(line.get("case_id") for line in activity_lines)
    for secret in (f.resident_id(1), "13900000001", "工人1"):
        assert secret not in out
