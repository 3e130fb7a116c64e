"""Starts one delivery workflow per notification, from the outbox activity's thread.

The workflow id is the notification's key, and a start of an id already used (running,
completed or failed) is refused by Temporal: a retried outbox write never delivers twice. An
admin's retry of a failed delivery starts the id again, which only a failed run allows.
"""

from __future__ import annotations

import asyncio

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.delivery import DeliveryRequest
from domain.notifications import Notification
from workflows.delivery import DeliveryWorkflow, workflow_id

START_TIMEOUT = 30.0


async def start_delivery(
    client: Client, task_queue: str, note: Notification, *, retry: bool = False
) -> bool:
    """True if a run started; False if one with the id runs, or ran and may not run again."""
    try:
        await client.start_workflow(
            DeliveryWorkflow.run,
            DeliveryRequest(notification=note),
            id=workflow_id(note.key),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY
            if retry
            else WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


class DeliveryStarter:
    """Callable from an activity thread: schedules the starts on the worker's event loop."""

    def __init__(self, client: Client, task_queue: str, loop: asyncio.AbstractEventLoop) -> None:
        self._client = client
        self._task_queue = task_queue
        self._loop = loop

    def __call__(self, notes: list[Notification]) -> None:
        future = asyncio.run_coroutine_threadsafe(self._start_all(notes), self._loop)
        future.result(timeout=START_TIMEOUT)

    async def _start_all(self, notes: list[Notification]) -> None:
        await asyncio.gather(*(start_delivery(self._client, self._task_queue, n) for n in notes))
