"""The dispute case (MA-1 to MA-10, CAL-3) and its link to a wage-arrears case, on the
time-skipping test server.

Time only moves when a test sleeps (`harness.env.sleep` / `harness.sleep_until`) and the
server's clock is shared by the whole session, so every date is worked out from the server's
current time. Expected due times are computed in this file (CAL-3 written out below),
independently of domain/calendar.py and activities/calendar.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import chinese_calendar
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError

from domain.common import CST, Role
from domain.deadlines import DeadlineBasis, DeadlineState
from domain.dispute.models import DisputeIntake, DisputeStage
from domain.dispute.view import DisputeView
from domain.wage_arrears.models import CaseStatus, CloseOutcome
from store.calendar import save_schedule
from tests import factories as f
from tests.workflows.conftest import Harness, deadline, refused
from tests.workflows.expected_dates import cst_day, midnight_after, year_known
from workflows.dispute import DisputeWorkflow
from workflows.wage_arrears import WageArrearsWorkflow

DW = DisputeWorkflow
WF = WageArrearsWorkflow
Handle = WorkflowHandle[Any, Any]
Workday = Callable[[date], bool]


# Expected dates, written out here.


def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # CAL-2: a year the calendar does not know: weekends only.
        return day.weekday() < 5


def statutory_last_day(start: date, days: int, workday: Workday = is_workday) -> date:
    """CAL-3: `days` counted from the day after `start`; a last day that is a rest day moves to
    the next working day."""
    last = start + timedelta(days=days)
    while not workday(last):
        last += timedelta(days=1)
    return last


def statutory_due(start: date, days: int, workday: Workday = is_workday) -> datetime:
    return midnight_after(statutory_last_day(start, days, workday))


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# Case data and actions.


def act(
    role: Role = Role.mediator, reason: str = "recorded by the officer", **fields: Any
) -> dict[str, Any]:
    return {"actor": f.actor(role), "reason": reason, **fields}


def claimant(serial: int) -> dict[str, Any]:
    return {
        "name": f"工人{serial}",
        "id_number": f.resident_id(serial),
        "mobile": f"139{serial:08d}",
    }


def dispute_intake(today: date, workers: int = 1, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "origin": "mediation",
        "county_code": f.COUNTY,
        "employer": {"name": "太原某建筑劳务有限公司", "credit_code": f.EMPLOYER_CODE},
        "workers": [claimant(i + 1) for i in range(workers)],
        "claims": [{"description": "unpaid wages, March to May", "amount": "6000.00"}],
        "claim_known_on": today.isoformat(),
        "summary": "工人申请调解，要求支付拖欠工资",
        "opened_by": f.actor(Role.mediator),
    }
    data.update(overrides)
    return data


async def open_dispute(harness: Harness, **overrides: Any) -> Handle:
    today = cst_day(await harness.now())
    intake = DisputeIntake.model_validate(dispute_intake(today, **overrides))
    return await harness.start(DW, intake, f"MA-2026-{100000 + uuid.uuid4().int % 900000:06d}")


async def view(handle: Handle) -> DisputeView:
    return await handle.query(DW.view)


def events(v: DisputeView) -> list[str]:
    return [e.kind for e in v.state.events]


def notes(harness: Harness, handle: Handle, kind: str) -> list[Any]:
    return [n for n in harness.notifications(handle.id) if n.kind == kind]


async def next_morning(harness: Harness) -> date:
    """Moves the server's clock to 10:00 CST tomorrow, far from any day boundary."""
    tomorrow = cst_day(await harness.now()) + timedelta(days=1)
    await harness.sleep_until(datetime.combine(tomorrow, time(10), CST))
    return tomorrow


async def today(harness: Harness) -> date:
    return cst_day(await harness.now())


async def served(harness: Harness, handle: Handle, update: Any, reason: str) -> date:
    """Records with `update` that a paper was served today: the day."""
    on = await today(harness)
    await handle.execute_update(update, act(reason=reason, served_on=on.isoformat()))
    return on


async def refused_unchanged(
    harness: Harness, handle: Handle, update: Any, arg: dict[str, Any]
) -> ApplicationError:
    """The update is refused, and the case and its outbox are exactly as before."""
    before = await view(handle)
    notes_before = len(harness.notifications(handle.id))
    # A refusal is immediate; a handler that crashes the workflow task would hang instead.
    error = await asyncio.wait_for(refused(handle.execute_update(update, arg)), timeout=5)
    after = await view(handle)
    assert after == before
    assert len(harness.notifications(handle.id)) == notes_before
    return error


async def to_arbitration(handle: Handle) -> None:
    await handle.execute_update(DW.record_mediation_failure, act(reason="no agreement"))


async def apply_and_accept(handle: Handle) -> None:
    """A case in mediation fails mediation and is accepted for arbitration."""
    await to_arbitration(handle)
    await handle.execute_update(
        DW.decide_acceptance, act(Role.supervisor, "application complete", decision="accept")
    )


async def accepted(harness: Harness, **overrides: Any) -> Handle:
    """A case accepted for arbitration today."""
    handle = await open_dispute(harness, origin="arbitration", **overrides)
    await handle.execute_update(
        DW.decide_acceptance, act(Role.supervisor, "application complete", decision="accept")
    )
    assert (await view(handle)).state.stage is DisputeStage.arbitration
    return handle


async def award(harness: Harness, handle: Handle, *amounts: str) -> DisputeView:
    items = [{"description": f"item {i + 1}", "amount": a} for i, a in enumerate(amounts)]
    made_on = (await today(harness)).isoformat()
    await handle.execute_update(
        DW.record_award, act(Role.mediator, "award made", items=items, made_on=made_on)
    )
    return await view(handle)


async def received(harness: Harness, handle: Handle) -> DisputeView:
    on = (await today(harness)).isoformat()
    await handle.execute_update(
        DW.record_award_received, act(Role.mediator, "award served", received_on=on)
    )
    return await view(handle)


def suit(by: str) -> dict[str, Any]:
    return act(Role.mediator, f"{by} filed suit at the people's court", by=by)


# MA-1: mediation.


