"""The escalation ladder (WA-5 to WA-11, WA-13): each rung only after its precondition.

Time is skipped on the time-skipping test server: an order to pay "passes" by sleeping past
its due time, so no test waits for real.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import chinese_calendar
import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError

from domain.common import CST, Role
from domain.deadlines import DeadlineBasis, DeadlineState
from domain.wage_arrears.models import CaseStatus, CloseOutcome, WageArrearsIntake
from domain.wage_arrears.view import WageArrearsView
from tests import factories as f
from tests.workflows.conftest import Harness, deadline, refused
from workflows.wage_arrears import WageArrearsWorkflow

WF = WageArrearsWorkflow
Handle = WorkflowHandle[Any, Any]


# Helpers.


def act(role: Role, reason: str = "officer's decision", **fields: Any) -> dict[str, Any]:
    return {"actor": f.actor(role), "reason": reason, **fields}


async def cst_today(harness: Harness) -> date:
    return (await harness.now()).astimezone(CST).date()


async def payment(
    harness: Harness, worker_no: int, amount: str, paid_by: str = "employer"
) -> dict[str, Any]:
    return act(
        Role.inspector,
        "payment seen at the bureau",
        worker_no=worker_no,
        amount=amount,
        paid_by=paid_by,
        paid_on=(await cst_today(harness)).isoformat(),
    )


async def pay_and_confirm(harness: Harness, handle: Handle, worker_no: int, amount: str) -> None:
    await handle.execute_update(WF.record_payment, await payment(harness, worker_no, amount))
    payment_id = (await harness.view(handle)).state.payments[-1].payment_id
    await handle.execute_update(
        WF.confirm_payment, act(Role.mediator, "worker confirmed", payment_id=payment_id)
    )


def rungs(view: WageArrearsView) -> list[str]:
    return [step.rung for step in view.state.ladder]


async def triage_major_far_deadline(harness: Harness, handle: Handle) -> None:
    """Triage as major with a 60-day deadline, so only the order to pay can escalate the case."""
    due = await harness.now() + timedelta(days=60)
    await handle.execute_update(
        WF.triage,
        act(
            Role.supervisor,
            "long-running case",
            severity="major",
            resolution_deadline=due.isoformat(),
        ),
    )


async def issue_order(harness: Harness, handle: Handle, **fields: Any) -> None:
    await handle.execute_update(
        WF.issue_order_to_pay, act(Role.inspector, "order to pay by a deadline", **fields)
    )


async def miss_order(harness: Harness, handle: Handle) -> WageArrearsView:
    """WA-6: issue an order to pay and let its (7-day) deadline pass unpaid."""
    await issue_order(harness, handle)
    await harness.env.sleep(timedelta(days=8))
    view = await harness.view(handle)
    assert view.state.order_to_pay_missed
    return view


async def open_missed(harness: Harness, months: int | None = None, **intake: Any) -> Handle:
    data = f.intake(**intake)
    if months is not None:
        for claim in data["workers"]:
            claim["months_owed"] = months
    handle = await harness.open_case(data)
    await miss_order(harness, handle)
    return handle


async def refused_unchanged(
    harness: Harness, handle: Handle, update: Any, arg: dict[str, Any]
) -> ApplicationError:
    """The update is refused, and the case and its outbox are exactly as before."""
    before = await harness.view(handle)
    notes_before = len(harness.notifications(handle.id))
    error = await refused(handle.execute_update(update, arg))
    after = await harness.view(handle)
    assert after.state.revision == before.state.revision
    assert after == before
    assert len(harness.notifications(handle.id)) == notes_before
    return error


def is_workday(day: date) -> bool:
    # Written out here rather than taken from domain.calendar, so a mistake there shows.
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # CAL-2: a year the calendar does not know: weekends only.
        return day.weekday() < 5


def end_of_nth_working_day_after(day: date, n: int) -> datetime:
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        counted += is_workday(day)
    return datetime.combine(day + timedelta(days=1), time(0), CST)


# WA-6: order to pay by a deadline.


async def test_wa6_order_to_pay_is_for_inspectors_only(harness: Harness) -> None:
    """WA-6: a mediator or a supervisor may not issue the order; an inspector may."""
    handle = await harness.open_case(f.intake())
    for role in (Role.mediator, Role.supervisor):
        error = await refused_unchanged(
            harness, handle, WF.issue_order_to_pay, act(role, "order to pay")
        )
        assert error.type == "Forbidden"
    error = await refused_unchanged(
        harness,
        handle,
        WF.issue_order_to_pay,
        {**act(Role.inspector), "actor": f.actor(Role.inspector, county=f.OTHER_COUNTY)},
    )
    assert error.type == "Forbidden"

    await issue_order(harness, handle)
    view = await harness.view(handle)
    assert rungs(view) == ["order_to_pay"]
    assert view.state.ladder[0].rule == "WA-6"
    assert view.state.ladder[0].actor_id == "inspector-01"


async def test_wa6_second_order_while_one_runs_is_refused(harness: Harness) -> None:
    """WA-6: one order to pay at a time; a new one only once the running one is over."""
    handle = await harness.open_case(f.intake())
    await issue_order(harness, handle)
    error = await refused_unchanged(
        harness, handle, WF.issue_order_to_pay, act(Role.inspector, "again", days=3)
    )
    assert error.type == "ActionNotAllowed" and "WA-6" in str(error)

    await harness.env.sleep(timedelta(days=8))
    await issue_order(harness, handle)
    orders = [d for d in (await harness.view(handle)).state.deadlines if d.name == "order_to_pay"]
    assert [d.state for d in orders] == [DeadlineState.breached, DeadlineState.pending]


async def test_wa6_missed_order_records_breach_extra_compensation_and_escalates(
    harness: Harness,
) -> None:
    """WA-6: default 7 calendar days (end of the 7th day after the issue day, CST); missing it
    records the breach, 50-100 % extra compensation on what is still owed, and escalates."""
    handle = await harness.open_case(f.intake(workers=2, amount="3000.00"))
    await triage_major_far_deadline(harness, handle)
    await issue_order(harness, handle)

    view = await harness.view(handle)
    order = deadline(view, "order_to_pay")
    assert order.rule == "WA-6" and order.basis is DeadlineBasis.calendar_days
    issue_day = order.start_at.astimezone(CST).date()
    assert order.due_at == datetime.combine(issue_day + timedelta(days=8), time(0), CST)
    assert view.state.ladder[-1].details["due_at"] == order.due_at.isoformat()

    # A partial payment: the compensation is counted on what is still outstanding.
    await pay_and_confirm(harness, handle, 1, "1000.00")

    await harness.sleep_until(order.due_at - timedelta(seconds=5))
    view = await harness.view(handle)
    assert deadline(view, "order_to_pay").state is DeadlineState.pending
    assert not view.state.order_to_pay_missed
    assert view.state.status is CaseStatus.open
    assert [b for b in view.state.breaches if b.rule == "WA-6"] == []

    await harness.sleep_until(order.due_at + timedelta(seconds=5))
    view = await harness.view(handle)
    assert view.state.order_to_pay_missed
    assert view.state.status is CaseStatus.escalated
    assert deadline(view, "order_to_pay").state is DeadlineState.breached
    wa6 = [(b.deadline, b.rule) for b in view.state.breaches if b.rule == "WA-6"]
    assert wa6 == [("order_to_pay", "WA-6")]
    step = view.state.ladder[-1]
    assert (step.rung, step.rule, step.actor_id) == ("order_to_pay_missed", "WA-6", None)
    assert step.amount == Decimal("5000.00")
    assert Decimal(step.details["extra_compensation_min"]) == Decimal("2500.00")
    assert Decimal(step.details["extra_compensation_max"]) == Decimal("5000.00")

    kinds = [n.kind for n in harness.notifications(handle.id)]
    assert "deadline_breached" in kinds and "case_escalated" in kinds
    row = harness.row(handle.id)
    assert row is not None and row.status == "escalated"


async def test_wa6_order_paid_in_full_before_due_is_met_without_breach(harness: Harness) -> None:
    """WA-6, WA-5: paying every worker (confirmed) before the due time meets the order."""
    handle = await harness.open_case(f.intake(workers=2, amount="3000.00"))
    await triage_major_far_deadline(harness, handle)
    await issue_order(harness, handle)
    await harness.env.sleep(timedelta(days=5))
    await pay_and_confirm(harness, handle, 1, "3000.00")
    await pay_and_confirm(harness, handle, 2, "3000.00")

    await harness.env.sleep(timedelta(days=10))
    view = await harness.view(handle)
    assert view.state.status is CaseStatus.settled
    assert deadline(view, "order_to_pay").state is DeadlineState.met
    assert not view.state.order_to_pay_missed
    assert [b for b in view.state.breaches if b.rule == "WA-6"] == []
    assert "order_to_pay_missed" not in rungs(view)


# WA-7: wage guarantee deposit.


async def refused_draw(
    harness: Harness, handle: Handle, reason: str, amount: str
) -> ApplicationError:
    """WA-7: the inspector's drawing on the guarantee deposit is refused, the case unchanged."""
    draw = act(Role.inspector, reason, amount=amount)
    return await refused_unchanged(harness, handle, WF.draw_guarantee_deposit, draw)


