"""Decisions of a dispute case (MA rules): pure functions of state, command and time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from domain import actions
from domain.actions import OFFICERS, ActionSpec, roles
from domain.calendar import at_noon, end_of_day, years_after
from domain.common import ActionNotAllowed, Command, InvalidActionInput, Role, cst_date
from domain.deadlines import (
    ApproverCapacity,
    Deadline,
    DeadlineBasis,
    DeadlinePolicy,
    DeadlineSpec,
    DueRequest,
    ExtendDeadline,
    PauseDeadline,
    RestartDeadline,
    ResumeDeadline,
    check_extend,
    check_pause,
    check_restart,
    check_resume,
    find_pending,
)
from domain.dispute.models import (
    GROUP_SIZE,
    ApplyEnforcement,
    ApplyForArbitration,
    ApplyPaymentOrder,
    ApplyRevocation,
    AwardItem,
    AwardItemKind,
    ChangeClaims,
    CloseDispute,
    DecideAcceptance,
    DisputeIntake,
    DisputeStage,
    DisputeState,
    Limitation,
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
from domain.files import AttachFile
from domain.input_dates import last_event_day, not_before, not_future
from domain.regions import RegionSettings

MEDIATION, PERFORMANCE = "mediation", "performance"
PAYMENT_ORDER_ISSUE, PAYMENT_ORDER_RESPONSE = "payment_order_issue", "payment_order_response"
ACCEPTANCE, SERVICE, DEFENCE, AWARD = "acceptance", "service", "defence", "award"
WORKER_SUIT, EMPLOYER_REVOCATION, SUIT = "worker_suit", "employer_revocation", "suit"
ENFORCEMENT = "enforcement"

# MA-7: one extension of at most 15 days, approved by the chair; a changed claim restarts
# the 45 days; suspension days do not count.
AWARD_POLICY = DeadlinePolicy(
    extendable=True,
    max_extensions=1,
    max_extension_days=15,
    approval_required=True,
    pausable=True,
    restartable=True,
    approver_capacity=ApproverCapacity.arbitration_commission_chair,
)
# Cases opened before the chair's capacity was checked: their extensions replay unchanged.
AWARD_POLICY_BEFORE = AWARD_POLICY.model_copy(update={"approver_capacity": None})


def award_policy(state: DisputeState) -> DeadlinePolicy:
    return AWARD_POLICY if state.law_as_written else AWARD_POLICY_BEFORE


HEARING_NOTICE_DAYS = 5  # MA-6
FINAL_AWARD_MONTHS = 12  # MA-8
ENFORCEMENT_YEARS = 2  # MA-10


def statutory(
    name: str, rule: str, start: datetime, days: int, policy: DeadlinePolicy | None = None
) -> DeadlineSpec:
    """An MA period: calendar days from the day after the event, rolled past holidays (CAL-3)."""
    request = DueRequest(
        start_at=start, basis=DeadlineBasis.calendar_days, days=days, roll_past_holidays=True
    )
    return DeadlineSpec(name=name, rule=rule, request=request, warn_before_days=1, policy=policy)


def fixed(name: str, rule: str, start: datetime, due: datetime) -> DeadlineSpec:
    request = DueRequest(start_at=start, basis=DeadlineBasis.fixed, fixed_due=due)
    return DeadlineSpec(name=name, rule=rule, request=request, warn_before_days=30)


def enforcement_window(
    effective_on: date, now: datetime, as_written: bool = False, perform_by: date | None = None
) -> DeadlineSpec:
    """MA-10: enforcement must be applied for within 2 years of the award taking effect.

    As written (CPL Art.250, CAL-3): counted from the last day of the performance period the
    award sets, else from the day it takes effect; a last day that is a rest day moves to the
    next working day, and one in a year the calendar does not know is provisional (CAL-2)."""
    if not as_written:
        last = years_after(effective_on, ENFORCEMENT_YEARS)
        return fixed(ENFORCEMENT, "MA-10", now, end_of_day(last))
    start = max(effective_on, perform_by) if perform_by is not None else effective_on
    days = (years_after(start, ENFORCEMENT_YEARS) - start).days
    request = DueRequest(
        start_at=at_noon(start),
        basis=DeadlineBasis.calendar_days,
        days=days,
        roll_past_holidays=True,
    )
    return DeadlineSpec(name=ENFORCEMENT, rule="MA-10", request=request, warn_before_days=30)


def is_priority(intake: DisputeIntake) -> bool:
    """MA-4 green channel: migrant workers' wage claims, and groups of 10+ workers."""
    return (intake.migrant_workers and intake.wage_claim) or len(intake.workers) >= GROUP_SIZE


def _one_year_after(day: date) -> date:
    return years_after(day, 1)


