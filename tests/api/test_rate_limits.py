"""Rate limits per bearer token and per client address: over either, 429 with Retry-After in
the API's error shape; /health is never limited; a malformed limit stops the start."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from api.main import create_app
from core.settings import Settings
from domain.common import Role
from store.db import make_engine
from store.users import create_user, issue_token


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        # Per hour, not per minute: a sliding window's count drops as its window turns, and a
        # slow run crossing a minute's boundary would let the request over the limit through.
        rate_limit_per_token="3/hour",
        rate_limit_per_address="5/hour",
    )
    app = create_app(settings)
    app.state.settings = settings
    app.state.engine = make_engine(database_url)
    app.state.temporal = None
    yield app
    app.state.engine.dispose()


def _token(app: FastAPI, user_id: str) -> dict[str, str]:
    create_user(app.state.engine, user_id, Role.supervisor, ["140105"], replace=True)
    return {"Authorization": f"Bearer {issue_token(app.state.engine, user_id).token}"}


def _client(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://api")


def _limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 3600
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and set(error) == {
        "code",
        "message",
        "message_zh",
        "details",
    }


async def test_a_token_over_its_limit_gets_429_others_go_on(app: FastAPI) -> None:
    first, second = _token(app, "sup-a"), _token(app, "sup-b")
    async with _client(app, "10.0.0.1") as one, _client(app, "10.0.0.2") as other:
        for _ in range(3):
            assert (await one.get("/api/v1/cases", headers=first)).status_code == 200
        _limited(await one.get("/api/v1/cases", headers=first))
        # The same token from another address is the same token.
        _limited(await other.get("/api/v1/cases", headers=first))
        assert (await other.get("/api/v1/cases", headers=second)).status_code == 200
        assert (await one.get("/health")).status_code == 200


async def test_an_address_over_its_limit_gets_429_whatever_the_token(app: FastAPI) -> None:
    async with _client(app, "10.0.0.3") as flood, _client(app, "10.0.0.4") as calm:
        # Guessed tokens count against the address before any lookup.
        for i in range(5):
            guess = {"Authorization": f"Bearer lce_guess{i:05d}_{'x' * 30}"}
            assert (await flood.get("/api/v1/cases", headers=guess)).status_code == 401
        _limited(await flood.get("/api/v1/cases", headers=_token(app, "sup-c")))
        _limited(await flood.get("/api/v1/sla"))
        for _ in range(10):
            assert (await flood.get("/health")).status_code == 200
        assert (await calm.get("/api/v1/cases", headers=_token(app, "sup-d"))).status_code == 200


def test_a_malformed_limit_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="rate limit is N/second"):
        Settings(rate_limit_per_token="lots")
