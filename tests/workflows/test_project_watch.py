"""The project payroll watch on the time-skipping server (PW-1..PW-6): each test drives a
project through its months and checks what its timers decided."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from api.history import build_history
from core import history
from domain.common import CST
from domain.project_watch import rules
from domain.project_watch.models import (
    CompleteWorks,
    JoinRoster,
    ProjectIntake,
    RecordFunding,
    RecordPayments,
    RecordWageSheet,
    RiskLevel,
)
from domain.project_watch.view import ProjectView
from domain.wage_arrears.models import CaseStatus, CloseCase, ConfirmPayment, RecordPayment
from store.projects import project_months
from tests.factories import COUNTY, actor, resident_id
from tests.project_factories import (
    funding,
    month_of,
    payments,
    project_intake,
    roster_worker,
    sheet,
    watcher,
)
from tests.workflows.conftest import Harness, random_case_id, refused
from workflows.project_watch import ProjectWatchWorkflow
from workflows.wage_arrears import WageArrearsWorkflow

Handle = WorkflowHandle[Any, Any]


@pytest.fixture(autouse=True)
async def _end_linked_cases(harness: Harness) -> AsyncIterator[None]:
    """The wage-arrears cases a project opened outlive it (ABANDON): left running, their
    timers would stop the time-skipping server for the tests after."""
    yield
    for handle in list(harness.started):
        with contextlib.suppress(Exception):
            v = await handle.query(ProjectWatchWorkflow.view)
            for link in v.state.linked_cases:
                case = harness.client.get_workflow_handle(link.case_id)
                with contextlib.suppress(RPCError):
                    await case.terminate("test finished")


async def open_project(
    h: Harness, workers: int = 2, case_id: str | None = None, **overrides: Any
) -> tuple[Handle, str]:
    month = month_of(await h.now())
    handle = await h.client.start_workflow(
        ProjectWatchWorkflow.run,
        ProjectIntake.model_validate(project_intake(month, workers, **overrides)),
        id=case_id or random_case_id("PW"),
        task_queue=h.task_queue,
    )
    h.started.append(handle)
    await handle.execute_update(ProjectWatchWorkflow.wait_opened)
    return handle, month


async def view(handle: Handle, until: Any = None, timeout: float = 10.0) -> ProjectView:
    """The project's view; with `until`, once it holds (the timers' work lands a moment after
    the time-skipping server moved the clock; real time, briefly)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        v: ProjectView = await handle.query(ProjectWatchWorkflow.view)
        if until is None or until(v) or loop.time() > deadline:
            return v
        await asyncio.sleep(0.05)


async def past(h: Harness, moment: datetime) -> None:
    """Past `moment` and the hour the watch's timers are spread over."""
    await h.sleep_until(moment + rules.SPREAD + timedelta(minutes=1))


def kinds(h: Harness, project_id: str) -> list[str]:
    return sorted(n.kind for n in h.notifications(project_id))


async def fund(handle: Handle, month: str, **kw: Any) -> None:
    await handle.execute_update(
        ProjectWatchWorkflow.record_funding, RecordFunding.model_validate(funding(month, **kw))
    )


async def wage_sheet(handle: Handle, month: str, serials: list[int], **kw: Any) -> None:
    await handle.execute_update(
        ProjectWatchWorkflow.record_wage_sheet,
        RecordWageSheet.model_validate(sheet(month, serials, **kw)),
    )


async def pay(handle: Handle, month: str, serials: list[int], **kw: Any) -> None:
    await handle.execute_update(
        ProjectWatchWorkflow.record_payments,
        RecordPayments.model_validate(payments(month, serials, **kw)),
    )


def month_record(v: ProjectView, month: str) -> Any:
    return next(m for m in v.state.months if m.month == month)


