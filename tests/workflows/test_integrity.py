"""The case record holds: forged writes are refused, a retry acts once, a handler's failure
fails one update (never the workflow task), and a long-lived case continues as new.

Forgeries are sent as someone who reaches Temporal's frontend without the API would: with
plaintext payloads, or sealed but without the API's stamp, or stamped for another case.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer

from core.settings import Settings
from core.temporal import data_converter
from domain import carry
from domain.common import CST, Role
from domain.dispute.view import DisputeOutcome
from domain.wage_arrears import transitions
from domain.wage_arrears.models import CaseStatus, CloseCase
from tests import factories as f
from tests.stamping import stamped
from tests.workflows.conftest import Harness, refused
from worker import WORKFLOWS
from workflows.dispute import DISPUTE_OUTCOME_SIGNAL, DisputeWorkflow
from workflows.wage_arrears import WageArrearsWorkflow

WF = WageArrearsWorkflow
Handle = WorkflowHandle[Any, Any]


def act(role: Role, reason: str = "officer's decision", **fields: Any) -> dict[str, Any]:
    return {"actor": f.actor(role), "reason": reason, **fields}


def ghost(**fields: Any) -> dict[str, Any]:
    actor = {"id": "ghost-99", "role": "supervisor", "county_code": f.COUNTY}
    return {"actor": actor, "reason": "closed from the frontend", **fields}


async def payment(harness: Harness, worker_no: int = 1, amount: str = "500.00") -> dict[str, Any]:
    today = (await harness.now()).astimezone(CST).date()
    return act(
        Role.inspector, "paid at the bureau", worker_no=worker_no, amount=amount,
        paid_on=today.isoformat(),
    )  # fmt: skip


def raw_client(harness: Harness, *, sealed: bool) -> Client:
    """A client of the same frontend without the API: plaintext, or sealed with the key but
    without the stamp interceptor (as a process that stole the key but not the API's role)."""
    config = harness.client.config()
    config["interceptors"] = []
    config["data_converter"] = (
        data_converter(Settings()) if sealed else dataclasses.replace(pydantic_data_converter)
    )
    return Client(**config)


async def history_events(handle: Handle) -> list[Any]:
    return list((await handle.fetch_history()).events)


def task_failures(events: list[Any]) -> list[Any]:
    return [e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]


async def test_a_plaintext_update_from_the_frontend_is_refused_and_records_nothing(
    harness: Harness,
) -> None:
    handle = await harness.open_case(f.intake())
    accepted = len(accepted_updates(await history_events(handle)))
    forger = raw_client(harness, sealed=False).get_workflow_handle(handle.id)
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await forger.execute_update("close", ghost(outcome="settled"))
    cause = info.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "Forbidden"
    assert "unencrypted payloads are refused" in cause.message
    view = await harness.view(handle)
    assert view.state.status is not CaseStatus.closed
    events = await history_events(handle)
    assert len(accepted_updates(events)) == accepted
    assert task_failures(events) == []


def accepted_updates(events: list[Any]) -> list[Any]:
    return [
        e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]


async def test_a_sealed_update_without_the_api_stamp_is_refused(harness: Harness) -> None:
    handle = await harness.open_case(f.intake())
    forger = raw_client(harness, sealed=True).get_workflow_handle(handle.id)
    cause = await refused(forger.execute_update("close", ghost(outcome="settled")))
    assert cause.type == "Forbidden" and "only through the API" in cause.message
    assert (await harness.view(handle)).state.status is not CaseStatus.closed


async def test_an_action_stamped_for_another_case_is_refused(harness: Harness) -> None:
    """A sealed action copied from one case's history into another's is not believed."""
    first = await harness.open_case(f.intake())
    second = await harness.open_case(f.intake())
    cmd = stamped(
        CloseCase.model_validate(act(Role.supervisor, "paid", outcome="settled")), first.id
    )
    forger = raw_client(harness, sealed=True).get_workflow_handle(second.id)
    cause = await refused(forger.execute_update("close", cmd))
    assert cause.type == "Forbidden" and "another case" in cause.message
    assert (await harness.view(second)).state.status is not CaseStatus.closed


async def test_a_dispute_outcome_from_nowhere_settles_nothing(harness: Harness) -> None:
    """MA-1: a linked-case signal is believed only from the dispute this case referred, and a
    plaintext one is dropped before any handler sees it."""
    handle = await harness.open_case(f.intake(workers=2, amount="3000.00"))
    outcome = DisputeOutcome(
        dispute_id="MA-2026-999999", outcome="performed", at=await harness.now()
    )
    for sealed in (False, True):
        forger = raw_client(harness, sealed=sealed).get_workflow_handle(handle.id)
        await forger.signal(DISPUTE_OUTCOME_SIGNAL, outcome)
    await harness.env.sleep(timedelta(seconds=5))
    view = await harness.view(handle)
    assert view.state.status is not CaseStatus.settled
    assert [s.rung for s in view.state.ladder if s.rung == "dispute_outcome"] == []
    assert all(d.state.value == "pending" for d in view.state.deadlines if d.name == "settle")
    assert task_failures(await history_events(handle)) == []


async def test_a_retried_action_is_applied_once_with_its_first_outcome(harness: Harness) -> None:
    handle = await harness.open_case(f.intake())
    cmd = await payment(harness)
    first = await handle.execute_update(WF.record_payment, stamped_dict(cmd, handle.id, "k-1"))
    again = await handle.execute_update(WF.record_payment, stamped_dict(cmd, handle.id, "k-1"))
    assert again == first
    view = await harness.view(handle)
    assert len(view.state.payments) == 1
    # The same key with another input is refused (422), not applied.
    other = {**cmd, "amount": "600.00"}
    cause = await refused(
        handle.execute_update(WF.record_payment, stamped_dict(other, handle.id, "k-1"))
    )
    assert cause.type == "InvalidActionInput" and "Idempotency-Key" in cause.message
    assert len((await harness.view(handle)).state.payments) == 1


def stamped_dict(cmd: dict[str, Any], case_id: str, key: str) -> dict[str, Any]:
    return {**cmd, "request": {"case_id": case_id, "key": key}}


async def test_a_mass_case_of_101_workers_is_referred_to_mediation(harness: Harness) -> None:
    """The dispute's file holds one claim a worker: a mass case's referral opens its dispute
    instead of failing the workflow task for ever."""
    handle = await harness.open_case(f.intake(workers=101, amount="1000.00"))
    await handle.execute_update(WF.refer_to_mediation, act(Role.mediator, "refer the group"))
    links = (await harness.view(handle)).state.linked_cases
    assert [(link.kind, link.relation) for link in links] == [("dispute", "referred_to")]
    dispute = await harness.opened(
        DisputeWorkflow, harness.client.get_workflow_handle(links[0].case_id)
    )
    claims = (await dispute.query(DisputeWorkflow.view)).state.intake.claims
    assert len(claims) == 101
    assert task_failures(await history_events(handle)) == []


async def test_a_handler_that_breaks_fails_its_update_and_leaves_the_case_as_it_was(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = await harness.open_case(f.intake())
    before = await harness.view(handle)
    original = transitions.apply

    def broken(name: str, *args: Any) -> Any:
        if name == "record_payment":
            original(name, *args)  # the state is changed, then the bug strikes
            raise KeyError("a bug")
        return original(name, *args)

    monkeypatch.setattr(transitions, "apply", broken)
    cause = await refused(handle.execute_update(WF.record_payment, await payment(harness)))
    assert cause.type == "ActionFailed"
    after = await harness.view(handle)
    assert after.state.payments == [] and after.state.revision == before.state.revision
    monkeypatch.setattr(transitions, "apply", original)
    await handle.execute_update(WF.record_payment, await payment(harness))
    assert len((await harness.view(handle)).state.payments) == 1
    assert task_failures(await history_events(handle)) == []


async def test_a_long_lived_case_continues_as_new_with_its_state_clocks_and_keys(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case continues as new before its history is too large: the new run has the same
    payments, the same pending deadline (which still fires once, on time), and answers a
    retried key with its first outcome; every run's history replays."""
    monkeypatch.setattr(carry, "MAX_HISTORY_EVENTS", 40)
    handle = await harness.open_case(f.intake(workers=3, amount="3000.00"))
    first_run = (await handle.describe()).run_id
    settle = [d for d in (await harness.view(handle)).state.deadlines if d.name == "settle"][0]
    cmd = stamped_dict(await payment(harness, 1, "10.00"), handle.id, "pay-1")
    first = await handle.execute_update(WF.record_payment, cmd)
    for n in range(2, 9):
        await handle.execute_update(WF.record_payment, await payment(harness, 1 + n % 3, "10.00"))
    runs = await _runs(harness, handle.id)
    assert len(runs) >= 2 and runs[0] == first_run
    view = await harness.view(handle)
    assert len(view.state.payments) == 8
    carried = [d for d in view.state.deadlines if d.name == "settle"][0]
    assert carried.due_at == settle.due_at and carried.state.value == "pending"
    # A retry of the very first payment, after the case continued, acts no more.
    assert await handle.execute_update(WF.record_payment, cmd) == first
    assert len((await harness.view(handle)).state.payments) == 8
    # The carried clock fires once in the new run (WA-1: an unsettled general case escalates).
    await harness.sleep_until(settle.due_at + timedelta(minutes=1))
    view = await harness.view(handle)
    assert [d.state.value for d in view.state.deadlines if d.name == "settle"] == ["breached"]
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(Settings(), worker=True))
    for run_id in await _runs(harness, handle.id):
        history = await harness.client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        await replayer.replay_workflow(history)


async def _runs(harness: Harness, case_id: str) -> list[str]:
    """The case's runs, oldest first, walked back from the latest."""
    runs: list[str] = []
    run_id: str | None = None
    while True:
        history = await harness.client.get_workflow_handle(case_id, run_id=run_id).fetch_history()
        started = history.events[0].workflow_execution_started_event_attributes
        runs.insert(0, history.run_id)
        if not started.continued_execution_run_id:
            return runs
        run_id = started.continued_execution_run_id