async def test_wa7_deposit_refused_before_an_order_was_missed(harness: Harness) -> None:
    """WA-7: the deposit is drawn only after an order to pay was ignored, not while it runs."""
    handle = await harness.open_case(f.intake(project=f.construction_project()))
    error = await refused_draw(harness, handle, "draw the deposit", "1000.00")
    assert error.type == "ActionNotAllowed" and "WA-7" in str(error)

    await issue_order(harness, handle)
    error = await refused_draw(harness, handle, "draw the deposit", "1000.00")
    assert error.type == "ActionNotAllowed" and "WA-7" in str(error)


async def test_wa7_deposit_refused_without_a_project_deposit(harness: Harness) -> None:
    """WA-7: a case without a construction project holding a deposit has nothing to draw."""
    no_deposit = {**f.construction_project(), "guarantee_deposit": None}
    for project in (None, no_deposit):
        handle = await open_missed(harness, project=project)
        error = await refused_draw(harness, handle, "draw the deposit", "1000.00")
        assert error.type == "ActionNotAllowed" and "WA-7" in str(error)


async def test_wa7_deposit_payment_refused_before_the_deposit_was_drawn(
    harness: Harness,
) -> None:
    """WA-7: a payment by the guarantee deposit needs the deposit to have been drawn."""
    handle = await open_missed(harness, project=f.construction_project())
    error = await refused_unchanged(
        harness,
        handle,
        WF.record_payment,
        await payment(harness, 1, "1000.00", "guarantee_deposit"),
    )
    assert error.type == "ActionNotAllowed" and "WA-7" in str(error)


