from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from core.temporal import DATA_CONVERTER, installed_binary, register_search_attributes, runtime


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(installed_binary("temporal-test-server")),
        data_converter=DATA_CONVERTER,
        runtime=runtime(),
    )
    async with env:
        await register_search_attributes(env.client)
        yield env
