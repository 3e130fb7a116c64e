"""Who a case's people are, read from the case's own start in Temporal (its intake, which the
payload codec keeps encrypted at rest): the opener's staff id and the workers' mobiles.
Nothing of it is stored in SQL; a delivery looks it up when it sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client


@dataclass(frozen=True)
class CaseParties:
    opener: str | None = None
    # Worker number (1-based, the case's order) → mobile.
    mobiles: dict[int, str] = field(default_factory=dict)
    # Worker number → resident ID number (the worker's window matches a worker by it).
    id_numbers: dict[int, str] = field(default_factory=dict)


async def case_parties(client: Client, case_id: str) -> CaseParties:
    handle = client.get_workflow_handle(case_id)
    async for event in handle.fetch_history_events(page_size=1):
        if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            break
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        decoded = await client.data_converter.decode(list(payloads)) if payloads else []
        intake: dict[str, Any] = decoded[0] if decoded and isinstance(decoded[0], dict) else {}
        return _parties(intake)
    return CaseParties()


def _parties(intake: dict[str, Any]) -> CaseParties:
    opened_by = intake.get("opened_by")
    opener = str(opened_by["id"]) if isinstance(opened_by, dict) and "id" in opened_by else None
    people = intake.get("workers")
    if not isinstance(people, list):
        # A transfer has one worker.
        people = [intake["worker"]] if isinstance(intake.get("worker"), dict) else []
    mobiles = {
        n: str(person["mobile"])
        for n, person in enumerate(people, start=1)
        if isinstance(person, dict) and person.get("mobile")
    }
    id_numbers = {
        n: str(person["id_number"])
        for n, person in enumerate(people, start=1)
        if isinstance(person, dict) and person.get("id_number")
    }
    return CaseParties(opener=opener, mobiles=mobiles, id_numbers=id_numbers)
