"""The SLA board: every deadline of every case, classified at query time.

The read model stores each deadline's lifecycle state (pending, met, breached, cancelled) but
not its SLA state, because "due soon" and "overdue" change with the clock and not with the
case: a row written yesterday is overdue today without any workflow writing to it. So the
classification is a SQL CASE over the row and `now`, and the filters and counts run in the
database on that expression (the same rules as `Deadline.sla_state_at`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Subquery, and_, case, func, select, true
from sqlalchemy.engine import Connection

from domain.deadlines import DeadlineState, SlaState
from store.access import visible_in
from store.tables import DeadlineRecord

# What an inspector needs to act on this morning; on_track, met and cancelled are opt-in.
DEFAULT_SLA_STATES: frozenset[SlaState] = frozenset(
    {SlaState.due_soon, SlaState.overdue, SlaState.breached}
)


@dataclass(frozen=True)
class SlaFilter:
    now: datetime
    sla_states: Collection[SlaState] = DEFAULT_SLA_STATES
    county_code: str | None = None
    # The caller's counties: only deadlines of cases seen from one of them (None: all).
    county_codes: frozenset[str] | None = None
    kind: str | None = None
    rule: str | None = None
    # Exclusive, like `due_before` on the case list.
    due_before: datetime | None = None
    provisional: bool | None = None


@dataclass(frozen=True)
class SlaRow:
    case_id: str
    kind: str
    county_code: str
    name: str
    rule: str
    basis: str
    due_at: datetime
    warn_at: datetime | None
    sla_state: SlaState
    provisional: bool
    paused: bool
    priority: bool


@dataclass(frozen=True)
class SlaSummary:
    # Counted with every filter but `sla_states`, so a board can show how many deadlines each
    # state tab would list; every state is present, zero included.
    by_state: dict[SlaState, int]
    # Counted with every filter, `sla_states` included: the counties of the listed set.
    by_county: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SlaPage:
    rows: list[SlaRow]
    total: int
    summary: SlaSummary


def _utc(moment: datetime) -> datetime:
    # The columns refuse naive binds anyway (SQLModel's UTCDateTime); failing here says which
    # argument was wrong before any SQL runs.
    if moment.tzinfo is None:
        raise ValueError("instants must carry a time zone")
    return moment.astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    # UTCDateTime already turns SQLite's naive values into aware UTC; this keeps the promise
    # should the column ever be a plain DateTime (a reflected or migrated table).
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def sla_state_expression(now: datetime) -> ColumnElement[str]:
    """The SLA state of a `deadlines` row at `now`, as SQL."""
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    at = _utc(now)
    return case(
        (t.state != DeadlineState.pending.value, t.state),
        # A paused clock cannot run out; its due time is recomputed when it resumes.
        (t.paused == true(), SlaState.on_track.value),
        (t.due_at <= at, SlaState.overdue.value),
        (and_(t.warn_at.is_not(None), t.warn_at <= at), SlaState.due_soon.value),
        else_=SlaState.on_track.value,
    )


def _board(flt: SlaFilter) -> Subquery:
    """The filtered deadlines with their SLA state as a column, before the state filter.

    A subquery rather than the CASE repeated in WHERE and GROUP BY: PostgreSQL only accepts a
    grouped expression that is textually the same as the selected one, and each copy of the
    CASE would carry its own bind parameters.
    """
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    query = select(
        t.case_id,
        t.kind,
        t.county_code,
        t.name,
        t.rule,
        t.basis,
        t.due_at,
        t.warn_at,
        sla_state_expression(flt.now).label("sla_state"),
        t.provisional,
        t.paused,
        t.priority,
    )
    if flt.county_code:
        query = query.where(t.county_code == flt.county_code)
    if flt.county_codes is not None:
        query = query.where(visible_in(t.case_id, t.county_code, flt.county_codes))
    if flt.kind:
        query = query.where(t.kind == flt.kind)
    if flt.rule:
        query = query.where(t.rule == flt.rule)
    if flt.due_before is not None:
        query = query.where(t.due_at < _utc(flt.due_before))
    if flt.provisional is not None:
        query = query.where(t.provisional == flt.provisional)
    return query.subquery("board")


def _in_states(board: Subquery, states: Collection[SlaState]) -> ColumnElement[bool]:
    return board.c.sla_state.in_(sorted(s.value for s in states))


def list_sla_deadlines(conn: Connection, flt: SlaFilter, limit: int, offset: int) -> SlaPage:
    board = _board(flt)
    listed = _in_states(board, flt.sla_states)

    page = (
        select(board)
        .where(listed)
        # MA-4: green-channel cases first. case_id and name make the order total, so pages
        # neither skip nor repeat a row.
        .order_by(board.c.priority.desc(), board.c.due_at, board.c.case_id, board.c.name)
        .limit(limit)
        .offset(offset)
    )
    rows = [
        SlaRow(
            case_id=r.case_id,
            kind=r.kind,
            county_code=r.county_code,
            name=r.name,
            rule=r.rule,
            basis=r.basis,
            due_at=_aware(r.due_at),
            warn_at=_aware(r.warn_at) if r.warn_at is not None else None,
            sla_state=SlaState(r.sla_state),
            provisional=bool(r.provisional),
            paused=bool(r.paused),
            priority=bool(r.priority),
        )
        for r in conn.execute(page)
    ]

    by_state = dict.fromkeys(SlaState, 0)
    for state, count in conn.execute(
        select(board.c.sla_state, func.count()).group_by(board.c.sla_state)
    ):
        by_state[SlaState(state)] = int(count)

    by_county = {
        str(county): int(count)
        for county, count in conn.execute(
            select(board.c.county_code, func.count())
            .where(listed)
            .group_by(board.c.county_code)
            .order_by(board.c.county_code)
        )
    }
    # county_code is never null, so the per-county counts add up to the listed set.
    total = sum(by_county.values())
    return SlaPage(rows=rows, total=total, summary=SlaSummary(by_state, by_county))
