"""The audit trail, built from the Temporal event history, which stays the authority.

Human actions are updates (their arguments carry the actor and the reason); the system's own
acts are timers that fired and the notifications the workflow wrote when they did. The state
before and after each entry comes from the history too: an update's result names the status
it left, and every read-model snapshot the workflow sent (`sync_case`) names the status the
case was in once the entries before it had taken effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from api.masking import TextMask, party_names
from api.schemas import CaseHistory, HistoryEntry
from core.history import decode, told
from store.delivery import DeliveryAttemptRecord

# Internal plumbing, not acts of a person or of the case.
_HIDDEN_UPDATES = {"wait_opened"}
# Update arguments that are personal data stay out of the timeline.
_PERSONAL_FIELDS = {"name", "id_number", "mobile"}
# Notifications that say a deadline's time came; the timer entry before them names it.
_FIRING_KINDS = {"deadline_due_soon": "warned", "deadline_breached": "breached"}


def _actor(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {k: str(value[k]) for k in ("id", "role", "county_code") if k in value}


def _strip(args: dict[str, Any]) -> dict[str, Any]:
    # The stamp (case and idempotency key) says how the action came, not what it did.
    hidden = {"actor", "reason", "request", *_PERSONAL_FIELDS}
    return {k: v for k, v in args.items() if k not in hidden}


async def build_history(
    case_id: str,
    history: WorkflowHistory | Sequence[WorkflowHistory],
    converter: DataConverter,
    reveal: bool = False,
) -> CaseHistory:
    """The timeline, across every run of a case that continued as new (oldest first); unless
    `reveal`, personal data inside free text (reasons, notes) is masked as the case's fields
    are for the caller (api/masking.py)."""
    runs = [history] if isinstance(history, WorkflowHistory) else list(history)
    entries: list[HistoryEntry] = []
    by_update: dict[str, HistoryEntry] = {}
    trail = _StateTrail()
    names: list[str] = []
    for run_no, run in enumerate(runs, start=1):
        for event in run.events:
            if await trail.snapshot(event, converter):
                continue
            started = event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
            if started and run_no == 1:
                attrs = event.workflow_execution_started_event_attributes
                names += party_names(await decode(converter, attrs.input.payloads))
            if started and run_no > 1:
                continue  # the case goes on: the continuation was recorded at the run's end
            entry = await _entry(event, converter, by_update)
            if entry is not None:
                entry.run = run_no
                trail.add(entry)
                entries.append(entry)
            else:
                trail.completed(event, by_update)
    trail.finish()
    if not reveal:
        _mask(entries, TextMask(names))
    return CaseHistory(case_id=case_id, events=entries)


def _mask(entries: list[HistoryEntry], mask: TextMask) -> None:
    for entry in entries:
        if entry.reason is not None:
            entry.reason = mask.text(entry.reason)
        if entry.outcome is not None:
            entry.outcome = mask.text(entry.outcome)
        entry.details = mask.deep(entry.details)


class _StateTrail:
    """Gives each entry the case's status before and after it, and each timer the deadlines
    whose time came when it fired."""

    def __init__(self) -> None:
        self.status: str | None = None
        self.waiting: list[HistoryEntry] = []
        self.timer: HistoryEntry | None = None

    async def snapshot(self, event: HistoryEvent, converter: DataConverter) -> bool:
        payloads = told(event, "sync_case")
        if payloads is None:
            return False
        args = await decode(converter, payloads)
        row = args[0] if args and isinstance(args[0], dict) else {}
        status = row.get("status")
        if isinstance(status, str):
            for entry in self.waiting:
                if entry.status_after is None:
                    entry.status_after = status
                if entry.what == "notified":
                    entry.status_before = status
            self.waiting = []
            self.status = status
        return True

    def add(self, entry: HistoryEntry) -> None:
        # A notification is written after the change that asked for it: it changes nothing,
        # and the status it reports is the one the next snapshot shows.
        entry.status_before = None if entry.what == "notified" else self.status
        self.waiting.append(entry)
        if entry.what == "timer_fired":
            self.timer = entry
        elif entry.what == "notified" and self.timer is not None:
            fired = [
                {"deadline": n.get("deadline"), "rule": n.get("rule"), "outcome": outcome}
                for n in entry.details.get("notifications", [])
                if (outcome := _FIRING_KINDS.get(str(n.get("kind"))))
            ]
            if fired:
                self.timer.details.setdefault("fired", []).extend(fired)
                self.timer = None
        elif entry.kind == "human":
            self.timer = None

    def completed(self, event: HistoryEvent, by_update: dict[str, HistoryEntry]) -> None:
        # An update's own result is the most precise "after"; later entries start from it.
        if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            return
        done = by_update.get(
            event.workflow_execution_update_completed_event_attributes.meta.update_id
        )
        if done is not None and done.status_after is not None:
            self.status = done.status_after

    def finish(self) -> None:
        # Entries after the last snapshot changed nothing the read model records.
        for entry in self.waiting:
            if entry.what == "notified":
                entry.status_before = self.status
            if entry.status_after is None:
                entry.status_after = entry.status_before


async def _entry(
    event: HistoryEvent, converter: DataConverter, by_update: dict[str, HistoryEntry]
) -> HistoryEntry | None:
    time = event.event_time.ToDatetime().replace(tzinfo=UTC)
    base = {"event_id": event.event_id, "time": time}
    kind = event.event_type
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        attrs = event.workflow_execution_started_event_attributes
        args = await decode(converter, attrs.input.payloads)
        intake = args[0] if args and isinstance(args[0], dict) else {}
        return HistoryEntry(
            **base,
            kind="human",
            what="case_opened",
            actor=_actor(intake.get("opened_by")),
            reason=intake.get("summary"),
            details={
                key: value
                for key, value in {
                    "source": intake.get("source"),
                    "origin": intake.get("origin"),
                    "county_code": intake.get("county_code"),
                    "workers_count": len(intake.get("workers", [])),
                    "linked_case_id": intake.get("linked_case_id"),
                }.items()
                if value is not None
            },
        )
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        accepted_attrs = event.workflow_execution_update_accepted_event_attributes
        request = accepted_attrs.accepted_request
        name = request.input.name
        if name in _HIDDEN_UPDATES:
            return None
        args = await decode(converter, request.input.args.payloads)
        cmd = args[0] if args and isinstance(args[0], dict) else {}
        entry = HistoryEntry(
            **base,
            kind="human",
            what=name,
            actor=_actor(cmd.get("actor")),
            reason=cmd.get("reason"),
            details=_strip(cmd),
        )
        by_update[request.meta.update_id] = entry
        return entry
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        completed = event.workflow_execution_update_completed_event_attributes
        accepted = by_update.get(completed.meta.update_id)
        if accepted is not None:
            if completed.outcome.HasField("failure"):
                accepted.outcome = f"refused: {completed.outcome.failure.message}"
            else:
                result = await decode(converter, completed.outcome.success.payloads)
                status = result[0].get("status") if result and isinstance(result[0], dict) else None
                accepted.outcome = f"done: status {status}" if status else "done"
                if isinstance(status, str):
                    accepted.status_after = status
        return None
    if kind == EventType.EVENT_TYPE_TIMER_FIRED:
        return HistoryEntry(**base, kind="system", what="timer_fired")
    if kind in (EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, EventType.EVENT_TYPE_MARKER_RECORDED):
        payloads = told(event, "write_notifications")
        if payloads is None:
            return None
        args = await decode(converter, payloads)
        notes = args[0] if args and isinstance(args[0], list) else []
        kinds = [n.get("kind") for n in notes if isinstance(n, dict)]
        return HistoryEntry(
            **base,
            kind="system",
            what="notified",
            details={
                "notifications": [
                    {
                        "kind": n.get("kind"),
                        "recipient_role": n.get("recipient_role"),
                        **n.get("params", {}),
                    }
                    for n in notes
                    if isinstance(n, dict)
                ],
                "kinds": kinds,
            },
        )
    if kind == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        child = event.start_child_workflow_execution_initiated_event_attributes
        return HistoryEntry(
            **base,
            kind="system",
            what="linked_case_opened",
            details={"case_id": child.workflow_id, "workflow": child.workflow_type.name},
        )
    if kind == EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        sent = event.signal_external_workflow_execution_initiated_event_attributes
        args = await decode(converter, sent.input.payloads)
        return HistoryEntry(
            **base,
            kind="system",
            what="reported_to_linked_case",
            details={
                "case_id": sent.workflow_execution.workflow_id,
                **(args[0] if args and isinstance(args[0], dict) else {}),
            },
        )
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        received = event.workflow_execution_signaled_event_attributes
        args = await decode(converter, received.input.payloads)
        return HistoryEntry(
            **base,
            kind="system",
            what=f"signal:{received.signal_name}",
            details=args[0] if args and isinstance(args[0], dict) else {},
        )
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        return HistoryEntry(**base, kind="system", what="case_ended")
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        # The history grew large: the case went on in a new run, state and clocks carried.
        return HistoryEntry(**base, kind="system", what="case_continued")
    if kind in (
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    ):
        return HistoryEntry(
            **base, kind="system", what=EventType.Name(kind).lower().removeprefix("event_type_")
        )
    return None


def with_deliveries(
    timeline: CaseHistory, attempts: Sequence[DeliveryAttemptRecord]
) -> CaseHistory:
    """The timeline with every delivery attempt of the case's notifications.

    Attempts are not Temporal events of the case (each notification's delivery is a workflow
    of its own, recorded in SQL as it goes): their `event_id` is 0 and they name the channel,
    the recipient (staff id, `webhook:<id>`, `worker:<n>`: never an address), the attempt and
    its outcome: sent, failed with the reason, gave up. Each comes after the entry that wrote
    its notification (the latest one of its kind written before the attempt) and in time
    order after it; an attempt changes no status."""
    if not attempts:
        return timeline
    events = list(timeline.events)
    notified = [
        (i, e) for i, e in enumerate(events) if e.what == "notified" and e.details.get("kinds")
    ]
    after: dict[int, list[HistoryEntry]] = {}
    for a in attempts:
        note_key = a.delivery_key.split("|", 1)[0]
        kind = note_key.split(":")[1] if note_key.count(":") >= 1 else ""
        at = a.at if a.at.tzinfo else a.at.replace(tzinfo=UTC)
        same = [i for i, e in notified if kind in e.details["kinds"]]
        earlier = [i for i in same if events[i].time <= at]
        anchor = earlier[-1] if earlier else (same[0] if same else len(events) - 1)
        # In time order after it, when the clocks agree (they do but on a time-skipping
        # test server).
        while anchor + 1 < len(events) and events[anchor + 1].time <= at:
            anchor += 1
        after.setdefault(anchor, []).append(
            HistoryEntry(
                event_id=0,
                time=at,
                kind="system",
                what=f"delivery_{a.outcome}",
                outcome=a.outcome,
                reason=a.reason,
                details={
                    "notification": note_key,
                    "kind": kind,
                    "channel": a.channel,
                    "recipient": a.recipient,
                    "attempt": a.attempt,
                },
            )
        )
    merged: list[HistoryEntry] = []
    status: str | None = None
    for i, entry in enumerate(events):
        merged.append(entry)
        if entry.what != "notified":
            status = entry.status_after
        for delivery in after.get(i, []):
            delivery.status_before = delivery.status_after = status
            merged.append(delivery)
    return CaseHistory(case_id=timeline.case_id, events=merged)
