"""Unit tests of the rules as the statutes write them: WA-5, WA-10/11, WA-11 early removal,
WA-12's two years, payments before opening, MA-7's approver, MA-8's typed items and MA-10's
window (CAL-3). Pure functions, no Temporal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.calendar import due_for
from domain.common import ActionNotAllowed, Actor, InvalidActionInput, Role
from domain.deadlines import (
    ApproverCapacity,
    DueResult,
    ExtendDeadline,
    check_extend,
    new_deadline,
)
from domain.dispute import rules as dispute_rules
from domain.dispute.models import AwardItem, AwardItemKind
from domain.dispute.view import DisputeOutcome
from domain.effects import take_now
from domain.regions import RegionSettings
from domain.wage_arrears import accounts, referral, rules, transitions
from domain.wage_arrears.models import (
    ApplyForRemoval,
    CaseStatus,
    ConfirmPayment,
    DecideComplaint,
    DecideRemoval,
    ListOnPunishmentList,
    RecordPayment,
    Triage,
    WageArrearsIntake,
    WageArrearsState,
)
from tests import factories as f

OPENED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 CST


def actor(role: Role) -> Actor:
    return Actor.model_validate(f.actor(role))


def opened(region: RegionSettings | None = None, **overrides: Any) -> WageArrearsState:
    claims = overrides.pop("workers", 2)
    data = f.intake(**overrides)
    if isinstance(claims, list):
        data["workers"] = claims
    else:
        data = f.intake(
            workers=claims,
            **{k: v for k, v in overrides.items() if k != "amount"},
            **({"amount": overrides["amount"]} if "amount" in overrides else {}),
        )
    state, _ = transitions.case_opened(
        "WA-2026-000001",
        WageArrearsIntake.model_validate(data),
        region or RegionSettings(county_code=f.COUNTY),
        OPENED,
        DueResult(due_at=OPENED + timedelta(days=3), calendar_version="test"),
    )
    state.law_as_written = True
    return state


def with_acceptance_clock(state: WageArrearsState) -> WageArrearsState:
    name, request = rules.wa12_clock(state)
    due = DueResult(due_at=OPENED + timedelta(days=7), calendar_version="test")
    transitions.clocks_started(state, name, request, due, [])
    return state


def missed(state: WageArrearsState) -> WageArrearsState:
    state.order_to_pay_missed = True
    return state


def pay(state: WageArrearsState, worker_no: int, amount: str, on: date, at: datetime) -> None:
    cmd = RecordPayment(
        actor=actor(Role.mediator),
        reason="paid",
        worker_no=worker_no,
        amount=Decimal(amount),
        paid_on=on,
    )
    rules.check("record_payment", state, cmd, at)
    transitions.payment_recorded(state, cmd, at)
    confirm = ConfirmPayment(
        actor=actor(Role.mediator), reason="ok", payment_id=f"P{len(state.payments)}"
    )
    rules.check("confirm_payment", state, confirm, at)
    transitions.payment_confirmed(state, confirm, at)


# WA-10 / WA-11: both conditions of a branch.


@pytest.mark.parametrize(
    ("workers", "reaches"),
    [
        ([("1000.00", 3)], False),  # 3 months, below the amount
        ([("5000.00", None)], False),  # the amount, no months
        ([("5000.00", 2)], False),  # the amount, 2 months
        ([("4999.99", 3)], False),
        ([("5000.00", 3)], True),
        ([("20000.00", 6)], True),
    ],
    ids=["3-months-1000", "5000-no-months", "5000-2-months", "just-below", "both", "well-above"],
)
def test_wa10_one_worker_needs_three_months_and_the_amount(
    workers: list[tuple[str, int | None]], reaches: bool
) -> None:
    """WA-10 (SPC 2013 Art.3): 3+ months' pay *and* at least the province's amount."""
    claims = [
        f.worker(i + 1, amount, **({"months_owed": m} if m is not None else {}))
        for i, (amount, m) in enumerate(workers)
    ]
    state = missed(opened(workers=claims))
    assert accounts.reaches_criminal_threshold(state) is reaches


def test_wa10_ten_workers_need_the_cumulative_amount() -> None:
    """WA-10: 10+ workers *and* at least the province's cumulative amount (default 30 000)."""
    state = missed(opened(workers=10, amount="2999.99"))
    assert not accounts.reaches_criminal_threshold(state)
    state = missed(opened(workers=10, amount="3000.00"))
    assert accounts.reaches_criminal_threshold(state)
    state = missed(opened(workers=9, amount="9000.00"))
    assert not accounts.reaches_criminal_threshold(state)


def test_wa10_wa11_province_amounts_are_region_settings() -> None:
    """WA-10, WA-11: a province that sets 10 000 / 50 000 (e.g. Liaoning) is obeyed."""
    liaoning = RegionSettings(
        county_code=f.COUNTY,
        police_threshold_individual=Decimal("10000"),
        police_threshold_group=Decimal("50000"),
    )
    state = missed(opened(liaoning, workers=[f.worker(1, "8000.00", months_owed=4)]))
    assert not accounts.reaches_criminal_threshold(state)
    quiet = ListOnPunishmentList(actor=actor(Role.supervisor), reason="list")
    with pytest.raises(ActionNotAllowed, match="WA-11"):
        rules.check("list_on_punishment_list", state, quiet, OPENED)
    state = missed(opened(liaoning, workers=[f.worker(1, "10000.00", months_owed=4)]))
    rules.check("list_on_punishment_list", state, quiet, OPENED)


