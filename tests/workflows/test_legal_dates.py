"""Clocks counted from the legal date (CAL-3): the day of acceptance, service, receipt or the
award, not the day a clerk records it (MA-2, MA-5, MA-8, MA-9, SI-1); and WA-1 after a
general triage, WA-2's past deadline, WA-11's early removal, WA-12's two years.

Every legal date here lies 4 days before the day it is recorded, across a weekday holiday (a
loaded official schedule) and a weekend, so a clock counted from the recording day fails.
Time moves only when a test sleeps on the time-skipping server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from domain.common import CST, Role
from domain.deadlines import DeadlineState
from domain.dispute.models import DisputeStage
from domain.insurance.models import TransferStage
from domain.wage_arrears.models import CaseStatus
from store.calendar import save_schedule
from tests import factories as f
from tests.workflows import test_insurance_transfer as si
from tests.workflows.conftest import Harness, refused
from tests.workflows.test_dispute import (
    DW,
    WF,
    Handle,
    act,
    deadline,
    events,
    is_workday,
    midnight_after,
    open_dispute,
    refused_unchanged,
    statutory_due,
    view,
)
from tests.workflows.test_wage_arrears_ladder import refused_unchanged as wa_refused_unchanged
from workflows.insurance_transfer import InsuranceTransferWorkflow as TW


@dataclass
class Week:
    """A Thursday `legal`, a holiday on the Friday, the weekend, and Monday `recording`."""

    legal: date
    holiday: date
    recording: date

    @property
    def eve(self) -> date:
        """The day before `legal`."""
        return self.legal - timedelta(days=1)

    def workday(self, day: date) -> bool:
        if day.year == self.holiday.year:
            return day != self.holiday and day.weekday() < 5
        return is_workday(day)


async def at(harness: Harness, day: date, hour: int = 10) -> None:
    await harness.sleep_until(datetime.combine(day, time(hour), CST))


async def week(harness: Harness, days_before: int = 0) -> Week:
    """Moves to 10:00 CST on the next Thursday (or `days_before` it), with its Friday loaded
    as a holiday."""
    day = (await harness.now()).astimezone(CST).date() + timedelta(days=1)
    while day.weekday() != 3 or day.year != (day + timedelta(days=1)).year:
        day += timedelta(days=1)
    w = Week(legal=day, holiday=day + timedelta(days=1), recording=day + timedelta(days=4))
    save_schedule(harness.engine, w.holiday.year, [w.holiday], [], source="test notice")
    await at(harness, w.legal - timedelta(days=days_before))
    return w


async def accepted_on_legal_day(harness: Harness, w: Week) -> Handle:
    handle = await open_dispute(harness, origin="arbitration")
    await handle.execute_update(
        DW.decide_acceptance, act(Role.supervisor, "complete", decision="accept")
    )
    return handle


def iso(day: date) -> str:
    return day.isoformat()


async def refused_as_invalid(
    harness: Harness, handle: Handle, update: object, **fields: Any
) -> None:
    """An action dated on a day the law does not allow here is refused as invalid input, the
    case unchanged."""
    error = await refused_unchanged(harness, handle, update, act(**fields))
    assert error.type == "InvalidActionInput"


async def test_ma5_cal3_defence_due_10_days_from_the_respondents_receipt(
    harness: Harness,
) -> None:
    """MA-5, CAL-3: served Thursday, recorded Monday: the defence's 10 days run from the
    Thursday; a date of service in the future or before acceptance is refused (422), nothing
    recorded; the missing defence is recorded when the 10 days pass."""
    w = await week(harness)
    handle = await accepted_on_legal_day(harness, w)
    await at(harness, w.recording)
    for bad in (w.recording + timedelta(days=1), w.eve):
        await refused_as_invalid(
            harness, handle, DW.record_service, reason="served", served_on=iso(bad)
        )
    await handle.execute_update(DW.record_service, act(reason="served", served_on=iso(w.legal)))
    defence = deadline(await view(handle), "defence")
    assert defence.due_at == statutory_due(w.legal, 10, w.workday)
    assert defence.due_at != statutory_due(w.recording, 10, w.workday)
    assert (await view(handle)).state.respondent_served_on == w.legal
    await refused_as_invalid(
        harness, handle, DW.record_defence, reason="in", received_on=iso(w.eve)
    )

    await harness.sleep_until(defence.due_at - timedelta(seconds=5))
    assert deadline(await view(handle), "defence").state is DeadlineState.pending
    await harness.sleep_until(defence.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert deadline(v, "defence").state is DeadlineState.breached
    assert "no_defence" in events(v)


async def test_ma2_cal3_payment_order_clocks_from_acceptance_and_from_receipt(
    harness: Harness,
) -> None:
    """MA-2, CAL-3: the court accepted Thursday (recorded Monday): it issues within 15 days of
    the Thursday; the employer received the order on a Wednesday (recorded the Monday after):
    15 days from the Wednesday, after which the order takes effect (MA-10)."""
    w = await week(harness, days_before=1)
    handle = await open_dispute(harness)
    await handle.execute_update(
        DW.record_agreement,
        act(reason="agreed", amount="6000.00", performance_date=iso(w.eve)),
    )
    await at(harness, w.recording)
    assert (await view(handle)).state.stage is DisputeStage.agreement_unperformed
    for bad in (w.recording + timedelta(days=1), w.eve):
        await refused_as_invalid(
            harness, handle, DW.apply_payment_order, reason="applied", accepted_on=iso(bad)
        )
    await handle.execute_update(
        DW.apply_payment_order, act(reason="applied", accepted_on=iso(w.legal))
    )
    issue = deadline(await view(handle), "payment_order_issue")
    assert issue.due_at == statutory_due(w.legal, 15, w.workday)
    assert issue.due_at != statutory_due(w.recording, 15, w.workday)

    served = w.recording + timedelta(days=2)  # Wednesday
    await at(harness, served + timedelta(days=5))  # the Monday after
    await refused_as_invalid(
        harness, handle, DW.record_payment_order, reason="served", served_on=iso(w.eve)
    )
    await handle.execute_update(
        DW.record_payment_order, act(reason="served", served_on=iso(served))
    )
    response = deadline(await view(handle), "payment_order_response")
    assert response.due_at == statutory_due(served, 15, w.workday)
    await harness.sleep_until(response.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert "payment_order_effective" in events(v)
    assert deadline(v, "enforcement").state is DeadlineState.pending


async def test_ma8_ma9_cal3_award_effective_when_made_windows_from_each_partys_receipt(
    harness: Harness,
) -> None:
    """MA-8: a final award made Thursday (recorded Monday) takes effect that Thursday, and
    MA-10's window counts from it; MA-9: the worker received it Thursday (15 days from then),
    the employer on the Monday (30 days from then); dates before the award or acceptance, or
    in the future, are refused."""
    w = await week(harness)
    handle = await accepted_on_legal_day(harness, w)
    await at(harness, w.recording)
    items = [{"description": "wages", "amount": "20000.00"}]
    for bad in (w.recording + timedelta(days=1), w.eve):
        await refused_as_invalid(
            harness, handle, DW.record_award, reason="award", items=items, made_on=iso(bad)
        )
    await handle.execute_update(
        DW.record_award, act(reason="award", items=items, made_on=iso(w.legal))
    )
    v = await view(handle)
    assert v.state.award is not None and v.state.award.final
    assert v.state.award.effective_on == w.legal
    enforcement = deadline(v, "enforcement")
    assert enforcement.start_at.astimezone(CST).date() == w.legal

    await refused_as_invalid(
        harness,
        handle,
        DW.record_award_received,
        reason="x",
        received_on=iso(w.eve),
        party="worker",
    )
    await handle.execute_update(
        DW.record_award_received, act(reason="worker", received_on=iso(w.legal), party="worker")
    )
    await handle.execute_update(
        DW.record_award_received,
        act(reason="employer", received_on=iso(w.recording), party="employer"),
    )
    v = await view(handle)
    worker_suit, revocation = deadline(v, "worker_suit"), deadline(v, "employer_revocation")
    assert worker_suit.due_at == statutory_due(w.legal, 15, w.workday)
    assert worker_suit.due_at != statutory_due(w.recording, 15, w.workday)
    assert revocation.due_at == statutory_due(w.recording, 30, w.workday)
    assert "record_award_received" not in v.available_actions

    await harness.sleep_until(worker_suit.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert deadline(v, "worker_suit").state is DeadlineState.breached
    assert deadline(v, "employer_revocation").state is DeadlineState.pending


async def test_si1_cal1_old_agency_from_its_receipt_of_the_letter_new_from_the_funds(
    harness: Harness,
) -> None:
    """SI-1, CAL-1: the old agency received the acceptance letter Thursday (recorded Monday):
    its 15 working days run from the Thursday, skipping the holiday and the weekend; the new
    agency received the funds on a Tuesday, recorded on Thursday: its 15 from the Tuesday."""
    w = await week(harness, days_before=1)
    handle = await si.open_transfer(harness, si.transfer_intake())
    new, old = si.clerk(si.NEW), si.clerk(si.OLD)
    await at(harness, w.recording)
    for bad in (w.recording + timedelta(days=1), w.legal - timedelta(days=2)):
        error = await refused_unchanged_si(
            handle, TW.issue_acceptance_letter, si.cmd(new, received_on=iso(bad))
        )
        assert error.type == "InvalidActionInput"
    await handle.execute_update(
        TW.issue_acceptance_letter, si.cmd(new, "accepted", received_on=iso(w.legal))
    )
    transfer = si.deadline(await si.view(handle), "transfer")
    workdays = si.Workdays(holidays=[w.holiday], year=w.holiday.year)
    assert transfer.due_at == midnight_after(workdays.add(w.legal, 15))
    assert transfer.due_at != midnight_after(workdays.add(w.recording, 15))

    await handle.execute_update(TW.send_transfer, si.cmd(old, "sent"))
    amounts = (await si.view(handle)).state.amounts
    assert amounts is not None
    funds_in = w.recording + timedelta(days=1)
    await at(harness, funds_in + timedelta(days=2))
    receipt = {
        "individual_account": str(amounts.individual_account),
        "pooled_funds": str(amounts.pooled_funds),
    }
    error = await refused_unchanged_si(
        handle,
        TW.confirm_receipt,
        si.cmd(new, **receipt, received_on=iso(w.recording - timedelta(days=1))),
    )
    assert error.type == "InvalidActionInput"
    await handle.execute_update(
        TW.confirm_receipt, si.cmd(new, "in", **receipt, received_on=iso(funds_in))
    )
    v = await si.view(handle)
    assert v.state.stage is TransferStage.received
    completion = si.deadline(v, "completion")
    assert completion.due_at == midnight_after(workdays.add(funds_in, 15))
    await harness.sleep_until(completion.due_at + timedelta(seconds=5))
    v = await si.view(handle)
    assert si.deadline(v, "completion").state is DeadlineState.breached


async def refused_unchanged_si(handle: Handle, update: object, arg: dict[str, object]) -> object:
    before = await si.view(handle)
    error = await refused(handle.execute_update(update, arg))  # type: ignore[call-overload]
    assert await si.view(handle) == before
    return error


# WA-1, WA-2, WA-11, WA-12 on the wage-arrears case.


async def test_wa1_cal4_case_triaged_general_escalates_three_days_after_opening(
    harness: Harness,
) -> None:
    """WA-1, CAL-4: opened major only for a mass-incident risk, triaged general the next day:
    the 3 days run from the opening day, and the case escalates by itself when they pass."""
    w = await week(harness)
    handle = await harness.open_case(f.intake(mass_incident_risk=True))
    assert (await harness.view(handle)).state.status is CaseStatus.triage_pending
    await at(harness, w.legal + timedelta(days=1))
    await handle.execute_update(
        WF.triage,
        act(Role.supervisor, "no risk", severity="general", mass_incident_risk=False),
    )
    v = await harness.view(handle)
    settle = [d for d in v.state.deadlines if d.name == "settle"][-1]
    assert settle.rule == "WA-1" and settle.due_at == midnight_after(w.legal + timedelta(days=3))
    await harness.sleep_until(settle.due_at - timedelta(seconds=5))
    assert (await harness.view(handle)).state.status is CaseStatus.open
    await harness.sleep_until(settle.due_at + timedelta(seconds=5))
    v = await harness.view(handle)
    assert v.state.status is CaseStatus.escalated
    assert [b.rule for b in v.state.breaches] == ["WA-1"]


async def test_wa2_resolution_deadline_in_the_past_is_refused(harness: Harness) -> None:
    """WA-2: a major case's deadline must lie in the future (422, nothing recorded)."""
    handle = await harness.open_case(f.intake(workers=12, amount="900.00"))
    past = (await harness.now()) - timedelta(hours=1)
    error = await wa_refused_unchanged(
        harness,
        handle,
        WF.triage,
        act(Role.supervisor, "12 workers", severity="major", resolution_deadline=past.isoformat()),
    )
    assert error.type == "InvalidActionInput" and "WA-2" in str(error)


