"""The read-model activities are idempotent: retries and replays never double or regress a row."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.testing import ActivityEnvironment

from activities.read_model import ReadModelActivities
from core.logging import configure_logging
from domain.common import Role
from domain.notifications import Notification
from domain.snapshot import CaseSnapshot
from store.tables import CaseRecord, NotificationRecord, RegionSettingRecord

OPENED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def snapshot(revision: int, status: str) -> CaseSnapshot:
    return CaseSnapshot(
        case_id="WA-2026-000001",
        kind="wage_arrears",
        status=status,
        county_code="140105",
        workers_count=2,
        amount_owed=Decimal("6000.00"),
        opened_at=OPENED,
        revision=revision,
    )


def test_sync_case_upserts_and_never_goes_back_to_an_older_revision(engine: Engine) -> None:
    activities = ReadModelActivities(engine)
    env = ActivityEnvironment()
    env.run(activities.sync_case, snapshot(1, "open"))
    env.run(activities.sync_case, snapshot(3, "escalated"))
    env.run(activities.sync_case, snapshot(2, "open"))  # a late retry of an older write
    env.run(activities.sync_case, snapshot(3, "escalated"))  # the same write retried
    with Session(engine) as session:
        rows = session.exec(select(CaseRecord)).all()
    assert len(rows) == 1
    assert (rows[0].status, rows[0].revision) == ("escalated", 3)


def test_write_notifications_keeps_one_row_per_key(engine: Engine) -> None:
    activities = ReadModelActivities(engine)
    note = Notification(
        key="WA-2026-000001:case_escalated:settle",
        case_id="WA-2026-000001",
        kind="case_escalated",
        recipient_role=Role.inspector,
        county_code="140105",
        params={"rule": "WA-1"},
    )
    env = ActivityEnvironment()
    assert env.run(activities.write_notifications, [note]) == 1
    assert env.run(activities.write_notifications, [note]) == 0
    with Session(engine) as session:
        rows = session.exec(select(NotificationRecord)).all()
    assert [(r.kind, r.recipient_role, r.params) for r in rows] == [
        ("case_escalated", "inspector", {"rule": "WA-1"})
    ]


def test_region_settings_default_and_override(engine: Engine) -> None:
    activities = ReadModelActivities(engine)
    env = ActivityEnvironment()
    assert env.run(activities.load_region_settings, "140105").major_amount_threshold == Decimal(
        "100000"
    )
    with Session(engine) as session:
        session.add(
            RegionSettingRecord(county_code="140106", values={"major_amount_threshold": "80000"})
        )
        session.commit()
    region = env.run(activities.load_region_settings, "140106")
    assert region.major_amount_threshold == Decimal("80000")
    assert region.order_to_pay_days == 7


def test_activity_log_lines_carry_the_case_id(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json")
    env = ActivityEnvironment()
    env.info = env.info.__class__(**{**env.info.__dict__, "workflow_id": "WA-2026-000001"})
    env.run(ReadModelActivities(engine).sync_case, snapshot(1, "open"))
    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    synced = [line for line in lines if line["event"] == "read model synced"]
    assert synced and synced[0]["case_id"] == "WA-2026-000001"
