"""The project payroll watch's bodies and answers over HTTP (api/routers/projects.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.common import Reason, StrictModel
from domain.parties import BankCard, ResidentId
from domain.project_watch.models import (
    MAX_BATCH_LINES,
    BatchId,
    JoiningWorker,
    Month,
    PaymentLine,
    SheetLine,
)

Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]


# Bodies: the action's input less the actor (the caller) and the stamp (the API's).


class FundingIn(StrictModel):
    """PW-2: the builder's labour-cost funding into the dedicated wage account."""

    batch_id: BatchId
    month: Month
    amount: Money
    funded_on: date
    reason: Reason = "银行到账通知"


class WageSheetIn(StrictModel):
    """PW-3: the month's wage sheet, with each worker's confirmation on their line."""

    batch_id: BatchId
    month: Month
    lines: list[SheetLine] = Field(min_length=1, max_length=MAX_BATCH_LINES)
    reason: Reason = "工资支付表"


class PaymentsIn(StrictModel):
    """PW-3: the bank's batch of payments from the account into each worker's own card."""

    batch_id: BatchId
    month: Month
    lines: list[PaymentLine] = Field(min_length=1, max_length=MAX_BATCH_LINES)
    reason: Reason = "银行代发"


class RosterChangeIn(StrictModel):
    """PW-1: a change of the real-name roster: a worker joins (`worker`), leaves (`id_number`
    and `end_on`) or changes bank card (`id_number` and `bank_card`)."""

    change: Literal["join", "leave", "bank_card"]
    worker: JoiningWorker | None = None
    id_number: ResidentId | None = None
    end_on: date | None = None
    bank_card: BankCard | None = None
    reason: Reason = "实名制花名册变更"


class CompleteWorksIn(StrictModel):
    """PW-6: the works are completed; the watch ends once every worker is paid."""

    completed_on: date
    reason: Reason = "竣工验收"


class BatchOutcome(BaseModel):
    case_id: str
    batch_id: str | None = None
    status: str
    risk: str
    revision: int
    open_case_id: str | None
    available_actions: list[str]


class ProjectItem(BaseModel):
    """A project as the at-risk list shows it: no worker's name, ID number or card."""

    case_id: str
    name: str
    county_code: str
    general_contractor: str
    status: str
    risk: str
    risk_month: str | None
    risk_amount: Decimal | None = Field(
        description="what the project's workers are owed now by its wage sheets (PW-3)"
    )
    breaches_in_a_row: int
    open_case_id: str | None
    url: str


class ProjectPage(BaseModel):
    items: list[ProjectItem]
    total: int
    limit: int
    offset: int
    # PW-2, PW-4: per county of the caller's, the projects at risk by risk.
    at_risk_by_county: dict[str, dict[str, int]] = {}
    # PW-1, PW-6: per county of the caller's, the projects still watched.
    active_by_county: dict[str, int] = {}
