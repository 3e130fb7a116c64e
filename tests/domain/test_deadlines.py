"""Unit tests of domain/deadlines.py: the deadline primitive, pure, no Temporal.

Due times are computed here with `domain.calendar.due_for` on a weekends-only calendar, so the
arithmetic of pauses and extensions can be checked against dates worked out by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.calendar import due_for
from domain.common import CST, ActionNotAllowed, Actor, InvalidActionInput, Role
from domain.deadlines import (
    ApproverCapacity,
    DateRange,
    Deadline,
    DeadlineBasis,
    DeadlinePolicy,
    DeadlineState,
    DueRequest,
    DueResult,
    ExtendDeadline,
    PauseDeadline,
    RestartDeadline,
    ResumeDeadline,
    SlaState,
    check_extend,
    check_pause,
    check_restart,
    check_resume,
    extended,
    extension_request,
    find_pending,
    new_deadline,
    next_pending,
    paused,
    recomputed,
    restart_request,
    restarted,
    resumed,
)
from domain.dispute.rules import AWARD_POLICY
from domain.wage_arrears.rules import INVESTIGATION_POLICY
from tests import factories as f

# Monday 2 March 2026, 10:00 CST: no public holiday for weeks either side.
START = datetime(2026, 3, 2, 10, 0, tzinfo=CST)
VERSION = "test-calendar-1"


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def midnight_after(day: date) -> datetime:
    """The instant a CST day ends (written out here rather than taken from domain.calendar)."""
    return datetime(day.year, day.month, day.day, tzinfo=CST) + timedelta(days=1)


def compute(request: DueRequest, version: str = VERSION) -> DueResult:
    return DueResult(due_at=due_for(request, weekdays).astimezone(UTC), calendar_version=version)


def assert_latest(deadline: Deadline, **expected: object) -> None:
    """The deadline's latest ledger entry has these values."""
    entry = deadline.ledger[-1]
    assert {name: getattr(entry, name) for name in expected} == expected


def actor(role: Role = Role.inspector, id: str | None = None) -> Actor:
    return Actor.model_validate(f.actor(role, id=id))


INSPECTOR = actor(Role.inspector)
SUPERVISOR = actor(Role.supervisor)


def make(
    *,
    name: str = "investigation",
    rule: str = "WA-12",
    basis: DeadlineBasis = DeadlineBasis.working_days,
    days: int = 10,
    fixed_due: datetime | None = None,
    warn_before_days: int | None = 2,
    policy: DeadlinePolicy | None = None,
    roll_past_holidays: bool = False,
) -> Deadline:
    request = DueRequest(
        start_at=START,
        basis=basis,
        days=days,
        fixed_due=fixed_due,
        roll_past_holidays=roll_past_holidays,
    )
    return new_deadline(
        name=name,
        rule=rule,
        request=request,
        due=compute(request),
        warn_before_days=warn_before_days,
        policy=policy,
        actor_id="mediator-01",
        reason="case opened",
    )


EXTENDABLE_ONCE = DeadlinePolicy(
    extendable=True, max_extensions=1, max_extension_days=30, approval_required=True
)
PAUSABLE = DeadlinePolicy(pausable=True)
# The policies of WA-12's investigation (once by 30 days with approval, and it may be
# suspended) and of MA-7's award period (once by at most 15 days with the chair's approval,
# suspensions do not count, changed claims restart it) are the rules' own.
CHAIR = ApproverCapacity.arbitration_commission_chair


def extend(
    days: int | None = None,
    to: datetime | None = None,
    approver: Actor | None = None,
    by: Actor = INSPECTOR,
    deadline: str = "investigation",
    capacity: ApproverCapacity | None = None,
) -> ExtendDeadline:
    return ExtendDeadline(
        actor=by,
        reason="more time needed",
        deadline=deadline,
        days=days,
        to=to,
        approver=approver,
        approver_capacity=capacity,
    )


def pause_cmd(deadline: str = "investigation") -> PauseDeadline:
    return PauseDeadline(actor=INSPECTOR, reason="waiting for bank records", deadline=deadline)


def resume_cmd(deadline: str = "investigation") -> ResumeDeadline:
    return ResumeDeadline(actor=SUPERVISOR, reason="bank records arrived", deadline=deadline)


