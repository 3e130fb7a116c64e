"""The project payroll watch (PW rules): one workflow per construction project, id PW-….

It runs from the construction contract to the day every worker's last wages are paid (PW-1,
PW-6). Roster changes and the monthly batches (funding, wage sheet, payments) are the kind's
actions, one update each through the shared case machinery (`workflows/case_base.py`):
stamped by the API, validated (403/409/422 as typed refusals), applied once per idempotency
key. Its own clock (`domain/project_watch/clock.py`) fires at each month's funding cycle end
(PW-2), pay date (PW-3) and pay date plus grace (PW-4), spread over the hour after
(`rules.spread`); a breach that outlives its grace opens a wage-arrears case as this
workflow's child (source `monitoring`), or joins the one still open; payments flow both ways
by signal.

The history stays bounded: the workflow continues as new at each new month (and at the case
machinery's size bound), carrying the roster and the open months only (`clock.pruned`, bound
in `domain/project_watch/models.py`); the read model keeps every month.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.projects import ProjectActivities
    from activities.read_model import ReadModelActivities
    from domain.carry import CaseCarry
    from domain.common import Actor, Command, Role
    from domain.notifications import Notification
    from domain.parties import Employer
    from domain.project_watch import clock, transitions
    from domain.project_watch.kind import PROJECT_WATCH
    from domain.project_watch.links import (
        CASE_PAYMENT_SIGNAL,
        PROJECT_CLAIMS_SIGNAL,
        PROJECT_PAYMENT_SIGNAL,
        CasePayment,
        ProjectClaim,
        ProjectClaims,
        ProjectPayment,
    )
    from domain.project_watch.models import ProjectIntake, ProjectState, RecordPayments
    from domain.project_watch.view import ProjectResult, project_rows
    from domain.wage_arrears.from_watch import MONITORING_ACTOR_ID, worker_claim
    from domain.wage_arrears.kind import WAGE_ARREARS
    from domain.wage_arrears.models import CaseSource, Project, WageArrearsIntake
    from workflows import patches
    from workflows.case_base import CaseWorkflow
    from workflows.deadlines import ACTIVITY_TIMEOUT, RETRY_FOREVER
    from workflows.patches import PROJECT_WATCH_LATE_SHEET, PROJECT_WATCH_SPREAD_OPENING
    from workflows.wage_arrears import WageArrearsWorkflow

# What the Temporal UI shows for the watch's timer: fixed words, never personal data.
TIMER_SUMMARY = "PW-2, PW-3, PW-4 月度工资监控"


@workflow.defn
class ProjectWatchWorkflow(CaseWorkflow[ProjectState, ProjectResult]):
    transitions: ClassVar[Any] = transitions
    case_kind = PROJECT_WATCH

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
        return self._result()

    def _changed(self, notes: list[Notification]) -> None:
        super()._changed(notes)
        self._wake = True

    async def _watch(self, intake: ProjectIntake) -> None:
        """The watch's clock: sleeps to the next funding, pay or grace instant, or until an
        action changes what is due; continues as new when a month opens."""
        flusher = asyncio.create_task(self._flush_forever())
        spread_opening = patches.patched(PROJECT_WATCH_SPREAD_OPENING)
        late_sheet = patches.patched(PROJECT_WATCH_LATE_SHEET)
        # A month opened by the clock or by a batch for it that came first: the run goes on
        # as new, carrying the open months.
        months = len(self.state.months)
        while not self._is_closed():
            wake = clock.next_wake(self.state, spread_opening)
            self._wake = False
            stop = lambda: self._wake or self._is_closed()  # noqa: E731
            if wake is None:
                await workflow.wait_condition(stop)
            elif (delay := wake - workflow.now()) > timedelta(0):
                try:
                    await workflow.wait_condition(
                        stop, timeout=delay, timeout_summary=TIMER_SUMMARY
                    )
                except TimeoutError:
                    pass
            async with self._lock:
                ticked = clock.tick(self.state, workflow.now(), spread_opening, late_sheet)
                if ticked.changed:
                    self._changed(ticked.notes)
                if ticked.to_case:
                    await self._to_case(ticked.to_case)
            if self._is_closed():
                break
            if ticked.month_opened or len(self.state.months) > months or self._history_full():
                await self._continue_as_new(intake)
        await self._flushed_now()
        await workflow.wait_condition(workflow.all_handlers_finished)
        flusher.cancel()

    def _carried(self) -> ProjectState:
        # Bounded: the open months and the workers still active or owed (PW-1, models.py).
        return clock.pruned(self.state)

    async def _write_rows(self) -> None:
        await workflow.execute_activity_method(
            ProjectActivities.sync_project,
            project_rows(self.state),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY_FOREVER,
        )

    # PW-4, PW-5: the wage-arrears case of the breaches past their grace.

    async def _to_case(self, lines: list[tuple[str, int, Decimal]]) -> None:
        case_id = transitions.open_case_id(self.state)
        claims = self._claims(lines)
        months = sorted({m for m, _, _ in lines})
        if case_id is not None:
            # PW-4: a further breach while the case is open joins it.
            joined = ProjectClaims(project_id=self.state.case_id, months=months, claims=claims)
            if await self._tell(case_id, PROJECT_CLAIMS_SIGNAL, joined):
                self._changed(transitions.linked(self.state, case_id, lines, joined=True))
                return
            # The case was closed meanwhile: these breaches open a case of their own.
            transitions.case_ended(self.state, case_id)
        case_id = await workflow.execute_activity_method(
            ReadModelActivities.allocate_case_id,
            WAGE_ARREARS.name,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY_FOREVER,
        )
        intake = self._case_intake(claims, months)
        await workflow.start_child_workflow(
            WageArrearsWorkflow.run,
            intake,
            id=case_id,
            parent_close_policy=ParentClosePolicy.ABANDON,
            static_summary=WAGE_ARREARS.summary(intake),
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
                watch_id=s.case_id,
            ),
            sector="construction",
            workers=[worker_claim(c) for c in claims],
            summary=(
                f"PW-4: wages of {', '.join(months)} unpaid on project {s.case_id} past the "
                f"pay date and {s.grace_days} days' grace"
            ),
            opened_by=Actor(
                id=MONITORING_ACTOR_ID, role=Role.inspector, county_code=s.intake.county_code
            ),
        )

    @workflow.signal(name=CASE_PAYMENT_SIGNAL)
    async def case_payment(self, paid: CasePayment) -> None:
        """PW-4: a payment confirmed in a linked wage-arrears case settles the worker's months
        here too; believed only from a case this project opened."""
        await workflow.wait_condition(lambda: self._state is not None)
        async with self._lock:
            if not any(c.case_id == paid.case_id for c in self.state.linked_cases):
                workflow.logger.warning("a payment from a case this project did not open")
                return
            notes = transitions.case_paid(
                self.state, paid.case_id, paid.id_number, paid.amount, workflow.now()
            )
            self._changed(notes)

    async def _apply(self, name: str, cmd: Command) -> list[Notification]:
        """A payment batch's lines for workers whose month is in a case are told to that case
        (PW-4), once: a batch id already recorded tells nothing again."""
        if not isinstance(cmd, RecordPayments) or transitions.batch_recorded(self.state, cmd):
            return await super()._apply(name, cmd)
        reports = transitions.case_payments(self.state, cmd)
        notes = await super()._apply(name, cmd)
        paid_on = max(line.paid_on for line in cmd.lines).isoformat()
        for case_id, paid in reports.items():
            for id_number, amount in paid:
                payment = ProjectPayment(
                    project_id=self.state.case_id,
                    batch_id=cmd.batch_id,
                    id_number=id_number,
                    amount=Decimal(amount),
                    paid_on=paid_on,
                )
                # A case closed meanwhile hears nothing more; the project records the batch.
                await self._tell(case_id, PROJECT_PAYMENT_SIGNAL, payment)
        return notes
