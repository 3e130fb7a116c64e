"""What each action and each deadline does to a wage-arrears case (events, in the past tense).

Each function mutates the state it is given and returns its effects (domain/effects.py), or
the notifications to write when that is all it has; deadlines to start leave their due
times to the calendar activity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from domain.campaign import CAMPAIGN_WARN_DAYS, CampaignDue, warning_spread_seconds
from domain.common import Command, Role, cst_date, cst_date_str
from domain.deadlines import (
    Deadline,
    DeadlineBasis,
    DeadlineSpec,
    DeadlineState,
    DueRequest,
    DueResult,
    new_deadline,
)
from domain.effects import DEADLINE_CHANGES, Effects, Retime, by_command
from domain.files import AttachFile, attach_file
from domain.notifications import Notification, deadline_notice
from domain.notifications import notify_case as _notify
from domain.wage_arrears import accounts
from domain.wage_arrears.models import (
    ApplyForRemoval,
    Breach,
    CaseStatus,
    CloseCase,
    CloseOutcome,
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
    Payment,
    RecordOrderServed,
    RecordPayment,
    RecordPoliceOutcome,
    ReferToMediation,
    ReferToPolice,
    RegionSettings,
    RemovalApplication,
    Severity,
    Triage,
    WageArrearsIntake,
    WageArrearsState,
)
from domain.wage_arrears.rules import (
    ACTIONS,
    COMPLAINT_ACCEPTANCE,
    DEPOSIT_PAYOUT,
    ENDS_WITH_CASE,
    INVESTIGATION,
    INVESTIGATION_POLICY,
    INVESTIGATION_WORKING_DAYS,
    MAJOR_SETTLE_POLICY,
    ORDER_SERVED,
    ORDER_TO_PAY,
    ORDER_TO_PAY_POLICY,
    SETTLE,
    classify,
    close_pending_deadlines,
    find_deadline,
    listing_ends,
    order_served_request,
    pending_deadline,
    settle_due_request,
    violation_time_barred,
)


def _climbed(
    state: WageArrearsState,
    cmd: Command,
    now: datetime,
    rung: str,
    rule: str,
    amount: Decimal | None = None,
    details: dict[str, str] | None = None,
) -> None:
    """Records a rung of the ladder an officer took with `cmd`."""
    state.ladder.append(
        LadderStep(
            rung=rung,
            rule=rule,
            at=now,
            actor_id=cmd.actor.id,
            reason=cmd.reason,
            amount=amount,
            details=details or {},
        )
    )


def _pending_order(state: WageArrearsState) -> Deadline:
    order = pending_deadline(state, ORDER_TO_PAY)
    assert order is not None
    return order


def case_opened(
    case_id: str,
    intake: WageArrearsIntake,
    region: RegionSettings,
    opened_at: datetime,
    settle_due: DueResult,
) -> tuple[WageArrearsState, list[Notification]]:
    severity = classify(intake, region)
    state = WageArrearsState(
        case_id=case_id,
        intake=intake,
        region=region,
        severity=severity,
        status=CaseStatus.open if severity is Severity.general else CaseStatus.triage_pending,
        opened_at=opened_at,
    )
    notes: list[Notification] = []
    if intake.channel == "online":
        # PUB-5, WA-12: the worker is texted the case number and the query link; the
        # inspectors see the complaint waiting for acceptance.
        notes.append(_notify(state, "complaint_filed", "filed", Role.inspector))
    if violation_time_barred(state):
        # WA-12 (LSSR Art.20): reported more than 2 years after the violation ended.
        notes.append(
            _notify(
                state,
                "violation_time_barred",
                "opened",
                Role.inspector,
                violation_ended_on=str(intake.violation_ended_on),
            )
        )
    if severity is Severity.general:
        # WA-1: a general problem is settled within 3 days of opening.
        state.deadlines.append(
            new_deadline(
                name=SETTLE,
                rule="WA-1",
                request=settle_due_request(opened_at),
                due=settle_due,
                warn_before_days=region.settle_warn_days,
                actor_id=intake.opened_by.id,
            )
        )
        return state, notes
    # WA-2: a major problem waits for the supervisor to set its deadline.
    notes.append(_notify(state, "triage_needed", "opened", Role.supervisor, severity="major"))
    return state, notes


def triaged(state: WageArrearsState, cmd: Triage, now: datetime) -> Effects:
    state.triaged = True
    state.severity = cmd.severity
    if cmd.mass_incident_risk is not None:
        state.intake.mass_incident_risk = cmd.mass_incident_risk
    effects = Effects()
    if cmd.severity is Severity.major:
        assert cmd.resolution_deadline is not None
        current = find_deadline(state, SETTLE)
        if current is not None and current.pending:
            current.close(DeadlineState.cancelled, now, cmd.actor.id, "triaged as major (WA-2)")
        state.deadlines.append(
            new_deadline(
                name=SETTLE,
                rule="WA-2",
                request=DueRequest(
                    start_at=now, basis=DeadlineBasis.fixed, fixed_due=cmd.resolution_deadline
                ),
                due=DueResult(due_at=cmd.resolution_deadline, calendar_version="fixed"),
                warn_before_days=state.region.settle_warn_days,
                policy=MAJOR_SETTLE_POLICY,
                actor_id=cmd.actor.id,
                reason=cmd.reason,
            )
        )
    elif state.law_as_written and pending_deadline(state, SETTLE) is None:
        # WA-1, CAL-4: a case triaged general is settled by the end of the third day after
        # the day it was opened, like one that opened general.
        effects.start.append(
            DeadlineSpec(
                name=SETTLE,
                rule="WA-1",
                request=settle_due_request(state.opened_at),
                warn_before_days=state.region.settle_warn_days,
                reason=cmd.reason,
            )
        )
    if state.status is CaseStatus.triage_pending:
        state.status = CaseStatus.open
    return effects


def payment_recorded(
    state: WageArrearsState, cmd: RecordPayment, now: datetime
) -> list[Notification]:
    payment_id = f"P{len(state.payments) + 1}"
    state.payments.append(
        Payment(
            payment_id=payment_id,
            worker_no=cmd.worker_no,
            amount=cmd.amount,
            paid_by=cmd.paid_by,
            paid_on=cmd.paid_on,
            recorded_at=now,
            recorded_by=cmd.actor.id,
            before_opening=cmd.paid_on < cst_date(state.opened_at),
        )
    )
    if cmd.paid_by is PaidBy.guarantee_deposit:
        deposit = find_deadline(state, DEPOSIT_PAYOUT)
        if deposit is not None and deposit.pending:
            deposit.close(DeadlineState.met, now, cmd.actor.id, f"bank paid ({payment_id})")
    return []


def payment_confirmed(
    state: WageArrearsState, cmd: ConfirmPayment, now: datetime
) -> list[Notification]:
    payment = next(p for p in state.payments if p.payment_id == cmd.payment_id)
    payment.status = "confirmed" if cmd.confirmed else "disputed"
    payment.confirmation = cmd.confirmation if cmd.confirmed else None
    payment.evidence_ref = cmd.evidence_ref
    payment.decided_at = now
    if not (cmd.confirmed and accounts.fully_paid(state)):
        return []
    # WA-5: every worker paid and confirmed.
    state.status = CaseStatus.settled
    state.settled_at = now
    close_pending_deadlines(state, DeadlineState.met, now, "every worker paid in full (WA-5)")
    state.police_referral_active = False
    return [_notify(state, "case_settled", "settled", Role.inspector)]


def order_to_pay_issued(state: WageArrearsState, cmd: IssueOrderToPay, now: datetime) -> Effects:
    amount = accounts.total_outstanding(state)
    days = cmd.days or state.region.order_to_pay_days
    spec = DeadlineSpec(
        name=ORDER_TO_PAY,
        rule="WA-6",
        request=DueRequest(start_at=now, basis=DeadlineBasis.calendar_days, days=days),
        warn_before_days=1,
        policy=ORDER_TO_PAY_POLICY,
        reason=cmd.reason,
    )

    def issued() -> list[Notification]:
        # The ladder and the notice name the due time the calendar computed.
        order = _pending_order(state)
        due_at = {"due_at": order.due_at.isoformat()}
        _climbed(state, cmd, now, "order_to_pay", "WA-6", amount, due_at)
        due = cst_date_str(order.due_at)
        return [_notify(state, "order_to_pay_issued", str(len(state.ladder)), None, due=due)]

    return Effects(start=[spec], then=[issued])


def order_to_pay_served(state: WageArrearsState, cmd: RecordOrderServed, now: datetime) -> Effects:
    """WA-6, CAL-3: the order's deadline counts from the day it was served, not from the day
    it was issued or the day its service was recorded."""
    retime = Retime(
        deadline=ORDER_TO_PAY,
        request=order_served_request(state, cmd),
        change="served",
        reason=cmd.reason,
    )

    def served() -> list[Notification]:
        # The ladder names the due time the calendar computed from the day served.
        details = {
            "served_on": cmd.served_on.isoformat(),
            "manner": cmd.manner,
            "due_at": _pending_order(state).due_at.isoformat(),
        }
        _climbed(state, cmd, now, ORDER_SERVED, "WA-6", details=details)
        return []

    return Effects(retime=[retime], then=[served])


def guarantee_deposit_drawn(
    state: WageArrearsState, cmd: DrawGuaranteeDeposit, now: datetime
) -> Effects:
    _climbed(state, cmd, now, "guarantee_deposit", "WA-7", cmd.amount)
    # WA-7: the bank pays within 5 working days of the notice.
    days = state.region.deposit_payout_working_days
    spec = DeadlineSpec(
        name=DEPOSIT_PAYOUT,
        rule="WA-7",
        request=DueRequest(start_at=now, basis=DeadlineBasis.working_days, days=days),
        reason=cmd.reason,
    )
    note = _notify(state, "guarantee_deposit_notice", "drawn", None, amount=str(cmd.amount))
    return Effects(notes=[note], start=[spec])


def ladder_step(
    state: WageArrearsState, rung: str, rule: str, cmd: Command, now: datetime
) -> list[Notification]:
    amount = cmd.amount if isinstance(cmd, EmergencyAdvance) else None
    details = {"recover_from": "employer"} if rung == "emergency_advance" else {}
    _climbed(state, cmd, now, rung, rule, amount, details)
    if rung == "police":
        state.police_referral_active = True
    return [_notify(state, f"{rung}_recorded", str(len(state.ladder)), None)]


def police_outcome_recorded(
    state: WageArrearsState, cmd: RecordPoliceOutcome, now: datetime
) -> list[Notification]:
    _climbed(state, cmd, now, f"police_{cmd.outcome}", "WA-10")
    if cmd.outcome == "returned":
        # WA-10: paying before the police file a case usually ends the criminal route.
        state.police_referral_active = False
    return []


def listed(state: WageArrearsState, cmd: ListOnPunishmentList, now: datetime) -> list[Notification]:
    listed_on = datetime.fromisoformat(cst_date_str(now)).date()
    state.listed_until = listing_ends(listed_on)
    details = {
        "listed_until": state.listed_until.isoformat(),
        "incident_occurred": str(cmd.incident_occurred).lower(),
    }
    _climbed(state, cmd, now, "punishment_list", "WA-11", details=details)
    return [
        _notify(
            state,
            "punishment_list_entry",
            "listed",
            None,
            credit_code=state.intake.employer.credit_code,
            listed_until=state.listed_until.isoformat(),
        )
    ]


def removal_applied(
    state: WageArrearsState, cmd: ApplyForRemoval, now: datetime
) -> list[Notification]:
    state.removal_applications.append(
        RemovalApplication(applied_on=cmd.applied_on, applied_at=now, applied_by=cmd.actor.id)
    )
    applied_on = {"applied_on": cmd.applied_on.isoformat()}
    _climbed(state, cmd, now, "removal_applied", "WA-11", details=applied_on)
    key = f"removal_applied:{len(state.removal_applications)}"
    return [_notify(state, "removal_applied", key, Role.supervisor)]


def removal_decided(
    state: WageArrearsState, cmd: DecideRemoval, now: datetime
) -> list[Notification]:
    application = next(a for a in state.removal_applications if a.decision is None)
    application.decision = cmd.decision
    application.decided_at = now
    application.decided_by = cmd.actor.id
    details: dict[str, str] = {"decision": cmd.decision}
    if cmd.decision == "remove":
        # WA-11: removed early, the listing ends on the day of the decision.
        state.listed_until = cst_date(now)
        details["listed_until"] = state.listed_until.isoformat()
    _climbed(state, cmd, now, "removal_decided", "WA-11", details=details)
    key = f"removal_decided:{len(state.removal_applications)}"
    return [
        _notify(
            state,
            "punishment_list_removal",
            key,
            None,
            credit_code=state.intake.employer.credit_code,
            **details,
        )
    ]


def closed(state: WageArrearsState, cmd: CloseCase, now: datetime) -> list[Notification]:
    state.status = CaseStatus.closed
    state.closed_at = now
    state.close_outcome = cmd.outcome
    reason = f"case closed: {cmd.outcome.value}"
    for deadline in state.deadlines:
        if deadline.pending:
            ends = deadline.name.startswith(ENDS_WITH_CASE)
            deadline.close(
                DeadlineState.met if ends else DeadlineState.cancelled, now, reason=reason
            )
    notes = [_notify(state, "case_closed", "closed", None, outcome=cmd.outcome.value)]
    if state.intake.clue_number and cmd.clue_reply is not None:
        # WA-13: answer the national clue platform with its own clue number.
        notes.append(
            _notify(
                state,
                "clue_platform_reply",
                "closed",
                None,
                clue_number=state.intake.clue_number,
                reply=cmd.clue_reply.value,
            )
        )
    return notes


def deadline_warned(state: WageArrearsState, deadline: Deadline) -> list[Notification]:
    deadline.warned = True
    return [
        deadline_notice(
            state, "deadline_due_soon", deadline, Role.inspector, due_at=deadline.due_at.isoformat()
        )
    ]


def deadline_passed(state: WageArrearsState, deadline: Deadline, now: datetime) -> Effects:
    """A pending deadline's time came: record the breach and take the escalation its rule names."""
    deadline.close(DeadlineState.breached, now, reason=f"{deadline.rule} deadline passed")
    state.breaches.append(Breach(deadline=deadline.name, rule=deadline.rule, at=now))
    notes = [deadline_notice(state, "deadline_breached", deadline, Role.inspector)]
    if deadline.name in (SETTLE, ORDER_TO_PAY) and state.status in (
        CaseStatus.open,
        CaseStatus.triage_pending,
    ):
        state.status = CaseStatus.escalated
        notes.append(
            _notify(state, "case_escalated", deadline.name, Role.inspector, rule=deadline.rule)
        )
    if deadline.name == ORDER_TO_PAY:
        # WA-6: missing the order makes the employer liable to 50-100 % extra compensation.
        state.order_to_pay_missed = True
        unpaid = accounts.total_outstanding(state)
        state.ladder.append(
            LadderStep(
                rung="order_to_pay_missed",
                rule="WA-6",
                at=now,
                actor_id=None,
                reason="order to pay by a deadline missed",
                amount=unpaid,
                details={
                    "extra_compensation_min": str(
                        (unpaid * Decimal("0.5")).quantize(Decimal("0.01"))
                    ),
                    "extra_compensation_max": str(unpaid),
                },
            )
        )
    if deadline.name.startswith("campaign_"):
        # WA-4: a campaign date is a warning and a breach record, never an escalation.
        notes.append(
            _notify(
                state,
                "campaign_deadline_breached",
                deadline.name,
                Role.supervisor,
                deadline=deadline.name,
            )
        )
    if deadline.name in (COMPLAINT_ACCEPTANCE, INVESTIGATION):
        notes.append(
            _notify(
                state,
                "statutory_deadline_breached",
                deadline.name,
                Role.supervisor,
                deadline=deadline.name,
                rule=deadline.rule,
            )
        )
    if deadline.name == DEPOSIT_PAYOUT:
        notes.append(_notify(state, "deposit_payout_overdue", "breached", Role.supervisor))
    return Effects(notes=notes)


