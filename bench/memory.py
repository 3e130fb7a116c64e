"""Resident memory of the worker and the API with many open cases, per case.

Starts a Temporal dev server (temp db file) in this process, then the worker (`python
worker.py`) and the API (`python -m api`) as subprocesses pointed at it through TEMPORAL_ADDRESS,
DATABASE_URL, TASK_QUEUE and API_PORT, so each one's RSS is its own. Opens N wage-arrears
cases through the API (one worker each, left open: each keeps its WA-1, WA-12 and campaign
timers) and reads VmRSS of the worker, the API and the dev server at checkpoints.

Quick run:    .venv/bin/python -m bench.memory                    (N=500)
Issue size:   .venv/bin/python -m bench.memory --n 10000 --clients 50

Note the worker's workflow cache (temporalio's `max_cached_workflows`, 1000 by default): past
that many cases the worker evicts and replays, so its RSS stops growing with N.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench._common import (
    COUNTIES,
    BenchTokens,
    children_of,
    free_port,
    intake,
    print_machine,
    print_table,
    rss_bytes,
    start_dev_server,
)

ROOT = Path(__file__).resolve().parent.parent


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


async def open_cases(http: httpx.AsyncClient, first: int, n: int, clients: int) -> int:
    gate = asyncio.Semaphore(clients)
    ok = 0

    async def one(i: int) -> None:
        nonlocal ok
        async with gate:
            county = COUNTIES[i % len(COUNTIES)]
            r = await http.post("/api/v1/cases/wage-arrears", json=intake(i, county))
            if r.status_code == 201:
                ok += 1
            elif ok == 0:
                print(f"  open failed: {r.status_code} {r.text[:200]}")

    await asyncio.gather(*(one(i) for i in range(first, first + n)))
    return ok


async def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the API exited with {proc.returncode}")
            try:
                if (await http.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(url)


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def main(args: argparse.Namespace) -> None:
    print_machine()
    print(f"run: n={args.n} clients={args.clients} checkpoints={args.checkpoints}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-mem-"))
    env_server = await start_dev_server(tmp)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        server_pid = next((p for p in children_of(os.getpid()) if "temporal" in _cmd(p)), None)
        port = free_port()
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": env_server.client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": env_server.client.namespace,
            "TASK_QUEUE": f"bench-mem-{uuid.uuid4()}",
            "DATABASE_URL": f"sqlite:///{tmp / 'cases.db'}",
            "API_HOST": "127.0.0.1",
            "API_PORT": str(port),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
        }
        logs = (tmp / "worker.log").open("wb"), (tmp / "api.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=logs[0], stderr=logs[0]
        )
        procs.append(worker)
        api = subprocess.Popen(
            [sys.executable, "-m", "api"], cwd=ROOT, env=env, stdout=logs[1], stderr=logs[1]
        )
        procs.append(api)
        base = f"http://127.0.0.1:{port}"
        await wait_http(f"{base}/health", api)

        def sample() -> dict[str, int]:
            out = {"worker": rss_bytes(worker.pid), "api": rss_bytes(api.pid)}
            if server_pid is not None:
                out["dev server"] = rss_bytes(server_pid)
            return out

        rows: dict[str, str] = {}
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        auth = BenchTokens(env["DATABASE_URL"])
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits, auth=auth) as http:
            # Warm: imports, pools and the workflow sandbox happen once per process.
            await open_cases(http, 0, args.warmup, args.clients)
            await asyncio.sleep(2)
            before = sample()
            rows[f"after warm-up ({args.warmup} cases)"] = _fmt(before)
            opened = args.warmup
            step = max(1, args.n // args.checkpoints)
            t = time.perf_counter()
            while opened < args.warmup + args.n:
                batch = min(step, args.warmup + args.n - opened)
                await open_cases(http, opened, batch, args.clients)
                opened += batch
                await asyncio.sleep(1)
                now = sample()
                rows[f"{opened - args.warmup:>6} open cases"] = _fmt(now)
            elapsed = time.perf_counter() - t
        after = sample()
        for name, value in after.items():
            per = (value - before[name]) / max(args.n, 1)
            rows[f"per case: {name}"] = (
                f"{per / 1024:.1f} KiB ({mib(value - before[name])} / {args.n})"
            )
        rows["opening rate"] = f"{args.n / elapsed:.1f} cases/s"
        files = [tmp / "cases.db", tmp / "cases.db-wal"]
        read_model = sum(f.stat().st_size for f in files if f.exists())
        rows["read model file (+WAL)"] = mib(read_model)
        total = args.n + args.warmup
        rows["per case: read model on disk"] = f"{read_model / total / 1024:.1f} KiB"
        rows.update(await temporal_bytes(env_server, tmp, total, args.sample))
        print_table("memory (VmRSS) and bytes per case:", rows)
    finally:
        for proc in reversed(procs):
            stop_process(proc)
        await env_server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


async def temporal_bytes(env: Any, tmp: Path, cases: int, sample: int) -> dict[str, str]:
    """Per case in Temporal: the event history of a sample of the open cases (events and the
    serialised bytes of the history, payloads encrypted as in production), and the dev
    server's database file (histories, mutable state, timers and visibility) over all cases."""
    out: dict[str, str] = {}
    client = env.client
    events: list[int] = []
    sizes: list[int] = []
    async for execution in client.list_workflows("WorkflowType = 'WageArrearsWorkflow'"):
        history = await client.get_workflow_handle(execution.id).fetch_history()
        events.append(len(history.events))
        sizes.append(sum(event.ByteSize() for event in history.events))
        if len(events) >= sample:
            break
    if events:
        out["per open case: history events (sample)"] = (
            f"{statistics.fmean(events):.0f} (min {min(events)}, max {max(events)}, "
            f"n={len(events)})"
        )
        out["per open case: history bytes (sample)"] = f"{statistics.fmean(sizes) / 1024:.1f} KiB"
    files = [p for p in tmp.glob("temporal.db*") if p.is_file()]
    on_disk = sum(p.stat().st_size for p in files)
    out["dev server database (all of Temporal)"] = mib(on_disk)
    out["per case: dev server database"] = f"{on_disk / max(cases, 1) / 1024:.1f} KiB"
    return out


def _fmt(sample: dict[str, int]) -> str:
    return ", ".join(f"{k} {mib(v)}" for k, v in sample.items())


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500, help="open cases (issue size 10000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent API clients")
    parser.add_argument("--warmup", type=int, default=20, help="cases opened before the baseline")
    parser.add_argument("--checkpoints", type=int, default=5, help="RSS samples along the way")
    parser.add_argument("--sample", type=int, default=50, help="histories read for their size")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