async def test_pw1_pw3_a_clean_month_closes_quietly(harness: Harness) -> None:
    handle, month = await open_project(harness)
    await fund(handle, month)
    await wage_sheet(handle, month, [1, 2])
    await pay(handle, month, [1, 2])
    first = rules.new_month(month, 15, 3)

    await past(harness, first.grace_due)

    v = await view(handle, until=lambda v: month_record(v, month).closed)
    assert month_record(v, month).closed
    assert v.state.risk is RiskLevel.ok
    assert v.state.linked_cases == []
    assert kinds(harness, handle.id) == []
    # The roster is the intake's, numbered, each with their actor (PW-1).
    assert [w.worker_no for w in v.state.roster] == [1, 2]


async def test_pw2_late_funding_warns_once(harness: Harness) -> None:
    handle, month = await open_project(harness)
    await wage_sheet(handle, month, [1, 2])
    first = rules.new_month(month, 15, 3)

    await past(harness, first.funding_due)
    await harness.sleep_until(first.funding_due + timedelta(days=5))

    await view(handle, until=lambda v: month_record(v, month).funding_late)
    assert kinds(harness, handle.id) == ["project_funding_late"]
    v = await view(handle)
    assert month_record(v, month).funding_late
    assert v.state.risk is RiskLevel.funding_late
    assert v.state.risk_month == month
    # Late funding is still recorded; it does not warn again.
    await fund(handle, month, batch="F-late", on=f"{month}-20")
    await harness.sleep_until(first.funding_due + timedelta(days=8))
    assert kinds(harness, handle.id) == ["project_funding_late"]


async def test_pw3_pw4_pw5_an_unpaid_worker_opens_one_case_then_a_second_month_joins_it(
    harness: Harness,
) -> None:
    handle, month = await open_project(harness)
    await fund(handle, month)
    await wage_sheet(handle, month, [1, 2])
    await pay(handle, month, [1])
    first = rules.new_month(month, 15, 3)

    # PW-3: unpaid at the pay date is a breach; no case yet, within the grace period.
    await past(harness, first.pay_due)
    v = await view(handle)
    assert month_record(v, month).workers["2"].breached
    assert not month_record(v, month).workers["1"].breached
    assert v.state.linked_cases == []
    assert "project_payroll_breached" in kinds(harness, handle.id)

    # PW-4: past the grace period, one case for that worker and month.
    await past(harness, first.grace_due)
    v = await view(handle, until=lambda v: v.state.linked_cases)
    assert len(v.state.linked_cases) == 1
    case_id = v.state.linked_cases[0].case_id
    assert v.state.linked_cases[0].months == [month]
    assert v.state.linked_cases[0].worker_nos == [2]
    assert month_record(v, month).workers["2"].case_id == case_id
    case = await harness.client.get_workflow_handle(case_id).query(WageArrearsWorkflow.view)
    intake = case.state.intake
    assert intake.source.value == "monitoring"
    assert [w.id_number for w in intake.workers] == [resident_id(2)]
    assert intake.workers[0].amount_owed == Decimal("5000.00")
    # PW-5: against the general contractor; the deposit and contractor known to WA-7, WA-8.
    assert intake.employer.credit_code == v.state.intake.general_contractor.credit_code
    assert intake.project is not None
    assert intake.project.guarantee_deposit == Decimal("80000.00")
    assert intake.project.general_contractor is not None
    assert intake.project.watch_id == handle.id
    assert "project_case_opened" in kinds(harness, handle.id)

    # A second unpaid month of the same worker joins the open case.
    second_month = rules.next_month(month)
    await fund(handle, second_month)
    await wage_sheet(handle, second_month, [1, 2], batch="S2")
    await pay(handle, second_month, [1], batch="P2")
    second = rules.new_month(second_month, 15, 3)
    await past(harness, second.grace_due)

    v = await view(handle, until=lambda v: len(v.state.linked_cases[0].months) == 2)
    assert [c.case_id for c in v.state.linked_cases] == [case_id]
    assert v.state.linked_cases[0].months == [month, second_month]
    assert "project_case_joined" in kinds(harness, handle.id)
    case = await harness.client.get_workflow_handle(case_id).query(WageArrearsWorkflow.view)
    assert case.state.intake.workers[0].amount_owed == Decimal("10000.00")
    assert case.state.intake.workers[0].months_owed == 2
    # PW-4: two payroll breaches in a row: high risk.
    assert v.state.risk is RiskLevel.high_risk
    assert "project_high_risk" in kinds(harness, handle.id)


