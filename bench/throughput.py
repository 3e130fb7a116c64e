"""Cases per second: open and settle N wage-arrears cases through the HTTP API, then the same
workflow driven by the Temporal SDK client alone, against the same dev server in the same run.

Each case: open (1 worker, 3000.00 owed), record_payment, confirm_payment; the case is then
settled and nothing else is done with it. C clients run at once (a semaphore bounds them).

Quick run (defaults, N=200, C=20):

    .venv/bin/python -m bench.throughput

Then, on the same server in the same run, bare Temporal's minimal case (bench/bare.py: start,
an activity, an update, an activity) N times: the issue's baseline (API >= 0.8 x bare).

Full size (N=2000, C=50):

    .venv/bin/python -m bench.throughput --n 2000 --clients 50

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.worker import Worker

from bench._common import (
    COUNTIES,
    BenchTokens,
    CpuMeter,
    confirm_payment,
    intake,
    local_stack,
    print_machine,
    print_table,
    record_payment,
    summary,
)
from bench.bare import BareCaseWorkflow, bare_step
from domain.common import RequestStamp
from domain.wage_arrears.models import ConfirmPayment, RecordPayment, WageArrearsIntake
from domain.wage_arrears.view import WageArrearsActionResult
from workflows.wage_arrears import WageArrearsWorkflow

RPC_TIMEOUT = timedelta(seconds=60)


async def _run(
    n: int, clients: int, one: Callable[[int], Awaitable[None]]
) -> tuple[float, list[float], int]:
    """Runs `one(i)` for i < n with at most `clients` at once: wall seconds, latencies, errors."""
    gate = asyncio.Semaphore(clients)
    latencies: list[float] = []
    errors = 0

    async def guarded(i: int) -> None:
        nonlocal errors
        async with gate:
            started = time.perf_counter()
            try:
                await one(i)
            except Exception as err:  # noqa: BLE001 - counted and reported, never fatal
                errors += 1
                if errors <= 3:
                    print(f"  case {i} failed: {type(err).__name__}: {err}")
                return
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(guarded(i) for i in range(n)))
    return time.perf_counter() - started, latencies, errors


def api_case(http: httpx.AsyncClient, run: str) -> Callable[[int], Awaitable[None]]:
    async def one(i: int) -> None:
        county = COUNTIES[i % len(COUNTIES)]
        opened = await http.post(
            "/api/v1/cases/wage-arrears",
            json=intake(i, county),
            headers={"Idempotency-Key": f"{run}-{i}"},
        )
        opened.raise_for_status()
        case_id = opened.json()["case_id"]
        for action, body in (
            ("record_payment", record_payment(county)),
            ("confirm_payment", confirm_payment(county)),
        ):
            answer = await http.post(f"/api/v1/cases/{case_id}/actions/{action}", json=body)
            answer.raise_for_status()
        if answer.json()["status"] != "settled":
            raise RuntimeError(f"{case_id} is {answer.json()['status']}, not settled")

    return one


def stamp(case_id: str) -> RequestStamp:
    """What the API stamps an action with (the workflows accept no action without one): the
    case and a key of this request."""
    return RequestStamp(case_id=case_id, key=uuid.uuid4().hex)


def sdk_case(client: Client, task_queue: str, first: int) -> Callable[[int], Awaitable[None]]:
    async def one(i: int) -> None:
        county = COUNTIES[i % len(COUNTIES)]
        # A case id of its own range: the API numbers its cases from 1 in the current year.
        case_id = f"WA-2099-{first + i:06d}"
        handle = await client.start_workflow(
            WageArrearsWorkflow.run,
            WageArrearsIntake.model_validate(intake(i, county)),
            id=case_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        await handle.execute_update(WageArrearsWorkflow.wait_opened, rpc_timeout=RPC_TIMEOUT)
        await handle.execute_update(
            WageArrearsWorkflow.record_payment,
            RecordPayment.model_validate({**record_payment(county), "request": stamp(case_id)}),
            rpc_timeout=RPC_TIMEOUT,
        )
        result: WageArrearsActionResult = await handle.execute_update(
            WageArrearsWorkflow.confirm_payment,
            ConfirmPayment.model_validate({**confirm_payment(county), "request": stamp(case_id)}),
            rpc_timeout=RPC_TIMEOUT,
        )
        if result.status.value != "settled":
            raise RuntimeError(f"{case_id} is {result.status}, not settled")

    return one


def bare_case(client: Client, task_queue: str) -> Callable[[int], Awaitable[None]]:
    async def one(i: int) -> None:
        handle = await client.start_workflow(
            BareCaseWorkflow.run, f"bare-{i}", id=f"bare-{task_queue}-{i}", task_queue=task_queue
        )
        if await handle.execute_update(BareCaseWorkflow.settle, rpc_timeout=RPC_TIMEOUT) != (
            "settled"
        ):
            raise RuntimeError(f"bare case {i} did not settle")

    return one


async def history_size(client: Client, workflow_type: str, sample: int = 10) -> str:
    """Events and serialised bytes of the history of a few workflows of a type (all settled
    by the time this runs)."""
    events: list[int] = []
    sizes: list[int] = []
    # A settled case's workflow stays open (it can still be reopened or closed); the bare
    # case's completes.
    query = f"WorkflowType = '{workflow_type}'"
    async for execution in client.list_workflows(query):
        history = await client.get_workflow_handle(execution.id).fetch_history()
        events.append(len(history.events))
        sizes.append(sum(event.ByteSize() for event in history.events))
        if len(events) >= sample:
            break
    if not events:
        return "none found"
    return (
        f"{sum(events) / len(events):.0f} events, {sum(sizes) / len(sizes) / 1024:.1f} KiB "
        f"(mean of {len(events)})"
    )


def figures(label: str, n: int, wall: float, latencies: list[float], errors: int) -> dict[str, Any]:
    done = len(latencies)
    return {
        f"{label} cases settled": f"{done}/{n} ({errors} errors)",
        f"{label} wall time": f"{wall:.1f} s",
        f"{label} cases/second": f"{done / wall:.1f}",
        f"{label} latency per case": summary(latencies),
    }


async def main(args: argparse.Namespace) -> None:
    print_machine()
    print(f"run: n={args.n} clients={args.clients} warmup={args.warmup} order={args.order}")
    async with local_stack() as stack:
        assert stack.env is not None and stack.settings is not None
        client = stack.env.client
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        auth = BenchTokens(stack.settings.database_url)
        async with httpx.AsyncClient(
            base_url=stack.base_url, timeout=120, limits=limits, auth=auth
        ) as http:
            # Warm both paths (imports, connection pools, the workflow sandbox's module cache).
            await _run(args.warmup, min(args.clients, args.warmup), api_case(http, "warm"))
            await _run(
                args.warmup,
                min(args.clients, args.warmup),
                sdk_case(client, stack.settings.task_queue, 900000),
            )
            # Bare Temporal's minimal case, on a task queue and worker of its own in this
            # process (same server, same run): the baseline.
            bare_queue = f"{stack.settings.task_queue}-bare"
            bare_worker = Worker(
                client, task_queue=bare_queue, workflows=[BareCaseWorkflow], activities=[bare_step]
            )
            stack.extra_workers.append((bare_worker, asyncio.create_task(bare_worker.run())))
            await _run(args.warmup, min(args.clients, args.warmup), bare_case(client, bare_queue))
            results: dict[str, Any] = {}
            rates: dict[str, float] = {}
            order = ["api", "sdk"] if args.order == "api-first" else ["sdk", "api"]
            if not args.no_bare:
                order.append("bare")
            for path in order:
                if path == "api":
                    one = api_case(http, "run")
                elif path == "bare":
                    one = bare_case(client, bare_queue)
                else:
                    one = sdk_case(client, stack.settings.task_queue, 0)
                meter = CpuMeter(stack.server_pid())
                meter.start()
                wall, latencies, errors = await _run(args.n, args.clients, one)
                cpu = meter.stop()
                label = {"api": "API (HTTP)", "sdk": "SDK", "bare": "bare Temporal"}[path]
                results.update(figures(label, args.n, wall, latencies, errors))
                for name, used in cpu.items():
                    results[f"{label} cpu: {name}"] = used
                rates[path] = len(latencies) / wall
                # Let the flusher activities of the last cases drain before the next path.
                await asyncio.sleep(2)
        results["ratio API / SDK"] = f"{rates['api'] / rates['sdk']:.2f}"
        if "bare" in rates:
            results["ratio API / bare Temporal"] = (
                f"{rates['api'] / rates['bare']:.2f} (target >= 0.80)"
            )
            results["ratio SDK / bare Temporal"] = f"{rates['sdk'] / rates['bare']:.2f}"
        for kind in ("WageArrearsWorkflow", "BareCaseWorkflow"):
            results[f"history of a settled {kind}"] = await history_size(client, kind)
        print_table("throughput:", results)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="cases per path (full size 2000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (full 50)")
    parser.add_argument("--warmup", type=int, default=20, help="cases per path before timing")
    parser.add_argument(
        "--order",
        choices=["api-first", "sdk-first"],
        default="api-first",
        help="which path runs first (the second runs on a server with N more histories)",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip bare Temporal's case")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
