"""The SQL pool is sized by the settings, and a request that finds it exhausted is answered at
once with a clear 503 in the one error shape, not a 500 after a long wait."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.errors import install_error_handlers
from core.settings import Settings
from store.db import engine_for


@pytest.fixture
def tiny_pool(database_url: str) -> Iterator[Engine]:
    settings = Settings(
        database_url=database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=0.2
    )
    engine = engine_for(settings)
    yield engine
    engine.dispose()


def test_the_pool_takes_its_size_and_timeout_from_the_settings(database_url: str) -> None:
    engine = engine_for(
        Settings(database_url=database_url, db_pool_size=7, db_max_overflow=3, db_pool_timeout=2)
    )
    try:
        assert engine.pool.size() == 7  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 3  # type: ignore[attr-defined]
        assert engine.pool._timeout == 2  # type: ignore[attr-defined]
    finally:
        engine.dispose()


async def test_an_exhausted_pool_is_a_503_in_the_error_shape(tiny_pool: Engine) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/count")
    def count() -> dict[str, int]:
        with tiny_pool.connect() as conn:
            return {"n": int(conn.execute(text("SELECT 1")).scalar_one())}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = httpx.AsyncClient(transport=transport, base_url="http://api")
    assert (await client.get("/count")).json() == {"n": 1}

    with tiny_pool.connect():  # the pool's only connection, held
        response = await client.get("/count")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json() == {
        "error": {
            "code": "database_busy",
            "message": "the read model is overloaded; retry shortly",
            "message_zh": "系统繁忙，请稍后重试",
            "details": [],
        }
    }
    # The connection back, the same request is served again.
    assert (await client.get("/count")).json() == {"n": 1}
    await client.aclose()
