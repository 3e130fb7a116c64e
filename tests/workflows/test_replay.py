"""Determinism: recorded histories, and fresh ones, replay against the current workflow code.

A failure here means a change would break cases already running in production: guard it with
workflow.patched() instead of editing the recorded files.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.settings import Settings
from core.temporal import data_converter
from tests.workflows.conftest import Harness
from tests.workflows.recording_key import RECORDING_KEY
from tests.workflows.scenarios import SCENARIOS
from worker import WORKFLOWS

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def replayer(accept_plaintext: bool = False) -> Replayer:
    # The older recorded histories predate encryption: only their replayer accepts plaintext
    # payloads. The newer ones are sealed under the recording key.
    settings = Settings()
    if accept_plaintext:
        assert settings.payload_keys is not None
        keys = settings.payload_keys.get_secret_value() + "," + RECORDING_KEY
        settings = Settings(payload_keys=keys)
    converter = data_converter(settings, worker=True, accept_plaintext=accept_plaintext)
    return Replayer(workflows=WORKFLOWS, data_converter=converter)


def _workflow_type(path: Path) -> str:
    history = WorkflowHistory.from_json(path.stem.split(".")[0], path.read_text())
    return history.events[0].workflow_execution_started_event_attributes.workflow_type.name


def test_every_workflow_has_a_recorded_history() -> None:
    recorded = {_workflow_type(path) for path in HISTORIES}
    missing = {wf.__name__ for wf in WORKFLOWS} - recorded
    assert not missing, (
        f"record a history for {missing}: python -m tests.workflows.record_histories"
    )


def test_the_project_watch_signals_have_a_recorded_history() -> None:
    """PW-4: a wage-arrears case hears its project (a further breach joins, the bank's batch
    pays) and tells it of a payment confirmed in it; a recorded history keeps each path."""
    received: set[str] = set()
    sent: set[str] = set()
    for path in HISTORIES:
        if _workflow_type(path) != "WageArrearsWorkflow":
            continue
        history = WorkflowHistory.from_json(path.stem.split(".")[0], path.read_text())
        for event in history.events:
            if event.HasField("workflow_execution_signaled_event_attributes"):
                received.add(event.workflow_execution_signaled_event_attributes.signal_name)
            if event.HasField("signal_external_workflow_execution_initiated_event_attributes"):
                sent.add(
                    event.signal_external_workflow_execution_initiated_event_attributes.signal_name
                )
    assert {"project_claims", "project_payment"} <= received
    assert "case_payment" in sent


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    # Files are named <workflow id>.<scenario>.json: the workflow sees its own id on replay.
    history = WorkflowHistory.from_json(path.stem.split(".")[0], path.read_text())
    await replayer(accept_plaintext=True).replay_workflow(history)


# Scenarios in which a case outlives the project watch that opened it: after such a child
# outlives its parent the time-skipping server stops skipping, so they get a server of their
# own, not the session's.
OUTLIVING = {"project_breach_opened_a_case", "wage_arrears_opened_by_a_project"}


@pytest.mark.parametrize("name", sorted(set(SCENARIOS) - OUTLIVING))
async def test_fresh_history_replays(harness: Harness, name: str) -> None:
    await _replays_fresh(harness, name)


@pytest.mark.parametrize("name", sorted(OUTLIVING))
async def test_fresh_history_of_an_outliving_case_replays(
    isolated_harness: Harness, name: str
) -> None:
    await _replays_fresh(isolated_harness, name)


async def _replays_fresh(harness: Harness, name: str) -> None:
    handle = await SCENARIOS[name](harness, f"WA-2026-{uuid.uuid4().int % 10**6:06d}")
    await replayer().replay_workflow(await handle.fetch_history())
