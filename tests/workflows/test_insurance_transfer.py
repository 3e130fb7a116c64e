"""The social-insurance transfer case (SI-1 to SI-6, CAL-1) on the time-skipping test server.

Two agencies share the case: the new region's (140106, where the worker applies) and the old
region's (140105). Each step's clock is owed by one of them and only its clerks act on it.

Time only moves when a test sleeps and the server's clock is shared by the whole session, so
every date is worked out from the server's current time. Expected due times are computed in
this file and expected_dates.py (working days from `chinese_calendar` or a schedule the test
loads), independently of domain/calendar.py and activities/calendar.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError

from domain.common import CST, Role
from domain.deadlines import DeadlineBasis, DeadlineState
from domain.insurance.models import TransferIntake, TransferStage
from domain.insurance.view import TransferView
from store.calendar import save_schedule
from tests import factories as f
from tests.workflows.conftest import Harness, deadline, random_case_id, refused
from tests.workflows.expected_dates import OFFICIAL, Workdays, cst_day, midnight_after
from workflows.insurance_transfer import InsuranceTransferWorkflow

TW = InsuranceTransferWorkflow
Handle = WorkflowHandle[Any, Any]

NEW = f.OTHER_COUNTY  # 140106: the new region's agency, where the worker applies
OLD = f.COUNTY  # 140105: the old region's agency
THIRD = "140107"


# Expected dates, written out here.


def weekdays_only(day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


def wd_due(start: date, days: int, workdays: Workdays = OFFICIAL) -> datetime:
    """The end of the `days`-th working day after `start` (CST)."""
    return midnight_after(workdays.add(start, days))


# Case data and actions.


def clerk(county: str) -> dict[str, Any]:
    return f.actor(Role.agency_clerk, county, id=f"clerk-{county}")


def cmd(actor: dict[str, Any], reason: str = "recorded by the agency", **fields: Any) -> Any:
    return {"actor": actor, "reason": reason, **fields}


CONTRIBUTIONS = [
    {"year": 2019, "months": 4, "monthly_base": "5000.00"},
    {"year": 2020, "months": 12, "monthly_base": "5500.00"},
    {"year": 2021, "months": 12, "monthly_base": "6000.00"},
    {"year": 2022, "months": 12, "monthly_base": "6500.00"},
    {"year": 2023, "months": 7, "monthly_base": "7000.00"},
]
# SI-2: 2400 + 7920 + 8640 + 9360 + 5880.
POOLED = Decimal("34200.00")
INDIVIDUAL = Decimal("18765.43")


def transfer_intake(kind: str = "pension", **overrides: Any) -> TransferIntake:
    data: dict[str, Any] = {
        "kind": kind,
        "worker": {"name": "工人1", "id_number": f.resident_id(1), "mobile": "13900000001"},
        "from_agency": {"county_code": OLD, "name": "小店区社保中心"},
        "to_agency": {"county_code": NEW, "name": "迎泽区社保中心"},
        "summary": "工人申请转移社会保险关系",
        "opened_by": clerk(NEW),
    }
    if kind == "pension":
        data.update(contributions=CONTRIBUTIONS, individual_account=str(INDIVIDUAL))
    else:
        data.update(old_coverage_ended_on="2024-01-31", new_coverage_starts_on="2024-04-01")
    data.update(overrides)
    return TransferIntake.model_validate(data)


async def open_transfer(harness: Harness, intake: TransferIntake) -> Handle:
    return await harness.start(TW, intake, random_case_id("SI"))


async def view(handle: Handle) -> TransferView:
    return await handle.query(TW.view)


def notes(harness: Harness, handle: Handle, kind: str) -> list[Any]:
    return [n for n in harness.notifications(handle.id) if n.kind == kind]


def worker_steps(harness: Harness, handle: Handle) -> list[str]:
    found = sorted(notes(harness, handle, "worker_notified"), key=lambda n: n.id)
    assert all(n.recipient == "worker" and n.recipient_role is None for n in found)
    return [n.params["step"] for n in found]


def worker_note(harness: Harness, handle: Handle, step: str) -> Any:
    [found] = [n for n in notes(harness, handle, "worker_notified") if n.params["step"] == step]
    assert found.recipient == "worker"
    return found


async def next_morning(harness: Harness) -> date:
    """Moves the server's clock to 10:00 CST tomorrow, far from any day boundary."""
    tomorrow = cst_day(await harness.now()) + timedelta(days=1)
    await harness.sleep_until(datetime.combine(tomorrow, time(10), CST))
    return tomorrow


