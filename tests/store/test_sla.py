"""The SLA board query on a real SQLite file: classification at the boundaries, filters, order,
pages and counts, all at a fixed `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from domain.deadlines import SlaState
from store.board import recount
from store.sla import SlaFilter, SlaPage, list_sla_deadlines
from store.tables import DeadlineRecord

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
CST = timezone(timedelta(hours=8))
COUNTY, OTHER_COUNTY = "140105", "140106"
ALL_STATES = frozenset(SlaState)


def row(case_id: str, name: str = "settle", **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "case_id": case_id,
        "name": name,
        "kind": "wage_arrears",
        "county_code": COUNTY,
        "rule": "WA-1",
        "basis": "calendar_days",
        "due_at": NOW + 48 * HOUR,
        "warn_at": NOW + 24 * HOUR,
        "state": "pending",
        "provisional": False,
        "paused": False,
    }
    values.update(overrides)
    return values


def insert(engine: Engine, *rows: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(DeadlineRecord.__table__.insert(), list(rows))  # type: ignore[attr-defined]
        # Rows written behind the read model's back: the board's kept counts follow them.
        recount(conn)


def board(engine: Engine, limit: int = 50, offset: int = 0, **flt: Any) -> SlaPage:
    flt.setdefault("now", NOW)
    with engine.connect() as conn:
        return list_sla_deadlines(conn, SlaFilter(**flt), limit, offset)


def states(page: SlaPage) -> dict[str, SlaState]:
    return {r.case_id: r.sla_state for r in page.rows}


# (case id, row overrides, expected state at NOW)
BOUNDARIES: list[tuple[str, dict[str, Any], SlaState]] = [
    ("due-now", {"due_at": NOW, "warn_at": NOW - HOUR}, SlaState.overdue),
    ("due-past", {"due_at": NOW - HOUR, "warn_at": None}, SlaState.overdue),
    ("due-in-1s", {"due_at": NOW + timedelta(seconds=1), "warn_at": None}, SlaState.on_track),
    ("warn-now", {"due_at": NOW + HOUR, "warn_at": NOW}, SlaState.due_soon),
    ("warn-past", {"due_at": NOW + HOUR, "warn_at": NOW - HOUR}, SlaState.due_soon),
    ("warn-in-1s", {"warn_at": NOW + timedelta(seconds=1)}, SlaState.on_track),
    ("paused-past-due", {"due_at": NOW - HOUR, "paused": True}, SlaState.on_track),
    ("breached", {"due_at": NOW - HOUR, "state": "breached"}, SlaState.breached),
    # A closed deadline keeps its stored state, whatever the clock says.
    ("met-past-due", {"due_at": NOW - HOUR, "state": "met"}, SlaState.met),
    ("cancelled-warned", {"warn_at": NOW - HOUR, "state": "cancelled"}, SlaState.cancelled),
    ("on-track", {}, SlaState.on_track),
]


def test_each_state_is_classified_at_its_boundaries(engine: Engine) -> None:
    insert(engine, *(row(case_id, **overrides) for case_id, overrides, _ in BOUNDARIES))
    page = board(engine, sla_states=ALL_STATES)
    assert states(page) == {case_id: expected for case_id, _, expected in BOUNDARIES}


def test_an_aware_now_in_another_zone_classifies_the_same(engine: Engine) -> None:
    insert(engine, *(row(case_id, **overrides) for case_id, overrides, _ in BOUNDARIES))
    in_beijing = board(engine, now=NOW.astimezone(CST), sla_states=ALL_STATES)
    assert states(in_beijing) == {case_id: expected for case_id, _, expected in BOUNDARIES}


def test_rows_come_back_as_aware_utc(engine: Engine) -> None:
    insert(engine, row("WA-1", due_at=datetime(2026, 11, 27, 0, 0, tzinfo=CST)))
    (got,) = board(engine, sla_states=ALL_STATES).rows
    assert got.due_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    assert got.due_at.utcoffset() == timedelta(0)
    assert got.warn_at == NOW + 24 * HOUR and got.warn_at.tzinfo is not None


def test_default_lists_due_soon_overdue_and_breached_only(engine: Engine) -> None:
    insert(engine, *(row(case_id, **overrides) for case_id, overrides, _ in BOUNDARIES))
    page = board(engine)
    assert set(states(page).values()) == {SlaState.due_soon, SlaState.overdue, SlaState.breached}
    assert sorted(states(page)) == sorted(
        ["due-now", "due-past", "warn-now", "warn-past", "breached"]
    )
    assert page.total == 5


def test_filters_by_county_kind_rule_due_before_and_provisional(engine: Engine) -> None:
    insert(
        engine,
        row("here", due_at=NOW - HOUR),
        row("there", due_at=NOW - HOUR, county_code=OTHER_COUNTY),
        row("dispute", due_at=NOW - HOUR, kind="dispute", rule="MA-1"),
        row("later", due_at=NOW + 30 * HOUR, warn_at=NOW - HOUR, provisional=True),
    )

    def ids(**flt: Any) -> list[str]:
        return sorted(r.case_id for r in board(engine, **flt).rows)

    assert ids() == ["dispute", "here", "later", "there"]
    assert ids(county_code=OTHER_COUNTY) == ["there"]
    assert ids(kind="dispute") == ["dispute"]
    assert ids(rule="WA-1") == ["here", "later", "there"]
    assert ids(provisional=True) == ["later"]
    assert ids(provisional=False) == ["dispute", "here", "there"]
    # Strictly before: a deadline due at the bound itself is left out.
    assert ids(due_before=NOW + 30 * HOUR) == ["dispute", "here", "there"]
    assert ids(due_before=NOW + 31 * HOUR) == ["dispute", "here", "later", "there"]
    assert ids(county_code=COUNTY, kind="wage_arrears") == ["here", "later"]


def test_sorted_by_due_time_then_case_id(engine: Engine) -> None:
    insert(
        engine,
        row("WA-2026-000003", due_at=NOW - 2 * HOUR),
        row("WA-2026-000002", due_at=NOW - 3 * HOUR),
        row("WA-2026-000001", due_at=NOW - 2 * HOUR),
        row("WA-2026-000001", name="order_to_pay", due_at=NOW - 5 * HOUR),
    )
    page = board(engine)
    assert [(r.case_id, r.name) for r in page.rows] == [
        ("WA-2026-000001", "order_to_pay"),
        ("WA-2026-000002", "settle"),
        ("WA-2026-000001", "settle"),
        ("WA-2026-000003", "settle"),
    ]


def test_pages_cover_the_list_once_and_total_counts_them_all(engine: Engine) -> None:
    insert(engine, *(row(f"WA-2026-{n:06d}", due_at=NOW - n * HOUR) for n in range(1, 8)))
    everything = [r.case_id for r in board(engine).rows]
    pages = [board(engine, limit=3, offset=offset) for offset in (0, 3, 6)]
    assert [len(p.rows) for p in pages] == [3, 3, 1]
    assert [r.case_id for p in pages for r in p.rows] == everything
    assert everything[0] == "WA-2026-000007"
    assert {p.total for p in pages} == {7}
    assert board(engine, limit=3, offset=7).rows == []


def test_summary_counts_states_without_the_state_filter_and_counties_with_it(
    engine: Engine,
) -> None:
    insert(
        engine,
        row("a", due_at=NOW - HOUR),  # overdue
        row("b", due_at=NOW - HOUR, county_code=OTHER_COUNTY),  # overdue
        row("c", warn_at=NOW - HOUR),  # due soon
        row("d"),  # on track
        row("e", state="met"),
        row("f", state="met", county_code=OTHER_COUNTY),
        row("g", state="breached", kind="dispute"),
    )
    page = board(engine, sla_states={SlaState.overdue}, kind="wage_arrears")
    assert page.summary.by_state == {
        SlaState.on_track: 1,
        SlaState.due_soon: 1,
        SlaState.overdue: 2,
        SlaState.met: 2,
        SlaState.breached: 0,  # the dispute's breach is filtered out by kind
        SlaState.cancelled: 0,
        SlaState.abandoned: 0,
    }
    assert page.summary.by_county == {COUNTY: 1, OTHER_COUNTY: 1}
    assert page.total == 2

    met_here = board(engine, sla_states={SlaState.met}, county_code=COUNTY)
    assert [r.case_id for r in met_here.rows] == ["e"]
    assert met_here.summary.by_county == {COUNTY: 1}
    assert sum(met_here.summary.by_state.values()) == 5  # a, c, d, e, g: every state in 140105


def test_an_empty_board_counts_zero(engine: Engine) -> None:
    page = board(engine)
    assert page.rows == [] and page.total == 0
    assert page.summary.by_state == dict.fromkeys(SlaState, 0)
    assert page.summary.by_county == {}


def test_a_naive_now_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="time zone"):
        board(engine, now=NOW.replace(tzinfo=None))
