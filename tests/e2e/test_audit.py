"""The supervisors' audit trail over HTTP, with days skipped: a wage-arrears case climbs the whole
ladder (WA-1 breached, order to pay missed, deposit drawn and paid, police, joint-punishment
list, closed) and its export names every human action with its actor, every deadline that
fired, and the status before and after; the closed case's audit is the open one's, completed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import random
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from domain.common import CST, Role
from store.tables import CaseCounterRecord, NotificationRecord
from tests import factories as f
from tests.e2e.auth import TestUsers
from tests.e2e.conftest import notifications_in
from workflows.delivery import workflow_id

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"


@pytest.fixture
def http(
    skipping: tuple[httpx.AsyncClient, TestUsers], time_skipping_env: WorkflowEnvironment
) -> httpx.AsyncClient:
    client, users = skipping
    # The case ends (closed), and a completed workflow's id cannot be reused on this
    # shared server: number this test's cases far from the ones other tests' fresh
    # databases give.
    with users.engine.begin() as conn:
        conn.execute(
            CaseCounterRecord.__table__.insert(),  # type: ignore[attr-defined]
            {
                "prefix": "WA",
                "year": datetime.now(CST).year,
                "last": random.randint(5, 9) * 10**5,
            },
        )

    async def deliveries_done(case_id: str) -> None:
        """Each notification's delivery has ended: the trail shows all its attempts."""
        with users.engine.connect() as conn:
            keys = conn.execute(
                select(NotificationRecord.key).where(NotificationRecord.case_id == case_id)  # type: ignore[call-overload]
            ).scalars()
            wanted = [workflow_id(k) for k in keys]
        for wf_id in wanted:
            with contextlib.suppress(Exception):
                await time_skipping_env.client.get_workflow_handle(wf_id).result()

    client.deliveries_done = deliveries_done  # type: ignore[attr-defined]
    return client


def cmd(role: Role, reason: str, **fields: Any) -> dict[str, Any]:
    return {"actor": f.actor(role), "reason": reason, **fields}


async def act(http: httpx.AsyncClient, case_id: str, action: str, body: dict[str, Any]) -> None:
    response = await http.post(f"{CASES}/{case_id}/actions/{action}", json=body)
    assert response.status_code == 200, response.text