# The deadline as made.


def test_ten_working_days_from_a_monday_end_at_the_midnight_after_the_second_friday() -> None:
    deadline = make(days=10)
    assert deadline.due_at == midnight_after(date(2026, 3, 16))  # Monday 16 March
    assert deadline.warn_at == deadline.due_at - timedelta(days=2)
    assert deadline.base_days == deadline.days == 10
    assert deadline.pending and not deadline.paused and deadline.computed
    assert [(e.change, e.actor_id, e.reason) for e in deadline.ledger] == [
        ("set", "mediator-01", "case opened")
    ]


def test_warning_never_falls_before_the_start() -> None:
    deadline = make(basis=DeadlineBasis.calendar_days, days=1, warn_before_days=5)
    assert deadline.warn_at == START


def test_no_warning_without_warn_before_days() -> None:
    deadline = make(warn_before_days=None)
    assert deadline.warn_at is None
    assert deadline.next_wakeup() == deadline.due_at
    assert deadline.sla_state_at(deadline.due_at - timedelta(microseconds=1)) is SlaState.on_track


# sla_state_at, at its boundaries.


def test_sla_is_overdue_from_the_due_instant_on() -> None:
    deadline = make()
    assert deadline.sla_state_at(deadline.due_at - timedelta(microseconds=1)) is SlaState.due_soon
    assert deadline.sla_state_at(deadline.due_at) is SlaState.overdue
    assert deadline.sla_state_at(deadline.due_at + timedelta(days=30)) is SlaState.overdue


def test_sla_is_due_soon_from_the_warning_instant_on() -> None:
    deadline = make()
    assert deadline.warn_at is not None
    assert deadline.sla_state_at(deadline.warn_at - timedelta(microseconds=1)) is SlaState.on_track
    assert deadline.sla_state_at(deadline.warn_at) is SlaState.due_soon
    assert deadline.sla_state_at(START) is SlaState.on_track


def test_sla_of_a_paused_deadline_is_on_track_even_past_its_due() -> None:
    deadline = make(policy=PAUSABLE)
    paused(deadline, pause_cmd(), START + timedelta(days=1))
    assert deadline.sla_state_at(deadline.due_at) is SlaState.on_track
    assert deadline.sla_state_at(deadline.due_at + timedelta(days=100)) is SlaState.on_track


@pytest.mark.parametrize(
    ("state", "sla"),
    [
        (DeadlineState.met, SlaState.met),
        (DeadlineState.breached, SlaState.breached),
        (DeadlineState.cancelled, SlaState.cancelled),
    ],
)
def test_sla_of_a_closed_deadline_is_its_state(state: DeadlineState, sla: SlaState) -> None:
    deadline = make()
    deadline.close(state, START + timedelta(days=1), "inspector-01", "done")
    for now in (START, deadline.due_at, deadline.due_at + timedelta(days=1)):
        assert deadline.sla_state_at(now) is sla


# next_wakeup.


def test_next_wakeup_is_the_warning_first_then_the_due_time() -> None:
    deadline = make()
    assert deadline.next_wakeup() == deadline.warn_at
    deadline.warned = True
    assert deadline.next_wakeup() == deadline.due_at


def test_next_wakeup_skips_a_warning_at_the_due_time() -> None:
    # Due at the start: the warning, clamped to the start, would come no earlier than the due.
    deadline = make(basis=DeadlineBasis.fixed, days=0, fixed_due=START, warn_before_days=1)
    assert deadline.warn_at == deadline.due_at == START
    assert deadline.next_wakeup() == deadline.due_at


def test_no_wakeup_while_paused_and_again_once_resumed() -> None:
    deadline = make(policy=PAUSABLE)
    paused(deadline, pause_cmd(), START + timedelta(days=1))
    assert deadline.next_wakeup() is None
    at = START + timedelta(days=3)
    resumed(deadline, resume_cmd(), compute(deadline.due_request(resume_on=at.date())), at)
    assert deadline.next_wakeup() == deadline.warn_at


@pytest.mark.parametrize(
    "state", [DeadlineState.met, DeadlineState.breached, DeadlineState.cancelled]
)
def test_no_wakeup_once_closed(state: DeadlineState) -> None:
    deadline = make()
    deadline.close(state, START)
    assert deadline.next_wakeup() is None


