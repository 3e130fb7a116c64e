"""The project payroll watch's rules as pure functions (PW-1..PW-6): intake checks, the
month's clock (funding cycle end, pay date, grace end), what a run carries to the next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.common import Command, InvalidActionInput
from domain.project_watch import clock, rules, transitions
from domain.project_watch.models import (
    CompleteWorks,
    ProjectIntake,
    ProjectState,
    RecordFunding,
    RecordPayments,
    RecordWageSheet,
    RiskLevel,
)
from domain.regions import RegionSettings
from tests import factories as f
from tests import project_factories as pf

MONTH = "2026-03"
OPENED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
FIRST = rules.new_month(MONTH, 15, 3)


def project(**overrides: Any) -> ProjectState:
    intake = ProjectIntake.model_validate(pf.project_intake(MONTH, **overrides))
    state, _ = transitions.case_opened(
        "PW-2026-000001", intake, RegionSettings(county_code=f.COUNTY), OPENED
    )
    return state


def act(state: ProjectState, name: str, cmd: Command, now: datetime = OPENED) -> None:
    rules.check(name, state, cmd, now)
    transitions.apply(name, state, cmd, now)


def past(moment: datetime) -> datetime:
    return moment + rules.SPREAD


def kinds(tick: clock.Tick) -> list[str]:
    return [n.kind for n in tick.notes]


def test_pw1_the_wage_account_is_opened_within_30_days_of_the_contract() -> None:
    data = pf.project_intake(MONTH)
    data["wage_account"]["opened_on"] = "2026-03-01"
    data["contract_signed_on"] = "2026-01-01"
    with pytest.raises(ValidationError, match="within 30 days"):
        ProjectIntake.model_validate(data)


def test_pw1_a_roster_names_each_worker_once_and_checks_the_card() -> None:
    data = pf.project_intake(MONTH)
    data["roster"].append(dict(data["roster"][0]))
    with pytest.raises(ValidationError, match="twice"):
        ProjectIntake.model_validate(data)
    data = pf.project_intake(MONTH)
    data["roster"][0]["bank_card"] = "6222020000000000019"
    with pytest.raises(ValidationError, match="check digit"):
        ProjectIntake.model_validate(data)


def test_pw1_a_batch_for_a_worker_not_on_the_roster_is_refused() -> None:
    state = project()
    with pytest.raises(InvalidActionInput, match="roster"):
        rules.check("record_wage_sheet", state, RecordWageSheet.model_validate(
            pf.sheet(MONTH, [9])), OPENED)  # fmt: skip


def test_pw2_a_funding_cycle_without_funding_warns_once() -> None:
    state = project()
    first = clock.tick(state, past(FIRST.funding_due))
    assert kinds(first) == ["project_funding_late"]
    assert state.risk is RiskLevel.funding_late and state.risk_month == MONTH
    assert first.month_opened  # the next month opens: the run continues as new
    assert kinds(clock.tick(state, past(FIRST.funding_due) + timedelta(hours=1))) == []


def test_pw2_funding_within_the_cycle_is_quiet() -> None:
    state = project()
    act(state, "record_funding", RecordFunding.model_validate(pf.funding(MONTH)))
    assert kinds(clock.tick(state, past(FIRST.funding_due))) == []
    assert state.risk is RiskLevel.ok


def test_pw3_pw4_an_unpaid_worker_breaches_at_the_pay_date_and_goes_to_a_case_after_grace(
) -> None:  # fmt: skip
    state = project()
    act(state, "record_funding", RecordFunding.model_validate(pf.funding(MONTH)))
    act(state, "record_wage_sheet", RecordWageSheet.model_validate(pf.sheet(MONTH, [1, 2])))
    act(state, "record_payments", RecordPayments.model_validate(pf.payments(MONTH, [1])))
    clock.tick(state, past(FIRST.funding_due))
    at_pay = clock.tick(state, past(FIRST.pay_due))
    assert kinds(at_pay) == ["project_payroll_breached"]
    assert at_pay.to_case == []  # PW-4: within the grace period, no case yet
    month = state.months[0]
    assert month.workers["2"].breached and not month.workers["1"].breached
    after_grace = clock.tick(state, past(FIRST.grace_due))
    assert after_grace.to_case == [(MONTH, 2, Decimal("5000.00"))]


def test_pw4_two_breaches_in_a_row_are_high_risk() -> None:
    state = project()
    clock.tick(state, past(FIRST.funding_due))  # funding late
    second = rules.new_month(rules.next_month(MONTH), 15, 3)
    ticked = clock.tick(state, past(second.funding_due))
    assert state.risk is RiskLevel.high_risk
    assert "project_high_risk" in kinds(ticked)


def test_pw6_the_watch_ends_only_once_every_worker_is_paid() -> None:
    state = project()
    act(state, "record_wage_sheet", RecordWageSheet.model_validate(pf.sheet(MONTH, [1, 2])))
    act(state, "record_payments", RecordPayments.model_validate(pf.payments(MONTH, [1])))
    act(state, "complete_works", CompleteWorks.model_validate(
        {"actor": pf.watcher(), "reason": "竣工", "completed_on": "2026-03-20"}))  # fmt: skip
    clock.tick(state, past(FIRST.pay_due))
    assert state.status.value == "completing"
    act(state, "record_payments", RecordPayments.model_validate(
        pf.payments(MONTH, [2], batch="P2")), past(FIRST.pay_due))  # fmt: skip
    assert state.status.value == "ended"


def test_a_batch_sent_twice_is_recorded_once() -> None:
    state = project()
    funding = RecordFunding.model_validate(pf.funding(MONTH))
    act(state, "record_funding", funding)
    act(state, "record_funding", funding)
    assert state.months[0].funded == Decimal("20000.00")


def test_the_next_run_carries_the_roster_and_only_the_open_months() -> None:
    state = project()
    act(state, "record_wage_sheet", RecordWageSheet.model_validate(pf.sheet(MONTH, [1, 2])))
    act(state, "record_payments", RecordPayments.model_validate(pf.payments(MONTH, [1, 2])))
    clock.tick(state, past(FIRST.funding_due))
    second = rules.new_month(rules.next_month(MONTH), 15, 3)
    clock.tick(state, past(FIRST.pay_due))
    assert state.months[0].closed
    clock.tick(state, past(second.funding_due))
    carried = clock.pruned(state)
    april = rules.next_month(MONTH)
    # March is closed (paid in full): the read model keeps it; April is still open.
    assert [m.month for m in carried.months] == [april, rules.next_month(april)]
    assert carried.months_closed == 1
    assert [w.worker_no for w in carried.roster] == [1, 2]
    assert carried.runs == 2


def test_the_month_end_timers_are_spread_over_the_hour_after() -> None:
    """A province's projects due the same day wake spread over an hour, each at the same
    offset on every replay."""
    offsets = [rules.spread(f"PW-2026-{n:06d}") for n in range(1200)]
    assert all(timedelta(0) <= o < rules.SPREAD for o in offsets)
    # Six 10-minute slices of 200 each on average: none gets a storm.
    slices = [sum(1 for o in offsets if o // timedelta(minutes=10) == i) for i in range(6)]
    assert all(150 <= n <= 250 for n in slices), slices
    assert rules.spread("PW-2026-000001") == rules.spread("PW-2026-000001")


def test_pw2_the_next_month_opens_at_the_projects_spread_instant() -> None:
    """Spread like the checks: a province's projects do not all open their next month at the
    funding cycle's end itself (the watch's patch); unspread, it opens at the end."""
    state = project()
    lag = rules.spread(state.case_id)
    assert lag > timedelta(0)
    assert clock.next_wake(state, spread_opening=True) == FIRST.funding_due + lag
    before = clock.tick(state, FIRST.funding_due + lag - timedelta(seconds=1), True)
    assert not before.month_opened and [m.month for m in state.months] == [MONTH]
    assert clock.tick(state, FIRST.funding_due + lag, spread_opening=True).month_opened
    assert [m.month for m in state.months] == [MONTH, rules.next_month(MONTH)]

    unspread = project()
    assert clock.next_wake(unspread) == FIRST.funding_due
    assert clock.tick(unspread, FIRST.funding_due).month_opened


def test_pw2_a_batch_for_the_month_due_to_open_opens_it() -> None:
    """The bank's batch for the new month may come before the watch's spread instant: it is
    recorded, opening the month; before the cycle's end it is refused."""
    state = project()
    following = rules.next_month(MONTH)
    batch = RecordFunding.model_validate(pf.funding(following))
    with pytest.raises(InvalidActionInput, match="not open"):
        rules.check("record_funding", state, batch, FIRST.funding_due - timedelta(seconds=1))
    act(state, "record_funding", batch, FIRST.funding_due + timedelta(minutes=1))
    assert [m.month for m in state.months] == [MONTH, following]
    assert state.months[-1].funded == batch.amount
    # The watch's own instant then opens nothing more.
    lag = rules.spread(state.case_id)
    assert not clock.tick(state, FIRST.funding_due + lag, spread_opening=True).month_opened
