"""Timer punctuality: many major cases whose resolution deadlines (WA-2) fall in the same
minute; per case, the lag between the due time and the breach the workflow recorded.

Method: open N major wage-arrears cases through the API (a mass-incident risk makes each
major, so it waits for triage with no settle clock), then triage them all as a supervisor with
`resolution_deadline` = T0 + i/N x spread, T0 = now + lead. When every case has escalated
(read model: `cases.status = 'escalated'`), query each workflow's `view`: the lag is
`state.breaches[deadline="settle"].at` (workflow time of the task that handled the timer)
minus the settle deadline's `due_at`. The read model's lag (`cases.updated_at` of the
escalated row minus due) is reported beside it. Then, as a baseline, N bare Temporal timers
(bench/bare.py: sleep until the same spread of due times, return workflow.now()) on the same
server and worker process.

Quick run (defaults, N=200):

    .venv/bin/python -m bench.timers

Issue's size (target p99 < 2 s at N=1000), and the large run:

    .venv/bin/python -m bench.timers --n 1000
    .venv/bin/python -m bench.timers --n 10000 --clients 50 --lead 900 --spread 60

At 10000 the opening takes long, so `--lead` must exceed the triage time (the script reports
how many triages ended too close to their due time and leaves those cases out).

A campaign storm (WA-4's year end, the payroll watch): every deadline due in the same second,
N bare timers due in one second after them, in the same run:

    .venv/bin/python -m bench.timers --n 10000 --spread 1 --lead 1800

The script checks that each case fired and escalated exactly once (one `settle` breach in
the workflow's state, one `case_escalated` and one `deadline_breached` notification for it in
the outbox), and reports when the read model (what the SLA board reads) showed the last of
the storm's escalations, counted from the last due time.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import create_engine, text
from temporalio.worker import Worker

from bench._common import (
    COUNTIES,
    BenchTokens,
    CpuMeter,
    actor,
    intake,
    local_stack,
    print_machine,
    print_table,
    summary,
)
from bench.bare import BareTimerWorkflow
from domain.wage_arrears.view import WageArrearsView
from workflows.wage_arrears import WageArrearsWorkflow

# A triage that ends later than this before its due time does not measure the timer.
TRIAGE_MARGIN = timedelta(seconds=5)


async def bounded(clients: int, jobs: list) -> list:  # type: ignore[type-arg]
    gate = asyncio.Semaphore(clients)

    async def one(job):  # type: ignore[no-untyped-def]
        async with gate:
            try:
                return await job()
            except Exception as err:  # noqa: BLE001 - reported, never fatal
                return err

    return await asyncio.gather(*(one(j) for j in jobs))


def succeeded(results: list, what: str) -> list:  # type: ignore[type-arg]
    """The results that are not errors; how many failed, and the first, printed."""
    failed = [r for r in results if isinstance(r, Exception)]
    if failed:
        print(f"  {len(failed)} {what} failed, first: {failed[0]!r}")
    return [r for r in results if not isinstance(r, Exception)]


def dues(n: int, lead: float, spread: float) -> list[datetime]:
    first = datetime.now(UTC) + timedelta(seconds=lead)
    return [first + timedelta(seconds=spread * i / max(n, 1)) for i in range(n)]


async def open_cases(http: httpx.AsyncClient, n: int, clients: int) -> list[tuple[str, str]]:
    def job(i: int):  # type: ignore[no-untyped-def]
        county = COUNTIES[i % len(COUNTIES)]

        async def go() -> tuple[str, str]:
            r = await http.post("/api/v1/cases/wage-arrears", json=intake(i, county, major=True))
            r.raise_for_status()
            return r.json()["case_id"], county

        return go

    return succeeded(await bounded(clients, [job(i) for i in range(n)]), "opens")


async def triage(
    http: httpx.AsyncClient, cases: list[tuple[str, str]], due: list[datetime], clients: int
) -> dict[str, datetime]:
    """Triage as major with the given deadlines; the cases whose triage ended in time."""
    in_time: dict[str, datetime] = {}

    def job(case_id: str, county: str, due_at: datetime):  # type: ignore[no-untyped-def]
        async def go() -> None:
            body = {
                "actor": actor("supervisor", county),
                "reason": "major: mass-incident risk",
                "severity": "major",
                "resolution_deadline": due_at.isoformat(),
            }
            r = await http.post(f"/api/v1/cases/{case_id}/actions/triage", json=body)
            r.raise_for_status()
            if datetime.now(UTC) + TRIAGE_MARGIN <= due_at:
                in_time[case_id] = due_at

        return go

    jobs = [job(c, county, d) for (c, county), d in zip(cases, due, strict=True)]
    succeeded(await bounded(clients, jobs), "triages")
    return in_time


async def wait_escalated(db_url: str, expected: int, until: datetime) -> tuple[int, datetime]:
    """How many cases the read model shows escalated, and when it showed the last of them
    (polled every 0.25 s, so that is the resolution of the board's lag)."""
    engine = create_engine(db_url)
    try:
        while True:
            with engine.connect() as conn:
                count = conn.execute(
                    text("SELECT count(*) FROM cases WHERE status = 'escalated'")
                ).scalar_one()
            if count >= expected or datetime.now(UTC) > until:
                return int(count), datetime.now(UTC)
            await asyncio.sleep(0.25)
    finally:
        engine.dispose()


def outbox_counts(db_url: str) -> dict[tuple[str, str], int]:
    """(case, kind) -> notifications in the outbox, for the breach and the escalation."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT case_id, kind, count(*) FROM notifications "
                    "WHERE kind IN ('case_escalated', 'deadline_breached') "
                    "AND (kind = 'case_escalated' OR key LIKE '%settle%') "
                    "GROUP BY case_id, kind"
                )
            ).all()
    finally:
        engine.dispose()
    return {(str(c), str(k)): int(n) for c, k, n in rows}


def read_model_times(db_url: str) -> dict[str, datetime]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT case_id, updated_at FROM cases WHERE status = 'escalated'")
            ).all()
    finally:
        engine.dispose()
    out = {}
    for case_id, updated in rows:
        moment = datetime.fromisoformat(str(updated))
        out[case_id] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return out


async def breach_lags(stack, in_time: dict[str, datetime], clients: int):  # type: ignore[no-untyped-def]
    client = stack.env.client

    def job(case_id: str):  # type: ignore[no-untyped-def]
        async def go() -> tuple[str, float, int]:
            view: WageArrearsView = await client.get_workflow_handle(case_id).query(
                WageArrearsWorkflow.view
            )
            breaches = [b for b in view.state.breaches if b.deadline == "settle"]
            settle = next(
                d for d in view.state.deadlines if d.name == "settle" and d.rule == "WA-2"
            )
            return case_id, (breaches[0].at - settle.due_at).total_seconds(), len(breaches)

        return go

    results = succeeded(await bounded(clients, [job(c) for c in in_time]), "views")
    return {r[0]: (r[1], r[2]) for r in results}


async def bare_timers(stack, n: int, lead: float, spread: float, clients: int) -> list[float]:  # type: ignore[no-untyped-def]
    client = stack.env.client
    queue = f"{stack.settings.task_queue}-bare"
    worker = Worker(client, task_queue=queue, workflows=[BareTimerWorkflow])
    task = asyncio.create_task(worker.run())
    stack.extra_workers.append((worker, task))
    due = dues(n, lead, spread)

    def job(i: int):  # type: ignore[no-untyped-def]
        async def go():  # type: ignore[no-untyped-def]
            return await client.start_workflow(
                BareTimerWorkflow.run, due[i].isoformat(), id=f"bare-{queue}-{i}", task_queue=queue
            )

        return go

    handles = await bounded(clients, [job(i) for i in range(n)])
    started = [h for h in handles if not isinstance(h, Exception)]
    print(f"  bare: {len(started)} timers started, waiting for the last due time")

    def result(i: int):  # type: ignore[no-untyped-def]
        async def go() -> float:
            woke = datetime.fromisoformat(await started[i].result())
            return (woke - due[i]).total_seconds()

        return go

    lags = await bounded(clients, [result(i) for i in range(len(started))])
    return [x for x in lags if not isinstance(x, Exception)]


async def main(args: argparse.Namespace) -> None:
    print_machine()
    print(
        f"run: n={args.n} clients={args.clients} lead={args.lead}s spread={args.spread}s "
        f"bare={not args.no_bare}"
    )
    async with local_stack() as stack:
        assert stack.settings is not None
        db_url = stack.settings.database_url
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        auth = BenchTokens(db_url)
        async with httpx.AsyncClient(
            base_url=stack.base_url, timeout=120, limits=limits, auth=auth
        ) as http:
            t = time.perf_counter()
            cases = await open_cases(http, args.n, args.clients)
            opened_s = time.perf_counter() - t
            print(f"  opened {len(cases)} major cases in {opened_s:.1f} s")
            due = dues(len(cases), args.lead, args.spread)
            t = time.perf_counter()
            in_time = await triage(http, cases, due, args.clients)
            triage_s = time.perf_counter() - t
            print(f"  triaged {len(in_time)} in time in {triage_s:.1f} s; waiting for the timers")
        meter = CpuMeter(stack.server_pid())
        meter.start()
        last_due = max(due)
        escalated, all_seen = await wait_escalated(
            db_url, len(cases), last_due + timedelta(seconds=args.timeout)
        )
        cpu = meter.stop()
        fired = await breach_lags(stack, in_time, args.clients)
        lags = {case_id: lag for case_id, (lag, _) in fired.items()}
        rm_times = read_model_times(db_url)
        rm_lags = [(rm_times[c] - in_time[c]).total_seconds() for c in lags if c in rm_times]
        outbox = outbox_counts(db_url)
        once = sum(
            1
            for case_id, (_, breaches) in fired.items()
            if breaches == 1
            and outbox.get((case_id, "case_escalated")) == 1
            and outbox.get((case_id, "deadline_breached")) == 1
        )
        fires = {
            "cases opened (API)": f"{len(cases)} in {opened_s:.1f} s",
            "triaged in time (>5 s before due)": f"{len(in_time)} in {triage_s:.1f} s",
            "escalated (read model)": f"{escalated}/{len(cases)}",
            "due times": f"{len(due)} over {args.spread:.0f} s "
            f"({len(due) / max(args.spread, 1):.1f}/s)",
            "case breach lag (workflow time)": summary(list(lags.values()), "s", 1.0),
            "case read-model lag (updated_at)": summary(rm_lags, "s", 1.0),
            "fired and escalated exactly once": f"{once}/{len(in_time)} "
            "(one settle breach, one case_escalated, one deadline_breached)",
            "read model showed the last escalation": (
                f"{(all_seen - last_due).total_seconds():.1f} s after the last due time"
            ),
            "target": "p99 < 2 s at N=1000",
        }
        for name, used in cpu.items():
            fires[f"cpu while firing: {name}"] = used
        if not args.no_bare:
            bare = await bare_timers(stack, len(cases), args.bare_lead, args.spread, args.clients)
            fires["bare Temporal timer lag"] = summary(bare, "s", 1.0)
            fires["bare timers fired"] = f"{len(bare)}/{len(cases)}"
        print_table("timers (lag = recorded time - due time):", fires)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="major cases (issue size 1000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent API clients")
    parser.add_argument(
        "--lead", type=float, default=90, help="seconds from triage start to the first due time"
    )
    parser.add_argument("--spread", type=float, default=60, help="seconds the due times span")
    parser.add_argument("--timeout", type=float, default=300, help="seconds past the last due")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-timer baseline")
    parser.add_argument(
        "--bare-lead",
        type=float,
        default=90,
        help="seconds from starting the bare timers to their first due time",
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
