"""A dependency that is down answers 503 with Retry-After in the API's error shape, never a
500: the read model's database refusing connections (here a PostgreSQL port nobody listens
on), on the token lookup as on every read; and Temporal not answering."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from api.main import create_app
from core.settings import Settings
from store.db import make_engine

TOKEN = {"Authorization": "Bearer lce_abcdefghij_" + "x" * 40}


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def app() -> AsyncIterator[FastAPI]:
    settings = Settings(database_url=f"postgresql+psycopg://labour@127.0.0.1:{_dead_port()}/x")
    app = create_app(settings)
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.temporal = None
    yield app
    app.state.engine.dispose()


async def _call(app: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        return await http.request(method, path, **kwargs)


def _unavailable(response: httpx.Response, code: str) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["error"]["code"] == code
    assert set(response.json()["error"]) == {"code", "message", "message_zh", "details"}


@pytest.mark.parametrize(
    "path", ["/api/v1/cases", "/api/v1/sla", "/api/v1/stats", "/api/v1/cases/WA-2026-000001"]
)
async def test_a_database_that_refuses_connections_is_503(app: FastAPI, path: str) -> None:
    _unavailable(await _call(app, "GET", path, headers=TOKEN), "database_unavailable")


def _raising(failure: Exception) -> Any:
    async def fail() -> None:
        raise failure

    return fail


async def test_temporal_unavailable_is_503_and_other_rpc_errors_stay_500(app: FastAPI) -> None:
    failures = {
        "unavailable": RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b""),
        "deadline": RPCError("deadline exceeded", RPCStatusCode.DEADLINE_EXCEEDED, b""),
        "denied": RPCError("no", RPCStatusCode.PERMISSION_DENIED, b""),
    }

    for name, failure in failures.items():
        app.add_api_route(f"/probe/{name}", _raising(failure))
    _unavailable(await _call(app, "GET", "/probe/unavailable"), "temporal_unavailable")
    _unavailable(await _call(app, "GET", "/probe/deadline"), "temporal_unavailable")
    denied = await _call(app, "GET", "/probe/denied")
    assert denied.status_code == 500
    assert denied.json()["error"]["code"] == "internal_error"


async def test_an_update_temporal_did_not_accept_in_time_is_503(app: FastAPI) -> None:
    # An overloaded server: the opening's `wait_opened` update (or an action's) not accepted
    # within its RPC timeout. Measured under a storm's load (BENCHMARKS.md): it was a 500.
    app.add_api_route("/probe/update-timeout", _raising(WorkflowUpdateRPCTimeoutOrCancelledError()))
    _unavailable(await _call(app, "GET", "/probe/update-timeout"), "temporal_unavailable")