def clocks_started(
    state: WageArrearsState,
    wa12_name: str,
    wa12_request: DueRequest,
    wa12_due: DueResult,
    campaign: list[CampaignDue],
) -> None:
    """WA-12 and WA-4 clocks, on top of the case's own deadline."""
    state.deadlines.append(
        new_deadline(
            name=wa12_name,
            rule="WA-12",
            request=wa12_request,
            due=wa12_due,
            warn_before_days=1 if wa12_name == COMPLAINT_ACCEPTANCE else 10,
            policy=INVESTIGATION_POLICY if wa12_name == INVESTIGATION else None,
        )
    )
    # WA-4: the warnings (never the due times) spread over a day by the case id.
    spread = warning_spread_seconds(state.case_id) if state.campaign_warning_spread else 0
    for item in campaign:
        state.deadlines.append(
            new_deadline(
                name=item.name,
                rule="WA-4",
                request=DueRequest(
                    start_at=state.opened_at, basis=DeadlineBasis.fixed, fixed_due=item.due_at
                ),
                due=DueResult(due_at=item.due_at, calendar_version="lunardate"),
                warn_before_days=CAMPAIGN_WARN_DAYS.get(item.name),
                warn_spread_seconds=spread,
            )
        )


def complaint_decided(state: WageArrearsState, cmd: DecideComplaint, now: datetime) -> Effects:
    acceptance = find_deadline(state, COMPLAINT_ACCEPTANCE)
    assert acceptance is not None
    acceptance.close(DeadlineState.met, now, cmd.actor.id, f"complaint {cmd.decision}ed")
    if cmd.decision == "refuse":
        # WA-12: refused in writing; the case ends here.
        close = CloseCase(actor=cmd.actor, reason=cmd.reason, outcome=CloseOutcome.refused)
        return Effects(notes=closed(state, close, now))
    spec = DeadlineSpec(
        name=INVESTIGATION,
        rule="WA-12",
        request=DueRequest(
            start_at=now, basis=DeadlineBasis.working_days, days=INVESTIGATION_WORKING_DAYS
        ),
        warn_before_days=10,
        policy=INVESTIGATION_POLICY,
        reason=cmd.reason,
    )
    return Effects(notes=[_notify(state, "complaint_accepted", "accepted", None)], start=[spec])


