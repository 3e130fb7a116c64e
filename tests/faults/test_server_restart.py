"""The Temporal dev server stopped in the middle of cases and started again on the same port
and database file: the worker and the API reconnect by themselves, the cases go on, and a
deadline that fell while the server was down fires once (WA-2)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests import factories as f
from tests.faults.conftest import FaultStack, eventually
from tests.faults.test_worker_faults import (
    TAKEOVER,
    assert_breached_once,
    assert_fired_once,
    assert_rows_once,
    confirm,
    escalated,
    major_case_due_soon,
)

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(120)]


async def test_cases_continue_across_a_temporal_server_restart(fault_stack: FaultStack) -> None:
    stack = fault_stack
    general = (await stack.open_case(workers=1, amount="450.00"))["case_id"]
    assert (await stack.act(general, "record_payment", f.payment(1, "450.00"))).status_code == 200
    major, due = await major_case_due_soon(stack)

    stack.stop_server()
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 1)
    await stack.start_server()

    await eventually(lambda: escalated(stack, major), TAKEOVER, "the breach after the restart")
    await assert_breached_once(stack, major, due)
    await assert_fired_once(stack, major)
    response = await stack.act(general, "confirm_payment", confirm("P1"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "settled"
    assert (await stack.http.get(f"/api/v1/cases/{general}")).json()["status"] == "settled"  # type: ignore[union-attr]
    assert_rows_once(stack, [general, major])