async def test_wa11_early_removal_applied_for_six_months_after_paying_in_full(
    harness: Harness,
) -> None:
    """WA-11: listed after a missed order; paid in full; the application 6 months later is
    recorded and decided; before that it is refused."""
    claims = [f.worker(1, "6000.00", months_owed=3)]
    handle = await harness.open_case({**f.intake(), "workers": claims})
    await handle.execute_update(WF.issue_order_to_pay, act(Role.inspector, "order"))
    await harness.env.sleep(timedelta(days=8))
    await handle.execute_update(WF.list_on_punishment_list, act(Role.supervisor, "listed"))
    paid_on = (await harness.now()).astimezone(CST).date()
    await handle.execute_update(
        WF.record_payment,
        act(Role.inspector, "paid", worker_no=1, amount="6000.00", paid_on=iso(paid_on)),
    )
    await handle.execute_update(WF.confirm_payment, act(Role.mediator, "ok", payment_id="P1"))
    assert (await harness.view(handle)).state.status is CaseStatus.settled
    early = act(Role.inspector, "employer applies", applied_on=iso(paid_on))
    error = await wa_refused_unchanged(harness, handle, WF.apply_for_removal, early)
    assert error.type == "InvalidActionInput" and "WA-11" in str(error)
    await harness.env.sleep(timedelta(days=185))
    today = (await harness.now()).astimezone(CST).date()
    await handle.execute_update(
        WF.apply_for_removal, act(Role.inspector, "employer applies", applied_on=iso(today))
    )
    await handle.execute_update(
        WF.decide_removal, act(Role.supervisor, "paid and compliant", decision="remove")
    )
    v = await harness.view(handle)
    assert v.state.listed_until == today
    assert v.state.removal_applications[0].decision == "remove"


