"""Reaching people: contact points, webhook subscriptions, SMS opt-outs, inbox reads, and each
delivery with every attempt's outcome.

No personal data in these rows beyond a staff member's own work address: a delivery names its
recipient by staff id, subscription id or worker number, never by a phone number or name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class ContactPointRecord(SQLModel, table=True):
    """A staff member's email address for notifications; `enabled` off is their opt-out."""

    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("user_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(foreign_key="users.user_id", index=True, max_length=64)
    channel: str = Field(max_length=20)
    address: str = Field(max_length=320)
    enabled: bool = True
    updated_at: datetime = Field(default_factory=_now)


class WebhookSubscriptionRecord(SQLModel, table=True):
    """A county's group chat robot or webhook receiver.

    `format` is `standard` (a signed Standard Webhooks POST to `url`, with `secret`) or
    `apprise` (`url` is an Apprise URL: `dingtalk://`, `wecombot://`, `feishu://`, ...)."""

    __tablename__ = "webhook_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(index=True, max_length=6)
    name: str = Field(max_length=100)
    format: str = Field(max_length=20)
    url: str = Field(max_length=1000)
    secret: str | None = Field(default=None, max_length=200)
    enabled: bool = True
    created_at: datetime = Field(default_factory=_now)


class SmsOptOutRecord(SQLModel, table=True):
    """A worker who asked for no more SMS about a case, by case and worker number."""

    __tablename__ = "sms_opt_outs"

    case_id: str = Field(primary_key=True, max_length=40)
    worker_no: int = Field(primary_key=True)
    recorded_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=_now)


class NotificationReadRecord(SQLModel, table=True):
    """A staff member read an inbox entry."""

    __tablename__ = "notification_reads"

    notification_id: int = Field(foreign_key="notifications.id", primary_key=True)
    user_id: str = Field(primary_key=True, max_length=64)
    read_at: datetime = Field(default_factory=_now)


class DeliveryRecord(SQLModel, table=True):
    """One notification to one recipient on one channel; `key` makes it once per retry."""

    __tablename__ = "deliveries"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=300)
    notification_id: int = Field(foreign_key="notifications.id", index=True)
    case_id: str = Field(index=True, max_length=40)
    county_code: str = Field(index=True, max_length=6)
    kind: str = Field(max_length=60)
    channel: str = Field(max_length=20)
    # A staff id, `webhook:<id>` or `worker:<n>`: never an address.
    recipient: str = Field(max_length=100)
    # pending, sent, failed (an attempt failed, more to come), gave_up, skipped (opted out)
    status: str = Field(index=True, max_length=20, default="pending")
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    sent_at: datetime | None = None


class DeliveryAttemptRecord(SQLModel, table=True):
    """Each attempt's outcome: sent, failed with its reason, gave up, skipped."""

    __tablename__ = "delivery_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_key: str = Field(index=True, max_length=300)
    case_id: str = Field(index=True, max_length=40)
    channel: str = Field(max_length=20)
    recipient: str = Field(max_length=100)
    attempt: int
    outcome: str = Field(max_length=20)
    reason: str | None = Field(default=None, max_length=500)
    at: datetime = Field(default_factory=_now)


def set_email(engine: Any, user_id: str, address: str) -> None:
    """Gives a user an email contact point (or changes it), enabled."""
    from sqlmodel import Session, select

    with Session(engine) as session:
        row = session.exec(
            select(ContactPointRecord).where(
                ContactPointRecord.user_id == user_id, ContactPointRecord.channel == "email"
            )
        ).first() or ContactPointRecord(user_id=user_id, channel="email", address=address)
        row.address = address
        row.enabled = True
        row.updated_at = _now()
        session.add(row)
        session.commit()


# The embedded stack's demo users are emailed here; their mail lands in the mail drop.
DEMO_MAIL_DOMAIN = "demo.labour-cases.invalid"
