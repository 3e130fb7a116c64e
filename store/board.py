"""The board's kept counts: how many deadlines are met, breached, cancelled or abandoned, per
county, kind, rule and provisional flag, so that the SLA board's summary never counts history.

A settled deadline (met, breached, cancelled, abandoned) never changes state again, and most
rows of a read model that has run for years are that: the history of settled and closed cases.
The board's counts of those states came from counting every such row on every request
(BENCHMARKS.md §3: 407 000 of 500 000 rows, ~200 ms a request). They are now read from
`board_counts`, a table of a few hundred rows that every write of deadline rows keeps in step
in its own transaction: `replace_case_deadlines` (the read model's `sync_case`) and
`abandon_pending` (`mark_case_ended`) are the only writers of `deadlines` in the application,
and each applies the difference between the case's old and new rows, so a retried or replayed
write (the same rows again) changes no count. The pending rows are not kept here: they are the
open deadlines, and the board classifies them against the clock at each request anyway.

`recount` rebuilds the table from the rows (migration 0011, a bulk load, a suspect table);
tests/store/test_board.py checks, after random sequences of writes, that the kept counts are
exactly a recount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from domain.deadlines import DeadlineState
from store.tables import DeadlineRecord

# The states a row never leaves: the ones counted here.
SETTLED_STATES: tuple[str, ...] = tuple(
    s.value for s in DeadlineState if s is not DeadlineState.pending
)

# (county_code, kind, rule, provisional, state): every filter of the board a count can serve.
Key = tuple[str, str, str, bool, str]


class BoardCountRecord(SQLModel, table=True):
    __tablename__ = "board_counts"

    county_code: str = Field(primary_key=True, max_length=6)
    kind: str = Field(primary_key=True, max_length=40)
    rule: str = Field(primary_key=True, max_length=20)
    provisional: bool = Field(primary_key=True)
    state: str = Field(primary_key=True, max_length=20)
    count: int = 0


def _deadlines() -> Any:
    return DeadlineRecord.__table__  # type: ignore[attr-defined]


def _counts() -> Any:
    return BoardCountRecord.__table__  # type: ignore[attr-defined]


def _key(row: Mapping[str, Any]) -> Key:
    return (
        str(row["county_code"]),
        str(row["kind"]),
        str(row["rule"]),
        bool(row["provisional"]),
        str(row["state"]),
    )


def _tally(rows: Iterable[Mapping[str, Any]]) -> Counter[Key]:
    return Counter(_key(r) for r in rows if r["state"] in SETTLED_STATES)


def _settled_rows_of(conn: Connection, case_id: str) -> list[Mapping[str, Any]]:
    t = _deadlines().c
    found = conn.execute(
        select(t.county_code, t.kind, t.rule, t.provisional, t.state).where(
            t.case_id == case_id, t.state.in_(SETTLED_STATES)
        )
    )
    return [dict(r._mapping) for r in found]


def apply(conn: Connection, deltas: Mapping[Key, int]) -> None:
    """Adds each delta to its count, in key order (two writers lock the same rows in the same
    order, so they wait for each other rather than deadlock); zero deltas touch nothing."""
    table = _counts()
    dialect = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for key in sorted(k for k, v in deltas.items() if v):
        county_code, kind, rule, provisional, state = key
        stmt = dialect(table).values(
            county_code=county_code,
            kind=kind,
            rule=rule,
            provisional=provisional,
            state=state,
            count=deltas[key],
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[
                    table.c.county_code,
                    table.c.kind,
                    table.c.rule,
                    table.c.provisional,
                    table.c.state,
                ],
                set_={"count": table.c.count + stmt.excluded.count},
            )
        )


def replace_case_deadlines(
    conn: Connection, case_id: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """The case's deadline rows become `rows` (each a full `deadlines` row of this case), and
    the kept counts follow, in the caller's transaction."""
    table = _deadlines()
    before = _tally(_settled_rows_of(conn, case_id))
    conn.execute(delete(table).where(table.c.case_id == case_id))
    if rows:
        conn.execute(insert(table), list(rows))
    after = _tally(rows)
    after.subtract(before)
    apply(conn, after)


def abandon_pending(conn: Connection, case_id: str) -> int:
    """The case's pending deadlines become abandoned (its workflow ended abnormally); returns
    how many, and counts them."""
    t = _deadlines().c
    pending = [
        r._mapping
        for r in conn.execute(
            select(t.county_code, t.kind, t.rule, t.provisional).where(
                t.case_id == case_id, t.state == DeadlineState.pending.value
            )
        )
    ]
    if not pending:
        return 0
    conn.execute(
        _deadlines()
        .update()
        .where(t.case_id == case_id, t.state == DeadlineState.pending.value)
        .values(state=DeadlineState.abandoned.value)
    )
    apply(conn, _tally({**r, "state": DeadlineState.abandoned.value} for r in pending))
    return len(pending)


def counted(conn: Connection) -> dict[Key, int]:
    """The kept counts, zeros left out."""
    t = _counts().c
    return {
        (r.county_code, r.kind, r.rule, bool(r.provisional), r.state): int(r.n)
        for r in conn.execute(
            select(t.county_code, t.kind, t.rule, t.provisional, t.state, t.count.label("n"))
        )
        if r.n
    }


def recounted(conn: Connection) -> dict[Key, int]:
    """The same counts from the rows themselves: what `counted` must always equal."""
    t = _deadlines().c
    query = (
        select(t.county_code, t.kind, t.rule, t.provisional, t.state, func.count().label("n"))
        .where(t.state.in_(SETTLED_STATES))
        .group_by(t.county_code, t.kind, t.rule, t.provisional, t.state)
    )
    return {
        (r.county_code, r.kind, r.rule, bool(r.provisional), r.state): int(r.n)
        for r in conn.execute(query)
    }


def recount(conn: Connection) -> None:
    """Rebuilds the kept counts from the rows (after a bulk load, or to repair)."""
    conn.execute(delete(_counts()))
    rows = [
        {
            "county_code": county_code,
            "kind": kind,
            "rule": rule,
            "provisional": provisional,
            "state": state,
            "count": n,
        }
        for (county_code, kind, rule, provisional, state), n in sorted(recounted(conn).items())
    ]
    if rows:
        conn.execute(insert(_counts()), rows)
