"""Attaching a file is an action of every case kind: the history records who attached what
by hash, name, type and size; the same content is recorded once; a closed case takes none."""

from __future__ import annotations

import hashlib
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from domain.common import Role
from domain.wage_arrears.models import CaseStatus
from tests import factories as f
from tests.workflows.conftest import Harness, refused
from tests.workflows.test_dispute import open_dispute
from tests.workflows.test_dispute import view as dispute_view
from tests.workflows.test_insurance_transfer import NEW, OLD, clerk, open_transfer, transfer_intake
from tests.workflows.test_insurance_transfer import view as transfer_view
from workflows.wage_arrears import WageArrearsWorkflow

CONTENT = b"%PDF-1.7\n% a pay slip\n%%EOF\n"
SHA = hashlib.sha256(CONTENT).hexdigest()


def attach(role: Role, county: str = f.COUNTY, sha256: str = SHA, **fields: Any) -> dict[str, Any]:
    return {
        "actor": f.actor(role, county),
        "reason": "pay slips the worker brought",
        "sha256": sha256,
        "name": "工资条.pdf",
        "media_type": "application/pdf",
        "size": len(CONTENT),
        **fields,
    }


async def accepted_attachments(handle: WorkflowHandle[Any, Any]) -> int:
    history = await handle.fetch_history()
    return sum(
        1
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        and e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        == "attach_file"
    )


async def test_a_file_attached_to_a_wage_arrears_case_is_listed_with_who_attached_it(
    harness: Harness,
) -> None:
    handle = await harness.open_case(f.intake())
    await handle.execute_update("attach_file", attach(Role.mediator))
    view = await harness.view(handle)
    [recorded] = view.state.files
    assert (recorded.sha256, recorded.name, recorded.media_type, recorded.size) == (
        SHA, "工资条.pdf", "application/pdf", len(CONTENT),
    )  # fmt: skip
    assert recorded.attached_by == f.actor(Role.mediator)["id"]
    assert recorded.attached_by_role == "mediator"
    assert await accepted_attachments(handle) == 1


async def test_the_same_content_attached_twice_is_recorded_once(harness: Harness) -> None:
    handle = await harness.open_case(f.intake())
    await handle.execute_update("attach_file", attach(Role.mediator))
    await handle.execute_update("attach_file", attach(Role.inspector, name="again.pdf"))
    other = hashlib.sha256(b"other").hexdigest()
    await handle.execute_update("attach_file", attach(Role.inspector, sha256=other))
    files = (await harness.view(handle)).state.files
    assert [(x.sha256, x.name) for x in files] == [(SHA, "工资条.pdf"), (other, "工资条.pdf")]


async def test_who_may_attach_and_what_is_refused(harness: Harness) -> None:
    handle = await harness.open_case(f.intake())
    forbidden = await refused(handle.execute_update("attach_file", attach(Role.agency_clerk)))
    assert forbidden.type == "Forbidden"
    elsewhere = await refused(
        handle.execute_update("attach_file", attach(Role.mediator, county=f.OTHER_COUNTY))
    )
    assert elsewhere.type == "Forbidden"
    assert (await harness.view(handle)).state.files == []


async def test_a_closed_case_takes_no_file_and_keeps_its_own(harness: Harness) -> None:
    handle = await harness.open_case(f.intake())
    await handle.execute_update("attach_file", attach(Role.mediator))
    close = {"actor": f.actor(Role.supervisor), "reason": "withdrawn", "outcome": "withdrawn"}
    await handle.execute_update("close", close)
    view = await handle.query(WageArrearsWorkflow.view)
    assert view.state.status is CaseStatus.closed
    assert [x.sha256 for x in view.state.files] == [SHA]


async def test_a_dispute_case_takes_files(harness: Harness) -> None:
    handle = await open_dispute(harness)
    await handle.execute_update("attach_file", attach(Role.mediator))
    assert [x.sha256 for x in (await dispute_view(handle)).state.files] == [SHA]


async def test_a_transfer_takes_files_from_the_agency_whose_step_runs(harness: Harness) -> None:
    handle = await open_transfer(harness, transfer_intake())
    refusal = await refused(
        handle.execute_update("attach_file", {**attach(Role.agency_clerk), "actor": clerk(OLD)})
    )
    assert refusal.type == "Forbidden"
    await handle.execute_update("attach_file", {**attach(Role.agency_clerk), "actor": clerk(NEW)})
    assert [x.sha256 for x in (await transfer_view(handle)).state.files] == [SHA]
