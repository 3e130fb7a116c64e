"""The SLA board: every deadline of every case, classified at query time.

The read model stores each deadline's lifecycle state (pending, met, breached, cancelled) but
not its SLA state, because "due soon" and "overdue" change with the clock and not with the
case: a row written yesterday is overdue today without any workflow writing to it. So the
classification runs in the database against `now` (the same rules as `Deadline.sla_state_at`):
each state as plain comparisons on the row for the filters and counts, so that the board's
indexes serve them, and as a CASE for the state column of the listed rows.

The summary's counts cost what the clock changes, not the history: every stored state, the
pending total included, comes from the kept counts (store/board.py, a few thousand rows
whatever the number of deadlines), and only `overdue` and `due_soon` are counted from rows,
one index range each over the pending deadlines past their due or warning time; `on_track`
is the pending total less those two. A `due_before` filter, which no kept count serves,
counts the matching rows instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select, true
from sqlalchemy.engine import Connection

from core.rows import from_attributes
from domain.deadlines import DeadlineState, SlaState
from store.access import Scope, county_and_kind, visible_in
from store.board import BoardCountRecord
from store.tables import DeadlineRecord

# What an inspector needs to act on this morning; on_track, met and cancelled are opt-in.
DEFAULT_SLA_STATES: frozenset[SlaState] = frozenset(
    {SlaState.due_soon, SlaState.overdue, SlaState.breached}
)


@dataclass(frozen=True, kw_only=True)
class SlaFilter(Scope):
    """The deadlines of the cases in scope (those of cases seen from `county_codes`)."""

    now: datetime
    sla_states: Collection[SlaState] = DEFAULT_SLA_STATES
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
    where = _column_filters(flt, t)
    if visibility and flt.county_codes is not None:
        where.append(visible_in(t.case_id, t.county_code, flt.county_codes))
    if flt.due_before is not None:
        where.append(t.due_at < _utc(flt.due_before))
    return where


def _column_filters(flt: SlaFilter, c: Any) -> list[ColumnElement[bool]]:
    """The filters both the deadlines and their kept counts answer from their own columns."""
    where = county_and_kind(c, flt.county_code, flt.kinds, flt.kind)
    if flt.rule:
        where.append(c.rule == flt.rule)
    if flt.provisional is not None:
        where.append(c.provisional == flt.provisional)
    return where


def _kept_filters(flt: SlaFilter) -> list[ColumnElement[bool]]:
    """The filters on the kept counts (store/board.py), but the caller's counties (applied by
    `_kept_counts`) and `due_before` (no kept count knows due times)."""
    return _column_filters(flt, BoardCountRecord.__table__.c)  # type: ignore[attr-defined]


def _kept_counts(
    conn: Connection, flt: SlaFilter, states: Collection[str]
) -> dict[tuple[str, str], int]:
    """(county, stored state) -> deadlines in that state passing every filter but
    `due_before`, from the kept counts: their size is counties × rules, not deadlines.

    The caller's counties see a case kept under one of them, or one whose `seen_by` (the
    further counties that see it: a transfer's old agency) names one of them: those few rows
    of the table (`seen_by` not empty) are matched here."""
    wanted = sorted(states)
    counts: dict[tuple[str, str], int] = {}
    if not wanted:
        return counts
    c = BoardCountRecord.__table__.c  # type: ignore[attr-defined]
    where = [*_kept_filters(flt), c.state.in_(wanted), c.count != 0]
    queries = []
    if flt.county_codes is None:
        queries.append(
            select(c.county_code, c.state, func.sum(c.count))
            .where(*where)
            .group_by(c.county_code, c.state)
        )
    else:
        bound = sorted(flt.county_codes)
        queries.append(
            select(c.county_code, c.state, func.sum(c.count))
            .where(*where, c.county_code.in_(bound))
            .group_by(c.county_code, c.state)
        )
    for query in queries:
        for county, state, n in conn.execute(query):
            key = (str(county), str(state))
            counts[key] = counts.get(key, 0) + int(n or 0)
    if flt.county_codes is not None:
        seen = {f",{county}," for county in flt.county_codes}
        for county, seen_by, state, n in conn.execute(
            select(c.county_code, c.seen_by, c.state, c.count).where(
                *where, c.seen_by != "", c.county_code.not_in(sorted(flt.county_codes))
            )
        ):
            if any(mark in seen_by for mark in seen):
                key = (str(county), str(state))
                counts[key] = counts.get(key, 0) + int(n)
    return counts


def _counted_by_rows(conn: Connection, flt: SlaFilter) -> dict[tuple[str, str], int]:
    """(county, SLA state) -> deadlines, every row that passes the filters counted: the
    board's counts when `due_before` is given, which no kept count serves."""
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    state = sla_state_expression(flt.now)
    counts: dict[tuple[str, str], int] = {}
    for county, sla, n in conn.execute(
        select(t.county_code, state, func.count())
        .where(*_filters(flt))
        .group_by(t.county_code, state)
    ):
        counts[(str(county), str(sla))] = int(n)
    return counts


