"""The writes that keep the read model and the outbox, as the case workflows' activities and
the rebuild make them. Every write is idempotent: a retried activity, or a workflow replayed
from the start, leaves the same rows as one clean run."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.notifications import Notification
from domain.regions import RegionSettings
from domain.snapshot import CaseSnapshot
from store.board import replace_case_deadlines
from store.case_ends import ended_abnormally
from store.cases import awaiting_column
from store.tables import CaseRecord, NotificationRecord, RegionSettingRecord
from store.upsert import insert_into

log = structlog.get_logger("store.read_model")


def region_settings(engine: Engine, county_code: str) -> RegionSettings:
    with Session(engine) as session:
        row = session.get(RegionSettingRecord, county_code)
        values = dict(row.values) if row is not None else {}
    return RegionSettings.model_validate({**values, "county_code": county_code})


def sync_case(engine: Engine, snapshot: CaseSnapshot) -> None:
    """Upserts the case row and replaces its deadline rows, unless a newer revision is there
    already (a late retry of an older snapshot changes nothing) or the case is marked as
    ended abnormally (a write still in flight when its workflow was terminated must not
    reopen it)."""
    cases = CaseRecord.__table__  # type: ignore[attr-defined]
    values = snapshot.model_dump(exclude={"deadlines"})
    values["sla_state"] = snapshot.sla_state.value if snapshot.sla_state else None
    values["awaiting"] = awaiting_column(snapshot.awaiting)
    values["updated_at"] = datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(
            select(cases.c.revision, cases.c.status)
            .where(cases.c.case_id == snapshot.case_id)
            .with_for_update()
        ).one_or_none()
        stored = row.revision if row is not None else None
        if stored is not None and stored > snapshot.revision:
            log.info("read model newer", revision=snapshot.revision, stored=stored)
            return
        if row is not None and ended_abnormally(row.status):
            log.info("read model marks the case ended", status=row.status)
            return
        if stored is None:
            conn.execute(cases.insert().values(**values))
        else:
            conn.execute(cases.update().where(cases.c.case_id == snapshot.case_id).values(**values))
        rows = [
            {
                **row.model_dump(),
                "case_id": snapshot.case_id,
                "kind": snapshot.kind,
                "county_code": snapshot.county_code,
                "priority": snapshot.priority,
            }
            for row in {d.name: d for d in snapshot.deadlines}.values()
        ]
        # The board's kept counts follow in the same transaction (store/board.py).
        replace_case_deadlines(conn, snapshot.case_id, rows)
    log.info("read model synced", revision=snapshot.revision, status=snapshot.status)


def write_notifications(engine: Engine, notifications: list[Notification]) -> int:
    """Adds each notification to the outbox unless its key is there already; the rows
    written."""
    if not notifications:
        return 0
    table = NotificationRecord.__table__  # type: ignore[attr-defined]
    rows = [
        {
            "key": n.key,
            "case_id": n.case_id,
            "kind": n.kind,
            "recipient_role": n.recipient_role.value if n.recipient_role else None,
            "recipient": n.recipient,
            "county_code": n.county_code,
            "params": n.params,
            "created_at": datetime.now(UTC),
        }
        for n in notifications
    ]
    stmt = (
        insert_into(engine, table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[table.c.key])
        # The rows written, counted from RETURNING: a multi-row INSERT's rowcount is -1 on
        # PostgreSQL's driver.
        .returning(table.c.key)
    )
    with engine.begin() as conn:
        written = len(conn.execute(stmt).all())
    log.info(
        "notifications written",
        kinds=[n.kind for n in notifications],
        new=written,
        already_there=len(notifications) - written,
    )
    return written
