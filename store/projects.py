"""The read model of project watches (PW rules): projects, their months, their rosters.

Written by the project workflow's flusher (one revision at a time, an older one never
overwrites a newer), read by the project list, the at-risk board and the project page. No
names, ID numbers or mobiles: a worker is its number on the project's roster; the personal
data stays in the workflow (encrypted in its history) and is shown by the project's view.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import JSON, Column, Index, Numeric, delete
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, func, select

from domain.project_watch.view import ProjectSnapshot


def _now() -> datetime:
    return datetime.now(UTC)


class ProjectRecord(SQLModel, table=True):
    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_county_risk", "county_code", "risk"),)

    project_id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    county_code: str = Field(max_length=6)
    general_contractor: str = Field(max_length=200)
    status: str = Field(max_length=20)
    risk: str = Field(max_length=20)
    risk_month: str | None = Field(default=None, max_length=7)
    risk_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    breaches_in_a_row: int = 0
    open_case_id: str | None = Field(default=None, max_length=40)
    next_due_at: datetime | None = None
    revision: int = 0
    updated_at: datetime = Field(default_factory=_now)


class ProjectMonthRecord(SQLModel, table=True):
    __tablename__ = "project_months"

    project_id: str = Field(primary_key=True, max_length=40)
    month: str = Field(primary_key=True, max_length=7)
    funded: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(14, 2)))
    funding_late: bool = False
    sheet_confirmed: bool = False
    paid_in_full: bool = False
    breached_workers: int = 0
    owed: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(14, 2)))
    closed: bool = False
    case_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # The grid: one cell per worker number (see domain/project_watch/view.WorkerCell).
    workers: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class ProjectWorkerRecord(SQLModel, table=True):
    __tablename__ = "project_workers"

    project_id: str = Field(primary_key=True, max_length=40)
    worker_no: int = Field(primary_key=True)
    subcontractor: str = Field(max_length=18)
    start_on: str = Field(max_length=10)
    end_on: str | None = Field(default=None, max_length=10)
    card_last4: str = Field(max_length=4)


def sync_project(engine: Engine, snap: ProjectSnapshot) -> None:
    """Upserts the project, its months in the workflow's state and its roster, unless the
    read model shows a newer revision already. Months and workers the workflow no longer
    carries (closed, left) keep their last rows."""
    with Session(engine) as session:
        row = session.get(ProjectRecord, snap.project_id)
        if row is not None and row.revision > snap.revision:
            return
        values = snap.model_dump(exclude={"months", "roster"})
        if row is None:
            row = ProjectRecord(**values)
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_at = _now()
        session.add(row)
        for m in snap.months:
            month = session.get(ProjectMonthRecord, (snap.project_id, m.month))
            data = m.model_dump(mode="json")
            data["funded"], data["owed"] = m.funded, m.owed
            if month is None:
                month = ProjectMonthRecord(project_id=snap.project_id, **data)
            else:
                for k, v in data.items():
                    setattr(month, k, v)
            session.add(month)
        for w in snap.roster:
            worker = session.get(ProjectWorkerRecord, (snap.project_id, w.worker_no))
            if worker is None:
                worker = ProjectWorkerRecord(project_id=snap.project_id, **w.model_dump())
            else:
                for k, v in w.model_dump().items():
                    setattr(worker, k, v)
            session.add(worker)
        session.commit()


def project_county(session: Session, project_id: str) -> str | None:
    row = session.get(ProjectRecord, project_id)
    return row.county_code if row is not None else None


def list_projects(
    session: Session,
    counties: tuple[str, ...] | list[str],
    county_code: str | None = None,
    at_risk: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ProjectRecord], int]:
    query = select(ProjectRecord).where(col(ProjectRecord.county_code).in_(list(counties)))
    if county_code is not None:
        query = query.where(ProjectRecord.county_code == county_code)
    if at_risk:
        query = query.where(ProjectRecord.risk != "ok")
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(ProjectRecord.county_code), col(ProjectRecord.project_id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def at_risk_by_county(session: Session, counties: list[str]) -> dict[str, dict[str, int]]:
    """The board's counts: per county, projects by risk (funding late, payroll breached,
    high risk; PW-2, PW-4)."""
    rows = session.exec(
        select(ProjectRecord.county_code, ProjectRecord.risk, func.count())
        .where(col(ProjectRecord.county_code).in_(counties), ProjectRecord.risk != "ok")
        .group_by(col(ProjectRecord.county_code), col(ProjectRecord.risk))
    ).all()
    out: dict[str, dict[str, int]] = {}
    for county, risk, n in rows:
        out.setdefault(county, {})[risk] = int(n)
    return out


def active_by_county(session: Session, counties: list[str]) -> dict[str, int]:
    """The dashboard's counts: per county, the projects still watched (PW-1, PW-6)."""
    rows = session.exec(
        select(ProjectRecord.county_code, func.count())
        .where(col(ProjectRecord.county_code).in_(counties), ProjectRecord.status != "ended")
        .group_by(col(ProjectRecord.county_code))
    ).all()
    return {county: int(n) for county, n in rows}


_Row = TypeVar("_Row", ProjectMonthRecord, ProjectWorkerRecord)


def _rows_of(session: Session, table: type[_Row], project_id: str, order: Any) -> list[_Row]:
    query = select(table).where(col(table.project_id) == project_id).order_by(col(order))
    return list(session.exec(query).all())


def project_months(session: Session, project_id: str) -> list[ProjectMonthRecord]:
    return _rows_of(session, ProjectMonthRecord, project_id, ProjectMonthRecord.month)


def project_workers(session: Session, project_id: str) -> list[ProjectWorkerRecord]:
    return _rows_of(session, ProjectWorkerRecord, project_id, ProjectWorkerRecord.worker_no)


def forget(engine: Engine, project_id: str) -> None:
    """Only for tests and the rebuild: the project's rows gone."""
    with Session(engine) as session:
        for table in (ProjectMonthRecord, ProjectWorkerRecord, ProjectRecord):
            session.exec(delete(table).where(col(table.project_id) == project_id))
        session.commit()
