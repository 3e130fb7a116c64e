"""The read model rebuilt from Temporal alone equals the one the workflows wrote, against a real
dev server and worker; a second rebuild changes nothing; case numbers carry on."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from domain.common import Role
from ops.rebuild import rebuild_read_model
from store.db import make_engine
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"
# updated_at is when a row was written and sla_state is computed at that moment: both may
# differ; everything else a list or the SLA board shows must be equal.
CASE_COLUMNS = (
    "case_id, kind, status, severity, county_code, employer_name, workers_count, amount_owed, "
    "amount_paid, next_due_at, next_due_name, provisional, breached_count, priority, "
    "opened_at, settled_at, closed_at, revision"
)


def rows(engine: Engine, sql: str, case_ids: list[str]) -> list[tuple[Any, ...]]:
    marks = ", ".join(f":c{i}" for i in range(len(case_ids)))
    params = {f"c{i}": c for i, c in enumerate(case_ids)}
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql.format(ids=marks)), params).all()]


def read_model(engine: Engine, case_ids: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "cases": rows(
            engine,
            f"SELECT {CASE_COLUMNS} FROM cases WHERE case_id IN ({{ids}}) ORDER BY 1",
            case_ids,
        ),
        "deadlines": rows(
            engine,
            "SELECT case_id, name, rule, due_at, warn_at, state, provisional, paused "
            "FROM deadlines WHERE case_id IN ({ids}) ORDER BY 1, 2",
            case_ids,
        ),
        "notifications": rows(
            engine,
            "SELECT key, case_id, kind, recipient_role, county_code, params "
            "FROM notifications WHERE case_id IN ({ids}) ORDER BY 1",
            case_ids,
        ),
    }


async def open_cases(stack: Stack) -> list[str]:
    opened = []
    for body in (f.intake(workers=1, amount="800.00"), f.intake(workers=2)):
        response = await stack.http.post(f"{CASES}/wage-arrears", json=body)
        assert response.status_code == 201, response.text
        opened.append(response.json()["case_id"])
    settled, _ = opened
    pay = {
        "actor": f.actor(Role.mediator),
        "reason": "paid at the bureau",
        "worker_no": 1,
        "amount": "800.00",
        "paid_on": "2026-11-20",
    }
    confirm = {"actor": f.actor(Role.mediator), "reason": "receipt", "payment_id": "P1"}
    close = {"actor": f.actor(Role.inspector), "reason": "paid", "outcome": "settled"}
    for action, body in (("record_payment", pay), ("confirm_payment", confirm), ("close", close)):
        response = await stack.http.post(f"{CASES}/{settled}/actions/{action}", json=body)
        assert response.status_code == 200, response.text
    return opened


async def test_rebuild_recreates_rows_from_temporal_alone(stack: Stack, database_url: str) -> None:
    case_ids = await open_cases(stack)
    live = make_engine(stack.settings.database_url)
    # Empty, on the same kind of database as the stack's.
    fresh = make_engine(database_url)
    try:
        expected = read_model(live, case_ids)
        assert expected["notifications"], "the closed case wrote notifications"

        report = await rebuild_read_model(stack.client, fresh, stack.settings.task_queue)

        assert set(case_ids) <= set(report.cases) and not report.failed
        assert read_model(fresh, case_ids) == expected
        # The next case number after the highest Temporal knows, never a running case's id.
        with fresh.begin() as conn:
            last = conn.execute(text("SELECT max(last) FROM case_counters")).scalar_one()
        assert last >= max(int(c.rsplit("-", 1)[1]) for c in case_ids)

        again = await rebuild_read_model(stack.client, fresh, stack.settings.task_queue)
        assert again.notifications == 0
        assert read_model(fresh, case_ids) == expected
    finally:
        live.dispose()
        fresh.dispose()
