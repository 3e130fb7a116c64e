"""Read latency of the SLA board and the case list on a large read model.

Generates N cases (default 100 000) with about five deadline rows each straight into a fresh
read model (SQLAlchemy Core bulk inserts into `cases` and `deadlines`): a temporary SQLite
file, or with `--database-url` a database of its own on that PostgreSQL server (created, then
dropped). They are spread over Taiyuan's
ten counties, the case kinds and statuses, and due times from three weeks past to six weeks
ahead. Starts a Temporal dev server (the API's lifespan connects to one; these reads never use
it) and the API in this process, then sends R requests per endpoint with C concurrent clients:

    GET /api/v1/sla
    GET /api/v1/sla?county_code=140105
    GET /api/v1/cases?county_code=140105&status=open

and prints p50/p99. It also prints, for each SQL statement those endpoints run, the plan
(EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL) and its time when run alone. The schema
is the migrations' (store/tables.py), board indexes included.

Quick run:       .venv/bin/python -m bench.reads --cases 20000 --requests 200
Issue's size:    .venv/bin/python -m bench.reads --cases 100000 --clients 50
On PostgreSQL:   ... --database-url postgresql+psycopg://USER@127.0.0.1:5432/postgres

`--profile` wraps one request per endpoint in pyinstrument (if installed in the venv).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment

from bench._common import (
    COUNTIES,
    BenchTokens,
    Stack,
    bench_settings,
    children_of,
    cpu_seconds,
    free_port,
    print_machine,
    print_table,
    start_api,
    start_dev_server,
    stop,
    summary,
)
from bench.memory import ROOT, stop_process, wait_http
from store.access import CaseCountyRecord
from store.board import recount
from store.cases import CaseFilter, list_cases
from store.db import create_schema, make_engine
from store.sla import SlaFilter, list_sla_deadlines
from store.tables import CaseRecord, DeadlineRecord

# The read model behind each API under test, for its users' tokens.
DATABASE_URL: dict[str, str] = {}

ENDPOINTS = {
    "sla (default)": "/api/v1/sla",
    "sla county": "/api/v1/sla?county_code=140105",
    "cases county+open": "/api/v1/cases?county_code=140105&status=open",
}

# Case kinds and statuses, roughly as a bureau's book would hold them a year in.
KINDS = (("wage_arrears", 0.7), ("dispute", 0.2), ("insurance_transfer", 0.1))
STATUSES = (
    ("open", 0.30),
    ("triage_pending", 0.03),
    ("escalated", 0.07),
    ("settled", 0.25),
    ("closed", 0.35),
)
# Busier urban districts, quieter rural counties.
COUNTY_WEIGHTS = (0.16, 0.14, 0.12, 0.11, 0.13, 0.08, 0.07, 0.06, 0.05, 0.08)
DEADLINE_NAMES = (
    ("settle", "WA-1"),
    ("complaint_acceptance", "WA-12"),
    ("campaign_spring_festival", "WA-4"),
    ("order_to_pay", "WA-6"),
    ("investigation", "WA-12"),
    ("deposit_payout", "WA-7"),
)


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def generate(engine: Engine, n: int, seed: int = 7) -> tuple[int, int]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    cases_t = CaseRecord.__table__  # type: ignore[attr-defined]
    deadlines_t = DeadlineRecord.__table__  # type: ignore[attr-defined]
    case_rows: list[dict[str, Any]] = []
    deadline_rows: list[dict[str, Any]] = []
    # A transfer is seen by its old agency too (store/access.py): one further county each.
    county_rows: list[dict[str, Any]] = []
    counties_t = CaseCountyRecord.__table__  # type: ignore[attr-defined]
    total_deadlines = 0
    prefix = {"wage_arrears": "WA", "dispute": "MA", "insurance_transfer": "SI"}

    def flush() -> None:
        with engine.begin() as conn:
            if case_rows:
                conn.execute(cases_t.insert(), case_rows)
            if deadline_rows:
                conn.execute(deadlines_t.insert(), deadline_rows)
            if county_rows:
                conn.execute(counties_t.insert(), county_rows)
        case_rows.clear()
        deadline_rows.clear()
        county_rows.clear()

    for i in range(n):
        kind = _pick(rng, KINDS)
        county = rng.choices(COUNTIES, COUNTY_WEIGHTS)[0]
        status = _pick(rng, STATUSES)
        active = status in ("open", "triage_pending", "escalated")
        opened = now - timedelta(days=rng.uniform(0, 365) if not active else rng.uniform(0, 40))
        priority = rng.random() < 0.03
        deadlines = []
        for name, rule in rng.sample(DEADLINE_NAMES, rng.choice((4, 5, 5, 5, 6))):
            if active:
                due = now + timedelta(days=rng.uniform(-21, 42))
                state = rng.choices(["pending", "met", "breached", "cancelled"], [6, 2, 1, 1])[0]
                if state == "pending" and due < now and rng.random() < 0.7:
                    state = "breached"
            else:
                due = opened + timedelta(days=rng.uniform(1, 60))
                state = rng.choices(["met", "cancelled", "breached"], [7, 2, 1])[0]
            deadlines.append(
                {
                    "case_id": "",
                    "name": name,
                    "kind": kind,
                    "county_code": county,
                    "rule": rule,
                    "basis": rng.choice(["calendar_days", "working_days", "fixed"]),
                    "due_at": due,
                    "warn_at": due - timedelta(days=1),
                    "state": state,
                    "provisional": rng.random() < 0.05,
                    "paused": state == "pending" and rng.random() < 0.02,
                    "computed": True,
                    "calendar_version": "cn-2026-official",
                    "priority": priority,
                }
            )
        case_id = f"{prefix[kind]}-{2025 + (i % 2)}-{i:06d}"
        pending = sorted(
            (d for d in deadlines if d["state"] == "pending"), key=lambda d: d["due_at"]
        )
        nearest = pending[0] if pending else None
        owed = Decimal(rng.randrange(1, 400)) * 1000
        case_rows.append(
            {
                "case_id": case_id,
                "kind": kind,
                "status": status,
                "severity": "major" if rng.random() < 0.1 else "general",
                "county_code": county,
                "employer_name": f"太原某建筑劳务有限公司{i % 997}",
                "workers_count": rng.randrange(1, 40),
                "amount_owed": owed,
                "amount_paid": owed if status in ("settled", "closed") else Decimal(0),
                "next_due_at": nearest["due_at"] if nearest else None,
                "next_due_name": nearest["name"] if nearest else None,
                "next_warn_at": nearest["warn_at"] if nearest else None,
                "sla_state": "on_track" if nearest else None,
                "provisional": False,
                "breached_count": sum(d["state"] == "breached" for d in deadlines),
                "priority": priority,
                "opened_at": opened,
                "settled_at": opened + timedelta(days=2) if status == "settled" else None,
                "closed_at": opened + timedelta(days=30) if status == "closed" else None,
                "revision": rng.randrange(1, 12),
                "updated_at": now,
            }
        )
        for d in deadlines:
            d["case_id"] = case_id
        if kind == "insurance_transfer":
            old = rng.choice([c for c in COUNTIES if c != county])
            county_rows.append({"case_id": case_id, "county_code": county})
            county_rows.append({"case_id": case_id, "county_code": old})
        deadline_rows.extend(deadlines)
        total_deadlines += len(deadlines)
        if len(case_rows) >= 5000:
            flush()
    flush()
    # Rows bulk-loaded behind the read model's writes: the board's kept counts from them.
    with engine.begin() as conn:
        recount(conn)
    if engine.dialect.name == "postgresql":
        # As autovacuum would have by now: the statistics, and the visibility map without
        # which PostgreSQL reads the table even where an index covers the query.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return n, total_deadlines


def captured_sql(engine: Engine) -> dict[str, list[tuple[str, Any]]]:
    """The statements each endpoint's store function runs, with their parameters."""
    out: dict[str, list[tuple[str, Any]]] = {}
    seen: list[tuple[str, Any]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        now = datetime.now(UTC)
        # As the API runs them for the benchmark's reader, a supervisor of every county.
        everywhere = frozenset(COUNTIES)
        for label, county in (("sla (default)", None), ("sla county", "140105")):
            seen.clear()
            with engine.connect() as conn:
                list_sla_deadlines(
                    conn, SlaFilter(now=now, county_code=county, county_codes=everywhere), 50, 0
                )
            out[label] = list(seen)
        seen.clear()
        with Session(engine) as session:
            list_cases(
                session,
                CaseFilter(county_code="140105", status="open", county_codes=everywhere),
                50,
                0,
            )
        out["cases county+open"] = list(seen)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return out


def explain(engine: Engine, repeat: int = 5) -> None:
    """Each statement's plan and its best time alone, on one connection."""
    sqlite = engine.dialect.name == "sqlite"
    for label, statements in captured_sql(engine).items():
        print(f"  {label}:")
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for sql, params in statements:
                cur.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + sql, params)
                plan = [row[-1] if sqlite else row[0] for row in cur.fetchall()]
                best = float("inf")
                for _ in range(repeat):
                    t = time.perf_counter()
                    cur.execute(sql, params)
                    cur.fetchall()
                    best = min(best, time.perf_counter() - t)
                head = " ".join(sql.split())[:110]
                print(f"    {best * 1000:7.1f} ms  {head}...")
                for line in plan:
                    print(f"               plan: {line}")
        finally:
            raw.close()


