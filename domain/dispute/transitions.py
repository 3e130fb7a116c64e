"""What each action and each deadline does to a dispute case.

Each function mutates the state and returns its effects: notifications, deadlines to start
(their due times are computed by the calendar activity) and an outcome to report to the
linked wage-arrears case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.calendar import at_noon, end_of_day
from domain.common import Command, Role, cst_date
from domain.deadlines import (
    Deadline,
    DeadlineState,
    RestartDeadline,
)
from domain.dispute import rules
from domain.dispute.models import (
    ApplyEnforcement,
    ApplyForArbitration,
    ApplyPaymentOrder,
    ApplyRevocation,
    Award,
    ChangeClaims,
    CloseDispute,
    DecideAcceptance,
    DisputeEvent,
    DisputeIntake,
    DisputeStage,
    DisputeState,
    RecordAgreement,
    RecordAward,
    RecordAwardReceived,
    RecordDefence,
    RecordJudgment,
    RecordMediationFailure,
    RecordMediationSession,
    RecordPaymentOrder,
    RecordPaymentOrderObjection,
    RecordPerformance,
    RecordService,
    RecordSuit,
    ScheduleHearing,
)
from domain.effects import DEADLINE_CHANGES, Effects, by_command
from domain.files import AttachFile, attach_file
from domain.notifications import Notification, deadline_notice
from domain.notifications import notify_case as _notify
from domain.regions import RegionSettings


def _event(
    state: DisputeState, kind: str, at: datetime, cmd: Command | None, **details: str
) -> None:
    state.events.append(
        DisputeEvent(
            kind=kind,
            at=at,
            actor_id=cmd.actor.id if cmd else None,
            reason=cmd.reason if cmd else "",
            details=details,
        )
    )


def _close_deadline(
    state: DisputeState, name: str, outcome: DeadlineState, at: datetime, why: str
) -> None:
    for deadline in state.deadlines:
        if deadline.name == name and deadline.pending:
            deadline.close(outcome, at, reason=why)


def case_opened(
    case_id: str, intake: DisputeIntake, region: RegionSettings, opened_at: datetime
) -> tuple[DisputeState, Effects]:
    state = DisputeState(
        case_id=case_id,
        intake=intake,
        region=region,
        stage=DisputeStage.mediation,
        priority=rules.is_priority(intake),
        opened_at=opened_at,
        claims=list(intake.claims),
    )
    effects = Effects()
    if intake.origin == "mediation":
        # MA-1: 15 days from the mediator's receipt of the application.
        effects.start.append(rules.statutory(rules.MEDIATION, "MA-1", opened_at, 15))
    else:
        effects += arbitration_applied(state, opened_at, None)
    if intake.linked_case_id:
        effects.notes.append(
            _notify(
                state,
                "dispute_opened",
                "opened",
                Role.mediator,
                linked_case_id=intake.linked_case_id,
            )
        )
    return state, effects


def arbitration_applied(state: DisputeState, now: datetime, cmd: Command | None) -> Effects:
    """The case file goes to arbitration; MA-3 limitation is checked and MA-4's 5 days run."""
    state.stage = DisputeStage.arbitration_applied
    # MA-3: applying for mediation was a claim, and a claim interrupts the limitation.
    mediated = (cst_date(state.opened_at),) if state.intake.origin == "mediation" else ()
    state.limitation = rules.limitation(state.intake, cst_date(now), mediated)
    _event(
        state,
        "arbitration_applied",
        now,
        cmd,
        limitation_expires_on=state.limitation.expires_on.isoformat(),
        time_barred=str(state.limitation.time_barred).lower(),
    )
    effects = Effects(start=[rules.statutory(rules.ACCEPTANCE, "MA-4", now, 5)])
    if state.limitation.time_barred:
        effects.notes.append(
            _notify(
                state,
                "limitation_expired",
                "applied",
                Role.mediator,
                expires_on=state.limitation.expires_on.isoformat(),
            )
        )
    return effects


def _session(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordMediationSession)
    _event(state, "mediation_session", now, cmd, held_on=cmd.held_on.isoformat())
    return Effects()


def _agreement(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordAgreement)
    _close_deadline(state, rules.MEDIATION, DeadlineState.met, now, "agreement reached")
    state.stage = DisputeStage.agreement
    state.agreement_amount = cmd.amount
    state.performance_date = cmd.performance_date
    _event(
        state,
        "agreement",
        now,
        cmd,
        amount=str(cmd.amount),
        performance_date=cmd.performance_date.isoformat(),
    )
    # MA-2: the agreement sets its own performance date.
    spec = rules.fixed(rules.PERFORMANCE, "MA-2", now, end_of_day(cmd.performance_date))
    return Effects(start=[spec])


