"""Read latency of the SLA board and the case list on a large read model.

Generates N cases (default 100 000) with about five deadline rows each straight into a SQLite
read model (SQLAlchemy Core bulk inserts into `cases` and `deadlines`), spread over Taiyuan's
ten counties, the case kinds and statuses, and due times from three weeks past to six weeks
ahead. Starts a Temporal dev server (the API's lifespan connects to one; these reads never use
it) and the API in this process, then sends R requests per endpoint with C concurrent clients:

    GET /api/v1/sla
    GET /api/v1/sla?county_code=140105
    GET /api/v1/cases?county_code=140105&status=open

and prints p50/p99. It also prints, for each SQL statement those endpoints run, the plan
(EXPLAIN QUERY PLAN) and its time when run alone. `--with-index` then adds the indexes
proposed in BENCHMARKS.md to the same (temporary) database and measures everything again.

Quick run:       .venv/bin/python -m bench.reads --cases 20000 --requests 200
Issue's size:    .venv/bin/python -m bench.reads --cases 100000 --clients 50 --with-index

`--profile` wraps one request per endpoint in pyinstrument (if installed in the venv).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench._common import (
    COUNTIES,
    BenchTokens,
    local_stack,
    print_machine,
    print_table,
    summary,
)
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

# The indexes BENCHMARKS.md proposes; not in store/tables.py.
PROPOSED_INDEXES = (
    # The SLA board's counts and its default listing read only these columns: a covering
    # index turns the full table scans into index scans, and (state, paused, due_at) ranges
    # find the pending-and-due rows without reading the rest.
    "CREATE INDEX IF NOT EXISTS bench_ix_deadlines_board "
    "ON deadlines (state, paused, due_at, warn_at, county_code)",
    "CREATE INDEX IF NOT EXISTS bench_ix_deadlines_county_board "
    "ON deadlines (county_code, state, paused, due_at, warn_at)",
    # The board's order: walking it, the page query stops after `limit` listed rows instead
    # of sorting every row (the listed states are mostly past due, so they come first).
    "CREATE INDEX IF NOT EXISTS bench_ix_deadlines_order "
    "ON deadlines (priority DESC, due_at, case_id, name)",
    # The case list filtered by county and status, in the list's order.
    "CREATE INDEX IF NOT EXISTS bench_ix_cases_county_status "
    "ON cases (county_code, status, priority, next_due_at, opened_at)",
)

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
    total_deadlines = 0
    prefix = {"wage_arrears": "WA", "dispute": "MA", "insurance_transfer": "SI"}

    def flush() -> None:
        with engine.begin() as conn:
            if case_rows:
                conn.execute(cases_t.insert(), case_rows)
            if deadline_rows:
                conn.execute(deadlines_t.insert(), deadline_rows)
        case_rows.clear()
        deadline_rows.clear()

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
        deadline_rows.extend(deadlines)
        total_deadlines += len(deadlines)
        if len(case_rows) >= 5000:
            flush()
    flush()
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
        for label, county in (("sla (default)", None), ("sla county", "140105")):
            seen.clear()
            with engine.connect() as conn:
                list_sla_deadlines(conn, SlaFilter(now=now, county_code=county), 50, 0)
            out[label] = list(seen)
        seen.clear()
        with Session(engine) as session:
            list_cases(session, CaseFilter(county_code="140105", status="open"), 50, 0)
        out["cases county+open"] = list(seen)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return out


def explain(engine: Engine, repeat: int = 5) -> None:
    """Each statement's plan and its best time alone, on one connection."""
    for label, statements in captured_sql(engine).items():
        print(f"  {label}:")
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for sql, params in statements:
                plan = cur.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                best = float("inf")
                for _ in range(repeat):
                    t = time.perf_counter()
                    cur.execute(sql, params).fetchall()
                    best = min(best, time.perf_counter() - t)
                head = " ".join(sql.split())[:110]
                print(f"    {best * 1000:7.1f} ms  {head}...")
                for row in plan:
                    print(f"               plan: {row[-1]}")
        finally:
            raw.close()