def kept_versus_counted(engine: Engine, repeat: int = 9) -> dict[str, str]:
    """The board's store call as the API makes it, with its summary from the kept counts
    (store/board.py) and, on the same data in the same run, with every row counted (what the
    summary cost before: `due_before` far ahead makes the board count the rows themselves)."""
    everywhere = frozenset(COUNTIES)
    far = datetime(2200, 1, 1, tzinfo=UTC)
    rows: dict[str, str] = {}
    for label, county in (("sla (default)", None), ("sla county", "140105")):
        for how, due_before in (("kept counts", None), ("rows counted", far)):
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                with engine.connect() as conn:
                    list_sla_deadlines(
                        conn,
                        SlaFilter(
                            now=datetime.now(UTC),
                            county_code=county,
                            county_codes=everywhere,
                            due_before=due_before,
                        ),
                        50,
                        0,
                    )
                times.append(time.perf_counter() - t)
            times.sort()
            rows[f"store call, {label}, summary from {how}"] = (
                f"best {times[0] * 1000:.1f} ms, median {times[len(times) // 2] * 1000:.1f} ms"
            )
    return rows


async def hammer(
    base_url: str, path: str, requests: int, clients: int, auth: httpx.Auth
) -> tuple[list[float], float, int]:
    gate = asyncio.Semaphore(clients)
    latencies: list[float] = []
    errors: list[int | str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits, auth=auth) as http:
        await http.get(path)  # warm

        async def one() -> None:
            async with gate:
                t = time.perf_counter()
                try:
                    r = await http.get(path)
                except httpx.HTTPError as exc:
                    # A connection the overloaded server dropped: counted, not fatal.
                    errors.append(type(exc).__name__)
                    return
                if r.status_code != 200:
                    # 503 database_busy: the API's SQL pool stayed exhausted for DB_POOL_TIMEOUT.
                    errors.append(r.status_code)
                    return
                latencies.append(time.perf_counter() - t)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        if errors:
            print(f"  {path}: {len(errors)} of {requests} answered {sorted(set(map(str, errors)))}")
        return latencies, time.perf_counter() - started, len(errors)


