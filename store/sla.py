"""The SLA board: every deadline of every case, classified at query time.

The read model stores each deadline's lifecycle state (pending, met, breached, cancelled) but
not its SLA state, because "due soon" and "overdue" change with the clock and not with the
case: a row written yesterday is overdue today without any workflow writing to it. So the
classification runs in the database against `now` (the same rules as `Deadline.sla_state_at`):
each state as plain comparisons on the row for the filters and counts, so that the board's
indexes serve them, and as a CASE for the state column of the listed rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select, true
from sqlalchemy.engine import Connection
from sqlmodel import col

from domain.deadlines import DeadlineState, SlaState
from store.access import CaseCountyRecord, visible_in
from store.board import SETTLED_STATES, BoardCountRecord
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
    # The kinds the caller works on (None: every kind).
    kinds: frozenset[str] | None = None
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
    """The SLA state of a `deadlines` row at `now`, as SQL (the listed rows' state column)."""
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


def _is_overdue(at: datetime) -> ColumnElement[bool]:
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    return and_(t.paused == false(), t.due_at <= at)


def _is_due_soon(at: datetime) -> ColumnElement[bool]:
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    return and_(t.paused == false(), t.due_at > at, t.warn_at.is_not(None), t.warn_at <= at)


def in_sla_state(state: SlaState, now: datetime) -> ColumnElement[bool]:
    """SQL: the row is in `state` at `now`; the same classification as
    `sla_state_expression`, but as plain comparisons an index can serve (ix_deadlines_board):
    a filter on the CASE itself reads and classifies every row."""
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    at = _utc(now)
    pending = t.state == DeadlineState.pending.value
    if state is SlaState.overdue:
        return and_(pending, _is_overdue(at))
    if state is SlaState.due_soon:
        return and_(pending, _is_due_soon(at))
    if state is SlaState.on_track:
        return and_(pending, not_(_is_overdue(at)), not_(_is_due_soon(at)))
    stored: ColumnElement[bool] = t.state == state.value
    return stored


def _filters(flt: SlaFilter, *, visibility: bool = True) -> list[ColumnElement[bool]]:
    """Every filter but the SLA states (and but the caller's counties if not `visibility`)."""
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    where: list[ColumnElement[bool]] = []
    if flt.county_code:
        where.append(t.county_code == flt.county_code)
    if visibility and flt.county_codes is not None:
        where.append(visible_in(t.case_id, t.county_code, flt.county_codes))
    if flt.kinds is not None:
        where.append(t.kind.in_(sorted(flt.kinds)))
    if flt.kind:
        where.append(t.kind == flt.kind)
    if flt.rule:
        where.append(t.rule == flt.rule)
    if flt.due_before is not None:
        where.append(t.due_at < _utc(flt.due_before))
    if flt.provisional is not None:
        where.append(t.provisional == flt.provisional)
    return where


def _kept_filters(flt: SlaFilter) -> list[ColumnElement[bool]]:
    """The same filters on the kept counts (store/board.py), the caller's own counties for
    the visibility: `due_before` has no kept count (the caller counts rows instead)."""
    c = BoardCountRecord.__table__.c  # type: ignore[attr-defined]
    where: list[ColumnElement[bool]] = []
    if flt.county_code:
        where.append(c.county_code == flt.county_code)
    if flt.county_codes is not None:
        where.append(c.county_code.in_(sorted(flt.county_codes)))
    if flt.kinds is not None:
        where.append(c.kind.in_(sorted(flt.kinds)))
    if flt.kind:
        where.append(c.kind == flt.kind)
    if flt.rule:
        where.append(c.rule == flt.rule)
    if flt.provisional is not None:
        where.append(c.provisional == flt.provisional)
    return where


def _settled_counts(
    conn: Connection, flt: SlaFilter, states: Collection[str]
) -> dict[tuple[str, str], int]:
    """(county, state) -> how many deadlines in one of the settled `states` pass every filter.

    From the kept counts, which cost the number of counties × rules, not the deadlines ever
    settled; plus, counted from the rows, the deadlines of cases seen from the caller's
    counties but kept under another county (a transfer seen by its old agency, store/
    access.py): those cost the number of such cases. With `due_before`, every matching row
    is counted, as the kept counts do not know due times."""
    wanted = sorted(states)
    counts: dict[tuple[str, str], int] = {}
    if not wanted:
        return counts
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]

    def add(query: Any) -> None:
        for county, state, n in conn.execute(query):
            key = (str(county), str(state))
            counts[key] = counts.get(key, 0) + int(n or 0)

    if flt.due_before is not None:
        add(
            select(t.county_code, t.state, func.count())
            .where(*_filters(flt), t.state.in_(wanted))
            .group_by(t.county_code, t.state)
        )
        return counts
    c = BoardCountRecord.__table__.c  # type: ignore[attr-defined]
    add(
        select(c.county_code, c.state, func.sum(c.count))
        .where(*_kept_filters(flt), c.state.in_(wanted))
        .group_by(c.county_code, c.state)
    )
    if flt.county_codes is not None:
        bound = sorted(flt.county_codes)
        further = select(col(CaseCountyRecord.case_id)).where(
            col(CaseCountyRecord.county_code).in_(bound)
        )
        add(
            select(t.county_code, t.state, func.count())
            .where(
                *_filters(flt, visibility=False),
                t.county_code.not_in(bound),
                t.case_id.in_(further),
                t.state.in_(wanted),
            )
            .group_by(t.county_code, t.state)
        )
    return counts


