"""The Temporal server stopped under a running API: a create answers 503 with Retry-After in
the API's error shape (not a 500), reads from the read model keep answering, and once the
server is back the same request, retried with its key, opens the case once."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.faults.conftest import CASES, FaultStack

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(120)]


async def test_a_create_while_temporal_is_down_is_503_then_succeeds_on_retry(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    assert stack.http is not None
    key = {"Idempotency-Key": "outage-create-1"}
    stack.stop_server()

    refused = await stack.http.post(f"{CASES}/wage-arrears", json=f.intake(), headers=key)
    assert refused.status_code == 503, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "temporal_unavailable"
    assert set(refused.json()["error"]) == {"code", "message", "message_zh", "details"}
    listed = await stack.http.get(CASES)
    assert listed.status_code == 200, listed.text

    await stack.start_server()
    opened = await stack.http.post(f"{CASES}/wage-arrears", json=f.intake(), headers=key)
    assert opened.status_code in (200, 201), opened.text
    again = await stack.http.post(f"{CASES}/wage-arrears", json=f.intake(), headers=key)
    assert again.json()["case_id"] == opened.json()["case_id"]
