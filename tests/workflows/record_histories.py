"""Records the scenarios' event histories as the replay tests' fixtures.

Records the scenarios that have no history yet; existing files are kept, because each guards
the cases that ran on the code that recorded it: a change that breaks replay of one needs
workflow.patched(). Run `python -m tests.workflows.record_histories` after adding a scenario.
ReconcileWorkflow's history is recorded apart, its activity's answer stubbed (record_reconcile),
and so is CalendarSweepWorkflow's (record_sweep).

Payloads are sealed as the API and the worker seal them, under the recording key
(tests/workflows/recording_key.py), so the replayer can open them; files recorded before
sealing hold plaintext.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.calendar_sweep import BatchOutcome, SweepRequest
from core.settings import Settings
from domain.case_ends import EndedCasesReconciled, ReconcileEndedCases
from ops.calendar_sweep import FailedCase
from store.db import make_engine
from tests.conftest import time_skipping_server
from tests.workflows.conftest import Harness
from tests.workflows.recording_key import RECORDING_KEY
from tests.workflows.scenarios import SCENARIOS
from worker import build_worker
from workflows.calendar_sweep import CalendarSweepWorkflow
from workflows.reconcile import ReconcileWorkflow

HISTORIES = Path(__file__).parent / "histories"
# The case scenarios are recorded once per generation of the workflows' code: each file guards
# the cases that ran on the code that recorded it. A change that records other events (behind
# `workflow.patched`) starts a generation, and the scenarios are recorded again beside the
# old files. "cases-2026-12": one patch marker for all (workflows/patches.py), lookups and
# read-model writes as local activities, the case's timer kept while its moment stands.
# "cases-2026-12b": the next mark, with the project watch's patches and WA-4's spread warnings.
GENERATION = "cases-2026-12b"
GENERATION_OFFSET = 20000
RECONCILE_SCENARIO = "reconcile_marked_two_cases"


async def main() -> None:
    os.environ["PAYLOAD_KEYS"] = RECORDING_KEY
    os.environ.pop("PAYLOAD_KEY_FILE", None)
    # Actions sealed under the recording key and stamped as the API stamps them.
    async with time_skipping_server() as env:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                database_url=f"sqlite:///{tmp}/cases.db", maildrop_dir=Path(tmp) / "maildrop"
            )
            task_queue = f"record-{uuid.uuid4()}"
            async with build_worker(env.client, settings, task_queue=task_queue):
                harness = Harness(env, env.client, task_queue, make_engine(settings.database_url))
                for number, (name, scenario) in enumerate(SCENARIOS.items(), start=1):
                    recorded = f"{name}.{GENERATION}" if GENERATION else name
                    # Kept: it guards the cases that ran on the code that recorded it.
                    if kept(recorded):
                        continue
                    case_number = 900000 + GENERATION_OFFSET + number
                    handle = await scenario(harness, f"WA-2026-{case_number:06d}")
                    history = await handle.fetch_history()
                    path = HISTORIES / f"{handle.id}.{recorded}.json"
                    path.write_text(history.to_json())
                    print(f"recorded {name}: {len(history.events)} events")
        await record_reconcile(env)
        await record_sweep(env)


@activity.defn(name="mark_ended_cases")
async def _two_cases_marked(request: ReconcileEndedCases) -> EndedCasesReconciled:
    # The time-skipping server has no visibility to list from; the history records only the
    # activity's result, which is what a replay reads.
    return EndedCasesReconciled(listed=3, marked=["WA-2026-900101", "MA-2026-900102"])


def kept(recorded: str) -> bool:
    """Whether a history of this scenario is there already (and so is left as it is)."""
    found = list(HISTORIES.glob(f"*.{recorded}.json"))
    if found:
        print(f"kept {found[0].name}")
    return bool(found)


async def record_apart(
    env: WorkflowEnvironment,
    scenario: str,
    workflow_id: str,
    workflow: type[Any],
    arg: object,
    activities: Sequence[Callable[..., Any]],
) -> None:
    """One run of `workflow` on `arg`, its activities stubbed, recorded unless kept."""
    if kept(scenario):
        return
    task_queue = f"record-{uuid.uuid4()}"
    async with Worker(
        env.client, task_queue=task_queue, workflows=[workflow], activities=activities
    ):
        handle = await env.client.start_workflow(
            workflow.run, arg, id=workflow_id, task_queue=task_queue
        )
        await handle.result()
    history = await handle.fetch_history()
    (HISTORIES / f"{workflow_id}.{scenario}.json").write_text(history.to_json())
    print(f"recorded {scenario}: {len(history.events)} events")


async def record_reconcile(env: WorkflowEnvironment) -> None:
    await record_apart(
        env,
        RECONCILE_SCENARIO,
        "reconcile-ended-cases-900100",
        ReconcileWorkflow,
        ReconcileEndedCases(),
        [_two_cases_marked],
    )


SWEEP_SCENARIO = "calendar_sweep_two_batches"
_SWEEP_BATCHES = [["WA-2026-900201", "WA-2026-900202"], ["WA-2026-900203"], []]


@activity.defn(name="stale_batch")
async def _stale_batch(calendar_version: str, after: str | None, limit: int) -> list[str]:
    # The read model's answer, stubbed: the batch after the cursor.
    for batch in _SWEEP_BATCHES:
        if not batch or after is None or batch[0] > after:
            return batch
    return []


@activity.defn(name="recompute_batch")
async def _recompute_batch(
    calendar_version: str, case_ids: list[str], concurrency: int
) -> BatchOutcome:
    failures = [FailedCase(case_id=c, error="update failed: stub") for c in case_ids[1:2]]
    return BatchOutcome(changed=len(case_ids) - len(failures), failures=failures)


async def record_sweep(env: WorkflowEnvironment) -> None:
    await record_apart(
        env,
        SWEEP_SCENARIO,
        "calendar-sweep-2031-0000000000900200",
        CalendarSweepWorkflow,
        SweepRequest(calendar_version="cn-2031-recorded", year=2031, batch_size=2),
        [_stale_batch, _recompute_batch],
    )


if __name__ == "__main__":
    asyncio.run(main())