def test_next_pending_is_the_earliest_running_deadline() -> None:
    early, late, closed, stopped = (
        make(name="early", days=3),
        make(name="late", days=20),
        make(name="closed", days=1),
        make(name="stopped", days=2, policy=PAUSABLE),
    )
    closed.close(DeadlineState.met, START)
    paused(stopped, pause_cmd("stopped"), START)
    assert next_pending([late, closed, stopped, early]) is early
    assert next_pending([closed, stopped]) is None


def test_find_pending_takes_the_latest_deadline_of_that_name() -> None:
    old, new = make(days=5), make(days=8)
    old.close(DeadlineState.cancelled, START)
    assert find_pending([old, new], "investigation") is new
    # The refusal names the case's deadlines, not the name asked for.
    unknown = r"no deadline of that name in this case \(deadlines: investigation\)$"
    with pytest.raises(InvalidActionInput, match=unknown):
        find_pending([old, new], "settle")
    new.close(DeadlineState.breached, START)
    with pytest.raises(ActionNotAllowed, match="breached"):
        find_pending([old, new], "investigation")


# check_extend.


def test_a_deadline_that_is_not_extendable_names_its_rule() -> None:
    deadline = make(name="settle", rule="WA-1", basis=DeadlineBasis.calendar_days, days=3)
    with pytest.raises(ActionNotAllowed, match=r"^WA-1: the settle deadline cannot be extended"):
        check_extend(deadline, extend(days=1, deadline="settle"))


def test_extensions_stop_at_max_extensions() -> None:
    deadline = make(policy=EXTENDABLE_ONCE)
    cmd = extend(days=5, approver=SUPERVISOR)
    check_extend(deadline, cmd)
    extended(
        deadline,
        cmd,
        extension_request(deadline, cmd),
        compute(extension_request(deadline, cmd)),
        START,
    )
    assert deadline.extensions == 1
    with pytest.raises(ActionNotAllowed, match=r"^WA-12: .*already extended 1 time"):
        check_extend(deadline, extend(days=1, approver=SUPERVISOR))


def test_unlimited_extensions_when_the_policy_sets_no_maximum() -> None:
    deadline = make(policy=DeadlinePolicy(extendable=True))
    for _ in range(5):
        cmd = extend(days=365)
        check_extend(deadline, cmd)
        request = extension_request(deadline, cmd)
        extended(deadline, cmd, request, compute(request), START)
    assert deadline.extensions == 5


def test_an_extension_is_at_most_max_extension_days() -> None:
    deadline = make(policy=EXTENDABLE_ONCE)
    check_extend(deadline, extend(days=30, approver=SUPERVISOR))
    with pytest.raises(InvalidActionInput, match=r"^WA-12: .* at most 30 days"):
        check_extend(deadline, extend(days=31, approver=SUPERVISOR))
    # `to` is measured in calendar days from the current due date.
    check_extend(deadline, extend(to=deadline.due_at + timedelta(days=30), approver=SUPERVISOR))
    with pytest.raises(InvalidActionInput, match="at most 30 days"):
        check_extend(deadline, extend(to=deadline.due_at + timedelta(days=31), approver=SUPERVISOR))


def test_an_extension_needing_approval_needs_another_person_as_approver() -> None:
    deadline = make(policy=EXTENDABLE_ONCE)
    with pytest.raises(InvalidActionInput, match=r"^WA-12: this extension needs an approver"):
        check_extend(deadline, extend(days=10))
    same_person = actor(Role.supervisor, id=INSPECTOR.id)
    with pytest.raises(InvalidActionInput, match="someone other than the actor"):
        check_extend(deadline, extend(days=10, approver=same_person))
    check_extend(deadline, extend(days=10, approver=SUPERVISOR))


@pytest.mark.parametrize("offset", [timedelta(0), -timedelta(seconds=1), -timedelta(days=3)])
def test_an_extension_to_a_moment_not_after_the_due_time_is_refused(offset: timedelta) -> None:
    deadline = make(policy=DeadlinePolicy(extendable=True))
    with pytest.raises(InvalidActionInput, match="must move the deadline later"):
        check_extend(deadline, extend(to=deadline.due_at + offset))


