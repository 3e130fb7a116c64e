"""The Temporal UI stays usable for operators: every case kind sets CaseKind, CaseStatus,
CountyCode and NextDueAt, keeps them equal to the case as the read model shows it after each
change, and the dev server's visibility finds the case by them; no personal data in any."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from temporalio.common import SearchAttributeKey

from core import search_attributes as sa
from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"


async def summary_row(stack: Stack, case_id: str, kind: str) -> dict[str, Any]:
    listed = await stack.http.get(CASES, params={"kind": kind, "limit": 200})
    return next(c for c in listed.json()["items"] if c["case_id"] == case_id)


async def attributes(stack: Stack, case_id: str) -> dict[str, Any]:
    described = await stack.client.get_workflow_handle(case_id).describe()
    return {pair.key.name: pair.value for pair in described.typed_search_attributes}


async def assert_current(stack: Stack, case_id: str, kind: str) -> dict[str, Any]:
    row = await summary_row(stack, case_id, kind)
    found = await attributes(stack, case_id)
    assert found[sa.CASE_KIND.name] == kind
    assert found[sa.CASE_STATUS.name] == row["status"]
    assert found[sa.COUNTY_CODE.name] == row["county_code"]
    if row["next_due_at"] is None:
        assert sa.NEXT_DUE_AT.name not in found
    else:
        assert found[sa.NEXT_DUE_AT.name] == datetime.fromisoformat(row["next_due_at"])
    return found


async def findable(stack: Stack, case_id: str, query: str) -> bool:
    # Visibility is eventually consistent, on the dev server within a moment.
    for _ in range(50):
        async for execution in stack.client.list_workflows(f"{query} AND WorkflowId = '{case_id}'"):
            if execution.id == case_id:
                return True
        await asyncio.sleep(0.1)
    return False


def personal(*people: dict[str, Any]) -> set[str]:
    return {p[k] for p in people for k in ("name", "id_number", "mobile")}


def assert_no_personal_data(found: dict[str, Any], people: set[str]) -> None:
    # Temporal's own (patch markers, worker build ids) carry no case data.
    ours = {key.name for key in sa.ALL} | {"TemporalChangeVersion", "BuildIds"}
    assert set(found) <= ours, f"search attributes beyond ours: {set(found) - ours}"
    shown = " ".join(str(v) for v in found.values())
    assert not [p for p in people if p in shown]


async def test_every_case_kind_keeps_its_search_attributes_current(stack: Stack) -> None:
    mediator = {"actor": f.actor(Role.mediator)}
    wa_body = f.intake(workers=1)
    wa = (await stack.http.post(f"{CASES}/wage-arrears", json=wa_body)).json()
    found = await assert_current(stack, wa["case_id"], "wage_arrears")
    assert found[sa.CASE_STATUS.name] == "open"
    assert_no_personal_data(found, personal(*wa_body["workers"]))
    assert await findable(
        stack, wa["case_id"], "CaseKind = 'wage_arrears' AND CountyCode = '140105' "
        "AND CaseStatus = 'open' AND NextDueAt > '2000-01-01T00:00:00Z'"
    )  # fmt: skip
    for action, fields in (
        ("record_payment", {"worker_no": 1, "amount": "3000.00", "paid_on": "2026-11-20"}),
        ("confirm_payment", {"payment_id": "P1"}),
    ):
        body = {**mediator, "reason": "paid at the bureau", **fields}
        done = await stack.http.post(f"{CASES}/{wa['case_id']}/actions/{action}", json=body)
        assert done.status_code == 200, done.text
    found = await assert_current(stack, wa["case_id"], "wage_arrears")
    assert found[sa.CASE_STATUS.name] == "settled"
    assert await findable(stack, wa["case_id"], "CaseStatus = 'settled'")

    worker = {"name": "周某", "id_number": f.resident_id(81), "mobile": "13900000081"}
    transfer = {
        "kind": "medical",
        "worker": worker,
        "from_agency": {"county_code": f.OTHER_COUNTY, "name": "迎泽区医保中心"},
        "to_agency": {"county_code": f.COUNTY, "name": "小店区医保中心"},
        "old_coverage_ended_on": "2026-09-30",
        "new_coverage_starts_on": "2026-11-01",
        "summary": "申请转入医疗保险关系",
        "opened_by": f.actor(Role.agency_clerk, id="clerk-sa-1"),
    }
    si = (await stack.http.post(f"{CASES}/insurance-transfers", json=transfer)).json()
    found = await assert_current(stack, si["case_id"], "insurance_transfer")
    assert found[sa.CASE_STATUS.name] == "transfer_out"
    assert_no_personal_data(found, personal(worker))
    sent = await stack.http.post(
        f"{CASES}/{si['case_id']}/actions/send_transfer",
        json={"actor": f.actor(Role.agency_clerk, f.OTHER_COUNTY, "clerk-sa-2"), "reason": "sent"},
    )
    assert sent.status_code == 200, sent.text
    found = await assert_current(stack, si["case_id"], "insurance_transfer")
    assert found[sa.CASE_STATUS.name] == "funds_sent"
    assert await findable(
        stack, si["case_id"], "CaseKind = 'insurance_transfer' AND CaseStatus = 'funds_sent'"
    )

    claimant = {"name": "吴某", "id_number": f.resident_id(82), "mobile": "13900000082"}
    dispute = {
        "origin": "mediation",
        "county_code": f.COUNTY,
        "employer": {"name": "太原某建筑劳务有限公司", "credit_code": f.EMPLOYER_CODE},
        "workers": [claimant],
        "claims": [{"description": "unpaid wages", "amount": "6000.00"}],
        "claim_known_on": "2026-11-01",
        "summary": "工人申请调解",
        "opened_by": f.actor(Role.mediator),
    }
    ma = (await stack.http.post(f"{CASES}/disputes", json=dispute)).json()
    found = await assert_current(stack, ma["case_id"], "dispute")
    assert_no_personal_data(found, personal(claimant))
    closed = await stack.http.post(
        f"{CASES}/{ma['case_id']}/actions/close",
        json={**mediator, "reason": "withdrawn by the worker", "outcome": "withdrawn"},
    )
    assert closed.status_code == 200, closed.text
    found = await assert_current(stack, ma["case_id"], "dispute")
    assert found[sa.CASE_STATUS.name] == "closed"
    assert sa.NEXT_DUE_AT.name not in found, "a closed case has nothing due"
    assert await findable(stack, ma["case_id"], "CaseKind = 'dispute' AND CaseStatus = 'closed'")


def test_the_search_attributes_are_the_four_operators_filter_by() -> None:
    assert {(k.name, type(k)) for k in sa.ALL} == {
        ("CaseKind", type(SearchAttributeKey.for_keyword("x"))),
        ("CaseStatus", type(SearchAttributeKey.for_keyword("x"))),
        ("CountyCode", type(SearchAttributeKey.for_keyword("x"))),
        ("NextDueAt", type(SearchAttributeKey.for_datetime("x"))),
    }
