"""Workers that die: SIGKILL mid-flight with a deadline falling while no worker runs, and a
second worker on the same task queue taking over. Nothing is lost, nothing doubled: each
deadline fires once (WA-2), each notification and each read-model row exists once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.common import Role
from tests import factories as f
from tests.faults.conftest import FaultStack, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(120)]

# Long enough for the triage to return before it falls, short enough not to wait for it.
LEAD = timedelta(seconds=4)
# A workflow task sent to a dead worker's sticky queue waits out its 10 s schedule-to-start
# timeout before another worker gets it; that is most of each test's time.
TAKEOVER = 45.0


def confirm(payment_id: str) -> dict[str, Any]:
    return {"actor": f.actor(Role.mediator), "reason": "receipt signed", "payment_id": payment_id}


async def major_case_due_soon(stack: FaultStack) -> tuple[str, datetime]:
    """WA-2: a major case (mass-incident risk) triaged with its deadline seconds ahead."""
    case = await stack.open_case(workers=1, mass_incident_risk=True)
    due = datetime.now(UTC) + LEAD
    triaged = await stack.act(
        case["case_id"],
        "triage",
        {
            "actor": f.actor(Role.supervisor),
            "reason": "major: mass-incident risk",
            "severity": "major",
            "resolution_deadline": due.isoformat(),
        },
    )
    assert triaged.status_code == 200, triaged.text
    return case["case_id"], due


async def assert_fired_once(stack: FaultStack, case_id: str) -> None:
    """The breach's notifications, once each. The case row may show `escalated` a moment
    before they land (the flusher writes the newest state it has), so wait for them first."""

    async def counted() -> dict[str, int] | None:
        kinds = dict(
            stack.rows(
                "SELECT kind, count(*) FROM notifications WHERE case_id = :id GROUP BY kind",
                id=case_id,
            )
        )
        return kinds if {"deadline_breached", "case_escalated"} <= set(kinds) else None

    kinds = await eventually(counted, 10, "the breach's notifications")
    assert kinds["deadline_breached"] == 1, kinds
    assert kinds["case_escalated"] == 1, kinds


def assert_rows_once(stack: FaultStack, case_ids: list[str]) -> None:
    for case_id in case_ids:
        assert stack.rows("SELECT count(*) FROM cases WHERE case_id = :id", id=case_id) == [(1,)]
        names = stack.rows("SELECT name FROM deadlines WHERE case_id = :id", id=case_id)
        assert len(names) == len(set(names)) and names


async def assert_breached_once(stack: FaultStack, case_id: str, due: datetime) -> None:
    view = await stack.view(case_id)
    breaches = [b for b in view.state.breaches if b.deadline == "settle"]
    assert len(breaches) == 1 and breaches[0].rule == "WA-2"
    assert breaches[0].at >= due
    settle = next(d for d in view.state.deadlines if d.name == "settle")
    assert settle.state.value == "breached"


async def escalated(stack: FaultStack, case_id: str) -> bool:
    rows = stack.rows("SELECT status FROM cases WHERE case_id = :id", id=case_id)
    return rows == [("escalated",)]


async def test_sigkilled_worker_loses_nothing_and_a_deadline_that_fell_meanwhile_fires_once(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    (worker,) = stack.workers
    general = (await stack.open_case(workers=1, amount="700.00"))["case_id"]
    partly = (await stack.open_case(workers=2, amount="500.00"))["case_id"]
    assert (await stack.act(partly, "record_payment", f.payment(1, "500.00"))).status_code == 200
    major, due = await major_case_due_soon(stack)

    # One action on its way as the worker dies, one sent while no worker runs: the API waits,
    # and each is taken once, whatever the dead worker had done of it.
    dying = asyncio.create_task(stack.act(partly, "record_payment", f.payment(2, "500.00")))
    await asyncio.sleep(0.05)
    stack.kill_worker(worker)
    in_flight = asyncio.create_task(stack.act(general, "record_payment", f.payment(1, "700.00")))
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 1)
    assert not await escalated(stack, major), "no worker ran, so nothing wrote the breach"
    stack.start_worker()

    # Together: each case's first task after the crash may wait out the dead worker's sticky
    # queue, and these waits overlap.
    answered, _, paid = await asyncio.gather(
        in_flight,
        eventually(lambda: escalated(stack, major), TAKEOVER, "the breach after the restart"),
        dying,
    )
    assert answered.status_code == 200, answered.text
    assert paid.status_code == 200, paid.text
    await assert_breached_once(stack, major, due)
    await assert_fired_once(stack, major)

    # The cases carry on to the end.
    assert (await stack.act(general, "confirm_payment", confirm("P1"))).json()["status"] == (
        "settled"
    )
    for pid in ("P1", "P2"):
        response = await stack.act(partly, "confirm_payment", confirm(pid))
        assert response.status_code == 200, response.text
    assert response.json()["status"] == "settled"
    settled = stack.rows(
        "SELECT case_id, status, revision FROM cases WHERE case_id IN (:a, :b) ORDER BY 1",
        a=general,
        b=partly,
    )
    assert [s for _, s, _ in settled] == ["settled", "settled"]
    assert [p.worker_no for p in (await stack.view(partly)).state.payments] == [1, 2]
    assert_rows_once(stack, [general, partly, major])
    for case_id in (general, partly):
        opened = stack.rows(
            "SELECT count(*) FROM notifications WHERE case_id = :id AND kind = 'deadline_breached'",
            id=case_id,
        )
        assert opened == [(0,)]


async def test_two_workers_one_killed_the_other_takes_over(fault_stack: FaultStack) -> None:
    stack = fault_stack
    (first,) = stack.workers
    second = stack.start_worker()
    cases = [(await stack.open_case(workers=1, amount="600.00"))["case_id"] for _ in range(3)]
    major, due = await major_case_due_soon(stack)

    # Whichever of the two held the cases, one is gone; the survivor does all the work.
    stack.kill_worker(first)
    *paid, _ = await asyncio.gather(
        *(stack.act(case_id, "record_payment", f.payment(1, "600.00")) for case_id in cases),
        eventually(lambda: escalated(stack, major), TAKEOVER, "the breach on the survivor"),
    )
    assert all(r.status_code == 200 for r in paid), [r.text for r in paid]
    await assert_breached_once(stack, major, due)
    await assert_fired_once(stack, major)
    for case_id in cases:
        response = await stack.act(case_id, "confirm_payment", confirm("P1"))
        assert response.status_code == 200 and response.json()["status"] == "settled"
    assert_rows_once(stack, [*cases, major])
    assert second.poll() is None