async def unchanged(handle: Handle, before: TransferView) -> None:
    after = await view(handle)
    assert after.state == before.state
    assert after.state.revision == before.state.revision


def amounts_of(v: TransferView) -> dict[str, str]:
    assert v.state.amounts is not None
    return {
        "individual_account": str(v.state.amounts.individual_account),
        "pooled_funds": str(v.state.amounts.pooled_funds),
    }


# SI-1: the pension path, both agencies acting.


async def test_si1_pension_steps_each_due_15_working_days_and_both_agencies_act(
    harness: Harness,
) -> None:
    """SI-1, SI-2, CAL-1: the new agency issues the acceptance letter within 15 WD of the
    application, the old agency transfers within 15 WD of the letter, the new agency completes
    within 15 WD of receipt; each due instant is the end of the 15th working day (CST), the
    worker hears of every step and completion ends the case."""
    opened_on = await next_morning(harness)
    handle = await open_transfer(harness, transfer_intake())

    v = await view(handle)
    assert v.state.stage is TransferStage.applied
    assert v.state.amounts is not None
    assert v.state.amounts.pooled_funds == POOLED
    assert v.state.amounts.individual_account == INDIVIDUAL
    letter = deadline(v, "acceptance_letter")
    assert letter.rule == "SI-1" and letter.basis is DeadlineBasis.working_days
    assert letter.days == 15
    assert cst_day(letter.start_at) == opened_on
    assert letter.due_at == wd_due(opened_on, 15)
    assert worker_steps(harness, handle) == ["applied"]

    # The new agency's clerk issues the letter on a later day.
    letter_on = await next_morning(harness)
    result = await handle.execute_update(
        TW.issue_acceptance_letter, cmd(clerk(NEW), "acceptance letter sent to the old agency")
    )
    assert result.status is TransferStage.letter_issued
    assert "send_transfer" in result.available_actions
    v = await view(handle)
    assert deadline(v, "acceptance_letter").state is DeadlineState.met
    transfer = deadline(v, "transfer")
    assert transfer.rule == "SI-1" and transfer.basis is DeadlineBasis.working_days
    assert cst_day(transfer.start_at) == letter_on
    assert transfer.due_at == wd_due(letter_on, 15)
    assert transfer.state is DeadlineState.pending

    # The old agency's clerk transfers the relation and funds.
    sent_on = await next_morning(harness)
    result = await handle.execute_update(
        TW.send_transfer, cmd(clerk(OLD), "relation and funds transferred")
    )
    assert result.status is TransferStage.funds_sent
    v = await view(handle)
    assert deadline(v, "transfer").state is DeadlineState.met
    # Funds in transit have no clock: the new agency's 15 days run from their receipt.
    assert [d for d in v.state.deadlines if d.pending] == []
    sent_event = v.state.events[-1]
    assert sent_event.kind == "transfer_sent"
    assert sent_event.details == {"individual_account": "18765.43", "pooled_funds": "34200.00"}

    # The new agency confirms receipt of exactly what SI-2 says moves.
    received_on = await next_morning(harness)
    assert received_on > sent_on
    result = await handle.execute_update(
        TW.confirm_receipt, cmd(clerk(NEW), "funds arrived", **amounts_of(v))
    )
    assert result.status is TransferStage.received
    v = await view(handle)
    completion = deadline(v, "completion")
    assert completion.rule == "SI-1" and completion.basis is DeadlineBasis.working_days
    assert cst_day(completion.start_at) == received_on
    assert completion.due_at == wd_due(received_on, 15)

    await next_morning(harness)
    result = await handle.execute_update(
        TW.complete_transfer, cmd(clerk(NEW), "relation continued here")
    )
    assert result.status is TransferStage.completed
    assert result.available_actions == []
    final = await handle.result()
    assert final.status is TransferStage.completed

    v = await view(handle)
    assert [(d.name, d.state) for d in v.state.deadlines] == [
        ("acceptance_letter", DeadlineState.met),
        ("transfer", DeadlineState.met),
        ("completion", DeadlineState.met),
    ]
    assert v.state.escalated is False and v.state.closed_at is not None
    assert [(e.kind, e.actor_id, e.county_code) for e in v.state.events] == [
        ("acceptance_letter_issued", f"clerk-{NEW}", NEW),
        ("transfer_sent", f"clerk-{OLD}", OLD),
        ("transfer_received", f"clerk-{NEW}", NEW),
        ("transfer_completed", f"clerk-{NEW}", NEW),
    ]
    assert worker_steps(harness, handle) == [
        "applied",
        "acceptance_letter_issued",
        "transfer_sent",
        "transfer_received",
        "completed",
    ]
    assert notes(harness, handle, "deadline_breached") == []
    row = harness.row(handle.id)
    assert row is not None and row.status == "completed" and row.breached_count == 0
    assert row.amount_paid == INDIVIDUAL + POOLED


