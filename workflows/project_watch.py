"""The project payroll watch (PW rules): one workflow per construction project, id PW-….

It runs from the construction contract to the day every worker's last wages are paid (PW-1,
PW-6). Roster changes and the monthly batches (funding, wage sheet, payments) are updates
taken through the case machinery (`workflows/case_base.py`): stamped by the API, validated
(403/409/422 as typed refusals), applied once per idempotency key. Its own timers fire at
each month's funding cycle end (PW-2), pay date (PW-3) and pay date plus grace (PW-4),
spread over the hour after (`rules.spread`); a breach that outlives its grace opens a
wage-arrears case as this workflow's child (source `monitoring`), or joins the one still
open; payments flow both ways by signal.

The history stays bounded: the workflow continues as new at each new month (and at the case
machinery's size bound), carrying the roster and the open months only (`transitions.pruned`,
bound in `domain/project_watch/models.py`); the read model keeps every month.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.projects import ProjectActivities
    from activities.read_model import ReadModelActivities
    from domain.carry import CaseCarry
    from domain.common import Actor, Command, Role
    from domain.notifications import Notification
    from domain.project_watch import rules, transitions
    from domain.project_watch.links import (
        CASE_PAYMENT_SIGNAL,
        PROJECT_CLAIMS_SIGNAL,
        PROJECT_PAYMENT_SIGNAL,
        CasePayment,
        ProjectClaim,
        ProjectClaims,
        ProjectPayment,
    )
    from domain.project_watch.models import (
        KIND,
        ChangeBankCard,
        CompleteWorks,
        JoinRoster,
        LeaveRoster,
        ProjectIntake,
        ProjectState,
        ProjectStatus,
        RecordFunding,
        RecordPayments,
        RecordWageSheet,
    )
    from domain.project_watch.view import ProjectResult, ProjectView, result, snapshot, view
    from domain.snapshot import CaseSnapshot
    from domain.wage_arrears.models import (
        CaseSource,
        Employer,
        Project,
        WageArrearsIntake,
        WorkerClaim,
    )
    from workflows import search_attributes as sa
    from workflows.case_base import CaseWorkflow
    from workflows.deadlines import ACTIVITY_TIMEOUT, RETRY_FOREVER
    from workflows.wage_arrears import WageArrearsWorkflow

# The staff id the watch opens its cases as (PW-4: source monitoring; no person acted).
MONITORING_ACTOR_ID = "monitoring"


@workflow.defn
class ProjectWatchWorkflow(CaseWorkflow[ProjectState, ProjectResult]):
    kind = KIND
    result_type = ProjectResult

    def __init__(self) -> None:
        super().__init__()
        self._wake = False

    @workflow.run
    async def run(
        self, intake: ProjectIntake, carry: CaseCarry[ProjectState] | None = None
    ) -> ProjectResult:
        intake = ProjectIntake.model_validate(intake)
        if not self._begin(carry):
            await self._open(intake)
        await self._watch(intake)
        return result(self.state)

    async def _open(self, intake: ProjectIntake) -> None:
        region = await workflow.execute_activity_method(
            ReadModelActivities.load_region_settings,
            intake.county_code,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY_FOREVER,
        )
        grace = intake.grace_days if intake.grace_days is not None else region.payroll_grace_days
        self._state = transitions.opened(workflow.info().workflow_id, intake, grace, workflow.now())
        self._changed([])

    def _is_closed(self) -> bool:
        return self.state.status is ProjectStatus.ended

    def _changed(self, notes: list[Notification]) -> None:
        super()._changed(notes)
        self._wake = True

    async def _watch(self, intake: ProjectIntake) -> None:
        """The watch's clock: sleeps to the next funding, pay or grace instant, or until an
        update changes what is due; continues as new when a month opens."""
        flusher = asyncio.create_task(self._flush_forever())
        while not self._is_closed():
            wake = transitions.next_wake(self.state)
            self._wake = False
            if wake is not None:
                delay = wake - workflow.now()
                if delay > timedelta(0):
                    try:
                        await workflow.wait_condition(
                            lambda: self._wake or self._is_closed(), timeout=delay
                        )
                    except TimeoutError:
                        pass
            else:
                await workflow.wait_condition(lambda: self._wake or self._is_closed())
            async with self._lock:
                ticked = transitions.tick(self.state, workflow.now())
                if ticked.changed:
                    self._changed(ticked.notes)
                if ticked.to_case:
                    await self._to_case(ticked.to_case)
            if self._is_closed():
                break
            if ticked.month_opened or self._history_full():
                await self._next_run(intake)
        await self._flushed_now()
        await workflow.wait_condition(workflow.all_handlers_finished)
        flusher.cancel()

    async def _next_run(self, intake: ProjectIntake) -> None:
        await workflow.wait_condition(
            lambda: (
                workflow.all_handlers_finished()
                and not self._lock.locked()
                and self._flushed >= self.state.revision
            )
        )
        carried = CaseCarry[ProjectState](
            state=transitions.pruned(self.state), requests=list(self._requests.values())
        )
        workflow.continue_as_new(args=[intake, carried])

    # PW-4, PW-5: the wage-arrears case of the breaches past their grace.

    async def _to_case(self, lines: list[tuple[str, int, Decimal]]) -> None:
        case_id = transitions.open_case_id(self.state)
        claims = self._claims(lines)
        if case_id is not None:
            # A further breach while the case is open joins it.
            await workflow.get_external_workflow_handle(case_id).signal(
                PROJECT_CLAIMS_SIGNAL,
                ProjectClaims(
                    project_id=self.state.project_id,
                    months=sorted({m for m, _, _ in lines}),
                    claims=claims,
                ),
            )
            self._changed(transitions.linked(self.state, case_id, lines, joined=True))
            return
        case_id = await workflow.execute_activity_method(
            ReadModelActivities.allocate_case_id,
            "wage_arrears",
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY_FOREVER,
        )
        await workflow.start_child_workflow(
            WageArrearsWorkflow.run,
            self._case_intake(claims, sorted({m for m, _, _ in lines})),
            id=case_id,
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
        self._changed(transitions.linked(self.state, case_id, lines, joined=False))

    def _claims(self, lines: list[tuple[str, int, Decimal]]) -> list[ProjectClaim]:
        by_worker: dict[int, tuple[Decimal, int]] = {}
        for _, no, amount in lines:
            total, months = by_worker.get(no, (Decimal("0"), 0))
            by_worker[no] = (total + amount, months + 1)
        out = []
        for no, (amount, months) in sorted(by_worker.items()):
            w = next(w for w in self.state.roster if w.worker_no == no)
            out.append(
                ProjectClaim(
                    name=w.name,
                    id_number=w.id_number,
                    mobile=w.mobile,
                    amount=amount,
                    months=months,
                )  # fmt: skip
            )
        return out

    def _case_intake(self, claims: list[ProjectClaim], months: list[str]) -> WageArrearsIntake:
        s = self.state
        gc = Employer(
            name=s.intake.general_contractor.name,
            credit_code=s.intake.general_contractor.credit_code,
        )
        return WageArrearsIntake(
            source=CaseSource.monitoring,
            county_code=s.intake.county_code,
            # WA-8, PW-5: against the general contractor, who pays first.
            employer=gc,
            project=Project(
                name=s.intake.name,
                general_contractor=gc,
                # WA-7, PW-5: the deposit recorded for the project.
                guarantee_deposit=s.intake.guarantee_deposit,
                watch_id=s.project_id,
            ),
            sector="construction",
            workers=[
                WorkerClaim(
                    name=c.name,
                    id_number=c.id_number,
                    mobile=c.mobile,
                    amount_owed=c.amount,
                    months_owed=c.months,
                )  # fmt: skip
                for c in claims
            ],
            summary=(
                f"PW-4: wages of {', '.join(months)} unpaid on project {s.project_id} past the "
                f"pay date and {s.grace_days} days' grace"
            ),
            opened_by=Actor(
                id=MONITORING_ACTOR_ID, role=Role.inspector, county_code=s.intake.county_code
            ),
        )

    @workflow.signal(name=CASE_PAYMENT_SIGNAL)
    async def case_payment(self, paid: CasePayment) -> None:
        """A payment confirmed in a linked wage-arrears case settles the worker's months here
        too; believed only from a case this project opened."""
        await workflow.wait_condition(lambda: self._state is not None)
        async with self._lock:
            if not any(c.case_id == paid.case_id for c in self.state.linked_cases):
                workflow.logger.warning("a payment from a case this project did not open")
                return
            notes = transitions.case_paid(
                self.state, paid.case_id, paid.id_number, paid.amount, workflow.now()
            )
            self._changed(notes)

    # The case machinery's hooks.

    def _check(self, name: str, state: ProjectState, cmd: Command) -> None:
        rules.check(name, state, cmd, workflow.now())

    async def _apply(self, name: str, cmd: Command) -> list[Notification]:
        reports = (
            transitions.case_payments(self.state, cmd) if isinstance(cmd, RecordPayments) else {}
        )
        first = not (
            isinstance(cmd, RecordPayments)
            and any(cmd.batch_id in m.batches for m in self.state.months if m.month == cmd.month)
        )
        notes = transitions.apply(name, self.state, cmd, workflow.now())
        if isinstance(cmd, RecordPayments) and first:
            for case_id, paid in reports.items():
                for id_number, amount in paid:
                    await workflow.get_external_workflow_handle(case_id).signal(
                        PROJECT_PAYMENT_SIGNAL,
                        ProjectPayment(
                            project_id=self.state.project_id,
                            batch_id=cmd.batch_id,
                            id_number=id_number,
                            amount=Decimal(amount),
                            paid_on=max(line.paid_on for line in cmd.lines).isoformat(),
                        ),  # fmt: skip
                    )
        return notes

    def _result(self) -> ProjectResult:
        return result(self.state)

    def _snapshot(self, now: datetime) -> CaseSnapshot:
        raise NotImplementedError("a project writes its own rows (sync_project)")

    async def _flush_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: self._flushed < self.state.revision)
            revision = self.state.revision
            notes, self._outbox = self._outbox, []
            self._upsert_project_attributes()
            if notes:
                await workflow.execute_activity_method(
                    ReadModelActivities.write_notifications,
                    notes,
                    start_to_close_timeout=ACTIVITY_TIMEOUT,
                    retry_policy=RETRY_FOREVER,
                )
            await workflow.execute_activity_method(
                ProjectActivities.sync_project,
                snapshot(self.state),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=RETRY_FOREVER,
            )
            self._flushed = revision

    def _upsert_project_attributes(self) -> None:
        """Kind, status and county only: never a name, an ID number or an amount."""
        wanted: dict[str, Any] = {
            sa.CASE_KIND.name: KIND,
            sa.CASE_STATUS.name: self.state.status.value,
            sa.COUNTY_CODE.name: self.state.intake.county_code,
        }
        if wanted == self._search:
            return
        self._search = wanted
        workflow.upsert_search_attributes(
            [
                sa.CASE_KIND.value_set(KIND),
                sa.CASE_STATUS.value_set(self.state.status.value),
                sa.COUNTY_CODE.value_set(self.state.intake.county_code),
            ]
        )

    @workflow.query
    def view(self) -> ProjectView:
        return view(self.state)

    @workflow.update
    async def wait_opened(self) -> ProjectResult:
        await workflow.wait_condition(lambda: self._state is not None and self._flushed >= 1)
        return result(self.state)

    # Roster and batches: one update each, so the history names every act and its actor.

    @workflow.update
    async def join_roster(self, cmd: JoinRoster) -> ProjectResult:
        return await self._act("join_roster", cmd)

    @join_roster.validator
    def _check_join_roster(self, cmd: JoinRoster) -> None:
        self._validate("join_roster", cmd)

    @workflow.update
    async def leave_roster(self, cmd: LeaveRoster) -> ProjectResult:
        return await self._act("leave_roster", cmd)

    @leave_roster.validator
    def _check_leave_roster(self, cmd: LeaveRoster) -> None:
        self._validate("leave_roster", cmd)

    @workflow.update
    async def change_bank_card(self, cmd: ChangeBankCard) -> ProjectResult:
        return await self._act("change_bank_card", cmd)

    @change_bank_card.validator
    def _check_change_bank_card(self, cmd: ChangeBankCard) -> None:
        self._validate("change_bank_card", cmd)

    @workflow.update
    async def record_funding(self, cmd: RecordFunding) -> ProjectResult:
        return await self._act("record_funding", cmd)

    @record_funding.validator
    def _check_record_funding(self, cmd: RecordFunding) -> None:
        self._validate("record_funding", cmd)

    @workflow.update
    async def record_wage_sheet(self, cmd: RecordWageSheet) -> ProjectResult:
        return await self._act("record_wage_sheet", cmd)

    @record_wage_sheet.validator
    def _check_record_wage_sheet(self, cmd: RecordWageSheet) -> None:
        self._validate("record_wage_sheet", cmd)

    @workflow.update
    async def record_payments(self, cmd: RecordPayments) -> ProjectResult:
        return await self._act("record_payments", cmd)

    @record_payments.validator
    def _check_record_payments(self, cmd: RecordPayments) -> None:
        self._validate("record_payments", cmd)

    @workflow.update
    async def complete_works(self, cmd: CompleteWorks) -> ProjectResult:
        return await self._act("complete_works", cmd)

    @complete_works.validator
    def _check_complete_works(self, cmd: CompleteWorks) -> None:
        self._validate("complete_works", cmd)
