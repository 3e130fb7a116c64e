"""A social-insurance transfer over HTTP against a real dev server and worker (SI-1, SI-2):
the new region's agency (140106) opens it, both agencies act, the history shows who did what
where; malformed intakes and the wrong agency are refused; no personal data in the history."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests import factories as f
from tests.e2e.conftest import Stack, notifications_in

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"
NEW = f.OTHER_COUNTY  # 140106: where the worker applies
OLD = f.COUNTY  # 140105: where the worker was insured
NAME = "张社保"
ID_NUMBER = f.resident_id(417, birth="19850612", region="140105")
MOBILE = "13912340417"


def clerk(county: str) -> dict[str, Any]:
    return f.actor("agency_clerk", county, id=f"clerk-{county}")


def pension_intake() -> dict[str, Any]:
    return {
        "kind": "pension",
        "worker": {"name": NAME, "id_number": ID_NUMBER, "mobile": MOBILE},
        "from_agency": {"county_code": OLD, "name": "小店区社保中心"},
        "to_agency": {"county_code": NEW, "name": "迎泽区社保中心"},
        "contributions": [
            {"year": 2019, "months": 4, "monthly_base": "5000.00"},
            {"year": 2020, "months": 12, "monthly_base": "5500.00"},
            {"year": 2021, "months": 7, "monthly_base": "6000.00"},
        ],
        "individual_account": "12345.67",
        "summary": "工人返乡就业，申请转入养老保险关系",
        "opened_by": clerk(NEW),
    }


async def act(stack: Stack, case_id: str, action: str, body: dict[str, Any]) -> Any:
    return await stack.http.post(f"{CASES}/{case_id}/actions/{action}", json=body)


async def transfers_total(stack: Stack) -> int:
    response = await stack.http.get(CASES, params={"kind": "insurance_transfer", "limit": 1})
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


async def test_si1_pension_transfer_both_agencies_act_and_the_history_shows_them(
    stack: Stack,
) -> None:
    """SI-1, SI-2: open at the new agency, letter (140106), transfer (140105), receipt of the
    amounts the case shows, completion (140106); a clerk of the wrong agency gets 403 and
    changes nothing; the history lists each agency's action with its actor in order, the
    notifications the steps wrote, and no personal data."""
    response = await stack.http.post(f"{CASES}/insurance-transfers", json=pension_intake())
    assert response.status_code == 201, response.text
    case = response.json()
    case_id = case["case_id"]
    assert case_id.startswith("SI-")
    assert response.headers["location"] == f"{CASES}/{case_id}"
    assert case["kind"] == "insurance_transfer" and case["transfer_kind"] == "pension"
    assert case["status"] == "applied" and case["county_code"] == NEW
    # The new agency's clerk who opened it sees the worker in full; a supervisor, masked.
    assert case["worker"]["id_number"] == ID_NUMBER
    masked = (await stack.http.get(f"{CASES}/{case_id}")).json()["worker"]
    assert masked["id_number"] != ID_NUMBER and "*" in masked["id_number"]
    assert masked["name"] != NAME
    [letter] = case["deadlines"]
    assert letter["name"] == "acceptance_letter" and letter["rule"] == "SI-1"
    assert letter["state"] == "pending"

    # SI-2: 5000 x 4 x 12 % + 5500 x 12 x 12 % + 6000 x 7 x 12 % = 2400 + 7920 + 5040.
    shown = (await stack.http.get(f"{CASES}/{case_id}")).json()["amounts"]
    assert {k: float(v) for k, v in shown.items()} == {
        "individual_account": 12345.67,
        "pooled_funds": 15360.00,
        "total": 27705.67,
    }

    # The acceptance letter is the new agency's: the old agency's clerk is refused.
    wrong = await act(
        stack, case_id, "issue_acceptance_letter", {"actor": clerk(OLD), "reason": "x"}
    )
    assert wrong.status_code == 403, wrong.text
    assert wrong.json()["error"]["code"] == "forbidden"
    assert (await stack.http.get(f"{CASES}/{case_id}")).json()["revision"] == case["revision"]

    steps = [
        ("issue_acceptance_letter", clerk(NEW), {}, "letter_issued"),
        ("send_transfer", clerk(OLD), {}, "funds_sent"),
        (
            "confirm_receipt",
            clerk(NEW),
            {
                "individual_account": shown["individual_account"],
                "pooled_funds": shown["pooled_funds"],
            },
            "received",
        ),
        ("complete_transfer", clerk(NEW), {}, "completed"),
    ]
    for action, actor, fields, status in steps:
        # The agency that does not owe the step is refused first.
        other = clerk(OLD if actor["county_code"] == NEW else NEW)
        refused = await act(
            stack, case_id, action, {"actor": other, "reason": "wrong agency", **fields}
        )
        assert refused.status_code == 403, refused.text
        done = await act(
            stack, case_id, action, {"actor": actor, "reason": f"{action} done", **fields}
        )
        assert done.status_code == 200, done.text
        assert done.json()["status"] == status

    final = (await stack.http.get(f"{CASES}/{case_id}")).json()
    assert final["status"] == "completed" and final["closed_at"] is not None
    assert final["escalated"] is False
    assert [(d["name"], d["rule"], d["state"]) for d in final["deadlines"]] == [
        ("acceptance_letter", "SI-1", "met"),
        ("transfer", "SI-1", "met"),
        ("completion", "SI-1", "met"),
    ]
    assert [(e["kind"], e["actor_id"], e["county_code"]) for e in final["events"]] == [
        ("acceptance_letter_issued", f"clerk-{NEW}", NEW),
        ("transfer_sent", f"clerk-{OLD}", OLD),
        ("transfer_received", f"clerk-{NEW}", NEW),
        ("transfer_completed", f"clerk-{NEW}", NEW),
    ]

    history = await stack.http.get(f"{CASES}/{case_id}/history")
    assert history.status_code == 200, history.text
    events = history.json()["events"]
    humans = [
        (e["what"], e["actor"]["id"], e["actor"]["role"], e["actor"]["county_code"], e["outcome"])
        for e in events
        if e["kind"] == "human"
    ]
    assert humans == [
        ("case_opened", f"clerk-{NEW}", "agency_clerk", NEW, None),
        (
            "issue_acceptance_letter",
            f"clerk-{NEW}",
            "agency_clerk",
            NEW,
            "done: status letter_issued",
        ),
        ("send_transfer", f"clerk-{OLD}", "agency_clerk", OLD, "done: status funds_sent"),
        ("confirm_receipt", f"clerk-{NEW}", "agency_clerk", NEW, "done: status received"),
        ("complete_transfer", f"clerk-{NEW}", "agency_clerk", NEW, "done: status completed"),
    ]
    receipt = next(e for e in events if e["what"] == "confirm_receipt")
    assert receipt["details"] == {
        "individual_account": shown["individual_account"],
        "pooled_funds": shown["pooled_funds"],
        "received_on": None,  # SI-1: not given, so the day it was recorded
    }
    # The system's side: the worker told of each step, in order; no timer came due (every
    # step was done the day its clock started), so none fired and nothing escalated.
    told = [n["step"] for n in notifications_in(events) if n["kind"] == "worker_notified"]
    assert told == [
        "applied",
        "acceptance_letter_issued",
        "transfer_sent",
        "transfer_received",
        "completed",
    ]
    whats = [e["what"] for e in events]
    assert "timer_fired" not in whats
    # The case's own events end with its end; the last notification's delivery may follow.
    assert [w for w in whats if not w.startswith("delivery_")][-1] == "case_ended"
    times = [e["time"] for e in events]
    assert times == sorted(times)

    for fmt in ("timeline", "json", "csv"):
        exported = await stack.http.get(f"{CASES}/{case_id}/history", params={"format": fmt})
        assert exported.status_code == 200
        for secret in (ID_NUMBER, NAME, MOBILE):
            assert secret not in exported.text, (fmt, secret)


def _same_region(body: dict[str, Any]) -> None:
    body["from_agency"]["county_code"] = NEW


def _no_contributions(body: dict[str, Any]) -> None:
    body["contributions"] = []


def _bad_check_digit(body: dict[str, Any]) -> None:
    number = body["worker"]["id_number"]
    body["worker"]["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (_same_region, "different regions"),
        (_no_contributions, "contribution history"),
        (_bad_check_digit, "id_number"),
    ],
    ids=["same_region_twice", "pension_without_contributions", "bad_id_check_digit"],
)
async def test_malformed_transfer_intake_is_422_and_opens_nothing(
    stack: Stack, mutate: Callable[[dict[str, Any]], None], where: str
) -> None:
    body = copy.deepcopy(pension_intake())
    mutate(body)
    before = await transfers_total(stack)
    response = await stack.http.post(f"{CASES}/insurance-transfers", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_input"
    assert where in response.text
    assert body["worker"]["id_number"] not in response.text and NAME not in response.text
    assert await transfers_total(stack) == before
