"""The board's kept counts (store/board.py) are exactly a recount of the deadline rows, after
any sequence of the read model's writes: a case's rows replaced (sync_case, retried or not),
its pending rows abandoned (mark_case_ended); and the board's summary read from them is the
summary counted from the rows, whatever the filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from domain.common import CST
from domain.deadlines import SlaState
from store import board
from store.access import CaseCountyRecord, add_case_counties
from store.board import BoardCountRecord
from store.sla import SlaFilter, list_sla_deadlines
from store.tables import DeadlineRecord

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
COUNTIES = ("140105", "140106", "140107")
CASES = tuple(f"WA-2026-{i:06d}" for i in range(1, 6))
NAMES = ("settle", "campaign_year_end", "investigation", "payment_check")
STATES = ("pending", "met", "breached", "cancelled")
# Far enough ahead to hold every row: a filter that makes the board count the rows themselves.
EVERYTHING = datetime(2200, 1, 1, tzinfo=UTC)


def _clear(engine: Engine) -> None:
    with engine.begin() as conn:
        tables: list[Any] = [DeadlineRecord, BoardCountRecord, CaseCountyRecord]
        for table in tables:
            conn.execute(delete(table.__table__))


deadline = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "rule": st.sampled_from(("WA-1", "WA-2", "WA-4")),
        "state": st.sampled_from(STATES),
        "provisional": st.booleans(),
        "paused": st.booleans(),
        "hours": st.integers(-72, 72),
    }
)
replace = st.tuples(
    st.just("replace"),
    st.sampled_from(CASES),
    st.sampled_from(COUNTIES),
    st.sampled_from(("wage_arrears", "dispute")),
    st.lists(deadline, max_size=4),
)
abandon = st.tuples(st.just("abandon"), st.sampled_from(CASES))
# A transfer's old agency sees it (store/access.py): before or after its first rows.
seen_from = st.tuples(st.just("seen"), st.sampled_from(CASES), st.sampled_from(COUNTIES))
operations = st.lists(st.one_of(replace, replace, abandon, seen_from), min_size=1, max_size=25)


def _rows(case_id: str, county: str, kind: str, drawn: list[dict[str, Any]]) -> list[Any]:
    # One row per name, as sync_case writes them (the last of a name wins).
    by_name = {d["name"]: d for d in drawn}
    return [
        {
            "case_id": case_id,
            "name": d["name"],
            "kind": kind,
            "county_code": county,
            "rule": d["rule"],
            "basis": "calendar_days",
            "due_at": NOW + timedelta(hours=d["hours"]),
            "warn_at": NOW + timedelta(hours=d["hours"] - 24),
            "state": d["state"],
            "provisional": d["provisional"],
            "paused": d["paused"],
            "computed": False,
            "calendar_version": "",
            "priority": False,
        }
        for d in by_name.values()
    ]


def _run(engine: Engine, ops: list[tuple[Any, ...]]) -> None:
    for op in ops:
        if op[0] == "seen":
            add_case_counties(engine, op[1], [op[2]])
            continue
        with engine.begin() as conn:
            if op[0] == "replace":
                _, case_id, county, kind, drawn = op
                rows = _rows(case_id, county, kind, drawn)
                board.replace_case_deadlines(conn, case_id, rows)
                if drawn and drawn[0]["hours"] % 2:
                    # A retried write: the same rows again change no count.
                    board.replace_case_deadlines(conn, case_id, rows)
            else:
                board.abandon_pending(conn, op[1])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
def test_the_kept_counts_are_a_recount_after_any_writes(
    engine: Engine, ops: list[tuple[Any, ...]]
) -> None:
    _clear(engine)
    _run(engine, ops)

    with engine.connect() as conn:
        assert board.counted(conn) == board.recounted(conn)


filters = st.fixed_dictionaries(
    {
        "county_code": st.none() | st.sampled_from(COUNTIES),
        "county_codes": st.none()
        | st.frozensets(st.sampled_from(COUNTIES), min_size=1, max_size=2),
        "kinds": st.none() | st.just(frozenset({"wage_arrears"})),
        "kind": st.none() | st.sampled_from(("wage_arrears", "dispute")),
        "rule": st.none() | st.sampled_from(("WA-1", "WA-4")),
        "provisional": st.none() | st.booleans(),
        "sla_states": st.frozensets(st.sampled_from(list(SlaState)), min_size=1),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=operations, flt=filters)
def test_the_board_from_kept_counts_is_the_board_counted_from_rows(
    engine: Engine, ops: list[tuple[Any, ...]], flt: dict[str, Any]
) -> None:
    _clear(engine)
    _run(engine, ops)

    with engine.connect() as conn:
        kept = list_sla_deadlines(conn, SlaFilter(now=NOW, **flt), 200, 0)
        counted = list_sla_deadlines(conn, SlaFilter(now=NOW, due_before=EVERYTHING, **flt), 200, 0)

    assert kept.summary == counted.summary
    assert kept.total == counted.total == len(kept.rows)
    assert kept.rows == counted.rows


# Each write, then maybe another of the same rows: again, with the instants in the other time
# zone, or with only the due times moved.
AGAIN = ("no", "same", "other_zone", "due_moved")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    writes=st.lists(
        st.tuples(st.lists(deadline, max_size=4), st.booleans(), st.sampled_from(AGAIN)),
        min_size=1,
    )
)
def test_a_cases_rows_are_the_rows_last_written(
    engine: Engine, writes: list[tuple[list[dict[str, Any]], bool, str]]
) -> None:
    """Rows written over earlier ones (some unchanged, some moved, some gone, some new, the
    instants in either time zone) are stored as a first write of them would store them."""
    _clear(engine)
    case_id, first_write = CASES[0], CASES[1]

    def write(drawn: list[dict[str, Any]], in_cst: bool, moved: bool) -> list[dict[str, Any]]:
        rows = _rows(case_id, COUNTIES[0], "wage_arrears", drawn)
        zone = CST if in_cst else UTC
        shift = timedelta(minutes=1) if moved else timedelta(0)
        rows = [{**r, "due_at": (r["due_at"] + shift).astimezone(zone)} for r in rows]
        with engine.begin() as conn:
            board.replace_case_deadlines(conn, case_id, rows)
        return rows

    rows: list[dict[str, Any]] = []
    for drawn, in_cst, again in writes:
        rows = write(drawn, in_cst, moved=False)
        if again != "no":
            rows = write(drawn, in_cst != (again == "other_zone"), moved=again == "due_moved")
    table = DeadlineRecord.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        if rows:
            conn.execute(insert(table), [{**r, "case_id": first_write} for r in rows])

    def stored(of: str) -> list[dict[str, Any]]:
        with engine.connect() as conn:
            found = conn.execute(select(table).where(table.c.case_id == of).order_by(table.c.name))
            return [{**r._mapping, "case_id": None} for r in found]

    assert stored(case_id) == stored(first_write)
