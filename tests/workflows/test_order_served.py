"""WA-6, MA-5, CAL-3: recording that a notice was served (送达): the order to pay, the
arbitration application. Its date, a legal date that may be before the day it is recorded,
starts the days the law counts from service; a last day on a rest day moves to the next
working day; the history names who recorded it and how."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from domain.common import CST, Role
from domain.notices import NoticeKind, last_day, occasion, zh_date
from tests import factories as f
from tests.workflows.conftest import Harness, refused
from tests.workflows.expected_dates import OFFICIAL, cst_day
from tests.workflows.test_insurance_transfer import next_morning
from tests.workflows.test_notices_pdf import _dispute, _open_dispute
from workflows.dispute import DisputeWorkflow as D
from workflows.wage_arrears import WageArrearsWorkflow as W


def _cmd(reason: str = "recorded", **fields: Any) -> dict[str, Any]:
    return {"actor": f.actor(Role.inspector), "reason": reason, **fields}


def _order(view: Any) -> Any:
    return [d for d in view.state.deadlines if d.name == "order_to_pay"][-1]


def _next_working_day(day: date) -> date:
    while not OFFICIAL(day):
        day += timedelta(days=1)
    return day


async def test_wa6_order_served_on_a_weekend_counts_from_service_and_rolls_past_rest_days(
    harness: Harness,
) -> None:
    await next_morning(harness)
    handle = await harness.open_case(f.intake(workers=1, amount="3000.00"))
    issued_on = cst_day(await harness.now())

    refusal = await refused(
        handle.execute_update(W.record_order_served, _cmd(served_on=issued_on.isoformat()))
    )
    assert refusal.type == "ActionNotAllowed" and "WA-6" in refusal.message  # no order yet

    await handle.execute_update(W.issue_order_to_pay, _cmd("order issued"))
    view = await harness.view(handle)
    assert last_day(_order(view).due_at) == issued_on + timedelta(days=7)

    # Served on the first day after issue whose 7th day is a rest day (a Saturday's is).
    served_on = next(
        issued_on + timedelta(days=n)
        for n in range(1, 8)
        if not OFFICIAL(issued_on + timedelta(days=n + 7))
    )
    expected = _next_working_day(served_on + timedelta(days=7))
    assert expected > served_on + timedelta(days=7)
    # Recorded the day after it was served: the legal date is the one served.
    await harness.sleep_until(datetime.combine(served_on + timedelta(days=1), time(10), CST))

    future = (served_on + timedelta(days=2)).isoformat()
    refusal = await refused(handle.execute_update(W.record_order_served, _cmd(served_on=future)))
    assert refusal.type == "InvalidActionInput"
    before = (issued_on - timedelta(days=1)).isoformat()
    refusal = await refused(handle.execute_update(W.record_order_served, _cmd(served_on=before)))
    assert refusal.type == "InvalidActionInput"

    await handle.execute_update(
        W.record_order_served,
        _cmd("served by post, receipt signed", served_on=served_on.isoformat(), manner="mail"),
    )
    view = await harness.view(handle)
    order = _order(view)
    assert last_day(order.due_at) == expected
    assert order.start_at == datetime.combine(served_on, time(12), CST)
    assert order.ledger[-1].change == "served" and order.ledger[-1].actor_id == "inspector-01"
    step = view.state.ladder[-1]
    assert (step.rung, step.rule, step.actor_id) == ("order_to_pay_served", "WA-6", "inspector-01")
    assert step.details["served_on"] == served_on.isoformat()
    assert step.details["manner"] == "mail"
    assert "record_order_served" not in view.available_actions

    refusal = await refused(
        handle.execute_update(W.record_order_served, _cmd(served_on=served_on.isoformat()))
    )
    assert refusal.type == "ActionNotAllowed"  # served once

    # The notice printed now shows the deadline counted from service, and the service date.
    occ = occasion(NoticeKind.order_to_pay, "wage_arrears", view.state)
    assert occ.context["due"] == zh_date(expected)
    assert occ.context["served_on"] == zh_date(served_on)

    # Past the 7th day after service (a rest day) the order is not missed; past the next
    # working day it is.
    rest_day_end = datetime.combine(served_on + timedelta(days=8), time(1), CST)
    await harness.sleep_until(rest_day_end)
    view = await harness.view(handle)
    assert not view.state.order_to_pay_missed
    await harness.sleep_until(datetime.combine(expected + timedelta(days=1), time(1), CST))
    view = await harness.view(handle)
    assert view.state.order_to_pay_missed
    assert _order(view).state.value == "breached"


async def test_ma5_service_records_its_manner_and_the_defence_counts_from_the_date_served(
    harness: Harness,
) -> None:
    """MA-5: the respondent's service (送达) records how it was served; the defence's 10 days
    run from the date served (CAL-3), which the action names."""
    handle = await _open_dispute(harness, _dispute(origin="arbitration"))
    mediator = {"actor": f.actor(Role.mediator), "reason": "recorded"}
    await handle.execute_update(D.decide_acceptance, {**mediator, "decision": "accept"})
    today = cst_day(await harness.now())
    await handle.execute_update(
        D.record_service,
        {**mediator, "served_on": today.isoformat(), "manner": "left_at_premises"},
    )
    state = (await handle.query(D.view)).state
    [event] = [e for e in state.events if e.kind == "respondent_served"]
    assert event.details == {"served_on": today.isoformat(), "manner": "left_at_premises"}
    defence = [d for d in state.deadlines if d.name == "defence"][-1]
    assert defence.start_at == datetime.combine(today, time(12), CST)
    assert defence.rule == "MA-5"
