"""SQL tables: the read model that lists need, and the registries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class CaseRecord(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # A county's list by status, in the list's order: the page reads 50 index entries
        # instead of sorting the county's every case (BENCHMARKS.md §3). Its first column
        # serves the county filter alone too.
        Index(
            "ix_cases_county_status",
            "county_code",
            "status",
            "priority",
            "next_due_at",
            "opened_at",
        ),
    )

    case_id: str = Field(primary_key=True, max_length=40)
    kind: str = Field(index=True, max_length=40)
    status: str = Field(index=True, max_length=40)
    severity: str | None = Field(default=None, max_length=20)
    county_code: str = Field(max_length=6)
    employer_name: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=20)
    # `online`: a worker's own complaint through the worker's window.
    channel: str | None = Field(default=None, max_length=20)
    workers_count: int = 0
    amount_owed: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(14, 2)))
    amount_paid: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(14, 2)))
    next_due_at: datetime | None = Field(default=None, index=True)
    next_due_name: str | None = Field(default=None, max_length=60)
    next_warn_at: datetime | None = None
    sla_state: str | None = Field(default=None, index=True, max_length=20)
    provisional: bool = False
    breached_count: int = 0
    priority: bool = False
    opened_at: datetime = Field(index=True)
    settled_at: datetime | None = None
    closed_at: datetime | None = None
    revision: int = 0
    # Who the case waits for, `,role:county,` each (store/cases.py `awaiting_column`); the
    # work queue matches the caller's role in each of their counties within a county's rows.
    awaiting: str = Field(default="", max_length=400)
    updated_at: datetime = Field(default_factory=_now)


def _board_indexes(name: str, *columns: str) -> tuple[Index, Index]:
    """An index of the deadlines on `columns`, then county and case; and the same led by the
    county, which a county's board walks."""
    return (
        Index(f"ix_deadlines_{name}", *columns, "county_code", "case_id"),
        Index(f"ix_deadlines_county_{name}", "county_code", *columns, "case_id"),
    )


class DeadlineRecord(SQLModel, table=True):
    """Every deadline of every case: the SLA board and the calendar recompute read it."""

    __tablename__ = "deadlines"
    __table_args__ = (
        # The SLA board's filters and counts read only these columns (store/sla.py): the
        # pending rows past their due or warning time are one range of the first, per county
        # one range of the second, and the counts never touch the table itself (case_id is
        # there for the caller's visibility, store/access.py).
        *_board_indexes("board", "state", "paused", "due_at", "warn_at"),
        # The same with the warning time first: `due_soon` (past its warning time, not yet
        # due) is one range of these, as many entries as deadlines past their warning time,
        # where on the two above it is every pending deadline not yet due (migration 0011).
        *_board_indexes("warn", "state", "paused", "warn_at", "due_at"),
    )

    case_id: str = Field(primary_key=True, max_length=40)
    name: str = Field(primary_key=True, max_length=60)
    kind: str = Field(index=True, max_length=40)
    county_code: str = Field(max_length=6)
    rule: str = Field(max_length=20)
    basis: str = Field(max_length=20)
    due_at: datetime = Field(index=True)
    warn_at: datetime | None = None
    state: str = Field(max_length=20)
    provisional: bool = False
    paused: bool = False
    computed: bool = False
    calendar_version: str = Field(default="", max_length=400)
    priority: bool = False


_deadlines = DeadlineRecord.__table__  # type: ignore[attr-defined]
# The board's order (MA-4's green channel first, then by due time; case and name make it
# total): walking it, the page stops after `limit` listed rows instead of sorting them all.
Index(
    "ix_deadlines_order",
    _deadlines.c.priority.desc(),
    _deadlines.c.due_at,
    _deadlines.c.case_id,
    _deadlines.c.name,
)
# The same order within a county: a county's board walks its own rows only (migration 0011).
Index(
    "ix_deadlines_county_order",
    _deadlines.c.county_code,
    _deadlines.c.priority.desc(),
    _deadlines.c.due_at,
    _deadlines.c.case_id,
    _deadlines.c.name,
)


class NotificationRecord(SQLModel, table=True):
    """The notifications outbox: one row per notification key, whatever the retries."""

    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    case_id: str = Field(index=True, max_length=40)
    kind: str = Field(max_length=60)
    recipient_role: str | None = Field(default=None, max_length=20)
    recipient: str | None = Field(default=None, max_length=100)
    county_code: str = Field(index=True, max_length=6)
    params: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=_now)
    sent_at: datetime | None = None


class RegionSettingRecord(SQLModel, table=True):
    """Per-county overrides of the configurable rule values; absent fields take the defaults."""

    __tablename__ = "region_settings"

    county_code: str = Field(primary_key=True, max_length=6)
    values: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=_now)


class CaseRequestRecord(SQLModel, table=True):
    """Idempotency of case creation: a client key maps to one case, whatever the retries."""

    __tablename__ = "case_requests"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    case_id: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=_now)


class CaseCounterRecord(SQLModel, table=True):
    """Case numbers: one counter per kind prefix and year (WA-2026-000123)."""

    __tablename__ = "case_counters"

    prefix: str = Field(primary_key=True, max_length=4)
    year: int = Field(primary_key=True)
    last: int = 0
