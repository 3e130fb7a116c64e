"""Scenarios of the project payroll watch (PW-1..PW-6) for the replay tests and the history
recorder: one recorded from the project's side, one from the wage-arrears case it opened."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import WorkflowHandle

from domain.common import Role, cst_date
from domain.project_watch import rules
from domain.project_watch.models import ProjectIntake
from domain.wage_arrears.models import CaseStatus
from tests import factories as f
from tests import project_factories as pf
from tests.workflows.conftest import Harness
from workflows.project_watch import ProjectWatchWorkflow as P
from workflows.wage_arrears import WageArrearsWorkflow as W

Handle = WorkflowHandle[Any, Any]


async def _open(h: Harness, case_id: str) -> tuple[Handle, str]:
    project_id = "PW-" + case_id.split("-", 1)[1]
    month = pf.month_of(await h.now())
    handle = await h.client.start_workflow(
        P.run,
        ProjectIntake.model_validate(pf.project_intake(month)),
        id=project_id,
        task_queue=h.task_queue,
    )
    h.started.append(handle)
    await handle.execute_update(P.wait_opened)
    return handle, month


async def _month_with_one_unpaid(handle: Handle, month: str, n: int) -> None:
    """Funded, the sheet confirmed for workers 1 and 2, only worker 1 paid."""
    await handle.execute_update(P.record_funding, pf.funding(month, batch=f"F{n}"))
    await handle.execute_update(P.record_wage_sheet, pf.sheet(month, [1, 2], batch=f"S{n}"))
    await handle.execute_update(P.record_payments, pf.payments(month, [1], batch=f"P{n}"))


async def _past(h: Harness, moment: datetime) -> None:
    await h.sleep_until(moment + rules.SPREAD + timedelta(minutes=1))


async def _until(read: Callable[[], Any], holds: Callable[[Any], bool]) -> Any:
    """What `read` answers once it holds (a signal's work lands a moment later; real time)."""
    for _ in range(200):
        value = await read()
        if holds(value):
            return value
        await asyncio.sleep(0.05)
    return value


async def project_breach_opened_a_case(h: Harness, case_id: str) -> Handle:
    """PW-1..PW-6: a project funded, its sheet confirmed, one worker unpaid past the pay date
    and grace opens a wage-arrears case; the works complete; the bank pays, which settles the
    case; the watch ends."""
    handle, month = await _open(h, case_id)
    await _month_with_one_unpaid(handle, month, 1)
    today = cst_date(await h.now()).isoformat()
    await handle.execute_update(
        P.complete_works, {"actor": pf.watcher(), "reason": "竣工验收", "completed_on": today}
    )
    await _past(h, rules.new_month(month, 15, 3).grace_due)
    view = await _until(lambda: handle.query(P.view), lambda v: bool(v.state.linked_cases))
    await handle.execute_update(P.record_payments, pf.payments(month, [2], batch="P2"))
    await handle.result()
    case = h.client.get_workflow_handle(view.state.linked_cases[0].case_id)
    await _until(lambda: case.query(W.view), lambda v: v.state.status is CaseStatus.settled)
    # The case outlives the project (ABANDON); the time-skipping server stops skipping for
    # what runs next while a child outlives its ended parent: ended here.
    await case.terminate("scenario finished")
    return handle


async def project_late_sheet_opened_a_case(h: Harness, case_id: str) -> Handle:
    """PW-3, PW-4 (project-watch-late-sheet): a month's pay date comes with no wage sheet, only
    a payment; the month waits; the sheet recorded after the grace opens the case at once for
    the worker it shows unpaid; the bank pays them and the watch ends."""
    handle, month = await _open(h, case_id)
    await handle.execute_update(P.record_funding, pf.funding(month, batch="F1"))
    await handle.execute_update(P.record_payments, pf.payments(month, [1], batch="P1"))
    today = cst_date(await h.now()).isoformat()
    await handle.execute_update(
        P.complete_works, {"actor": pf.watcher(), "reason": "竣工验收", "completed_on": today}
    )
    await _past(h, rules.new_month(month, 15, 3).grace_due)
    await _until(lambda: handle.query(P.view), lambda v: v.state.months[-1].grace_checked)
    await handle.execute_update(P.record_wage_sheet, pf.sheet(month, [1, 2], batch="S-late"))
    view = await _until(lambda: handle.query(P.view), lambda v: bool(v.state.linked_cases))
    await handle.execute_update(P.record_payments, pf.payments(month, [2], batch="P2"))
    await handle.result()
    case = h.client.get_workflow_handle(view.state.linked_cases[0].case_id)
    await _until(lambda: case.query(W.view), lambda v: v.state.status is CaseStatus.settled)
    await case.terminate("scenario finished")
    return handle


async def wage_arrears_opened_by_a_project(h: Harness, case_id: str) -> Handle:
    """PW-4, PW-5: the case a project's missed payroll opened hears the project: a second
    unpaid month joins it (project_claims), a payment confirmed in it goes back to the
    project (project-watch-payments), the bank's batch pays the rest (project_payment)."""
    handle, month = await _open(h, case_id)
    await _month_with_one_unpaid(handle, month, 1)
    await _past(h, rules.new_month(month, 15, 3).grace_due)
    project = h.client.get_workflow_handle(handle.id)
    view = await _until(lambda: project.query(P.view), lambda v: bool(v.state.linked_cases))
    case = h.client.get_workflow_handle(view.state.linked_cases[0].case_id)

    second = rules.next_month(month)
    await _month_with_one_unpaid(project, second, 2)
    await _past(h, rules.new_month(second, 15, 3).grace_due)
    await _until(lambda: case.query(W.view), lambda v: v.state.intake.workers[0].months_owed == 2)

    paid_on = cst_date(await h.now()).isoformat()
    await case.execute_update(
        W.record_payment,
        {"actor": f.actor(Role.inspector), "reason": "总包代付", "worker_no": 1,
         "amount": "5000.00", "paid_on": paid_on},
    )  # fmt: skip
    await case.execute_update(
        W.confirm_payment, {"actor": f.actor(Role.inspector), "reason": "工人确认",
                            "payment_id": "P1"}
    )  # fmt: skip
    await project.execute_update(P.record_payments, pf.payments(second, [2], batch="P3"))
    await _until(lambda: case.query(W.view), lambda v: v.state.status is CaseStatus.settled)
    # Ended here: a case whose parent run has continued as new must not complete on the
    # time-skipping server, which then stops skipping time for what runs next.
    await case.terminate("scenario finished")
    # Ended once its writes are in (an activity still out on the worker would hold the
    # time-skipping server's clock for the tests after).
    watched = await project.query(P.view)
    await h.caught_up(project.id, watched.state.revision)
    await project.terminate("scenario finished")
    return case