# WA-1 after triage.


def test_wa1_cal4_a_case_triaged_general_gets_wa1_from_the_opening_day() -> None:
    """WA-1, CAL-4: opened major for a mass-incident risk, triaged general a day later: the 3
    days run from the opening day, not the triage."""
    state = opened(mass_incident_risk=True)
    assert state.status is CaseStatus.triage_pending and not state.deadlines
    triage = Triage(
        actor=actor(Role.supervisor),
        reason="no risk after all",
        severity="general",
        mass_incident_risk=False,
    )
    now = OPENED + timedelta(days=1)
    rules.check("triage", state, triage, now)
    effects = transitions.triaged(state, triage, now)
    request = effects.start[0].request if effects.start else None
    assert request is not None and request.start_at == OPENED and request.days == 3
    due = DueResult(due_at=due_for(request, lambda d: True), calendar_version="test")
    take_now(state.deadlines, effects, lambda _: due, triage.actor.id, now)
    settle = rules.find_deadline(state, rules.SETTLE)
    assert settle is not None and settle.rule == "WA-1" and settle.pending
    assert settle.due_at == datetime(2026, 3, 6, tzinfo=UTC) - timedelta(hours=8)


def test_wa1_cases_opened_before_get_no_clock_on_triage() -> None:
    """Cases opened before the patch keep their behaviour (replay)."""
    state = opened(mass_incident_risk=True)
    state.law_as_written = False
    triage = Triage(
        actor=actor(Role.supervisor), reason="x", severity="general", mass_incident_risk=False
    )
    assert transitions.triaged(state, triage, OPENED).start == []


# WA-5: a linked dispute changes what is owed.


def test_wa5_performed_agreement_changes_what_is_owed_and_settles_only_once_paid() -> None:
    """WA-5: an agreement of 1 000 on 6 000 outstanding: 5 000 given up by agreement (not
    recovered); the case settles when the 1 000 is paid and confirmed."""
    state = opened(workers=2, amount="3000.00")
    now = OPENED + timedelta(days=2)
    outcome = DisputeOutcome(
        dispute_id="MA-2026-000001", outcome="performed", at=now, amount=Decimal("1000.00")
    )
    notes, close = referral.dispute_reported(state, outcome, now)
    assert close is None
    assert state.status is CaseStatus.open
    assert accounts.total_owed(state) == Decimal("1000.00")
    assert accounts.total_given_up(state) == Decimal("5000.00")
    assert accounts.total_paid(state) == Decimal("0.00")
    assert [n.kind for n in notes] == ["dispute_amount_owed"]
    pay(state, 1, "500.00", date(2026, 3, 4), now)
    assert state.status is CaseStatus.open
    pay(state, 2, "500.00", date(2026, 3, 4), now)
    assert state.status is CaseStatus.settled
    assert accounts.total_paid(state) == Decimal("1000.00")


def test_wa5_award_above_what_is_outstanding_gives_nothing_up() -> None:
    state = opened(workers=1, amount="3000.00")
    now = OPENED + timedelta(days=2)
    outcome = DisputeOutcome(
        dispute_id="MA-2026-000001", outcome="award_effective", at=now, amount=Decimal("4000")
    )
    referral.dispute_reported(state, outcome, now)
    assert accounts.total_owed(state) == Decimal("3000.00") and not state.given_up


# Payments before opening.


def test_wa5_payment_dated_before_opening_is_recorded_as_such() -> None:
    state = opened(workers=1, amount="3000.00")
    pay(state, 1, "1000.00", date(2026, 2, 20), OPENED + timedelta(hours=1))
    assert state.payments[0].before_opening
    assert accounts.paid_before_opening(state, 1) == Decimal("1000.00")
    pay(state, 1, "2000.00", date(2026, 3, 2), OPENED + timedelta(hours=2))
    assert not state.payments[1].before_opening


# WA-11: early removal.