def _clock_counts(conn: Connection, flt: SlaFilter) -> dict[tuple[str, str], int]:
    """(county, overdue or due_soon) -> pending deadlines the clock has put there: one range
    of the board's indexes each, as many entries as deadlines past their due or warning
    time."""
    t = DeadlineRecord.__table__.c  # type: ignore[attr-defined]
    counts: dict[tuple[str, str], int] = {}
    for state in (SlaState.overdue, SlaState.due_soon):
        for county, n in conn.execute(
            select(t.county_code, func.count())
            .where(*_filters(flt), in_sla_state(state, flt.now))
            .group_by(t.county_code)
        ):
            counts[(str(county), state.value)] = int(n)
    return counts


def _sla_counts(conn: Connection, flt: SlaFilter) -> dict[tuple[str, str], int]:
    """(county, SLA state) -> deadlines passing every filter but `sla_states`. The stored
    states come from the kept counts, overdue and due_soon from the clock's ranges, and
    on_track is the kept pending count less those two."""
    if flt.due_before is not None:
        return _counted_by_rows(conn, flt)
    counts = _kept_counts(conn, flt, [s.value for s in DeadlineState])
    clock = _clock_counts(conn, flt)
    pending = DeadlineState.pending.value
    for (county, state), n in list(counts.items()):
        if state == pending:
            late = clock.get((county, SlaState.overdue.value), 0)
            soon = clock.get((county, SlaState.due_soon.value), 0)
            counts[(county, SlaState.on_track.value)] = n - late - soon
            del counts[(county, state)]
    counts.update(clock)
    return counts


def _listed(flt: SlaFilter) -> ColumnElement[bool]:
    return or_(false(), *(in_sla_state(s, flt.now) for s in sorted(flt.sla_states)))


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
        from_attributes(
            SlaRow,
            r,
            due_at=_aware(r.due_at),
            warn_at=_aware(r.warn_at) if r.warn_at is not None else None,
            sla_state=SlaState(r.sla_state),
            provisional=bool(r.provisional),
            paused=bool(r.paused),
            priority=bool(r.priority),
        )
        for r in conn.execute(page)
    ]
    counts = _sla_counts(conn, flt)
    by_state = dict.fromkeys(SlaState, 0)
    by_county: dict[str, int] = {}
    listed = {s.value for s in flt.sla_states}
    for (county, state), n in counts.items():
        by_state[SlaState(state)] += n
        if state in listed and n:
            by_county[county] = by_county.get(county, 0) + n
    by_county = dict(sorted(by_county.items()))
    # county_code is never null, so the per-county counts add up to the listed set.
    total = sum(by_county.values())
    return SlaPage(rows=rows, total=total, summary=SlaSummary(by_state, by_county))
