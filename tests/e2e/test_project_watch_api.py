"""The project payroll watch over HTTP against a real dev server and worker (PW-1..PW-6):
open a project, send its batches as a bank's or a contractor's system would (idempotent per
batch id; identity numbers and cards checked; a worker not on the roster refused), change
its roster, read it, list the projects at risk of the caller's counties. The timers' paths
(a missed funding cycle, a missed pay date and grace opening a wage-arrears case) need time
to move and are proved on the time-skipping server (tests/workflows/test_project_watch.py);
here a project opened for a month already past shows its missed funding cycle at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session

from domain.common import CST, Role
from domain.project_watch import rules
from ops.rebuild import rebuild_read_model
from store.db import create_schema, make_engine
from store.projects import ProjectRecord, project_months, project_workers
from tests import factories as f
from tests import project_factories as pf
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

PROJECTS = "/api/v1/projects"


def this_month() -> str:
    return pf.month_of(datetime.now(UTC))


def today() -> str:
    return datetime.now(CST).date().isoformat()


def intake(month: str | None = None, workers: int = 2) -> dict[str, Any]:
    body = pf.project_intake(month or this_month(), workers)
    del body["opened_by"]
    return body


def batch(body: dict[str, Any]) -> dict[str, Any]:
    """A batch as a system sends it: the caller is the actor."""
    return {k: v for k, v in body.items() if k != "actor"}


async def open_project(stack: Stack, headers: dict[str, str], **kw: Any) -> dict[str, Any]:
    response = await stack.http.post(PROJECTS, json=intake(**kw), headers=headers)
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


async def test_pw1_a_project_opens_with_its_roster_masked_for_the_supervisor(
    stack: Stack,
) -> None:
    inspector = await stack.login(Role.inspector)
    project = await open_project(stack, inspector)
    case_id = project["case_id"]
    assert case_id.startswith("PW-")
    assert project["kind"] == "project_watch" and project["status"] == "watching"
    assert project["county_code"] == f.COUNTY
    # PW-1, PW-5: the parties, the account (its number masked), the deposit.
    assert project["general_contractor"]["credit_code"] == f.CONTRACTOR_CODE
    assert project["guarantee_deposit"] == "80000.00"
    assert project["wage_account"]["account_no"].endswith("7890")
    assert "*" in project["wage_account"]["account_no"]
    assert project["grace_days"] == 3 and project["pay_day"] == 15
    # The inspector works with the workers: in full; the supervisor sees them masked.
    assert [w["id_number"] for w in project["roster"]] == [f.resident_id(1), f.resident_id(2)]
    supervisor = await stack.login(Role.supervisor)
    shown = (await stack.http.get(f"{PROJECTS}/{case_id}", headers=supervisor)).json()
    assert all("*" in w["id_number"] and "*" in w["bank_card"] for w in shown["roster"])
    assert [m["month"] for m in shown["months"]] == [this_month()]
    # The same project is a case among the others.
    case = await stack.http.get(f"/api/v1/cases/{case_id}", headers=supervisor)
    assert case.status_code == 200 and case.json()["kind"] == "project_watch"


async def test_pw2_pw3_a_bank_batch_sent_twice_records_once(stack: Stack) -> None:
    inspector = await stack.login(Role.inspector)
    case_id = (await open_project(stack, inspector))["case_id"]
    month = this_month()
    funding = batch(pf.funding(month, on=today()))

    first = await stack.http.post(f"{PROJECTS}/{case_id}/funding", json=funding, headers=inspector)
    again = await stack.http.post(f"{PROJECTS}/{case_id}/funding", json=funding, headers=inspector)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    assert first.json()["batch_id"] == "F1"

    sheet = batch(pf.sheet(month, [1, 2]))
    response = await stack.http.post(
        f"{PROJECTS}/{case_id}/wage-sheets", json=sheet, headers=inspector
    )
    assert response.status_code == 200, response.text
    pay = batch(pf.payments(month, [1], on=today()))
    for _ in range(2):
        response = await stack.http.post(
            f"{PROJECTS}/{case_id}/payments", json=pay, headers=inspector
        )
        assert response.status_code == 200, response.text
    # The same batch id with other lines is another request under a used key: refused.
    other = batch(pf.payments(month, [2], on=today()))
    refused = await stack.http.post(f"{PROJECTS}/{case_id}/payments", json=other, headers=inspector)
    assert refused.status_code == 422, refused.text

    detail = (await stack.http.get(f"{PROJECTS}/{case_id}", headers=inspector)).json()
    [row] = detail["months"]
    assert row["funded"] == "20000.00"  # once, not twice
    assert row["sheet_confirmed"] is True
    cells = {c["worker_no"]: c for c in row["workers"]}
    assert cells[1]["paid"] == "5000.00" and cells[2]["paid"] == "0"


async def test_pw1_ids_cards_and_the_roster_are_checked(stack: Stack) -> None:
    inspector = await stack.login(Role.inspector)
    case_id = (await open_project(stack, inspector))["case_id"]
    month = this_month()
    # A worker not on the roster: 422 from the workflow's validator, nothing recorded.
    stranger = batch(pf.sheet(month, [9]))
    response = await stack.http.post(
        f"{PROJECTS}/{case_id}/wage-sheets", json=stranger, headers=inspector
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_action_input"
    # A malformed ID number, a card whose check digit is wrong: 422 before the workflow.
    bad_id = batch(pf.sheet(month, [1]))
    bad_id["lines"][0]["id_number"] = "140105199001011234"
    assert (
        await stack.http.post(f"{PROJECTS}/{case_id}/wage-sheets", json=bad_id, headers=inspector)
    ).status_code == 422
    bad_card = batch(pf.payments(month, [1]))
    bad_card["lines"][0]["bank_card"] = "6222020000000000019"
    assert (
        await stack.http.post(f"{PROJECTS}/{case_id}/payments", json=bad_card, headers=inspector)
    ).status_code == 422
    # PW-3: paid into a card that is not the worker's own on the roster.
    foreign_card = batch(pf.payments(month, [1]))
    foreign_card["lines"][0]["bank_card"] = pf.bank_card(2)
    response = await stack.http.post(
        f"{PROJECTS}/{case_id}/payments", json=foreign_card, headers=inspector
    )
    assert response.status_code == 422, response.text
    detail = (await stack.http.get(f"{PROJECTS}/{case_id}", headers=inspector)).json()
    assert detail["months"][0]["workers"] == []


async def test_pw1_roster_changes_and_pw6_a_completed_project_takes_no_one_new(
    stack: Stack,
) -> None:
    inspector = await stack.login(Role.inspector)
    case_id = (await open_project(stack, inspector))["case_id"]
    url = f"{PROJECTS}/{case_id}/roster"
    joined = await stack.http.post(
        url, json={"change": "join", "worker": pf.roster_worker(3)}, headers=inspector
    )
    assert joined.status_code == 200, joined.text
    card = await stack.http.post(
        url,
        json={"change": "bank_card", "id_number": f.resident_id(3), "bank_card": pf.bank_card(33)},
        headers=inspector,
    )
    assert card.status_code == 200, card.text
    left = await stack.http.post(
        url, json={"change": "leave", "id_number": f.resident_id(1), "end_on": today()},
        headers=inspector,
    )  # fmt: skip
    assert left.status_code == 200, left.text
    missing = await stack.http.post(url, json={"change": "leave"}, headers=inspector)
    assert missing.status_code == 422
    detail = (await stack.http.get(f"{PROJECTS}/{case_id}", headers=inspector)).json()
    roster = {w["worker_no"]: w for w in detail["roster"]}
    assert roster[3]["bank_card"] == pf.bank_card(33)
    assert roster[1]["end_on"] == today()

    done = await stack.http.post(
        f"{PROJECTS}/{case_id}/completion", json={"completed_on": today()}, headers=inspector
    )
    assert done.status_code == 200 and done.json()["status"] == "completing", done.text
    # A state that refuses the action: 409.
    late = await stack.http.post(
        url, json={"change": "join", "worker": pf.roster_worker(4)}, headers=inspector
    )
    assert late.status_code == 409, late.text


async def test_a_foreign_countys_project_is_404_and_a_role_not_allowed_403(stack: Stack) -> None:
    inspector = await stack.login(Role.inspector)
    case_id = (await open_project(stack, inspector))["case_id"]
    funding = batch(pf.funding(this_month(), on=today()))
    foreign = await stack.login(Role.inspector, (f.OTHER_COUNTY,))
    assert (await stack.http.get(f"{PROJECTS}/{case_id}", headers=foreign)).status_code == 404
    response = await stack.http.post(f"{PROJECTS}/{case_id}/funding", json=funding, headers=foreign)
    assert response.status_code == 404
    mediator = await stack.login(Role.mediator)
    response = await stack.http.post(
        f"{PROJECTS}/{case_id}/funding", json=funding, headers=mediator
    )
    assert response.status_code == 403, response.text
    assert (await stack.http.post(PROJECTS, json=intake(), headers=mediator)).status_code == 403
    clerk = await stack.login(Role.agency_clerk)
    assert (await stack.http.get(PROJECTS, headers=clerk)).status_code == 403
    # A wage-arrears case is not a project.
    body = {k: v for k, v in f.intake().items() if k != "opened_by"}
    case = await stack.http.post("/api/v1/cases/wage-arrears", json=body, headers=inspector)
    assert case.status_code == 201, case.text
    wa = case.json()["case_id"]
    assert (await stack.http.get(f"{PROJECTS}/{wa}", headers=inspector)).status_code == 404


async def test_pw4_nobody_opens_a_case_from_monitoring_by_hand(stack: Stack) -> None:
    inspector = await stack.login(Role.inspector)
    body = {k: v for k, v in f.intake(source="monitoring").items() if k != "opened_by"}
    response = await stack.http.post("/api/v1/cases/wage-arrears", json=body, headers=inspector)
    assert response.status_code == 422, response.text


async def test_pw2_a_funding_cycle_already_past_puts_the_project_at_risk(stack: Stack) -> None:
    """PW-2: opened for last month, whose funding cycle ended unfunded, the project warns at
    once and is listed at risk for its county, with the month; another county lists nothing
    of it; a project of this month is not at risk; both count as watched."""
    inspector = await stack.login(Role.inspector)
    now = datetime.now(CST)
    last_month = pf.month_of(now.replace(day=1) - timedelta(days=1))
    late = (await open_project(stack, inspector, month=last_month))["case_id"]
    fine = (await open_project(stack, inspector))["case_id"]

    async def at_risk(headers: dict[str, str]) -> dict[str, Any]:
        response = await stack.http.get(
            PROJECTS, params={"at_risk": "true", "limit": 200}, headers=headers
        )
        assert response.status_code == 200, response.text
        return {item["case_id"]: item for item in response.json()["items"]}

    listed: dict[str, Any] = {}
    for _ in range(100):
        listed = await at_risk(inspector)
        if late in listed:
            break
        await asyncio.sleep(0.1)
    item = listed[late]
    assert item["risk"] in ("funding_late", "payroll_breached", "high_risk")
    page = (await stack.http.get(PROJECTS, params={"at_risk": "true"}, headers=inspector)).json()
    counts = page["at_risk_by_county"]
    assert counts[f.COUNTY][item["risk"]] >= 1 and set(counts) <= {f.COUNTY}
    # Both projects are still watched, the one at risk and the one not (the dashboard's count).
    assert page["active_by_county"][f.COUNTY] >= 2 and set(page["active_by_county"]) == {f.COUNTY}
    assert item["risk_month"] == last_month
    assert fine not in listed
    foreign = await stack.login(Role.inspector, (f.OTHER_COUNTY,))
    assert late not in await at_risk(foreign)
    detail = (await stack.http.get(f"{PROJECTS}/{late}", headers=inspector)).json()
    first = next(m for m in detail["months"] if m["month"] == last_month)
    assert first["funding_late"] is True
    assert rules.next_month(last_month) in [m["month"] for m in detail["months"]]


async def test_pw6_a_rebuilt_read_model_keeps_the_project_and_its_months(
    stack: Stack, database_url: str
) -> None:
    """The project's rows are a projection of its workflow: rebuilt from Temporal alone, the
    project, its month and its roster are back (without any worker's name)."""
    inspector = await stack.login(Role.inspector)
    case_id = (await open_project(stack, inspector))["case_id"]
    funding = batch(pf.funding(this_month(), on=today()))
    sent = await stack.http.post(f"{PROJECTS}/{case_id}/funding", json=funding, headers=inspector)
    assert sent.status_code == 200, sent.text
    fresh = make_engine(database_url)
    try:
        create_schema(fresh)
        await rebuild_read_model(stack.client, fresh, stack.settings.task_queue)
        with Session(fresh) as session:
            row = session.get(ProjectRecord, case_id)
            months = project_months(session, case_id)
            workers = project_workers(session, case_id)
    finally:
        fresh.dispose()
    assert row is not None and row.county_code == f.COUNTY
    assert [(m.month, m.funded) for m in months] == [(this_month(), Decimal("20000.00"))]
    assert [w.worker_no for w in workers] == [1, 2]