def limitation(
    intake: DisputeIntake, applied_on: date, also_interrupted_on: tuple[date, ...] = ()
) -> Limitation:
    """MA-3: one year from when the worker knew, restarted by each interruption; a claim for
    pay unpaid during employment runs only from the end of the job."""
    if intake.wage_claim and intake.employment_ended_on is not None:
        runs_from = intake.employment_ended_on
    elif intake.wage_claim:
        runs_from = applied_on  # still employed: the period has not started
    else:
        runs_from = intake.claim_known_on
    # An interruption restarts the year only while it still runs: a claim made after the
    # year ran out does not revive it.
    expires_on = _one_year_after(runs_from)
    for day in sorted((*intake.limitation_interrupted_on, *also_interrupted_on)):
        if runs_from < day <= min(applied_on, expires_on):
            runs_from, expires_on = day, _one_year_after(day)
    return Limitation(
        runs_from=runs_from,
        expires_on=expires_on,
        applied_on=applied_on,
        time_barred=applied_on > expires_on,
    )


def item_is_final(item: AwardItem, threshold: Decimal) -> bool:
    """MA-8 (LDMAL Art.47): a money item is final when at most the threshold; an item on
    working time, rest and leave or social insurance (Art.47(2)) is final whatever its amount;
    any other item is not final."""
    if item.kind is AwardItemKind.labour_standards:
        return True
    if item.kind is AwardItemKind.money:
        return item.amount <= threshold
    return False


def award_is_final(items: list[AwardItem], region: RegionSettings) -> tuple[bool, Decimal]:
    """MA-8: final when every item is final, judged item by item against 12 x the local
    monthly minimum wage; an award mixing final and non-final items is non-final."""
    threshold = region.monthly_minimum_wage * FINAL_AWARD_MONTHS
    return all(item_is_final(item, threshold) for item in items), threshold


def _pending(state: DisputeState, name: str) -> bool:
    return any(d.name == name and d.pending for d in state.deadlines)


# State checks (409).


def _open(state: DisputeState) -> None:
    if state.stage is DisputeStage.closed:
        raise ActionNotAllowed("the case is closed")


def _stage(*stages: DisputeStage) -> Callable[[DisputeState], None]:
    def check(state: DisputeState) -> None:
        _open(state)
        if state.stage not in stages:
            allowed = " or ".join(s.value for s in stages)
            raise ActionNotAllowed(f"only in {allowed}; the case is in {state.stage.value}")

    return check


def _stage_running(
    stage: DisputeStage, deadline: str, refusal: str
) -> Callable[[DisputeState], None]:
    """In `stage`, while its `deadline` still runs: the step it waits for is not taken yet."""

    def check(state: DisputeState) -> None:
        _stage(stage)(state)
        if not _pending(state, deadline):
            raise ActionNotAllowed(refusal)

    return check


_state_payment_order_served = _stage_running(
    DisputeStage.payment_order,
    PAYMENT_ORDER_ISSUE,
    refusal="MA-2: the payment order was already recorded",
)
_state_objection = _stage_running(
    DisputeStage.payment_order,
    PAYMENT_ORDER_RESPONSE,
    refusal="MA-2: no payment order is waiting for the employer's answer",
)
_state_defence = _stage_running(
    DisputeStage.arbitration,
    DEFENCE,
    refusal="MA-5: the respondent was not served, or the defence is in",
)
_state_service = _stage_running(
    DisputeStage.arbitration, SERVICE, refusal="MA-5: the respondent was already served"
)


def _state_award_received(state: DisputeState) -> None:
    _stage(DisputeStage.award)(state)
    award = state.award
    if award is None or (
        award.worker_received_on is not None and award.employer_received_on is not None
    ):
        raise ActionNotAllowed("MA-9: the award's receipt was already recorded")


def _state_suit(state: DisputeState) -> None:
    _open(state)
    if state.stage is DisputeStage.award:
        if any(_pending(state, n) for n in (WORKER_SUIT, SUIT)):
            return
        raise ActionNotAllowed("MA-9: no window to sue is open")
    if state.may_sue and state.stage in (
        DisputeStage.arbitration_applied,
        DisputeStage.arbitration,
    ):
        return
    raise ActionNotAllowed("MA-4, MA-7, MA-9: no right to sue is open now")


def _state_revocation(state: DisputeState) -> None:
    _stage(DisputeStage.award)(state)
    if state.worker_sued:
        raise ActionNotAllowed("MA-9: the worker sued; the employer may not apply to revoke")
    if not _pending(state, EMPLOYER_REVOCATION):
        raise ActionNotAllowed("MA-9: no revocation window is open")


def _state_enforcement(state: DisputeState) -> None:
    _open(state)
    if not _pending(state, ENFORCEMENT):
        raise ActionNotAllowed("MA-10: no effective award or order is waiting for enforcement")
    if state.stage is DisputeStage.enforcement:
        raise ActionNotAllowed("MA-10: enforcement was already applied for")


