"""The deadline engine inside a running case: timers, extensions, pauses, warnings, campaign
dates (CAL-1, WA-2, WA-4, WA-6, WA-12), on the time-skipping test server.

Time only moves when a test sleeps (`harness.env.sleep` / `harness.sleep_until`), and the
server's clock is shared by the whole session, so every date here is worked out from the
server's current time. Expected due times are computed here and in expected_dates.py,
independently of domain/calendar.py and activities/calendar.py.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any

import lunardate
import pytest
from temporalio.client import WorkflowHandle

from domain.campaign import WARNING_SPREAD, warning_spread_seconds
from domain.common import CST, Role
from domain.deadlines import DeadlineBasis, DeadlineState, SlaState
from domain.wage_arrears.models import CaseStatus, CloseOutcome
from domain.wage_arrears.rules import INVESTIGATION_POLICY
from domain.wage_arrears.view import WageArrearsView
from store.calendar import save_schedule
from tests import factories as f
from tests.workflows.conftest import Harness, deadline, refused
from tests.workflows.expected_dates import OFFICIAL, Workdays, cst_day, midnight_after
from workflows.wage_arrears import WageArrearsWorkflow

WF = WageArrearsWorkflow
Handle = WorkflowHandle[Any, Any]


# Helpers.


def act(role: Role, reason: str = "officer's decision", **fields: Any) -> dict[str, Any]:
    return {"actor": f.actor(role), "reason": reason, **fields}


def breaches(view: WageArrearsView, name: str) -> list[str]:
    return [b.rule for b in view.state.breaches if b.deadline == name]


def notes(harness: Harness, handle: Handle, kind: str, name: str) -> list[Any]:
    return [
        n
        for n in harness.notifications(handle.id)
        if n.kind == kind and n.params.get("deadline") == name
    ]


def last_day(due_at: datetime) -> date:
    """The CST day a due instant (the midnight after the period) ends."""
    return cst_day(due_at) - timedelta(days=1)


async def next_morning(harness: Harness) -> datetime:
    """Moves the server's clock to 10:00 CST tomorrow, far from any day boundary."""
    tomorrow = cst_day(await harness.now()) + timedelta(days=1)
    moment = datetime.combine(tomorrow, time(10), CST)
    await harness.sleep_until(moment)
    return moment


async def pay_in_full(harness: Harness, handle: Handle, workers: int, amount: str) -> None:
    today = cst_day(await harness.now()).isoformat()
    for worker_no in range(1, workers + 1):
        await handle.execute_update(
            WF.record_payment,
            act(
                Role.inspector,
                "paid at the bureau",
                worker_no=worker_no,
                amount=amount,
                paid_by="employer",
                paid_on=today,
            ),
        )
        payment_id = (await harness.view(handle)).state.payments[-1].payment_id
        await handle.execute_update(
            WF.confirm_payment, act(Role.mediator, "worker confirmed", payment_id=payment_id)
        )


async def triage_major(harness: Harness, handle: Handle, due: datetime) -> None:
    await handle.execute_update(
        WF.triage,
        act(Role.supervisor, "ten workers", severity="major", resolution_deadline=due.isoformat()),
    )


# CAL-1 / WA-12: a working-day deadline across a holiday.


