"""Delivery activities: plan who gets a notification on which channel, send each delivery
once, and record every attempt's outcome (sent, failed with its reason, gave up, skipped).

Exactly once as far as the channel allows: a delivery recorded as sent is never sent again
(a retry, a second run started by an admin); a worker killed between the channel accepting a
message and the record of it sends it once more on the retry, with the same key (the
Standard Webhooks `webhook-id`, the SMS gateway's `Idempotency-Key`, the email's
`Message-ID`), so a channel that honours the key still delivers once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.case_parties import CaseParties, case_parties
from activities.channels import Refused
from activities.channels.email import message, send_email
from activities.channels.sms import SmsProvider, sms_provider
from activities.channels.webhooks import notify_robot, post_standard
from core import one_time_codes
from core.logging import mask_text
from core.settings import Settings
from domain.delivery import Delivery, DeliveryPlan, GaveUp, delivery_key
from domain.notification_routes import Channel, group_message, route, sentence, sms_text
from domain.notifications import Notification
from store.delivery import (
    ContactPointRecord,
    DeliveryAttemptRecord,
    DeliveryRecord,
    SmsOptOutRecord,
    WebhookSubscriptionRecord,
)
from store.public import confirmed_mobiles
from store.tables import NotificationRecord
from store.upsert import insert_into
from store.users import UserRecord

log = structlog.get_logger("activities.delivery")

_deliveries = DeliveryRecord.__table__  # type: ignore[attr-defined]
_attempts = DeliveryAttemptRecord.__table__  # type: ignore[attr-defined]
_notes = NotificationRecord.__table__  # type: ignore[attr-defined]


def _reason(exc: BaseException) -> str:
    """What went wrong, short, with anything shaped like a mobile or ID number masked."""
    text = str(exc) or type(exc).__name__
    return mask_text(f"{type(exc).__name__}: {text}")[:480]


def _about(d: Delivery) -> dict[str, str]:
    """Who a delivery is for, as each attempt is logged and recorded."""
    return {"case_id": d.notification.case_id, "channel": d.channel.value, "recipient": d.recipient}


class DeliveryActivities:
    def __init__(self, engine: Engine, settings: Settings, client: Client) -> None:
        self._engine = engine
        self._settings = settings
        self._client = client
        self._sms: SmsProvider | None = None

    # Planning.

    @activity.defn
    async def plan_delivery(self, note: Notification) -> DeliveryPlan:
        r = route(note.kind)
        parties = (
            await case_parties(self._client, note.case_id)
            if r.opener or r.workers
            else CaseParties()
        )
        return await asyncio.to_thread(self._plan, note, parties)

    def _plan(self, note: Notification, parties: CaseParties) -> DeliveryPlan:
        r = route(note.kind)
        with self._engine.begin() as conn:
            row = conn.execute(
                select(_notes.c.id, _notes.c.recipient).where(_notes.c.key == note.key)
            ).first()
            if row is None:
                raise ApplicationError("the notification is not in the outbox yet")
            note_id = int(row.id)
            if r.opener and parties.opener and row.recipient is None:
                # The responsible user, by name: their inbox shows it whatever their role.
                conn.execute(
                    update(_notes)
                    .where(_notes.c.id == note_id, _notes.c.recipient.is_(None))
                    .values(recipient=parties.opener)
                )
            wanted: list[tuple[Channel, str]] = []
            if r.email and self._settings.notify_email != "off":
                wanted += [(Channel.email, user) for user in self._emailed(conn, note, parties)]
            if r.webhook:
                subscriptions = conn.execute(
                    select(WebhookSubscriptionRecord.id).where(  # type: ignore[call-overload]
                        WebhookSubscriptionRecord.county_code == note.county_code,
                        WebhookSubscriptionRecord.enabled.is_(True),  # type: ignore[attr-defined]
                    )
                ).scalars()
                wanted += [(Channel.webhook, f"webhook:{i}") for i in subscriptions]
            skipped = 0
            if r.workers and self._settings.sms_provider != "off":
                opted_out = set(
                    conn.execute(
                        select(SmsOptOutRecord.worker_no).where(  # type: ignore[call-overload]
                            SmsOptOutRecord.case_id == note.case_id
                        )
                    ).scalars()
                )
                for n in sorted(parties.mobiles):
                    if r.one_worker and str(n) != note.params.get("worker_no"):
                        continue
                    if n in opted_out and not r.requested:
                        skipped += 1
                    else:
                        wanted.append((Channel.sms, f"worker:{n}"))
            deliveries = [
                Delivery(
                    key=delivery_key(note.key, channel, recipient),
                    notification=note,
                    notification_id=note_id,
                    channel=channel,
                    recipient=recipient,
                )
                for channel, recipient in wanted
            ]
            if deliveries:
                now = datetime.now(UTC)
                conn.execute(
                    insert_into(conn, _deliveries)
                    .values(
                        [
                            {
                                "key": d.key,
                                "notification_id": note_id,
                                "case_id": note.case_id,
                                "county_code": note.county_code,
                                "kind": note.kind,
                                "channel": d.channel.value,
                                "recipient": d.recipient,
                                "status": "pending",
                                "attempts": 0,
                                "created_at": now,
                                "updated_at": now,
                            }
                            for d in deliveries
                        ]
                    )
                    .on_conflict_do_nothing(index_elements=[_deliveries.c.key])
                )
            sent = set(
                conn.execute(
                    select(_deliveries.c.key).where(
                        _deliveries.c.notification_id == note_id, _deliveries.c.status == "sent"
                    )
                ).scalars()
            )
        log.info(
            "delivery planned",
            case_id=note.case_id,
            kind=note.kind,
            deliveries=len(deliveries),
            already_sent=len(sent),
            skipped=skipped,
        )
        return DeliveryPlan(
            deliveries=[d for d in deliveries if d.key not in sent], skipped=skipped
        )

    def _emailed(self, conn: object, note: Notification, parties: CaseParties) -> list[str]:
        """Staff with an enabled email address: the route's roles in the county, the written
        role, the responsible user."""
        r = route(note.kind)
        roles = {role.value for role in r.roles}
        if r.written and note.recipient_role:
            roles.add(note.recipient_role.value)
        named = {parties.opener} if r.opener and parties.opener else set()
        if note.recipient and note.recipient != "worker":
            named.add(note.recipient)
        stmt = (
            select(UserRecord.user_id, UserRecord.role, UserRecord.counties)  # type: ignore[call-overload]
            .join(ContactPointRecord, ContactPointRecord.user_id == UserRecord.user_id)
            .where(
                ContactPointRecord.channel == Channel.email.value,
                ContactPointRecord.enabled.is_(True),  # type: ignore[attr-defined]
                UserRecord.disabled_at.is_(None),  # type: ignore[union-attr]
            )
        )
        users: list[str] = []
        for user_id, role, counties in conn.execute(stmt):  # type: ignore[attr-defined]
            in_county = note.county_code in (counties or [])
            if user_id in named or (role in roles and in_county):
                users.append(str(user_id))
        return sorted(users)

    # Sending.

    @activity.defn
    async def send_email(self, d: Delivery) -> str:
        async def send() -> str:
            address = await asyncio.to_thread(self._email_address, d.recipient)
            subject = sentence(d.notification, "zh")
            body = (
                f"{subject}\n\n{sentence(d.notification, 'en')}\n\n"
                f"案件 Case: {d.notification.case_id}\n"
            )
            msg = message(self._settings, address, subject, body, d.key)
            return await send_email(self._settings, d.key, msg)

        return await self._attempt(d, send)

    @activity.defn
    async def send_webhook(self, d: Delivery) -> str:
        async def send() -> str:
            sub = await asyncio.to_thread(self._subscription, d.recipient)
            data = group_message(d.notification)
            if sub.format == "apprise":
                return await notify_robot(sub.url, f"案件 {d.notification.case_id}", data["text"])
            return await post_standard(
                sub.url,
                sub.secret,
                d.key,
                f"notification.{d.notification.kind}",
                data,
                self._settings.notify_http_timeout,
            )

        return await self._attempt(d, send)

    @activity.defn
    async def send_sms(self, d: Delivery) -> str:
        async def send() -> str:
            n = int(d.recipient.removeprefix("worker:"))
            requested = route(d.notification.kind).requested
            if not requested and await asyncio.to_thread(
                self._opted_out, d.notification.case_id, n
            ):
                raise Refused("the worker opted out of SMS for this case")
            case_id = d.notification.case_id
            written = (await case_parties(self._client, case_id)).mobiles
            # PUB-7: a new mobile staff confirmed replaces the one in the intake.
            confirmed = await asyncio.to_thread(confirmed_mobiles, self._engine, case_id)
            mobile = one_time_codes.mobiles_on_file(self._settings, written, confirmed).get(n)
            if not mobile:
                raise Refused("the worker has no mobile number")
            if self._sms is None:
                self._sms = sms_provider(self._settings)
            if self._sms is None:
                raise Refused("SMS is off")
            return await self._sms.send(mobile, d.notification.case_id, self._sms_text(d), d.key)

        return await self._attempt(d, send)

    def _sms_text(self, d: Delivery) -> str:
        """The text, with the one-time code derived here from its challenge (PUB-1: no code
        is in the outbox or in any workflow's history) and the worker's window's address."""
        challenge = d.notification.params.get("challenge", "")
        code = one_time_codes.code_for(one_time_codes.secret(self._settings), challenge)
        return sms_text(
            d.notification,
            code=code if challenge else "",
            query_link=self._settings.public_url.rstrip("/") + "/my",
        )

    @activity.defn
    async def record_gave_up(self, gave_up: GaveUp) -> None:
        await asyncio.to_thread(
            self._record, gave_up.delivery, activity.info().attempt, "gave_up", gave_up.reason
        )

    async def _attempt(self, d: Delivery, send: Callable[[], Awaitable[str]]) -> str:
        if await asyncio.to_thread(self._status, d.key) == "sent":
            return "already sent"
        attempt = activity.info().attempt
        try:
            reference = await send()
        except Exception as exc:
            reason = _reason(exc)
            await asyncio.to_thread(self._record, d, attempt, "failed", reason)
            log.warning("delivery failed", **_about(d), attempt=attempt, reason=reason)
            raise ApplicationError(
                reason,
                type="DeliveryRefused" if isinstance(exc, Refused) else "DeliveryFailed",
                non_retryable=isinstance(exc, Refused),
            ) from None
        await asyncio.to_thread(self._record, d, attempt, "sent", None)
        log.info("delivery sent", **_about(d), attempt=attempt)
        return reference

    # SQL.

    def _status(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            status = conn.execute(
                select(_deliveries.c.status).where(_deliveries.c.key == key)
            ).scalar_one_or_none()
        return None if status is None else str(status)

    def _record(self, d: Delivery, attempt: int, outcome: str, reason: str | None) -> None:
        now = datetime.now(UTC)
        values: dict[str, object] = {"status": outcome, "updated_at": now, "last_error": reason}
        if outcome == "sent":
            values["sent_at"] = now
        with self._engine.begin() as conn:
            conn.execute(
                _attempts.insert().values(
                    delivery_key=d.key,
                    **_about(d),
                    attempt=attempt,
                    outcome=outcome,
                    reason=reason,
                    at=now,
                )
            )
            counted = _deliveries.c.attempts + (1 if outcome in ("sent", "failed") else 0)
            conn.execute(
                update(_deliveries)
                .where(_deliveries.c.key == d.key, _deliveries.c.status != "sent")
                .values(attempts=counted, **values)
            )

    def _email_address(self, user_id: str) -> str:
        with self._engine.connect() as conn:
            address = conn.execute(
                select(ContactPointRecord.address).where(  # type: ignore[call-overload]
                    ContactPointRecord.user_id == user_id,
                    ContactPointRecord.channel == Channel.email.value,
                    ContactPointRecord.enabled.is_(True),  # type: ignore[attr-defined]
                )
            ).scalar_one_or_none()
        if not address:
            raise Refused("the user has no enabled email address")
        return str(address)

    def _subscription(self, recipient: str) -> WebhookSubscriptionRecord:
        from sqlmodel import Session

        with Session(self._engine) as session:
            sub = session.get(WebhookSubscriptionRecord, int(recipient.removeprefix("webhook:")))
            if sub is None or not sub.enabled:
                raise Refused("the webhook subscription is gone or disabled")
            session.expunge(sub)
        return sub

    def _opted_out(self, case_id: str, worker_no: int) -> bool:
        from sqlmodel import Session

        with Session(self._engine) as session:
            return session.get(SmsOptOutRecord, (case_id, worker_no)) is not None
