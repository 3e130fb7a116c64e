"""The same create request sent many times at once, as a client retrying on timeouts would:
one case, one case number used, and every answer names it."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests import factories as f
from tests.faults.conftest import CASES, FaultStack

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(120)]

COPIES = 20


async def test_one_case_for_the_same_request_sent_concurrently(fault_stack: FaultStack) -> None:
    stack = fault_stack
    assert stack.http is not None and stack.client is not None
    key = f"complaint-{uuid.uuid4()}"
    body = f.intake(workers=1, amount="1200.00")
    numbers_before = stack.rows("SELECT coalesce(sum(last), 0) FROM case_counters")
    # The opener's token once, before the race: the race is about cases, not test users.
    assert stack.users is not None
    await asyncio.to_thread(stack.users.token_for_actor, body["opened_by"])

    answers = await asyncio.gather(
        *(
            stack.http.post(f"{CASES}/wage-arrears", json=body, headers={"Idempotency-Key": key})
            for _ in range(COPIES)
        )
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * (COPIES - 1) + [201], [a.text for a in answers]
    (case_id,) = {a.json()["case_id"] for a in answers}
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == COPIES - 1
    assert stack.rows("SELECT case_id FROM case_requests WHERE key = :key", key=key) == [(case_id,)]
    assert stack.rows("SELECT count(*) FROM cases WHERE case_id = :id", id=case_id) == [(1,)]
    # The losers' case numbers were rolled back with their claims: one number used.
    (after,) = stack.rows("SELECT coalesce(sum(last), 0) FROM case_counters")
    assert after[0] == numbers_before[0][0] + 1
    started = [w async for w in stack.client.list_workflows(f"WorkflowId = '{case_id}'")]
    assert len(started) == 1
