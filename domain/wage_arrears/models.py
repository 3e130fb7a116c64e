"""Data of a wage-arrears case: intake, commands (imperatives), state."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from domain.common import (
    Actor,
    CaseNumber,
    Command,
    CountyCode,
    Money,
    PositiveMoney,
    Reason,
    StrictModel,
)
from domain.deadlines import Deadline
from domain.files import CaseFile
from domain.parties import Employer, Mobile, Name, ResidentId, ServiceManner
from domain.regions import RegionSettings as RegionSettings


class CaseSource(StrEnum):
    complaint = "complaint"
    platform_clue = "platform_clue"
    inspection = "inspection"
    hotline = "hotline"
    # PW-4: opened by a project's payroll watch when a breach outlived its grace period.
    monitoring = "monitoring"


class Severity(StrEnum):
    general = "general"
    major = "major"


class CaseStatus(StrEnum):
    triage_pending = "triage_pending"
    open = "open"
    escalated = "escalated"
    settled = "settled"
    closed = "closed"


class PaidBy(StrEnum):
    employer = "employer"
    general_contractor = "general_contractor"
    guarantee_deposit = "guarantee_deposit"
    emergency_advance = "emergency_advance"


class CloseOutcome(StrEnum):
    settled = "settled"
    withdrawn = "withdrawn"
    unfounded = "unfounded"
    transferred = "transferred"
    refused = "refused"


class ClueReply(StrEnum):
    handled = "handled"
    transferred = "transferred"


class Project(StrictModel):
    name: Name
    general_contractor: Employer | None = None
    guarantee_deposit: Money | None = Field(default=None, ge=0)
    # PW-4, PW-5: the project watch that opened the case (its id, PW-...), linked both ways.
    watch_id: str | None = Field(default=None, pattern=r"^PW-\d{4}-\d{6}$")


class WorkerClaim(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=50)]
    id_number: ResidentId
    mobile: Mobile
    amount_owed: PositiveMoney
    months_owed: int | None = Field(default=None, ge=0, le=600)


class WageArrearsIntake(StrictModel):
    source: CaseSource
    clue_number: str | None = Field(default=None, min_length=1, max_length=64)
    county_code: CountyCode
    township: str | None = Field(default=None, max_length=100)
    employer: Employer
    project: Project | None = None
    sector: str = Field(min_length=1, max_length=100)
    workers: list[WorkerClaim] = Field(min_length=1, max_length=1000)
    mass_incident_risk: bool = False
    # WA-12 (LSSR Art.20): the day the violation ended (a continuing one: the day it ended);
    # reported more than 2 years later it is not pursued.
    violation_ended_on: date | None = None
    summary: Reason
    # The bureau's own number for the case, if it gave one: unique in its county.
    case_number: CaseNumber | None = None
    # How the case reached the bureau, when not through its staff: `online`, a worker's own
    # complaint through the worker's window (PUB-5). Never set through the staff API.
    channel: Literal["online"] | None = None
    opened_by: Actor

    @model_validator(mode="after")
    def _check(self) -> WageArrearsIntake:
        # WA-13: a platform clue keeps the platform's clue number.
        if self.source is CaseSource.platform_clue and not self.clue_number:
            raise ValueError("clue_number is required when source is platform_clue (WA-13)")
        if self.source is not CaseSource.platform_clue and self.clue_number:
            raise ValueError("clue_number is only for source platform_clue")
        ids = [w.id_number for w in self.workers]
        if len(set(ids)) != len(ids):
            raise ValueError("the same worker appears twice in workers")
        if self.opened_by.county_code != self.county_code:
            raise ValueError("opened_by must belong to the case's county")
        return self

    @property
    def total_owed(self) -> Decimal:
        return sum((w.amount_owed for w in self.workers), Decimal("0"))


# Commands: one model per human action.


class Triage(Command):
    severity: Severity
    mass_incident_risk: bool | None = None
    resolution_deadline: datetime | None = None


class RecordPayment(Command):
    worker_no: int = Field(ge=1)
    amount: PositiveMoney
    paid_by: PaidBy = PaidBy.employer
    paid_on: date


class ConfirmPayment(Command):
    payment_id: str = Field(pattern=r"^P\d+$")
    confirmed: bool = True
    confirmation: Literal["worker", "evidence"] = "worker"
    evidence_ref: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _evidence(self) -> ConfirmPayment:
        if self.confirmed and self.confirmation == "evidence" and not self.evidence_ref:
            raise ValueError("evidence_ref is required when confirming with evidence")
        return self


class IssueOrderToPay(Command):
    days: int | None = Field(default=None, ge=1, le=60)


class RecordOrderServed(Command):
    """WA-6: the order to pay was served on the employer (送达): the legal date it was served,
    which may be before the day it is recorded, and how."""

    served_on: date
    manner: ServiceManner = "direct"


class DrawGuaranteeDeposit(Command):
    amount: PositiveMoney


class ContractorPays(Command):
    pass


class EmergencyAdvance(Command):
    amount: PositiveMoney


class ReferToMediation(Command):
    pass


class ReferToPolice(Command):
    pass


class RecordPoliceOutcome(Command):
    outcome: Literal["filed", "returned"]


class ListOnPunishmentList(Command):
    incident_occurred: bool = False


class DecideComplaint(Command):
    decision: Literal["accept", "refuse"]


class ApplyForRemoval(Command):
    """WA-11: the employer applies to leave the joint-punishment list early."""

    applied_on: date


class DecideRemoval(Command):
    decision: Literal["remove", "refuse"]


class CloseCase(Command):
    outcome: CloseOutcome
    clue_reply: ClueReply | None = None


# State.


class Payment(StrictModel):
    payment_id: str
    worker_no: int
    amount: Decimal
    paid_by: PaidBy
    paid_on: date
    recorded_at: datetime
    recorded_by: str
    status: Literal["recorded", "confirmed", "disputed"] = "recorded"
    confirmation: Literal["worker", "evidence"] | None = None
    evidence_ref: str | None = None
    decided_at: datetime | None = None
    # Paid before the case was opened: it counts towards what the worker is owed and is
    # shown as such.
    before_opening: bool = False


class GivenUp(StrictModel):
    """WA-5: part of a worker's claim that a linked dispute's agreement or award left out."""

    worker_no: int
    amount: Decimal
    dispute_id: str
    basis: Literal["agreement", "award"]
    at: datetime


class RemovalApplication(StrictModel):
    """WA-11: an application for early removal from the list, and its decision."""

    applied_on: date
    applied_at: datetime
    applied_by: str
    decision: Literal["remove", "refuse"] | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None


class LadderStep(StrictModel):
    """One rung of the escalation ladder taken, by a person or by the system."""

    rung: str
    rule: str
    at: datetime
    actor_id: str | None
    reason: str
    amount: Decimal | None = None
    details: dict[str, str] = Field(default_factory=dict)


class Breach(StrictModel):
    deadline: str
    rule: str
    at: datetime


class LinkedCase(StrictModel):
    case_id: str
    kind: str
    relation: str
    outcome: str | None = None


class WageArrearsState(StrictModel):
    case_id: str
    intake: WageArrearsIntake
    region: RegionSettings
    severity: Severity
    triaged: bool = False
    status: CaseStatus
    opened_at: datetime
    deadlines: list[Deadline] = Field(default_factory=list)
    payments: list[Payment] = Field(default_factory=list)
    ladder: list[LadderStep] = Field(default_factory=list)
    breaches: list[Breach] = Field(default_factory=list)
    order_to_pay_missed: bool = False
    police_referral_active: bool = False
    listed_until: date | None = None
    removal_applications: list[RemovalApplication] = Field(default_factory=list)
    given_up: list[GivenUp] = Field(default_factory=list)
    # Cases opened since the rules were read as written (RULES.md WA-1, WA-5): set once, at
    # opening, behind workflow.patched(), so older cases replay as they ran.
    law_as_written: bool = False
    # WA-4: the campaign warnings spread over the day before their nominal time (a patch).
    campaign_warning_spread: bool = False
    settled_at: datetime | None = None
    closed_at: datetime | None = None
    close_outcome: CloseOutcome | None = None
    linked_cases: list[LinkedCase] = Field(default_factory=list)
    # Attached files by hash, name, type and size; the content lives in the file store.
    files: list[CaseFile] = Field(default_factory=list)
    revision: int = 0
