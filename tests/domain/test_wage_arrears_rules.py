"""Unit tests of domain/wage_arrears/rules.py: pure functions, no Temporal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.common import ActionNotAllowed, Actor, Forbidden, InvalidActionInput, Role
from domain.deadlines import DueResult
from domain.effects import take_now
from domain.wage_arrears import rules, transitions
from domain.wage_arrears.models import (
    CaseStatus,
    CloseCase,
    DrawGuaranteeDeposit,
    IssueOrderToPay,
    ListOnPunishmentList,
    RecordPayment,
    ReferToPolice,
    RegionSettings,
    Severity,
    WageArrearsIntake,
    WageArrearsState,
)
from tests import factories as f

OPENED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 CST


def intake(**overrides: Any) -> WageArrearsIntake:
    return WageArrearsIntake.model_validate(f.intake(**overrides))


def region(**overrides: Any) -> RegionSettings:
    return RegionSettings(county_code=f.COUNTY, **overrides)


def opened(region_settings: RegionSettings | None = None, **overrides: Any) -> WageArrearsState:
    state, _ = transitions.case_opened(
        "WA-2026-000001",
        intake(**overrides),
        region_settings or region(),
        OPENED,
        DueResult(due_at=OPENED + timedelta(days=3), calendar_version="test"),
    )
    return state


def actor(role: Role, county: str = f.COUNTY) -> Actor:
    return Actor.model_validate(f.actor(role, county=county))


def miss_order(state: WageArrearsState) -> None:
    """WA-6: issue an order to pay and let it pass."""
    now = OPENED + timedelta(hours=1)
    due = DueResult(due_at=now + timedelta(days=8), calendar_version="test")
    cmd = IssueOrderToPay(actor=actor(Role.inspector), reason="order")
    effects = transitions.order_to_pay_issued(state, cmd, now)
    assert effects.start
    take_now(state.deadlines, effects, lambda request: due, cmd.actor.id, now)
    order = rules.find_deadline(state, rules.ORDER_TO_PAY)
    assert order is not None
    transitions.deadline_passed(state, order, due.due_at)
    assert state.order_to_pay_missed


# WA-3: classification.


def test_wa3_nine_workers_just_under_the_threshold_is_general() -> None:
    """WA-3: 9 workers owed 99 999.99 in all meet no major criterion."""
    case = intake(workers=9, amount="11111.11")
    assert case.total_owed == Decimal("99999.99")
    assert rules.classify(case, region()) is Severity.general


def test_wa3_ten_workers_is_major() -> None:
    """WA-3, LDMAL Art.7: 10 workers make a major case whatever they are owed."""
    assert rules.classify(intake(workers=10, amount="100.00"), region()) is Severity.major


def test_wa3_total_exactly_at_threshold_is_major() -> None:
    """WA-3: a total at the threshold (100 000) is major, not only one above it."""
    case = intake(workers=2, amount="50000.00")
    assert case.total_owed == Decimal("100000.00")
    assert rules.classify(case, region()) is Severity.major


def test_wa3_mass_incident_risk_is_major() -> None:
    """WA-3: the officer's mass-incident flag makes a small case major; an explicit flag wins."""
    assert rules.classify(intake(workers=1, mass_incident_risk=True), region()) is Severity.major
    small = intake(workers=1)
    assert rules.classify(small, region()) is Severity.general
    assert rules.classify(small, region(), risk=True) is Severity.major
    flagged = intake(workers=1, mass_incident_risk=True)
    assert rules.classify(flagged, region(), risk=False) is Severity.general


def test_wa3_region_with_its_own_thresholds() -> None:
    """WA-3: the amount threshold and the worker count are the region's (*configurable*)."""
    strict = region(major_amount_threshold=Decimal("50000"), major_worker_count=5)
    assert rules.classify(intake(workers=2, amount="25000.00"), strict) is Severity.major
    assert rules.classify(intake(workers=2, amount="24999.99"), strict) is Severity.general
    assert rules.classify(intake(workers=5, amount="100.00"), strict) is Severity.major
    assert rules.classify(intake(workers=4, amount="100.00"), strict) is Severity.general
    # The same case is general under the default settings.
    assert rules.classify(intake(workers=2, amount="25000.00"), region()) is Severity.general


def test_wa3_case_opened_as_major_waits_for_triage() -> None:
    """WA-2, WA-3: a major case has no deadline until triaged; a general one runs WA-1."""
    major = opened(workers=10, amount="100.00")
    assert (major.severity, major.status, major.deadlines) == (
        Severity.major,
        CaseStatus.triage_pending,
        [],
    )
    general = opened()
    assert (general.severity, general.status) == (Severity.general, CaseStatus.open)
    assert [(d.name, d.rule) for d in general.deadlines] == [("settle", "WA-1")]


# WA-11: listing period.