def _state_deadline_change(kind: str) -> Callable[[DisputeState], None]:
    def check(state: DisputeState) -> None:
        _open(state)
        wanted: dict[str, Callable[[Deadline], bool]] = {
            "extend": lambda d: d.policy.extendable,
            "pause": lambda d: d.policy.pausable and not d.paused,
            "resume": lambda d: d.paused,
            "restart": lambda d: d.policy.restartable,
        }
        if not any(d.pending and wanted[kind](d) for d in state.deadlines):
            raise ActionNotAllowed(f"no running deadline of this case may {kind}")

    return check


# Input checks (422).


def _input_agreement(state: DisputeState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordAgreement)
    if cmd.performance_date < cst_date(now):
        raise InvalidActionInput("MA-2: the performance date is in the past")


def _input_hearing(state: DisputeState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ScheduleHearing)
    # MA-6: the parties are notified at least 5 days before the hearing.
    if (cst_date(cmd.hearing_at) - cmd.notice_served_on).days < HEARING_NOTICE_DAYS:
        raise InvalidActionInput("MA-6: the hearing notice must be served 5 days before")
    if cmd.hearing_at <= now:
        raise InvalidActionInput("the hearing must be in the future")


def _input_datenot_future(field: str) -> Callable[[DisputeState, Command, datetime], None]:
    def check(state: DisputeState, cmd: Command, now: datetime) -> None:
        if getattr(cmd, field) > cst_date(now):
            raise InvalidActionInput(f"{field} is in the future")

    return check


def _input_payment_order(state: DisputeState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ApplyPaymentOrder)
    if cmd.accepted_on is None:
        return
    # MA-2: the court accepts an application made once the performance date has passed.
    not_future("accepted_on", cmd.accepted_on, now)
    if state.performance_date is not None and cmd.accepted_on <= state.performance_date:
        raise InvalidActionInput(
            f"accepted_on must be after the performance date ({state.performance_date})"
        )


def _served_after(
    accepted: Callable[[DisputeState], date | None], what: str
) -> Callable[[DisputeState, Command, datetime], None]:
    """MA-2, MA-5: a paper is not served in the future, nor before the acceptance it follows."""

    def check(state: DisputeState, cmd: Command, now: datetime) -> None:
        assert isinstance(cmd, RecordPaymentOrder | RecordService)
        not_future("served_on", cmd.served_on, now)
        if not state.law_as_written:
            return  # update validators run again on replay: older cases are checked as before
        not_before("served_on", cmd.served_on, accepted(state), what)

    return check


def _payment_order_accepted_on(state: DisputeState) -> date | None:
    return state.payment_order_accepted_on or last_event_day(state.events, "payment_order_applied")


def _arbitration_accepted_on(state: DisputeState) -> date | None:
    return state.accepted_on or last_event_day(state.events, "arbitration_accepted")


_input_payment_order_served = _served_after(
    _payment_order_accepted_on, "the court accepted the application"
)
_input_service = _served_after(_arbitration_accepted_on, "the application was accepted")


def _input_defence(state: DisputeState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordDefence)
    not_future("received_on", cmd.received_on, now)
    if not state.law_as_written:
        return
    not_before(
        "received_on", cmd.received_on, state.respondent_served_on, "the respondent was served"
    )


def _input_award_received(state: DisputeState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordAwardReceived)
    assert state.award is not None  # the state check passed
    not_future("received_on", cmd.received_on, now)
    if state.law_as_written:
        not_before("received_on", cmd.received_on, state.award.made_on, "the award was made")
    award = state.award
    taken = {
        "worker": award.worker_received_on is not None,
        "employer": award.employer_received_on is not None,
    }
    if cmd.party == "both" and any(taken.values()):
        raise ActionNotAllowed("MA-9: a party's receipt was already recorded; name the other")
    if cmd.party != "both" and taken[cmd.party]:
        raise ActionNotAllowed(f"MA-9: the {cmd.party}'s receipt was already recorded")


def _input_suit(state: DisputeState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordSuit)
    if cmd.by == "employer":
        award = state.award
        if award is None or award.final or not _pending(state, SUIT):
            raise ActionNotAllowed("MA-9: the employer may sue only against a non-final award")


def _input_award(state: DisputeState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordAward)
    not_future("made_on", cmd.made_on, now)
    if not state.law_as_written:
        return
    accepted = _arbitration_accepted_on(state)
    not_before("made_on", cmd.made_on, accepted, "the application was accepted")
    not_before("perform_by", cmd.perform_by or cmd.made_on, cmd.made_on, "the award")