# SI-1, SI-3: agencies act only for their own region's step.


async def test_si1_only_the_owing_agencys_clerk_acts_and_a_refusal_changes_nothing(
    harness: Harness,
) -> None:
    """SI-1: the acceptance letter is the new agency's: the old agency's clerk, a clerk of a
    third county and a mediator are refused (Forbidden) and nothing changes; the transfer is
    the old agency's: the new agency's clerk is refused."""
    handle = await open_transfer(harness, transfer_intake())
    before = await view(handle)

    for actor in (clerk(OLD), clerk(THIRD), f.actor(Role.mediator, NEW)):
        refusal = await refused(
            handle.execute_update(TW.issue_acceptance_letter, cmd(actor, "letter"))
        )
        assert refusal.type == "Forbidden", refusal
        await unchanged(handle, before)
    refusal = await refused(handle.execute_update(TW.issue_acceptance_letter, cmd(clerk(OLD))))
    assert NEW in refusal.message and OLD in refusal.message

    await handle.execute_update(TW.issue_acceptance_letter, cmd(clerk(NEW), "letter"))
    before = await view(handle)
    for actor in (clerk(NEW), clerk(THIRD), f.actor(Role.supervisor, OLD)):
        refusal = await refused(handle.execute_update(TW.send_transfer, cmd(actor, "sent")))
        assert refusal.type == "Forbidden", refusal
        await unchanged(handle, before)
    assert worker_steps(harness, handle) == ["applied", "acceptance_letter_issued"]


# SI-2: the receiving agency confirms exactly what moves.


async def receipt_refused(handle: Handle, **amounts: str) -> ApplicationError:
    """The new agency's clerk confirms receipt of `amounts`: refused as invalid input."""
    refusal = await refused(handle.execute_update(TW.confirm_receipt, cmd(clerk(NEW), **amounts)))
    assert refusal.type == "InvalidActionInput", refusal
    return refusal


async def test_si2_receipt_with_other_amounts_is_refused_showing_each_difference(
    harness: Harness,
) -> None:
    """SI-2: a confirmation whose amounts differ from the individual account plus 12 % of each
    year's base is refused (InvalidActionInput) naming the difference per item; nothing
    changes; the matching amounts are accepted."""
    handle = await open_transfer(harness, transfer_intake())
    await handle.execute_update(TW.issue_acceptance_letter, cmd(clerk(NEW)))
    await handle.execute_update(TW.send_transfer, cmd(clerk(OLD)))
    before = await view(handle)
    assert amounts_of(before) == {"individual_account": "18765.43", "pooled_funds": "34200.00"}

    refusal = await receipt_refused(handle, individual_account="18765.43", pooled_funds="34100.50")
    assert "SI-2" in refusal.message
    assert "pooled_funds differs by -99.50" in refusal.message
    assert "individual_account" not in refusal.message
    await unchanged(handle, before)

    refusal = await receipt_refused(handle, individual_account="18800.00", pooled_funds="34200.01")
    assert "individual_account differs by 34.57" in refusal.message
    assert "pooled_funds differs by 0.01" in refusal.message
    await unchanged(handle, before)

    result = await handle.execute_update(
        TW.confirm_receipt,
        cmd(clerk(NEW), individual_account="18765.43", pooled_funds="34200.00"),
    )
    assert result.status is TransferStage.received
    received = (await view(handle)).state.events[-1]
    assert received.kind == "transfer_received"
    assert received.details == {"individual_account": "18765.43", "pooled_funds": "34200.00"}