async def test_wa7_deposit_after_missed_order_runs_a_five_working_day_payout(
    harness: Harness,
) -> None:
    """WA-7: after a missed order the deposit is drawn; the bank pays within 5 WD, and a
    payment by the deposit meets that deadline."""
    handle = await open_missed(harness, project=f.construction_project(deposit="5000.00"))
    error = await refused_draw(harness, handle, "more than the deposit holds", "5000.01")
    assert error.type == "InvalidActionInput" and "WA-7" in str(error)

    await handle.execute_update(
        WF.draw_guarantee_deposit, act(Role.inspector, "draw the deposit", amount="3000.00")
    )
    view = await harness.view(handle)
    step = view.state.ladder[-1]
    assert (step.rung, step.rule, step.amount) == ("guarantee_deposit", "WA-7", Decimal("3000"))
    payout = deadline(view, "deposit_payout")
    assert payout.rule == "WA-7"
    assert payout.basis is DeadlineBasis.working_days
    assert payout.state is DeadlineState.pending
    drawn_on = payout.start_at.astimezone(CST).date()
    assert payout.due_at == end_of_nth_working_day_after(drawn_on, 5)
    assert "guarantee_deposit_notice" in {n.kind for n in harness.notifications(handle.id)}

    error = await refused_draw(harness, handle, "draw again", "1000.00")
    assert error.type == "ActionNotAllowed"

    await handle.execute_update(
        WF.record_payment, await payment(harness, 1, "3000.00", "guarantee_deposit")
    )
    view = await harness.view(handle)
    assert deadline(view, "deposit_payout").state is DeadlineState.met
    await harness.sleep_until(payout.due_at + timedelta(hours=1))
    view = await harness.view(handle)
    assert deadline(view, "deposit_payout").state is DeadlineState.met
    assert [b.rule for b in view.state.breaches if b.deadline == "deposit_payout"] == []