async def test_ma1_cal3_day_15_rolled_past_a_rest_day_opens_the_right_to_arbitrate(
    harness: Harness,
) -> None:
    """MA-1, CAL-3: 15 days from the day after the application; when the 15th day is a rest
    day the period ends on the next working day. Day 15 is a breach of the mediation target
    and opens either party's right to apply (LDMAL Art.14): it applies for nothing by itself,
    and mediation goes on (an agreement may still be reached) until a party applies; the
    application then starts MA-4's 5 days and MA-3's check on the day it is made."""
    day = await next_morning(harness)
    while is_workday(day + timedelta(days=15)):
        day += timedelta(days=1)
    await harness.sleep_until(datetime.combine(day, time(10), CST))
    handle = await open_dispute(harness)

    v = await view(handle)
    assert v.state.stage is DisputeStage.mediation
    mediation = deadline(v, "mediation")
    assert mediation.rule == "MA-1" and mediation.basis is DeadlineBasis.calendar_days
    assert mediation.due_at == statutory_due(day, 15)
    assert mediation.due_at > midnight_after(day + timedelta(days=15))  # rolled

    await harness.sleep_until(mediation.due_at - timedelta(seconds=5))
    v = await view(handle)
    assert v.state.stage is DisputeStage.mediation
    assert deadline(v, "mediation").state is DeadlineState.pending
    assert "mediation_target_passed" not in events(v)

    await harness.sleep_until(mediation.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert v.state.stage is DisputeStage.mediation
    assert deadline(v, "mediation").state is DeadlineState.breached
    assert events(v)[-1] == "mediation_target_passed"
    assert "arbitration_applied" not in events(v) and v.state.limitation is None
    assert not [d for d in v.state.deadlines if d.name == "acceptance"]
    breached = notes(harness, handle, "deadline_breached")
    assert [n.params["deadline"] for n in breached] == ["mediation"]
    right = notes(harness, handle, "right_to_arbitrate")
    assert len(right) == 1 and right[0].params["rule"] == "MA-1"
    assert {"record_agreement", "apply_for_arbitration"} <= set(v.available_actions)
    assert "decide_acceptance" not in v.available_actions

    applied_day = await next_morning(harness)
    await handle.execute_update(DW.apply_for_arbitration, act(reason="the worker applies"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.arbitration_applied
    acceptance = deadline(v, "acceptance")
    assert acceptance.rule == "MA-4" and acceptance.state is DeadlineState.pending
    assert acceptance.due_at == statutory_due(applied_day, 5)
    assert v.state.limitation is not None and v.state.limitation.applied_on == applied_day


async def test_ma1_an_agreement_reached_after_day_15_is_recorded(harness: Harness) -> None:
    """MA-1: past day 15 mediation is still open and may still end in an agreement."""
    await next_morning(harness)
    handle = await open_dispute(harness)
    mediation = deadline(await view(handle), "mediation")
    await harness.sleep_until(mediation.due_at + timedelta(hours=10))
    performance = (await today(harness)) + timedelta(days=5)
    await handle.execute_update(
        DW.record_agreement,
        act(reason="agreed late", amount="6000.00", performance_date=performance.isoformat()),
    )
    v = await view(handle)
    assert v.state.stage is DisputeStage.agreement and v.state.agreement_amount == Decimal("6000")


async def test_cal3_ma1_mediation_ending_on_a_public_holiday_ends_on_the_next_working_day(
    harness: Harness,
) -> None:
    """CAL-3, MA-1: the 15th day falls on a weekday of the Labour Day holiday (a loaded
    official schedule); the period ends on the first working day after the holiday, and the
    timer fires then, not at the end of the 15th day."""
    now = await harness.now()
    year = cst_day(now).year
    while date(year, 5, 1) - timedelta(days=16) <= cst_day(now):
        year += 1
    holidays = [date(year, 5, d) for d in range(1, 6)]
    save_schedule(harness.engine, year, holidays, [], source="test notice")

    def workday(day: date) -> bool:
        if day.year == year:
            return day not in holidays and day.weekday() < 5
        return is_workday(day)

    holiday = next(d for d in holidays if d.weekday() < 5)  # a holiday, not a weekend
    opening_day = holiday - timedelta(days=15)
    await harness.sleep_until(datetime.combine(opening_day, time(10), CST))
    handle = await open_dispute(harness)

    mediation = deadline(await view(handle), "mediation")
    first_working_day = holidays[-1] + timedelta(days=1)
    while not workday(first_working_day):
        first_working_day += timedelta(days=1)
    assert mediation.due_at == statutory_due(opening_day, 15, workday)
    assert mediation.due_at == midnight_after(first_working_day)
    assert not mediation.provisional and f"+{year}:" in mediation.calendar_version

    await harness.sleep_until(midnight_after(holiday) + timedelta(seconds=5))
    assert (await view(handle)).state.stage is DisputeStage.mediation
    await harness.sleep_until(mediation.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert v.state.stage is DisputeStage.mediation
    assert deadline(v, "mediation").state is DeadlineState.breached
    assert "mediation_target_passed" in events(v)


async def test_ma1_recorded_mediation_failure_goes_to_arbitration_at_once(
    harness: Harness,
) -> None:
    """MA-1: a failed mediation hands the case to arbitration without waiting for day 15."""
    day = await next_morning(harness)
    handle = await open_dispute(harness)
    await handle.execute_update(
        DW.record_mediation_session, act(reason="first session", held_on=day.isoformat())
    )
    await to_arbitration(handle)

    v = await view(handle)
    assert v.state.stage is DisputeStage.arbitration_applied
    assert deadline(v, "mediation").state is DeadlineState.met
    assert deadline(v, "acceptance").due_at == statutory_due(day, 5)
    assert events(v) == ["mediation_session", "mediation_failed", "arbitration_applied"]
    assert v.state.events[1].actor_id == "mediator-01"
    error = await refused_unchanged(
        harness, handle, DW.record_mediation_failure, act(reason="again")
    )
    assert error.type == "ActionNotAllowed"


async def test_ma1_worker_may_apply_for_arbitration_directly_during_mediation(
    harness: Harness,
) -> None:
    """MA-1: the worker need not wait out the 15 days of mediation."""
    day = await next_morning(harness)
    handle = await open_dispute(harness)
    await handle.execute_update(DW.apply_for_arbitration, act(reason="worker applies directly"))

    v = await view(handle)
    assert v.state.stage is DisputeStage.arbitration_applied
    assert deadline(v, "mediation").state is DeadlineState.met
    assert deadline(v, "acceptance").due_at == statutory_due(day, 5)
    assert events(v) == ["arbitration_applied"]


async def test_ma1_a_case_opened_as_arbitration_skips_mediation(harness: Harness) -> None:
    """MA-1, MA-4: an application straight to arbitration starts the 5 acceptance days."""
    day = await next_morning(harness)
    handle = await open_dispute(harness, origin="arbitration")
    v = await view(handle)
    assert v.state.stage is DisputeStage.arbitration_applied
    assert [d.name for d in v.state.deadlines] == ["acceptance"]
    assert deadline(v, "acceptance").due_at == statutory_due(day, 5)


# MA-2: mediation agreement and payment order.


async def test_ma2_agreement_performed_closes_the_case_as_performed(harness: Harness) -> None:
    """MA-2: the agreement sets its performance date; performance closes the case."""
    day = await next_morning(harness)
    handle = await open_dispute(harness)
    pay_by = day + timedelta(days=10)
    await handle.execute_update(
        DW.record_agreement,
        act(reason="agreement signed", amount="5500.00", performance_date=pay_by.isoformat()),
    )
    v = await view(handle)
    assert v.state.stage is DisputeStage.agreement
    assert v.state.agreement_amount == Decimal("5500.00")
    assert v.state.performance_date == pay_by
    assert deadline(v, "mediation").state is DeadlineState.met
    performance = deadline(v, "performance")
    assert performance.rule == "MA-2" and performance.due_at == midnight_after(pay_by)

    await harness.env.sleep(timedelta(days=3))
    await handle.execute_update(DW.record_performance, act(reason="wages paid"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.closed
    assert v.state.close_outcome == "performed"
    assert v.state.closed_at is not None
    assert deadline(v, "performance").state is DeadlineState.met
    assert all(not d.pending for d in v.state.deadlines)
    closed = notes(harness, handle, "case_closed")
    assert len(closed) == 1 and closed[0].params["outcome"] == "performed"
    row = harness.row(handle.id)
    assert row is not None and row.status == "closed"


async def test_ma2_performance_date_in_the_past_is_refused(harness: Harness) -> None:
    """MA-2: an agreement cannot be performed by a date already gone."""
    day = await next_morning(harness)
    handle = await open_dispute(harness)
    yesterday = (day - timedelta(days=1)).isoformat()
    error = await refused_unchanged(
        harness,
        handle,
        DW.record_agreement,
        act(reason="agreement", amount="5500.00", performance_date=yesterday),
    )
    assert error.type == "InvalidActionInput" and "MA-2" in str(error)


async def test_ma2_unperformed_agreement_payment_order_objection_goes_to_court(
    harness: Harness,
) -> None:
    """MA-2: not performed by its date → agreement_unperformed; the court issues a payment
    order within 15 days; the employer answers within 15 days of receipt; an objection sends
    the case to litigation."""
    day = await next_morning(harness)
    handle = await open_dispute(harness)
    pay_by = day + timedelta(days=3)
    await handle.execute_update(
        DW.record_agreement,
        act(reason="agreement", amount="6000.00", performance_date=pay_by.isoformat()),
    )
    # Not before the agreed day: no payment order while the agreement runs.
    error = await refused_unchanged(harness, handle, DW.apply_payment_order, act())
    assert error.type == "ActionNotAllowed"

    await harness.sleep_until(midnight_after(pay_by) - timedelta(seconds=5))
    assert (await view(handle)).state.stage is DisputeStage.agreement
    await harness.sleep_until(midnight_after(pay_by) + timedelta(seconds=5))
    v = await view(handle)
    assert v.state.stage is DisputeStage.agreement_unperformed
    assert deadline(v, "performance").state is DeadlineState.breached
    assert len(notes(harness, handle, "agreement_unperformed")) == 1

    await next_morning(harness)
    applied_on = await today(harness)
    await handle.execute_update(DW.apply_payment_order, act(reason="worker applies to court"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.payment_order
    issue = deadline(v, "payment_order_issue")
    assert issue.rule == "MA-2" and issue.due_at == statutory_due(applied_on, 15)
    error = await refused_unchanged(harness, handle, DW.record_payment_order_objection, act())
    assert error.type == "ActionNotAllowed"

    await harness.env.sleep(timedelta(days=6))
    served_on = await served(harness, handle, DW.record_payment_order, "order served")
    v = await view(handle)
    assert deadline(v, "payment_order_issue").state is DeadlineState.met
    response = deadline(v, "payment_order_response")
    assert response.rule == "MA-2" and response.due_at == statutory_due(served_on, 15)

    await harness.env.sleep(timedelta(days=4))
    await handle.execute_update(DW.record_payment_order_objection, act(reason="employer objects"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.litigation
    assert deadline(v, "payment_order_response").state is DeadlineState.met
    assert all(not d.pending for d in v.state.deadlines)
    assert events(v)[-1] == "litigation"
    assert v.state.events[-1].details["why"] == "payment_order_objection"
    assert len(notes(harness, handle, "dispute_to_court")) == 1


async def test_ma2_ma10_unanswered_payment_order_takes_effect_with_two_years_to_enforce(
    harness: Harness,
) -> None:
    """MA-2, MA-10: the employer neither pays nor objects within 15 days of receipt: the
    payment order is effective and enforcement must be applied for within 2 years."""
    day = await next_morning(harness)
    handle = await open_dispute(harness)
    pay_by = day + timedelta(days=1)
    await handle.execute_update(
        DW.record_agreement,
        act(reason="agreement", amount="6000.00", performance_date=pay_by.isoformat()),
    )
    await harness.sleep_until(midnight_after(pay_by) + timedelta(hours=10))
    await handle.execute_update(DW.apply_payment_order, act(reason="worker applies to court"))
    served_on = await served(harness, handle, DW.record_payment_order, "served")
    response = deadline(await view(handle), "payment_order_response")
    assert response.due_at == statutory_due(served_on, 15)

    await harness.sleep_until(response.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert deadline(v, "payment_order_response").state is DeadlineState.breached
    assert events(v)[-1] == "payment_order_effective"
    assert v.state.stage is DisputeStage.payment_order
    effective_on = cst_day(response.due_at)  # the day after the last day to answer
    enforcement = deadline(v, "enforcement")
    assert enforcement.rule == "MA-10" and enforcement.state is DeadlineState.pending
    # MA-10, CAL-3: two years from the day it took effect, rolled past a rest day.
    two_years = (years_later(effective_on, 2) - effective_on).days
    assert enforcement.due_at == statutory_due(effective_on, two_years)
    error = await refused_unchanged(harness, handle, DW.record_payment_order_objection, act())
    assert error.type == "ActionNotAllowed"

    await handle.execute_update(DW.apply_enforcement, act(reason="worker applies to enforce"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.enforcement
    assert deadline(v, "enforcement").state is DeadlineState.met


# MA-3: limitation, computed when the case goes to arbitration.


async def test_ma3_expired_claim_is_flagged_time_barred(harness: Harness) -> None:
    """MA-3: a non-wage claim known more than a year before the application is time-barred;
    the case is flagged and the mediator told, and it goes on."""
    day = await next_morning(harness)
    known = day - timedelta(days=400)
    handle = await open_dispute(
        harness, wage_claim=False, claim_known_on=known.isoformat(), origin="arbitration"
    )
    v = await view(handle)
    limitation = v.state.limitation
    assert limitation is not None
    assert limitation.runs_from == known and limitation.applied_on == day
    assert limitation.expires_on == years_later(known, 1)
    assert limitation.time_barred
    assert v.state.events[-1].details["time_barred"] == "true"
    expired = notes(harness, handle, "limitation_expired")
    assert len(expired) == 1
    assert expired[0].params["expires_on"] == years_later(known, 1).isoformat()
    assert v.state.stage is DisputeStage.arbitration_applied


async def test_ma3_wage_claim_during_employment_is_not_time_barred(harness: Harness) -> None:
    """MA-3: pay unpaid during employment: the year runs only from the end of the job."""
    day = await next_morning(harness)
    long_ago = (day - timedelta(days=1100)).isoformat()
    still_employed = await open_dispute(harness, claim_known_on=long_ago, origin="arbitration")
    v = await view(still_employed)
    assert v.state.limitation is not None and not v.state.limitation.time_barred
    assert notes(harness, still_employed, "limitation_expired") == []

    ended = day - timedelta(days=400)
    left_long_ago = await open_dispute(
        harness,
        claim_known_on=long_ago,
        employment_ended_on=ended.isoformat(),
        origin="arbitration",
    )
    v = await view(left_long_ago)
    assert v.state.limitation is not None
    assert v.state.limitation.runs_from == ended and v.state.limitation.time_barred
    assert len(notes(harness, left_long_ago, "limitation_expired")) == 1


async def test_ma3_an_interruption_restarts_the_year(harness: Harness) -> None:
    """MA-3: a claim, complaint or promise interrupts the limitation: the year starts again
    (here twice, each time before the running year ended)."""
    day = await next_morning(harness)
    known = day - timedelta(days=600)
    interrupted = day - timedelta(days=200)
    handle = await open_dispute(
        harness,
        origin="arbitration",
        wage_claim=False,
        claim_known_on=known.isoformat(),
        limitation_interrupted_on=[
            (known + timedelta(days=300)).isoformat(),
            interrupted.isoformat(),
        ],
    )
    v = await view(handle)
    limitation = v.state.limitation
    assert limitation is not None
    assert limitation.runs_from == interrupted
    assert limitation.expires_on == years_later(interrupted, 1)
    assert not limitation.time_barred
    assert notes(harness, handle, "limitation_expired") == []


async def test_ma3_applying_for_mediation_interrupts_the_limitation(harness: Harness) -> None:
    """MA-3 (LDMAL Art.27 §2: asking a body for relief interrupts the limitation): a claim
    within its year when the worker applied for mediation is not barred because mediation
    passed its day 15 after the year would have ended."""
    day = await next_morning(harness)
    known = years_later(day, -1) + timedelta(days=5)  # the year ends 5 days from now
    handle = await open_dispute(harness, wage_claim=False, claim_known_on=known.isoformat())
    mediation = deadline(await view(handle), "mediation")
    await harness.sleep_until(mediation.due_at + timedelta(seconds=5))
    await handle.execute_update(DW.apply_for_arbitration, act(reason="the worker applies"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.arbitration_applied
    assert v.state.limitation is not None
    assert not v.state.limitation.time_barred, v.state.limitation
    assert notes(harness, handle, "limitation_expired") == []


# MA-4: acceptance and the green channel.


async def test_ma4_no_acceptance_decision_in_5_days_lets_the_worker_sue(harness: Harness) -> None:
    """MA-4: before the 5 days pass the worker may not sue; silence then opens the right."""
    day = await next_morning(harness)
    handle = await open_dispute(harness, origin="arbitration")
    acceptance = deadline(await view(handle), "acceptance")
    assert acceptance.due_at == statutory_due(day, 5)

    error = await refused_unchanged(harness, handle, DW.record_suit, suit("worker"))
    assert error.type == "ActionNotAllowed"

    await harness.sleep_until(acceptance.due_at - timedelta(seconds=5))
    assert not (await view(handle)).state.may_sue
    await harness.sleep_until(acceptance.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert v.state.may_sue
    assert deadline(v, "acceptance").state is DeadlineState.breached
    right = notes(harness, handle, "right_to_sue")
    assert len(right) == 1 and right[0].params["rule"] == "MA-4"
    assert "record_suit" in v.available_actions

    await handle.execute_update(DW.record_suit, suit("worker"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.litigation and v.state.worker_sued


async def test_ma4_refused_application_lets_the_worker_sue_at_once(harness: Harness) -> None:
    """MA-4: a refusal to accept opens the right to sue without waiting."""
    await next_morning(harness)
    handle = await open_dispute(harness)
    error = await refused_unchanged(harness, handle, DW.record_suit, suit("worker"))
    assert error.type == "ActionNotAllowed"  # not during mediation
    await to_arbitration(handle)
    error = await refused_unchanged(harness, handle, DW.record_suit, suit("worker"))
    assert error.type == "ActionNotAllowed"

    await handle.execute_update(
        DW.decide_acceptance, act(Role.supervisor, "outside our remit", decision="refuse")
    )
    v = await view(handle)
    assert v.state.may_sue and v.state.stage is DisputeStage.arbitration_applied
    assert deadline(v, "acceptance").state is DeadlineState.met
    assert events(v)[-1] == "arbitration_refused"
    right = notes(harness, handle, "right_to_sue")
    assert len(right) == 1 and right[0].params["rule"] == "MA-4"

    await handle.execute_update(DW.record_suit, suit("worker"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.litigation and v.state.worker_sued
    assert events(v)[-1] == "litigation"


async def test_ma4_acceptance_is_decided_by_arbitration_staff_only(harness: Harness) -> None:
    """MA-4: an inspector, or staff of another county, may not decide acceptance."""
    handle = await open_dispute(harness, origin="arbitration")
    for actor in (f.actor(Role.inspector), f.actor(Role.supervisor, county=f.OTHER_COUNTY)):
        error = await refused_unchanged(
            harness,
            handle,
            DW.decide_acceptance,
            {"actor": actor, "reason": "accept", "decision": "accept"},
        )
        assert error.type == "Forbidden"


async def test_ma4_green_channel_priority(harness: Harness) -> None:
    """MA-4: migrant workers' wage claims and groups of 10+ get priority; others do not."""
    migrants = await open_dispute(harness)
    group = await open_dispute(harness, workers=10, migrant_workers=False, wage_claim=False)
    ordinary = await open_dispute(harness, workers=3, migrant_workers=False, wage_claim=False)
    assert (await view(migrants)).state.priority
    assert (await view(group)).state.priority
    assert not (await view(ordinary)).state.priority
    rows = {h.id: harness.row(h.id) for h in (migrants, group, ordinary)}
    assert {case_id: row.priority if row else None for case_id, row in rows.items()} == {
        migrants.id: True,
        group.id: True,
        ordinary.id: False,
    }


# MA-5: service and defence.


async def test_ma5_service_in_5_days_and_defence_in_10_days_of_receipt(harness: Harness) -> None:
    """MA-5: the respondent is served within 5 days of acceptance; its defence is due within
    10 days of receiving the papers."""
    day = await next_morning(harness)
    handle = await accepted(harness)
    v = await view(handle)
    service = deadline(v, "service")
    assert service.rule == "MA-5" and service.due_at == statutory_due(day, 5)
    error = await refused_unchanged(
        harness, handle, DW.record_defence, act(reason="defence", received_on=day.isoformat())
    )
    assert error.type == "ActionNotAllowed"  # not served yet

    await harness.env.sleep(timedelta(days=2))
    served_on = await served(harness, handle, DW.record_service, "served by post")
    v = await view(handle)
    assert deadline(v, "service").state is DeadlineState.met
    defence = deadline(v, "defence")
    assert defence.rule == "MA-5" and defence.due_at == statutory_due(served_on, 10)

    await harness.env.sleep(timedelta(days=4))
    on = (await today(harness)).isoformat()
    await handle.execute_update(DW.record_defence, act(reason="defence filed", received_on=on))
    v = await view(handle)
    assert deadline(v, "defence").state is DeadlineState.met
    assert events(v)[-1] == "defence"


async def test_ma5_missing_defence_is_recorded_and_the_case_goes_on(harness: Harness) -> None:
    """MA-5: no defence by its due date: `no_defence` is recorded and an award can follow."""
    day = await next_morning(harness)
    handle = await accepted(harness)
    await handle.execute_update(DW.record_service, act(reason="served", served_on=day.isoformat()))
    defence = deadline(await view(handle), "defence")
    await harness.sleep_until(defence.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert deadline(v, "defence").state is DeadlineState.breached
    assert "no_defence" in events(v)
    assert v.state.stage is DisputeStage.arbitration
    on = (await today(harness)).isoformat()
    error = await refused_unchanged(
        harness, handle, DW.record_defence, act(reason="late defence", received_on=on)
    )
    assert error.type == "ActionNotAllowed"

    v = await award(harness, handle, "6000.00")
    assert v.state.stage is DisputeStage.award and v.state.award is not None


# MA-6: hearing notice.


async def test_ma6_hearing_notice_must_be_served_5_days_before(harness: Harness) -> None:
    """MA-6: a notice served 4 days before the hearing is refused; exactly 5 days is enough."""
    day = await next_morning(harness)
    handle = await accepted(harness)
    too_soon = datetime.combine(day + timedelta(days=4), time(9), CST)
    error = await refused_unchanged(
        harness,
        handle,
        DW.schedule_hearing,
        act(reason="hearing", hearing_at=too_soon.isoformat(), notice_served_on=day.isoformat()),
    )
    assert error.type == "InvalidActionInput" and "MA-6" in str(error)

    in_time = datetime.combine(day + timedelta(days=5), time(9), CST)
    await handle.execute_update(
        DW.schedule_hearing,
        act(reason="hearing", hearing_at=in_time.isoformat(), notice_served_on=day.isoformat()),
    )
    v = await view(handle)
    assert events(v)[-1] == "hearing_scheduled"
    assert datetime.fromisoformat(v.state.events[-1].details["hearing_at"]) == in_time


# MA-7: the 45 days to the award.


async def test_ma7_award_due_in_45_days_one_extension_of_15_with_the_chairs_approval(
    harness: Harness,
) -> None:
    """MA-7: 45 days from acceptance; one extension of at most 15 days, approved by the chair;
    no second extension."""
    day = await next_morning(harness)
    handle = await accepted(harness)
    due = deadline(await view(handle), "award")
    assert due.rule == "MA-7" and due.due_at == statutory_due(day, 45)

    chair = {
        "approver": f.actor(Role.supervisor, id="chair-01"),
        "approver_capacity": "arbitration_commission_chair",
    }
    ext = act(Role.mediator, "complex case", deadline="award")
    for bad in (
        {"days": 15},
        {"days": 16, **chair},
        {"days": 15, "approver": chair["approver"]},  # in no named capacity
        {"days": 15, **chair, "approver": f.actor(Role.inspector, id="insp-02")},
        {"days": 15, **chair, "approver": f.actor(Role.supervisor, f.OTHER_COUNTY, "chair-9")},
    ):
        error = await refused_unchanged(harness, handle, DW.extend_deadline, {**ext, **bad})
        assert error.type == "InvalidActionInput" and "MA-7" in str(error)
    self_approved = {**ext, "days": 10, "approver": f.actor(Role.mediator)}
    error = await refused_unchanged(harness, handle, DW.extend_deadline, self_approved)
    assert error.type == "InvalidActionInput"

    await handle.execute_update(DW.extend_deadline, {**ext, "days": 15, **chair})
    extended = deadline(await view(handle), "award")
    assert extended.due_at == statutory_due(day, 60)
    assert extended.extensions == 1 and extended.ledger[-1].approver_id == "chair-01"

    error = await refused_unchanged(
        harness, handle, DW.extend_deadline, {**ext, "days": 1, **chair}
    )
    assert error.type == "ActionNotAllowed" and "MA-7" in str(error)


async def test_ma7_changed_claims_restart_the_45_days(harness: Harness) -> None:
    """MA-7: added or changed claims restart the 45 days from the change."""
    await next_morning(harness)
    handle = await accepted(harness)
    await harness.env.sleep(timedelta(days=10))
    changed_on = await today(harness)
    claims = [
        {"description": "unpaid wages, March to May", "amount": "6000.00"},
        {"description": "double pay without a written contract", "amount": "9000.00"},
    ]
    await handle.execute_update(
        DW.change_claims, act(Role.mediator, "worker adds a claim", claims=claims)
    )
    v = await view(handle)
    restarted = deadline(v, "award")
    assert restarted.due_at == statutory_due(changed_on, 45)
    assert cst_day(restarted.start_at) == changed_on
    assert restarted.ledger[-1].change == "restarted"
    assert [c.amount for c in v.state.claims] == [Decimal("6000.00"), Decimal("9000.00")]
    assert events(v)[-1] == "claims_changed"


async def test_ma7_suspension_days_do_not_count(harness: Harness) -> None:
    """MA-7: while suspended the award deadline does not fire; resuming shifts it by the days
    paused."""
    day = await next_morning(harness)
    handle = await accepted(harness)
    original = deadline(await view(handle), "award")
    await harness.env.sleep(timedelta(days=1))
    paused_on = await today(harness)
    await handle.execute_update(
        DW.pause_deadline, act(Role.supervisor, "suspended: awaiting a ruling", deadline="award")
    )
    chair = f.actor(Role.supervisor, id="chair-01")
    error = await refused_unchanged(
        harness,
        handle,
        DW.extend_deadline,
        act(Role.mediator, "extend", deadline="award", days=5, approver=chair),
    )
    assert error.type == "ActionNotAllowed"  # resume first

    await harness.sleep_until(original.due_at + timedelta(days=1))
    v = await view(handle)
    assert deadline(v, "award").state is DeadlineState.pending and not v.state.may_sue

    resumed_on = await today(harness)
    await handle.execute_update(
        DW.resume_deadline, act(Role.supervisor, "suspension over", deadline="award")
    )
    paused_days = (resumed_on - paused_on).days
    last = statutory_last_day(day + timedelta(days=paused_days), 45)
    resumed = deadline(await view(handle), "award")
    assert resumed.due_at == midnight_after(last)
    assert resumed.state is DeadlineState.pending

    await harness.sleep_until(resumed.due_at + timedelta(seconds=5))
    assert (await view(handle)).state.may_sue


async def test_ma7_no_award_in_time_lets_a_party_sue(harness: Harness) -> None:
    """MA-7: the 45 days pass without an award: the right to sue opens."""
    await next_morning(harness)
    handle = await accepted(harness)
    error = await refused_unchanged(harness, handle, DW.record_suit, suit("worker"))
    assert error.type == "ActionNotAllowed"
    due = deadline(await view(handle), "award")
    await harness.sleep_until(due.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert v.state.may_sue
    assert deadline(v, "award").state is DeadlineState.breached
    assert [n.params["rule"] for n in notes(harness, handle, "right_to_sue")] == ["MA-7"]
    await handle.execute_update(DW.record_suit, suit("worker"))
    assert (await view(handle)).state.stage is DisputeStage.litigation


async def test_ma7_changed_claims_after_the_award_period_ran_out_start_a_new_one(
    harness: Harness,
) -> None:
    """MA-7: the 45 days ran out (a party may sue); a claim changed after that starts a new
    45-day period from the change, and the case keeps answering."""
    await next_morning(harness)
    handle = await accepted(harness)
    due = deadline(await view(handle), "award")
    await harness.sleep_until(due.due_at + timedelta(hours=10))
    v = await view(handle)
    assert v.state.may_sue and v.state.stage is DisputeStage.arbitration

    changed_on = await today(harness)
    claims = [{"description": "unpaid wages, March to June", "amount": "8000.00"}]
    # A handler that crashed the workflow task would hang here instead of answering.
    await asyncio.wait_for(
        handle.execute_update(
            DW.change_claims, act(Role.mediator, "worker adds June", claims=claims)
        ),
        timeout=5,
    )
    v = await view(handle)
    awards = [d for d in v.state.deadlines if d.name == "award"]
    assert [d.state for d in awards] == [DeadlineState.breached, DeadlineState.pending]
    assert awards[-1].rule == "MA-7" and awards[-1].due_at == statutory_due(changed_on, 45)
    assert not v.state.may_sue
    assert [c.amount for c in v.state.claims] == [Decimal("8000.00")]


# MA-8: final awards.


async def test_ma8_award_within_12_months_minimum_wage_is_final_the_day_made(
    harness: Harness,
) -> None:
    """MA-8: every item at most 12 x 2000 (default minimum wage): final, effective the day it
    is made, with 2 years to apply for enforcement (MA-10)."""
    day = await next_morning(harness)
    handle = await accepted(harness)
    v = await award(harness, handle, "24000.00", "3000.00")
    made = v.state.award
    assert made is not None
    assert made.final and made.threshold == Decimal("24000")
    assert made.made_on == day and made.effective_on == day
    assert deadline(v, "award").state is DeadlineState.met
    enforcement = deadline(v, "enforcement")
    assert enforcement.rule == "MA-10" and enforcement.state is DeadlineState.pending
    # MA-10, CAL-3: two years from the day it took effect, rolled past a rest day.
    assert enforcement.due_at == statutory_due(day, (years_later(day, 2) - day).days)
    assert enforcement.provisional is not year_known(years_later(day, 2).year)
    assert made.monthly_minimum_wage == Decimal("2000") and made.items_final == [True, True]
    made_notes = notes(harness, handle, "award_made")
    assert len(made_notes) == 1 and made_notes[0].params["final"] == "true"


async def test_ma8_one_item_above_the_threshold_makes_the_award_non_final(
    harness: Harness,
) -> None:
    """MA-8: an award mixing final and non-final items is non-final, and not yet effective."""
    await next_morning(harness)
    handle = await accepted(harness)
    v = await award(harness, handle, "3000.00", "24000.01")
    assert v.state.award is not None
    assert not v.state.award.final and v.state.award.effective_on is None
    assert [d.name for d in v.state.deadlines if d.name == "enforcement"] == []
    assert notes(harness, handle, "award_made")[0].params["final"] == "false"


# MA-9: after the award.


async def test_ma9_final_award_worker_sues_then_employer_may_not_revoke(harness: Harness) -> None:
    """MA-9: a final award opens the worker's 15 days to sue and the employer's 30 days to
    apply to revoke; the employer may not sue it; once the worker sued, no revocation."""
    await next_morning(harness)
    handle = await accepted(harness)
    await award(harness, handle, "6000.00")
    on = await today(harness)
    v = await received(harness, handle)
    assert v.state.award is not None and v.state.award.received_on == on
    worker_suit = deadline(v, "worker_suit")
    revocation = deadline(v, "employer_revocation")
    assert worker_suit.rule == revocation.rule == "MA-9"
    assert worker_suit.due_at == statutory_due(on, 15)
    assert revocation.due_at == statutory_due(on, 30)

    error = await refused_unchanged(harness, handle, DW.record_suit, suit("employer"))
    assert error.type == "ActionNotAllowed" and "MA-9" in str(error)

    await harness.env.sleep(timedelta(days=5))
    await handle.execute_update(DW.record_suit, suit("worker"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.litigation and v.state.worker_sued
    error = await refused_unchanged(
        harness, handle, DW.apply_revocation, act(reason="employer applies to revoke")
    )
    assert error.type == "ActionNotAllowed"


async def test_ma9_final_award_employer_revocation_within_30_days(harness: Harness) -> None:
    """MA-9: the employer may apply to revoke a final award within 30 days of receipt; the
    worker's 15 days to sue, once passed, are closed."""
    await next_morning(harness)
    handle = await accepted(harness)
    await award(harness, handle, "6000.00")
    v = await received(harness, handle)
    worker_suit = deadline(v, "worker_suit")
    await harness.sleep_until(worker_suit.due_at + timedelta(hours=10))
    v = await view(handle)
    assert deadline(v, "worker_suit").state is DeadlineState.breached
    error = await refused_unchanged(harness, handle, DW.record_suit, suit("worker"))
    assert error.type == "ActionNotAllowed"

    await handle.execute_update(DW.apply_revocation, act(reason="employer applies to revoke"))
    v = await view(handle)
    assert deadline(v, "employer_revocation").state is DeadlineState.met
    assert events(v)[-1] == "revocation_applied"
    assert len(notes(harness, handle, "revocation_applied")) == 1


async def test_ma9_non_final_award_nobody_sues_in_15_days_takes_effect(harness: Harness) -> None:
    """MA-9, MA-10: after a non-final award either party may sue within 15 days of receipt;
    if nobody does the award takes effect and the 2 years to enforce start."""
    await next_morning(harness)
    handle = await accepted(harness)
    await award(harness, handle, "30000.00")
    on = await today(harness)
    v = await received(harness, handle)
    window = deadline(v, "suit")
    assert window.rule == "MA-9" and window.due_at == statutory_due(on, 15)
    assert [d for d in v.state.deadlines if d.name == "employer_revocation"] == []
    error = await refused_unchanged(harness, handle, DW.apply_enforcement, act())
    assert error.type == "ActionNotAllowed"  # not effective yet

    await harness.sleep_until(window.due_at - timedelta(seconds=5))
    v = await view(handle)
    assert v.state.award is not None and v.state.award.effective_on is None
    await harness.sleep_until(window.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert deadline(v, "suit").state is DeadlineState.breached
    effective_on = cst_day(window.due_at)  # the day after the last day to sue
    assert v.state.award is not None and v.state.award.effective_on == effective_on
    enforcement = deadline(v, "enforcement")
    assert enforcement.due_at == midnight_after(years_later(effective_on, 2))
    for by in ("worker", "employer"):
        error = await refused_unchanged(harness, handle, DW.record_suit, suit(by))
        assert error.type == "ActionNotAllowed"


async def test_ma9_employer_may_sue_a_non_final_award_within_the_window(
    harness: Harness,
) -> None:
    """MA-9: against a non-final award the employer, too, may sue within 15 days."""
    await next_morning(harness)
    handle = await accepted(harness)
    await award(harness, handle, "30000.00")
    await received(harness, handle)
    await harness.env.sleep(timedelta(days=7))
    await handle.execute_update(DW.record_suit, suit("employer"))
    v = await view(handle)
    assert v.state.stage is DisputeStage.litigation and not v.state.worker_sued
    assert deadline(v, "suit").state is DeadlineState.cancelled
    assert v.state.events[-1].details["why"] == "employer_sued"


# MA-10: enforcement.


async def test_ma10_enforcement_with_advance_execution(harness: Harness) -> None:
    """MA-10: enforcement of an effective (final) award, with advance execution; once only."""
    await next_morning(harness)
    handle = await accepted(harness)
    await award(harness, handle, "6000.00")
    await handle.execute_update(
        DW.apply_enforcement, act(reason="employer has not paid", advance_execution=True)
    )
    v = await view(handle)
    assert v.state.stage is DisputeStage.enforcement
    assert v.state.advance_execution
    assert deadline(v, "enforcement").state is DeadlineState.met
    assert v.state.events[-1].kind == "enforcement_applied"
    assert v.state.events[-1].details["advance_execution"] == "true"
    error = await refused_unchanged(harness, handle, DW.apply_enforcement, act())
    assert error.type == "ActionNotAllowed" and "MA-10" in str(error)


async def test_ma10_enforcement_refused_without_an_effective_award(harness: Harness) -> None:
    """MA-10: nothing to enforce during mediation or arbitration."""
    handle = await open_dispute(harness)
    error = await refused_unchanged(harness, handle, DW.apply_enforcement, act())
    assert error.type == "ActionNotAllowed" and "MA-10" in str(error)
    handle = await accepted(harness)
    error = await refused_unchanged(harness, handle, DW.apply_enforcement, act())
    assert error.type == "ActionNotAllowed" and "MA-10" in str(error)


# The link between a wage-arrears case and the dispute it referred.


def wa_case_id() -> str:
    """The form a linked case id must have (the harness's default ids do not)."""
    return f"WA-2026-{100000 + uuid.uuid4().int % 900000:06d}"


async def referred(harness: Harness) -> tuple[Handle, Handle]:
    """A wage-arrears case of 3 workers (one paid, one partly paid) referred to mediation."""
    wa = await harness.open_case(f.intake(workers=3, amount="3000.00"), case_id=wa_case_id())
    paid_on = (await today(harness)).isoformat()
    for worker_no, amount in ((1, "3000.00"), (2, "1000.00")):
        await wa.execute_update(
            WF.record_payment,
            act(Role.inspector, "paid", worker_no=worker_no, amount=amount, paid_on=paid_on),
        )
        payment_id = (await harness.view(wa)).state.payments[-1].payment_id
        await wa.execute_update(
            WF.confirm_payment, act(Role.mediator, "worker confirmed", payment_id=payment_id)
        )
    await wa.execute_update(WF.refer_to_mediation, act(Role.mediator, "refer to mediation"))
    links = (await harness.view(wa)).state.linked_cases
    assert [(link.kind, link.relation) for link in links] == [("dispute", "referred_to")]
    dispute_id = links[0].case_id
    assert dispute_id.startswith("MA-")
    dispute = await harness.opened(DW, harness.client.get_workflow_handle(dispute_id))
    return wa, dispute


async def wa_view_until(harness: Harness, wa: Handle, done: Callable[[Any], bool]) -> Any:
    """The outcome signal is asynchronous: polls the wage-arrears case a few times."""
    for _ in range(10):
        v = await harness.view(wa)
        if done(v):
            return v
        await harness.env.sleep(timedelta(seconds=1))
    return await harness.view(wa)


async def test_ma1_ma2_referral_opens_a_linked_dispute_whose_performance_settles_the_case(
    harness: Harness,
) -> None:
    """MA-1, MA-2, WA-5: a referral opens a dispute case for what is still owed, linked both
    ways; its performed agreement is reported back, and the wage-arrears case settles once
    the agreed amount is paid and confirmed there, not before."""
    day = await next_morning(harness)
    wa, dispute = await referred(harness)
    v = await view(dispute)
    assert v.state.intake.linked_case_id == wa.id
    assert v.state.intake.origin == "mediation" and v.state.stage is DisputeStage.mediation
    assert [c.amount for c in v.state.claims] == [Decimal("2000.00"), Decimal("3000.00")]
    assert [w.id_number for w in v.state.intake.workers] == [f.resident_id(2), f.resident_id(3)]
    assert v.state.priority
    assert deadline(v, "mediation").due_at == statutory_due(day, 15)
    opened = notes(harness, dispute, "dispute_opened")
    assert len(opened) == 1 and opened[0].params["linked_case_id"] == wa.id

    await dispute.execute_update(
        DW.record_agreement,
        act(
            reason="agreement",
            amount="5000.00",
            performance_date=(day + timedelta(days=5)).isoformat(),
        ),
    )
    await dispute.execute_update(DW.record_performance, act(reason="paid in full"))
    assert (await view(dispute)).state.close_outcome == "performed"

    w = await wa_view_until(harness, wa, lambda w: w.state.linked_cases[0].outcome is not None)
    assert w.state.linked_cases[0].outcome == "performed"
    step = w.state.ladder[-1]
    assert (step.rung, step.rule) == ("dispute_outcome", "MA-2")
    assert step.details == {"dispute_id": dispute.id, "outcome": "performed"}
    # WA-5: performed in the dispute, but nothing is paid and confirmed here yet.
    assert w.state.status is CaseStatus.open and not w.state.given_up
    assert [a.outstanding for a in w.accounts] == [Decimal("0"), Decimal("2000"), Decimal("3000")]
    assert len(notes(harness, wa, "dispute_amount_owed")) == 1

    await pay_confirmed(harness, wa, 2, "2000.00")
    assert (await harness.view(wa)).state.status is CaseStatus.open
    await pay_confirmed(harness, wa, 3, "3000.00")
    w = await harness.view(wa)
    assert w.state.status is CaseStatus.settled
    assert all(not d.pending for d in w.state.deadlines)


async def pay_confirmed(harness: Harness, wa: Handle, worker_no: int, amount: str) -> None:
    paid_on = (await today(harness)).isoformat()
    await wa.execute_update(
        WF.record_payment,
        act(Role.inspector, "paid", worker_no=worker_no, amount=amount, paid_on=paid_on),
    )
    payment_id = (await harness.view(wa)).state.payments[-1].payment_id
    await wa.execute_update(WF.confirm_payment, act(Role.mediator, "ok", payment_id=payment_id))


async def test_wa5_agreement_for_less_changes_what_is_owed_never_what_is_recovered(
    harness: Harness,
) -> None:
    """WA-5: 5 000 outstanding, a performed agreement of 1 000: 4 000 given up by agreement
    (shared by the workers in proportion), not recovered; the case is not settled until the
    1 000 is paid and confirmed, and the read model counts only confirmed payments."""
    day = await next_morning(harness)
    wa, dispute = await referred(harness)
    await dispute.execute_update(
        DW.record_agreement,
        act(reason="agreed", amount="1000.00", performance_date=(day + timedelta(1)).isoformat()),
    )
    await dispute.execute_update(DW.record_performance, act(reason="paid in the dispute"))
    w = await wa_view_until(harness, wa, lambda w: bool(w.state.given_up))
    assert w.state.status is CaseStatus.open
    assert [(g.worker_no, g.amount, g.basis) for g in w.state.given_up] == [
        (2, Decimal("1600.00"), "agreement"),
        (3, Decimal("2400.00"), "agreement"),
    ]
    assert [a.outstanding for a in w.accounts] == [Decimal("0"), Decimal("400"), Decimal("600")]
    row = harness.row(wa.id)
    assert row is not None and row.status == "open"
    assert row.amount_paid == Decimal("4000.00") and row.amount_owed == Decimal("5000.00")
    too_much = act(Role.inspector, "paid", worker_no=3, amount="600.01", paid_on=day.isoformat())
    error = await refused(wa.execute_update(WF.record_payment, too_much))
    assert error.type == "InvalidActionInput"

    await pay_confirmed(harness, wa, 2, "400.00")
    await pay_confirmed(harness, wa, 3, "600.00")
    w = await harness.view(wa)
    assert w.state.status is CaseStatus.settled
    row = harness.row(wa.id)
    assert row is not None and row.amount_paid == Decimal("5000.00")


async def to_court(harness: Harness) -> tuple[Handle, Handle]:
    """A referred dispute: mediation fails, arbitration refuses it, the worker sues (MA-4)."""
    wa, dispute = await referred(harness)
    await to_arbitration(dispute)
    await dispute.execute_update(
        DW.decide_acceptance, act(Role.supervisor, "refused", decision="refuse")
    )
    await dispute.execute_update(DW.record_suit, suit("worker"))
    assert (await view(dispute)).state.stage is DisputeStage.litigation
    w = await wa_view_until(harness, wa, lambda w: w.state.status is CaseStatus.closed)
    assert w.state.status is CaseStatus.closed
    return wa, dispute


async def test_ma4_ma9_linked_dispute_going_to_court_closes_the_case_as_transferred(
    harness: Harness,
) -> None:
    """MA-4, MA-9: the referred dispute fails mediation, arbitration refuses it and the worker
    sues: the wage-arrears case closes as transferred."""
    await next_morning(harness)
    wa, dispute = await to_court(harness)
    w = await harness.view(wa)
    assert w.state.close_outcome is CloseOutcome.transferred
    assert w.state.linked_cases[0].outcome == "litigation"
    assert w.state.ladder[-1].rung == "dispute_outcome"
    row = harness.row(wa.id)
    assert row is not None and row.status == "closed"


async def linked_directly(harness: Harness) -> tuple[Handle, Handle]:
    """A dispute opened with a link to a wage-arrears case (not as its child, so the test
    server's clock keeps skipping when the dispute closes after the wage-arrears case). The
    wage-arrears case did not refer it, so it believes none of its outcomes (MA-1)."""
    wa = await harness.open_case(f.intake(), case_id=wa_case_id())
    dispute = await open_dispute(harness, linked_case_id=wa.id)
    return wa, dispute


async def test_ma9_linked_dispute_is_judged_after_its_wage_arrears_case_closed(
    isolated_harness: Harness,
) -> None:
    """MA-9: the dispute goes on in court after the wage-arrears case it reports to closed as
    transferred; recording the judgment closes it, in the case and in the read model."""
    harness = isolated_harness
    await next_morning(harness)
    wa, dispute = await referred(harness)
    await to_arbitration(dispute)
    await dispute.execute_update(
        DW.decide_acceptance, act(Role.supervisor, "refused", decision="refuse")
    )
    await dispute.execute_update(DW.record_suit, suit("worker"))
    w = await wa_view_until(harness, wa, lambda w: w.state.status is CaseStatus.closed)
    assert w.state.close_outcome is CloseOutcome.transferred

    await dispute.execute_update(
        DW.record_judgment, act(reason="judgment for the worker", outcome="for_worker")
    )
    v = await view(dispute)
    assert v.state.stage is DisputeStage.closed and v.state.close_outcome == "judged"
    row = harness.row(dispute.id)
    assert row is not None and row.status == "closed"
    assert len(notes(harness, dispute, "case_closed")) == 1


async def test_ma9_ma10_linked_award_takes_effect_after_the_wage_arrears_case_closed(
    harness: Harness,
) -> None:
    """MA-9, MA-10: the wage-arrears case the dispute reports to was closed (withdrawn); the
    dispute's non-final award still takes effect when nobody sues, the read model shows the
    enforcement window and enforcement can be applied for."""
    await next_morning(harness)
    wa, dispute = await linked_directly(harness)
    await wa.execute_update(
        WF.close, act(Role.supervisor, "complaint withdrawn", outcome="withdrawn")
    )
    await apply_and_accept(dispute)
    await award(harness, dispute, "30000.00")
    window = deadline(await received(harness, dispute), "suit")
    await harness.sleep_until(window.due_at + timedelta(seconds=5))

    v = await view(dispute)
    assert v.state.award is not None and v.state.award.effective_on == cst_day(window.due_at)
    row = harness.row(dispute.id)
    assert row is not None and row.next_due_name == "enforcement"
    await dispute.execute_update(DW.apply_enforcement, act(reason="worker applies to enforce"))
    assert (await view(dispute)).state.stage is DisputeStage.enforcement
