"""PUB-4: a worker's access is recorded in the case's history as the worker, and only as the
API stamped it; it changes nothing of the case."""

from __future__ import annotations

from typing import Any

from temporalio.api.enums.v1 import EventType

from domain.common import RequestStamp
from domain.worker_window import WorkerAccess, WorkerAccessResult, WorkerActor
from tests import factories as f
from tests.workflows.conftest import Harness, refused
from tests.workflows.test_integrity import raw_client


def access(case_id: str, stamp_for: str | None = None) -> dict[str, Any]:
    cmd = WorkerAccess(actor=WorkerActor.of(1, f.COUNTY), session="0123456789abcdef")
    if stamp_for is not None:
        cmd = cmd.model_copy(
            update={"request": RequestStamp(case_id=stamp_for, key="worker-access:0123")}
        )
    return cmd.model_dump(mode="json")


async def test_pub4_a_worker_access_is_in_the_history_as_the_worker(harness: Harness) -> None:
    handle = await harness.open_case(f.intake())
    before = (await harness.view(handle)).state.revision
    sealed = raw_client(harness, sealed=True).get_workflow_handle(handle.id)
    result = await sealed.execute_update(
        "worker_access",
        access(handle.id, stamp_for=handle.id),
        id="worker_access:0123456789abcdef",
        result_type=WorkerAccessResult,
    )
    assert result.case_id == handle.id
    # The same session again joins the first update: one entry.
    await sealed.execute_update(
        "worker_access",
        access(handle.id, stamp_for=handle.id),
        id="worker_access:0123456789abcdef",
        result_type=WorkerAccessResult,
    )
    events = (await handle.fetch_history()).events
    accepted = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    assert accepted.count("worker_access") == 1
    assert (await harness.view(handle)).state.revision == before


async def test_pub4_an_unstamped_or_misdirected_worker_access_is_refused(harness: Harness) -> None:
    first = await harness.open_case(f.intake())
    second = await harness.open_case(f.intake())
    sealed = raw_client(harness, sealed=True).get_workflow_handle(second.id)
    cause = await refused(sealed.execute_update("worker_access", access(second.id)))
    assert cause.type == "Forbidden"
    cause = await refused(sealed.execute_update("worker_access", access(second.id, first.id)))
    assert cause.type == "Forbidden"