def test_an_extension_gives_either_days_or_to_with_a_time_zone() -> None:
    with pytest.raises(ValidationError, match="either days or to"):
        extend()
    with pytest.raises(ValidationError, match="either days or to"):
        extend(days=3, to=START + timedelta(days=30))
    with pytest.raises(ValidationError, match="time zone"):
        extend(to=datetime(2026, 5, 1))
    with pytest.raises(ValidationError):
        extend(days=0)


# extension_request and extended.


def test_extension_by_days_adds_them_to_the_period() -> None:
    deadline = make(days=10, policy=EXTENDABLE_ONCE)
    cmd = extend(days=5, approver=SUPERVISOR)
    request = extension_request(deadline, cmd)
    assert request.days == 15
    assert request.basis is DeadlineBasis.working_days
    assert request.start_at == START and request.fixed_due is None
    at = START + timedelta(days=4)
    extended(deadline, cmd, request, compute(request), at)
    assert deadline.days == 15 and deadline.base_days == 10
    assert deadline.due_at == midnight_after(date(2026, 3, 23))  # five more working days
    assert deadline.warn_at == deadline.due_at - timedelta(days=2)
    entry = deadline.ledger[-1]
    assert (entry.change, entry.at, entry.due_at) == ("extended", at, deadline.due_at)
    assert (entry.actor_id, entry.reason, entry.approver_id) == (
        "inspector-01",
        "more time needed",
        "supervisor-01",
    )


def test_extension_of_a_fixed_deadline_by_days_shifts_the_date() -> None:
    fixed = datetime(2026, 4, 1, 18, 0, tzinfo=CST)
    deadline = make(
        name="settle",
        rule="WA-2",
        basis=DeadlineBasis.fixed,
        days=0,
        fixed_due=fixed,
        policy=DeadlinePolicy(extendable=True),
    )
    assert deadline.due_at == fixed and not deadline.computed
    cmd = extend(days=7, deadline="settle")
    request = extension_request(deadline, cmd)
    assert request.fixed_due == fixed + timedelta(days=7)
    assert request.days == 0
    extended(deadline, cmd, request, compute(request), START)
    assert deadline.due_at == fixed + timedelta(days=7)
    assert deadline.fixed_due == fixed + timedelta(days=7)
    assert deadline.ledger[-1].approver_id is None


def test_extension_to_a_moment_sets_the_fixed_due() -> None:
    deadline = make(days=10, policy=DeadlinePolicy(extendable=True))
    to = datetime(2026, 4, 10, 17, 30, tzinfo=CST)
    cmd = extend(to=to)
    request = extension_request(deadline, cmd)
    assert request.fixed_due == to
    extended(deadline, cmd, request, compute(request), START)
    assert deadline.due_at == to
    assert deadline.fixed_due == to
    assert deadline.extensions == 1


def test_extension_to_a_moment_after_a_pause_is_that_moment() -> None:
    """An officer who extends "to" a date means that date: days paused before the extension
    are already in the due time the officer saw, and must not push the new date later."""
    deadline = make(days=10, policy=DeadlinePolicy(extendable=True, pausable=True))
    paused(deadline, pause_cmd(), START + timedelta(days=1))  # Tuesday 3 March
    at = START + timedelta(days=8)  # Tuesday 10 March: a week paused
    resumed(deadline, resume_cmd(), compute(deadline.due_request(resume_on=at.date())), at)
    assert deadline.due_at == midnight_after(date(2026, 3, 23))
    to = datetime(2026, 4, 10, 17, 30, tzinfo=CST)
    cmd = extend(to=to)
    check_extend(deadline, cmd)
    request = extension_request(deadline, cmd)
    extended(deadline, cmd, request, compute(request), at)
    assert deadline.due_at == to
    # A pause after the extension still moves the new date, day for day.
    paused(deadline, pause_cmd(), datetime(2026, 3, 12, 9, 0, tzinfo=CST))
    at = datetime(2026, 3, 14, 9, 0, tzinfo=CST)
    resumed(deadline, resume_cmd(), compute(deadline.due_request(resume_on=at.date())), at)
    assert deadline.due_at == to + timedelta(days=2)


