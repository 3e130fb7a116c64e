"""Rebuilds the read model from Temporal alone: `python3 manage.py rebuild-read-model`.

Temporal holds every case; the SQL read model is a projection of it. This lists the case
workflows of the task queue (Temporal visibility, by workflow type), queries each one's view
and writes its row through the very code the workflows' flusher runs (`sync_case`, with the
snapshot each case kind builds from its state), so a rebuilt row is the row the case would
have written. Notifications come back from the event history: every batch a workflow sent to
`write_notifications` is in it, and the outbox's unique keys keep each one once.

A case whose workflow ended abnormally (terminated, failed, timed out) is written as its
last state and then marked ended (store/case_ends.py), as the reconcile schedule would.

Safe to run against a live system and to repeat: a row is only replaced by a snapshot of the
same or a newer revision, and a case's own flusher wins over an older rebuilt one. Case
numbers are restored too, or the next case opened would reuse a running case's id, and the
official notices' document numbers, from the notices among the cases' files. What is
not in Temporal cannot come back: the `Idempotency-Key` records of past create requests.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from core import history
from domain import kinds
from domain.case_ends import AbnormalEnd
from domain.project_watch.kind import PROJECT_WATCH
from domain.project_watch.view import project_rows
from store import read_model
from store.access import add_case_counties
from store.case_ends import mark_case_ended
from store.case_numbers import restore_case_numbers
from store.notices import restore_issued
from store.projects import sync_project
from workflows.catalog import KIND_OF_WORKFLOW_TYPE

log = structlog.get_logger("ops.rebuild")


CONCURRENCY = 8
RPC_TIMEOUT = timedelta(seconds=30)


@dataclass
class RebuildReport:
    cases: list[str] = field(default_factory=list)
    notifications: int = 0
    # Still opening (no state yet): their own flusher writes them once they have one.
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def visibility_query(task_queue: str) -> str:
    types = ", ".join(f"'{name}'" for name in sorted(KIND_OF_WORKFLOW_TYPE))
    return f"WorkflowType IN ({types}) AND TaskQueue = '{task_queue}'"


async def _rebuild_case(
    client: Client, case_id: str, workflow_type: str, engine: Engine
) -> int | None:
    """Writes one case's rows; the notifications newly written, or None if still opening."""
    kind = kinds.named(KIND_OF_WORKFLOW_TYPE[workflow_type])
    handle = client.get_workflow_handle(case_id)
    try:
        # A worker answers queries: without one running this fails after the timeout.
        view = await handle.query("view", result_type=kind.view, rpc_timeout=RPC_TIMEOUT)
    except WorkflowQueryFailedError:
        return None
    state = view.state
    await asyncio.to_thread(read_model.sync_case, engine, kind.snapshot(state, datetime.now(UTC)))
    if kind is PROJECT_WATCH:
        # A project's own rows: its months still open and its roster (the closed months of
        # earlier runs are in those runs' histories, not in the state it carries).
        await asyncio.to_thread(sync_project, engine, project_rows(state))
    # A terminated or failed case answers its query from replay as if open: its row says
    # how it ended (activities/reconcile.py does the same for cases ending from now on).
    described = await handle.describe(rpc_timeout=RPC_TIMEOUT)
    end = AbnormalEnd.of(described.status.name if described.status else None)
    if end is not None:
        await asyncio.to_thread(mark_case_ended, engine, case_id, end)
    further = kind.counties(state.intake)[1:]
    if further:
        # Other counties that see the case (a transfer's old agency, store/access.py).
        await asyncio.to_thread(add_case_counties, engine, case_id, further)
    refs = [
        (f.notice.kind, f.notice.occasion, f.notice.county_code, f.notice.year, f.notice.seq)
        for f in state.files
        if f.notice is not None
    ]
    if refs:
        # The official notices' numbers: issued once, never reused (store/notices.py).
        await asyncio.to_thread(restore_issued, engine, case_id, refs)
    runs = await history.fetch_runs(client, case_id, RPC_TIMEOUT)
    notes = await history.notifications(runs, client.data_converter)
    return await asyncio.to_thread(read_model.write_notifications, engine, notes)


async def rebuild_read_model(client: Client, engine: Engine, task_queue: str) -> RebuildReport:
    """Writes the rows of every case workflow on `task_queue`, running or ended."""
    report = RebuildReport()
    listed: dict[str, str] = {}
    async for execution in client.list_workflows(visibility_query(task_queue)):
        # A case id is never reused (REJECT_DUPLICATE), so one run per id.
        listed.setdefault(execution.id, execution.workflow_type)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(case_id: str, workflow_type: str) -> None:
        async with gate:
            try:
                written = await _rebuild_case(client, case_id, workflow_type, engine)
            except (RPCError, TimeoutError, OSError, ValueError, history.EarlierRunMissing) as err:
                log.warning("rebuild failed", case_id=case_id, error_type=type(err).__name__)
                report.failed[case_id] = f"{type(err).__name__}: {err}"
                return
        if written is None:
            report.skipped.append(case_id)
        else:
            report.cases.append(case_id)
            report.notifications += written

    await asyncio.gather(*(one(case_id, wf_type) for case_id, wf_type in listed.items()))
    await asyncio.to_thread(restore_case_numbers, engine, list(listed))
    report.cases.sort()
    report.skipped.sort()
    log.info(
        "read model rebuilt",
        cases=len(report.cases),
        notifications=report.notifications,
        skipped=len(report.skipped),
        failed=len(report.failed),
    )
    return report


async def main() -> int:
    from core.logging import configure_logging
    from core.settings import get_settings
    from core.temporal import connect
    from devstack.keys import export_embedded_key
    from devstack.stack import is_loopback, split_address
    from store.db import create_schema, make_engine

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    if is_loopback(split_address(settings.temporal_address)[0]):
        # The embedded stack's history is encrypted with its own key under var/, as `up` uses.
        settings = export_embedded_key(settings)
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine)
        client = await connect(settings)
        report = await rebuild_read_model(client, engine, settings.task_queue)
    finally:
        engine.dispose()
    print(
        f"rebuilt {len(report.cases)} cases and {report.notifications} new notifications "
        f"from Temporal (task queue {settings.task_queue})"
    )
    for case_id in report.skipped:
        print(f"  {case_id}: still opening, it writes its own rows")
    for case_id, error in sorted(report.failed.items()):
        print(f"  {case_id}: failed: {error}", file=sys.stderr)
    if report.failed:
        print(
            "failed cases are left as they were; is a worker running on this task queue? "
            "Running the command again retries them.",
            file=sys.stderr,
        )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