async def audit(http: httpx.AsyncClient, case_id: str) -> tuple[list[dict[str, Any]], str]:
    await http.deliveries_done(case_id)  # type: ignore[attr-defined]
    exported = await http.get(f"{CASES}/{case_id}/history", params={"format": "json"})
    assert exported.status_code == 200, exported.text
    assert "attachment" in exported.headers["content-disposition"]
    as_csv = await http.get(f"{CASES}/{case_id}/history", params={"format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    # Excel and WPS read it as UTF-8 only with the byte-order mark.
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    assert "charset=utf-8" in as_csv.headers["content-type"]
    events: list[dict[str, Any]] = exported.json()["events"]
    return events, as_csv.text


# (action, actor role, reason) in the order the test takes them; the intake is the first.
ACTIONS = [
    ("case_opened", Role.mediator, "工人投诉拖欠三个月工资"),
    ("issue_order_to_pay", Role.inspector, "order issued"),
    ("draw_guarantee_deposit", Role.inspector, "draw on the deposit"),
    ("record_payment", Role.inspector, "bank paid"),
    ("confirm_payment", Role.mediator, "worker signed"),
    ("refer_to_police", Role.inspector, "refuses to pay the rest"),
    ("list_on_punishment_list", Role.supervisor, "order missed, above threshold"),
    ("close", Role.supervisor, "with the police"),
]


async def test_audit_export_of_a_case_through_every_stage_names_every_actor_and_firing(
    http: httpx.AsyncClient, time_skipping_env: WorkflowEnvironment
) -> None:
    opened = await http.post(f"{CASES}/wage-arrears", json=f.clue_above_threshold())
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    http.started.append(case_id)  # type: ignore[attr-defined]

    await time_skipping_env.sleep(timedelta(days=4))  # WA-1 passes unpaid
    await act(http, case_id, "issue_order_to_pay", cmd(Role.inspector, "order issued"))
    await time_skipping_env.sleep(timedelta(days=8))  # WA-6: the order is missed
    await act(
        http,
        case_id,
        "draw_guarantee_deposit",
        cmd(Role.inspector, "draw on the deposit", amount="3000.00"),
    )
    paid_on = (await time_skipping_env.get_current_time()).date().isoformat()
    await act(
        http,
        case_id,
        "record_payment",
        cmd(
            Role.inspector,
            "bank paid",
            worker_no=1,
            amount="3000.00",
            paid_by="guarantee_deposit",
            paid_on=paid_on,
        ),
    )
    await act(
        http, case_id, "confirm_payment", cmd(Role.mediator, "worker signed", payment_id="P1")
    )
    await act(http, case_id, "refer_to_police", cmd(Role.inspector, "refuses to pay the rest"))
    await act(
        http,
        case_id,
        "list_on_punishment_list",
        cmd(Role.supervisor, "order missed, above threshold"),
    )
    case = (await http.get(f"{CASES}/{case_id}")).json()
    breached = {(d["name"], d["rule"]) for d in case["deadlines"] if d["state"] == "breached"}
    assert breached == {("settle", "WA-1"), ("order_to_pay", "WA-6")}
    open_events, _ = await audit(http, case_id)

    await act(
        http,
        case_id,
        "close",
        cmd(Role.supervisor, "with the police", outcome="transferred", clue_reply="transferred"),
    )
    await time_skipping_env.client.get_workflow_handle(case_id).result()
    events, exported_csv = await audit(http, case_id)

    # Every human action, in order, with its actor's id, role and county and the reason.
    humans = [e for e in events if e["kind"] == "human"]
    assert [(e["what"], e["actor"]["role"], e["reason"]) for e in humans] == [
        (what, role.value, reason) for what, role, reason in ACTIONS
    ]
    for e in humans:
        assert e["actor"] == {
            "id": f"{Role(e['actor']['role']).value}-01",
            "role": e["actor"]["role"],
            "county_code": f.COUNTY,
        }

    # Every deadline that fired is named on the timer that fired it.
    fired = [x for e in events if e["what"] == "timer_fired" for x in e["details"]["fired"]]
    assert {(x["deadline"], x["rule"]) for x in fired if x["outcome"] == "breached"} == breached
    warned = [n["deadline"] for n in notifications_in(events) if n["kind"] == "deadline_due_soon"]
    assert sorted(x["deadline"] for x in fired if x["outcome"] == "warned") == sorted(warned)
    assert all(e["details"].get("fired") for e in events if e["what"] == "timer_fired")

    # Status before and after: the breach escalated the case; the chain has no gaps.
    escalation = next(
        e for e in events if e["what"] == "timer_fired" and e["status_after"] == "escalated"
    )
    assert escalation["status_before"] == "open"
    assert ("settle", "WA-1", "breached") in {
        (x["deadline"], x["rule"], x["outcome"]) for x in escalation["details"]["fired"]
    }
    steps = [e for e in events if e["what"] != "notified"]
    for before, after in zip(steps, steps[1:], strict=False):
        assert after["status_before"] == before["status_after"], (before, after)
    assert humans[-1]["status_after"] == "closed"
    assert events[-1]["what"] == "case_ended"
    system = {e["what"] for e in events if e["kind"] == "system"}
    assert {"timer_fired", "notified", "case_ended"} <= system
    # Each delivery of the notifications follows the entry that wrote it, never an address.
    sent = [e for e in events if e["what"] == "delivery_sent"]
    assert {(e["details"]["kind"], e["details"]["channel"]) for e in sent} >= {
        ("case_closed", "sms")
    }
    assert all(e["details"]["recipient"].startswith("worker:") for e in sent)
    notified = {n["kind"] for n in notifications_in(events)}
    assert {"deadline_breached", "case_escalated", "punishment_list_entry"} <= notified

    # The CSV has the same rows, with the actor's columns and the deadlines fired.
    rows = list(csv.DictReader(io.StringIO(exported_csv)))
    assert len(rows) == len(events)
    assert [
        (r["what"], r["actor_id"], r["actor_role"], r["actor_county"])
        for r in rows
        if r["kind"] == "human"
    ] == [(what, f"{role.value}-01", role.value, f.COUNTY) for what, role, _ in ACTIONS]
    fired_cells = " | ".join(r["deadlines_fired"] for r in rows if r["what"] == "timer_fired")
    assert "settle (WA-1) breached" in fired_cells
    assert "order_to_pay (WA-6) breached" in fired_cells
    assert all(r["actor_id"] == "system" for r in rows if r["kind"] == "system")
    assert rows[-1]["what"] == "case_ended"
    assert f.resident_id(1) not in exported_csv and "工人1" not in exported_csv

    # The closed case's audit is the open case's, with the close and the end after it.
    def key(e: dict[str, Any]) -> tuple[Any, ...]:
        return (e["event_id"], e["what"], e["actor"], e["reason"], e["status_before"])

    assert [key(e) for e in events[: len(open_events)]] == [key(e) for e in open_events]