def _listed(flt: SlaFilter) -> ColumnElement[bool]:
    return or_(false(), *(in_sla_state(s, flt.now) for s in sorted(flt.sla_states)))


def _count_by_state(conn: Connection, flt: SlaFilter) -> dict[SlaState, int]:
    """The settled states from the kept counts (`_settled_counts`), and the pending rows, the
    open deadlines, classified against the clock in one index-only pass."""
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    at = _utc(flt.now)
    pending = t.state == DeadlineState.pending.value
    by_state = dict.fromkeys(SlaState, 0)
    for (_county, state), count in _settled_counts(conn, flt, SETTLED_STATES).items():
        by_state[SlaState(state)] += count
    overdue, due_soon, every = conn.execute(
        select(
            func.count().filter(_is_overdue(at)),
            func.count().filter(_is_due_soon(at)),
            func.count(),
        ).where(*_filters(flt), pending)
    ).one()
    by_state[SlaState.overdue] = int(overdue)
    by_state[SlaState.due_soon] = int(due_soon)
    by_state[SlaState.on_track] = int(every) - int(overdue) - int(due_soon)
    return by_state


def _count_by_county(conn: Connection, flt: SlaFilter) -> dict[str, int]:
    """The listed set per county: the settled states from the kept counts, the others one
    range of the board index each, summed (the states are disjoint)."""
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    by_county: dict[str, int] = {}
    settled = [s.value for s in flt.sla_states if s.value in SETTLED_STATES]
    for (county, _state), count in _settled_counts(conn, flt, settled).items():
        by_county[county] = by_county.get(county, 0) + count
    for state in sorted(s for s in flt.sla_states if s.value not in SETTLED_STATES):
        for county, count in conn.execute(
            select(t.county_code, func.count())
            .where(*_filters(flt), in_sla_state(state, flt.now))
            .group_by(t.county_code)
        ):
            by_county[str(county)] = by_county.get(str(county), 0) + int(count)
    return {county: n for county, n in sorted(by_county.items()) if n}


def list_sla_deadlines(conn: Connection, flt: SlaFilter, limit: int, offset: int) -> SlaPage:
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    where = [*_filters(flt), _listed(flt)]
    page = (
        select(
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
        .where(*where)
        # MA-4: green-channel cases first. case_id and name make the order total, so pages
        # neither skip nor repeat a row. The order of ix_deadlines_order: the page walks it.
        .order_by(t.priority.desc(), t.due_at, t.case_id, t.name)
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
    by_county = _count_by_county(conn, flt)
    # county_code is never null, so the per-county counts add up to the listed set.
    total = sum(by_county.values())
    return SlaPage(
        rows=rows, total=total, summary=SlaSummary(_count_by_state(conn, flt), by_county)
    )