async def test_cal1_wa12_complaint_acceptance_skips_the_spring_festival_holiday(
    harness: Harness,
) -> None:
    """CAL-1, CAL-2, WA-12: a complaint opened on the Monday of the Spring Festival week must
    be decided within 5 working days; the holiday does not count, the make-up Saturday does.

    The calendar package knows no year ahead of the server clock, so the year's schedule is
    loaded the way an operator would (CAL-2) before the case opens."""
    year = cst_day(await harness.now()).year + 1
    eve = lunardate.LunarDate(year, 1, 1).to_solar_date() - timedelta(days=1)
    holidays = [date(year, 1, 1)] + [eve + timedelta(days=i) for i in range(8)]
    after = holidays[-1] + timedelta(days=1)
    makeup = after + timedelta(days=(5 - after.weekday()) % 7)  # the Saturday after
    save_schedule(harness.engine, year, holidays, [makeup], source="test notice")
    workdays = Workdays(holidays, [makeup], year)

    monday = eve - timedelta(days=eve.weekday() or 7)
    opening = datetime.combine(monday, time(10), CST)
    await harness.sleep_until(opening)
    handle = await harness.open_case(f.intake(source="complaint"))

    acceptance = deadline(await harness.view(handle), "complaint_acceptance")
    assert acceptance.rule == "WA-12" and acceptance.basis is DeadlineBasis.working_days
    assert cst_day(acceptance.start_at) == monday
    assert acceptance.due_at == midnight_after(workdays.add(monday, 5))
    # Weekends only, the period would end on the next Monday: the holiday pushed it later.
    assert acceptance.due_at > midnight_after(monday + timedelta(days=7))
    if year == 2027:
        # Eve Friday 5 Feb, holiday to Friday 12 Feb, make-up Saturday 13 Feb: 2, 3, 4, 13
        # and 15 Feb are the five working days.
        assert acceptance.due_at == datetime(2027, 2, 16, 0, 0, tzinfo=CST)
    assert not acceptance.provisional
    assert f"+{year}:" in acceptance.calendar_version

    await harness.sleep_until(acceptance.due_at - timedelta(seconds=5))
    view = await harness.view(handle)
    assert deadline(view, "complaint_acceptance").state is DeadlineState.pending
    assert breaches(view, "complaint_acceptance") == []

    await harness.sleep_until(acceptance.due_at + timedelta(seconds=5))
    view = await harness.view(handle)
    assert deadline(view, "complaint_acceptance").state is DeadlineState.breached
    assert breaches(view, "complaint_acceptance") == ["WA-12"]
    breach = next(b for b in view.state.breaches if b.deadline == "complaint_acceptance")
    assert acceptance.due_at <= breach.at < acceptance.due_at + timedelta(seconds=5)
    breached = notes(harness, handle, "deadline_breached", "complaint_acceptance")
    assert len(breached) == 1 and breached[0].params["rule"] == "WA-12"
    assert notes(harness, handle, "statutory_deadline_breached", "complaint_acceptance")


# Extensions move the running timer.


async def test_wa2_extended_major_deadline_fires_only_at_its_new_time(harness: Harness) -> None:
    """WA-2: the supervisor's deadline extended `to` a later moment; the old timer never
    fires, the new one does."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake(workers=10, amount="500.00"))
    old_due = await harness.now() + timedelta(days=10)
    await triage_major(harness, handle, old_due)
    new_due = old_due + timedelta(days=7, hours=5)

    await handle.execute_update(
        WF.extend_deadline,
        act(
            Role.supervisor, "employer selling equipment", deadline="settle", to=new_due.isoformat()
        ),
    )
    settle = deadline(await harness.view(handle), "settle")
    assert settle.rule == "WA-2" and settle.due_at == new_due
    assert settle.extensions == 1
    entry = settle.ledger[-1]
    assert (entry.change, entry.actor_id, entry.reason, entry.due_at) == (
        "extended",
        "supervisor-01",
        "employer selling equipment",
        new_due,
    )

    await harness.sleep_until(old_due + timedelta(hours=1))
    view = await harness.view(handle)
    assert deadline(view, "settle").state is DeadlineState.pending
    assert breaches(view, "settle") == []
    assert view.state.status is CaseStatus.open

    await harness.sleep_until(new_due - timedelta(seconds=5))
    assert deadline(await harness.view(handle), "settle").state is DeadlineState.pending
    await harness.sleep_until(new_due + timedelta(seconds=5))
    view = await harness.view(handle)
    assert deadline(view, "settle").state is DeadlineState.breached
    assert breaches(view, "settle") == ["WA-2"]
    assert view.state.status is CaseStatus.escalated
    assert len(notes(harness, handle, "deadline_breached", "settle")) == 1


async def test_wa6_order_to_pay_extends_once_by_at_most_30_days(harness: Harness) -> None:
    """WA-6: one extension of the order to pay, of at most 30 days; the extended order fires
    at its new time only."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake(workers=10, amount="500.00"))
    await triage_major(harness, handle, await harness.now() + timedelta(days=90))
    await handle.execute_update(WF.issue_order_to_pay, act(Role.inspector, "order to pay"))
    order = deadline(await harness.view(handle), "order_to_pay")
    assert order.due_at == midnight_after(cst_day(order.start_at) + timedelta(days=7))

    error = await refused(
        handle.execute_update(
            WF.extend_deadline, act(Role.inspector, deadline="order_to_pay", days=31)
        )
    )
    assert error.type == "InvalidActionInput" and "WA-6" in str(error)
    error = await refused(
        handle.execute_update(
            WF.extend_deadline,
            act(
                Role.inspector,
                deadline="order_to_pay",
                to=(order.due_at + timedelta(days=31)).isoformat(),
            ),
        )
    )
    assert error.type == "InvalidActionInput" and "30 days" in str(error)

    await handle.execute_update(
        WF.extend_deadline, act(Role.inspector, "employer asked", deadline="order_to_pay", days=5)
    )
    extended = deadline(await harness.view(handle), "order_to_pay")
    assert extended.due_at == order.due_at + timedelta(days=5)
    assert extended.days == 12 and extended.extensions == 1

    error = await refused(
        handle.execute_update(
            WF.extend_deadline, act(Role.supervisor, deadline="order_to_pay", days=1)
        )
    )
    assert error.type == "ActionNotAllowed" and "WA-6" in str(error)

    await harness.sleep_until(order.due_at + timedelta(hours=1))
    view = await harness.view(handle)
    assert deadline(view, "order_to_pay").state is DeadlineState.pending
    assert not view.state.order_to_pay_missed
    await harness.sleep_until(extended.due_at + timedelta(seconds=5))
    view = await harness.view(handle)
    assert breaches(view, "order_to_pay") == ["WA-6"]
    assert view.state.order_to_pay_missed