async def _breached_case(harness: Harness) -> tuple[Handle, str, str]:
    handle, month = await open_project(harness)
    await fund(handle, month)
    await wage_sheet(handle, month, [1, 2])
    await pay(handle, month, [1])
    await past(harness, rules.new_month(month, 15, 3).grace_due)
    v = await view(handle, until=lambda v: v.state.linked_cases)
    return handle, month, v.state.linked_cases[0].case_id


async def test_pw4_paying_through_the_account_after_the_case_opened_settles_both(
    harness: Harness,
) -> None:
    handle, month, case_id = await _breached_case(harness)

    await pay(handle, month, [2], batch="P-late")

    v = await view(handle)
    assert month_record(v, month).closed
    assert v.state.linked_cases[0].settled
    case_handle = harness.client.get_workflow_handle(case_id)
    for _ in range(100):
        case = await case_handle.query(WageArrearsWorkflow.view)
        if case.state.status is CaseStatus.settled:
            break
        await asyncio.sleep(0.05)
    assert case.state.status is CaseStatus.settled
    assert case.state.payments[0].evidence_ref == "bank batch P-late"


async def test_pw4_a_payment_confirmed_in_the_case_flows_back_to_the_project(
    harness: Harness,
) -> None:
    handle, month, case_id = await _breached_case(harness)
    case_handle = harness.client.get_workflow_handle(case_id)
    inspector = actor("inspector", COUNTY)
    today = (await harness.now()).astimezone(CST).date().isoformat()
    await case_handle.execute_update(
        WageArrearsWorkflow.record_payment,
        RecordPayment.model_validate(
            {"actor": inspector, "reason": "总包代付", "worker_no": 1, "amount": "5000.00",
             "paid_on": today}
        ),
    )  # fmt: skip
    await case_handle.execute_update(
        WageArrearsWorkflow.confirm_payment,
        ConfirmPayment.model_validate(
            {"actor": inspector, "reason": "工人确认", "payment_id": "P1"}
        ),
    )

    v = await view(handle, until=lambda v: month_record(v, month).closed)
    assert month_record(v, month).closed
    assert month_record(v, month).workers["2"].paid == Decimal("5000.00")
    assert v.state.linked_cases[0].settled


async def test_pw6_the_watch_completes_only_when_every_worker_is_paid(harness: Harness) -> None:
    handle, month = await open_project(harness)
    await fund(handle, month)
    await wage_sheet(handle, month, [1, 2])
    await pay(handle, month, [1])
    today = (await harness.now()).astimezone(CST).date()
    await handle.execute_update(
        ProjectWatchWorkflow.complete_works,
        CompleteWorks.model_validate(
            {"actor": watcher(), "reason": "竣工验收", "completed_on": today.isoformat()}
        ),
    )
    await past(harness, rules.new_month(month, 15, 3).pay_due)
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING

    await pay(handle, month, [2], batch="P2")

    result = await handle.result()
    assert result.status.value == "ended"


