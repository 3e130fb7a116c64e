from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from core.settings import Settings
from domain.deadlines import Deadline
from domain.wage_arrears.models import WageArrearsIntake
from domain.wage_arrears.view import WageArrearsView
from store.db import make_engine
from store.tables import CaseRecord, NotificationRecord
from tests.conftest import time_skipping_server
from worker import build_worker
from workflows.delivery import workflow_id as delivery_workflow_id
from workflows.wage_arrears import WageArrearsWorkflow


class RecordActivities(Interceptor):
    """Keeps what each activity was asked: a local activity's input is in no history."""

    def __init__(self, calls: list[tuple[str, str, tuple[Any, ...]]]) -> None:
        self.calls = calls

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        calls = self.calls

        class Recording(ActivityInboundInterceptor):
            async def execute_activity(self, input: ExecuteActivityInput) -> Any:
                info = activity.info()
                calls.append((info.workflow_id or "", info.activity_type, tuple(input.args)))
                return await super().execute_activity(input)

        return Recording(next)


def random_case_id(prefix: str) -> str:
    """A well-formed case id unlikely to collide within a test session (10^9 choices)."""
    n = uuid.uuid4().int
    return f"{prefix}-{2000 + n % 1000}-{(n // 1000) % 10**6:06d}"


@dataclass
class Harness:
    env: WorkflowEnvironment
    client: Client
    task_queue: str
    engine: Engine
    started: list[WorkflowHandle[Any, Any]] = field(default_factory=list)
    # Every activity the worker ran (local ones too), as (workflow id, activity type, args).
    activity_calls: list[tuple[str, str, tuple[Any, ...]]] = field(default_factory=list)

    async def open_case(
        self, intake: dict[str, Any], case_id: str | None = None
    ) -> WorkflowHandle[Any, Any]:
        return await self.start(
            WageArrearsWorkflow,
            WageArrearsIntake.model_validate(intake),
            case_id or random_case_id("WA"),
        )

    async def start(self, workflow: Any, intake: Any, case_id: str) -> WorkflowHandle[Any, Any]:
        """Starts a case of `workflow` (a case kind's workflow class) on this harness's queue
        and returns once it has opened; the case is terminated when the test ends."""
        handle = await self.client.start_workflow(
            workflow.run, intake, id=case_id, task_queue=self.task_queue
        )
        return await self.opened(workflow, handle)

    async def opened(
        self, workflow: Any, handle: WorkflowHandle[Any, Any]
    ) -> WorkflowHandle[Any, Any]:
        """`handle`'s case, once opened; terminated when the test ends."""
        self.started.append(handle)
        await handle.execute_update(workflow.wait_opened)
        return handle

    async def view(self, handle: WorkflowHandle[Any, Any]) -> WageArrearsView:
        view = await handle.query(WageArrearsWorkflow.view)
        await self.caught_up(handle.id, view.state.revision)
        return view

    async def caught_up(self, case_id: str, revision: int, timeout: float = 10.0) -> None:
        """Waits (real time, briefly) until the read model shows `revision` of the case: the
        workflow's flusher writes it asynchronously, which on PostgreSQL takes long enough
        that a test reading rows right after a query would race it. Gives up silently: the
        test's own assertion then says what is missing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            row = self.row(case_id)
            if row is not None and row.revision >= revision:
                return
            await asyncio.sleep(0.02)

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def sleep_until(self, moment: datetime) -> None:
        delta = moment - await self.now()
        if delta > timedelta(0):
            await self.env.sleep(delta)

    def row(self, case_id: str) -> CaseRecord | None:
        with Session(self.engine) as session:
            return session.get(CaseRecord, case_id)

    def notifications(self, case_id: str) -> list[NotificationRecord]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(NotificationRecord).where(NotificationRecord.case_id == case_id)
                )
            )


async def end_deliveries(client: Client, engine: Engine) -> None:
    """Lets the delivery workflows of every notification in the database end, while the
    worker still runs (the time-skipping server keeps its clock still while an activity of a
    workflow is out on a worker, even once that workflow is terminated); any that does not
    end within seconds is terminated."""
    done: set[str] = set()
    for _ in range(2):  # a write in flight as the cases were terminated may add one
        with Session(engine) as session:
            keys = set(session.exec(select(NotificationRecord.key)).all()) - done
        for key in sorted(keys):
            handle = client.get_workflow_handle(delivery_workflow_id(key))
            try:
                await asyncio.wait_for(handle.result(), timeout=10)
            except Exception:
                with contextlib.suppress(RPCError):
                    await handle.terminate("test finished")
            done.add(key)
        await asyncio.sleep(0.05)


def deadline(view: Any, name: str) -> Deadline:
    """The latest deadline of that name in a case's view, of any case kind."""
    found: list[Deadline] = [d for d in view.state.deadlines if d.name == name]
    assert found, f"no {name} deadline in {[d.name for d in view.state.deadlines]}"
    return found[-1]


async def refused(coro: Any) -> ApplicationError:
    """Awaits an update expected to be refused and returns the refusal."""
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await coro
    cause = info.value.cause
    assert isinstance(cause, ApplicationError), cause
    return cause


@pytest.fixture
async def harness(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> AsyncIterator[Harness]:
    async for harness in _harness(time_skipping_env, database_url):
        yield harness


@pytest.fixture
async def isolated_harness(database_url: str) -> AsyncIterator[Harness]:
    """A harness on a time-skipping server of its own: for a test in which a child case
    outlives its parent, after which the test server stops skipping time."""
    async with time_skipping_server() as env:
        async for harness in _harness(env, database_url):
            yield harness


async def _harness(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> AsyncIterator[Harness]:
    settings = Settings(database_url=database_url)
    task_queue = f"test-{uuid.uuid4()}"
    harness = Harness(
        env=time_skipping_env,
        client=time_skipping_env.client,
        task_queue=task_queue,
        engine=make_engine(settings.database_url),
    )
    worker = build_worker(
        time_skipping_env.client,
        settings,
        task_queue=task_queue,
        interceptors=[RecordActivities(harness.activity_calls)],
    )
    async with worker:
        yield harness
        # A case left running would fire its timers at a task queue nobody polls any more,
        # and the test server stops skipping time while such a task is outstanding.
        for handle in harness.started:
            with contextlib.suppress(RPCError):
                await handle.terminate("test finished")
        await end_deliveries(harness.client, harness.engine)
