"""Delivery of notifications on the time-skipping server, against real receivers on loopback:
an SMTP server (aiosmtpd), a webhook receiver verifying Standard Webhooks signatures, an SMS
gateway checking its HMAC signature. Retry waits are skipped, never slept."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from domain.common import Role
from store.db import make_engine
from store.delivery import (
    ContactPointRecord,
    DeliveryAttemptRecord,
    DeliveryRecord,
    WebhookSubscriptionRecord,
)
from store.users import create_user
from tests import factories as f
from tests.receivers import (
    SMS_SECRET,
    WEBHOOK_SECRET,
    SmsGateway,
    SmtpServer,
    WebhookReceiver,
    free_port,
    running,
)
from tests.workflows.conftest import Harness, end_deliveries
from tests.workflows.scenarios import _cmd
from worker import build_worker
from workflows.delivery import workflow_id as delivery_workflow_id
from workflows.wage_arrears import WageArrearsWorkflow as W


def email_through(smtp: SmtpServer) -> dict[str, Any]:
    """Settings that email through `smtp`, in plain text on the wire."""
    return {"notify_email": "smtp", "smtp_port": smtp.port, "smtp_security": "none"}


def sms_only(gateway: SmsGateway) -> dict[str, Any]:
    """Settings that send no email and every SMS through `gateway`, signed."""
    return {
        "notify_email": "off",
        "sms_provider": "http",
        "sms_endpoint": gateway.url,
        "sms_key_secret": SMS_SECRET,
    }


@contextlib.asynccontextmanager
async def harness_with(
    env: WorkflowEnvironment, database_url: str, **settings: Any
) -> AsyncIterator[Harness]:
    config = Settings(database_url=database_url, **settings)
    task_queue = f"test-{uuid.uuid4()}"
    engine = make_engine(database_url)
    h = Harness(env=env, client=env.client, task_queue=task_queue, engine=engine)
    async with build_worker(env.client, config, task_queue=task_queue):
        try:
            yield h
        finally:
            for handle in h.started:
                with contextlib.suppress(RPCError):
                    await handle.terminate("test finished")
            # Deliveries left running would hold the test server's clock.
            await end_deliveries(env.client, engine)
    engine.dispose()


def staff(engine: Engine, user_id: str, role: Role, email: str | None = None) -> None:
    create_user(engine, user_id, role, [f.COUNTY])
    if email:
        with Session(engine) as session:
            session.add(ContactPointRecord(user_id=user_id, channel="email", address=email))
            session.commit()


def deliveries(engine: Engine, case_id: str) -> list[DeliveryRecord]:
    with Session(engine) as session:
        return list(
            session.exec(select(DeliveryRecord).where(col(DeliveryRecord.case_id) == case_id))
        )


def attempts(engine: Engine, case_id: str) -> list[DeliveryAttemptRecord]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(DeliveryAttemptRecord)
                .where(col(DeliveryAttemptRecord.case_id) == case_id)
                .order_by(col(DeliveryAttemptRecord.id))
            )
        )


async def until(
    h: Harness, done: Callable[[], bool], step: timedelta = timedelta(seconds=30), rounds: int = 200
) -> None:
    """Skips Temporal's time in steps (backoffs pass in milliseconds) until `done()`."""
    for _ in range(rounds):
        if done():
            return
        await h.env.sleep(step)
        await asyncio.sleep(0.05)
    raise AssertionError("the deliveries never got there")


async def breach(h: Harness, workers: int = 1) -> str:
    """A general case left unpaid past WA-1: deadline_breached and case_escalated."""
    handle = await h.open_case(f.intake(workers=workers))
    await h.sleep_until((await h.now()) + timedelta(days=5))
    return handle.id


