from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from core.codec import generate_key_spec
from core.settings import Settings
from core.temporal import data_converter, installed_binary, register_search_attributes, runtime
from store.db import make_engine
from tests.databases import drop_templates, fresh_database
from tests.stamping import StampActions

# Every client, worker and API in the tests encrypts like production, with a key of this run
# (set before any Settings is built, and inherited by any process a test starts).
if not os.environ.get("PAYLOAD_KEYS") and not os.environ.get("PAYLOAD_KEY_FILE"):
    os.environ["PAYLOAD_KEYS"] = generate_key_spec("test")
# The suite drives one API from one address far faster than people do; the limits' own
# tests (tests/api/test_rate_limits.py) set theirs.
os.environ.setdefault("RATE_LIMIT_PER_TOKEN", "1000000/minute")
os.environ.setdefault("RATE_LIMIT_PER_ADDRESS", "1000000/minute")
# Every test of the worker's window comes from one address; its per-mobile and per-case
# limits stay as deployed (tests/e2e/test_worker_window.py tests them).
os.environ.setdefault("PUBLIC_LIMIT_PER_ADDRESS", "1000000/minute")
# What the embedded default would email or text goes to a directory of this run, never var/.
if not os.environ.get("MAILDROP_DIR"):
    os.environ["MAILDROP_DIR"] = tempfile.mkdtemp(prefix="maildrop-")


@contextlib.asynccontextmanager
async def time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server whose client encrypts and stamps actions as the API does."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(installed_binary("temporal-test-server")),
        data_converter=data_converter(Settings()),
        runtime=runtime(),
        interceptors=[StampActions()],
    )
    async with env:
        await register_search_attributes(env.client)
        yield env


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    async with time_skipping_server() as env:
        yield env


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A read-model database of this test's own (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on this test's read-model database, at the latest migration."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def session_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One read-model database for a whole session's fixtures (the e2e stack)."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def _drop_database_templates() -> Iterator[None]:
    yield
    drop_templates()