async def test_wa7_deposit_not_paid_in_five_working_days_is_a_breach(harness: Harness) -> None:
    """WA-7: the bank's 5 WD passing without a deposit payment is recorded as a breach."""
    handle = await open_missed(harness, project=f.construction_project())
    await handle.execute_update(
        WF.draw_guarantee_deposit, act(Role.supervisor, "draw the deposit", amount="3000.00")
    )
    payout = deadline(await harness.view(handle), "deposit_payout")
    await harness.sleep_until(payout.due_at - timedelta(seconds=5))
    assert deadline(await harness.view(handle), "deposit_payout").pending
    await harness.sleep_until(payout.due_at + timedelta(seconds=5))
    view = await harness.view(handle)
    assert deadline(view, "deposit_payout").state is DeadlineState.breached
    assert ("deposit_payout", "WA-7") in [(b.deadline, b.rule) for b in view.state.breaches]
    assert "deposit_payout_overdue" in {n.kind for n in harness.notifications(handle.id)}


# WA-8: the general contractor pays first.


async def test_wa8_contractor_pays_refused_without_a_general_contractor(harness: Harness) -> None:
    """WA-8: only a construction project with a general contractor has someone to pay first."""
    no_contractor = {**f.construction_project(), "general_contractor": None}
    for project in (None, no_contractor):
        handle = await harness.open_case(f.intake(project=project))
        error = await refused_unchanged(
            harness, handle, WF.contractor_pays, act(Role.inspector, "contractor pays first")
        )
        assert error.type == "ActionNotAllowed" and "WA-8" in str(error)


async def test_wa8_contractor_payments_only_after_contractor_pays(harness: Harness) -> None:
    """WA-8: payments by the general contractor are refused until it was told to pay first."""
    handle = await harness.open_case(f.intake(project=f.construction_project()))
    by_contractor = await payment(harness, 1, "3000.00", "general_contractor")
    error = await refused_unchanged(harness, handle, WF.record_payment, by_contractor)
    assert error.type == "ActionNotAllowed" and "WA-8" in str(error)
    error = await refused_unchanged(
        harness, handle, WF.contractor_pays, act(Role.mediator, "contractor pays first")
    )
    assert error.type == "Forbidden"

    await handle.execute_update(WF.contractor_pays, act(Role.inspector, "contractor pays first"))
    view = await harness.view(handle)
    assert (view.state.ladder[-1].rung, view.state.ladder[-1].rule) == ("contractor_pays", "WA-8")
    error = await refused_unchanged(
        harness, handle, WF.contractor_pays, act(Role.supervisor, "again")
    )
    assert error.type == "ActionNotAllowed"

    await handle.execute_update(WF.record_payment, by_contractor)
    view = await harness.view(handle)
    assert [(p.worker_no, p.paid_by) for p in view.state.payments] == [(1, "general_contractor")]


# WA-9: emergency advance.


async def test_wa9_emergency_advance_is_for_supervisors_only(harness: Harness) -> None:
    """WA-9: only a supervisor commits the county's emergency fund."""
    handle = await harness.open_case(f.intake())
    for role in (Role.mediator, Role.inspector):
        error = await refused_unchanged(
            harness, handle, WF.emergency_advance, act(role, "advance", amount="1000.00")
        )
        assert error.type == "Forbidden"
    await handle.execute_update(
        WF.emergency_advance, act(Role.supervisor, "advance", amount="1000.00")
    )
    step = (await harness.view(handle)).state.ladder[-1]
    assert (step.rung, step.rule, step.amount) == ("emergency_advance", "WA-9", Decimal("1000"))
    assert step.details == {"recover_from": "employer"}


async def test_wa9_emergency_advance_above_outstanding_is_invalid(harness: Harness) -> None:
    """WA-9: the advance is at most what is still owed (confirmed payments deducted)."""
    handle = await harness.open_case(f.intake(workers=2, amount="3000.00"))
    await pay_and_confirm(harness, handle, 1, "1000.00")
    by_fund = await payment(harness, 2, "500.00", "emergency_advance")
    error = await refused_unchanged(harness, handle, WF.record_payment, by_fund)
    assert error.type == "ActionNotAllowed" and "WA-9" in str(error)

    error = await refused_unchanged(
        harness, handle, WF.emergency_advance, act(Role.supervisor, "advance", amount="5000.01")
    )
    assert error.type == "InvalidActionInput"
    await handle.execute_update(
        WF.emergency_advance, act(Role.supervisor, "advance", amount="5000.00")
    )
    await handle.execute_update(WF.record_payment, by_fund)
    assert (await harness.view(handle)).state.payments[-1].paid_by == "emergency_advance"


