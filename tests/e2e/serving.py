"""The API served on loopback for the end-to-end tests: on the session's dev server (the
`stack` fixture) or on the time-skipping test server, where days pass in milliseconds while
every call still goes through HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import uvicorn
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.settings import Settings
from tests.e2e.auth import ActorAsToken, TestUsers
from tests.receivers import free_port
from tests.workflows.conftest import end_deliveries
from worker import build_worker


@contextlib.asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[None]:
    """The API of `settings` listening on 127.0.0.1 at `settings.api_port` until the block ends."""
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=settings.api_port, log_config=None
        )
    )
    running = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        await running


@contextlib.asynccontextmanager
async def skipping_api(
    env: WorkflowEnvironment, database_url: str, queue: str
) -> AsyncIterator[tuple[httpx.AsyncClient, TestUsers]]:
    """The API and a real worker on the time-skipping server `env`, and an HTTP client whose
    requests go as the actor their body names (tests/e2e/auth.py). Every case id the test
    appends to `client.started` is terminated afterwards, and the deliveries are let end."""
    settings = Settings(
        temporal_address=env.client.service_client.config.target_host,
        temporal_namespace=env.client.namespace,
        task_queue=f"{queue}-{uuid.uuid4()}",
        database_url=database_url,
        api_port=free_port(),
        log_format="json",
    )
    users = TestUsers(database_url)
    async with (
        serving(settings),
        build_worker(env.client, settings),
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{settings.api_port}",
            timeout=30,
            auth=ActorAsToken(users),
        ) as client,
    ):
        client.started = []  # type: ignore[attr-defined]
        yield client, users
        # A test that failed half-way leaves no case running into the next test's ids.
        for case_id in client.started:  # type: ignore[attr-defined]
            with contextlib.suppress(Exception):  # already ended
                await env.client.get_workflow_handle(case_id).terminate("test finished")
        await end_deliveries(env.client, users.engine)
    users.engine.dispose()
