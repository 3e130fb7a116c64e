"""The real thing on loopback: a Temporal dev server, a worker and the API over HTTP."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core import search_attributes as sa
from core.settings import Settings
from core.temporal import data_converter, installed_binary, runtime
from domain.common import Role
from tests.e2e.auth import ActorAsToken, TestUsers
from tests.e2e.serving import serving, skipping_api
from tests.receivers import free_port
from tests.stamping import StampActions
from worker import build_worker


async def run_outside(*argv: str, **env: str) -> tuple[int, str, str]:
    """Runs `argv` with this process's environment but no TEMPORAL_* (a command line reads
    its address, namespace and codec settings from those: none may leak in), plus `env`.
    Returns the exit code, stdout and stderr."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")} | env
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def notifications_in(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every notification a case's audit trail records as written, in order."""
    return [n for e in events if e["what"] == "notified" for n in e["details"]["notifications"]]


@dataclass
class Stack:
    client: Client
    settings: Settings
    http: httpx.AsyncClient
    worker: Worker | None
    users: TestUsers | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    async def login(
        self,
        role: Role | str,
        counties: tuple[str, ...] | list[str] = ("140105",),
        user_id: str | None = None,
    ) -> dict[str, str]:
        """A fresh user (or `user_id`, rebound) with a new token: its Authorization header."""
        assert self.users is not None
        return await asyncio.to_thread(self.users.login, role, counties, user_id)

    async def open_case(
        self, kind: str, intake: dict[str, Any], headers: dict[str, str] | None = None
    ) -> str:
        """Opens a case over HTTP (`kind` as the URL names it, "disputes"): its case id."""
        opened = await self.http.post(f"/api/v1/cases/{kind}", json=intake, headers=headers)
        assert opened.status_code == 201, opened.text
        return str(opened.json()["case_id"])

    async def open_wage_arrears(
        self, intake: dict[str, Any], headers: dict[str, str] | None = None
    ) -> str:
        return await self.open_case("wage-arrears", intake, headers)

    async def restart_worker(self) -> None:
        """Stops the worker as a crash would leave things, then starts a fresh one."""
        if self.worker is not None:
            await self.worker.shutdown()
        self.worker = build_worker(self.client, self.settings)
        asyncio.create_task(self.worker.run())


@pytest.fixture(scope="session")
async def dev_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(installed_binary("temporal")),
        data_converter=data_converter(Settings()),
        runtime=runtime(),
        interceptors=[StampActions()],
        search_attributes=sa.ALL,
        dev_server_database_filename=str(tmp_path_factory.mktemp("temporal") / "temporal.db"),
    )
    async with env:
        yield env


@pytest.fixture(scope="session")
async def stack(
    dev_server: WorkflowEnvironment,
    session_database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    port = free_port()
    settings = Settings(
        temporal_address=dev_server.client.service_client.config.target_host,
        temporal_namespace=dev_server.client.namespace,
        task_queue=f"e2e-{uuid.uuid4()}",
        database_url=session_database_url,
        api_port=port,
        log_format="json",
        files_dir=tmp_path_factory.mktemp("files"),
    )
    stack = Stack(client=dev_server.client, settings=settings, http=None, worker=None)  # type: ignore[arg-type]
    await stack.restart_worker()
    async with serving(settings):
        stack.users = TestUsers(settings.database_url)
        # Requests without an Authorization header go as the actor their body names, or as a
        # reader of every test county (tests/e2e/auth.py).
        async with httpx.AsyncClient(
            base_url=stack.base_url, timeout=30, auth=ActorAsToken(stack.users)
        ) as http:
            stack.http = http
            yield stack
    stack.users.engine.dispose()
    if stack.worker is not None:
        await stack.worker.shutdown()


@pytest.fixture
async def skipping(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, TestUsers]]:
    """The API and a worker on the time-skipping server, with an HTTP client and the users it
    signs requests as (tests/e2e/serving.py)."""
    async with skipping_api(time_skipping_env, database_url, "e2e-skip") as api:
        yield api
