"""Marking a case whose workflow ended abnormally: its status says so, its pending clocks are
abandoned (the ones met or breached stay as they were), it has no next due time; again, nothing
changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from domain.case_ends import AbnormalEnd
from store.case_ends import mark_case_ended
from store.tables import CaseRecord, DeadlineRecord

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def deadline(name: str, state: str) -> dict[str, Any]:
    return {
        "case_id": "WA-2026-000001",
        "name": name,
        "kind": "wage_arrears",
        "county_code": "140105",
        "rule": "WA-1",
        "basis": "calendar_days",
        "due_at": NOW + timedelta(days=2),
        "state": state,
    }


def open_case(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            CaseRecord.__table__.insert(),  # type: ignore[attr-defined]
            {
                "case_id": "WA-2026-000001",
                "kind": "wage_arrears",
                "status": "escalated",
                "county_code": "140105",
                "opened_at": NOW,
                "next_due_at": NOW + timedelta(days=2),
                "next_due_name": "settle",
                "next_warn_at": NOW + timedelta(days=1),
                "sla_state": "on_track",
                "breached_count": 1,
                "revision": 4,
                "updated_at": NOW,
            },
        )
        conn.execute(
            DeadlineRecord.__table__.insert(),  # type: ignore[attr-defined]
            [deadline("settle", "pending"), deadline("order", "breached"), deadline("a", "met")],
        )


def stored(engine: Engine) -> tuple[Any, dict[str, str]]:
    with engine.connect() as conn:
        case = conn.execute(
            text(
                "SELECT status, next_due_at, next_due_name, next_warn_at, sla_state, "
                "breached_count, revision FROM cases"
            )
        ).one()
        states = dict(conn.execute(text("SELECT name, state FROM deadlines")).all())
    return case, states


def test_a_terminated_case_is_marked_once(engine: Engine) -> None:
    open_case(engine)

    assert mark_case_ended(engine, "WA-2026-000001", AbnormalEnd.terminated) is True

    case, states = stored(engine)
    assert case.status == "terminated"
    assert (case.next_due_at, case.next_due_name, case.next_warn_at, case.sla_state) == (
        None,
        None,
        None,
        None,
    )
    # What happened stays recorded: the breach, the revision.
    assert (case.breached_count, case.revision) == (1, 4)
    assert states == {"settle": "abandoned", "order": "breached", "a": "met"}

    assert mark_case_ended(engine, "WA-2026-000001", AbnormalEnd.terminated) is False
    assert stored(engine) == (case, states)


def test_an_unknown_case_is_left_unknown(engine: Engine) -> None:
    assert mark_case_ended(engine, "WA-2026-000404", AbnormalEnd.failed) is False
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == 0


@pytest.mark.parametrize(
    ("name", "end"),
    [
        ("TERMINATED", AbnormalEnd.terminated),
        ("FAILED", AbnormalEnd.failed),
        ("TIMED_OUT", AbnormalEnd.timed_out),
        ("CANCELED", AbnormalEnd.canceled),
        ("RUNNING", None),
        ("COMPLETED", None),
        ("CONTINUED_AS_NEW", None),
        (None, None),
    ],
)
def test_only_an_abnormal_execution_status_is_an_end(
    name: str | None, end: AbnormalEnd | None
) -> None:
    assert AbnormalEnd.of(name) is end
