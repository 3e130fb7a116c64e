"""Faults on a stack of real processes: a Temporal dev server (persisted to a file, so it can be
stopped and started again on the same port), workers (`python worker.py`) and the API
(`python -m api`), configured through the environment as in production.

One stack for all fault tests (a dev server takes seconds to start); each test works with the
cases it opened and leaves the stack running: one worker, the API, the server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from temporalio.client import Client

from core.settings import Settings
from core.temporal import data_converter, dev_server_search_attribute_flags, installed_binary
from core.temporal import runtime as temporal_runtime
from store.db import make_engine
from tests import factories as f
from tests.databases import fresh_database
from tests.e2e.auth import ActorAsToken, TestUsers
from tests.receivers import free_port

ROOT = Path(__file__).resolve().parents[2]
CASES = "/api/v1/cases"
STARTUP_TIMEOUT = 30.0

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], timeout: float, what: str, every: float = 0.2
) -> T:
    """The first truthy answer of `probe` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(every)


@dataclass
class FaultStack:
    tmp: Path
    # SQLite by default, PostgreSQL when the suite runs with TEST_DATABASE_URL.
    database_url: str
    temporal_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    task_queue: str = field(default_factory=lambda: f"faults-{uuid.uuid4()}")
    server: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    api: subprocess.Popen[bytes] | None = None
    client: Client | None = None
    http: httpx.AsyncClient | None = None
    users: TestUsers | None = None
    started_workers: int = 0
    logs: dict[int, Path] = field(default_factory=dict)

    _reader: Engine | None = None

    @property
    def on_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    @property
    def db_path(self) -> Path:
        database = make_url(self.database_url).database
        assert self.on_sqlite and database
        return Path(database)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    def env(self) -> dict[str, str]:
        # The payload keys come from the test session's environment (tests/conftest.py).
        return {
            **os.environ,
            "TEMPORAL_ADDRESS": self.address,
            "TEMPORAL_NAMESPACE": "default",
            "TASK_QUEUE": self.task_queue,
            "DATABASE_URL": self.database_url,
            # Case files and notices in the run's directory, never the checkout's var/.
            "FILES_DIR": str(self.tmp / "files"),
            "API_HOST": "127.0.0.1",
            "API_PORT": str(self.api_port),
            "LOG_FORMAT": "json",
            # INFO: the tests read "worker started" in a worker's log.
            "LOG_LEVEL": "INFO",
        }

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        path = self.tmp / f"{name}.log"
        with path.open("ab") as log:
            proc = subprocess.Popen(command, cwd=ROOT, env=self.env(), stdout=log, stderr=log)
        self.logs[proc.pid] = path
        return proc

    # The Temporal dev server.

    async def start_server(self) -> None:
        command = [
            str(installed_binary("temporal")),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.temporal_port),
            "--http-port",
            str(free_port()),
            "--metrics-port",
            str(free_port()),
            "--headless",
            "--db-filename",
            str(self.tmp / "temporal.db"),
            "--namespace",
            "default",
            "--log-level",
            "error",
        ]
        for flag in dev_server_search_attribute_flags():
            command += ["--search-attribute", flag]
        self.server = self._spawn("temporal", command)
        settings = Settings(temporal_address=self.address)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                client = await Client.connect(
                    self.address,
                    data_converter=data_converter(settings),
                    runtime=temporal_runtime(),
                )
                await client.count_workflows()
                break
            except Exception:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    raise
                await asyncio.sleep(0.3)
        if self.client is None:
            self.client = client

    def stop_server(self, sig: signal.Signals = signal.SIGTERM) -> None:
        assert self.server is not None
        stop(self.server, sig)
        self.server = None

    # Workers and the API.

    def start_worker(self) -> subprocess.Popen[bytes]:
        self.started_workers += 1
        proc = self._spawn(f"worker-{self.started_workers}", [sys.executable, "worker.py"])
        self.workers.append(proc)
        return proc

    async def worker_ready(self, proc: subprocess.Popen[bytes]) -> None:
        """Once the worker says it started (its schema made, its pollers about to run)."""
        log = self.logs[proc.pid]

        async def said() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"the worker exited; see {log}")
            return "worker started" in log.read_text(errors="replace")

        await eventually(said, STARTUP_TIMEOUT, "the worker's start")

    def kill_worker(self, proc: subprocess.Popen[bytes]) -> None:
        """As a crash would: SIGKILL, no draining, no goodbye to the server."""
        stop(proc, signal.SIGKILL)
        self.workers.remove(proc)

    async def start_api(self) -> None:
        self.api = self._spawn("api", [sys.executable, "-m", "api"])
        base_url = f"http://127.0.0.1:{self.api_port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        async with httpx.AsyncClient(base_url=base_url) as probe:
            while True:
                try:
                    if (await probe.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or self.api.poll() is not None:
                    raise RuntimeError(f"the API did not start; see {self.tmp / 'api.log'}")
                await asyncio.sleep(0.2)
        # Users live in the read model, whose schema the API has made by now.
        self.users = TestUsers(self.database_url)
        self.http = httpx.AsyncClient(base_url=base_url, timeout=60, auth=ActorAsToken(self.users))

    async def stop_api(self) -> None:
        if self.http is not None:
            await self.http.aclose()
            self.http = None
        if self.users is not None:
            self.users.engine.dispose()
            self.users = None
        if self.api is not None:
            stop(self.api, signal.SIGTERM)
            self.api = None

    # What the tests say.

    async def open_case(self, key: str | None = None, **overrides: Any) -> dict[str, Any]:
        assert self.http is not None
        headers = {"Idempotency-Key": key} if key else {}
        response = await self.http.post(
            f"{CASES}/wage-arrears", json=f.intake(**overrides), headers=headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def act(self, case_id: str, action: str, body: dict[str, Any]) -> httpx.Response:
        assert self.http is not None
        return await self.http.post(f"{CASES}/{case_id}/actions/{action}", json=body)

    async def act_with(
        self, case_id: str, action: str, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        assert self.http is not None
        return await self.http.post(
            f"{CASES}/{case_id}/actions/{action}", json=body, headers=headers
        )

    async def view(self, case_id: str) -> Any:
        from domain.wage_arrears.view import WageArrearsView

        assert self.client is not None
        return await self.client.get_workflow_handle(case_id).query(
            "view", result_type=WageArrearsView
        )

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """Read straight from the read model, as an operator would."""
        if self._reader is None:
            self._reader = make_engine(self.database_url)
        with self._reader.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params).all()]

    def close_reader(self) -> None:
        if self._reader is not None:
            self._reader.dispose()
            self._reader = None


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
async def faults(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FaultStack]:
    tmp = tmp_path_factory.mktemp("faults")
    # Empty: the processes migrate it as they start, as in production.
    with fresh_database(tmp, migrated=False) as url:
        stack = FaultStack(tmp=tmp, database_url=url)
        try:
            await stack.start_server()
            # The worker first: it and the API both migrate the read model at start.
            await stack.worker_ready(stack.start_worker())
            await stack.start_api()
            yield stack
        finally:
            await stack.stop_api()
            for proc in list(stack.workers):
                stop(proc, signal.SIGTERM)
            if stack.server is not None:
                stack.stop_server()
            stack.close_reader()


@pytest.fixture
async def fault_stack(faults: FaultStack) -> AsyncIterator[FaultStack]:
    """The stack as each test leaves it for the next: one live worker, the API, the server."""
    yield faults
    for proc in list(faults.workers):
        if proc.poll() is not None:
            faults.workers.remove(proc)
    if faults.server is None:
        await faults.start_server()
    if not faults.workers:
        faults.start_worker()
    if faults.api is None:
        await faults.start_api()
