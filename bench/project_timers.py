"""Payroll watch: the month-end timers of many projects due the same instant, side by side with
as many bare Temporal timers due at one instant, on the same dev server in the same run.

Method: N project watches (default 10 000) are started with the Temporal client directly,
not the API: each is started as a run carried over (the way the watch continues as new),
with one worker on its roster and one month whose funding cycle ends at T0, the same
instant for every project, nobody having funded it. At T0 each watch wakes to open its next
month and continue as new (that wake is not spread); its funding check (PW-2) wakes at
T0 + `rules.spread(project id)`, spread over the hour after, and warns. The lag of each wake
is read from the project's histories: the `TimerFired` event's time minus the instant the
timer was for (T0 for the month's opening, T0 + spread for the funding check). Then N bare
timers (bench/bare.py) due at one instant, on the same server and worker process.

The whole hour of the spread takes an hour to watch: `--window` waits that many seconds
past T0 and counts the funding checks due by then (the others are reported as not yet due).

    .venv/bin/python -m bench.project_timers --n 2000 --window 900
    .venv/bin/python -m bench.project_timers              # 10 000 projects, the whole hour

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from bench._common import (
    COUNTIES,
    CpuMeter,
    local_stack,
    percentile,
    print_machine,
    print_table,
    resident_id,
    summary,
)
from bench.bare import BareTimerWorkflow
from bench.timers import bounded, succeeded
from domain.carry import CaseCarry
from domain.common import CST
from domain.identity import luhn_ok
from domain.project_watch import rules, transitions
from domain.project_watch.models import ProjectIntake, ProjectState
from workflows.project_watch import ProjectWatchWorkflow

CONTRACTOR_CODE = "91110000600037341L"
SUBCONTRACTOR_CODE = "91350100M000100Y43"


def bank_card(serial: int) -> str:
    body = f"622202{serial:012d}"
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


def project_id(run: str, i: int) -> str:
    # The watch's own id form (PW-…), one series per run so runs never collide.
    return f"PW-{run}-{i:06d}"


def project_intake(i: int, county: str, month: str) -> ProjectIntake:
    signed = date.fromisoformat(f"{month}-01") - timedelta(days=40)
    return ProjectIntake.model_validate(
        {
            "name": f"某小区{i}期工程",
            "county_code": county,
            "builder": {"name": "某置业有限公司", "credit_code": "91350100M000100Y43"},
            "general_contractor": {"name": "某建工集团有限公司", "credit_code": CONTRACTOR_CODE},
            "subcontractors": [
                {"name": "太原某建筑劳务有限公司", "credit_code": SUBCONTRACTOR_CODE}
            ],
            "contract_signed_on": signed.isoformat(),
            "wage_account": {
                "bank": "某银行太原分行",
                "account_no": f"62000012{i:08d}",
                "opened_on": (signed + timedelta(days=10)).isoformat(),
            },
            "guarantee_deposit": "80000.00",
            # This month: the month it opens at T0 is the next, its instants weeks ahead.
            "first_month": month,
            "roster": [
                {
                    "name": f"工人{i}",
                    "id_number": resident_id(i, county),
                    "mobile": f"139{i % 10**8:08d}",
                    "bank_card": bank_card(i),
                    "subcontractor": SUBCONTRACTOR_CODE,
                    "start_on": signed.isoformat(),
                }
            ],
            "opened_by": {"id": "inspector-01", "role": "inspector", "county_code": county},
        }
    )


def carried(case_id: str, intake: ProjectIntake, t0: datetime) -> CaseCarry[ProjectState]:
    """A run carried over whose open month's funding cycle ends at `t0` (its pay date and
    grace end weeks later, past the run)."""
    state = transitions.opened(case_id, intake, 3, t0 - timedelta(days=30))
    month = state.months[0]
    month.funding_due = t0
    month.pay_due = t0 + timedelta(days=15)
    month.grace_due = month.pay_due + timedelta(days=3)
    return CaseCarry[ProjectState](state=state)


async def start_projects(
    client: Client, queue: str, run: str, n: int, t0: datetime, clients: int
) -> list[WorkflowHandle[Any, Any]]:
    month = rules.month_of(datetime.now(CST).date())

    def job(i: int):  # type: ignore[no-untyped-def]
        county = COUNTIES[i % len(COUNTIES)]

        async def go() -> WorkflowHandle[Any, Any]:
            case_id = project_id(run, i)
            intake = project_intake(i, county, month)
            return await client.start_workflow(
                ProjectWatchWorkflow.run,
                args=[intake, carried(case_id, intake, t0)],
                id=case_id,
                task_queue=queue,
            )

        return go

    return succeeded(await bounded(clients, [job(i) for i in range(n)]), "starts")


async def fired_at(
    client: Client, workflow_id: str, run_id: str | None
) -> tuple[list[datetime], datetime | None]:
    """When the run's timers fired (server time of each `TimerFired` event), and when its
    first workflow task started."""
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    fired = [
        e.event_time.ToDatetime(tzinfo=UTC)
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED
    ]
    began = next(
        (
            e.event_time.ToDatetime(tzinfo=UTC)
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
        ),
        None,
    )
    return fired, began


async def watch_lags(
    client: Client, handles: list[WorkflowHandle[Any, Any]], t0: datetime, clients: int
) -> tuple[list[float], list[float], list[datetime], int]:
    """The month-opening wakes' lags (first run, due at T0), the funding checks' lags (the
    run after, due at T0 + spread), the funding checks' times, and how many projects had not
    continued as new. A funding check due before its run began has no timer: it is made in
    the run's first workflow task, and its lag is that task's start past the due time."""

    def job(h: WorkflowHandle[Any, Any]):  # type: ignore[no-untyped-def]
        async def go() -> tuple[float | None, float | None, datetime | None, bool]:
            first, _ = await fired_at(client, h.id, h.first_execution_run_id)
            opening = (first[0] - t0).total_seconds() if first else None
            description = await client.get_workflow_handle(h.id).describe()
            if description.run_id == h.first_execution_run_id:
                return opening, None, None, False
            latest, began = await fired_at(client, h.id, description.run_id)
            due = t0 + rules.spread(h.id)
            checked = latest[0] if latest else began
            if checked is None or checked < due - timedelta(seconds=1):
                return opening, None, None, True
            return opening, (checked - due).total_seconds(), checked, True

        return go

    ok = succeeded(await bounded(clients, [job(h) for h in handles]), "histories")
    openings = [o for o, _, _, _ in ok if o is not None]
    checks = [c for _, c, _, _ in ok if c is not None]
    moments = [m for _, _, m, _ in ok if m is not None]
    return openings, checks, moments, sum(1 for *_, continued in ok if not continued)


def peak_rate(moments: list[datetime]) -> str:
    if not moments:
        return "—"
    per_second = Counter(int(m.timestamp()) for m in moments)
    busiest, count = per_second.most_common(1)[0]
    span = max(per_second) - min(per_second) + 1
    when = datetime.fromtimestamp(busiest, UTC).strftime("%H:%M:%S")
    return f"{count}/s at {when} UTC (mean {len(moments) / span:.1f}/s over {span} s)"


async def bare_timers(
    stack: Any, n: int, due: datetime, clients: int
) -> tuple[list[float], list[datetime]]:
    client = stack.env.client
    queue = f"{stack.settings.task_queue}-bare"
    worker = Worker(client, task_queue=queue, workflows=[BareTimerWorkflow])
    task = asyncio.create_task(worker.run())
    stack.extra_workers.append((worker, task))

    def job(i: int):  # type: ignore[no-untyped-def]
        async def go():  # type: ignore[no-untyped-def]
            return await client.start_workflow(
                BareTimerWorkflow.run, due.isoformat(), id=f"bare-{queue}-{i}", task_queue=queue
            )

        return go

    t = time.perf_counter()
    handles = await bounded(clients, [job(i) for i in range(n)])
    started = [h for h in handles if not isinstance(h, Exception)]
    print(f"  bare: {len(started)} timers started in {time.perf_counter() - t:.1f} s")

    def result(h: WorkflowHandle[Any, Any]):  # type: ignore[no-untyped-def]
        async def go() -> datetime:
            # The server's time of the timer firing, as for the watch.
            fired, _ = await fired_at(client, h.id, None)
            return fired[0]

        return go

    while datetime.now(UTC) < due:
        await asyncio.sleep(0.5)
    # Each result is a long poll: as many at once as there are clients, not one per timer.
    await bounded(clients, [h.result for h in started])
    moments = [
        m for m in await bounded(clients, [result(h) for h in started]) if isinstance(m, datetime)
    ]
    return [(m - due).total_seconds() for m in moments], moments


async def main(args: argparse.Namespace) -> None:
    print_machine()
    print(f"run: n={args.n} clients={args.clients} lead={args.lead}s window={args.window}s")
    run = datetime.now(UTC).strftime("%H%M")
    async with local_stack(api=False) as stack:
        assert stack.env is not None and stack.settings is not None
        client = stack.env.client
        # T0 after the starts: measured first, so the lead covers them.
        t0 = datetime.now(UTC) + timedelta(seconds=args.lead)
        t = time.perf_counter()
        handles = await start_projects(
            client, stack.settings.task_queue, run, args.n, t0, args.clients
        )
        started_s = time.perf_counter() - t
        print(f"  started {len(handles)} project watches in {started_s:.1f} s")
        if datetime.now(UTC) > t0:
            print("  the starts outlasted the lead: raise --lead")
        meter = CpuMeter(stack.server_pid())
        meter.start()
        until = t0 + timedelta(seconds=args.window)
        while datetime.now(UTC) < until:
            await asyncio.sleep(1)
        cpu = meter.stop()
        openings, checks, moments, not_continued = await watch_lags(
            client, handles, t0, args.clients
        )
        due_by_then = sum(1 for h in handles if rules.spread(h.id).total_seconds() < args.window)
        figures: dict[str, Any] = {
            "project watches started (client)": (
                f"{len(handles)} in {started_s:.1f} s ({len(handles) / started_s:.0f}/s)"
            ),
            "T0 (every funding cycle's end)": t0.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S CST"),
            "month opened at T0 (not spread): lag": summary(openings, "s", 1.0),
            "month opened at peak": peak_rate([t0 + timedelta(seconds=o) for o in openings]),
            "month opened: projects not continued as new": str(not_continued),
            f"funding checks due within {args.window:.0f} s": str(due_by_then),
            "funding checks fired": str(len(checks)),
            "funding check lag past T0 + spread": summary(checks, "s", 1.0),
            "funding checks at peak": peak_rate(moments),
        }
        if checks:
            figures["funding check lag max"] = f"{max(checks):.2f} s"
        for name, used in cpu.items():
            figures[f"cpu over the window: {name}"] = used
        print_table("month-end timers of the watch (lag = timer fired - due):", figures)
        if not args.no_bare:
            figures = {}
            due = datetime.now(UTC) + timedelta(seconds=args.bare_lead)
            bare, bare_moments = await bare_timers(stack, len(handles), due, args.clients)
            figures["bare timers (one instant): lag"] = summary(bare, "s", 1.0)
            if bare:
                figures["bare timer lag max"] = f"{max(bare):.2f} s"
                figures["bare p99"] = f"{percentile(bare, 99):.2f} s"
            figures["bare timers at peak"] = peak_rate(bare_moments)
            print_table("bare Temporal timers (lag = timer fired - due):", figures)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="projects (default 10 000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent client calls")
    parser.add_argument(
        "--lead", type=float, default=None, help="seconds from the first start to T0"
    )
    parser.add_argument(
        "--window",
        type=float,
        default=rules.SPREAD.total_seconds() + 60,
        help="seconds past T0 the run waits for the funding checks (default: the hour + 60)",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-timer baseline")
    parser.add_argument(
        "--bare-lead", type=float, default=None, help="seconds from the bare starts to their due"
    )
    args = parser.parse_args()
    # Starts run at roughly 100-300/s on a small machine: leave room for them.
    args.lead = args.lead if args.lead is not None else 30 + args.n / 50
    args.bare_lead = args.bare_lead if args.bare_lead is not None else 30 + args.n / 50
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
