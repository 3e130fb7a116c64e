"""The API's only contact with Temporal: start a case, run an action, read state and history.

Temporal's errors become ApiErrors here, so routes stay one call deep.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, NoReturn

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ApiError
from domain.common import Command
from domain.wage_arrears.models import WageArrearsIntake
from domain.wage_arrears.view import ActionResult, WageArrearsView
from workflows.wage_arrears import WageArrearsWorkflow

CASE_ID = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")
RPC_TIMEOUT = timedelta(seconds=30)

_REFUSALS = {
    "ActionNotAllowed": (409, "action_not_allowed"),
    "CaseOpening": (409, "action_not_allowed"),
    "InvalidActionInput": (422, "invalid_action_input"),
    "Forbidden": (403, "forbidden"),
}


def not_found(case_id: str) -> ApiError:
    return ApiError(404, "case_not_found", f"no case {case_id}")


def handle_for(client: Client, case_id: str) -> WorkflowHandle[Any, Any]:
    if not CASE_ID.match(case_id):
        raise not_found(case_id)
    return client.get_workflow_handle(case_id)


async def start_wage_arrears(
    client: Client, task_queue: str, case_id: str, intake: WageArrearsIntake
) -> ActionResult:
    try:
        handle = await client.start_workflow(
            WageArrearsWorkflow.run,
            intake,
            id=case_id,
            task_queue=task_queue,
            # A retried create (same idempotency key) finds the running case; a case id is
            # never reused once its case has ended.
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        ended = client.get_workflow_handle_for(WageArrearsWorkflow.run, case_id)
        return await ended.result(rpc_timeout=RPC_TIMEOUT)
    return await handle.execute_update(WageArrearsWorkflow.wait_opened, rpc_timeout=RPC_TIMEOUT)


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


async def run_action(client: Client, case_id: str, action: str, cmd: Command) -> ActionResult:
    handle = handle_for(client, case_id)
    try:
        result: ActionResult = await handle.execute_update(
            action, cmd, result_type=ActionResult, rpc_timeout=RPC_TIMEOUT
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


async def get_view(client: Client, case_id: str) -> WageArrearsView:
    handle = handle_for(client, case_id)
    try:
        return await handle.query(WageArrearsWorkflow.view, rpc_timeout=RPC_TIMEOUT)
    except WorkflowQueryFailedError as err:
        raise ApiError(409, "case_opening", "the case is still opening; try again") from err
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise not_found(case_id) from None
        raise ApiError(503, "temporal_unavailable", "the case engine did not answer") from err


async def fetch_history(client: Client, case_id: str) -> Any:
    handle = handle_for(client, case_id)
    try:
        return await handle.fetch_history(rpc_timeout=RPC_TIMEOUT)
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise not_found(case_id) from None
        raise ApiError(503, "temporal_unavailable", "the case engine did not answer") from err
