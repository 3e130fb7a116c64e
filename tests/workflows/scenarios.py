"""Whole-case scenarios, run by the replay tests and by the history recorder."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import WorkflowHandle

from domain.common import Role, cst_date
from domain.dispute.models import DisputeIntake
from domain.insurance.models import TransferIntake
from tests import factories as f
from tests.workflows import project_scenarios
from tests.workflows.conftest import Harness
from workflows.delivery import workflow_id as delivery_workflow_id
from workflows.dispute import DisputeWorkflow as D
from workflows.insurance_transfer import InsuranceTransferWorkflow as T
from workflows.wage_arrears import WageArrearsWorkflow as W

Scenario = Callable[[Harness, str], Awaitable[WorkflowHandle[Any, Any]]]


def _cmd(role: Role, reason: str, **fields: Any) -> dict[str, Any]:
    return {"actor": f.actor(role), "reason": reason, **fields}


async def settled_in_time(h: Harness, case_id: str) -> WorkflowHandle[Any, Any]:
    handle = await h.open_case(f.intake(workers=2, amount="1200.00"), case_id)
    for n in (1, 2):
        await handle.execute_update(
            W.record_payment,
            _cmd(Role.mediator, "paid", worker_no=n, amount="1200.00", paid_on="2026-01-05"),
        )
    await handle.execute_update(W.confirm_payment, _cmd(Role.mediator, "ok", payment_id="P1"))
    await handle.execute_update(W.confirm_payment, _cmd(Role.mediator, "ok", payment_id="P2"))
    await handle.execute_update(W.close, _cmd(Role.inspector, "paid in full", outcome="settled"))
    await handle.result()
    return handle


async def escalated_to_the_end_of_the_ladder(h: Harness, case_id: str) -> WorkflowHandle[Any, Any]:
    intake = f.intake(
        workers=1,
        amount="8000.00",
        project=f.construction_project(),
        source="platform_clue",
        clue_number="QX-2026-0001",
    )
    intake["workers"][0]["months_owed"] = 4  # WA-10: 3+ months and at least 5 000
    handle = await h.open_case(intake, case_id)
    await h.env.sleep(timedelta(days=4))  # WA-1 passes: escalated
    await handle.execute_update(W.issue_order_to_pay, _cmd(Role.inspector, "order issued"))
    await h.env.sleep(timedelta(days=8))  # WA-6 passes: order missed
    await handle.execute_update(
        W.draw_guarantee_deposit, _cmd(Role.inspector, "draw", amount="3000.00")
    )
    await handle.execute_update(
        W.record_payment,
        _cmd(
            Role.inspector,
            "bank paid",
            worker_no=1,
            amount="3000.00",
            paid_by="guarantee_deposit",
            paid_on="2026-01-20",
        ),
    )
    await handle.execute_update(W.confirm_payment, _cmd(Role.mediator, "ok", payment_id="P1"))
    await handle.execute_update(W.refer_to_police, _cmd(Role.inspector, "refuses to pay"))
    await handle.execute_update(W.list_on_punishment_list, _cmd(Role.supervisor, "listed"))
    await handle.execute_update(
        W.close,
        _cmd(Role.supervisor, "with the police", outcome="transferred", clue_reply="transferred"),
    )
    await handle.result()
    return handle


async def _triaged_major(
    h: Harness, case_id: str, workers: int, amount: str, days: int
) -> tuple[WorkflowHandle[Any, Any], datetime]:
    """A case of `workers` workers triaged major, and its WA-2 resolution deadline `days` away."""
    handle = await h.open_case(f.intake(workers=workers, amount=amount), case_id)
    due = await h.now() + timedelta(days=days)
    await handle.execute_update(
        W.triage,
        _cmd(
            Role.supervisor,
            f"{workers} workers",
            severity="major",
            resolution_deadline=due.isoformat(),
        ),
    )
    return handle, due


async def major_triaged(h: Harness, case_id: str) -> WorkflowHandle[Any, Any]:
    handle, _ = await _triaged_major(h, case_id, workers=12, amount="900.00", days=10)
    await h.env.sleep(timedelta(days=11))  # WA-2 passes
    await handle.execute_update(W.close, _cmd(Role.inspector, "withdrawn", outcome="withdrawn"))
    await handle.result()
    return handle


async def deadlines_changed(h: Harness, case_id: str) -> WorkflowHandle[Any, Any]:
    """WA-12 complaint accepted, its investigation paused, resumed and extended; WA-2 moved."""
    handle, due = await _triaged_major(h, case_id, workers=10, amount="700.00", days=15)
    await handle.execute_update(W.decide_complaint, _cmd(Role.inspector, "ok", decision="accept"))
    await handle.execute_update(
        W.pause_deadline, _cmd(Role.inspector, "awaiting tax bureau", deadline="investigation")
    )
    await h.env.sleep(timedelta(days=3))
    await handle.execute_update(
        W.resume_deadline, _cmd(Role.inspector, "records arrived", deadline="investigation")
    )
    await handle.execute_update(
        W.extend_deadline,
        _cmd(
            Role.inspector,
            "complex accounts",
            deadline="investigation",
            days=30,
            approver=f.actor(Role.supervisor, id="head-01"),
        ),
    )
    await handle.execute_update(
        W.extend_deadline,
        _cmd(
            Role.supervisor,
            "project audit",
            deadline="settle",
            to=(due + timedelta(days=10)).isoformat(),
        ),
    )
    await h.env.sleep(timedelta(days=30))  # the moved WA-2 deadline passes
    await handle.execute_update(W.close, _cmd(Role.supervisor, "withdrawn", outcome="withdrawn"))
    await handle.result()
    return handle


def _dispute_intake(**overrides: Any) -> DisputeIntake:
    data: dict[str, Any] = {
        "origin": "arbitration",
        "county_code": f.COUNTY,
        "employer": {"name": "太原某建筑劳务有限公司", "credit_code": f.EMPLOYER_CODE},
        "workers": [
            {"name": "工人1", "id_number": f.resident_id(1), "mobile": "13900000001"},
        ],
        "claims": [{"description": "unpaid wages", "amount": "9000.00"}],
        "claim_known_on": "2026-10-01",
        "employment_ended_on": "2026-10-31",
        "summary": "worker applies for arbitration",
        "opened_by": f.actor(Role.mediator),
    }
    data.update(overrides)
    return DisputeIntake.model_validate(data)


async def dispute_awarded_and_enforced(h: Harness, case_id: str) -> WorkflowHandle[Any, Any]:
    """MA-4..MA-10: accepted, served, heard, a non-final award takes effect, enforcement."""
    handle = await h.client.start_workflow(
        D.run, _dispute_intake(), id=case_id.replace("WA-", "MA-"), task_queue=h.task_queue
    )
    h.started.append(handle)
    await handle.execute_update(D.wait_opened)
    await handle.execute_update(D.decide_acceptance, _cmd(Role.mediator, "ok", decision="accept"))
    today = cst_date(await h.now()).isoformat()
    await handle.execute_update(D.record_service, _cmd(Role.mediator, "served", served_on=today))
    await handle.execute_update(D.record_defence, _cmd(Role.mediator, "in", received_on=today))
    hearing = (await h.now() + timedelta(days=10)).isoformat()
    await handle.execute_update(
        D.schedule_hearing,
        _cmd(Role.mediator, "hearing", hearing_at=hearing, notice_served_on=today),
    )
    await h.env.sleep(timedelta(days=11))
    made = cst_date(await h.now()).isoformat()
    await handle.execute_update(
        D.record_award,
        _cmd(
            Role.mediator,
            "award",
            made_on=made,
            items=[{"description": "wages", "amount": "30000.00"}],
        ),
    )
    await handle.execute_update(
        D.record_award_received, _cmd(Role.mediator, "received", received_on=made)
    )
    await h.env.sleep(timedelta(days=20))  # MA-9: nobody sues; the award takes effect
    await handle.execute_update(
        D.apply_enforcement,
        _cmd(Role.mediator, "employer still not paying", advance_execution=True),
    )
    await handle.execute_update(D.close, _cmd(Role.supervisor, "enforced", outcome="enforced"))
    await handle.result()
    return handle


async def referred_to_mediation(h: Harness, case_id: str) -> WorkflowHandle[Any, Any]:
    """A wage-arrears case opens a dispute; the agreement is performed; the case settles."""
    handle = await h.open_case(f.intake(workers=1, amount="4000.00"), case_id)
    await handle.execute_update(W.refer_to_mediation, _cmd(Role.mediator, "worker agrees"))
    dispute_id = (await handle.query(W.view)).state.linked_cases[0].case_id
    dispute = h.client.get_workflow_handle(dispute_id)
    h.started.append(dispute)
    await dispute.execute_update(D.wait_opened)  # the referral starts it; it opens on its own
    performance = (await h.now() + timedelta(days=3)).date().isoformat()
    await dispute.execute_update(
        D.record_agreement,
        _cmd(Role.mediator, "agreed", amount="4000.00", performance_date=performance),
    )
    await dispute.execute_update(D.record_performance, _cmd(Role.mediator, "paid"))
    for _ in range(20):
        if (await handle.query(W.view)).state.linked_cases[0].outcome == "performed":
            break
        await h.env.sleep(timedelta(seconds=1))
    # WA-5: the agreed amount is paid and confirmed in the wage-arrears case too.
    paid_on = cst_date(await h.now()).isoformat()
    await handle.execute_update(
        W.record_payment,
        _cmd(Role.mediator, "paid", worker_no=1, amount="4000.00", paid_on=paid_on),
    )
    await handle.execute_update(W.confirm_payment, _cmd(Role.mediator, "ok", payment_id="P1"))
    await handle.execute_update(W.close, _cmd(Role.inspector, "paid", outcome="settled"))
    await handle.result()
    return handle


def _clerk(county: str) -> dict[str, Any]:
    return f.actor(Role.agency_clerk, county=county, id=f"clerk-{county}")


async def pension_transferred(h: Harness, case_id: str) -> WorkflowHandle[Any, Any]:
    """SI-1, SI-2, SI-5: letter, a rejection and resubmission, transfer, receipt, completion."""
    intake = TransferIntake.model_validate(
        {
            "kind": "pension",
            "worker": {"name": "工人1", "id_number": f.resident_id(1), "mobile": "13900000001"},
            "from_agency": {"county_code": f.COUNTY, "name": "小店区社保中心"},
            "to_agency": {"county_code": f.OTHER_COUNTY, "name": "迎泽区社保中心"},
            "contributions": [
                {"year": 2024, "months": 5, "monthly_base": "4000.00"},
                {"year": 2025, "months": 12, "monthly_base": "4200.00"},
            ],
            "individual_account": "8600.00",
            "summary": "worker moved to 迎泽区",
            "opened_by": _clerk(f.OTHER_COUNTY),
        }
    )
    handle = await h.client.start_workflow(
        T.run, intake, id=case_id.replace("WA-", "SI-"), task_queue=h.task_queue
    )
    h.started.append(handle)
    await handle.execute_update(T.wait_opened)
    new, old = _clerk(f.OTHER_COUNTY), _clerk(f.COUNTY)
    await handle.execute_update(T.issue_acceptance_letter, {"actor": new, "reason": "accepted"})
    await handle.execute_update(
        T.reject_for_missing_documents,
        {"actor": old, "reason": "certificate missing", "missing": ["contribution certificate"]},
    )
    await h.env.sleep(timedelta(days=2))
    await handle.execute_update(T.documents_received, {"actor": old, "reason": "arrived"})
    await handle.execute_update(T.send_transfer, {"actor": old, "reason": "sent"})
    amounts = (await handle.query(T.view)).state.amounts
    assert amounts is not None
    await handle.execute_update(
        T.confirm_receipt,
        {
            "actor": new,
            "reason": "funds in",
            "individual_account": str(amounts.individual_account),
            "pooled_funds": str(amounts.pooled_funds),
        },
    )
    await h.env.sleep(timedelta(days=30))  # SI-6: completion overdue, escalated
    await handle.execute_update(T.complete_transfer, {"actor": new, "reason": "done"})
    await handle.result()
    return handle


async def settled_and_delivered(h: Harness, case_id: str) -> WorkflowHandle[Any, Any]:
    """The delivery of a settled case's notification: SMS to both workers (the mail drop)."""
    await settled_in_time(h, case_id)
    handle = h.client.get_workflow_handle(delivery_workflow_id(f"{case_id}:case_settled:settled"))
    await handle.result()
    return handle


SCENARIOS: dict[str, Scenario] = {
    "wage_arrears_settled_in_time": settled_in_time,
    "wage_arrears_escalated_to_the_end": escalated_to_the_end_of_the_ladder,
    "wage_arrears_major_triaged": major_triaged,
    "wage_arrears_deadlines_changed": deadlines_changed,
    "wage_arrears_referred_to_mediation": referred_to_mediation,
    "dispute_awarded_and_enforced": dispute_awarded_and_enforced,
    "insurance_pension_transferred": pension_transferred,
    "delivery_of_a_settled_case": settled_and_delivered,
    "project_breach_opened_a_case": project_scenarios.project_breach_opened_a_case,
    "wage_arrears_opened_by_a_project": project_scenarios.wage_arrears_opened_by_a_project,
    "project_late_sheet_opened_a_case": project_scenarios.project_late_sheet_opened_a_case,
}