async def measure(base_url: str, requests: int, clients: int, label: str) -> dict[str, str]:
    """One client first (the service time of a request), then `clients` at once, as a
    supervisor of every county."""
    rows = {}
    auth = BenchTokens(DATABASE_URL[base_url])
    for name, path in ENDPOINTS.items():
        latencies, wall, _ = await hammer(base_url, path, min(requests, 30), 1, auth)
        rows[f"{label} {name}, 1 client"] = (
            f"{summary(latencies)} ({len(latencies) / wall:.0f} req/s)"
        )
        latencies, wall, errors = await hammer(base_url, path, requests, clients, auth)
        rows[f"{label} {name}, {clients} clients"] = (
            f"{summary(latencies)} ({len(latencies) / wall:.1f} req/s, {errors} errors)"
        )
    return rows


async def profile_requests(base_url: str) -> None:
    auth = BenchTokens(DATABASE_URL[base_url])
    try:
        from pyinstrument import Profiler  # type: ignore[import-not-found]
    except ImportError:
        print("  pyinstrument is not installed; `.venv/bin/pip install pyinstrument`")
        return
    async with httpx.AsyncClient(base_url=base_url, timeout=120, auth=auth) as http:
        for name, path in ENDPOINTS.items():
            profiler = Profiler(async_mode="disabled")
            profiler.start()
            for _ in range(5):
                await http.get(path)
            profiler.stop()
            print(f"--- pyinstrument, 5 x {name} (this process: client, API and SQL) ---")
            print(profiler.output_text(unicode=False, color=False, show_all=False))


