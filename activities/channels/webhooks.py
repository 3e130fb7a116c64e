"""Webhooks: signed Standard Webhooks POSTs, and group-chat robots through Apprise.

A Standard Webhooks delivery carries the same `webhook-id` on every retry: a receiver that
honours the scheme processes it once, whatever the retries. Apprise's robots (DingTalk,
WeCom, Feishu) take no idempotency key: a worker killed after the robot accepted a message
and before it was recorded sends it once more, at most.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import apprise
import httpx
from standardwebhooks.webhooks import Webhook

from activities.channels import Refused


def message_id(key: str) -> str:
    return "msg_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def signed_request(
    secret: str, key: str, event_type: str, data: dict[str, str], now: datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    moment = now or datetime.now(UTC)
    body = json.dumps(
        {"type": event_type, "timestamp": moment.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    msg_id = message_id(key)
    try:
        signature = Webhook(secret).sign(msg_id, moment, body)
    except Exception as exc:  # a secret that is not base64 (whsec_...) can never sign
        raise Refused(f"the subscription's secret cannot sign: {type(exc).__name__}") from None
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers


async def post_standard(
    url: str, secret: str | None, key: str, event_type: str, data: dict[str, str], timeout: float
) -> str:
    if not secret:
        raise Refused("a standard webhook needs a signing secret")
    body, headers = signed_request(secret, key, event_type, data)
    async with httpx.AsyncClient(timeout=timeout) as http:
        response = await http.post(url, content=body, headers=headers)
    if response.status_code >= 300:
        raise RuntimeError(f"webhook answered HTTP {response.status_code}")
    return headers["webhook-id"]


async def notify_robot(url: str, title: str, text: str) -> str:
    robots = apprise.Apprise()
    if not robots.add(url):
        raise Refused("not an Apprise URL this version knows")
    if not await robots.async_notify(body=text, title=title):
        raise RuntimeError("the group robot did not accept the message")
    return "accepted"
