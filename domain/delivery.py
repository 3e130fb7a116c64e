"""What crosses the delivery workflow's boundary: one delivery per recipient and channel.

A delivery names its recipient by staff id, subscription id or worker number; the activity
that sends it looks the address up at send time, so no address is in the workflow's history.
"""

from __future__ import annotations

from pydantic import Field

from domain.common import StrictModel
from domain.notification_routes import Channel
from domain.notifications import Notification


class DeliveryRequest(StrictModel):
    notification: Notification


class Delivery(StrictModel):
    # notification key + channel + recipient: the same on every retry and every run.
    key: str = Field(max_length=300)
    notification: Notification
    notification_id: int
    channel: Channel
    # A staff id, `webhook:<id>` or `worker:<n>`.
    recipient: str = Field(max_length=100)


class DeliveryPlan(StrictModel):
    deliveries: list[Delivery] = Field(default_factory=list)
    # Recipients who opted out (recorded as skipped), for the workflow's result.
    skipped: int = 0


class GaveUp(StrictModel):
    delivery: Delivery
    reason: str = Field(max_length=500)


class DeliveryOutcome(StrictModel):
    sent: int = 0
    gave_up: list[str] = Field(default_factory=list)
    skipped: int = 0


def delivery_key(note_key: str, channel: Channel, recipient: str) -> str:
    return f"{note_key}|{channel.value}|{recipient}"