# WA-10: referral to the police.


async def test_wa10_police_refused_before_an_order_was_missed(harness: Harness) -> None:
    """WA-10: even above the threshold, the police come only after a missed order to pay."""
    handle = await harness.open_case(f.intake(workers=1, amount="20000.00"))
    error = await refused_unchanged(
        harness, handle, WF.refer_to_police, act(Role.inspector, "refusal to pay")
    )
    assert error.type == "ActionNotAllowed" and "WA-10" in str(error)
    await issue_order(harness, handle)
    error = await refused_unchanged(
        harness, handle, WF.refer_to_police, act(Role.inspector, "refusal to pay")
    )
    assert error.type == "ActionNotAllowed" and "WA-10" in str(error)


@pytest.mark.parametrize(
    ("workers", "allowed"),
    [
        ([("3000.00", None)], False),
        ([("5000.00", None)], False),
        ([("20000.00", 2)], False),
        ([("1000.00", 3)], False),
        ([("4999.99", 3)], False),
        ([("5000.00", 3)], True),
        ([("1000.00", 6), ("6000.00", 4)], True),
    ],
    ids=[
        "3000-below",
        "5000-no-months",
        "20000-2-months",
        "3-months-1000",
        "3-months-just-below",
        "3-months-and-5000",
        "one-of-two-above",
    ],
)
async def test_wa10_police_threshold_after_missed_order(
    harness: Harness, workers: list[tuple[str, int | None]], allowed: bool
) -> None:
    """WA-10 (SPC 2013 Art.3): one worker owed 3+ months' pay *and* at least 5 000 (the
    region's default) reaches the threshold; either condition alone does not."""
    claims = [
        f.worker(i + 1, amount, **({"months_owed": months} if months is not None else {}))
        for i, (amount, months) in enumerate(workers)
    ]
    handle = await harness.open_case({**f.intake(), "workers": claims})
    await miss_order(harness, handle)
    refer = act(Role.inspector, "refusal to pay")
    if not allowed:
        error = await refused_unchanged(harness, handle, WF.refer_to_police, refer)
        assert error.type == "ActionNotAllowed" and "WA-10" in str(error)
        return
    await handle.execute_update(WF.refer_to_police, refer)
    view = await harness.view(handle)
    assert view.state.police_referral_active
    assert (view.state.ladder[-1].rung, view.state.ladder[-1].rule) == ("police", "WA-10")


async def test_wa10_ten_workers_need_the_cumulative_amount(harness: Harness) -> None:
    """WA-10: 10+ workers owed *and* at least the cumulative amount (default 30 000)."""
    handle = await open_missed(harness, workers=10, amount="2999.99")
    refer = act(Role.inspector, "refusal to pay")
    error = await refused_unchanged(harness, handle, WF.refer_to_police, refer)
    assert error.type == "ActionNotAllowed" and "threshold" in str(error)
    handle = await open_missed(harness, workers=10, amount="3000.00")
    await handle.execute_update(WF.refer_to_police, refer)
    assert (await harness.view(handle)).state.police_referral_active


async def test_wa10_threshold_counts_only_what_is_still_outstanding(harness: Harness) -> None:
    """WA-10: a confirmed partial payment below the threshold ends the criminal route."""
    handle = await open_missed(harness, months=3, workers=1, amount="6000.00")
    await pay_and_confirm(harness, handle, 1, "1000.01")
    error = await refused_unchanged(
        harness, handle, WF.refer_to_police, act(Role.inspector, "refusal to pay")
    )
    assert error.type == "ActionNotAllowed" and "threshold" in str(error)


