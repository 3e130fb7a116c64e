"""Reading a case's Temporal event history: every run of it, and what its activities were
asked to write. The audit trail (api/history.py) and the rebuild of the read model
(ops/rebuild.py) read the history through here."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter

from domain.notifications import Notification

# A case continues as new every ~10 000 events; this many runs is far past any case's life.
MAX_RUNS = 1000


class EarlierRunMissing(Exception):
    """A run the case continued from could not be read (its history was not found)."""


async def fetch_runs(client: Client, case_id: str, rpc_timeout: timedelta) -> list[WorkflowHistory]:
    """Every run's history of the case, oldest first: a case that continued as new is still
    one history (each run's first event names the run it continues). Temporal's RPCError
    when the case (its latest run) cannot be read."""
    runs: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        handle = client.get_workflow_handle(case_id, run_id=run_id)
        try:
            history = await handle.fetch_history(rpc_timeout=rpc_timeout)
        except Exception as err:
            if runs:
                raise EarlierRunMissing(f"{case_id} run {run_id}") from err
            raise
        runs.insert(0, history)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id
        if not run_id or len(runs) >= MAX_RUNS:
            return runs


async def decode(converter: DataConverter, payloads: Sequence[Payload]) -> list[Any]:
    """Payloads as JSON values (the codec decrypts them)."""
    if not payloads:
        return []
    return await converter.decode(list(payloads))


# What a workflow told the read model is in its history in one of two forms: an activity's
# input (ACTIVITY_TASK_SCHEDULED), or, run as a local activity (whose input is in no history),
# the answer of the activity that echoes what it was given.
ECHOED = {"sync_case": "keep_case", "write_notifications": "keep_notifications"}
LOCAL_ACTIVITY_MARKER = "core_local_activity"


def told(event: HistoryEvent, activity: str) -> Sequence[Payload] | None:
    """What `event` gave the read model through `activity` (or its echoing twin); None for
    any other event."""
    echo = ECHOED[activity]
    for name in (activity, echo):
        payloads = scheduled(event, name)
        if payloads is not None:
            return payloads
    return local_result(event, echo)


def local_result(event: HistoryEvent, activity: str) -> Sequence[Payload] | None:
    """The answer of `activity` run as a local activity, from its marker; None for any other
    event, and for a local activity that failed (its marker holds no result)."""
    if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
        return None
    attributes = event.marker_recorded_event_attributes
    if attributes.marker_name != LOCAL_ACTIVITY_MARKER:
        return None
    data, result = attributes.details.get("data"), attributes.details.get("result")
    if data is None or not data.payloads or result is None or not result.payloads:
        return None
    try:
        marker = json.loads(data.payloads[0].data)
    except ValueError:
        return None
    if not isinstance(marker, dict) or marker.get("activity_type") != activity:
        return None
    return list(result.payloads)


def scheduled(event: HistoryEvent, activity: str) -> Sequence[Payload] | None:
    """The input of `event` when it schedules `activity`; None for any other event."""
    if event.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        return None
    attributes = event.activity_task_scheduled_event_attributes
    if attributes.activity_type.name != activity:
        return None
    return list(attributes.input.payloads)


async def notifications(
    histories: Sequence[WorkflowHistory], converter: DataConverter
) -> list[Notification]:
    """Every notification the case's workflow asked the outbox to keep, in every run."""
    found: list[Notification] = []
    for history in histories:
        for event in history.events:
            payloads = told(event, "write_notifications")
            if payloads is None:
                continue
            (batch,) = await converter.decode(payloads, [list[Notification]])
            found.extend(batch)
    return found