def test_a_warned_deadline_moved_later_warns_again() -> None:
    deadline = make(days=10, policy=DeadlinePolicy(extendable=True))
    deadline.warned = True
    cmd = extend(days=5)
    request = extension_request(deadline, cmd)
    extended(deadline, cmd, request, compute(request), deadline.due_at - timedelta(hours=1))
    assert not deadline.warned
    assert deadline.next_wakeup() == deadline.warn_at


# Pause and resume.


def test_a_deadline_that_is_not_pausable_names_its_rule() -> None:
    deadline = make(name="settle", rule="WA-1", basis=DeadlineBasis.calendar_days, days=3)
    with pytest.raises(ActionNotAllowed, match=r"^WA-1: the settle deadline cannot be paused"):
        check_pause(deadline)


def test_pause_records_the_cst_day_and_cannot_be_repeated() -> None:
    deadline = make(policy=PAUSABLE)
    check_pause(deadline)
    with pytest.raises(ActionNotAllowed, match="is not paused"):
        check_resume(deadline)
    at = datetime(2026, 3, 3, 17, 30, tzinfo=UTC)  # already Wednesday 4 March in CST
    paused(deadline, pause_cmd(), at)
    assert deadline.paused
    assert deadline.pauses[-1].start == date(2026, 3, 4) and deadline.pauses[-1].end is None
    assert_latest(
        deadline, change="paused", at=at, actor_id="inspector-01", reason="waiting for bank records"
    )
    with pytest.raises(ActionNotAllowed, match="already paused"):
        check_pause(deadline)
    check_resume(deadline)


def test_due_request_while_paused_excludes_from_the_pause_day_up_to_the_resume_day() -> None:
    deadline = make(days=10, policy=PAUSABLE)
    paused(deadline, pause_cmd(), datetime(2026, 3, 3, 9, 0, tzinfo=CST))  # Tuesday
    # Until it resumes, a running pause is not excluded: its end is not known.
    assert deadline.due_request().excluded == []
    request = deadline.due_request(resume_on=date(2026, 3, 9))  # the next Monday
    assert request.excluded == [DateRange(start=date(2026, 3, 3), end=date(2026, 3, 9))]
    assert (request.start_at, request.basis, request.days) == (START, deadline.basis, 10)
    # Tuesday to Friday were working days: the due time moves by four working days.
    assert compute(request).due_at == midnight_after(date(2026, 3, 20))


def test_resume_on_is_ignored_when_not_paused() -> None:
    deadline = make(days=10, policy=PAUSABLE)
    assert deadline.due_request(resume_on=date(2026, 3, 9)).excluded == []


def test_resume_moves_the_due_time_by_the_paused_working_days_and_records_who() -> None:
    deadline = make(days=10, policy=PAUSABLE)
    original = deadline.due_at
    paused(deadline, pause_cmd(), datetime(2026, 3, 3, 9, 0, tzinfo=CST))  # Tuesday
    at = datetime(2026, 3, 11, 15, 0, tzinfo=CST)  # Wednesday a week later
    resumed(deadline, resume_cmd(), compute(deadline.due_request(resume_on=at.date())), at)
    assert not deadline.paused
    assert deadline.pauses[-1].end == date(2026, 3, 11)
    # Paused Tuesday 3 to Tuesday 10 March inclusive: six working days.
    assert deadline.due_at == midnight_after(date(2026, 3, 24))
    assert deadline.due_at - original == timedelta(days=8)  # 6 working days + 1 weekend
    assert_latest(
        deadline,
        change="resumed",
        at=at,
        due_at=deadline.due_at,
        actor_id="supervisor-01",
        reason="bank records arrived",
    )
    # A completed pause stays excluded in every later computation (extensions, recompute).
    assert deadline.due_request().excluded == [
        DateRange(start=date(2026, 3, 3), end=date(2026, 3, 11))
    ]