async def test_wa10_police_returned_case_may_be_referred_again(harness: Harness) -> None:
    """WA-10: one referral at a time; a case the police return is referable again."""
    handle = await open_missed(harness, months=3, workers=1, amount="8000.00")
    refer = act(Role.supervisor, "refusal to pay")
    error = await refused_unchanged(
        harness, handle, WF.record_police_outcome, act(Role.inspector, "x", outcome="returned")
    )
    assert error.type == "ActionNotAllowed"
    await handle.execute_update(WF.refer_to_police, refer)
    error = await refused_unchanged(harness, handle, WF.refer_to_police, refer)
    assert error.type == "ActionNotAllowed" and "WA-10" in str(error)

    await handle.execute_update(
        WF.record_police_outcome, act(Role.inspector, "not filed", outcome="returned")
    )
    view = await harness.view(handle)
    assert not view.state.police_referral_active
    assert "refer_to_police" in view.available_actions
    await handle.execute_update(WF.refer_to_police, refer)
    view = await harness.view(handle)
    assert view.state.police_referral_active
    assert rungs(view)[-3:] == ["police", "police_returned", "police"]


# WA-11: joint-punishment list.


async def refused_listing(
    harness: Harness, handle: Handle, role: Role, reason: str, incident: bool
) -> ApplicationError:
    """WA-11: the listing on the joint-punishment list is refused, the case unchanged."""
    listing = act(role, reason, incident_occurred=incident)
    return await refused_unchanged(harness, handle, WF.list_on_punishment_list, listing)


async def test_wa11_listing_refused_before_an_order_was_missed(harness: Harness) -> None:
    """WA-11: even with an incident, listing needs a missed order-to-pay deadline."""
    handle = await harness.open_case(f.intake(workers=1, amount="20000.00"))
    error = await refused_listing(harness, handle, Role.supervisor, "blacklist", incident=True)
    assert error.type == "ActionNotAllowed" and "WA-11" in str(error)


async def test_wa11_listing_below_threshold_needs_an_incident(harness: Harness) -> None:
    """WA-11: below the criminal threshold only a mass or extreme incident allows listing;
    the listing lasts exactly 3 years from the listing day (CST), and happens once."""
    handle = await open_missed(harness, workers=1, amount="3000.00")
    error = await refused_listing(harness, handle, Role.supervisor, "blacklist", incident=False)
    assert error.type == "ActionNotAllowed" and "WA-11" in str(error)
    error = await refused_listing(harness, handle, Role.inspector, "blacklist", incident=True)
    assert error.type == "Forbidden"

    await handle.execute_update(
        WF.list_on_punishment_list,
        act(Role.supervisor, "workers blocked the road", incident_occurred=True),
    )
    view = await harness.view(handle)
    step = view.state.ladder[-1]
    assert (step.rung, step.rule) == ("punishment_list", "WA-11")
    listed_on = step.at.astimezone(CST).date()
    if (listed_on.month, listed_on.day) == (2, 29):
        expected = date(listed_on.year + 3, 2, 28)
    else:
        expected = date(listed_on.year + 3, listed_on.month, listed_on.day)
    assert view.state.listed_until == expected
    assert step.details["listed_until"] == expected.isoformat()
    entry = [n for n in harness.notifications(handle.id) if n.kind == "punishment_list_entry"]
    assert len(entry) == 1
    assert entry[0].params == {
        "credit_code": f.EMPLOYER_CODE,
        "listed_until": expected.isoformat(),
    }

    error = await refused_listing(harness, handle, Role.supervisor, "again", incident=True)
    assert error.type == "ActionNotAllowed" and "WA-11" in str(error)


async def test_wa11_listing_above_threshold_needs_no_incident(harness: Harness) -> None:
    """WA-11: amounts reaching the criminal threshold allow listing without an incident."""
    handle = await open_missed(harness, months=3, workers=1, amount="5000.00")
    await handle.execute_update(
        WF.list_on_punishment_list, act(Role.supervisor, "blacklist", incident_occurred=False)
    )
    view = await harness.view(handle)
    assert view.state.listed_until is not None
    assert view.state.ladder[-1].details["incident_occurred"] == "false"


# WA-13: platform clues.


def test_wa13_platform_clue_without_clue_number_is_rejected_by_the_model() -> None:
    """WA-13: a clue from the national platform keeps the platform's clue number."""
    with pytest.raises(ValidationError, match="clue_number"):
        WageArrearsIntake.model_validate(f.intake(source="platform_clue"))
    with pytest.raises(ValidationError, match="clue_number"):
        WageArrearsIntake.model_validate(f.intake(source="complaint", clue_number="XS-1"))
    intake = WageArrearsIntake.model_validate(f.intake(source="platform_clue", clue_number="XS-1"))
    assert intake.clue_number == "XS-1"