async def test_wa12_investigation_extension_needs_an_approver_and_adds_30_working_days(
    harness: Harness,
) -> None:
    """WA-12: an investigation is extended once, by 30 working days, with approval."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake(source="inspection"))
    investigation = deadline(await harness.view(handle), "investigation")
    opened = cst_day(investigation.start_at)
    assert investigation.rule == "WA-12"
    assert investigation.due_at == midnight_after(OFFICIAL.add(opened, 60))

    ask = act(Role.inspector, "accounts are missing", deadline="investigation", days=30)
    error = await refused(handle.execute_update(WF.extend_deadline, ask))
    assert error.type == "InvalidActionInput" and "approver" in str(error)
    error = await refused(
        handle.execute_update(
            WF.extend_deadline, {**ask, "approver": f.actor(Role.supervisor, id="inspector-01")}
        )
    )
    assert error.type == "InvalidActionInput"
    error = await refused(
        handle.execute_update(
            WF.extend_deadline, {**ask, "days": 31, "approver": f.actor(Role.supervisor)}
        )
    )
    assert error.type == "InvalidActionInput" and "WA-12" in str(error)

    await handle.execute_update(WF.extend_deadline, {**ask, "approver": f.actor(Role.supervisor)})
    extended = deadline(await harness.view(handle), "investigation")
    assert extended.due_at == midnight_after(OFFICIAL.add(opened, 90))
    assert extended.days == 90 and extended.extensions == 1
    entry = extended.ledger[-1]
    assert (entry.change, entry.actor_id, entry.approver_id) == (
        "extended",
        "inspector-01",
        "supervisor-01",
    )

    error = await refused(
        handle.execute_update(
            WF.extend_deadline, {**ask, "days": 1, "approver": f.actor(Role.supervisor)}
        )
    )
    assert error.type == "ActionNotAllowed" and "WA-12" in str(error)


# Pause and resume.


async def test_wa12_paused_investigation_never_fires_and_moves_by_the_paused_working_days(
    harness: Harness,
) -> None:
    """WA-12: a suspended investigation does not fire while paused, even past its due time;
    resumed, its due time is the old one plus the working days it was paused."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake(source="inspection"))
    original = deadline(await harness.view(handle), "investigation")

    pause_at = await next_morning(harness)
    await handle.execute_update(
        WF.pause_deadline,
        act(Role.inspector, "waiting for a court ruling", deadline="investigation"),
    )
    view = await harness.view(handle)
    assert deadline(view, "investigation").paused
    assert "resume_deadline" in view.available_actions

    await harness.sleep_until(original.due_at + timedelta(days=1))
    view = await harness.view(handle)
    investigation = deadline(view, "investigation")
    assert investigation.state is DeadlineState.pending
    assert investigation.sla_state_at(await harness.now()) is SlaState.on_track
    assert breaches(view, "investigation") == []
    assert notes(harness, handle, "deadline_breached", "investigation") == []
    assert notes(harness, handle, "deadline_due_soon", "investigation") == []

    # Resumed a whole number of CST days after the pause.
    days_paused = (original.due_at - pause_at).days + 3
    resume_at = pause_at + timedelta(days=days_paused)
    await harness.sleep_until(resume_at)
    await handle.execute_update(
        WF.resume_deadline, act(Role.supervisor, "the court ruled", deadline="investigation")
    )
    resumed = deadline(await harness.view(handle), "investigation")
    paused_working_days = OFFICIAL.between(cst_day(pause_at), cst_day(resume_at))
    assert paused_working_days > 60
    assert resumed.due_at == midnight_after(
        OFFICIAL.add(last_day(original.due_at), paused_working_days)
    )
    assert [(e.change, e.actor_id, e.reason) for e in resumed.ledger[-2:]] == [
        ("paused", "inspector-01", "waiting for a court ruling"),
        ("resumed", "supervisor-01", "the court ruled"),
    ]
    assert resumed.pauses[-1].start == cst_day(pause_at)
    assert resumed.pauses[-1].end == cst_day(resume_at)

    await harness.sleep_until(resumed.due_at - timedelta(seconds=5))
    assert deadline(await harness.view(handle), "investigation").state is DeadlineState.pending
    await harness.sleep_until(resumed.due_at + timedelta(seconds=5))
    view = await harness.view(handle)
    assert breaches(view, "investigation") == ["WA-12"]
    assert len(notes(harness, handle, "deadline_breached", "investigation")) == 1