def test_two_pauses_both_count() -> None:
    deadline = make(days=10, policy=PAUSABLE)
    for start, end in ((date(2026, 3, 3), date(2026, 3, 5)), (date(2026, 3, 9), date(2026, 3, 10))):
        paused(deadline, pause_cmd(), datetime.combine(start, START.timetz()))
        at = datetime.combine(end, START.timetz())
        resumed(deadline, resume_cmd(), compute(deadline.due_request(resume_on=end)), at)
    # 2 + 1 paused working days.
    assert deadline.due_at == midnight_after(date(2026, 3, 19))
    assert [e.change for e in deadline.ledger] == ["set", "paused", "resumed", "paused", "resumed"]


def test_resuming_on_the_pause_day_changes_nothing() -> None:
    deadline = make(days=10, policy=PAUSABLE)
    due = deadline.due_at
    at = datetime(2026, 3, 3, 9, 0, tzinfo=CST)
    paused(deadline, pause_cmd(), at)
    later = at + timedelta(hours=3)
    resumed(deadline, resume_cmd(), compute(deadline.due_request(resume_on=later.date())), later)
    assert deadline.due_at == due


def test_a_paused_fixed_deadline_moves_day_for_day() -> None:
    fixed = datetime(2026, 3, 20, 18, 0, tzinfo=CST)
    deadline = make(
        basis=DeadlineBasis.fixed, days=0, fixed_due=fixed, policy=PAUSABLE, warn_before_days=None
    )
    paused(deadline, pause_cmd(), datetime(2026, 3, 3, 9, 0, tzinfo=CST))
    at = datetime(2026, 3, 6, 9, 0, tzinfo=CST)
    resumed(deadline, resume_cmd(), compute(deadline.due_request(resume_on=at.date())), at)
    assert deadline.due_at == fixed + timedelta(days=3)


# Restart (MA-7: changed claims restart the 45 days; pauses and extensions start over).


def award_deadline() -> Deadline:
    return make(
        name="award",
        rule="MA-7",
        basis=DeadlineBasis.calendar_days,
        days=45,
        roll_past_holidays=True,
        warn_before_days=5,
        policy=AWARD_POLICY,
    )


def test_a_deadline_that_is_not_restartable_names_its_rule() -> None:
    with pytest.raises(
        ActionNotAllowed, match=r"^WA-12: the investigation deadline cannot restart"
    ):
        check_restart(make(policy=EXTENDABLE_ONCE))
    check_restart(award_deadline())


def test_restart_goes_back_to_the_base_period_and_clears_pauses_and_extensions() -> None:
    deadline = award_deadline()
    chair = actor(Role.supervisor, id="chair-01")
    cmd = extend(days=15, approver=chair, deadline="award", capacity=CHAIR)
    check_extend(deadline, cmd)
    request = extension_request(deadline, cmd)
    extended(deadline, cmd, request, compute(request), START + timedelta(days=5))
    paused(deadline, pause_cmd("award"), START + timedelta(days=10))
    at = START + timedelta(days=20)
    resumed(deadline, resume_cmd("award"), compute(deadline.due_request(resume_on=at.date())), at)
    assert deadline.days == 60 and deadline.extensions == 1 and len(deadline.pauses) == 1

    restart_at = datetime(2026, 4, 1, 11, 0, tzinfo=CST)
    request = restart_request(deadline, restart_at)
    assert request == DueRequest(
        start_at=restart_at,
        basis=DeadlineBasis.calendar_days,
        days=45,
        roll_past_holidays=True,
    )
    cmd_restart = RestartDeadline(
        actor=INSPECTOR, reason="the worker added a claim", deadline="award"
    )
    check_restart(deadline)
    restarted(deadline, cmd_restart, compute(request), restart_at)
    assert deadline.start_at == restart_at
    assert deadline.days == deadline.base_days == 45
    assert deadline.pauses == [] and deadline.extensions == 0 and deadline.fixed_due is None
    # 45 days from the day after 1 April is 16 May, a Saturday: rolled to Monday 18 May.
    assert deadline.due_at == midnight_after(date(2026, 5, 18))
    assert deadline.warn_at == deadline.due_at - timedelta(days=5)
    assert_latest(
        deadline,
        change="restarted",
        at=restart_at,
        actor_id="inspector-01",
        reason="the worker added a claim",
    )
    # Extensions are counted again from zero.
    check_extend(deadline, extend(days=15, approver=SUPERVISOR, deadline="award", capacity=CHAIR))