async def test_wa13_platform_clue_is_answered_back_when_closed(harness: Harness) -> None:
    """WA-13: closing a platform clue needs a clue_reply, which goes to the outbox with the
    platform's clue number; the workflow then completes."""
    clue = "GZQX-2026-0001234"
    handle = await harness.open_case(f.intake(source="platform_clue", clue_number=clue))
    close = act(Role.inspector, "employer not found at the address", outcome="unfounded")
    error = await refused_unchanged(harness, handle, WF.close, close)
    assert error.type == "InvalidActionInput" and "WA-13" in str(error)
    error = await refused_unchanged(
        harness, handle, WF.close, {**close, "outcome": "transferred", "clue_reply": "handled"}
    )
    assert error.type == "InvalidActionInput" and "WA-13" in str(error)

    result = await handle.execute_update(WF.close, {**close, "clue_reply": "handled"})
    assert result.status is CaseStatus.closed
    replies = [n for n in harness.notifications(handle.id) if n.kind == "clue_platform_reply"]
    assert len(replies) == 1
    assert replies[0].params["clue_number"] == clue
    assert replies[0].params["reply"] == "handled"

    final = await handle.result()
    assert final.status is CaseStatus.closed
    assert final.available_actions == []


async def test_wa13_clue_reply_is_only_for_platform_clues(harness: Harness) -> None:
    """WA-13: a complaint has no platform to answer."""
    handle = await harness.open_case(f.intake())
    error = await refused_unchanged(
        harness,
        handle,
        WF.close,
        act(Role.inspector, "withdrawn", outcome="withdrawn", clue_reply="handled"),
    )
    assert error.type == "InvalidActionInput"


# WA-5: settled only when everyone is paid and confirmed.


async def test_wa5_close_as_settled_refused_while_unpaid(harness: Harness) -> None:
    """WA-5: 'settled' needs every worker paid in full and the payments confirmed."""
    handle = await harness.open_case(f.intake(workers=2, amount="3000.00"))
    close = act(Role.inspector, "all paid", outcome="settled")
    error = await refused_unchanged(harness, handle, WF.close, close)
    assert error.type == "ActionNotAllowed" and "WA-5" in str(error)

    # Every amount recorded, one payment confirmed: not settled yet.
    await handle.execute_update(WF.record_payment, await payment(harness, 1, "3000.00"))
    await handle.execute_update(WF.record_payment, await payment(harness, 2, "3000.00"))
    await handle.execute_update(
        WF.confirm_payment, act(Role.mediator, "worker confirmed", payment_id="P1")
    )
    assert (await harness.view(handle)).state.status is CaseStatus.open
    error = await refused_unchanged(harness, handle, WF.close, close)
    assert error.type == "ActionNotAllowed" and "WA-5" in str(error)

    await handle.execute_update(
        WF.confirm_payment, act(Role.mediator, "worker confirmed", payment_id="P2")
    )
    assert (await harness.view(handle)).state.status is CaseStatus.settled
    await handle.execute_update(WF.close, close)
    final = await handle.result()
    assert final.status is CaseStatus.closed
    view = await harness.view(handle)
    assert view.state.close_outcome is CloseOutcome.settled


async def test_wa7_wa9_a_fund_pays_out_no_more_than_it_gave(harness: Harness) -> None:
    """WA-9 (and WA-7 alike): payments by the emergency fund are capped at the advance."""
    handle = await harness.open_case(f.intake(workers=2, amount="3000.00"))
    await handle.execute_update(
        WF.emergency_advance, act(Role.supervisor, "living costs", amount="1000.00")
    )
    await handle.execute_update(
        WF.record_payment, await payment(harness, 1, "600.00", "emergency_advance")
    )
    error = await refused_unchanged(
        harness, handle, WF.record_payment, await payment(harness, 2, "400.01", "emergency_advance")
    )
    assert error.type == "InvalidActionInput" and "WA-9" in str(error)
    await handle.execute_update(
        WF.record_payment, await payment(harness, 2, "400.00", "emergency_advance")
    )