# Warnings.


def scheduled_notification_keys(harness: Harness, handle: Any) -> list[str]:
    """Every notification key the workflow asked the outbox activity to write, each time it
    asked (a local activity's input is in no history: the harness's worker keeps it)."""
    return [
        note.key
        for workflow_id, kind, args in harness.activity_calls
        if workflow_id == handle.id and kind in {"write_notifications", "keep_notifications"}
        for note in args[0]
    ]


async def test_wa1_warning_is_written_exactly_once(harness: Harness) -> None:
    """WA-1: the settle deadline warns one day before it is due, once, whatever happens to
    the case after the warning."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake(workers=2, amount="1000.00"))
    settle = deadline(await harness.view(handle), "settle")
    assert settle.warn_at == settle.due_at - timedelta(days=1)

    await harness.sleep_until(settle.warn_at - timedelta(seconds=5))
    assert notes(harness, handle, "deadline_due_soon", "settle") == []
    await harness.sleep_until(settle.warn_at + timedelta(minutes=1))
    warned = notes(harness, handle, "deadline_due_soon", "settle")
    assert len(warned) == 1 and warned[0].recipient_role == "inspector"
    assert deadline(await harness.view(handle), "settle").warned

    # An update after the warning rewakes the clock: it must not warn again.
    today = cst_day(await harness.now()).isoformat()
    await handle.execute_update(
        WF.record_payment,
        act(Role.inspector, "part paid", worker_no=1, amount="500.00", paid_on=today),
    )
    await harness.env.sleep(timedelta(hours=1))
    assert len(notes(harness, handle, "deadline_due_soon", "settle")) == 1

    await harness.sleep_until(settle.due_at + timedelta(seconds=5))
    view = await harness.view(handle)
    assert breaches(view, "settle") == ["WA-1"]
    assert len(notes(harness, handle, "deadline_due_soon", "settle")) == 1
    keys = scheduled_notification_keys(harness, handle)
    assert len([k for k in keys if ":deadline_due_soon:settle:" in k]) == 1


# Met deadlines.


@pytest.mark.parametrize(
    ("source", "wa12"), [("complaint", "complaint_acceptance"), ("inspection", "investigation")]
)
async def test_wa5_settled_case_never_fires_a_deadline(
    harness: Harness, source: str, wa12: str
) -> None:
    """WA-5, WA-4, WA-12: paying every worker in full meets every deadline of the case,
    the campaign and statutory ones included; none ever fires."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake(source=source, workers=2, amount="1000.00"))
    await pay_in_full(harness, handle, 2, "1000.00")
    view = await harness.view(handle)
    assert view.state.status is CaseStatus.settled
    names = {d.name for d in view.state.deadlines}
    assert names == {
        "settle",
        wa12,
        "campaign_3_months",
        "campaign_year_end",
        "campaign_spring_festival",
    }
    assert {d.state for d in view.state.deadlines} == {DeadlineState.met}

    latest = max(d.due_at for d in view.state.deadlines)
    await harness.sleep_until(latest + timedelta(days=30))
    view = await harness.view(handle)
    assert view.state.status is CaseStatus.settled
    assert view.state.breaches == []
    assert {d.state for d in view.state.deadlines} == {DeadlineState.met}
    assert {d.ledger[-1].change for d in view.state.deadlines} == {"met"}
    kinds = {n.kind for n in harness.notifications(handle.id)}
    assert kinds == {"case_settled"}