async def test_wa12_complaint_about_a_violation_ended_over_2_years_before_is_refused(
    harness: Harness,
) -> None:
    """WA-12 (LSSR Art.20): accepting is refused (409); the complaint is refused in writing
    and the case ends."""
    today = (await harness.now()).astimezone(CST).date()
    ended = today.replace(year=today.year - 3)
    handle = await harness.open_case(f.intake(violation_ended_on=iso(ended)))
    barred = [n for n in harness.notifications(handle.id) if n.kind == "violation_time_barred"]
    assert len(barred) == 1
    error = await wa_refused_unchanged(
        harness, handle, WF.decide_complaint, act(Role.inspector, "x", decision="accept")
    )
    assert error.type == "ActionNotAllowed" and "LSSR Art.20" in str(error)
    await handle.execute_update(
        WF.decide_complaint, act(Role.inspector, "not pursued after 2 years", decision="refuse")
    )
    v = await harness.view(handle)
    assert v.state.status is CaseStatus.closed and v.state.close_outcome == "refused"
    assert Decimal(v.accounts[0].owed) == Decimal("3000.00")


async def test_ma8_award_judged_against_the_minimum_wage_in_force_and_keeps_it(
    harness: Harness,
) -> None:
    """MA-8: the admin raises the county's minimum wage after the case opened; the award is
    judged item by item against 12 x the new figure and keeps it; an Art.47(2) item is final
    whatever its amount."""
    from store import regions

    handle = await accepted_on_legal_day(harness, await week(harness))
    regions.save(harness.engine, f.COUNTY, {"monthly_minimum_wage": "2500.00"})
    today = iso((await harness.now()).astimezone(CST).date())
    items = [
        {"description": "wages", "amount": "30000.00"},
        {"description": "annual leave pay", "amount": "80000.00", "kind": "labour_standards"},
    ]
    await handle.execute_update(DW.record_award, act(reason="award", items=items, made_on=today))
    award = (await view(handle)).state.award
    assert award is not None and award.final
    assert award.monthly_minimum_wage == Decimal("2500.00")
    assert award.threshold == Decimal("30000.00") and award.items_final == [True, True]
    regions.save(harness.engine, f.COUNTY, {"monthly_minimum_wage": "3000.00"})
    assert (await view(handle)).state.award == award
