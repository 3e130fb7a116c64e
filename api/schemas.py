"""Request and response shapes of the HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from domain.deadlines import Deadline, SlaState
from domain.files import NoticeRef


class CaseSummary(BaseModel):
    case_id: str
    kind: str
    status: str
    severity: str | None
    county_code: str
    employer_name: str | None
    # How a wage-arrears case came in (complaint, platform_clue, inspection, hotline).
    source: str | None = None
    # `online`: the worker filed it through the worker's window (docs/worker-window.md).
    channel: str | None = None
    workers_count: int
    amount_owed: Decimal
    amount_paid: Decimal
    next_due_at: datetime | None
    next_due_name: str | None
    next_due_rule: str | None = None
    sla_state: SlaState | None
    provisional: bool
    breached_count: int
    priority: bool
    opened_at: datetime
    closed_at: datetime | None


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    limit: int
    offset: int


class WorkerPublic(BaseModel):
    worker_no: int
    name: str
    id_number: str
    mobile: str
    owed: Decimal
    paid: Decimal
    awaiting_confirmation: Decimal
    outstanding: Decimal
    months_owed: int | None


class DeadlinePublic(Deadline):
    sla_state: SlaState
    is_paused: bool


class AvailableAction(BaseModel):
    action: str
    rule: str
    roles: list[str]
    # Whether the caller's role is among `roles`: the state allows every listed action, the
    # caller may take only these (the workflow still checks county and input).
    allowed: bool = False


class ActionNotYet(BaseModel):
    """An action of the caller's role that the case's state refuses now, with why."""

    action: str
    rule: str
    reason: str
    reason_zh: str | None = None


class Totals(BaseModel):
    owed: Decimal
    paid: Decimal
    outstanding: Decimal


class CaseDetailBase(BaseModel):
    """What the detail of a case of any kind holds besides its kind's own fields."""

    case_id: str
    # The bureau's own number for the case, if it gave one (unique in its county).
    case_number: str | None = None
    kind: str
    available_actions: list[AvailableAction]
    # The caller's role's other actions, refused by the state now: the page says why.
    not_yet: list[ActionNotYet] = []
    linked_cases: list[dict[str, str]]
    revision: int
    # Set when the case's workflow ended without the case being closed (domain/case_ends.py):
    # `status` is then the same value, no action is available and no clock is pending.
    ended_abnormally: str | None = Field(
        default=None, description="terminated, failed, timed_out or canceled; null if not"
    )
    ended_at: datetime | None = None


class WageArrearsDetail(CaseDetailBase):
    status: str
    severity: str
    triaged: bool
    county_code: str
    township: str | None
    source: str
    channel: str | None = None
    clue_number: str | None
    sector: str
    mass_incident_risk: bool
    employer: dict[str, Any]
    project: dict[str, Any] | None
    workers: list[WorkerPublic]
    totals: Totals
    deadlines: list[DeadlinePublic]
    payments: list[dict[str, Any]]
    ladder: list[dict[str, Any]]
    breaches: list[dict[str, Any]]
    order_to_pay_missed: bool
    police_referral_active: bool
    listed_until: date | None
    opened_at: datetime
    settled_at: datetime | None
    closed_at: datetime | None
    close_outcome: str | None


class HistoryEntry(BaseModel):
    # Event ids count from 1 in each run of a case that continued as new.
    run: int = 1
    event_id: int
    time: datetime
    kind: str
    what: str
    actor: dict[str, str] | None = None
    reason: str | None = None
    details: dict[str, Any] = {}
    outcome: str | None = None
    # The case's status before and after the entry took effect, read from the history.
    status_before: str | None = None
    status_after: str | None = None


class CaseHistory(BaseModel):
    case_id: str
    events: list[HistoryEntry]


class ActionOutcome(BaseModel):
    case_id: str
    status: str
    revision: int
    available_actions: list[str]


class DisputeDetail(CaseDetailBase):
    stage: str
    status: str
    priority: bool
    county_code: str
    origin: str
    employer: dict[str, Any]
    workers: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    claims_total: Decimal
    limitation: dict[str, Any] | None
    agreement_amount: Decimal | None
    performance_date: date | None
    may_sue: bool
    worker_sued: bool
    award: dict[str, Any] | None
    advance_execution: bool
    deadlines: list[DeadlinePublic]
    events: list[dict[str, Any]]
    opened_at: datetime
    closed_at: datetime | None
    close_outcome: str | None


