"""WA-1 / WA-2 deadlines, by skipping time on the time-skipping test server."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.common import CST, Role
from domain.deadlines import Deadline, DeadlineState
from domain.wage_arrears.models import CaseStatus
from domain.wage_arrears.view import WageArrearsView
from tests import factories as f
from tests.workflows.conftest import Harness, refused
from workflows.wage_arrears import WageArrearsWorkflow


def settle_deadline(view: WageArrearsView) -> Deadline:
    return [d for d in view.state.deadlines if d.name == "settle"][-1]


def next_friday_late(after: datetime) -> datetime:
    local = after.astimezone(CST)
    days = (4 - local.weekday()) % 7 or 7
    return datetime.combine(local.date() + timedelta(days=days), datetime.min.time(), CST).replace(
        hour=23, minute=30
    )


def payment(worker_no: int, amount: str, role: Role = Role.mediator) -> dict[str, object]:
    return {
        "actor": f.actor(role),
        "reason": "employer paid at the bureau",
        "worker_no": worker_no,
        "amount": amount,
        "paid_by": "employer",
        "paid_on": "2026-01-01",
    }


def confirmation(payment_id: str) -> dict[str, object]:
    return {"actor": f.actor(Role.mediator), "reason": "worker confirmed", "payment_id": payment_id}


async def test_wa1_case_opened_late_friday_escalates_exactly_at_end_of_monday(
    harness: Harness,
) -> None:
    """WA-1, CAL-4: opened Friday 23:30 CST, due at the end of Monday (Tue 00:00 CST)."""
    friday = next_friday_late(await harness.now())
    await harness.sleep_until(friday)
    handle = await harness.open_case(f.intake())

    view = await harness.view(handle)
    settle = settle_deadline(view)
    assert settle.rule == "WA-1"
    due_local = settle.due_at.astimezone(CST)
    assert due_local.weekday() == 1 and due_local.time() == datetime.min.time()
    assert due_local.date() == friday.date() + timedelta(days=4)

    await harness.sleep_until(settle.due_at - timedelta(seconds=5))
    assert (await harness.view(handle)).state.status is CaseStatus.open

    await harness.sleep_until(settle.due_at + timedelta(seconds=5))
    view = await harness.view(handle)
    assert view.state.status is CaseStatus.escalated
    assert settle_deadline(view).state is DeadlineState.breached
    breach = next(b for b in view.state.breaches if b.deadline == "settle")
    assert breach.rule == "WA-1"
    assert settle.due_at <= breach.at < settle.due_at + timedelta(seconds=5)

    kinds = {n.kind: n for n in harness.notifications(handle.id)}
    assert kinds["case_escalated"].recipient_role == "inspector"
    assert "deadline_due_soon" in kinds
    row = harness.row(handle.id)
    assert row is not None and row.status == "escalated" and row.breached_count == 1


async def test_wa5_settled_within_three_days_never_escalates(harness: Harness) -> None:
    handle = await harness.open_case(f.intake(workers=2, amount="1000.00"))
    for worker_no in (1, 2):
        await handle.execute_update(
            WageArrearsWorkflow.record_payment, payment(worker_no, "1000.00")
        )
    await handle.execute_update(WageArrearsWorkflow.confirm_payment, confirmation("P1"))
    assert (await harness.view(handle)).state.status is CaseStatus.open
    result = await handle.execute_update(WageArrearsWorkflow.confirm_payment, confirmation("P2"))
    assert result.status is CaseStatus.settled

    await harness.env.sleep(timedelta(days=10))
    view = await harness.view(handle)
    assert view.state.status is CaseStatus.settled
    assert view.state.breaches == []
    assert settle_deadline(view).state is DeadlineState.met
    row = harness.row(handle.id)
    assert row is not None and row.status == "settled" and row.amount_paid == f.money("2000.00")


async def test_wa5_partial_payment_does_not_settle_and_case_escalates(harness: Harness) -> None:
    handle = await harness.open_case(f.intake(workers=1, amount="5000.00"))
    await handle.execute_update(WageArrearsWorkflow.record_payment, payment(1, "3000.00"))
    await handle.execute_update(WageArrearsWorkflow.confirm_payment, confirmation("P1"))
    view = await harness.view(handle)
    assert view.state.status is CaseStatus.open
    assert view.accounts[0].outstanding == f.money("2000.00")

    await harness.env.sleep(timedelta(days=5))
    assert (await harness.view(handle)).state.status is CaseStatus.escalated


async def test_wa5_unconfirmed_payment_does_not_settle(harness: Harness) -> None:
    handle = await harness.open_case(f.intake(workers=1, amount="800.00"))
    await handle.execute_update(WageArrearsWorkflow.record_payment, payment(1, "800.00"))
    await harness.env.sleep(timedelta(days=5))
    assert (await harness.view(handle)).state.status is CaseStatus.escalated


async def test_wa5_overpayment_is_refused_and_changes_nothing(harness: Harness) -> None:
    handle = await harness.open_case(f.intake(workers=1, amount="800.00"))
    error = await refused(
        handle.execute_update(WageArrearsWorkflow.record_payment, payment(1, "800.01"))
    )
    assert error.type == "InvalidActionInput"
    assert (await harness.view(handle)).state.payments == []


async def test_wa2_wa3_major_case_waits_for_triage_then_runs_the_supervisors_deadline(
    harness: Harness,
) -> None:
    handle = await harness.open_case(f.intake(workers=10, amount="500.00"))
    view = await harness.view(handle)
    assert view.state.severity == "major"
    assert view.state.status is CaseStatus.triage_pending
    assert [d for d in view.state.deadlines if d.name == "settle"] == []
    assert "triage_needed" in {n.kind for n in harness.notifications(handle.id)}

    triage = {"actor": f.actor(Role.supervisor), "reason": "10 workers", "severity": "general"}
    error = await refused(handle.execute_update(WageArrearsWorkflow.triage, triage))
    assert error.type == "InvalidActionInput" and "WA-3" in str(error)
    error = await refused(
        handle.execute_update(WageArrearsWorkflow.triage, {**triage, "severity": "major"})
    )
    assert "WA-2" in str(error)
    error = await refused(
        handle.execute_update(
            WageArrearsWorkflow.triage,
            {
                **triage,
                "actor": f.actor(Role.mediator),
                "severity": "major",
                "resolution_deadline": (await harness.now() + timedelta(days=20)).isoformat(),
            },
        )
    )
    assert error.type == "Forbidden"

    due = await harness.now() + timedelta(days=20)
    await handle.execute_update(
        WageArrearsWorkflow.triage,
        {**triage, "severity": "major", "resolution_deadline": due.isoformat()},
    )
    view = await harness.view(handle)
    assert view.state.status is CaseStatus.open
    assert settle_deadline(view).rule == "WA-2"
    assert settle_deadline(view).due_at == due

    await harness.env.sleep(timedelta(days=19))
    assert (await harness.view(handle)).state.status is CaseStatus.open
    await harness.env.sleep(timedelta(days=1, seconds=5))
    view = await harness.view(handle)
    assert view.state.status is CaseStatus.escalated
    assert [b.rule for b in view.state.breaches if b.deadline == "settle"] == ["WA-2"]


async def test_wa2_general_case_flagged_at_triage_becomes_major(harness: Harness) -> None:
    handle = await harness.open_case(f.intake())
    due = await harness.now() + timedelta(days=30)
    await handle.execute_update(
        WageArrearsWorkflow.triage,
        {
            "actor": f.actor(Role.supervisor),
            "reason": "workers gathering at the site",
            "severity": "major",
            "mass_incident_risk": True,
            "resolution_deadline": due.isoformat(),
        },
    )
    view = await harness.view(handle)
    assert [d.state for d in view.state.deadlines if d.name == "settle"] == [
        DeadlineState.cancelled,
        DeadlineState.pending,
    ]
    await harness.env.sleep(timedelta(days=5))
    assert (await harness.view(handle)).state.status is CaseStatus.open
