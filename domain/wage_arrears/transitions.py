"""What each action and each deadline does to a wage-arrears case (events, in the past tense).

Each function mutates the state it is given and returns the notifications to write. Due
times come in already computed (the calendar lives in an activity).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.common import Command, Role, cst_date_str
from domain.deadlines import Deadline, DeadlineBasis, DeadlineState, DueResult, new_deadline
from domain.notifications import Notification
from domain.wage_arrears import accounts
from domain.wage_arrears.models import (
    Breach,
    CaseStatus,
    CloseCase,
    ConfirmPayment,
    DrawGuaranteeDeposit,
    EmergencyAdvance,
    IssueOrderToPay,
    LadderStep,
    ListOnPunishmentList,
    PaidBy,
    Payment,
    RecordPayment,
    RecordPoliceOutcome,
    RegionSettings,
    Severity,
    Triage,
    WageArrearsIntake,
    WageArrearsState,
)
from domain.wage_arrears.rules import (
    DEPOSIT_PAYOUT,
    ORDER_TO_PAY,
    SETTLE,
    classify,
    close_pending_deadlines,
    find_deadline,
    listing_ends,
)


def _notify(
    state: WageArrearsState,
    kind: str,
    discriminator: str,
    role: Role | None,
    **params: str,
) -> Notification:
    return Notification(
        key=f"{state.case_id}:{kind}:{discriminator}",
        case_id=state.case_id,
        kind=kind,
        recipient_role=role,
        county_code=state.intake.county_code,
        params=params,
    )


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
    if severity is Severity.general:
        # WA-1: a general problem is settled within 3 days of opening.
        state.deadlines.append(
            new_deadline(
                name=SETTLE,
                rule="WA-1",
                basis=DeadlineBasis.calendar_days,
                start_at=opened_at,
                due=settle_due,
                warn_before_days=region.settle_warn_days,
                actor_id=intake.opened_by.id,
            )
        )
        return state, []
    # WA-2: a major problem waits for the supervisor to set its deadline.
    return state, [_notify(state, "triage_needed", "opened", Role.supervisor, severity="major")]


def triaged(state: WageArrearsState, cmd: Triage, now: datetime) -> list[Notification]:
    state.triaged = True
    state.severity = cmd.severity
    if cmd.mass_incident_risk is not None:
        state.intake.mass_incident_risk = cmd.mass_incident_risk
    if cmd.severity is Severity.major:
        assert cmd.resolution_deadline is not None
        current = find_deadline(state, SETTLE)
        if current is not None and current.pending:
            current.close(DeadlineState.cancelled, now, cmd.actor.id, "triaged as major (WA-2)")
        state.deadlines.append(
            new_deadline(
                name=SETTLE,
                rule="WA-2",
                basis=DeadlineBasis.fixed,
                start_at=now,
                due=DueResult(due_at=cmd.resolution_deadline, calendar_version="fixed"),
                warn_before_days=state.region.settle_warn_days,
                actor_id=cmd.actor.id,
                reason=cmd.reason,
            )
        )
    if state.status is CaseStatus.triage_pending:
        state.status = CaseStatus.open
    return []


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


def order_to_pay_issued(
    state: WageArrearsState, cmd: IssueOrderToPay, now: datetime, due: DueResult
) -> list[Notification]:
    amount = accounts.total_outstanding(state)
    state.ladder.append(
        LadderStep(
            rung="order_to_pay",
            rule="WA-6",
            at=now,
            actor_id=cmd.actor.id,
            reason=cmd.reason,
            amount=amount,
            details={"due_at": due.due_at.isoformat()},
        )
    )
    state.deadlines.append(
        new_deadline(
            name=ORDER_TO_PAY,
            rule="WA-6",
            basis=DeadlineBasis.calendar_days,
            start_at=now,
            due=due,
            warn_before_days=1,
            actor_id=cmd.actor.id,
            reason=cmd.reason,
        )
    )
    return [
        _notify(
            state, "order_to_pay_issued", str(len(state.ladder)), None, due=cst_date_str(due.due_at)
        )
    ]


def guarantee_deposit_drawn(
    state: WageArrearsState, cmd: DrawGuaranteeDeposit, now: datetime, due: DueResult
) -> list[Notification]:
    state.ladder.append(
        LadderStep(
            rung="guarantee_deposit",
            rule="WA-7",
            at=now,
            actor_id=cmd.actor.id,
            reason=cmd.reason,
            amount=cmd.amount,
        )
    )
    # WA-7: the bank pays within 5 working days of the notice.
    state.deadlines.append(
        new_deadline(
            name=DEPOSIT_PAYOUT,
            rule="WA-7",
            basis=DeadlineBasis.working_days,
            start_at=now,
            due=due,
            actor_id=cmd.actor.id,
            reason=cmd.reason,
        )
    )
    return [_notify(state, "guarantee_deposit_notice", "drawn", None, amount=str(cmd.amount))]


def ladder_step(
    state: WageArrearsState, rung: str, rule: str, cmd: Command, now: datetime
) -> list[Notification]:
    amount = cmd.amount if isinstance(cmd, EmergencyAdvance) else None
    details = {"recover_from": "employer"} if rung == "emergency_advance" else {}
    state.ladder.append(
        LadderStep(
            rung=rung,
            rule=rule,
            at=now,
            actor_id=cmd.actor.id,
            reason=cmd.reason,
            amount=amount,
            details=details,
        )
    )
    if rung == "police":
        state.police_referral_active = True
    return [_notify(state, f"{rung}_recorded", str(len(state.ladder)), None)]


def police_outcome_recorded(
    state: WageArrearsState, cmd: RecordPoliceOutcome, now: datetime
) -> list[Notification]:
    state.ladder.append(
        LadderStep(
            rung=f"police_{cmd.outcome}",
            rule="WA-10",
            at=now,
            actor_id=cmd.actor.id,
            reason=cmd.reason,
        )
    )
    if cmd.outcome == "returned":
        # WA-10: paying before the police file a case usually ends the criminal route.
        state.police_referral_active = False
    return []


def listed(state: WageArrearsState, cmd: ListOnPunishmentList, now: datetime) -> list[Notification]:
    listed_on = datetime.fromisoformat(cst_date_str(now)).date()
    state.listed_until = listing_ends(listed_on)
    state.ladder.append(
        LadderStep(
            rung="punishment_list",
            rule="WA-11",
            at=now,
            actor_id=cmd.actor.id,
            reason=cmd.reason,
            details={
                "listed_until": state.listed_until.isoformat(),
                "incident_occurred": str(cmd.incident_occurred).lower(),
            },
        )
    )
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


def closed(state: WageArrearsState, cmd: CloseCase, now: datetime) -> list[Notification]:
    state.status = CaseStatus.closed
    state.closed_at = now
    state.close_outcome = cmd.outcome
    close_pending_deadlines(
        state, DeadlineState.cancelled, now, f"case closed: {cmd.outcome.value}"
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
        _notify(
            state,
            "deadline_due_soon",
            f"{deadline.name}:{deadline.due_at.isoformat()}",
            Role.inspector,
            deadline=deadline.name,
            rule=deadline.rule,
            due_at=deadline.due_at.isoformat(),
        )
    ]


def deadline_passed(
    state: WageArrearsState, deadline: Deadline, now: datetime
) -> list[Notification]:
    """A pending deadline's time came: record the breach and take the escalation its rule names."""
    deadline.close(DeadlineState.breached, now, reason=f"{deadline.rule} deadline passed")
    state.breaches.append(Breach(deadline=deadline.name, rule=deadline.rule, at=now))
    notes = [
        _notify(
            state,
            "deadline_breached",
            f"{deadline.name}:{deadline.due_at.isoformat()}",
            Role.inspector,
            deadline=deadline.name,
            rule=deadline.rule,
        )
    ]
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
    if deadline.name == DEPOSIT_PAYOUT:
        notes.append(_notify(state, "deposit_payout_overdue", "breached", Role.supervisor))
    return notes
