"""Official notices' document numbers: one sequence per county and year, each number issued once.

A notice's number is claimed the first time the notice is produced, under the notice's key
(its case, its kind and the occasion it is for: the second order to pay of a case is another
notice than the first). Producing the same notice again reads the number back, so a
regenerated notice carries the number it was first given; a number is never given twice and
never reused, even if the notice's file is never attached.

Race-safe on SQLite and PostgreSQL alike: the counter is bumped with one upsert that returns
the new value (PostgreSQL locks the counter's row until the transaction ends; SQLite writes
one transaction at a time), and the issued row is unique by notice key, so of two concurrent
first productions one commits and the other rolls back, its counter bump with it, and reads
the winner's number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import UniqueConstraint, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from store.upsert import bump, raise_to


def _now() -> datetime:
    return datetime.now(UTC)


class NoticeCounterRecord(SQLModel, table=True):
    """The last document number issued in a county and year."""

    __tablename__ = "notice_counters"

    county_code: str = Field(primary_key=True, max_length=6)
    year: int = Field(primary_key=True)
    last: int = 0


class IssuedNoticeRecord(SQLModel, table=True):
    """A document number issued to one notice, kept for ever (never reissued, never reused)."""

    __tablename__ = "issued_notices"
    __table_args__ = (
        UniqueConstraint("notice_key"),
        UniqueConstraint("county_code", "year", "seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # `case id|notice kind|occasion`: what makes a notice the same notice again.
    notice_key: str = Field(max_length=200)
    case_id: str = Field(max_length=40, index=True)
    kind: str = Field(max_length=40)
    county_code: str = Field(max_length=6)
    year: int
    seq: int
    issued_at: datetime = Field(default_factory=_now)
    issued_by: str = Field(max_length=64)


@dataclass(frozen=True)
class IssuedNumber:
    county_code: str
    year: int
    seq: int
    first: bool  # issued by this call (False: read back from an earlier production)


def notice_key(case_id: str, kind: str, occasion: str) -> str:
    return f"{case_id}|{kind}|{occasion}"


def _bump(conn: Connection, county_code: str, year: int) -> int:
    table = NoticeCounterRecord.__table__  # type: ignore[attr-defined]
    return bump(conn, table, county_code=county_code, year=year)


def _issued(conn: Connection, key: str) -> IssuedNumber | None:
    table = IssuedNoticeRecord.__table__  # type: ignore[attr-defined]
    row = conn.execute(
        select(table.c.county_code, table.c.year, table.c.seq).where(table.c.notice_key == key)
    ).first()
    if row is None:
        return None
    return IssuedNumber(row.county_code, int(row.year), int(row.seq), first=False)


def _record_issued(
    conn: Connection,
    key: str,
    case_id: str,
    kind: str,
    county_code: str,
    year: int,
    seq: int,
    issued_by: str,
) -> None:
    table = IssuedNoticeRecord.__table__  # type: ignore[attr-defined]
    conn.execute(
        table.insert().values(
            notice_key=key,
            case_id=case_id,
            kind=kind,
            county_code=county_code,
            year=year,
            seq=seq,
            issued_at=_now(),
            issued_by=issued_by,
        )
    )


def issue_number(
    engine: Engine,
    *,
    case_id: str,
    kind: str,
    occasion: str,
    county_code: str,
    year: int,
    issued_by: str,
) -> IssuedNumber:
    """The notice's document number: the one it was given, else the county's next for `year`."""
    key = notice_key(case_id, kind, occasion)
    for _ in range(5):
        with engine.connect() as conn:
            found = _issued(conn, key)
        if found is not None:
            return found
        try:
            with engine.begin() as conn:
                seq = _bump(conn, county_code, year)
                _record_issued(conn, key, case_id, kind, county_code, year, seq, issued_by)
            return IssuedNumber(county_code, year, seq, first=True)
        except IntegrityError:
            continue  # a concurrent production of the same notice won: read its number
    raise RuntimeError("could not issue a document number")


def issued_for_case(engine: Engine, case_id: str) -> dict[str, IssuedNumber]:
    """The numbers issued to a case's notices, by notice key."""
    table = IssuedNoticeRecord.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.notice_key, table.c.county_code, table.c.year, table.c.seq).where(
                table.c.case_id == case_id
            )
        ).all()
    return {
        r.notice_key: IssuedNumber(r.county_code, int(r.year), int(r.seq), first=False)
        for r in rows
    }


def restore_issued(engine: Engine, case_id: str, refs: list[tuple[str, str, str, int, int]]) -> int:
    """Writes back the numbers a case's files say were issued to its notices
    (`(kind, occasion, county, year, seq)` each), and raises each county's and year's counter
    past them, so a rebuilt read model neither reissues nor reuses a number. Numbers already
    recorded are left alone; returns how many were written."""
    issued = IssuedNoticeRecord.__table__  # type: ignore[attr-defined]
    counters = NoticeCounterRecord.__table__  # type: ignore[attr-defined]
    written = 0
    with engine.begin() as conn:
        for kind, occasion, county_code, year, seq in refs:
            key = notice_key(case_id, kind, occasion)
            taken = conn.execute(
                select(issued.c.id).where(
                    (issued.c.notice_key == key)
                    | (
                        (issued.c.county_code == county_code)
                        & (issued.c.year == year)
                        & (issued.c.seq == seq)
                    )
                )
            ).first()
            if taken is None:
                _record_issued(conn, key, case_id, kind, county_code, year, seq, "rebuild")
                written += 1
            raise_to(conn, counters, seq, county_code=county_code, year=year)
    return written
