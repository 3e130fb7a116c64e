"""Official holiday schedules loaded by operators (State Council notices), per year (CAL-2)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import JSON, Column
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select


class CalendarYearRecord(SQLModel, table=True):
    __tablename__ = "calendar_years"

    year: int = Field(primary_key=True)
    holidays: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    makeup_workdays: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    source: str = Field(max_length=200)
    digest: str = Field(max_length=64)
    loaded_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    digest: str

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5


def schedule_digest(holidays: list[date], makeup_workdays: list[date]) -> str:
    canonical = json.dumps(
        {
            "holidays": sorted(d.isoformat() for d in holidays),
            "makeup_workdays": sorted(d.isoformat() for d in makeup_workdays),
        }
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# Which schedules are stored: each year with its digest, in year order.
Stamp = tuple[tuple[int, str], ...]


def stamp_of(schedules: dict[int, YearSchedule]) -> Stamp:
    return tuple((year, schedules[year].digest) for year in sorted(schedules))


def stored_stamp(engine: Engine) -> Stamp:
    """The stored years and their digests, without their days: what tells a process holding
    the schedules whether an operator has loaded or replaced a year since."""
    with Session(engine) as session:
        rows = session.exec(
            select(CalendarYearRecord.year, CalendarYearRecord.digest).order_by(
                col(CalendarYearRecord.year)
            )
        ).all()
    return tuple((year, digest) for year, digest in rows)


def load_schedules(engine: Engine) -> dict[int, YearSchedule]:
    with Session(engine) as session:
        rows = session.exec(select(CalendarYearRecord)).all()
    return {
        row.year: YearSchedule(
            year=row.year,
            holidays=frozenset(date.fromisoformat(d) for d in row.holidays),
            makeup_workdays=frozenset(date.fromisoformat(d) for d in row.makeup_workdays),
            digest=row.digest,
        )
        for row in rows
    }


def save_schedule(
    engine: Engine, year: int, holidays: list[date], makeup_workdays: list[date], source: str
) -> tuple[CalendarYearRecord, bool]:
    """Stores a year's schedule; whether it differs from what was stored before."""
    digest = schedule_digest(holidays, makeup_workdays)
    with Session(engine) as session:
        row = session.get(CalendarYearRecord, year)
        changed = row is None or row.digest != digest
        if row is None:
            row = CalendarYearRecord(year=year, source=source, digest=digest)
        row.holidays = sorted(d.isoformat() for d in holidays)
        row.makeup_workdays = sorted(d.isoformat() for d in makeup_workdays)
        row.source = source
        row.digest = digest
        row.loaded_at = datetime.now(UTC)
        session.add(row)
        session.commit()
        session.refresh(row)
        return row, changed
