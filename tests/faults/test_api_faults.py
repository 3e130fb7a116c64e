"""The API dies mid-action and the client retries with the same Idempotency-Key: the action
is taken once, whatever the dead API had sent, and the retry answers with its outcome."""

from __future__ import annotations

import asyncio
import signal
import uuid

import httpx
import pytest

from tests import factories as f
from tests.faults.conftest import CASES, FaultStack, stop

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(120)]


async def test_a_retry_after_the_api_was_killed_mid_action_records_one_payment(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    case_id = (await stack.open_case(workers=1, amount="1000.00"))["case_id"]
    # With no worker the action waits inside Temporal, as it would behind a slow one: the
    # API is killed while its request is in flight, after Temporal admitted the update.
    for worker in list(stack.workers):
        stack.kill_worker(worker)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    assert stack.http is not None
    url = f"{CASES}/{case_id}/actions/record_payment"
    in_flight = asyncio.create_task(stack.http.post(url, json=f.payment(), headers=key))
    await asyncio.sleep(1.5)
    assert stack.api is not None
    stop(stack.api, signal.SIGKILL)
    with pytest.raises(httpx.TransportError):
        await in_flight
    stack.api = None
    await stack.stop_api()

    await stack.worker_ready(stack.start_worker())
    await stack.start_api()
    retried = await stack.act_with(case_id, "record_payment", f.payment(), key)
    assert retried.status_code == 200, retried.text
    again = await stack.act_with(case_id, "record_payment", f.payment(), key)
    assert again.json() == retried.json()
    view = await stack.view(case_id)
    assert [(p.worker_no, str(p.amount)) for p in view.state.payments] == [(1, "500.00")]
