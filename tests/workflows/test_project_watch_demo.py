"""The demo's missed payroll (devstack/demo_projects.py) on the time-skipping server: a
project enrolled after the pay date and grace of its first month; the batches the demo sends
for that month (the payments, then the wage sheet) open one wage-arrears case by itself at
once, with the two unpaid workers and their amounts (PW-3, PW-4, PW-5)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from devstack.demo import credit_code
from devstack.demo import resident_id as demo_resident_id
from devstack.demo_projects import WAGES, batches, project_plans
from domain.common import CST
from domain.project_watch.models import (
    ProjectIntake,
    RecordFunding,
    RecordPayments,
    RecordWageSheet,
    RiskLevel,
)
from domain.wage_arrears.models import CaseSource
from tests.factories import COUNTY
from tests.project_factories import watcher
from tests.workflows.conftest import Harness, random_case_id
from tests.workflows.test_project_watch import _end_linked_cases, view
from workflows.project_watch import ProjectWatchWorkflow
from workflows.wage_arrears import WageArrearsWorkflow

__all__ = ["_end_linked_cases"]  # the linked cases end with the test, as in test_project_watch

ACTIONS: dict[str, tuple[str, Any]] = {
    "funding": ("record_funding", RecordFunding),
    "wage-sheets": ("record_wage_sheet", RecordWageSheet),
    "payments": ("record_payments", RecordPayments),
}


async def send(handle: Any, action: str, cmd: Any) -> None:
    # A project opened for a month already past has just continued as new: a batch that
    # meets the new run before it began is refused for now, as the demo's are.
    for _ in range(50):
        try:
            await handle.execute_update(action, cmd)
            return
        except Exception as err:  # noqa: BLE001 - only "still opening" is tried again
            if "still opening" not in str(err) and "still opening" not in str(err.__cause__):
                raise
            await asyncio.sleep(0.1)
    raise AssertionError(f"{action} was refused while the project kept opening")


async def test_pw4_the_demos_missed_payroll_opens_its_case_with_the_unpaid_workers(
    harness: Harness,
) -> None:
    today = (await harness.now()).astimezone(CST).date()
    [plan] = [
        p
        for p in project_plans(today, COUNTY, credit_code, demo_resident_id)
        if p.scenario == "missed_payroll"
    ]
    intake = ProjectIntake.model_validate({**plan.body, "opened_by": watcher()})
    handle = await harness.start(ProjectWatchWorkflow, intake, random_case_id("PW"))
    for path, body in batches(plan, today):
        action, model = ACTIONS[path]
        await send(handle, action, model.model_validate({**body, "actor": watcher()}))
    assert [path for path, _ in batches(plan, today)] == ["payments", "wage-sheets"]
    v = await view(handle, until=lambda v: v.state.linked_cases)
    [link] = v.state.linked_cases
    assert link.months == [plan.month] and link.worker_nos == [2, 3]
    # PW-4: two breaches in a row (neither month funded) make it high risk.
    assert v.state.risk is RiskLevel.high_risk
    case = await harness.client.get_workflow_handle(link.case_id).query(WageArrearsWorkflow.view)
    opened = case.state.intake
    roster = plan.body["roster"]
    assert opened.source is CaseSource.monitoring
    assert [(w.id_number, w.amount_owed) for w in opened.workers] == [
        (roster[1]["id_number"], WAGES[1]),
        (roster[2]["id_number"], WAGES[2]),
    ]
    assert opened.employer.credit_code == plan.body["general_contractor"]["credit_code"]
    assert opened.project is not None
    assert opened.project.guarantee_deposit == Decimal(plan.body["guarantee_deposit"])
