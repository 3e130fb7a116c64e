"""Data of a social-insurance transfer case (SI rules): pension or medical, agency by agency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from domain.common import Actor, CaseNumber, Command, CountyCode, Money, Reason, StrictModel
from domain.deadlines import Deadline
from domain.files import CaseFile
from domain.parties import Claimant
from domain.regions import RegionSettings


class TransferKind(StrEnum):
    pension = "pension"
    medical = "medical"


class TransferStage(StrEnum):
    applied = "applied"  # pension: the new agency owes the acceptance letter
    letter_issued = "letter_issued"  # pension: the old agency owes the transfer
    transfer_out = "transfer_out"  # medical: the old agency owes the transfer-out
    funds_sent = "funds_sent"  # the new agency owes confirming receipt
    received = "received"  # pension: the new agency owes completion
    awaiting_documents = "awaiting_documents"
    completed = "completed"
    closed = "closed"


class ContributionYear(StrictModel):
    year: int = Field(ge=1998, le=2100)
    months: int = Field(ge=1, le=12)
    monthly_base: Money = Field(gt=0)


class Agency(StrictModel):
    county_code: CountyCode
    name: str = Field(min_length=1, max_length=200)


class TransferIntake(StrictModel):
    kind: TransferKind
    worker: Claimant
    from_agency: Agency
    to_agency: Agency
    # SI-2: pension funds are computed from these.
    contributions: list[ContributionYear] = Field(default_factory=list, max_length=80)
    individual_account: Money = Field(default=Decimal("0.00"), ge=0)
    # SI-4: medical continuity.
    old_coverage_ended_on: date | None = None
    new_coverage_starts_on: date | None = None
    summary: Reason
    # The bureau's own number for the case, if it gave one: unique in its county.
    case_number: CaseNumber | None = None
    opened_by: Actor

    @model_validator(mode="after")
    def _check(self) -> TransferIntake:
        if self.from_agency.county_code == self.to_agency.county_code:
            raise ValueError("the old and new agencies must be in different regions")
        # SI-1: the worker applies at the new region's agency.
        if self.opened_by.county_code != self.to_agency.county_code:
            raise ValueError("the application is opened by the new region's agency")
        years = [c.year for c in self.contributions]
        if len(set(years)) != len(years):
            raise ValueError("each contribution year appears once")
        if self.kind is TransferKind.pension and not self.contributions:
            raise ValueError("a pension transfer needs the contribution history (SI-2)")
        if self.kind is TransferKind.medical and (
            self.old_coverage_ended_on is None or self.new_coverage_starts_on is None
        ):
            raise ValueError(
                "a medical transfer needs old_coverage_ended_on and new_coverage_starts_on (SI-4)"
            )
        return self


class Amounts(StrictModel):
    individual_account: Decimal
    pooled_funds: Decimal

    @property
    def total(self) -> Decimal:
        return self.individual_account + self.pooled_funds


class Continuity(StrictModel):
    gap_months: int
    continuous: bool
    waiting_period_months: int


# Commands.


class IssueAcceptanceLetter(Command):
    # SI-1: the old agency's 15 working days run from its receipt of the letter (absent: the
    # day the letter is recorded, e.g. sent through the national platform).
    received_on: date | None = None


class SendTransfer(Command):
    pass


class ConfirmReceipt(Command):
    individual_account: Money = Field(ge=0)
    pooled_funds: Money = Field(ge=0)
    # SI-1: the new agency's 15 working days run from its receipt of the funds (absent: the
    # day the receipt is recorded).
    received_on: date | None = None


class CompleteTransfer(Command):
    pass


class RejectForMissingDocuments(Command):
    missing: list[str] = Field(min_length=1, max_length=20)


class DocumentsReceived(Command):
    pass


class CloseTransfer(Command):
    outcome: str = Field(pattern=r"^(withdrawn|completed)$")


class TransferEvent(StrictModel):
    kind: str
    at: datetime
    actor_id: str | None
    county_code: str | None = None
    reason: str
    details: dict[str, str] = Field(default_factory=dict)


class TransferState(StrictModel):
    case_id: str
    intake: TransferIntake
    region: RegionSettings
    stage: TransferStage
    amounts: Amounts | None = None
    continuity: Continuity | None = None
    # The step a rejection interrupted, resumed when the documents arrive (SI-5).
    waiting_step: TransferStage | None = None
    escalated: bool = False
    deadlines: list[Deadline] = Field(default_factory=list)
    events: list[TransferEvent] = Field(default_factory=list)
    opened_at: datetime
    closed_at: datetime | None = None
    # Attached files by hash, name, type and size; the content lives in the file store.
    files: list[CaseFile] = Field(default_factory=list)
    revision: int = 0
