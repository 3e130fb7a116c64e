"""Worker Versioning (docs/production-scale.md): a case opened under one build of the worker
goes on, and settles, under the next, once that build is the deployment's current version
(auto-upgrade). On a Temporal dev server (the time-skipping server has no deployments)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.api.workflowservice.v1 import SetWorkerDeploymentCurrentVersionRequest
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from core.temporal import data_converter, installed_binary, register_search_attributes, runtime
from domain.wage_arrears.models import CaseStatus, WageArrearsIntake
from store.db import make_engine
from tests import factories as f
from tests.stamping import StampActions
from tests.workflows.conftest import Harness
from tests.workflows.test_wage_arrears_ladder import pay_and_confirm
from worker import build_worker
from workflows.wage_arrears import WageArrearsWorkflow

DEPLOYMENT = "case-engine"


@pytest.fixture
async def dev_server(tmp_path: Path) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(installed_binary("temporal")),
        data_converter=data_converter(Settings()),
        runtime=runtime(),
        interceptors=[StampActions()],
        dev_server_database_filename=str(tmp_path / "temporal.db"),
        dev_server_log_level="error",
    )
    async with env:
        await register_search_attributes(env.client)
        yield env


async def make_current(client: Client, build_id: str) -> None:
    """The deployment's current version becomes `build_id`, once its worker has polled."""
    request = SetWorkerDeploymentCurrentVersionRequest(
        namespace=client.namespace, deployment_name=DEPLOYMENT, build_id=build_id
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            await client.workflow_service.set_worker_deployment_current_version(request)
            return
        except RPCError:
            # The version is not known until its worker's first poll reaches the server.
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_a_case_started_under_one_build_settles_under_the_next(
    dev_server: WorkflowEnvironment, database_url: str
) -> None:
    task_queue = f"versioning-{uuid.uuid4()}"

    def settings(build_id: str) -> Settings:
        return Settings(
            database_url=database_url,
            worker_deployment_name=DEPLOYMENT,
            worker_build_id=build_id,
        )

    harness = Harness(
        env=dev_server,
        client=dev_server.client,
        task_queue=task_queue,
        engine=make_engine(database_url),
    )
    async with build_worker(dev_server.client, settings("build-1"), task_queue=task_queue):
        await make_current(dev_server.client, "build-1")
        handle = await dev_server.client.start_workflow(
            WageArrearsWorkflow.run,
            WageArrearsIntake.model_validate(f.intake()),
            id=f"WA-2099-{uuid.uuid4().int % 10**6:06d}",
            task_queue=task_queue,
        )
        await handle.execute_update(WageArrearsWorkflow.wait_opened)
        first = (await handle.describe()).raw_description.workflow_execution_info
        assert first.versioning_info.deployment_version.build_id == "build-1"

    # Build 1 is gone; build 2 becomes current and takes the case on.
    async with build_worker(dev_server.client, settings("build-2"), task_queue=task_queue):
        await make_current(dev_server.client, "build-2")
        view = await harness.view(handle)
        for worker_no, worker in enumerate(view.state.intake.workers, start=1):
            await pay_and_confirm(harness, handle, worker_no, str(worker.amount_owed))
        settled = await harness.view(handle)
        assert settled.state.status is CaseStatus.settled
        info = (await handle.describe()).raw_description.workflow_execution_info
        assert info.versioning_info.deployment_version.build_id == "build-2"
        assert info.versioning_info.behavior == 2  # AUTO_UPGRADE
    harness.engine.dispose()
