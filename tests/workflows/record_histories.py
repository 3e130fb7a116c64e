"""Records the scenarios' event histories as the replay tests' fixtures.

Records the scenarios that have no history yet; existing files are kept, because each guards
the cases that ran on the code that recorded it: a change that breaks replay of one needs
workflow.patched(). Run `python -m tests.workflows.record_histories` after adding a scenario.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from core.temporal import installed_binary, register_search_attributes, runtime
from store.db import make_engine
from tests.workflows.conftest import Harness
from tests.workflows.scenarios import SCENARIOS
from worker import build_worker

HISTORIES = Path(__file__).parent / "histories"


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(installed_binary("temporal-test-server")),
        # Without the payload codec: the files are kept in the repository and must replay
        # under any key (the codec passes plaintext payloads through).
        data_converter=pydantic_data_converter,
        runtime=runtime(),
    )
    async with env:
        await register_search_attributes(env.client)
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                database_url=f"sqlite:///{tmp}/cases.db", maildrop_dir=Path(tmp) / "maildrop"
            )
            task_queue = f"record-{uuid.uuid4()}"
            async with build_worker(env.client, settings, task_queue=task_queue):
                harness = Harness(env, env.client, task_queue, make_engine(settings.database_url))
                for number, (name, scenario) in enumerate(SCENARIOS.items(), start=1):
                    kept = list(HISTORIES.glob(f"*.{name}.json"))
                    if kept:
                        # Kept: it guards the cases that ran on the code that recorded it.
                        print(f"kept {kept[0].name}")
                        continue
                    handle = await scenario(harness, f"WA-2026-{900000 + number:06d}")
                    history = await handle.fetch_history()
                    path = HISTORIES / f"{handle.id}.{name}.json"
                    path.write_text(history.to_json())
                    print(f"recorded {name}: {len(history.events)} events")


if __name__ == "__main__":
    asyncio.run(main())
