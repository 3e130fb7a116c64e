"""Tests that send updates straight to a workflow stamp them as the API does.

The workflows accept an action only with the API's `RequestStamp`; this client interceptor
adds one (this case, the update's id as the key) to any command a test sends without one.
A test of the refusal sends its update through a client without this interceptor.
"""

from __future__ import annotations

import uuid
from typing import Any

from temporalio.client import (
    Interceptor,
    OutboundInterceptor,
    StartWorkflowUpdateInput,
    WorkflowUpdateHandle,
)

from domain.common import Command, RequestStamp


def stamped(cmd: Command, case_id: str, key: str | None = None) -> Command:
    stamp = RequestStamp(case_id=case_id, key=key or uuid.uuid4().hex)
    return cmd.model_copy(update={"request": stamp})


class StampActions(Interceptor):
    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Stamping(next)


class _Stamping(OutboundInterceptor):
    async def start_workflow_update(
        self, input: StartWorkflowUpdateInput
    ) -> WorkflowUpdateHandle[Any]:
        args = list(input.args)
        if args and isinstance(args[0], Command) and args[0].request is None:
            args[0] = stamped(args[0], input.id, input.update_id)
        elif args and isinstance(args[0], dict) and "actor" in args[0]:
            stamp = RequestStamp(case_id=input.id, key=input.update_id or uuid.uuid4().hex)
            args[0] = {"request": stamp.model_dump(), **args[0]}
        input.args = args
        return await super().start_workflow_update(input)