# SI-5: a rejection returns the case to the worker; the clock restarts on arrival.


@pytest.mark.parametrize(
    ("kind", "step", "days"),
    [("pension", "transfer", 15), ("medical", "transfer_out", 10)],
)
async def test_si5_rejection_stops_the_step_clock_and_documents_restart_it_in_full(
    harness: Harness, kind: str, step: str, days: int
) -> None:
    """SI-5, SI-1, SI-3: the old agency returns the case for missing documents during its
    step: the step's deadline is cancelled, the worker is told what is missing, the old due
    time passes without a breach; when the documents arrive the step's clock starts again
    with its full working days (15 for a pension transfer, 10 for a medical transfer-out)."""
    await next_morning(harness)
    handle = await open_transfer(harness, transfer_intake(kind))
    if kind == "pension":
        await handle.execute_update(TW.issue_acceptance_letter, cmd(clerk(NEW)))
    v = await view(handle)
    waiting = v.state.stage
    first = deadline(v, step)
    assert first.days == days and first.pending

    # The step is the old agency's: the new agency's clerk cannot return it.
    refusal = await refused(
        handle.execute_update(
            TW.reject_for_missing_documents, cmd(clerk(NEW), "missing", missing=["x"])
        )
    )
    assert refusal.type == "Forbidden", refusal
    await unchanged(handle, v)

    missing = ["contribution certificate", "copy of the resident ID card"]
    result = await handle.execute_update(
        TW.reject_for_missing_documents,
        cmd(clerk(OLD), "documents missing", missing=missing),
    )
    assert result.status is TransferStage.awaiting_documents
    v = await view(handle)
    assert v.state.waiting_step is waiting
    assert deadline(v, step).state is DeadlineState.cancelled
    assert [d for d in v.state.deadlines if d.pending] == []
    note = worker_note(harness, handle, "documents_missing")
    assert note.params["missing"] == "contribution certificate, copy of the resident ID card"

    # The old due time passes: the clock was stopped, so no breach and no escalation.
    await harness.sleep_until(first.due_at + timedelta(days=1))
    arrived_on = await next_morning(harness)
    v = await view(handle)
    assert deadline(v, step).state is DeadlineState.cancelled
    assert v.state.escalated is False
    assert "step_overdue" not in [e.kind for e in v.state.events]
    assert notes(harness, handle, "deadline_breached") == []
    assert notes(harness, handle, "step_overdue_escalated") == []

    result = await handle.execute_update(
        TW.documents_received, cmd(clerk(OLD), "the worker brought the documents")
    )
    assert result.status is waiting
    v = await view(handle)
    assert v.state.waiting_step is None
    steps = [d for d in v.state.deadlines if d.name == step]
    assert [d.state for d in steps] == [DeadlineState.cancelled, DeadlineState.pending]
    restarted = steps[-1]
    assert restarted.days == days
    assert cst_day(restarted.start_at) == arrived_on
    assert restarted.due_at == wd_due(arrived_on, days)
    assert restarted.due_at > first.due_at

    # The old agency then does its step on the restarted clock.
    result = await handle.execute_update(TW.send_transfer, cmd(clerk(OLD), "transferred"))
    assert result.status is TransferStage.funds_sent
    assert deadline(await view(handle), step).state is DeadlineState.met


async def test_si5_every_rejection_tells_the_worker_what_is_missing(harness: Harness) -> None:
    """SI-5: a case returned twice (the old agency's transfer step, then the new agency's
    completion step) reaches the worker twice, each time with that rejection's documents."""
    handle = await open_transfer(harness, transfer_intake())
    await handle.execute_update(TW.issue_acceptance_letter, cmd(clerk(NEW)))
    await handle.execute_update(
        TW.reject_for_missing_documents,
        cmd(clerk(OLD), "certificate missing", missing=["contribution certificate"]),
    )
    await handle.execute_update(TW.documents_received, cmd(clerk(OLD), "arrived"))
    await handle.execute_update(TW.send_transfer, cmd(clerk(OLD)))
    v = await view(handle)
    await handle.execute_update(TW.confirm_receipt, cmd(clerk(NEW), **amounts_of(v)))
    result = await handle.execute_update(
        TW.reject_for_missing_documents,
        cmd(clerk(NEW), "form missing", missing=["signed transfer application form"]),
    )
    assert result.status is TransferStage.awaiting_documents
    assert (await view(handle)).state.waiting_step is TransferStage.received

    told = [
        n.params["missing"]
        for n in sorted(notes(harness, handle, "worker_notified"), key=lambda n: n.id)
        if n.params["step"] == "documents_missing"
    ]
    assert told == ["contribution certificate", "signed transfer application form"]


