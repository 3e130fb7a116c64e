"""Which counties may see a case: its own, and for a transfer the old agency's too.

A case row carries one county (a transfer's is the new agency's, where the worker applied),
but the old agency's clerks must see the transfer to send the funds (SI-1, SI-3). The API
records such further counties when it opens the case.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from store.board import further_county_added
from store.tables import CaseRecord


class CaseCountyRecord(SQLModel, table=True):
    __tablename__ = "case_counties"

    case_id: str = Field(primary_key=True, max_length=40)
    county_code: str = Field(primary_key=True, index=True, max_length=6)


@dataclass(frozen=True)
class CaseCounties:
    case_id: str
    kind: str
    county_code: str
    # The case's own county first, then the others that see it.
    counties: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Scope:
    """What a list of cases or deadlines is narrowed to: a county and a kind asked for,
    within the caller's counties and kinds."""

    county_code: str | None = None
    # The caller's counties: only cases seen from one of them (None: every case).
    county_codes: frozenset[str] | None = None
    # The kinds the caller works on (None: every kind).
    kinds: frozenset[str] | None = None
    kind: str | None = None


def county_and_kind(
    c: Any, county_code: str | None, kinds: Collection[str] | None, kind: str | None
) -> list[ColumnElement[bool]]:
    """The filters of one county, the caller's kinds (None: every kind) and one kind, on the
    columns `c` of any read-model table with `county_code` and `kind`."""
    where: list[ColumnElement[bool]] = []
    if county_code:
        where.append(c.county_code == county_code)
    if kinds is not None:
        where.append(c.kind.in_(sorted(kinds)))
    if kind:
        where.append(c.kind == kind)
    return where


def add_case_counties(engine: Engine, case_id: str, counties: Iterable[str]) -> None:
    """Idempotent: a retried create adds nothing. The board's kept counts of the case, if it
    has deadline rows already, follow in the same transaction (store/board.py)."""
    table = CaseCountyRecord.__table__  # type: ignore[attr-defined]
    for county in sorted(set(counties)):
        try:
            with engine.begin() as conn:
                # The case row locked as `sync_case` locks it (PostgreSQL), so the two do not
                # count the same rows under different `seen_by`; on SQLite the insert below
                # takes the write lock, so what is read after it is what the counts were kept
                # against. The API adds a transfer's counties before its workflow starts, so
                # before its first rows.
                cases = CaseRecord.__table__  # type: ignore[attr-defined]
                conn.execute(
                    select(cases.c.case_id).where(cases.c.case_id == case_id).with_for_update()
                )
                conn.execute(table.insert().values(case_id=case_id, county_code=county))
                further_county_added(conn, case_id, county)
        except IntegrityError:  # there already, or a concurrent retry of the same create
            continue


def case_counties(session: Session, case_id: str) -> CaseCounties | None:
    """None when the read model does not know the case."""
    row = session.get(CaseRecord, case_id)
    if row is None:
        return None
    others = session.exec(
        select(CaseCountyRecord.county_code)
        .where(CaseCountyRecord.case_id == case_id)
        .where(CaseCountyRecord.county_code != row.county_code)
        .order_by(col(CaseCountyRecord.county_code))
    ).all()
    return CaseCounties(case_id, row.kind, row.county_code, (row.county_code, *others))


def visible_in(case_id: Any, county_code: Any, counties: Collection[str]) -> ColumnElement[bool]:
    """SQL: the row's case is seen from one of `counties`: its own county, or else a further
    county of the case, looked up for that row alone (EXISTS on the primary key), so the
    check costs the rows the query reads rather than every transfer ever seen from them."""
    bound = sorted(counties)
    further = (
        select(col(CaseCountyRecord.case_id))
        .where(col(CaseCountyRecord.case_id) == case_id)
        .where(col(CaseCountyRecord.county_code).in_(bound))
        .exists()
    )
    return or_(county_code.in_(bound), further)