def test_wa11_early_removal_6_months_after_paying_in_full() -> None:
    state = missed(opened(workers=[f.worker(1, "6000.00", months_owed=3)]))
    now = OPENED + timedelta(days=5)
    listing = ListOnPunishmentList(actor=actor(Role.supervisor), reason="list")
    rules.check("list_on_punishment_list", state, listing, now)
    transitions.listed(state, listing, now)
    apply = ApplyForRemoval(actor=actor(Role.inspector), reason="paid", applied_on=date(2026, 9, 1))
    with pytest.raises(ActionNotAllowed, match="WA-11"):
        rules.check("apply_for_removal", state, apply, now)
    pay(state, 1, "6000.00", date(2026, 3, 10), OPENED + timedelta(days=9))
    assert state.status is CaseStatus.settled
    late = OPENED + timedelta(days=200)
    early = apply.model_copy(update={"applied_on": date(2026, 9, 9)})
    with pytest.raises(InvalidActionInput, match="2026-09-10"):
        rules.check("apply_for_removal", state, early, late)
    on_time = apply.model_copy(update={"applied_on": date(2026, 9, 10)})
    rules.check("apply_for_removal", state, on_time, late)
    transitions.removal_applied(state, on_time, late)
    with pytest.raises(ActionNotAllowed, match="awaits"):
        rules.check("apply_for_removal", state, on_time, late)
    decide = DecideRemoval(actor=actor(Role.supervisor), reason="ok", decision="remove")
    rules.check("decide_removal", state, decide, late)
    transitions.removal_decided(state, decide, late)
    assert state.listed_until == date(2026, 9, 18)
    assert state.removal_applications[0].decision == "remove"
    assert [s.rung for s in state.ladder][-2:] == ["removal_applied", "removal_decided"]


# WA-12: two years.


def test_wa12_complaint_about_a_violation_ended_over_2_years_ago_is_refused() -> None:
    """WA-12 (LSSR Art.20): ended 2024-03-01, reported 2026-03-02: refused at acceptance."""
    state = with_acceptance_clock(opened(violation_ended_on="2024-03-01"))
    assert rules.violation_time_barred(state)
    accept = DecideComplaint(actor=actor(Role.inspector), reason="x", decision="accept")
    with pytest.raises(ActionNotAllowed, match="LSSR Art.20"):
        rules.check("decide_complaint", state, accept, OPENED)
    refuse = accept.model_copy(update={"decision": "refuse"})
    rules.check("decide_complaint", state, refuse, OPENED)
    within = with_acceptance_clock(opened(violation_ended_on="2024-03-02"))
    assert not rules.violation_time_barred(within)
    rules.check("decide_complaint", within, accept, OPENED)


# MA-7: the chair approves.


def test_ma7_extension_is_approved_by_the_arbitration_commission_chair() -> None:
    request = dispute_rules.statutory("award", "MA-7", OPENED, 45, dispute_rules.AWARD_POLICY)
    deadline = new_deadline(
        name="award",
        rule="MA-7",
        request=request.request,
        due=DueResult(due_at=OPENED + timedelta(days=45), calendar_version="t"),
        policy=dispute_rules.AWARD_POLICY,
    )
    cmd = ExtendDeadline(
        actor=actor(Role.mediator),
        reason="complex",
        deadline="award",
        days=15,
        approver=Actor(id="chair-01", role=Role.supervisor, county_code=f.COUNTY),
    )
    with pytest.raises(InvalidActionInput, match="arbitration_commission_chair"):
        check_extend(deadline, cmd)
    wrong_role = cmd.model_copy(
        update={
            "approver_capacity": ApproverCapacity.arbitration_commission_chair,
            "approver": Actor(id="med-02", role=Role.mediator, county_code=f.COUNTY),
        }
    )
    with pytest.raises(InvalidActionInput, match="supervisor"):
        check_extend(deadline, wrong_role)
    chair = cmd.model_copy(
        update={"approver_capacity": ApproverCapacity.arbitration_commission_chair}
    )
    check_extend(deadline, chair)


# MA-8: typed items.


def test_ma8_items_judged_item_by_item_and_art47_2_items_final_whatever_the_amount() -> None:
    region = RegionSettings(county_code=f.COUNTY, monthly_minimum_wage=Decimal("2000"))
    money = AwardItem(description="wages", amount=Decimal("24000.00"))
    leave = AwardItem(
        description="annual leave", amount=Decimal("90000"), kind=AwardItemKind.labour_standards
    )
    relation = AwardItem(description="labour relation", amount=Decimal("0"), kind="other")
    assert dispute_rules.award_is_final([money, leave], region) == (True, Decimal("24000"))
    above = money.model_copy(update={"amount": Decimal("24000.01")})
    assert dispute_rules.award_is_final([above, leave], region)[0] is False
    assert dispute_rules.award_is_final([money, relation], region)[0] is False


# MA-10, CAL-3: the 2-year window.


def test_ma10_cal3_window_counts_two_years_and_rolls_past_a_rest_day() -> None:
    """Effective Wed 2 Dec 2026: two years end Sat 2 Dec 2028, so the window ends Mon 4 Dec."""
    spec = dispute_rules.enforcement_window(date(2026, 12, 2), OPENED, as_written=True)
    assert spec.request.roll_past_holidays
    due = due_for(spec.request, lambda d: d.weekday() < 5)
    assert due == datetime(2028, 12, 5, tzinfo=UTC) - timedelta(hours=8)


def test_ma10_window_runs_from_the_last_day_of_the_performance_period() -> None:
    spec = dispute_rules.enforcement_window(
        date(2026, 12, 2), OPENED, as_written=True, perform_by=date(2026, 12, 17)
    )
    due = due_for(spec.request, lambda d: d.weekday() < 5)
    assert due == datetime(2028, 12, 19, tzinfo=UTC) - timedelta(hours=8)  # Sun 17 → Mon 18