class TransferDetail(CaseDetailBase):
    transfer_kind: str
    stage: str
    status: str
    county_code: str
    worker: dict[str, str]
    from_agency: dict[str, str]
    to_agency: dict[str, str]
    amounts: dict[str, Decimal] | None
    continuity: dict[str, Any] | None
    escalated: bool
    waiting_step: str | None
    deadlines: list[DeadlinePublic]
    events: list[dict[str, Any]]
    opened_at: datetime
    closed_at: datetime | None


class CountyStatsPublic(BaseModel):
    county_code: str = Field(description="a county's code, or `all` for the totals")
    cases_total: int
    open_cases: int = Field(description="not settled and not closed, of the kinds asked for")
    open_arrears_cases: int = Field(description="open wage-arrears cases")
    amount_owed: Decimal
    amount_recovered: Decimal = Field(description="paid to the workers so far")
    amount_outstanding: Decimal
    settled: int
    settled_within_deadline: int = Field(description="settled with their own deadline met")
    settled_within_deadline_share: float | None = Field(description="0 to 1; null if none")
    mean_days_to_settle: float | None
    median_days_to_settle: float | None
    overdue_cases: int = Field(description="open cases with a deadline overdue or breached")
    overdue_deadlines: int


class WeekCountPublic(BaseModel):
    week_start: date = Field(description="the Monday of the week, China Standard Time")
    opened: int
    closed: int = Field(description="settled or closed that week")


class CampaignProgressPublic(BaseModel):
    name: str = Field(
        description="campaign_3_months, campaign_year_end or campaign_spring_festival (WA-4)"
    )
    clear_by: date = Field(description="for campaign_3_months: the soonest case's 3-month day")
    campaign_year: int = Field(description="the cases opened this year must be cleared")
    days_left: int
    cases: int
    cleared: int
    left_open: int
    overdue: int = Field(0, description="of left_open, those past their clearance date")


class StatsPage(BaseModel):
    generated_at: datetime
    counties: list[CountyStatsPublic]
    totals: CountyStatsPublic
    weekly: list[WeekCountPublic]
    campaign: list[CampaignProgressPublic]


class CaseFilePublic(BaseModel):
    """A file of a case: what its history records, and where to download it."""

    sha256: str
    name: str
    media_type: str
    size: int
    attached_at: datetime
    attached_by: str
    attached_by_role: str
    # The official notice the file is, with its document number's parts (None: an upload).
    notice: NoticeRef | None = None
    url: str


class CaseFileList(BaseModel):
    items: list[CaseFilePublic]


class RosterWorkerPublic(BaseModel):
    """PW-1: a worker of the real-name roster, masked unless the caller's role needs them."""

    worker_no: int
    name: str
    id_number: str
    mobile: str
    bank_card: str
    subcontractor: str
    start_on: date
    end_on: date | None


class ProjectWatchDetail(CaseDetailBase):
    """A project payroll watch (PW-1..PW-6): its parties, roster and months as a grid."""

    status: str
    county_code: str
    name: str
    builder: dict[str, str]
    general_contractor: dict[str, str]
    subcontractors: list[dict[str, str]]
    # PW-1: the dedicated wage account (its number masked but for the last 4 digits).
    wage_account: dict[str, str]
    # PW-5: the deposit WA-7 draws on.
    guarantee_deposit: Decimal
    pay_day: int
    grace_days: int
    risk: str
    risk_month: str | None
    risk_amount: Decimal | None
    breaches_in_a_row: int
    roster: list[RosterWorkerPublic]
    # Month by month: funded, sheet confirmed, paid, per worker number (no personal data).
    months: list[dict[str, Any]]
    months_closed_before: int
    open_case_id: str | None
    deadlines: list[DeadlinePublic] = []
    opened_at: datetime
    closed_at: datetime | None
    # A link also names its months, workers and whether it is settled or closed.
    linked_cases: list[dict[str, Any]]


# What `GET /api/v1/cases/{id}` answers: the detail of the case's kind.
AnyCaseDetail = WageArrearsDetail | DisputeDetail | TransferDetail | ProjectWatchDetail
