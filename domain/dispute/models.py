"""Data of a dispute case: mediation → arbitration → court and enforcement (MA rules)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from domain.common import (
    Actor,
    CaseNumber,
    Command,
    CountyCode,
    PositiveMoney,
    Reason,
    StrictModel,
)
from domain.deadlines import Deadline
from domain.files import CaseFile
from domain.parties import Claimant, Employer, ServiceManner
from domain.regions import RegionSettings

GROUP_SIZE = 10  # MA-4 green channel; LDMAL Art.7
# As many claims (and award items) as a wage-arrears case has workers: a mass case's
# referral to mediation carries one claim a worker.
MAX_CLAIMS = 1000


class DisputeOrigin(StrEnum):
    mediation = "mediation"
    arbitration = "arbitration"


class DisputeStage(StrEnum):
    mediation = "mediation"
    agreement = "agreement"
    agreement_unperformed = "agreement_unperformed"
    payment_order = "payment_order"
    arbitration_applied = "arbitration_applied"
    arbitration = "arbitration"
    award = "award"
    litigation = "litigation"
    enforcement = "enforcement"
    closed = "closed"


class ClaimItem(StrictModel):
    description: str = Field(min_length=1, max_length=200)
    amount: PositiveMoney


class DisputeIntake(StrictModel):
    origin: DisputeOrigin
    county_code: CountyCode
    employer: Employer
    workers: list[Claimant] = Field(min_length=1, max_length=1000)
    migrant_workers: bool = True
    wage_claim: bool = True
    claims: list[ClaimItem] = Field(min_length=1, max_length=MAX_CLAIMS)
    # MA-3: when the worker knew of the infringement, when the job ended, what interrupted.
    claim_known_on: date
    employment_ended_on: date | None = None
    limitation_interrupted_on: list[date] = Field(default_factory=list, max_length=50)
    linked_case_id: str | None = Field(default=None, pattern=r"^[A-Z]{2}-\d{4}-\d{6}$")
    summary: Reason
    # The bureau's own number for the case, if it gave one: unique in its county.
    case_number: CaseNumber | None = None
    opened_by: Actor

    @model_validator(mode="after")
    def _check(self) -> DisputeIntake:
        if self.opened_by.county_code != self.county_code:
            raise ValueError("opened_by must belong to the case's county")
        ids = [w.id_number for w in self.workers]
        if len(set(ids)) != len(ids):
            raise ValueError("the same worker appears twice in workers")
        return self


class AwardItemKind(StrEnum):
    """MA-8 (LDMAL Art.47): what an awarded item is about decides whether it can be final."""

    # Art.47(1): pay, work-injury medical costs, compensation or damages: final when at
    # most 12 x the local monthly minimum wage.
    money = "money"
    # Art.47(2): working time, rest and leave, social insurance under national labour
    # standards: final whatever the amount.
    labour_standards = "labour_standards"
    # Anything else (e.g. whether there is a labour relation): never final.
    other = "other"


class AwardItem(StrictModel):
    description: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    kind: AwardItemKind = AwardItemKind.money


class Award(StrictModel):
    items: list[AwardItem]
    made_on: date
    final: bool
    threshold: Decimal
    # MA-8: the minimum wage the award was judged against, and each item's finality.
    monthly_minimum_wage: Decimal | None = None
    items_final: list[bool] = Field(default_factory=list)
    # MA-10 (CPL Art.250): the last day of the performance period the award sets, if any.
    perform_by: date | None = None
    received_on: date | None = None
    # MA-9: each party's receipt (received_on is the first of them).
    worker_received_on: date | None = None
    employer_received_on: date | None = None
    effective_on: date | None = None


class Limitation(StrictModel):
    """MA-3: the one-year limitation, as computed on application."""

    runs_from: date
    expires_on: date
    applied_on: date
    time_barred: bool


# Commands.


class RecordMediationSession(Command):
    held_on: date


class RecordAgreement(Command):
    amount: PositiveMoney
    performance_date: date


class RecordMediationFailure(Command):
    pass


class RecordPerformance(Command):
    pass


class ApplyPaymentOrder(Command):
    # MA-2: the court issues within 15 days of accepting the application (受理).
    accepted_on: date | None = None


class RecordPaymentOrder(Command):
    served_on: date


class RecordPaymentOrderObjection(Command):
    pass


class ApplyForArbitration(Command):
    pass


class DecideAcceptance(Command):
    decision: Literal["accept", "refuse"]


class RecordService(Command):
    """MA-5: the application was served on the respondent: the legal date and how (送达方式)."""

    served_on: date
    manner: ServiceManner = "direct"


class RecordDefence(Command):
    received_on: date


class ScheduleHearing(Command):
    hearing_at: datetime
    notice_served_on: date

    @model_validator(mode="after")
    def _aware(self) -> ScheduleHearing:
        if self.hearing_at.tzinfo is None:
            raise ValueError("hearing_at must carry a time zone")
        return self


class ChangeClaims(Command):
    """MA-7: added or changed claims, a counterclaim, or the case transferred to it."""

    claims: list[ClaimItem] = Field(default_factory=list, max_length=MAX_CLAIMS)
    change: Literal["claims", "counterclaim", "transfer"] = "claims"

    @model_validator(mode="after")
    def _claims(self) -> ChangeClaims:
        if self.change != "transfer" and not self.claims:
            raise ValueError("claims are required for changed claims and counterclaims")
        return self


class RecordAward(Command):
    items: list[AwardItem] = Field(min_length=1, max_length=MAX_CLAIMS)
    made_on: date
    perform_by: date | None = None


class RecordAwardReceived(Command):
    received_on: date
    # MA-9: whose receipt; each party's windows run from its own.
    party: Literal["both", "worker", "employer"] = "both"


class RecordSuit(Command):
    by: Literal["worker", "employer"]


class ApplyRevocation(Command):
    pass


class RecordJudgment(Command):
    outcome: Literal["for_worker", "for_employer", "partly", "settled", "withdrawn"]


class ApplyEnforcement(Command):
    advance_execution: bool = False


class CloseDispute(Command):
    outcome: Literal["performed", "withdrawn", "judged", "enforced", "transferred"]


# State.


class DisputeEvent(StrictModel):
    """A step of the case file that has no deadline of its own (sessions, hearings)."""

    kind: str
    at: datetime
    actor_id: str | None
    reason: str
    details: dict[str, str] = Field(default_factory=dict)


class DisputeState(StrictModel):
    case_id: str
    intake: DisputeIntake
    region: RegionSettings
    stage: DisputeStage
    priority: bool
    opened_at: datetime
    claims: list[ClaimItem]
    deadlines: list[Deadline] = Field(default_factory=list)
    events: list[DisputeEvent] = Field(default_factory=list)
    agreement_amount: Decimal | None = None
    performance_date: date | None = None
    limitation: Limitation | None = None
    may_sue: bool = False
    worker_sued: bool = False
    award: Award | None = None
    advance_execution: bool = False
    counterclaims: list[ClaimItem] = Field(default_factory=list)
    # Legal dates recorded by the steps that later clocks and checks count from.
    payment_order_accepted_on: date | None = None
    payment_order_served_on: date | None = None
    accepted_on: date | None = None
    respondent_served_on: date | None = None
    # Cases opened since the rules were read as written (RULES.md MA-1, MA-10, CAL-3): set
    # once, at opening, behind workflow.patched(), so older cases replay as they ran.
    law_as_written: bool = False
    closed_at: datetime | None = None
    close_outcome: str | None = None
    # Attached files by hash, name, type and size; the content lives in the file store.
    files: list[CaseFile] = Field(default_factory=list)
    revision: int = 0