def test_restart_after_an_extension_to_a_moment_drops_that_moment() -> None:
    deadline = award_deadline()
    cmd = extend(
        to=deadline.due_at + timedelta(days=10),
        approver=actor(Role.supervisor, id="chair-01"),
        deadline="award",
        capacity=CHAIR,
    )
    request = extension_request(deadline, cmd)
    extended(deadline, cmd, request, compute(request), START)
    assert deadline.fixed_due is not None
    restart_at = START + timedelta(days=3)
    request = restart_request(deadline, restart_at)
    assert request.fixed_due is None
    restarted(
        deadline,
        RestartDeadline(actor=INSPECTOR, reason="counterclaim", deadline="award"),
        compute(request),
        restart_at,
    )
    assert deadline.fixed_due is None
    # 45 days after 5 March is Sunday 19 April: rolled to Monday 20 April.
    assert deadline.due_at == midnight_after(date(2026, 4, 20))


# recomputed (CAL-2: a newly loaded calendar).


def test_recomputed_with_the_same_result_changes_nothing() -> None:
    deadline = make()
    before = deadline.model_copy(deep=True)
    same = DueResult(due_at=deadline.due_at, calendar_version=VERSION)
    assert recomputed(deadline, same, START + timedelta(days=1)) is False
    assert deadline == before


def test_recomputed_with_only_a_new_version_updates_the_version_silently() -> None:
    deadline = make()
    ledger = list(deadline.ledger)
    newer = DueResult(due_at=deadline.due_at, calendar_version="test-calendar-2")
    assert recomputed(deadline, newer, START + timedelta(days=1)) is False
    assert deadline.calendar_version == "test-calendar-2"
    assert deadline.ledger == ledger


def test_recomputed_to_a_new_time_moves_it_and_records_it() -> None:
    deadline = make(days=10)
    moved_to = deadline.due_at + timedelta(days=1)
    at = START + timedelta(days=1)
    changed = recomputed(
        deadline, DueResult(due_at=moved_to, calendar_version="test-calendar-2"), at
    )
    assert changed is True
    assert deadline.due_at == moved_to
    assert deadline.calendar_version == "test-calendar-2"
    assert deadline.warn_at == moved_to - timedelta(days=2)
    entry = deadline.ledger[-1]
    assert (entry.change, entry.at, entry.due_at, entry.actor_id) == (
        "recomputed",
        at,
        moved_to,
        None,
    )
    assert entry.reason is not None and "test-calendar-2" in entry.reason


def test_recomputed_clearing_the_provisional_flag_counts_as_a_change() -> None:
    """CAL-2: a due time computed without the year's schedule is provisional until loaded."""
    deadline = make()
    deadline.provisional = True
    same_time = DueResult(due_at=deadline.due_at, calendar_version="test-calendar-2")
    assert recomputed(deadline, same_time, START) is True
    assert deadline.provisional is False
    assert deadline.ledger[-1].change == "recomputed"
    assert deadline.ledger[-1].provisional is False


# The ledger: who changed what, why, and with whose approval.


def test_the_ledger_records_every_change_with_its_actor_reason_and_approver() -> None:
    deadline = make(days=10, policy=INVESTIGATION_POLICY)
    cmd = extend(days=30, approver=SUPERVISOR)
    request = extension_request(deadline, cmd)
    extended(deadline, cmd, request, compute(request), START + timedelta(days=1))
    paused(deadline, pause_cmd(), START + timedelta(days=2))
    at = START + timedelta(days=4)
    resumed(deadline, resume_cmd(), compute(deadline.due_request(resume_on=at.date())), at)
    deadline.close(DeadlineState.met, START + timedelta(days=6), "inspector-02", "case closed")
    assert [(e.change, e.actor_id, e.reason, e.approver_id) for e in deadline.ledger] == [
        ("set", "mediator-01", "case opened", None),
        ("extended", "inspector-01", "more time needed", "supervisor-01"),
        ("paused", "inspector-01", "waiting for bank records", None),
        ("resumed", "supervisor-01", "bank records arrived", None),
        ("met", "inspector-02", "case closed", None),
    ]
    times = [e.at for e in deadline.ledger]
    assert times == sorted(times)
