"""The board's kept counts: how many deadlines there are in each lifecycle state, per county,
the further counties that see the case, kind, rule and provisional flag, so that the SLA
board's summary never counts rows it does not list.

The board's counts came from counting rows on every request: every deadline ever settled
(BENCHMARKS.md §3: 407 000 of 500 000 rows, ~200 ms a request) and every pending one. They
are now read from `board_counts`, a table of a few hundred rows that every write of deadline
rows keeps in step in its own transaction: `replace_case_deadlines` (the read model's
`sync_case`), `abandon_pending` (`mark_case_ended`) and `add_case_counties` (a transfer seen
by its old agency, store/access.py) are the only writers of `deadlines` and `case_counties`
in the application, and each applies the difference between the case's counted rows before
and after, so a retried or replayed write (the same rows again) changes no count.

What the board still counts from rows is what the clock changes: the pending deadlines past
their due or warning time (`overdue`, `due_soon`), one index range each; `on_track` is the
kept pending count minus those two.

`recount` rebuilds the table from the rows (migration 0011, a bulk load, a suspect table);
tests/store/test_board.py checks, after random sequences of writes, that the kept counts are
exactly a recount and that the board read from them is the board counted from rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from domain.deadlines import DeadlineState
from store.tables import DeadlineRecord
from store.upsert import insert_in

# The states a row never leaves.
SETTLED_STATES: tuple[str, ...] = tuple(
    s.value for s in DeadlineState if s is not DeadlineState.pending
)

# (county_code, seen_by, kind, rule, provisional, state): every filter of the board a count
# can serve; `seen_by` is `,county,county,` of the further counties that see the case, or "".
Key = tuple[str, str, str, str, bool, str]
_KEY_COLUMNS = ("county_code", "seen_by", "kind", "rule", "provisional", "state")


class BoardCountRecord(SQLModel, table=True):
    __tablename__ = "board_counts"

    county_code: str = Field(primary_key=True, max_length=6)
    seen_by: str = Field(primary_key=True, max_length=200)
    kind: str = Field(primary_key=True, max_length=40)
    rule: str = Field(primary_key=True, max_length=20)
    provisional: bool = Field(primary_key=True)
    state: str = Field(primary_key=True, max_length=20)
    count: int = 0


def _deadlines() -> Any:
    return DeadlineRecord.__table__  # type: ignore[attr-defined]


def _counts() -> Any:
    return BoardCountRecord.__table__  # type: ignore[attr-defined]


def _case_counties() -> Any:
    # store.access imports nothing from here; imported late all the same, as a table only.
    from store.access import CaseCountyRecord

    return CaseCountyRecord.__table__  # type: ignore[attr-defined]


def seen_by_column(further: Iterable[str]) -> str:
    counties = sorted(set(further))
    return f",{','.join(counties)}," if counties else ""


def seen_by_of(conn: Connection, case_id: str, own_county: str) -> str:
    """The further counties that see the case, as the `seen_by` of its counts."""
    cc = _case_counties().c
    found = conn.execute(select(cc.county_code).where(cc.case_id == case_id)).scalars()
    return seen_by_column(c for c in found if c != own_county)


def _tally(rows: Iterable[Mapping[str, Any]], seen_by: str) -> Counter[Key]:
    return Counter(
        (
            str(r["county_code"]),
            seen_by,
            str(r["kind"]),
            str(r["rule"]),
            bool(r["provisional"]),
            str(r["state"]),
        )
        for r in rows
    )


def _rows_of(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    table = _deadlines()
    found = conn.execute(select(table).where(table.c.case_id == case_id))
    return [dict(r._mapping) for r in found]


def apply(conn: Connection, deltas: Mapping[Key, int]) -> None:
    """Adds each delta to its count, in key order (two writers lock the same rows in the same
    order, so they wait for each other rather than deadlock); zero deltas touch nothing."""
    rows = [
        {**dict(zip(_KEY_COLUMNS, key, strict=True)), "count": deltas[key]}
        for key in sorted(k for k, v in deltas.items() if v)
    ]
    if rows:
        conn.execute(_add_to_counts(conn.dialect.name), rows)


@cache
def _add_to_counts(dialect: str) -> Any:
    table = _counts()
    stmt = insert_in(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c[name] for name in _KEY_COLUMNS],
        set_={"count": table.c.count + stmt.excluded.count},
    )


def _own_county(rows: Sequence[Mapping[str, Any]]) -> str | None:
    return str(rows[0]["county_code"]) if rows else None


def replace_case_deadlines(
    conn: Connection, case_id: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """The case's deadline rows become `rows` (each a full `deadlines` row of this case, all
    of one county), and the kept counts follow, in the caller's transaction (after its first
    write: on SQLite that holds the write lock, so the rows read are the rows counted).

    Only what changed is written: a row whose values are all as stored is left alone (a
    revision mostly changes the case, not each of its deadlines), the others are updated or
    added, and the rows of names no longer there are deleted. The database compares each row
    with the values as it would store them, so the test is exact on either dialect."""
    table = _deadlines()
    old = _rows_of(conn, case_id)
    names = [row["name"] for row in rows]
    if any(r["name"] not in names for r in old):
        gone = delete(table).where(table.c.case_id == case_id)
        conn.execute(gone.where(table.c.name.not_in(names)) if names else gone)
    if rows:
        conn.execute(_write_changed(conn.dialect.name, tuple(rows[0])), list(rows))
    # Each side with the `seen_by` of its own county (a county never sees itself), looked up
    # once when both sides have the same.
    seen_by = _seen_by_for(conn, case_id, rows)
    if _own_county(old) != _own_county(rows):
        old_seen_by = _seen_by_for(conn, case_id, old)
    else:
        old_seen_by = seen_by
    delta = _tally(rows, seen_by)
    delta.subtract(_tally(old, old_seen_by))
    apply(conn, delta)


@cache
def _write_changed(dialect: str, columns: tuple[str, ...]) -> Any:
    """An upsert of deadline rows with `columns` that updates a stored row only where one of
    its values differs (`IS DISTINCT FROM`: NULL equals NULL); built once per dialect."""
    table = _deadlines()
    stmt = insert_in(dialect, table)
    changing = [name for name in columns if name not in ("case_id", "name")]
    return stmt.on_conflict_do_update(
        index_elements=[table.c.case_id, table.c.name],
        set_={name: stmt.excluded[name] for name in changing},
        where=or_(*(table.c[name].is_distinct_from(stmt.excluded[name]) for name in changing)),
    )


def _seen_by_for(conn: Connection, case_id: str, rows: Sequence[Mapping[str, Any]]) -> str:
    county = _own_county(rows)
    return seen_by_of(conn, case_id, county) if county is not None else ""


def abandon_pending(conn: Connection, case_id: str) -> int:
    """The case's pending deadlines become abandoned (its workflow ended abnormally); returns
    how many, and moves their counts. The rows moved are the ones the UPDATE changed
    (RETURNING), so a write between a read and the update cannot be miscounted."""
    t = _deadlines().c
    pending = [
        {**dict(r._mapping), "state": DeadlineState.pending.value}
        for r in conn.execute(
            _deadlines()
            .update()
            .where(t.case_id == case_id, t.state == DeadlineState.pending.value)
            .values(state=DeadlineState.abandoned.value)
            .returning(t.county_code, t.kind, t.rule, t.provisional)
        )
    ]
    if not pending:
        return 0
    seen_by = seen_by_of(conn, case_id, str(pending[0]["county_code"]))
    delta = _tally(({**r, "state": DeadlineState.abandoned.value} for r in pending), seen_by)
    delta.subtract(_tally(pending, seen_by))
    apply(conn, delta)
    return len(pending)


def further_county_added(conn: Connection, case_id: str, county: str) -> None:
    """`county` was just added to the case's further counties (in this transaction): the
    case's counts move to its new `seen_by`."""
    rows = _rows_of(conn, case_id)
    own = _own_county(rows)
    if own is None or own == county:
        return
    cc = _case_counties().c
    further = set(conn.execute(select(cc.county_code).where(cc.case_id == case_id)).scalars())
    further.discard(own)
    delta = _tally(rows, seen_by_column(further))
    delta.subtract(_tally(rows, seen_by_column(further - {county})))
    apply(conn, delta)


