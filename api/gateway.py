"""The API's only contact with Temporal: start a case, run an action, read state and history.

Temporal's errors become ApiErrors here, so routes stay one call deep. The case kind comes
from the registry (domain/kinds.py) by the case id's prefix; its workflow class from the
one map at this edge (workflows/catalog.py).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ApiError, validation_details
from core import history
from domain import kinds
from domain.case_ends import AbnormalEnd, CaseEnded
from domain.case_kind import CaseKind
from domain.common import Command, RequestStamp
from workflows.catalog import CASE_WORKFLOWS

RPC_TIMEOUT = timedelta(seconds=30)

_REFUSALS = {
    "ActionNotAllowed": (409, "action_not_allowed"),
    "ActionFailed": (409, "action_failed"),
    "CaseOpening": (409, "action_not_allowed"),
    "InvalidActionInput": (422, "invalid_action_input"),
    "Forbidden": (403, "forbidden"),
}


def not_found(case_id: str) -> ApiError:
    return ApiError(404, "case_not_found", f"no case {case_id}")


def kind_of(case_id: str) -> CaseKind:
    kind = kinds.of_case(case_id)
    if kind is None:
        raise not_found(case_id)
    return kind


def handle_for(client: Client, case_id: str) -> WorkflowHandle[Any, Any]:
    kind_of(case_id)
    return client.get_workflow_handle(case_id)


async def start_case(
    client: Client, task_queue: str, kind: str, case_id: str, intake: BaseModel
) -> BaseModel:
    """Starts the case's workflow, or finds the one a retried request started; its view
    once the case is open and in the read model."""
    case_kind = kind_of(case_id)
    assert case_kind.name == kind
    try:
        handle = await client.start_workflow(
            CASE_WORKFLOWS[kind].run,  # type: ignore[attr-defined]
            intake,
            id=case_id,
            task_queue=task_queue,
            # A retried create (same idempotency key) finds the running case; a case id is
            # never reused once its case has ended.
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            # What the Temporal UI lists the case as: kind, counties, rules (no personal data).
            static_summary=case_kind.summary(intake),
        )
    except WorkflowAlreadyStartedError:
        # The case ended: its view answers from replay.
        ended = client.get_workflow_handle(case_id, result_type=case_kind.result)
        await ended.result(rpc_timeout=RPC_TIMEOUT)
        return await get_view(client, case_id)
    opened: BaseModel = await handle.execute_update(
        "wait_opened", result_type=case_kind.view, rpc_timeout=RPC_TIMEOUT
    )
    return opened


async def _explain_rpc_error(handle: WorkflowHandle[Any, Any], err: RPCError) -> NoReturn:
    if err.status is RPCStatusCode.NOT_FOUND:
        try:
            description = await handle.describe()
        except RPCError:
            raise not_found(handle.id) from None
        if description.status is not WorkflowExecutionStatus.RUNNING:
            raise ApiError(409, "action_not_allowed", "the case is closed") from None
    raise ApiError(
        503, "temporal_unavailable", "the case engine did not answer; try again"
    ) from err


def parse_action(case_id: str, action: str, body: dict[str, Any]) -> Command:
    """The action's command, validated; 404 for an action the case kind does not have."""
    actions = kind_of(case_id).actions
    spec = actions.get(action)
    if spec is None:
        raise ApiError(
            404, "unknown_action", f"no action {action!r}; actions: {', '.join(sorted(actions))}"
        )
    try:
        return spec.command.model_validate(body)
    except ValidationError as err:
        raise ApiError(
            422,
            "invalid_input",
            "the action's input is malformed",
            validation_details(err.errors()),
        ) from None


def update_id(action: str, key: str, cmd: Command) -> str:
    """Temporal's id for the update: a retry of the same request under the same key joins the
    first attempt; another input under that key is another update, which the workflow
    refuses (the key was used for a different request)."""
    request = f"{key}\n{cmd.model_dump_json(exclude={'request'})}"
    return f"{action}:{hashlib.sha256(request.encode()).hexdigest()[:32]}"


async def run_action(
    client: Client, case_id: str, action: str, cmd: Command, key: str | None = None
) -> BaseModel:
    """Sends the action stamped for this case under its idempotency key (a fresh one when the
    caller gave none): the workflow applies a key once and answers retries with the first
    outcome, across API restarts and runs."""
    case_kind = kind_of(case_id)
    handle = client.get_workflow_handle(case_id)
    key = key or f"generated:{uuid.uuid4().hex}"
    cmd = cmd.model_copy(update={"request": RequestStamp(case_id=case_id, key=key)})
    try:
        result: BaseModel = await handle.execute_update(
            action,
            cmd,
            id=update_id(action, key, cmd),
            result_type=case_kind.result,
            rpc_timeout=RPC_TIMEOUT,
        )
        return result
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type in _REFUSALS:
            status, code = _REFUSALS[cause.type]
            raise ApiError(status, code, cause.message) from None
        raise ApiError(500, "action_failed", "the action failed") from err
    except RPCError as err:
        await _explain_rpc_error(handle, err)


async def get_view(client: Client, case_id: str) -> BaseModel:
    case_kind = kind_of(case_id)
    handle = client.get_workflow_handle(case_id)
    try:
        view: BaseModel = await handle.query(
            "view", result_type=case_kind.view, rpc_timeout=RPC_TIMEOUT
        )
        return view
    except WorkflowQueryFailedError as err:
        raise ApiError(409, "case_opening", "the case is still opening; try again") from err
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise not_found(case_id) from None
        raise ApiError(503, "temporal_unavailable", "the case engine did not answer") from err


async def get_end(client: Client, case_id: str) -> CaseEnded | None:
    """How the case's latest run ended, if abnormally: its view answers from replay as if the
    case were still open."""
    handle = client.get_workflow_handle(case_id)
    try:
        described = await handle.describe(rpc_timeout=RPC_TIMEOUT)
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise not_found(case_id) from None
        raise ApiError(503, "temporal_unavailable", "the case engine did not answer") from err
    end = AbnormalEnd.of(described.status.name if described.status else None)
    return CaseEnded(end, described.close_time) if end is not None else None


async def fetch_history(client: Client, case_id: str) -> list[WorkflowHistory]:
    """Every run's history of the case, oldest first (core/history.py)."""
    kind_of(case_id)
    try:
        return await history.fetch_runs(client, case_id, RPC_TIMEOUT)
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise not_found(case_id) from None
        raise ApiError(503, "temporal_unavailable", "the case engine did not answer") from err
    except history.EarlierRunMissing as err:
        raise ApiError(503, "temporal_unavailable", "the case engine did not answer") from err
