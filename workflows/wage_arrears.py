"""The wage-arrears case (WA rules): one workflow per case, workflow id = case id.

The workflow is the state machine. Human actions are updates whose validators refuse what the
state forbids; deadlines are durable timers; the read model and the notifications outbox are
written by idempotent activities from one flusher task, so timers keep firing while the
database is away and an update returns only once the read model shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.calendar import CalendarActivities
    from activities.read_model import ReadModelActivities
    from domain.campaign import CampaignRequest
    from domain.carry import CaseCarry
    from domain.common import Command
    from domain.dispute.kind import DISPUTE
    from domain.dispute.view import DisputeOutcome
    from domain.notifications import Notification
    from domain.project_watch import links as project_links
    from domain.wage_arrears import from_watch, referral, rules, transitions
    from domain.wage_arrears.kind import WAGE_ARREARS
    from domain.wage_arrears.models import (
        CaseStatus,
        ConfirmPayment,
        WageArrearsIntake,
        WageArrearsState,
    )
    from domain.wage_arrears.view import WageArrearsActionResult
    from workflows import patches
    from workflows.case_base import CaseWorkflow
    from workflows.deadlines import ACTIVITY_TIMEOUT, RETRY_FOREVER, compute_due, run_io
    from workflows.dispute import DISPUTE_OUTCOME_SIGNAL, DisputeWorkflow
    from workflows.patches import (
        CAMPAIGN_WARNING_SPREAD,
        CASE_SUMMARIES,
        LAW_AS_WRITTEN,
        PROJECT_WATCH_PAYMENTS,
        START_DISPUTE_CASE,
        WA12_WA4_CLOCKS,
    )


@workflow.defn
class WageArrearsWorkflow(CaseWorkflow[WageArrearsState, WageArrearsActionResult]):
    transitions: ClassVar[Any] = transitions
    case_kind = WAGE_ARREARS

    @workflow.run
    async def run(
        self, intake: WageArrearsIntake, carry: CaseCarry[WageArrearsState] | None = None
    ) -> WageArrearsActionResult:
        return await self._run(intake, carry)

    async def _open(self, intake: WageArrearsIntake) -> None:
        case_id = workflow.info().workflow_id
        region = await self._region(intake)
        opened_at = workflow.now()
        settle_due = await compute_due(rules.settle_due_request(opened_at))
        self._state, notes = transitions.case_opened(case_id, intake, region, opened_at, settle_due)
        self._state.law_as_written = patches.patched(LAW_AS_WRITTEN)
        self._state.campaign_warning_spread = patches.patched(CAMPAIGN_WARNING_SPREAD)
        if patches.patched(WA12_WA4_CLOCKS):
            wa12_name, wa12_request = rules.wa12_clock(self._state)
            wa12_due = await compute_due(wa12_request)
            campaign = await run_io(
                CalendarActivities.campaign_dues, CampaignRequest(opened_at=opened_at)
            )
            transitions.clocks_started(self._state, wa12_name, wa12_request, wa12_due, campaign)
        self._changed(notes)

    def _check(self, name: str, state: WageArrearsState, cmd: Command) -> None:
        super()._check(name, state, cmd)
        if name == "refer_to_mediation":
            # The handler opens the dispute case with this file: it must be valid before the
            # update is accepted, or the handler could only fail.
            referral.check_dispute_intake(state, cmd)

    async def _apply(self, name: str, cmd: Command) -> list[Notification]:
        notes = await super()._apply(name, cmd)
        if name == "refer_to_mediation" and patches.patched(START_DISPUTE_CASE):
            await self._start_dispute(cmd)
        if isinstance(cmd, ConfirmPayment) and cmd.confirmed:
            await self._tell_project(cmd)
        return notes

    async def _tell_project(self, cmd: ConfirmPayment) -> None:
        """PW-4: a payment confirmed in a case the project watch opened settles the worker's
        months in the project too (only such cases ask the marker: older ones never did)."""
        project = self.state.intake.project
        if project is None or project.watch_id is None:
            return
        if not patches.patched(PROJECT_WATCH_PAYMENTS):
            return
        payment = next(p for p in self.state.payments if p.payment_id == cmd.payment_id)
        worker = self.state.intake.workers[payment.worker_no - 1]
        paid = project_links.CasePayment(
            case_id=self.state.case_id, id_number=worker.id_number, amount=payment.amount
        )
        # A project whose watch has ended hears nothing more; the payment stands here.
        await self._tell(project.watch_id, project_links.CASE_PAYMENT_SIGNAL, paid)

    async def _start_dispute(self, cmd: Command) -> None:
        """MA-1: the referral opens a dispute case as this case's child, linked both ways; it
        outlives this case if this one closes first."""
        dispute_id = await workflow.execute_activity_method(
            ReadModelActivities.allocate_case_id,
            "dispute",
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY_FOREVER,
        )
        intake = referral.dispute_intake(self.state, cmd)
        await workflow.start_child_workflow(
            DisputeWorkflow.run,
            intake,
            id=dispute_id,
            parent_close_policy=ParentClosePolicy.ABANDON,
            static_summary=(DISPUTE.summary(intake) if patches.patched(CASE_SUMMARIES) else None),
        )
        referral.dispute_started(self.state, dispute_id)

    @workflow.signal(name=DISPUTE_OUTCOME_SIGNAL)
    async def dispute_outcome(self, outcome: DisputeOutcome) -> None:
        """A linked dispute case reports: its agreement was performed, it went to court, ...

        Believed only from the dispute this case referred (MA-1); anything else is dropped."""
        await workflow.wait_condition(lambda: self._state is not None)
        async with self._lock:
            if not referral.is_referred_dispute(self.state, outcome.dispute_id):
                workflow.logger.warning("dispute outcome from a case this one did not refer")
                return
            before = self.state.model_copy(deep=True)
            try:
                notes, close = referral.dispute_reported(self.state, outcome, workflow.now())
                if close is not None and self.state.status is not CaseStatus.closed:
                    notes += transitions.closed(self.state, close, workflow.now())
            except Exception as exc:
                self._state = before
                workflow.logger.error("dispute outcome not applied: %s", type(exc).__name__)
                return
            self._changed(notes)

    @workflow.signal(name=project_links.PROJECT_CLAIMS_SIGNAL)
    async def project_claims(self, claims: project_links.ProjectClaims) -> None:
        """PW-4: a further breach of the project that opened this case joins it: the workers
        and amounts are added to what is owed. Believed only from that project."""
        await self._from_watch(
            claims.project_id,
            lambda: from_watch.project_claims_joined(self.state, claims, workflow.now()),
            "project claims from a project that opened no case here",
        )

    @workflow.signal(name=project_links.PROJECT_PAYMENT_SIGNAL)
    async def project_payment(self, paid: project_links.ProjectPayment) -> None:
        """PW-4: the project's bank batch paid a worker of this case: recorded and confirmed
        here with the batch as evidence (WA-5), by the general contractor (WA-8)."""
        await self._from_watch(
            paid.project_id,
            lambda: from_watch.project_paid(self.state, paid, workflow.now()),
            "a project payment from a project that opened no case",
        )

    async def _from_watch(
        self, project_id: str, apply: Callable[[], list[Notification]], stranger: str
    ) -> None:
        """What the project watch that opened this case tells it, applied once the case is
        open; from any other project it is logged (`stranger`) and left."""
        await workflow.wait_condition(lambda: self._state is not None)
        async with self._lock:
            if not from_watch.from_watch(self.state, project_id):
                workflow.logger.warning(stranger)
                return
            self._changed(apply())
