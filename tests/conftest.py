from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from core.codec import generate_key_spec
from core.settings import Settings
from core.temporal import data_converter, installed_binary, register_search_attributes, runtime

# Every client, worker and API in the tests encrypts like production, with a key of this run
# (set before any Settings is built, and inherited by any process a test starts).
if not os.environ.get("PAYLOAD_KEYS") and not os.environ.get("PAYLOAD_KEY_FILE"):
    os.environ["PAYLOAD_KEYS"] = generate_key_spec("test")


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(installed_binary("temporal-test-server")),
        data_converter=data_converter(Settings()),
        runtime=runtime(),
    )
    async with env:
        await register_search_attributes(env.client)
        yield env