def _input_deadline(kind: str) -> Callable[[DisputeState, Command, datetime], None]:
    def check(state: DisputeState, cmd: Command, now: datetime) -> None:
        assert isinstance(cmd, ExtendDeadline | PauseDeadline | ResumeDeadline | RestartDeadline)
        deadline = find_pending(state.deadlines, cmd.deadline)
        if isinstance(cmd, ExtendDeadline):
            check_extend(deadline, cmd)
        elif isinstance(cmd, PauseDeadline):
            check_pause(deadline)
        elif isinstance(cmd, ResumeDeadline):
            check_resume(deadline)
        else:
            check_restart(deadline)

    return check


ARBITRATION = roles(Role.mediator, Role.supervisor)
# Who may open a case (an application for mediation or arbitration, MA-1).
OPENED_BY = OFFICERS
_S = DisputeStage

ACTIONS: dict[str, ActionSpec[DisputeState]] = actions.table(
    ActionSpec(
        "record_mediation_session",
        RecordMediationSession,
        OFFICERS,
        "MA-1",
        _stage(_S.mediation),
        _input_datenot_future("held_on"),
    ),
    ActionSpec(
        "record_agreement",
        RecordAgreement,
        OFFICERS,
        "MA-2",
        _stage(_S.mediation),
        _input_agreement,
    ),
    ActionSpec(
        "record_mediation_failure",
        RecordMediationFailure,
        OFFICERS,
        "MA-1",
        _stage(_S.mediation),
    ),
    ActionSpec(
        "record_performance",
        RecordPerformance,
        OFFICERS,
        "MA-2",
        _stage(_S.agreement, _S.agreement_unperformed, _S.payment_order),
    ),
    ActionSpec(
        "apply_payment_order",
        ApplyPaymentOrder,
        OFFICERS,
        "MA-2",
        _stage(_S.agreement_unperformed),
        _input_payment_order,
    ),
    ActionSpec(
        "record_payment_order",
        RecordPaymentOrder,
        OFFICERS,
        "MA-2",
        _state_payment_order_served,
        _input_payment_order_served,
    ),
    ActionSpec(
        "record_payment_order_objection",
        RecordPaymentOrderObjection,
        OFFICERS,
        "MA-2",
        _state_objection,
    ),
    ActionSpec(
        "apply_for_arbitration",
        ApplyForArbitration,
        OFFICERS,
        "MA-1, MA-2",
        _stage(_S.mediation, _S.agreement_unperformed),
    ),
    ActionSpec(
        "decide_acceptance",
        DecideAcceptance,
        ARBITRATION,
        "MA-4",
        _stage(_S.arbitration_applied),
    ),
    ActionSpec(
        "record_service",
        RecordService,
        ARBITRATION,
        "MA-5",
        _state_service,
        _input_service,
    ),
    ActionSpec(
        "record_defence",
        RecordDefence,
        ARBITRATION,
        "MA-5",
        _state_defence,
        _input_defence,
    ),
    ActionSpec(
        "schedule_hearing",
        ScheduleHearing,
        ARBITRATION,
        "MA-6",
        _stage(_S.arbitration),
        _input_hearing,
    ),
    ActionSpec("change_claims", ChangeClaims, ARBITRATION, "MA-7", _stage(_S.arbitration)),
    ActionSpec(
        "record_award", RecordAward, ARBITRATION, "MA-8", _stage(_S.arbitration), _input_award
    ),
    ActionSpec(
        "record_award_received",
        RecordAwardReceived,
        ARBITRATION,
        "MA-9",
        _state_award_received,
        _input_award_received,
    ),
    ActionSpec("record_suit", RecordSuit, OFFICERS, "MA-4, MA-7, MA-9", _state_suit, _input_suit),
    ActionSpec("apply_revocation", ApplyRevocation, ARBITRATION, "MA-9", _state_revocation),
    ActionSpec("record_judgment", RecordJudgment, OFFICERS, "MA-9", _stage(_S.litigation)),
    ActionSpec("apply_enforcement", ApplyEnforcement, OFFICERS, "MA-10", _state_enforcement),
    ActionSpec(
        "extend_deadline",
        ExtendDeadline,
        ARBITRATION,
        "MA-7",
        _state_deadline_change("extend"),
        _input_deadline("extend"),
    ),
    ActionSpec(
        "pause_deadline",
        PauseDeadline,
        ARBITRATION,
        "MA-7",
        _state_deadline_change("pause"),
        _input_deadline("pause"),
    ),
    ActionSpec(
        "resume_deadline",
        ResumeDeadline,
        ARBITRATION,
        "MA-7",
        _state_deadline_change("resume"),
        _input_deadline("resume"),
    ),
    ActionSpec("close", CloseDispute, OFFICERS, "MA-9, MA-10", _open),
    ActionSpec("attach_file", AttachFile, OFFICERS, "", _open),
)


# Actor (403), then state (409), then input (422); what is available; who is awaited.
check, available_actions, awaited_by = actions.bound(ACTIONS)
