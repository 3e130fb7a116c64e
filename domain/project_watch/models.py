"""Data of a project payroll watch (PW rules): intake, roster, monthly batches, state.

Where the roster lives, and its bound. The read model (`project_workers`, `project_months`)
keeps every worker and every month of every project for the 3 years PW-6 asks. The workflow
keeps only what its timers decide on: the active roster (at most `MAX_ROSTER` workers) and
the months still open (at most `MAX_OPEN_MONTHS`). A worker who left and whose months are
all closed is dropped from the workflow state; a closed month leaves it at the next run.
`MAX_ROSTER` = 1000 because one worker is about 300 bytes of state (name, ID number, card,
subcontractor, dates, the months' lines): 1000 workers and a few open months stay near
500 KB, under the server's 2 MB payload limit with room for the encryption envelope and the
carried idempotency keys, and a single site rarely rosters more at once. A larger site is
watched as several projects (one per section contract), as the dedicated account allows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from domain.common import (
    Actor,
    CaseNumber,
    Command,
    CountyCode,
    Money,
    PositiveMoney,
    StrictModel,
)
from domain.deadlines import Deadline
from domain.files import CaseFile
from domain.parties import BankCard, CreditCode, Employer, Mobile, Name, ResidentId

MAX_ROSTER = 1000
MAX_OPEN_MONTHS = 24
MAX_BATCH_LINES = 1000
MAX_SUBCONTRACTORS = 50

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
BatchId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class WageAccount(StrictModel):
    """PW-1: the project's dedicated wage account (工资专用账户)."""

    bank: Name
    account_no: Annotated[str, Field(pattern=r"^\d{8,32}$")]
    opened_on: date


class JoiningWorker(StrictModel):
    """PW-1: a worker joining the real-name roster (实名制): name, resident ID, own bank card,
    subcontractor, start date."""

    name: Annotated[str, Field(min_length=1, max_length=50)]
    id_number: ResidentId
    mobile: Mobile
    bank_card: BankCard
    subcontractor: CreditCode
    start_on: date


class RosterWorker(JoiningWorker):
    """PW-1: one worker of the real-name roster (实名制), with the end date once they left."""

    end_on: date | None = None


class ProjectIntake(StrictModel):
    """PW-1: what the construction contract and the account fix about the project."""

    name: Name
    county_code: CountyCode
    builder: Employer
    general_contractor: Employer
    subcontractors: list[Employer] = Field(default_factory=list, max_length=MAX_SUBCONTRACTORS)
    contract_signed_on: date
    wage_account: WageAccount
    guarantee_deposit: Money = Field(ge=0)
    # PW-3 (configurable per project): the day of the next month wages are due.
    pay_day: int = Field(default=15, ge=1, le=28)
    # PW-4 (configurable): days after the pay date before a breach opens a case; None: the
    # county's setting (default 3).
    grace_days: int | None = Field(default=None, ge=0, le=30)
    first_month: Month
    roster: list[RosterWorker] = Field(default_factory=list, max_length=MAX_ROSTER)
    # The bureau's own number for the project, if it gave one (unique in its county).
    case_number: CaseNumber | None = None
    opened_by: Actor

    @model_validator(mode="after")
    def _check(self) -> ProjectIntake:
        # PW-1 (53号): the account is opened within 30 days of the construction contract.
        if not 0 <= (self.wage_account.opened_on - self.contract_signed_on).days <= 30:
            raise ValueError(
                "the dedicated wage account is opened within 30 days of the contract (PW-1)"
            )
        ids = [w.id_number for w in self.roster]
        if len(set(ids)) != len(ids):
            raise ValueError("the same worker appears twice in the roster")
        known = {self.general_contractor.credit_code} | {s.credit_code for s in self.subcontractors}
        if any(w.subcontractor not in known for w in self.roster):
            raise ValueError("a rostered worker's subcontractor is not one of the project's")
        if self.opened_by.county_code != self.county_code:
            raise ValueError("opened_by must belong to the project's county")
        return self


# Commands: one per roster change and per batch. Batches carry their own id: sent twice,
# they are recorded once.


class JoinRoster(Command):
    worker: JoiningWorker


class LeaveRoster(Command):
    id_number: ResidentId
    end_on: date