Handler = Callable[[WageArrearsState, Command, datetime], Effects]


def _notes(
    transition: Callable[[WageArrearsState, Command, datetime], list[Notification]],
) -> Handler:
    """A transition that only writes notifications."""
    return lambda state, cmd, now: Effects(notes=transition(state, cmd, now))


def _rung(rung: str, action: str) -> Handler:
    """A step of the enforcement ladder that records itself and nothing more."""
    return _notes(
        lambda state, cmd, now: ladder_step(
            state, rung, ACTIONS[action].rule.split(",")[0], cmd, now
        )
    )


_HANDLERS: dict[type[Command], Handler] = {
    Triage: triaged,  # type: ignore[dict-item]
    RecordPayment: _notes(payment_recorded),  # type: ignore[arg-type]
    ConfirmPayment: _notes(payment_confirmed),  # type: ignore[arg-type]
    IssueOrderToPay: order_to_pay_issued,  # type: ignore[dict-item]
    RecordOrderServed: order_to_pay_served,  # type: ignore[dict-item]
    DrawGuaranteeDeposit: guarantee_deposit_drawn,  # type: ignore[dict-item]
    ContractorPays: _rung("contractor_pays", "contractor_pays"),
    EmergencyAdvance: _rung("emergency_advance", "emergency_advance"),
    ReferToMediation: _rung("mediation", "refer_to_mediation"),
    ReferToPolice: _rung("police", "refer_to_police"),
    RecordPoliceOutcome: _notes(police_outcome_recorded),  # type: ignore[arg-type]
    ListOnPunishmentList: _notes(listed),  # type: ignore[arg-type]
    ApplyForRemoval: _notes(removal_applied),  # type: ignore[arg-type]
    DecideRemoval: _notes(removal_decided),  # type: ignore[arg-type]
    CloseCase: _notes(closed),  # type: ignore[arg-type]
    DecideComplaint: complaint_decided,  # type: ignore[dict-item]
    **DEADLINE_CHANGES,
    AttachFile: attach_file,
}

# Applies a checked action.
apply = by_command(_HANDLERS)