# WA-12 complaints.


async def test_wa12_accepted_complaint_starts_a_60_working_day_investigation(
    harness: Harness,
) -> None:
    """WA-12: accepting the complaint meets the 5-working-day clock and files the case: the
    investigation runs 60 working days from the acceptance."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake(source="complaint"))
    await harness.env.sleep(timedelta(days=1))
    await handle.execute_update(
        WF.decide_complaint, act(Role.inspector, "facts are clear", decision="accept")
    )
    view = await harness.view(handle)
    acceptance = deadline(view, "complaint_acceptance")
    assert acceptance.state is DeadlineState.met
    assert acceptance.ledger[-1].actor_id == "inspector-01"
    investigation = deadline(view, "investigation")
    accepted_on = cst_day(investigation.start_at)
    assert accepted_on == cst_day(acceptance.start_at) + timedelta(days=1)
    assert investigation.rule == "WA-12"
    assert investigation.basis is DeadlineBasis.working_days
    assert investigation.due_at == midnight_after(OFFICIAL.add(accepted_on, 60))
    assert investigation.policy == INVESTIGATION_POLICY
    assert investigation.state is DeadlineState.pending
    assert "complaint_accepted" in {n.kind for n in harness.notifications(handle.id)}

    error = await refused(
        handle.execute_update(WF.decide_complaint, act(Role.inspector, decision="accept"))
    )
    assert error.type == "ActionNotAllowed" and "WA-12" in str(error)


async def test_wa12_refused_complaint_closes_the_case(harness: Harness) -> None:
    """WA-12: a complaint refused in writing closes the case with outcome "refused" and the
    workflow completes: the acceptance clock is met, the campaign clocks end with the case,
    the settle clock is cancelled."""
    handle = await harness.open_case(f.intake(source="complaint"))
    result = await handle.execute_update(
        WF.decide_complaint, act(Role.supervisor, "not a labour relation", decision="refuse")
    )
    assert result.status is CaseStatus.closed
    final = await handle.result()
    assert final.status is CaseStatus.closed

    view = await harness.view(handle)  # a completed workflow still answers queries
    assert view.state.close_outcome is CloseOutcome.refused
    states = {d.name: d.state for d in view.state.deadlines}
    assert states == {
        "settle": DeadlineState.cancelled,
        "complaint_acceptance": DeadlineState.met,
        "campaign_3_months": DeadlineState.met,
        "campaign_year_end": DeadlineState.met,
        "campaign_spring_festival": DeadlineState.met,
    }
    row = harness.row(handle.id)
    assert row is not None and row.status == "closed"
    closed = {n.kind: n for n in harness.notifications(handle.id)}
    assert closed["case_closed"].params["outcome"] == "refused"


async def test_wa12_decide_complaint_without_a_pending_complaint_is_refused(
    harness: Harness,
) -> None:
    """WA-12: only a complaint waiting for its decision may be accepted or refused."""
    handle = await harness.open_case(f.intake(source="inspection"))
    error = await refused(
        handle.execute_update(WF.decide_complaint, act(Role.inspector, decision="accept"))
    )
    assert error.type == "ActionNotAllowed" and "WA-12" in str(error)
    assert "decide_complaint" not in (await harness.view(handle)).available_actions


# WA-4 campaign deadlines.


def three_months_later(day: date) -> date:
    month = day.month + 3
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def test_wa4_campaign_deadlines_of_a_new_case(harness: Harness) -> None:
    """WA-4: cleared within 3 months, by 31 December, and before the next Spring Festival
    (before the lunar new year's eve begins)."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake())
    view = await harness.view(handle)
    opened = cst_day(view.state.opened_at)
    eve = lunardate.LunarDate(opened.year + 1, 1, 1).to_solar_date() - timedelta(days=1)
    expected = {
        "campaign_3_months": (midnight_after(three_months_later(opened)), 7),
        "campaign_year_end": (datetime(opened.year + 1, 1, 1, 0, 0, tzinfo=CST), 15),
        "campaign_spring_festival": (datetime.combine(eve, time(0), CST), 15),
    }
    for name, (due_at, warn_days) in expected.items():
        campaign = deadline(view, name)
        assert campaign.rule == "WA-4"
        assert campaign.basis is DeadlineBasis.fixed
        assert campaign.due_at == due_at, name
        # The warning comes up to a day earlier, by the case's spread; the due time does not.
        spread = timedelta(seconds=warning_spread_seconds(handle.id))
        assert campaign.warn_spread_seconds == spread.total_seconds() > 0
        assert campaign.warn_at == max(
            campaign.start_at, due_at - timedelta(days=warn_days) - spread
        )
        assert campaign.state is DeadlineState.pending


async def test_wa4_campaign_warnings_are_spread_over_a_day_and_fire_at_their_instant(
    harness: Harness,
) -> None:
    """WA-4 (docs/RULES-notes.md): a province's cases are warned of the year end over the day
    before the nominal warning, each case at its own instant by its id, once; the due time
    and its breach record stay where the rule puts them."""
    now = (await harness.now()).astimezone(CST)
    # Opened in July: the year end's warning (mid-December) is not clamped to the opening.
    await harness.sleep_until(datetime(now.year + (now.month >= 7), 7, 1, 9, tzinfo=CST))
    handles = [await harness.open_case(f.intake(workers=10, amount="500.00")) for _ in range(3)]
    warned_at = []
    for handle in handles:
        year_end = deadline(await harness.view(handle), "campaign_year_end")
        await triage_major(harness, handle, year_end.due_at + timedelta(days=60))
        nominal = year_end.due_at - timedelta(days=15)
        assert nominal - WARNING_SPREAD <= year_end.warn_at < nominal
        warned_at.append(year_end.warn_at)
    assert len(set(warned_at)) == 3
    first = min(warned_at)
    await harness.sleep_until(first + timedelta(seconds=5))
    for handle, at in zip(handles, warned_at, strict=True):
        year_end = deadline(await harness.view(handle), "campaign_year_end")
        assert year_end.warned is (at == first)
        assert year_end.state is DeadlineState.pending
    await harness.sleep_until(max(warned_at) + timedelta(seconds=5))
    for handle in handles:
        assert deadline(await harness.view(handle), "campaign_year_end").warned


async def test_wa4_missed_year_end_is_recorded_but_does_not_escalate(harness: Harness) -> None:
    """WA-4: a campaign date is a breach record and a notice to the supervisor, never an
    escalation of the case."""
    await next_morning(harness)
    handle = await harness.open_case(f.intake(workers=10, amount="500.00"))
    year_end = deadline(await harness.view(handle), "campaign_year_end")
    await triage_major(harness, handle, year_end.due_at + timedelta(days=60))

    await harness.sleep_until(year_end.due_at + timedelta(seconds=5))
    view = await harness.view(handle)
    assert deadline(view, "campaign_year_end").state is DeadlineState.breached
    assert breaches(view, "campaign_year_end") == ["WA-4"]
    assert view.state.status is CaseStatus.open
    assert deadline(view, "settle").state is DeadlineState.pending
    campaign = [
        n for n in harness.notifications(handle.id) if n.kind == "campaign_deadline_breached"
    ]
    by_deadline = {n.params["deadline"]: n for n in campaign}
    assert by_deadline["campaign_year_end"].recipient_role == "supervisor"
    assert len([n for n in campaign if n.params["deadline"] == "campaign_year_end"]) == 1
    assert "case_escalated" not in {n.kind for n in harness.notifications(handle.id)}
    row = harness.row(handle.id)
    assert row is not None and row.status == "open"
