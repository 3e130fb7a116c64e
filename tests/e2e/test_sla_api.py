"""The SLA board over HTTP: the deadlines a running case mirrors into the read model, listed
with their live SLA state. The database is shared by every e2e test, so these tests look at
their own cases only and never at totals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"
SLA = "/api/v1/sla"


async def open_case(stack: Stack, **overrides: Any) -> dict[str, Any]:
    response = await stack.http.post(f"{CASES}/wage-arrears", json=f.intake(**overrides))
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    return case


async def board(stack: Stack, **params: Any) -> list[dict[str, Any]]:
    """Every row the filter lists, page by page, in the board's order."""
    items: list[dict[str, Any]] = []
    while True:
        response = await stack.http.get(SLA, params={**params, "limit": 200, "offset": len(items)})
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


def of_case(items: list[dict[str, Any]], case_id: str) -> dict[str, dict[str, Any]]:
    return {i["deadline"]: i for i in items if i["case_id"] == case_id}


def due(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["due_at"])


async def test_an_open_case_lists_its_running_deadlines_by_county(stack: Stack) -> None:
    case = await open_case(stack, workers=1, amount="800.00")
    case_id = case["case_id"]
    # The case view computes each deadline's SLA state in Python; the board must agree.
    detail = (await stack.http.get(f"{CASES}/{case_id}")).json()
    on_track = {d["name"]: d for d in detail["deadlines"] if d["sla_state"] == "on_track"}
    assert "settle" in on_track and on_track["settle"]["rule"] == "WA-1"

    listed = of_case(await board(stack, sla_state="on_track", county_code=f.COUNTY), case_id)
    assert set(listed) == set(on_track)
    settle = listed["settle"]
    assert settle["sla_state"] == "on_track" and settle["kind"] == "wage_arrears"
    assert settle["county_code"] == f.COUNTY and not settle["paused"]
    assert due(settle) == datetime.fromisoformat(on_track["settle"]["due_at"])
    assert due(settle).utcoffset() is not None
    # WA-1 allows three calendar days: the clock has days left, not seconds.
    assert 2 * 86400 < settle["seconds_left"] <= 4 * 86400

    elsewhere = await board(stack, sla_state="on_track", county_code=f.OTHER_COUNTY)
    assert of_case(elsewhere, case_id) == {}
    # Not due soon, overdue or breached: the default board leaves a fresh case out.
    assert "settle" not in of_case(await board(stack, county_code=f.COUNTY), case_id)


async def test_the_board_is_sorted_by_due_time(stack: Stack) -> None:
    opened = [(await open_case(stack, workers=1, amount="600.00"))["case_id"] for _ in range(2)]
    items = await board(stack, sla_state=["on_track", "due_soon", "overdue"])
    assert {i["case_id"] for i in items} >= set(opened)
    # MA-4's green channel first (other tests open priority disputes), then by due time.
    keys = [(not i["priority"], due(i), i["case_id"], i["deadline"]) for i in items]
    assert keys == sorted(keys)


async def test_a_settled_case_shows_its_deadlines_as_met(stack: Stack) -> None:
    case_id = (await open_case(stack, workers=1, amount="900.00"))["case_id"]
    mediator = f.actor(Role.mediator)
    for action, body in (
        ("record_payment", {"worker_no": 1, "amount": "900.00", "paid_on": "2026-11-20"}),
        ("confirm_payment", {"payment_id": "P1"}),
    ):
        response = await stack.http.post(
            f"{CASES}/{case_id}/actions/{action}",
            json={"actor": mediator, "reason": "paid at the bureau", **body},
        )
        assert response.status_code == 200, response.text
    assert response.json()["status"] == "settled"

    met = of_case(await board(stack, sla_state="met", county_code=f.COUNTY), case_id)
    assert "settle" in met
    assert {i["sla_state"] for i in met.values()} == {"met"}
    running = await board(stack, sla_state=["on_track", "due_soon", "overdue"])
    assert of_case(running, case_id) == {}


async def test_bad_filters_are_422_in_the_error_shape(stack: Stack) -> None:
    naive = await stack.http.get(SLA, params={"due_before": "2026-11-30T00:00:00"})
    assert naive.status_code == 422
    assert naive.json()["error"]["code"] == "invalid_input"
    assert "time zone" in naive.json()["error"]["message"]

    for params in ({"sla_state": "late"}, {"limit": 201}, {"county_code": "1401"}):
        response = await stack.http.get(SLA, params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "invalid_input"

    aware = await stack.http.get(SLA, params={"due_before": "2026-11-30T00:00:00+08:00"})
    assert aware.status_code == 200, aware.text
    summary = aware.json()["summary"]
    assert set(summary["by_state"]) == {
        "on_track",
        "due_soon",
        "overdue",
        "met",
        "breached",
        "cancelled",
        "abandoned",
    }
    assert sum(summary["by_county"].values()) == aware.json()["total"]
