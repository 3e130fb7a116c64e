"""The read model away and lost: while another connection holds the SQLite file's write lock,
the read-model activities fail and retry, the workflows carry on (a deadline still fires, an
action still waits for its turn), and the read model catches up when the lock goes. Deleted,
the read model is rebuilt from Temporal alone by the rebuild command (`ops.rebuild`, what
`manage.py rebuild-read-model` runs)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import MetaData

from core.history import ECHOED
from store.db import make_engine
from tests import factories as f
from tests.faults.conftest import ROOT, FaultStack, eventually, stop
from tests.faults.test_worker_faults import (
    assert_breached_once,
    assert_fired_once,
    assert_rows_once,
    escalated,
    major_case_due_soon,
)
from workflows.deadlines import LOCAL_BUDGET

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(150)]

# store/db.py's busy timeout: a writer waits this long for the lock, then the attempt fails.
BUSY_TIMEOUT = 10.0


async def retrying(stack: FaultStack, case_id: str) -> bool:
    """Whether the case's write is being retried as an activity: its local tries gave up
    (only then is an echoing write scheduled as an activity), or an activity is pending on
    its second attempt or later."""
    assert stack.client is not None
    described = await stack.client.get_workflow_handle(case_id).describe()
    return any(
        a.attempt >= 2 or a.activity_type.name in ECHOED.values()
        for a in described.raw_description.pending_activities
    )


async def test_read_model_locked_activities_retry_workflows_carry_on_then_catch_up(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    if not stack.on_sqlite:
        pytest.skip("holds SQLite's file lock; the SQLite pass of the suite runs it")
    other = (await stack.open_case(workers=1, amount="300.00"))["case_id"]
    major, due = await major_case_due_soon(stack)
    lock = sqlite3.connect(stack.db_path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        waiting = asyncio.create_task(stack.act(other, "record_payment", f.payment(1, "300.00")))

        async def breached_in_temporal() -> bool:
            view = await stack.view(major)
            return bool(view.state.breaches)

        await eventually(breached_in_temporal, 15, "the breach while the database is away")
        assert not await escalated(stack, major), "nothing could be written meanwhile"
        await eventually(
            lambda: retrying(stack, major),
            LOCAL_BUDGET.total_seconds() + BUSY_TIMEOUT + 10,
            "a failed attempt retried",
        )
        assert not waiting.done(), "the action returns once the read model shows it"
    finally:
        lock.rollback()
        lock.close()

    answered = await waiting
    assert answered.status_code == 200, answered.text
    await eventually(lambda: escalated(stack, major), 30, "the read model catching up")
    await assert_breached_once(stack, major, due)
    await assert_fired_once(stack, major)
    for case_id in (other, major):
        view = await stack.view(case_id)
        row = stack.rows("SELECT revision, status FROM cases WHERE case_id = :id", id=case_id)
        assert row == [(view.state.revision, view.state.status.value)]
    assert_rows_once(stack, [other, major])


def delete_read_model(stack: FaultStack) -> None:
    """Gone, schema and all: the SQLite file with its WAL, or every PostgreSQL table."""
    stack.close_reader()
    if stack.on_sqlite:
        for path in stack.db_path.parent.glob(f"{stack.db_path.name}*"):
            path.unlink()
        return
    engine = make_engine(stack.database_url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        tables.drop_all(engine)
    finally:
        engine.dispose()


CASE_COLUMNS = (
    "case_id, kind, status, severity, county_code, employer_name, workers_count, amount_owed, "
    "amount_paid, next_due_at, next_due_name, provisional, breached_count, priority, "
    "opened_at, settled_at, closed_at, revision"
)


def read_model(stack: FaultStack) -> dict[str, list[tuple[Any, ...]]]:
    # updated_at and sla_state say when a row was written, not what the case is.
    return {
        "cases": stack.rows(f"SELECT {CASE_COLUMNS} FROM cases ORDER BY case_id"),
        "deadlines": stack.rows(
            "SELECT case_id, name, rule, due_at, warn_at, state, provisional, paused, "
            "calendar_version FROM deadlines ORDER BY case_id, name"
        ),
        "notifications": stack.rows(
            "SELECT key, case_id, kind, recipient_role, county_code, params "
            "FROM notifications ORDER BY key"
        ),
    }


async def test_a_deleted_read_model_is_rebuilt_from_temporal_alone(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    major, _ = await major_case_due_soon(stack)
    await eventually(lambda: escalated(stack, major), 30, "the breach")
    before = read_model(stack)
    assert len(before["cases"]) >= 2 and before["notifications"]

    await stack.stop_api()
    for proc in list(stack.workers):
        stop(proc, signal.SIGTERM)
        stack.workers.remove(proc)
    delete_read_model(stack)
    # A worker answers the queries; it makes the empty schema as it starts.
    await stack.worker_ready(stack.start_worker())
    rebuilt = subprocess.run(
        [sys.executable, "-m", "ops.rebuild"],
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilt {len(before['cases'])} cases" in rebuilt.stdout, rebuilt.stdout[-3000:]

    assert read_model(stack) == before
    await stack.start_api()
    opened = await stack.open_case(workers=1)
    highest = max(
        int(row[0].rsplit("-", 1)[1]) for row in before["cases"] if row[1] == "wage_arrears"
    )
    assert int(opened["case_id"].rsplit("-", 1)[1]) == highest + 1
    assert_rows_once(stack, [major, opened["case_id"]])
