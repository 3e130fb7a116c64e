"""Admin: failed deliveries (retry them) and the counties' webhook subscriptions.

Scoped like everything else: an admin sees and retries the deliveries of their counties and
manages the subscriptions of their counties. A subscription's URL and secret are write-only:
lists show its id, county, name and format.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import apprise
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field
from standardwebhooks.webhooks import Webhook
from temporalio.service import RPCError

from activities.delivery_start import start_delivery
from api.auth import require_roles
from api.deps import AdminUser, SessionDep, SettingsDep, TemporalClientDep
from api.errors import ApiError
from api.limits import MAX_OFFSET
from domain.common import CountyCode, Role, StrictModel
from store import delivery_log
from store.delivery import WebhookSubscriptionRecord
from store.inbox import notification_of

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[require_roles(Role.admin)])
NotificationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class FailedDelivery(BaseModel):
    notification_id: int
    case_id: str
    county_code: str
    kind: str
    channel: str
    recipient: str = Field(description="staff id, webhook:<id> or worker:<n>; never an address")
    attempts: int
    last_error: str | None
    updated_at: datetime


class FailedPage(BaseModel):
    items: list[FailedDelivery]
    total: int
    limit: int
    offset: int


class Retried(BaseModel):
    notification_id: int
    started: bool


class WebhookCreate(StrictModel):
    county_code: CountyCode
    name: str = Field(min_length=1, max_length=100)
    format: Literal["standard", "apprise"] = Field(
        description="standard: a signed Standard Webhooks POST; apprise: an Apprise URL "
        "(dingtalk://, wecombot://, feishu://)"
    )
    url: str = Field(min_length=8, max_length=1000, pattern=r"^[a-z][a-z0-9+.-]*://")
    secret: str | None = Field(
        default=None, max_length=200, description="standard: the signing secret, whsec_<base64>"
    )


class WebhookPublic(BaseModel):
    id: int
    county_code: str
    name: str
    format: str
    enabled: bool


@router.get("/deliveries", response_model=FailedPage)
def list_failed_deliveries(
    admin: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> FailedPage:
    """Deliveries that gave up after their last attempt, newest first."""
    rows, total = delivery_log.failed_deliveries(session, sorted(admin.counties), limit, offset)
    return FailedPage(
        items=[FailedDelivery.model_validate(r, from_attributes=True) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post("/deliveries/{notification_id}/retry", response_model=Retried, status_code=202)
async def retry_delivery(
    notification_id: NotificationId,
    admin: AdminUser,
    session: SessionDep,
    client: TemporalClientDep,
    settings: SettingsDep,
) -> Retried:
    """Starts the notification's delivery again: what was sent is not sent again. 409 while
    its delivery is still running or has not failed."""
    row = delivery_log.notification(session, notification_id)
    if row is None or row.county_code not in admin.counties:
        raise ApiError(404, "notification_not_found", f"no notification {notification_id}")
    note = notification_of(row)
    try:
        started = await start_delivery(client, settings.task_queue, note, retry=True)
    except RPCError as err:
        raise ApiError(503, "temporal_unavailable", "the case engine did not answer") from err
    if not started:
        raise ApiError(
            409,
            "delivery_not_failed",
            "this notification's delivery is running or did not fail: nothing to retry",
        )
    return Retried(notification_id=notification_id, started=True)


def _signs(secret: str | None) -> bool:
    if not secret or not secret.startswith("whsec_"):
        return False
    try:
        Webhook(secret)
    except Exception:
        return False
    return True


def _webhook(row: WebhookSubscriptionRecord) -> WebhookPublic:
    # Its public fields only: the URL and the secret stay in the table.
    return WebhookPublic.model_validate(row, from_attributes=True)


@router.get("/webhooks", response_model=list[WebhookPublic])
def list_webhooks(admin: AdminUser, session: SessionDep) -> list[WebhookPublic]:
    from sqlmodel import col, select

    rows = session.exec(
        select(WebhookSubscriptionRecord)
        .where(col(WebhookSubscriptionRecord.county_code).in_(sorted(admin.counties)))
        .order_by(col(WebhookSubscriptionRecord.id))
    ).all()
    return [_webhook(r) for r in rows]


@router.post("/webhooks", response_model=WebhookPublic, status_code=201)
def create_webhook(body: WebhookCreate, admin: AdminUser, session: SessionDep) -> WebhookPublic:
    """Subscribes a group chat or receiver to the county's notifications for groups."""
    if body.county_code not in admin.counties:
        raise ApiError(403, "county_forbidden", f"you are not bound to county {body.county_code}")
    if body.format == "standard":
        if not body.url.startswith(("https://", "http://")):
            raise ApiError(422, "invalid_webhook", "a standard webhook's url is http(s)")
        if not _signs(body.secret):
            raise ApiError(
                422, "invalid_webhook", "a standard webhook needs a secret: whsec_<base64>"
            )
    elif not apprise.Apprise().add(body.url):
        raise ApiError(422, "invalid_webhook", "not an Apprise URL (dingtalk://, wecombot://, ...)")
    row = WebhookSubscriptionRecord(**body.model_dump())
    session.add(row)
    session.commit()
    session.refresh(row)
    return _webhook(row)


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(
    webhook_id: Annotated[int, Path(ge=1, le=2**31 - 1)], admin: AdminUser, session: SessionDep
) -> Response:
    """Disables the subscription (its past deliveries keep naming it)."""
    row = session.get(WebhookSubscriptionRecord, webhook_id)
    if row is None or row.county_code not in admin.counties:
        raise ApiError(404, "webhook_not_found", f"no webhook subscription {webhook_id}")
    row.enabled = False
    session.add(row)
    session.commit()
    return Response(status_code=204)
