"""One notification delivered to everyone its route names: one workflow per notification.

Started by the activity that writes the notification to the outbox, with an id derived from
the notification's key, so a retried write never starts a second one. Each delivery is an
activity Temporal retries with backoff; after the last attempt it is recorded as given up and
the run ends failed, which is what the admins' view of failed deliveries lists. Starting the
same id again (the admins' retry) sends only what was not sent. The case's own workflow never
waits for any of this: its clocks and read model go on whatever a channel does.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.delivery import DeliveryActivities
    from domain.delivery import (
        Delivery,
        DeliveryOutcome,
        DeliveryPlan,
        DeliveryRequest,
        GaveUp,
    )
    from domain.notification_routes import Channel
    from workflows.deadlines import local_first
    from workflows.retries import doubling

# The plan (who is told, on which channels) is read as a local activity, in the run's first
# workflow task: one activity and one workflow task fewer per notification, most of what a
# delivery with nothing to send cost the server (runs started before this replay as they were).
PLAN_LOCALLY = "delivery-local-plan"
PLAN_RETRY = doubling(timedelta(seconds=1), timedelta(minutes=1), never=None)
# 10 s, 20 s, 40 s, ... up to 30 minutes apart: about 3 hours and 12 attempts before giving up.
SEND_RETRY = doubling(
    timedelta(seconds=10), timedelta(minutes=30), attempts=12, never=["DeliveryRefused"]
)
SEND_TIMEOUT = timedelta(seconds=30)
SEND_ACTIVITIES = {
    Channel.email: DeliveryActivities.send_email,
    Channel.webhook: DeliveryActivities.send_webhook,
    Channel.sms: DeliveryActivities.send_sms,
}


def workflow_id(notification_key: str) -> str:
    return f"deliver:{notification_key}"


@workflow.defn
class DeliveryWorkflow:
    @workflow.run
    async def run(self, request: DeliveryRequest) -> DeliveryOutcome:
        plan: DeliveryPlan = await local_first(
            DeliveryActivities.plan_delivery,
            request.notification,
            local=workflow.patched(PLAN_LOCALLY),
            retry=PLAN_RETRY,
        )
        results = await asyncio.gather(*(self._deliver(d) for d in plan.deliveries))
        outcome = DeliveryOutcome(
            sent=sum(1 for r in results if r is None),
            gave_up=[r for r in results if r is not None],
            skipped=plan.skipped,
        )
        if outcome.gave_up:
            raise ApplicationError(
                f"{len(outcome.gave_up)} of {len(results)} deliveries gave up",
                outcome.model_dump(),
                type="DeliveryGaveUp",
                non_retryable=True,
            )
        return outcome

    async def _deliver(self, delivery: Delivery) -> str | None:
        """None once sent; the recipient's label if it gave up."""
        try:
            await workflow.execute_activity_method(
                SEND_ACTIVITIES[delivery.channel],
                delivery,
                start_to_close_timeout=SEND_TIMEOUT,
                retry_policy=SEND_RETRY,
            )
            return None
        except ActivityError as err:
            cause = err.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(cause or err)
            await workflow.execute_activity_method(
                DeliveryActivities.record_gave_up,
                GaveUp(delivery=delivery, reason=reason[:480]),
                start_to_close_timeout=SEND_TIMEOUT,
                retry_policy=PLAN_RETRY,
            )
            return f"{delivery.channel.value}:{delivery.recipient}"
