"""Decisions of a wage-arrears case: pure functions of state, command and time.

Each human action has a spec: who may take it, which state allows it (409 when not), and
what input it accepts (422 when wrong). The workflow's update validators and handlers call
these; nothing here does I/O.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from domain import actions
from domain.actions import ENFORCERS, OFFICERS, roles
from domain.actions import ActionSpec as GenericActionSpec
from domain.calendar import years_after
from domain.campaign import add_months
from domain.common import (
    CST,
    ActionNotAllowed,
    Command,
    InvalidActionInput,
    Role,
    cst_date,
)
from domain.deadlines import (
    Deadline,
    DeadlineBasis,
    DeadlinePolicy,
    DeadlineState,
    DueRequest,
    ExtendDeadline,
    PauseDeadline,
    ResumeDeadline,
    check_extend,
    check_pause,
    check_resume,
    find_pending,
)
from domain.files import AttachFile
from domain.input_dates import not_before, not_future
from domain.wage_arrears import accounts
from domain.wage_arrears.models import (
    ApplyForRemoval,
    CaseSource,
    CaseStatus,
    CloseCase,
    CloseOutcome,
    ClueReply,
    ConfirmPayment,
    ContractorPays,
    DecideComplaint,
    DecideRemoval,
    DrawGuaranteeDeposit,
    EmergencyAdvance,
    IssueOrderToPay,
    LadderStep,
    ListOnPunishmentList,
    PaidBy,
    RecordOrderServed,
    RecordPayment,
    RecordPoliceOutcome,
    ReferToMediation,
    ReferToPolice,
    RegionSettings,
    Severity,
    Triage,
    WageArrearsIntake,
    WageArrearsState,
)

SETTLE = "settle"
ORDER_TO_PAY = "order_to_pay"
ORDER_SERVED = "order_to_pay_served"
DEPOSIT_PAYOUT = "deposit_payout"
COMPLAINT_ACCEPTANCE = "complaint_acceptance"
INVESTIGATION = "investigation"
LISTING_YEARS = 3  # WA-11
REMOVAL_AFTER_MONTHS = 6  # WA-11: early removal may be applied for 6 months after paying
NOT_PURSUED_AFTER_YEARS = 2  # WA-12, LSSR Art.20
COMPLAINT_ACCEPTANCE_WORKING_DAYS = 5  # WA-12
INVESTIGATION_WORKING_DAYS = 60  # WA-12

# WA-2: the supervisor who set a major case's deadline may move it.
MAJOR_SETTLE_POLICY = DeadlinePolicy(extendable=True)
ORDER_TO_PAY_POLICY = DeadlinePolicy(extendable=True, max_extensions=1, max_extension_days=30)
# WA-12: one extension of 30 working days, approved; an investigation may be suspended.
INVESTIGATION_POLICY = DeadlinePolicy(
    extendable=True,
    max_extensions=1,
    max_extension_days=30,
    approval_required=True,
    pausable=True,
)
# Deadlines that closing a case ends as met rather than cancelled: the investigation ends
# with the case, and a closed case counts as cleared for the campaign.
ENDS_WITH_CASE = ("investigation", "campaign_")


def classify(
    intake: WageArrearsIntake, region: RegionSettings, risk: bool | None = None
) -> Severity:
    """WA-3: major if 10+ workers, total owed at or above the threshold, or a mass-incident risk."""
    mass_risk = intake.mass_incident_risk if risk is None else risk
    if (
        len(intake.workers) >= region.major_worker_count
        or intake.total_owed >= region.major_amount_threshold
        or mass_risk
    ):
        return Severity.major
    return Severity.general


def settle_due_request(opened_at: datetime) -> DueRequest:
    """WA-1, CAL-4: the end of the third calendar day after the day the case was opened."""
    return DueRequest(start_at=opened_at, basis=DeadlineBasis.calendar_days, days=3)


def violation_time_barred(state: WageArrearsState) -> bool:
    """WA-12 (LSSR Art.20): a violation reported more than 2 years after it ended is not
    pursued; the complaint is refused in writing at acceptance."""
    ended = state.intake.violation_ended_on
    if ended is None:
        return False
    return cst_date(state.opened_at) > years_after(ended, NOT_PURSUED_AFTER_YEARS)


def paid_in_full_on(state: WageArrearsState) -> date | None:
    """WA-11: the day the last confirmed payment was made, once every worker is paid."""
    if state.status is not CaseStatus.settled or not accounts.fully_paid(state):
        return None
    days = [p.paid_on for p in state.payments if p.status == "confirmed"]
    return max(days) if days else cst_date(state.settled_at or state.opened_at)


def wa12_clock(state: WageArrearsState) -> tuple[str, DueRequest]:
    """WA-12: a complaint is accepted within 5 WD; other sources are filed on opening and
    their investigation runs 60 WD."""
    if state.intake.source in (CaseSource.complaint, CaseSource.hotline):
        days, name = COMPLAINT_ACCEPTANCE_WORKING_DAYS, COMPLAINT_ACCEPTANCE
    else:
        days, name = INVESTIGATION_WORKING_DAYS, INVESTIGATION
    return name, DueRequest(start_at=state.opened_at, basis=DeadlineBasis.working_days, days=days)


def order_served_request(state: WageArrearsState, cmd: RecordOrderServed) -> DueRequest:
    """WA-6, CAL-3: the order's days run again from the day after it was served, and a
    last day on a rest day moves to the next working day."""
    deadline = find_pending(state.deadlines, ORDER_TO_PAY)
    start = datetime.combine(cmd.served_on, time(12), tzinfo=CST)
    return DueRequest(
        start_at=start,
        basis=DeadlineBasis.calendar_days,
        days=deadline.days,
        roll_past_holidays=True,
    )


def latest_order(state: WageArrearsState) -> LadderStep | None:
    orders = [s for s in state.ladder if s.rung == ORDER_TO_PAY]
    return orders[-1] if orders else None


def order_served(state: WageArrearsState) -> bool:
    """Whether the running order to pay was recorded as served."""
    order = latest_order(state)
    return order is not None and any(
        s.rung == ORDER_SERVED and s.at >= order.at for s in state.ladder
    )


def find_deadline(state: WageArrearsState, name: str) -> Deadline | None:
    found = [d for d in state.deadlines if d.name == name]
    return found[-1] if found else None


def pending_deadline(state: WageArrearsState, name: str) -> Deadline | None:
    deadline = find_deadline(state, name)
    return deadline if deadline is not None and deadline.pending else None


def _has_step(state: WageArrearsState, rung: str) -> bool:
    return any(step.rung == rung for step in state.ladder)


# State checks (409).


def _require_active(state: WageArrearsState) -> None:
    if state.status is CaseStatus.closed:
        raise ActionNotAllowed("the case is closed")


def _require_unpaid(state: WageArrearsState) -> None:
    _require_active(state)
    if state.status is CaseStatus.settled:
        raise ActionNotAllowed("the case is settled: every worker is paid in full")


def _require_order_missed(state: WageArrearsState, rule: str) -> None:
    if not state.order_to_pay_missed:
        raise ActionNotAllowed(
            f"{rule}: only after an order to pay by a deadline was missed (WA-6)"
        )


def _state_triage(state: WageArrearsState) -> None:
    _require_unpaid(state)
    if state.triaged:
        raise ActionNotAllowed("the case is already triaged")
    if state.status is CaseStatus.escalated:
        raise ActionNotAllowed("the case has escalated; triage is over")


def _state_record_payment(state: WageArrearsState) -> None:
    _require_unpaid(state)


def _state_confirm_payment(state: WageArrearsState) -> None:
    _require_active(state)
    if not any(p.status == "recorded" for p in state.payments):
        raise ActionNotAllowed("no recorded payment is waiting for confirmation")


def _state_order_to_pay(state: WageArrearsState) -> None:
    _require_unpaid(state)
    if pending_deadline(state, ORDER_TO_PAY) is not None:
        raise ActionNotAllowed("WA-6: an order to pay is already running")


def _state_order_served(state: WageArrearsState) -> None:
    _require_unpaid(state)
    if pending_deadline(state, ORDER_TO_PAY) is None:
        raise ActionNotAllowed("WA-6: no order to pay is running")
    if order_served(state):
        raise ActionNotAllowed("WA-6: the order to pay was already served")


def _input_order_served(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordOrderServed)
    not_future("served_on", cmd.served_on, now)
    order = latest_order(state)
    if order is not None:
        not_before("served_on", cmd.served_on, cst_date(order.at), "the order to pay was issued")


def _state_deposit(state: WageArrearsState) -> None:
    _require_unpaid(state)
    _require_order_missed(state, "WA-7")
    project = state.intake.project
    if project is None or not project.guarantee_deposit:
        raise ActionNotAllowed("WA-7: the case has no construction project with a wage deposit")
    if _has_step(state, "guarantee_deposit"):
        raise ActionNotAllowed("WA-7: the wage guarantee deposit was already drawn")


def _state_contractor_pays(state: WageArrearsState) -> None:
    _require_unpaid(state)
    project = state.intake.project
    if project is None or project.general_contractor is None:
        raise ActionNotAllowed(
            "WA-8: the case has no construction project with a general contractor"
        )
    if _has_step(state, "contractor_pays"):
        raise ActionNotAllowed("WA-8: the general contractor is already paying")


def _state_emergency_advance(state: WageArrearsState) -> None:
    _require_unpaid(state)


def _state_mediation(state: WageArrearsState) -> None:
    _require_unpaid(state)
    if _has_step(state, "mediation"):
        raise ActionNotAllowed("the case was already referred to mediation")


def _state_police(state: WageArrearsState) -> None:
    _require_unpaid(state)
    _require_order_missed(state, "WA-10")
    if state.police_referral_active:
        raise ActionNotAllowed("WA-10: the case is already with the police")
    if not accounts.reaches_criminal_threshold(state):
        raise ActionNotAllowed("WA-10: the unpaid amounts do not reach the province's threshold")


def _state_police_outcome(state: WageArrearsState) -> None:
    _require_active(state)
    if not state.police_referral_active:
        raise ActionNotAllowed("the case is not with the police")


def _state_listing(state: WageArrearsState) -> None:
    _require_active(state)
    _require_order_missed(state, "WA-11")
    if state.listed_until is not None:
        raise ActionNotAllowed("WA-11: the employer is already on the joint-punishment list")


def _state_apply_removal(state: WageArrearsState) -> None:
    _require_active(state)
    if state.listed_until is None:
        raise ActionNotAllowed("WA-11: the employer is not on the joint-punishment list")
    if any(a.decision == "remove" for a in state.removal_applications):
        raise ActionNotAllowed("WA-11: the employer was already removed from the list")
    if any(a.decision is None for a in state.removal_applications):
        raise ActionNotAllowed("WA-11: an application for early removal awaits its decision")
    if paid_in_full_on(state) is None:
        raise ActionNotAllowed("WA-11: early removal only after every worker is paid in full")


def _state_decide_removal(state: WageArrearsState) -> None:
    _require_active(state)
    if not any(a.decision is None for a in state.removal_applications):
        raise ActionNotAllowed("WA-11: no application for early removal awaits a decision")


def _state_close(state: WageArrearsState) -> None:
    _require_active(state)


def _state_decide_complaint(state: WageArrearsState) -> None:
    _require_active(state)
    if pending_deadline(state, COMPLAINT_ACCEPTANCE) is None:
        raise ActionNotAllowed("WA-12: no complaint is waiting for a decision to accept it")


def _state_extend(state: WageArrearsState) -> None:
    _require_active(state)
    if not any(d.pending and d.policy.extendable for d in state.deadlines):
        raise ActionNotAllowed("no running deadline of this case may be extended")


def _state_pause(state: WageArrearsState) -> None:
    _require_active(state)
    if not any(d.pending and d.policy.pausable and not d.paused for d in state.deadlines):
        raise ActionNotAllowed("no running deadline of this case may be paused")


def _state_resume(state: WageArrearsState) -> None:
    _require_active(state)
    if not any(d.pending and d.paused for d in state.deadlines):
        raise ActionNotAllowed("no deadline of this case is paused")


# Input checks (422), run after the state check passed.


def _input_triage(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, Triage)
    # WA-3 decides the floor: a case that meets a major criterion cannot be triaged general.
    if (
        cmd.severity is Severity.general
        and classify(state.intake, state.region, cmd.mass_incident_risk) is Severity.major
    ):
        raise InvalidActionInput("WA-3: the case meets a major criterion and cannot be general")
    if cmd.severity is Severity.major:
        if cmd.resolution_deadline is None:
            raise InvalidActionInput("WA-2: a major case needs a resolution_deadline")
        if cmd.resolution_deadline.tzinfo is None:
            raise InvalidActionInput("resolution_deadline must carry a time zone")
        if cmd.resolution_deadline <= now:
            raise InvalidActionInput("WA-2: resolution_deadline must be in the future")
    elif cmd.resolution_deadline is not None:
        raise InvalidActionInput(
            "WA-1: a general case's deadline is fixed; omit resolution_deadline"
        )


def _input_apply_removal(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ApplyForRemoval)
    not_future("applied_on", cmd.applied_on, now)
    paid_on = paid_in_full_on(state)
    assert paid_on is not None  # the state check passed
    earliest = add_months(paid_on, REMOVAL_AFTER_MONTHS)
    if cmd.applied_on < earliest:
        raise InvalidActionInput(
            f"WA-11: early removal may be applied for from {earliest.isoformat()}, 6 months "
            f"after paying in full on {paid_on.isoformat()}"
        )


def _input_decide_complaint(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, DecideComplaint)
    if cmd.decision == "accept" and violation_time_barred(state):
        ended = state.intake.violation_ended_on
        assert ended is not None
        raise ActionNotAllowed(
            f"WA-12 (LSSR Art.20): the violation ended on {ended.isoformat()}, more than 2 "
            f"years before it was reported on {cst_date(state.opened_at).isoformat()}: the "
            "complaint is refused in writing"
        )


def _input_record_payment(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordPayment)
    if cmd.worker_no > len(state.intake.workers):
        # The refusal never repeats the number: a mistyped field may hold an ID number.
        count = len(state.intake.workers)
        raise InvalidActionInput(f"worker_no is not a worker of this case (workers 1 to {count})")
    left = accounts.unallocated(state, cmd.worker_no)
    if cmd.amount > left:
        raise InvalidActionInput(
            f"the payment exceeds what worker {cmd.worker_no} is still owed ({left})"
        )
    if cmd.paid_on > (now + timedelta(hours=8)).date():
        raise InvalidActionInput("paid_on is in the future")
    needs = {
        PaidBy.general_contractor: ("contractor_pays", "WA-8"),
        PaidBy.guarantee_deposit: ("guarantee_deposit", "WA-7"),
        PaidBy.emergency_advance: ("emergency_advance", "WA-9"),
    }.get(cmd.paid_by)
    if needs is not None and not _has_step(state, needs[0]):
        raise ActionNotAllowed(f"{needs[1]}: record the {needs[0]} step before its payments")
    if needs is not None and cmd.paid_by is not PaidBy.general_contractor:
        # A fund pays out no more than was drawn from it or advanced from it.
        rung, rule = needs
        left = _fund_granted(state, rung) - _fund_paid_out(state, cmd.paid_by)
        if cmd.amount > left:
            raise InvalidActionInput(f"{rule}: only {left} is left of what the {rung} step gave")


def _fund_granted(state: WageArrearsState, rung: str) -> Decimal:
    return sum((s.amount or accounts.ZERO for s in state.ladder if s.rung == rung), accounts.ZERO)


def _fund_paid_out(state: WageArrearsState, paid_by: PaidBy) -> Decimal:
    return sum(
        (p.amount for p in state.payments if p.paid_by is paid_by and p.status != "disputed"),
        accounts.ZERO,
    )


def _input_confirm_payment(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ConfirmPayment)
    payment = next((p for p in state.payments if p.payment_id == cmd.payment_id), None)
    if payment is None:
        known = ", ".join(p.payment_id for p in state.payments) or "none yet"
        raise InvalidActionInput(f"payment_id is not a payment of this case (payments: {known})")
    if payment.status != "recorded":
        raise ActionNotAllowed(f"payment {cmd.payment_id} is already {payment.status}")


def _input_amount_within_outstanding(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    amount = getattr(cmd, "amount", None)
    if amount is not None and amount > accounts.total_outstanding(state):
        raise InvalidActionInput(
            f"the amount exceeds what is still owed ({accounts.total_outstanding(state)})"
        )


def _input_deposit(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, DrawGuaranteeDeposit)
    _input_amount_within_outstanding(state, cmd, now)
    held = state.intake.project.guarantee_deposit if state.intake.project else None
    if held is not None and cmd.amount > held:
        raise InvalidActionInput(f"WA-7: the deposit holds only {held}")


def _input_listing(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ListOnPunishmentList)
    if not (cmd.incident_occurred or accounts.reaches_criminal_threshold(state)):
        raise ActionNotAllowed(
            "WA-11: the amounts do not reach the criminal threshold and no mass or extreme "
            "incident was recorded"
        )


def _input_close(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, CloseCase)
    if cmd.outcome is CloseOutcome.settled and state.status is not CaseStatus.settled:
        raise ActionNotAllowed(
            "WA-5: the case is not settled: some wages are unpaid or unconfirmed"
        )
    if state.intake.source is CaseSource.platform_clue:
        # WA-13: a platform clue is answered back when closed.
        if cmd.clue_reply is None:
            raise InvalidActionInput("WA-13: closing a platform clue needs clue_reply")
        if cmd.outcome is CloseOutcome.transferred and cmd.clue_reply is not ClueReply.transferred:
            raise InvalidActionInput("WA-13: a transferred case answers the platform 'transferred'")
    elif cmd.clue_reply is not None:
        raise InvalidActionInput("clue_reply is only for platform clues")


def _input_extend(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ExtendDeadline)
    check_extend(find_pending(state.deadlines, cmd.deadline), cmd)


def _input_pause(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, PauseDeadline)
    check_pause(find_pending(state.deadlines, cmd.deadline))


def _input_resume(state: WageArrearsState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ResumeDeadline)
    check_resume(find_pending(state.deadlines, cmd.deadline))


ActionSpec = GenericActionSpec[WageArrearsState]


# Who may open a case: the bureau's officers of the case's county.
OPENED_BY = OFFICERS

ACTIONS: dict[str, ActionSpec] = actions.table(
    ActionSpec(
        "triage", Triage, roles(Role.supervisor), "WA-2, WA-3", _state_triage, _input_triage
    ),
    ActionSpec(
        "record_payment",
        RecordPayment,
        OFFICERS,
        "WA-5",
        _state_record_payment,
        _input_record_payment,
    ),
    ActionSpec(
        "confirm_payment",
        ConfirmPayment,
        OFFICERS,
        "WA-5",
        _state_confirm_payment,
        _input_confirm_payment,
    ),
    ActionSpec(
        "issue_order_to_pay",
        IssueOrderToPay,
        roles(Role.inspector),
        "WA-6",
        _state_order_to_pay,
    ),
    ActionSpec(
        "record_order_served",
        RecordOrderServed,
        roles(Role.inspector),
        "WA-6",
        _state_order_served,
        _input_order_served,
    ),
    ActionSpec(
        "draw_guarantee_deposit",
        DrawGuaranteeDeposit,
        ENFORCERS,
        "WA-7",
        _state_deposit,
        _input_deposit,
    ),
    ActionSpec(
        "contractor_pays",
        ContractorPays,
        ENFORCERS,
        "WA-8",
        _state_contractor_pays,
    ),
    ActionSpec(
        "emergency_advance",
        EmergencyAdvance,
        roles(Role.supervisor),
        "WA-9",
        _state_emergency_advance,
        _input_amount_within_outstanding,
    ),
    ActionSpec("refer_to_mediation", ReferToMediation, OFFICERS, "MA-1", _state_mediation),
    ActionSpec(
        "refer_to_police",
        ReferToPolice,
        ENFORCERS,
        "WA-10",
        _state_police,
    ),
    ActionSpec(
        "record_police_outcome",
        RecordPoliceOutcome,
        ENFORCERS,
        "WA-10",
        _state_police_outcome,
    ),
    ActionSpec(
        "list_on_punishment_list",
        ListOnPunishmentList,
        roles(Role.supervisor),
        "WA-11",
        _state_listing,
        _input_listing,
    ),
    ActionSpec("close", CloseCase, OFFICERS, "WA-5, WA-13", _state_close, _input_close),
    ActionSpec(
        "decide_complaint",
        DecideComplaint,
        ENFORCERS,
        "WA-12",
        _state_decide_complaint,
        _input_decide_complaint,
    ),
    ActionSpec(
        "apply_for_removal",
        ApplyForRemoval,
        ENFORCERS,
        "WA-11",
        _state_apply_removal,
        _input_apply_removal,
    ),
    ActionSpec(
        "decide_removal",
        DecideRemoval,
        roles(Role.supervisor),
        "WA-11",
        _state_decide_removal,
    ),
    ActionSpec(
        "extend_deadline",
        ExtendDeadline,
        ENFORCERS,
        "WA-2, WA-6, WA-12",
        _state_extend,
        _input_extend,
    ),
    ActionSpec(
        "pause_deadline",
        PauseDeadline,
        ENFORCERS,
        "WA-12",
        _state_pause,
        _input_pause,
    ),
    ActionSpec(
        "resume_deadline",
        ResumeDeadline,
        ENFORCERS,
        "WA-12",
        _state_resume,
        _input_resume,
    ),
    ActionSpec("attach_file", AttachFile, OFFICERS, "", _require_active),
)


# Actor (403), then state (409), then input (422); what is available; who is awaited.
check, available_actions, awaited_by = actions.bound(ACTIONS)


def listing_ends(listed_on: date) -> date:
    """WA-11: a listing lasts three years (29 February lists until 28 February)."""
    return years_after(listed_on, LISTING_YEARS)


def close_pending_deadlines(
    state: WageArrearsState, outcome: DeadlineState, at: datetime, reason: str
) -> None:
    for deadline in state.deadlines:
        if deadline.pending:
            deadline.close(outcome, at, reason=reason)