# The counts of the board rewritten (a proposal, not in store/sla.py): the settled states are
# a GROUP BY on `state`, and only the pending rows need the clock, one pass over them.
REWRITTEN_COUNTS = (
    "SELECT state, count(*) FROM deadlines WHERE state != 'pending' {county} GROUP BY state",
    "SELECT sum(paused = 0 AND due_at <= :now), "
    "sum(paused = 0 AND due_at > :now AND warn_at IS NOT NULL AND warn_at <= :now), "
    "count(*) FROM deadlines WHERE state = 'pending' {county}",
)


def rewritten_counts(engine: Engine, repeat: int = 5) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    for label, county in (("sla (default)", ""), ("sla county", "AND county_code = '140105'")):
        total = 0.0
        for sql in REWRITTEN_COUNTS:
            stmt = text(sql.format(county=county))
            best = float("inf")
            with engine.connect() as conn:
                for _ in range(repeat):
                    t = time.perf_counter()
                    conn.execute(stmt, {"now": now}).all()
                    best = min(best, time.perf_counter() - t)
            total += best
        print(f"  {label}: rewritten by_state counts {total * 1000:.1f} ms (both statements)")


async def hammer(
    base_url: str, path: str, requests: int, clients: int, auth: httpx.Auth
) -> tuple[list[float], float, int]:
    gate = asyncio.Semaphore(clients)
    latencies: list[float] = []
    errors: list[int] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits, auth=auth) as http:
        await http.get(path)  # warm

        async def one() -> None:
            async with gate:
                t = time.perf_counter()
                r = await http.get(path)
                if r.status_code != 200:
                    # The API's SQL pool (5 + 10 connections, 30 s wait) gives up under load.
                    errors.append(r.status_code)
                    return
                latencies.append(time.perf_counter() - t)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        if errors:
            print(f"  {path}: {len(errors)} of {requests} answered {sorted(set(errors))}")
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


async def main(args: argparse.Namespace) -> None:
    print_machine()
    print(f"run: cases={args.cases} requests={args.requests} clients={args.clients}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-reads-"))
    db = tmp / "cases.db"
    try:
        engine = make_engine(f"sqlite:///{db}")
        create_schema(engine)
        t = time.perf_counter()
        n_cases, n_deadlines = generate(engine, args.cases)
        gen_s = time.perf_counter() - t
        print(f"  generated {n_cases} cases and {n_deadlines} deadlines in {gen_s:.1f} s")
        rows: dict[str, str] = {
            "read model": f"{n_cases} cases, {n_deadlines} deadlines, "
            f"{db.stat().st_size / 2**20:.0f} MiB SQLite"
        }
        with engine.connect() as conn:
            by_state = conn.execute(
                text("SELECT state, count(*) FROM deadlines GROUP BY state")
            ).all()
        rows["deadline states"] = ", ".join(f"{s}={c}" for s, c in by_state)
        print("SQL alone (schema as in store/tables.py):")
        explain(engine)
        async with local_stack(worker=False, db=db) as stack:
            assert stack.settings is not None
            DATABASE_URL[stack.base_url] = stack.settings.database_url
            rows.update(await measure(stack.base_url, args.requests, args.clients, "base"))
            if args.profile:
                await profile_requests(stack.base_url)
            if args.with_index:
                with engine.begin() as conn:
                    for ddl in PROPOSED_INDEXES:
                        conn.execute(text(ddl))
                    conn.execute(text("ANALYZE"))
                print("SQL alone (with the proposed indexes):")
                explain(engine)
                rewritten_counts(engine)
                rows.update(await measure(stack.base_url, args.requests, args.clients, "+index"))
        rows["target"] = "p99 < 50 ms"
        print_table(
            f"reads ({args.clients} concurrent clients, {args.requests} requests each):", rows
        )
        engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20000, help="cases (issue size 100000)")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--with-index", action="store_true", help="then add proposed indexes")
    parser.add_argument("--profile", action="store_true", help="pyinstrument one request each")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