class ChangeBankCard(Command):
    id_number: ResidentId
    bank_card: BankCard


class RecordFunding(Command):
    """PW-2: the builder's labour-cost funding into the dedicated account."""

    batch_id: BatchId
    month: Month
    amount: PositiveMoney
    funded_on: date


class SheetLine(StrictModel):
    id_number: ResidentId
    # PW-3: what the worker earned in the month; 0 for a rostered worker with no work in it
    # (a month's sheet says that too, so the month can close).
    amount: Money = Field(ge=0)
    confirmed: bool


class RecordWageSheet(Command):
    """PW-3: the month's wage sheet, each worker's confirmation on their line."""

    batch_id: BatchId
    month: Month
    lines: list[SheetLine] = Field(min_length=1, max_length=MAX_BATCH_LINES)


class PaymentLine(StrictModel):
    id_number: ResidentId
    bank_card: BankCard
    amount: PositiveMoney
    paid_on: date


class RecordPayments(Command):
    """PW-3: the bank's batch of payments from the account into the workers' cards."""

    batch_id: BatchId
    month: Month
    lines: list[PaymentLine] = Field(min_length=1, max_length=MAX_BATCH_LINES)


class CompleteWorks(Command):
    """PW-6: the works are completed; the watch ends once every worker is paid."""

    completed_on: date


# State.


class RiskLevel(StrEnum):
    ok = "ok"
    funding_late = "funding_late"
    payroll_breached = "payroll_breached"
    high_risk = "high_risk"


class ProjectStatus(StrEnum):
    watching = "watching"
    completing = "completing"
    ended = "ended"


class Worker(StrictModel):
    worker_no: int
    name: str
    id_number: str
    mobile: str
    bank_card: str
    subcontractor: str
    start_on: date
    end_on: date | None = None
    joined_by: str | None = None


class WorkerMonth(StrictModel):
    sheet_amount: Decimal | None = None
    confirmed: bool = False
    paid: Decimal = Decimal("0")
    breached: bool = False
    case_id: str | None = None

    @property
    def owed(self) -> Decimal:
        return max((self.sheet_amount or Decimal("0")) - self.paid, Decimal("0"))


class MonthRecord(StrictModel):
    month: str
    funding_due: datetime
    pay_due: datetime
    grace_due: datetime
    funded: Decimal = Decimal("0")
    funded_in_time: bool = False
    funding_checked: bool = False
    funding_late: bool = False
    pay_checked: bool = False
    grace_checked: bool = False
    # PW-3: the pay date came and no wage sheet says what the rostered workers were owed: the
    # month stays open until one does.
    sheet_awaited: bool = False
    batches: list[str] = Field(default_factory=list)
    # By worker_no (as a string: JSON object keys).
    workers: dict[str, WorkerMonth] = Field(default_factory=dict)
    closed: bool = False


class LinkedCase(StrictModel):
    case_id: str
    kind: str
    relation: str
    months: list[str] = Field(default_factory=list)
    worker_nos: list[int] = Field(default_factory=list)
    settled: bool = False
    # The case's workflow has ended (it was closed): a later breach opens another.
    closed: bool = False


class ProjectState(StrictModel):
    case_id: str
    intake: ProjectIntake
    grace_days: int
    status: ProjectStatus = ProjectStatus.watching
    opened_at: datetime
    next_worker_no: int = 1
    roster: list[Worker] = Field(default_factory=list)
    months: list[MonthRecord] = Field(default_factory=list)
    # Breaches in a row (funding or payroll), PW-4: two make the project high risk.
    breaches_in_a_row: int = 0
    risk: RiskLevel = RiskLevel.ok
    risk_month: str | None = None
    risk_amount: Decimal | None = None
    completed_on: date | None = None
    linked_cases: list[LinkedCase] = Field(default_factory=list)
    # Months closed in earlier runs, for the count only; their rows are in the read model.
    months_closed: int = 0
    runs: int = 1
    ended_at: datetime | None = None
    # Kept empty: the case machinery's deadline ledger; the watch has its own clock.
    deadlines: list[Deadline] = Field(default_factory=list)
    files: list[CaseFile] = Field(default_factory=list)
    revision: int = 0
