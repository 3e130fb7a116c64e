"""A worker SIGKILLed while a webhook delivery is on the wire: the retry, on the restarted
worker, sends it again with the same `webhook-id`, so a receiver that honours the Standard
Webhooks scheme processes it once; the delivery is recorded sent once."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlmodel import Session

from store.db import make_engine
from store.delivery import WebhookSubscriptionRecord
from tests import factories as f
from tests.faults.conftest import FaultStack, eventually
from tests.receivers import WEBHOOK_SECRET, WebhookReceiver, running

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(150)]


def subscribe(stack: FaultStack, url: str) -> int:
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as session:
            row = WebhookSubscriptionRecord(
                county_code=f.COUNTY,
                name="faults",
                format="standard",
                url=url,
                secret=WEBHOOK_SECRET,
            )
            session.add(row)
            session.commit()
            assert row.id is not None
            return row.id
    finally:
        engine.dispose()


def unsubscribe(stack: FaultStack, subscription: int) -> None:
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as session:
            row = session.get(WebhookSubscriptionRecord, subscription)
            assert row is not None
            row.enabled = False
            session.add(row)
            session.commit()
    finally:
        engine.dispose()


async def test_worker_killed_mid_webhook_delivery_sends_nothing_twice(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    with running(WebhookReceiver(hold=threading.Event())) as hook:
        subscription = subscribe(stack, hook.url)
        try:
            case = await stack.open_case(workers=12)  # WA-3 major: triage_needed, for groups
            case_id = case["case_id"]
            assert hook.hold is not None
            assert await asyncio.to_thread(hook.held.wait, 30), "the webhook was never sent"
            [worker] = stack.workers
            stack.kill_worker(worker)
            hook.hold.set()  # the receiver answers a worker that is gone
            await stack.worker_ready(stack.start_worker())

            async def delivered() -> list[tuple[object, ...]]:
                return stack.rows(
                    "SELECT status, attempts FROM deliveries"
                    " WHERE case_id = :c AND status = 'sent'",
                    c=case_id,
                )

            [(status, _attempts)] = await eventually(delivered, 100, "the retried delivery")
        finally:
            unsubscribe(stack, subscription)
    mine = [r for r in hook.requests if case_id.encode() in r["body"]]
    assert len(mine) == 2, "one send before the kill, one retry after it"
    assert len({r["headers"]["webhook-id"] for r in mine}) == 1
    assert not hook.refused
    outcomes = stack.rows(
        "SELECT outcome FROM delivery_attempts WHERE case_id = :c AND channel = 'webhook'",
        c=case_id,
    )
    assert [o for (o,) in outcomes] == ["sent"]