async def test_continue_as_new_keeps_the_roster_and_open_months(harness: Harness) -> None:
    handle, month = await open_project(harness)
    await handle.execute_update(
        ProjectWatchWorkflow.join_roster,
        JoinRoster.model_validate(
            {"actor": watcher(), "reason": "新进场", "worker": roster_worker(3)}
        ),
    )
    await wage_sheet(handle, month, [1, 2, 3])
    first_run = (await handle.describe()).run_id

    # A new month opens at the funding cycle's end: the watch continues as new.
    await past(harness, rules.new_month(month, 15, 3).funding_due)

    latest = harness.client.get_workflow_handle(handle.id)
    v = await view(latest, until=lambda v: v.state.runs == 2)
    assert (await latest.describe()).run_id != first_run
    assert [w.worker_no for w in v.state.roster] == [1, 2, 3]
    assert v.state.roster[2].joined_by == "inspector-01"
    assert [m.month for m in v.state.months] == [month, rules.next_month(month)]
    assert month_record(v, month).funding_late
    assert v.state.runs == 2
    # The read model kept every month.
    with Session(harness.engine) as session:
        assert [m.month for m in project_months(session, handle.id)] == [
            month,
            rules.next_month(month),
        ]
    # The audit trail reads both runs as one timeline: the roster change of the first run,
    # then the second run's batch, in order and without the worker's personal data.
    await wage_sheet(latest, rules.next_month(month), [1, 2, 3], batch="S2")
    runs = await history.fetch_runs(harness.client, handle.id, timedelta(seconds=10))
    assert len(runs) == 2
    timeline = await build_history(handle.id, runs, harness.client.data_converter)
    acts = [(e.run, e.what) for e in timeline.events if e.kind == "human"]
    assert acts == [
        (1, "case_opened"),
        (1, "join_roster"),
        (1, "record_wage_sheet"),
        (2, "record_wage_sheet"),
    ]
    assert any(e.what == "case_continued" for e in timeline.events)
    assert resident_id(3) not in timeline.model_dump_json()


async def test_pw1_a_worker_not_on_the_roster_and_a_foreign_card_are_refused(
    harness: Harness,
) -> None:
    handle, month = await open_project(harness)
    stranger = sheet(month, [9])
    err = await refused(
        handle.execute_update(
            ProjectWatchWorkflow.record_wage_sheet, RecordWageSheet.model_validate(stranger)
        )
    )
    assert err.type == "InvalidActionInput"
    wrong_card = payments(month, [1])
    wrong_card["lines"][0]["bank_card"] = payments(month, [2])["lines"][0]["bank_card"]
    err = await refused(
        handle.execute_update(
            ProjectWatchWorkflow.record_payments, RecordPayments.model_validate(wrong_card)
        )
    )
    assert err.type == "InvalidActionInput"


@pytest.mark.parametrize("card", ["6222020000000000019", "62220200"])
def test_pw1_bank_cards_are_checked(card: str) -> None:
    with pytest.raises(ValueError):
        RecordPayments.model_validate(
            {**payments("2026-01", [1]), "lines": [{**payments("2026-01", [1])["lines"][0],
                                                    "bank_card": card}]}
        )  # fmt: skip


async def test_pw4_a_breach_after_its_case_was_closed_opens_another(
    isolated_harness: Harness,
) -> None:
    """PW-4: the case a breach would join was closed meanwhile: the breach opens a case of
    its own, and a payment batch for the closed case's worker still records in the project.
    On a server of its own: the case closes after the run that opened it continued as new,
    after which the time-skipping server stops skipping time."""
    harness = isolated_harness
    handle, month, case_id = await _breached_case(harness)
    case = harness.client.get_workflow_handle(case_id)
    await case.execute_update(
        WageArrearsWorkflow.close,
        CloseCase.model_validate(
            {"actor": actor("inspector", COUNTY), "reason": "移送", "outcome": "transferred"}
        ),
    )
    await case.result()
    second_month = rules.next_month(month)
    latest = harness.client.get_workflow_handle(handle.id)
    await fund(latest, second_month)
    await wage_sheet(latest, second_month, [1, 2], batch="S2")
    await pay(latest, second_month, [1], batch="P2")
    await past(harness, rules.new_month(second_month, 15, 3).grace_due)

    v = await view(latest, until=lambda v: len(v.state.linked_cases) == 2)
    first, second = v.state.linked_cases
    assert first.case_id == case_id and first.closed
    assert second.case_id != case_id and second.months == [second_month]
    # The closed case hears nothing more; the batch is recorded in the project all the same.
    await pay(latest, month, [2], batch="P-after")
    v = await view(latest)
    assert month_record(v, month).workers["2"].paid == Decimal("5000.00")