def _mediation_failed(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    _close_deadline(state, rules.MEDIATION, DeadlineState.met, now, "mediation failed")
    _event(state, "mediation_failed", now, cmd)
    return arbitration_applied(state, now, cmd)


def _performed(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    for name in (rules.PERFORMANCE, rules.PAYMENT_ORDER_ISSUE, rules.PAYMENT_ORDER_RESPONSE):
        _close_deadline(state, name, DeadlineState.met, now, "performed")
    _event(state, "performed", now, cmd)
    effects = _closed(
        state, CloseDispute(actor=cmd.actor, reason=cmd.reason, outcome="performed"), now
    )
    effects.report = "performed"
    return effects


def _payment_order_applied(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, ApplyPaymentOrder)
    state.stage = DisputeStage.payment_order
    accepted_on = cmd.accepted_on or cst_date(now)
    state.payment_order_accepted_on = accepted_on
    _event(state, "payment_order_applied", now, cmd, accepted_on=accepted_on.isoformat())
    # MA-2: the court issues the payment order within 15 days of accepting the application.
    start = at_noon(cmd.accepted_on) if cmd.accepted_on is not None else now
    return Effects(start=[rules.statutory(rules.PAYMENT_ORDER_ISSUE, "MA-2", start, 15)])


def _payment_order_served(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordPaymentOrder)
    _close_deadline(state, rules.PAYMENT_ORDER_ISSUE, DeadlineState.met, now, "issued")
    state.payment_order_served_on = cmd.served_on
    _event(state, "payment_order_served", now, cmd, served_on=cmd.served_on.isoformat())
    # MA-2: the employer pays or objects within 15 days of receiving it.
    start = at_noon(cmd.served_on)
    return Effects(start=[rules.statutory(rules.PAYMENT_ORDER_RESPONSE, "MA-2", start, 15)])


def _objection(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    _close_deadline(state, rules.PAYMENT_ORDER_RESPONSE, DeadlineState.met, now, "objection")
    return _to_litigation(state, cmd, now, "payment_order_objection")


def _to_litigation(state: DisputeState, cmd: Command, now: datetime, why: str) -> Effects:
    state.stage = DisputeStage.litigation
    for deadline in state.deadlines:
        if deadline.pending:
            deadline.close(DeadlineState.cancelled, now, reason=f"to court: {why}")
    _event(state, "litigation", now, cmd, why=why)
    return Effects(
        notes=[_notify(state, "dispute_to_court", why, Role.mediator)], report="litigation"
    )


def _arbitration_applied(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    _close_deadline(
        state, rules.MEDIATION, DeadlineState.met, now, "worker applied for arbitration"
    )
    _close_deadline(state, rules.PERFORMANCE, DeadlineState.breached, now, "not performed")
    return arbitration_applied(state, now, cmd)


def _acceptance(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, DecideAcceptance)
    decided = {"accept": "accepted", "refuse": "refused"}[cmd.decision]
    _close_deadline(state, rules.ACCEPTANCE, DeadlineState.met, now, decided)
    _event(state, f"arbitration_{decided}", now, cmd)
    if cmd.decision == "refuse":
        # MA-4: a refusal lets the worker sue directly.
        state.may_sue = True
        return Effects(
            notes=[_notify(state, "right_to_sue", "refused", Role.mediator, rule="MA-4")]
        )
    state.stage = DisputeStage.arbitration
    state.accepted_on = cst_date(now)
    return Effects(
        start=[
            rules.statutory(rules.SERVICE, "MA-5", now, 5),
            rules.statutory(rules.AWARD, "MA-7", now, 45, policy=rules.award_policy(state)),
        ]
    )


def _service(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordService)
    _close_deadline(state, rules.SERVICE, DeadlineState.met, now, "served")
    state.respondent_served_on = cmd.served_on
    _event(
        state,
        "respondent_served",
        now,
        cmd,
        served_on=cmd.served_on.isoformat(),
        manner=cmd.manner,
    )
    # MA-5: the defence is due within 10 days of receipt.
    return Effects(start=[rules.statutory(rules.DEFENCE, "MA-5", at_noon(cmd.served_on), 10)])


def _defence(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordDefence)
    _close_deadline(state, rules.DEFENCE, DeadlineState.met, now, "defence received")
    _event(state, "defence", now, cmd, received_on=cmd.received_on.isoformat())
    return Effects()


def _hearing(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, ScheduleHearing)
    _event(
        state,
        "hearing_scheduled",
        now,
        cmd,
        hearing_at=cmd.hearing_at.isoformat(),
        notice_served_on=cmd.notice_served_on.isoformat(),
    )
    return Effects()


def _claims_changed(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, ChangeClaims)
    if cmd.change == "claims":
        state.claims = list(cmd.claims)
        _event(state, "claims_changed", now, cmd, items=str(len(cmd.claims)))
    elif cmd.change == "counterclaim":
        state.counterclaims += cmd.claims
        _event(state, "counterclaim", now, cmd, items=str(len(cmd.claims)))
    else:
        _event(state, "case_transferred", now, cmd)
    # MA-7: added or changed claims, counterclaims and transfers restart the 45 days; if
    # they had already run out, a new period starts.
    if any(d.name == rules.AWARD and d.pending for d in state.deadlines):
        restart = RestartDeadline(actor=cmd.actor, reason=cmd.reason, deadline=rules.AWARD)
        return Effects(recompute=[(rules.AWARD, restart)])
    state.may_sue = False
    return Effects(
        start=[rules.statutory(rules.AWARD, "MA-7", now, 45, policy=rules.award_policy(state))]
    )


def _award(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordAward)
    final, threshold = rules.award_is_final(cmd.items, state.region)
    # MA-8: the award keeps the minimum wage it was judged against, item by item.
    state.award = Award(
        items=list(cmd.items),
        made_on=cmd.made_on,
        final=final,
        threshold=threshold,
        monthly_minimum_wage=state.region.monthly_minimum_wage,
        items_final=[rules.item_is_final(item, threshold) for item in cmd.items],
        perform_by=cmd.perform_by,
    )
    state.stage = DisputeStage.award
    _close_deadline(state, rules.AWARD, DeadlineState.met, now, "award made")
    _event(state, "award", now, cmd, final=str(final).lower(), threshold=str(threshold))
    effects = Effects(
        notes=[_notify(state, "award_made", "made", Role.mediator, final=str(final).lower())]
    )
    if final:
        # MA-8: a final award takes effect on the day it is made.
        state.award.effective_on = cmd.made_on
        effects.start.append(
            rules.enforcement_window(cmd.made_on, now, state.law_as_written, cmd.perform_by)
        )
        effects.report = "award_effective"
    return effects


def _award_received(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordAwardReceived)
    award = state.award
    assert award is not None
    award.received_on = award.received_on or cmd.received_on
    parties = ("worker", "employer") if cmd.party == "both" else (cmd.party,)
    if "worker" in parties:
        award.worker_received_on = cmd.received_on
    if "employer" in parties:
        award.employer_received_on = cmd.received_on
    start = at_noon(cmd.received_on)
    effects = Effects()
    if award.final:
        # MA-9: from each party's own receipt, the worker may sue within 15 days and the
        # employer may apply to revoke within 30.
        if "worker" in parties:
            effects.start.append(rules.statutory(rules.WORKER_SUIT, "MA-9", start, 15))
        if "employer" in parties:
            effects.start.append(rules.statutory(rules.EMPLOYER_REVOCATION, "MA-9", start, 30))
        return effects
    # MA-9: after a non-final award either party may sue within 15 days of its receipt; the
    # award takes effect once the later of the two windows has passed.
    running = [d for d in state.deadlines if d.name == rules.SUIT and d.pending]
    if running and running[-1].start_at >= start:
        return effects
    _close_deadline(
        state, rules.SUIT, DeadlineState.cancelled, now, "the other party received it later"
    )
    effects.start.append(rules.statutory(rules.SUIT, "MA-9", start, 15))
    return effects


def _suit(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordSuit)
    if cmd.by == "worker":
        state.worker_sued = True
    return _to_litigation(state, cmd, now, f"{cmd.by}_sued")


def _revocation(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    _close_deadline(state, rules.EMPLOYER_REVOCATION, DeadlineState.met, now, "applied")
    _event(state, "revocation_applied", now, cmd)
    return Effects(notes=[_notify(state, "revocation_applied", "applied", Role.mediator)])


def _judgment(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RecordJudgment)
    _event(state, "judgment", now, cmd, outcome=cmd.outcome)
    return _closed(state, CloseDispute(actor=cmd.actor, reason=cmd.reason, outcome="judged"), now)


def _enforcement(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, ApplyEnforcement)
    _close_deadline(state, rules.ENFORCEMENT, DeadlineState.met, now, "applied")
    state.stage = DisputeStage.enforcement
    # MA-10: advance execution may be awarded; a worker posts no security.
    state.advance_execution = cmd.advance_execution
    _event(
        state, "enforcement_applied", now, cmd, advance_execution=str(cmd.advance_execution).lower()
    )
    return Effects(report="enforcement")


def _closed(state: DisputeState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, CloseDispute)
    state.stage = DisputeStage.closed
    state.closed_at = now
    state.close_outcome = cmd.outcome
    for deadline in state.deadlines:
        if deadline.pending:
            deadline.close(DeadlineState.cancelled, now, reason=f"case closed: {cmd.outcome}")
    return Effects(
        notes=[_notify(state, "case_closed", "closed", None, outcome=cmd.outcome)],
        report=f"closed:{cmd.outcome}",
    )


_HANDLERS: dict[type[Command], Callable[[DisputeState, Command, datetime], Effects]] = {
    RecordMediationSession: _session,
    RecordAgreement: _agreement,
    RecordMediationFailure: _mediation_failed,
    RecordPerformance: _performed,
    ApplyPaymentOrder: _payment_order_applied,
    RecordPaymentOrder: _payment_order_served,
    RecordPaymentOrderObjection: _objection,
    ApplyForArbitration: _arbitration_applied,
    DecideAcceptance: _acceptance,
    RecordService: _service,
    RecordDefence: _defence,
    ScheduleHearing: _hearing,
    ChangeClaims: _claims_changed,
    RecordAward: _award,
    RecordAwardReceived: _award_received,
    RecordSuit: _suit,
    ApplyRevocation: _revocation,
    RecordJudgment: _judgment,
    ApplyEnforcement: _enforcement,
    CloseDispute: _closed,
    **DEADLINE_CHANGES,
    AttachFile: attach_file,
}

# Applies a checked action.
apply = by_command(_HANDLERS)


def deadline_warned(state: DisputeState, deadline: Deadline) -> list[Notification]:
    deadline.warned = True
    return [deadline_notice(state, "deadline_due_soon", deadline, Role.mediator)]


def deadline_passed(state: DisputeState, deadline: Deadline, now: datetime) -> Effects:
    deadline.close(DeadlineState.breached, now, reason=f"{deadline.rule} deadline passed")
    effects = Effects(notes=[deadline_notice(state, "deadline_breached", deadline, Role.mediator)])
    name = deadline.name
    if name == rules.MEDIATION and state.law_as_written:
        # MA-1 (LDMAL Art.14): day 15 without an agreement opens either party's right to
        # apply for arbitration; the mediation goes on until a party applies or withdraws.
        _event(state, "mediation_target_passed", now, None)
        effects.notes.append(
            _notify(state, "right_to_arbitrate", "mediation", Role.mediator, rule="MA-1")
        )
    elif name == rules.MEDIATION:
        # Cases opened before: the case file went to arbitration by itself.
        _event(state, "mediation_timed_out", now, None)
        effects += arbitration_applied(state, now, None)
    elif name == rules.PERFORMANCE:
        # MA-2: not performed by its date: payment order or arbitration.
        state.stage = DisputeStage.agreement_unperformed
        effects.notes.append(_notify(state, "agreement_unperformed", "due", Role.mediator))
    elif name in (rules.ACCEPTANCE, rules.AWARD):
        # MA-4: no acceptance decision in 5 days; MA-7: no award in time: the worker may sue.
        state.may_sue = True
        effects.notes.append(
            _notify(state, "right_to_sue", name, Role.mediator, rule=deadline.rule)
        )
    elif name == rules.DEFENCE:
        # MA-5: a missing defence does not stop the case.
        _event(state, "no_defence", now, None)
    elif name == rules.PAYMENT_ORDER_RESPONSE:
        # MA-2: neither paid nor objected: the payment order is enforceable.
        _event(state, "payment_order_effective", now, None)
        effects.start.append(rules.enforcement_window(cst_date(now), now, state.law_as_written))
    elif name == rules.SUIT and state.award is not None:
        # MA-9: nobody sued a non-final award within 15 days: it takes effect.
        state.award.effective_on = cst_date(now)
        effects.start.append(
            rules.enforcement_window(
                cst_date(now), now, state.law_as_written, state.award.perform_by
            )
        )
        effects.report = "award_effective"
    return effects