@contextmanager
def read_model(server: str | None, keep: Path | None = None) -> Iterator[tuple[str, str]]:
    """A fresh read model, its URL and a label: a temporary SQLite file (or the file `keep`,
    kept afterwards), or a database of its own on the PostgreSQL server `server` (an admin
    URL), dropped afterwards."""
    if server is None and keep is not None:
        yield f"sqlite:///{keep}", f"SQLite {sqlite3.sqlite_version}"
        return
    if server is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-reads-"))
        try:
            yield f"sqlite:///{tmp / 'cases.db'}", f"SQLite {sqlite3.sqlite_version}"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"bench_reads_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        yield url, f"PostgreSQL {version}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def size_of(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        assert engine.url.database is not None
        return f"{Path(engine.url.database).stat().st_size / 2**20:.0f} MiB"
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    return f"{int(size) / 2**20:.0f} MiB"


@asynccontextmanager
async def api_on(database_url: str) -> AsyncIterator[Stack]:
    """A dev server (the API's lifespan connects to one; these reads never use it) and the
    API on `database_url`, in this process."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    stack = Stack(tmp=tmp)
    try:
        stack.env = await start_dev_server(tmp)
        stack.settings = bench_settings(stack.env, tmp).model_copy(
            update={"database_url": database_url}
        )
        await start_api(stack)
        yield stack
    finally:
        await stop(stack)
        shutil.rmtree(tmp, ignore_errors=True)


@asynccontextmanager
async def api_processes(
    database_url: str, env: WorkflowEnvironment, tmp: Path, processes: int, stock: bool
) -> AsyncIterator[tuple[str, list[int]]]:
    """The API as its own process(es) on `database_url`: `python -m api` with `API_WORKERS`
    (api/serve.py, TCP_NODELAY kept), or with `stock` uvicorn's own `--workers` command line
    (the listener without TCP_NODELAY). Yields the base URL and the API's process ids."""
    port = free_port()
    environ = {
        **os.environ,
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": env.client.namespace,
        "TASK_QUEUE": f"bench-reads-{uuid.uuid4()}",
        "DATABASE_URL": database_url,
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
        "API_WORKERS": str(processes),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
    }
    if stock:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(processes),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    else:
        command = [sys.executable, "-m", "api"]
    log = (tmp / f"api-{processes}-{port}.log").open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{base}/health", proc)
        # Every process up: the supervisor's children (one process alone has none).
        await asyncio.sleep(2 if processes > 1 else 0)
        yield base, [proc.pid, *children_of(proc.pid)]
    finally:
        stop_process(proc)
        log.close()


async def measure_processes(
    url: str, counts: list[int], stock: bool, requests: int, clients: int
) -> dict[str, str]:
    """The three endpoints against 1, 2, ... API processes (the clients in this process, the
    API in others): one client (service time, and keep-alive latency), then `clients`."""
    rows: dict[str, str] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-reads-api-"))
    env = await start_dev_server(tmp)
    try:
        auth = BenchTokens(url)
        variants = [(n, False) for n in counts] + ([(max(counts), True)] if stock else [])
        rates: dict[tuple[str, int, bool], float] = {}
        for processes, is_stock in variants:
            label = f"{processes} process{'es' if processes > 1 else ''}"
            label += " (uvicorn --workers as shipped)" if is_stock else ""
            async with api_processes(url, env, tmp, processes, is_stock) as (base, pids):
                before = sum(cpu_seconds(p) for p in pids)
                for name, path in ENDPOINTS.items():
                    latencies, wall, _ = await hammer(base, path, min(requests, 50), 1, auth)
                    rows[f"{label}: {name}, 1 client"] = (
                        f"{summary(latencies)} ({len(latencies) / wall:.0f} req/s)"
                    )
                    latencies, wall, errors = await hammer(base, path, requests, clients, auth)
                    rate = len(latencies) / wall
                    rates[(name, processes, is_stock)] = rate
                    rows[f"{label}: {name}, {clients} clients"] = (
                        f"{summary(latencies)} ({rate:.1f} req/s, {errors} errors)"
                    )
                used = sum(cpu_seconds(p) for p in [*pids, *children_of(pids[0])]) - before
                rows[f"{label}: API CPU over the run"] = f"{used:.1f} cpu-s"
        if len(counts) > 1:
            one, most = min(counts), max(counts)
            for name in ENDPOINTS:
                ratio = rates[(name, most, False)] / rates[(name, one, False)]
                rows[f"{name}: {most} processes / {one}"] = f"{ratio:.2f}x"
    finally:
        await env.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


async def main(args: argparse.Namespace) -> None:
    print_machine()
    print(f"run: cases={args.cases} requests={args.requests} clients={args.clients}")
    keep = Path(args.keep_sqlite) if args.keep_sqlite else None
    with read_model(args.database_url, keep) as (url, database):
        print(f"read model: {database}")
        engine = make_engine(url)
        if keep is not None and keep.exists():
            with engine.connect() as conn:
                n_cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
                n_deadlines = conn.execute(text("SELECT count(*) FROM deadlines")).scalar_one()
            print(f"  reusing {keep}: {n_cases} cases and {n_deadlines} deadlines")
        else:
            create_schema(engine)
            t = time.perf_counter()
            n_cases, n_deadlines = generate(engine, args.cases)
            gen_s = time.perf_counter() - t
            print(f"  generated {n_cases} cases and {n_deadlines} deadlines in {gen_s:.1f} s")
        rows: dict[str, str] = {
            "read model": f"{n_cases} cases, {n_deadlines} deadlines, {size_of(engine)} {database}"
        }
        with engine.connect() as conn:
            by_state = conn.execute(
                text("SELECT state, count(*) FROM deadlines GROUP BY state ORDER BY state")
            ).all()
        rows["deadline states"] = ", ".join(f"{s}={c}" for s, c in by_state)
        if not args.skip_explain:
            print("SQL alone (the migrated schema, board indexes included):")
            explain(engine)
        rows.update(kept_versus_counted(engine))
        if args.api_processes:
            counts = [int(n) for n in args.api_processes.split(",")]
            rows.update(
                await measure_processes(url, counts, args.stock, args.requests, args.clients)
            )
        else:
            async with api_on(url) as stack:
                DATABASE_URL[stack.base_url] = url
                rows.update(await measure(stack.base_url, args.requests, args.clients, database))
                if args.profile:
                    await profile_requests(stack.base_url)
        rows["target"] = "p99 <= 20 ms with one client; 2 processes >= 1.8x one"
        print_table(
            f"reads ({args.clients} concurrent clients, {args.requests} requests each):", rows
        )
        engine.dispose()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20000, help="cases (issue size 100000)")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (admin URL) to run on instead of SQLite; "
        "the script creates a database of its own there and drops it",
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument one request each")
    parser.add_argument(
        "--api-processes",
        default="",
        help="e.g. 1,2: run the API as its own process(es), API_WORKERS each, and compare",
    )
    parser.add_argument(
        "--stock",
        action="store_true",
        help="with --api-processes, also uvicorn's own --workers (without the TCP_NODELAY fix)",
    )
    parser.add_argument("--skip-explain", action="store_true", help="no plans and SQL timings")
    parser.add_argument(
        "--keep-sqlite",
        help="a SQLite file to generate into and keep, or to reuse if it exists (then --cases "
        "is what it holds)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