def counted(conn: Connection) -> dict[Key, int]:
    """The kept counts, zeros left out."""
    t = _counts().c
    query = select(*(t[name] for name in _KEY_COLUMNS), t.count.label("n")).where(t.count != 0)
    return {
        (r.county_code, r.seen_by, r.kind, r.rule, bool(r.provisional), r.state): int(r.n)
        for r in conn.execute(query)
    }


def recounted(conn: Connection) -> dict[Key, int]:
    """The same counts from the rows themselves: what `counted` must always equal."""
    t = _deadlines().c
    cc = _case_counties().c
    listed: dict[str, set[str]] = {}
    for case_id, county in conn.execute(select(cc.case_id, cc.county_code)):
        listed.setdefault(case_id, set()).add(county)
    counts: Counter[Key] = Counter()
    grouped = (t.county_code, t.kind, t.rule, t.provisional, t.state)
    # Cases no further county sees: counted per group in SQL.
    for county, kind, rule, provisional, state, n in conn.execute(
        select(*grouped, func.count())
        .where(t.case_id.not_in(select(cc.case_id)))
        .group_by(*grouped)
    ):
        counts[(county, "", kind, rule, bool(provisional), state)] += int(n)
    # The others (transfers): per case, for each one's own `seen_by`.
    for case_id, county, kind, rule, provisional, state, n in conn.execute(
        select(t.case_id, *grouped, func.count())
        .where(t.case_id.in_(select(cc.case_id)))
        .group_by(t.case_id, *grouped)
    ):
        seen_by = seen_by_column(listed[case_id] - {county})
        counts[(county, seen_by, kind, rule, bool(provisional), state)] += int(n)
    return {k: v for k, v in counts.items() if v}


def recount(conn: Connection) -> None:
    """Rebuilds the kept counts from the rows (after a bulk load, or to repair)."""
    conn.execute(delete(_counts()))
    rows = [
        {**dict(zip(_KEY_COLUMNS, key, strict=True)), "count": n}
        for key, n in sorted(recounted(conn).items())
    ]
    if rows:
        conn.execute(insert(_counts()), rows)
