"""A case whose workflow is terminated never looks open: the reconcile workflow, against a real
dev server and worker, marks it in the read model, and the case list, the SLA board, the case
itself and the statistics show it ended; the worker creates the schedule that runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from temporalio.client import ScheduleActionStartWorkflow, ScheduleHandle
from temporalio.service import RPCError
from temporalio.worker import Replayer

from activities.read_model import ReadModelActivities
from core.schedules import RECONCILE_EVERY, ensure_reconcile_schedule, reconcile_schedule_id
from core.settings import Settings
from core.temporal import data_converter
from domain.case_ends import EndedCasesReconciled, ReconcileEndedCases
from domain.common import Role
from domain.wage_arrears.view import WageArrearsView
from domain.wage_arrears.view import snapshot as wage_arrears_snapshot
from store.db import make_engine
from tests import factories as f
from tests.e2e.conftest import Stack
from worker import WORKFLOWS
from workflows.reconcile import ReconcileWorkflow

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"
COUNTY = "140181"  # 古交市
ROOT = Path(__file__).resolve().parents[2]


async def reconcile(stack: Stack) -> EndedCasesReconciled:
    handle = await stack.client.start_workflow(
        ReconcileWorkflow.run,
        ReconcileEndedCases(lookback=timedelta(hours=1)),
        id=f"reconcile-test-{uuid.uuid4()}",
        task_queue=stack.settings.task_queue,
    )
    report = await handle.result()
    # The history it left replays against the current code.
    await Replayer(
        workflows=WORKFLOWS, data_converter=data_converter(Settings(), worker=True)
    ).replay_workflow(await handle.fetch_history())
    return report


async def reconcile_until_marked(stack: Stack, case_id: str) -> EndedCasesReconciled:
    # Visibility is eventually consistent: the terminated run is listed a moment later.
    for _ in range(50):
        report = await reconcile(stack)
        if case_id in report.marked:
            return report
        await asyncio.sleep(0.2)
    raise AssertionError(f"{case_id} was never marked ended")


def read_model(engine: Engine, case_id: str) -> tuple[Any, list[tuple[str, str]]]:
    with engine.connect() as conn:
        case = conn.execute(
            text(
                "SELECT status, next_due_at, next_due_name, sla_state, revision "
                "FROM cases WHERE case_id = :c"
            ),
            {"c": case_id},
        ).one_or_none()
        deadlines = conn.execute(
            text("SELECT name, state FROM deadlines WHERE case_id = :c ORDER BY name"),
            {"c": case_id},
        ).all()
    return case, [(d.name, d.state) for d in deadlines]


async def wait_for_pending_deadline(engine: Engine, case_id: str) -> None:
    for _ in range(100):
        case, deadlines = await asyncio.to_thread(read_model, engine, case_id)
        if case is not None and any(state == "pending" for _, state in deadlines):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{case_id} never had a pending deadline in the read model")


async def open_cases(stack: Stack) -> dict[str, Any]:
    response = await stack.http.get(
        "/api/v1/stats", headers=await stack.login(Role.supervisor, counties=[COUNTY])
    )
    assert response.status_code == 200, response.text
    totals: dict[str, Any] = response.json()["totals"]
    return totals


async def test_a_terminated_case_is_shown_ended_everywhere(stack: Stack) -> None:
    officer = f.actor(Role.mediator, COUNTY, id=f"mediator-{COUNTY}")
    opened = await stack.http.post(
        f"{CASES}/wage-arrears", json=f.intake(county_code=COUNTY, opened_by=officer)
    )
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    engine = make_engine(stack.settings.database_url)
    try:
        await wait_for_pending_deadline(engine, case_id)
        before = await open_cases(stack)
        # Other tests' cases of this county may be open too: the terminated one is counted
        # open before, and not after.
        assert before["open_cases"] >= 1 and before["open_arrears_cases"] >= 1

        await stack.client.get_workflow_handle(case_id).terminate(reason="operator stopped it")
        report = await reconcile_until_marked(stack, case_id)
        assert report.listed >= 1

        case, deadlines = read_model(engine, case_id)
        assert case.status == "terminated"
        assert case.next_due_at is None and case.next_due_name is None
        assert case.sla_state is None
        assert deadlines and all(state != "pending" for _, state in deadlines)
        assert ("settle", "abandoned") in deadlines

        # The list: its status, and not among the cases someone must act on.
        listed = (await stack.http.get(CASES, params={"county_code": COUNTY})).json()
        [item] = [i for i in listed["items"] if i["case_id"] == case_id]
        assert item["status"] == "terminated" and item["next_due_at"] is None
        open_list = await stack.http.get(CASES, params={"county_code": COUNTY, "status": "open"})
        assert case_id not in {i["case_id"] for i in open_list.json()["items"]}
        overdue = await stack.http.get(CASES, params={"county_code": COUNTY, "overdue": "true"})
        assert case_id not in {i["case_id"] for i in overdue.json()["items"]}

        # The SLA board: nothing pending; its clocks counted apart as abandoned.
        board = (await stack.http.get("/api/v1/sla", params={"county_code": COUNTY})).json()
        assert case_id not in {i["case_id"] for i in board["items"]}
        assert board["summary"]["by_state"]["abandoned"] >= 1
        every = await stack.http.get(
            "/api/v1/sla",
            params=[
                ("county_code", COUNTY),
                *(("sla_state", s) for s in ("on_track", "due_soon", "overdue", "abandoned")),
            ],
        )
        states = {i["sla_state"] for i in every.json()["items"] if i["case_id"] == case_id}
        assert states == {"abandoned"}

        # The case itself: answered from replay, but ended, with nothing to do.
        detail = (await stack.http.get(f"{CASES}/{case_id}")).json()
        assert detail["status"] == "terminated"
        assert detail["ended_abnormally"] == "terminated"
        assert detail["ended_at"] is not None
        assert detail["available_actions"] == []
        assert all(d["state"] != "pending" for d in detail["deadlines"])
        assert {d["sla_state"] for d in detail["deadlines"]} <= {"abandoned", "met", "breached"}

        # The statistics: not open.
        after = await open_cases(stack)
        assert after["open_cases"] == before["open_cases"] - 1
        assert after["open_arrears_cases"] == before["open_arrears_cases"] - 1
        assert after["cases_total"] == before["cases_total"]

        # Again: nothing changes.
        marked = read_model(engine, case_id)
        again = await reconcile(stack)
        assert case_id not in again.marked
        assert read_model(engine, case_id) == marked

        # A read-model write still in flight when the workflow was terminated (a newer
        # revision) does not reopen the case.
        view = await stack.client.get_workflow_handle(case_id).query(
            "view", result_type=WageArrearsView
        )
        late = wage_arrears_snapshot(view.state, datetime.now(UTC))
        late = late.model_copy(update={"revision": late.revision + 1})
        await asyncio.to_thread(ReadModelActivities(engine).sync_case, late)
        assert read_model(engine, case_id) == marked
    finally:
        engine.dispose()


async def describe_when_created(handle: ScheduleHandle) -> Any:
    for _ in range(300):
        try:
            return await handle.describe()
        except RPCError:
            await asyncio.sleep(0.2)
    raise AssertionError("the worker did not create the reconcile schedule")


async def test_the_worker_creates_the_reconcile_schedule_once(stack: Stack) -> None:
    task_queue = f"e2e-schedule-{uuid.uuid4()}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    environment |= {
        "TEMPORAL_ADDRESS": stack.settings.temporal_address,
        "TEMPORAL_NAMESPACE": stack.settings.temporal_namespace,
        "TASK_QUEUE": task_queue,
        "DATABASE_URL": stack.settings.database_url,
        "LOG_FORMAT": "json",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "worker.py",
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    handle = stack.client.get_schedule_handle(reconcile_schedule_id(task_queue))
    try:
        described = await describe_when_created(handle)
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "ReconcileWorkflow"
        assert action.task_queue == task_queue
        [interval] = described.schedule.spec.intervals
        assert interval.every == RECONCILE_EVERY

        # A second worker (or a restart) finds it there and leaves it as it is.
        assert await ensure_reconcile_schedule(stack.client, task_queue) is False
        again = await handle.describe()
        assert again.schedule.spec.intervals == described.schedule.spec.intervals
    finally:
        if worker.returncode is None:
            worker.send_signal(signal.SIGTERM)
        _, err = await worker.communicate()
        try:
            await handle.delete()
        except RPCError:
            pass
    assert worker.returncode == 0, err.decode()[-2000:]