async def test_pw2_the_next_month_opens_at_the_projects_spread_instant(
    harness: Harness,
) -> None:
    """The month's opening is spread like its checks (a province's projects do not all wake
    at the funding cycle's end); a batch for the new month that comes before that instant
    is recorded and opens it."""
    # A project whose spread leaves room before its instant.
    case_id = next(
        i for i in (random_case_id("PW") for _ in range(100)) if rules.spread(i).seconds >= 60
    )
    handle, month = await open_project(harness, case_id=case_id)
    first = rules.new_month(month, 15, 3)
    lag = rules.spread(handle.id)
    following = rules.next_month(month)
    await harness.sleep_until(first.funding_due + lag / 2)
    v = await view(handle)
    assert [m.month for m in v.state.months] == [month]

    await fund(handle, following)
    # The month it opened is carried to the next run, as when the clock opens it.
    v = await view(harness.client.get_workflow_handle(handle.id), until=lambda v: v.state.runs == 2)
    assert v.state.runs == 2
    assert [m.month for m in v.state.months] == [month, following]
    assert month_record(v, following).funded > 0


async def test_pw3_pw4_a_month_without_a_sheet_waits_for_it_and_a_late_sheet_opens_the_case(
    harness: Harness,
) -> None:
    """PW-3: a pay date that comes with no wage sheet is a breach, and the month stays open
    (nobody knows yet what the workers were owed; payments alone are no sheet). PW-4: the
    sheet recorded after the grace shows who is owed, and the case opens at once for them."""
    handle, month = await open_project(harness)
    await fund(handle, month)
    await pay(handle, month, [1])
    first = rules.new_month(month, 15, 3)

    await past(harness, first.grace_due)
    v = await view(handle, until=lambda v: month_record(v, month).grace_checked)
    record = month_record(v, month)
    assert record.sheet_awaited and not record.closed
    assert v.state.risk is RiskLevel.payroll_breached
    assert "project_payroll_breached" in kinds(harness, handle.id)
    assert v.state.linked_cases == []

    await wage_sheet(handle, month, [1, 2], batch="S-late")
    v = await view(handle, until=lambda v: v.state.linked_cases)
    [link] = v.state.linked_cases
    assert link.months == [month] and link.worker_nos == [2]
    case = await harness.client.get_workflow_handle(link.case_id).query(WageArrearsWorkflow.view)
    assert [(w.id_number, w.amount_owed) for w in case.state.intake.workers] == [
        (resident_id(2), Decimal("5000.00"))
    ]
    assert not month_record(v, month).sheet_awaited

    # Paid through the account, the worker is settled and the month closes (PW-4, PW-3).
    await pay(handle, month, [2], batch="P-late")
    v = await view(handle, until=lambda v: month_record(v, month).closed)
    assert month_record(v, month).closed and v.state.linked_cases[0].settled


async def test_pw3_a_late_sheet_of_a_month_with_no_work_closes_it(harness: Harness) -> None:
    """PW-3: a rostered worker with no work in the month has 0 on its sheet; a sheet that
    comes after the pay date and shows everyone paid closes the month, with no case."""
    handle, month = await open_project(harness)
    await pay(handle, month, [1])
    await past(harness, rules.new_month(month, 15, 3).grace_due)
    await view(handle, until=lambda v: month_record(v, month).grace_checked)

    await handle.execute_update(
        ProjectWatchWorkflow.record_wage_sheet,
        RecordWageSheet.model_validate(
            {
                **sheet(month, [1], batch="S-late"),
                "lines": [
                    {"id_number": resident_id(1), "amount": "5000.00", "confirmed": True},
                    {"id_number": resident_id(2), "amount": "0", "confirmed": True},
                ],
            }
        ),
    )
    v = await view(handle, until=lambda v: month_record(v, month).closed)
    assert month_record(v, month).closed
    assert v.state.linked_cases == []