# SI-6: an overdue step escalates and stays a breach; the step can still be done.


async def test_si6_overdue_transfer_escalates_to_the_old_agencys_supervisor(
    harness: Harness,
) -> None:
    """SI-6: the old agency's transfer step passes its due time: the deadline is breached, the
    case is escalated, the supervising level of the owing agency's county (140105) is told;
    the step can still be done afterwards and the breach stays visible."""
    await next_morning(harness)
    handle = await open_transfer(harness, transfer_intake())
    await handle.execute_update(TW.issue_acceptance_letter, cmd(clerk(NEW)))
    transfer = deadline(await view(handle), "transfer")

    await harness.sleep_until(transfer.due_at - timedelta(seconds=5))
    v = await view(handle)
    assert deadline(v, "transfer").state is DeadlineState.pending
    assert v.state.escalated is False
    soon = notes(harness, handle, "deadline_due_soon")
    assert [(n.recipient_role, n.county_code) for n in soon] == [("agency_clerk", OLD)]

    await harness.sleep_until(transfer.due_at + timedelta(seconds=5))
    v = await view(handle)
    breached = deadline(v, "transfer")
    assert breached.state is DeadlineState.breached
    assert v.state.escalated is True
    overdue = [e for e in v.state.events if e.kind == "step_overdue"]
    assert len(overdue) == 1 and overdue[0].actor_id is None
    assert transfer.due_at <= overdue[0].at < transfer.due_at + timedelta(seconds=5)
    assert overdue[0].details == {"step": "transfer", "agency": "old"}

    [escalation] = notes(harness, handle, "step_overdue_escalated")
    assert escalation.recipient_role == "supervisor" and escalation.county_code == OLD
    assert escalation.params["rule"] == "SI-6" and escalation.params["deadline"] == "transfer"
    [clerks] = notes(harness, handle, "deadline_breached")
    assert clerks.recipient_role == "agency_clerk" and clerks.county_code == OLD
    row = harness.row(handle.id)
    assert row is not None and row.breached_count == 1 and row.severity == "escalated"

    # Late, but the step goes on; the breach stays.
    result = await handle.execute_update(TW.send_transfer, cmd(clerk(OLD), "sent late"))
    assert result.status is TransferStage.funds_sent
    v = await view(handle)
    assert deadline(v, "transfer").state is DeadlineState.breached
    assert v.state.escalated is True
    row = harness.row(handle.id)
    assert row is not None and row.breached_count == 1 and row.severity == "escalated"


# SI-3, SI-4: the medical path.