@pytest.mark.parametrize(
    ("listed_on", "until"),
    [
        (date(2024, 2, 29), date(2027, 2, 28)),
        (date(2028, 2, 29), date(2031, 2, 28)),
        (date(2025, 2, 28), date(2028, 2, 28)),
        (date(2026, 3, 1), date(2029, 3, 1)),
        (date(2026, 12, 31), date(2029, 12, 31)),
    ],
)
def test_wa11_listing_ends_three_years_later(listed_on: date, until: date) -> None:
    """WA-11: a listing lasts 3 years; one made on 29 February ends on 28 February."""
    assert rules.listing_ends(listed_on) == until


# Available actions.


def test_available_actions_of_a_fresh_general_case() -> None:
    """A new general complaint without a project: no rung that needs a missed order (WA-7,
    WA-10, WA-11) or a general contractor (WA-8), nothing to confirm, no police outcome."""
    assert rules.available_actions(opened()) == [
        "triage",
        "record_payment",
        "issue_order_to_pay",
        "emergency_advance",
        "refer_to_mediation",
        "close",
        "attach_file",
    ]


def test_available_actions_of_a_closed_case_is_empty() -> None:
    """A closed case offers nothing, not even the rungs a missed order (WA-6) opened or the
    confirmation of a recorded payment (WA-5)."""
    state = opened(project=f.construction_project(), workers=1, amount="8000.00")
    miss_order(state)
    transitions.payment_recorded(
        state,
        RecordPayment(
            actor=actor(Role.mediator),
            reason="paid",
            worker_no=1,
            amount=Decimal("100.00"),
            paid_on=date(2026, 3, 10),
        ),
        OPENED + timedelta(days=9),
    )
    assert {"draw_guarantee_deposit", "confirm_payment"} <= set(rules.available_actions(state))
    transitions.closed(
        state,
        CloseCase(actor=actor(Role.inspector), reason="withdrawn", outcome="withdrawn"),
        OPENED + timedelta(days=10),
    )
    assert state.status is CaseStatus.closed
    assert rules.available_actions(state) == []


def test_wa6_missed_order_opens_the_rungs_that_need_it() -> None:
    """WA-7, WA-10, WA-11: deposit, police and listing open only once an order was missed."""
    state = opened(project=f.construction_project(), workers=1, amount="8000.00")
    state.intake.workers[0].months_owed = 3  # WA-10: 3+ months and at least 5 000
    gated = {"draw_guarantee_deposit", "refer_to_police", "list_on_punishment_list"}
    assert gated.isdisjoint(rules.available_actions(state))
    assert "contractor_pays" in rules.available_actions(state)
    miss_order(state)
    assert gated <= set(rules.available_actions(state))
    assert state.status is CaseStatus.escalated


# check: actor, then state, then input.


def test_check_forbidden_for_an_actor_of_another_county() -> None:
    """An inspector of another county may not act on this county's case, even when the state
    would refuse the action too (the actor is checked first)."""
    state = opened()
    cmd = IssueOrderToPay(actor=actor(Role.inspector), reason="order")
    rules.check("issue_order_to_pay", state, cmd, OPENED)
    outsider = IssueOrderToPay(actor=actor(Role.inspector, f.OTHER_COUNTY), reason="order")
    with pytest.raises(Forbidden, match="county"):
        rules.check("issue_order_to_pay", state, outsider, OPENED)
    police = ReferToPolice(actor=actor(Role.inspector, f.OTHER_COUNTY), reason="police")
    with pytest.raises(Forbidden):
        rules.check("refer_to_police", state, police, OPENED)


def test_check_forbidden_for_a_wrong_role() -> None:
    """WA-6: the order to pay is an inspector's act."""
    state = opened()
    cmd = IssueOrderToPay(actor=actor(Role.mediator), reason="order")
    with pytest.raises(Forbidden, match="inspector"):
        rules.check("issue_order_to_pay", state, cmd, OPENED)


def test_check_state_before_input() -> None:
    """WA-7: before a missed order the refusal is about the state (409), not the amount."""
    state = opened(project=f.construction_project(deposit="100.00"))
    cmd = DrawGuaranteeDeposit(actor=actor(Role.supervisor), reason="draw", amount=Decimal("500"))
    with pytest.raises(ActionNotAllowed, match="WA-7"):
        rules.check("draw_guarantee_deposit", state, cmd, OPENED)
    miss_order(state)
    with pytest.raises(InvalidActionInput, match="WA-7"):
        rules.check("draw_guarantee_deposit", state, cmd, OPENED)


def test_wa11_check_listing_threshold_or_incident() -> None:
    """WA-11: after a missed order, below the threshold only an incident allows listing."""
    state = opened(workers=1, amount="3000.00")
    miss_order(state)
    quiet = ListOnPunishmentList(actor=actor(Role.supervisor), reason="list")
    with pytest.raises(ActionNotAllowed, match="WA-11"):
        rules.check("list_on_punishment_list", state, quiet, OPENED)
    loud = ListOnPunishmentList(actor=actor(Role.supervisor), reason="list", incident_occurred=True)
    rules.check("list_on_punishment_list", state, loud, OPENED)
