"""What the API reads of a project watch, and the rows the read model keeps of it: the case
row every kind has (`snapshot`), and the project's own rows (`project_rows`: its months as a
grid, its roster by number)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from domain.common import StrictModel
from domain.project_watch.clock import next_wake
from domain.project_watch.models import ProjectState, ProjectStatus, RiskLevel
from domain.project_watch.rules import available_actions
from domain.project_watch.transitions import open_case_id
from domain.snapshot import CaseSnapshot

KIND = "project_watch"


class ProjectView(StrictModel):
    state: ProjectState
    available_actions: list[str]


class ProjectResult(StrictModel):
    case_id: str
    status: ProjectStatus
    risk: RiskLevel
    revision: int
    available_actions: list[str]
    open_case_id: str | None = None


class WorkerCell(StrictModel):
    """One worker in one month of the grid: funded, sheet confirmed, paid (no personal
    data: the worker's number on the roster)."""

    worker_no: int
    sheet_amount: Decimal | None = None
    confirmed: bool = False
    paid: Decimal = Decimal("0")
    breached: bool = False
    case_id: str | None = None


class MonthRow(StrictModel):
    month: str
    funded: Decimal
    funding_late: bool
    sheet_confirmed: bool
    paid_in_full: bool
    breached_workers: int
    owed: Decimal
    closed: bool
    case_ids: list[str] = Field(default_factory=list)
    workers: list[WorkerCell] = Field(default_factory=list)


class RosterRow(StrictModel):
    worker_no: int
    subcontractor: str
    start_on: str
    end_on: str | None
    card_last4: str


class ProjectSnapshot(StrictModel):
    """The read model's rows of a project: no names, ID numbers or mobiles."""

    project_id: str
    name: str
    county_code: str
    general_contractor: str
    status: ProjectStatus
    risk: RiskLevel
    risk_month: str | None
    risk_amount: Decimal | None
    breaches_in_a_row: int
    open_case_id: str | None
    next_due_at: datetime | None
    revision: int
    months: list[MonthRow]
    roster: list[RosterRow]


def view(state: ProjectState) -> ProjectView:
    return ProjectView(state=state, available_actions=available_actions(state))


def action_result(state: ProjectState) -> ProjectResult:
    return ProjectResult(
        case_id=state.case_id,
        status=state.status,
        risk=state.risk,
        revision=state.revision,
        available_actions=available_actions(state),
        open_case_id=open_case_id(state),
    )


def snapshot(state: ProjectState, now: datetime) -> CaseSnapshot:
    """The project's row among the cases: its county, its general contractor (an
    organisation), its risk as its severity; never a worker's name."""
    return CaseSnapshot(
        case_id=state.case_id,
        kind=KIND,
        status=state.status.value,
        severity=None if state.risk is RiskLevel.ok else state.risk.value,
        county_code=state.intake.county_code,
        employer_name=state.intake.general_contractor.name,
        workers_count=len(state.roster),
        # What is owed is the wage-arrears case's once it opens (PW-4); counted there only,
        # never twice in the statistics. The project's own rows show its months' amounts.
        amount_owed=Decimal("0"),
        next_due_at=next_wake(state),
        breached_count=sum(1 for m in state.months for wm in m.workers.values() if wm.breached),
        opened_at=state.opened_at,
        closed_at=state.ended_at,
        revision=state.revision,
        # A project waits for no officer: the bank's and the contractors' systems send its
        # batches, and its own clock decides (it is not in the work queue).
        awaiting=[],
    )


def month_rows(state: ProjectState) -> list[MonthRow]:
    rows = []
    for m in state.months:
        cells = [
            WorkerCell(
                worker_no=int(no),
                sheet_amount=wm.sheet_amount,
                confirmed=wm.confirmed,
                paid=wm.paid,
                breached=wm.breached,
                case_id=wm.case_id,
            )
            for no, wm in sorted(m.workers.items(), key=lambda kv: int(kv[0]))
        ]
        sheet = [c for c in cells if c.sheet_amount is not None]
        rows.append(
            MonthRow(
                month=m.month,
                funded=m.funded,
                funding_late=m.funding_late,
                sheet_confirmed=bool(sheet) and all(c.confirmed for c in sheet),
                paid_in_full=bool(sheet) and all(c.paid >= (c.sheet_amount or 0) for c in sheet),
                breached_workers=sum(1 for c in cells if c.breached),
                owed=sum((wm.owed for wm in m.workers.values()), Decimal("0")),
                closed=m.closed,
                case_ids=sorted({c.case_id for c in cells if c.case_id}),
                workers=cells,
            )
        )
    return rows


def amount_at_risk(state: ProjectState) -> Decimal | None:
    """PW-3, PW-4: what the project's workers are owed now by its wage sheets, over the months
    it still holds (a sheet recorded late counts as soon as it is); None when nothing is."""
    owed = sum((wm.owed for m in state.months for wm in m.workers.values()), Decimal("0"))
    return owed or None


def project_rows(state: ProjectState) -> ProjectSnapshot:
    return ProjectSnapshot(
        project_id=state.case_id,
        name=state.intake.name,
        county_code=state.intake.county_code,
        general_contractor=state.intake.general_contractor.name,
        status=state.status,
        risk=state.risk,
        risk_month=state.risk_month,
        risk_amount=amount_at_risk(state),
        breaches_in_a_row=state.breaches_in_a_row,
        open_case_id=open_case_id(state),
        next_due_at=next_wake(state),
        revision=state.revision,
        months=month_rows(state),
        roster=[
            RosterRow(
                worker_no=w.worker_no,
                subcontractor=w.subcontractor,
                start_on=w.start_on.isoformat(),
                end_on=w.end_on.isoformat() if w.end_on else None,
                card_last4=w.bank_card[-4:],
            )
            for w in state.roster
        ],
    )