@pytest.mark.parametrize(
    ("ended_on", "starts_on", "gap", "continuous", "waiting"),
    [
        ("2024-01-31", "2024-04-01", 2, True, 0),  # February, March: back-paid
        ("2023-10-31", "2024-04-01", 5, False, 6),  # November to March: the region's default
    ],
)
async def test_si3_si4_medical_transfer_out_10_and_in_5_working_days_with_continuity(
    harness: Harness, ended_on: str, starts_on: str, gap: int, continuous: bool, waiting: int
) -> None:
    """SI-3: the old agency transfers out within 10 WD, the new agency takes it in within 5 WD
    and that completes the case. SI-4: a gap of up to 3 months keeps benefits continuous; a
    5-month gap carries the region's waiting period (6 by default), which the worker is told
    on completion."""
    opened_on = await next_morning(harness)
    handle = await open_transfer(
        harness,
        transfer_intake(
            "medical", old_coverage_ended_on=ended_on, new_coverage_starts_on=starts_on
        ),
    )
    v = await view(handle)
    assert v.state.stage is TransferStage.transfer_out
    assert v.state.amounts is None
    assert v.state.continuity is not None
    assert v.state.continuity.model_dump() == {
        "gap_months": gap,
        "continuous": continuous,
        "waiting_period_months": waiting,
    }
    out = deadline(v, "transfer_out")
    assert out.rule == "SI-3" and out.basis is DeadlineBasis.working_days and out.days == 10
    assert out.due_at == wd_due(opened_on, 10)

    # Transfer-out is the old agency's; transfer-in the new agency's.
    refusal = await refused(handle.execute_update(TW.send_transfer, cmd(clerk(NEW))))
    assert refusal.type == "Forbidden"
    sent_on = await next_morning(harness)
    result = await handle.execute_update(TW.send_transfer, cmd(clerk(OLD), "transferred out"))
    assert result.status is TransferStage.funds_sent
    v = await view(handle)
    assert deadline(v, "transfer_out").state is DeadlineState.met
    receipt = deadline(v, "receipt")
    assert receipt.rule == "SI-3" and receipt.days == 5
    assert cst_day(receipt.start_at) == sent_on
    assert receipt.due_at == wd_due(sent_on, 5)

    received = cmd(clerk(NEW), "taken in", individual_account="0.00", pooled_funds="0.00")
    refusal = await refused(
        handle.execute_update(TW.confirm_receipt, {**received, "actor": clerk(OLD)})
    )
    assert refusal.type == "Forbidden"
    result = await handle.execute_update(TW.confirm_receipt, received)
    assert result.status is TransferStage.completed
    assert (await handle.result()).status is TransferStage.completed

    v = await view(handle)
    assert [(d.name, d.state) for d in v.state.deadlines] == [
        ("transfer_out", DeadlineState.met),
        ("receipt", DeadlineState.met),
    ]
    assert worker_steps(harness, handle) == ["applied", "transfer_sent", "completed"]
    done = worker_note(harness, handle, "completed")
    assert done.params == {
        "step": "completed",
        "continuous": str(continuous).lower(),
        "waiting_period_months": str(waiting),
    }


# CAL-1: a step's clock across a holiday.


async def test_cal1_si1_acceptance_letter_due_skips_the_national_day_holiday(
    harness: Harness,
) -> None:
    """CAL-1, CAL-2, SI-1: a pension transfer applied for on 30 September: the National Day
    holiday (1-7 October) does not count, the make-up Saturday after it does.

    The schedule is loaded (CAL-2) for the first year whose 30 September is still ahead of the
    server's clock, before the case opens."""
    today = cst_day(await harness.now())
    year = today.year if date(today.year, 9, 30) > today else today.year + 1
    holidays = [date(year, 10, d) for d in range(1, 8)]
    makeup = date(year, 10, 8) + timedelta(days=(5 - date(year, 10, 8).weekday()) % 7)
    save_schedule(harness.engine, year, holidays, [makeup], source="test notice")
    workdays = Workdays(holidays, [makeup], year)

    eve = date(year, 9, 30)
    await harness.sleep_until(datetime.combine(eve, time(10), CST))
    handle = await open_transfer(harness, transfer_intake())

    letter = deadline(await view(handle), "acceptance_letter")
    assert cst_day(letter.start_at) == eve
    assert letter.due_at == wd_due(eve, 15, workdays)
    # Weekends only, the period would end a week earlier: the holiday pushed it later, less
    # the make-up Saturday.
    assert letter.due_at > midnight_after(weekdays_only(eve, 15))
    assert makeup < cst_day(letter.due_at)
    if year == 2027:
        # 30 Sep 2027 is a Thursday; 1-7 Oct rest; 8 Oct (Fri) and 9 Oct (make-up Sat), then
        # 11-15, 18-22 and 25-27 Oct are the fifteen working days.
        assert letter.due_at == datetime(2027, 10, 28, 0, 0, tzinfo=CST)
    assert not letter.provisional
    assert f"+{year}:" in letter.calendar_version

    # The timer sits at that instant.
    await harness.sleep_until(letter.due_at - timedelta(seconds=5))
    assert deadline(await view(handle), "acceptance_letter").state is DeadlineState.pending
    await harness.sleep_until(letter.due_at + timedelta(seconds=5))
    v = await view(handle)
    assert deadline(v, "acceptance_letter").state is DeadlineState.breached
    # SI-6: the acceptance letter is the new agency's step: its county's supervisor hears.
    [escalation] = notes(harness, handle, "step_overdue_escalated")
    assert escalation.county_code == NEW and escalation.recipient_role == "supervisor"
