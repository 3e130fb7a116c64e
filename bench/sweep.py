"""CAL-2's calendar sweep as background work: how fast `CalendarSweepWorkflow` recomputes the
running cases after a year's schedule is loaded.

Opens N general wage-arrears cases through the API (C clients), then, as an admin, loads an
official schedule for a far year (`PUT /api/v1/admin/calendar/2099`): the calendar version
changes, so every running case's computed deadlines are stale and each case is asked to
recompute through its workflow's `recompute_deadlines` update (its deadlines stay where they
are, on the new version: what a schedule that moves nothing costs; one that moves deadlines
adds a timer change per case). The request answers 202 with the sweep's id; the script polls
`GET /api/v1/admin/calendar/sweeps/{id}` until it is done and prints the cases per second,
the request's own latency, and the CPU of this process (worker, API) and of the dev server.

Quick run:   .venv/bin/python -m bench.sweep --n 200
Larger:      .venv/bin/python -m bench.sweep --n 2000 --concurrency 16

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from bench._common import (
    COUNTIES,
    BenchTokens,
    CpuMeter,
    local_stack,
    print_machine,
    print_table,
)
from bench.memory import open_cases
from domain.common import Role
from store.db import make_engine
from store.users import create_user, issue_token


def admin_token(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        create_user(engine, "bench-admin", Role.admin, COUNTIES, replace=True)
        return issue_token(engine, "bench-admin").token
    finally:
        engine.dispose()


async def main(args: argparse.Namespace) -> None:
    print_machine()
    print(
        f"run: n={args.n} clients={args.clients} (sweep: the workflow's batch 200, concurrency 8)"
    )
    async with local_stack() as stack:
        assert stack.settings is not None
        base = stack.base_url
        auth = BenchTokens(stack.settings.database_url)
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits, auth=auth) as http:
            t = time.perf_counter()
            opened = await open_cases(http, 0, args.n, args.clients)
            open_s = time.perf_counter() - t
        print(f"  opened {opened}/{args.n} cases in {open_s:.1f} s")
        headers = {"Authorization": f"Bearer {admin_token(stack.settings.database_url)}"}
        meter = CpuMeter(stack.server_pid())
        meter.start()
        async with httpx.AsyncClient(base_url=base, timeout=120, headers=headers) as admin:
            t = time.perf_counter()
            response = await admin.put(
                "/api/v1/admin/calendar/2099",
                json={"holidays": ["2099-01-01"], "makeup_workdays": [], "source": "bench"},
            )
            request_s = time.perf_counter() - t
            assert response.status_code == 202, response.text
            started = response.json()["sweep"]
            while True:
                status = (await admin.get(started["status_url"])).json()
                if status["status"] != "running":
                    break
                await asyncio.sleep(1)
            sweep_s = time.perf_counter() - t
        used = meter.stop()
        progress = status["progress"] or {}
        checked = int(progress.get("cases_checked", 0))
        rows = {
            "cases open": f"{opened}",
            "PUT /admin/calendar/2099": f"{response.status_code} in {request_s * 1000:.0f} ms",
            "sweep": (
                f"{status['status']}: {checked} checked, {progress.get('changed')} changed, "
                f"{progress.get('unchanged')} unchanged, {progress.get('failed')} failed, "
                f"{progress.get('batches')} batches"
            ),
            "sweep wall time": f"{sweep_s:.1f} s",
            "cases per second": f"{checked / sweep_s:.1f}" if sweep_s else "-",
            **{f"CPU during the sweep, {name}": value for name, value in used.items()},
            "100 000 cases at this rate": (
                f"{100000 / (checked / sweep_s) / 60:.0f} min" if checked else "-"
            ),
        }
        print_table("calendar sweep (background workflow):", rows)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="running cases to sweep")
    parser.add_argument("--clients", type=int, default=50, help="clients opening cases")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