async def test_wa1_breach_emails_the_inspector_once_through_a_real_smtp_server(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """WA-1: the county's inspector is emailed of the warning, the breach and the escalation,
    one message each, in Chinese, with the case number and no personal data; the supervisor (another
    county) is not."""
    smtp = SmtpServer(free_port())
    smtp.start()
    try:
        async with harness_with(time_skipping_env, database_url, **email_through(smtp)) as h:
            staff(h.engine, "insp-a", Role.inspector, "insp-a@hrss.example.cn")
            create_user(h.engine, "sup-far", Role.supervisor, ["140181"])
            case_id = await breach(h)
            await until(
                h,
                lambda: (
                    {d.kind for d in deliveries(h.engine, case_id) if d.status == "sent"}
                    >= {"deadline_breached", "case_escalated"}
                ),
            )
    finally:
        smtp.stop()
    subjects = sorted(str(m["Subject"]) for m in smtp.messages)
    assert len(subjects) == 3, subjects
    assert all(case_id in s for s in subjects)
    assert [any(word in s for s in subjects) for word in ("即将到期", "已超时", "升级")] == [
        True,
        True,
        True,
    ]
    assert {m["To"] for m in smtp.messages} == {"insp-a@hrss.example.cn"}
    for m in smtp.messages:
        body = m.get_content()  # type: ignore[attr-defined]
        assert "工人1" not in body and f.resident_id(1) not in body and "1390000000" not in body


async def test_smtp_down_for_a_while_then_back_delivers_once(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """The SMTP server is down: each attempt fails, recorded with its reason, and Temporal
    retries with backoff; once the server is back the message goes, once."""
    smtp = SmtpServer(free_port())
    try:
        async with harness_with(
            time_skipping_env, database_url, **email_through(smtp), smtp_timeout=2
        ) as h:
            staff(h.engine, "sup-a", Role.supervisor, "sup-a@hrss.example.cn")
            handle = await h.open_case(f.intake(workers=12))  # WA-3 major: triage_needed
            case_id = handle.id

            def failed_twice() -> bool:
                return sum(a.outcome == "failed" for a in attempts(h.engine, case_id)) >= 2

            await until(h, failed_twice, step=timedelta(seconds=20))
            smtp.start()
            await until(h, lambda: any(d.status == "sent" for d in deliveries(h.engine, case_id)))
            outcomes = [a.outcome for a in attempts(h.engine, case_id)]
    finally:
        smtp.stop()
    assert len(smtp.messages) == 1
    assert "待研判" in str(smtp.messages[0]["Subject"])
    assert outcomes[-1] == "sent" and outcomes.count("sent") == 1
    assert outcomes.count("failed") >= 2
    failed = [a for a in attempts(h.engine, case_id) if a.outcome == "failed"]
    assert all(a.reason for a in failed)


async def test_a_webhook_answering_500_then_200_is_delivered_once_signed(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """A county group webhook answers 500 twice, then 200: three signed requests carrying the
    same webhook-id (the receiver processes it once), each verified by the Standard Webhooks
    scheme; the body carries case number, county, rule and due time only."""
    with running(WebhookReceiver(statuses=[500, 500])) as hook:
        async with harness_with(time_skipping_env, database_url, notify_email="off") as h:
            with Session(h.engine) as session:
                session.add(
                    WebhookSubscriptionRecord(
                        county_code=f.COUNTY,
                        name="小店区督办群",
                        format="standard",
                        url=hook.url,
                        secret=WEBHOOK_SECRET,
                    )
                )
                session.commit()
            case_id = await breach(h)
            await until(
                h,
                lambda: sum(d.status == "sent" for d in deliveries(h.engine, case_id)) >= 2,
            )
            outcomes = [
                (a.delivery_key.split("|")[0], a.outcome) for a in attempts(h.engine, case_id)
            ]
    assert not hook.refused, hook.refused
    ids = hook.processed_ids("webhook-id")
    assert len(ids) == 2  # deadline_breached and case_escalated, each once
    assert len(hook.requests) == 4  # the first one's two 500s, then a 200 each
    assert sorted(o for _, o in outcomes).count("failed") == 2
    import json

    for request in hook.requests:
        data = json.loads(request["body"])["data"]
        assert set(data) == {"case_id", "county_code", "kind", "rule", "due", "text"}
        assert data["case_id"] == case_id and data["county_code"] == f.COUNTY
        assert "工人" not in request["body"].decode()


async def test_workers_get_an_sms_through_the_gateway_without_personal_data(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """WA-5: once a case settles each worker gets one SMS through the signed HTTP gateway:
    plain Chinese, the case number and what to do; no name or ID number, the number only
    as the addressee."""
    with running(SmsGateway(statuses=[503])) as gateway:
        async with harness_with(time_skipping_env, database_url, **sms_only(gateway)) as h:
            handle = await h.open_case(f.intake(workers=2, amount="1200.00"))
            for n in (1, 2):
                await handle.execute_update(
                    W.record_payment,
                    _cmd(
                        Role.mediator, "paid", worker_no=n, amount="1200.00", paid_on="2026-01-05"
                    ),
                )
            for p in ("P1", "P2"):
                await handle.execute_update(
                    W.confirm_payment, _cmd(Role.mediator, "ok", payment_id=p)
                )
            await until(
                h,
                lambda: sum(d.status == "sent" for d in deliveries(h.engine, handle.id)) >= 2,
                step=timedelta(seconds=15),
            )
    assert not gateway.refused
    assert len(gateway.processed_ids("idempotency-key")) == 2
    import json

    bodies = [json.loads(r["body"]) for r in gateway.requests]
    assert {b["to"] for b in bodies} == {"13900000001", "13900000002"}
    for b in bodies:
        assert handle.id in b["text"] and "清偿" in b["text"]
        assert "工人" not in b["text"] and f.resident_id(1)[:6] not in b["text"]


@pytest.mark.parametrize("opted_out", [2])
async def test_a_worker_who_opted_out_gets_no_sms(
    time_skipping_env: WorkflowEnvironment, database_url: str, opted_out: int
) -> None:
    """Opt-out: the worker who asked for no SMS is skipped; the other is told."""
    from store.delivery import SmsOptOutRecord

    with running(SmsGateway()) as gateway:
        async with harness_with(time_skipping_env, database_url, **sms_only(gateway)) as h:
            handle = await h.open_case(f.intake(workers=2, amount="1200.00"))
            with Session(h.engine) as session:
                session.add(
                    SmsOptOutRecord(case_id=handle.id, worker_no=opted_out, recorded_by="m")
                )
                session.commit()
            await handle.execute_update(
                W.decide_complaint, _cmd(Role.inspector, "ok", decision="accept")
            )
            await until(h, lambda: any(d.status == "sent" for d in deliveries(h.engine, handle.id)))
            sent = [d.recipient for d in deliveries(h.engine, handle.id) if d.channel == "sms"]
    assert sent == ["worker:1"]
    assert len(gateway.requests) == 1


async def test_a_delivery_reads_its_plan_as_a_local_activity(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """The plan is a marker in the run's first workflow task, not an activity through the
    server; the emails it names still go out as activities Temporal retries."""
    smtp = SmtpServer(free_port())
    smtp.start()
    try:
        async with harness_with(time_skipping_env, database_url, **email_through(smtp)) as h:
            staff(h.engine, "insp-b", Role.inspector, "insp-b@hrss.example.cn")
            case_id = await breach(h)
            await until(h, lambda: any(d.status == "sent" for d in deliveries(h.engine, case_id)))
            sent = next(d for d in deliveries(h.engine, case_id) if d.status == "sent")
            key = next(n.key for n in h.notifications(case_id) if n.id == sent.notification_id)
            history = await h.client.get_workflow_handle(delivery_workflow_id(key)).fetch_history()
    finally:
        smtp.stop()
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    markers = [
        e.marker_recorded_event_attributes.marker_name
        for e in history.events
        if e.HasField("marker_recorded_event_attributes")
    ]
    assert "plan_delivery" not in scheduled and "send_email" in scheduled, scheduled
    assert "core_local_activity" in markers, markers
