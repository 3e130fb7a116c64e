"""The wage-arrears case (WA rules): one workflow per case, workflow id = case id.

The workflow is the state machine. Human actions are updates whose validators refuse what the
state forbids; deadlines are durable timers; the read model and the notifications outbox are
written by idempotent activities from one flusher task, so timers keep firing while the
database is away and an update returns only once the read model shows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.calendar import CalendarActivities
    from activities.read_model import ReadModelActivities
    from domain.campaign import CampaignRequest
    from domain.carry import CaseCarry
    from domain.common import Command
    from domain.deadlines import (
        Deadline,
        ExtendDeadline,
        PauseDeadline,
        RecomputeDeadlines,
        RecomputeResult,
        ResumeDeadline,
    )
    from domain.dispute.view import DisputeOutcome
    from domain.files import AttachFile
    from domain.notifications import Notification
    from domain.project_watch import links as project_links
    from domain.snapshot import CaseSnapshot
    from domain.wage_arrears import referral, rules, transitions
    from domain.wage_arrears.models import (
        ApplyForRemoval,
        CaseStatus,
        CloseCase,
        ConfirmPayment,
        ContractorPays,
        DecideComplaint,
        DecideRemoval,
        DrawGuaranteeDeposit,
        EmergencyAdvance,
        IssueOrderToPay,
        ListOnPunishmentList,
        RecordPayment,
        RecordPoliceOutcome,
        ReferToMediation,
        ReferToPolice,
        Triage,
        WageArrearsIntake,
        WageArrearsState,
    )
    from domain.wage_arrears.view import (
        KIND,
        ActionResult,
        WageArrearsView,
        action_result,
        snapshot,
        view,
    )
    from workflows.case_base import CaseWorkflow
    from workflows.deadlines import ACTIVITY_TIMEOUT, RETRY_FOREVER, compute_due
    from workflows.dispute import DISPUTE_OUTCOME_SIGNAL, DisputeWorkflow


# Cases opened before these clocks existed replay without them.
WA12_WA4_CLOCKS = "wa12-wa4-clocks"
# Referrals made before the dispute case existed replay without starting one.
START_DISPUTE_CASE = "start-dispute-case"
# Cases opened before WA-1 applied to a case triaged general, and before a linked dispute's
# agreement or award changed what is owed (WA-5), replay and carry on as they ran.
LAW_AS_WRITTEN = "law-as-written"
# PW-4: a case opened by a project watch tells the project of the payments confirmed in it.
PROJECT_WATCH_PAYMENTS = "project-watch-payments"


@workflow.defn
class WageArrearsWorkflow(CaseWorkflow[WageArrearsState, ActionResult]):
    kind = KIND
    result_type = ActionResult

    @workflow.run
    async def run(
        self, intake: WageArrearsIntake, carry: CaseCarry[WageArrearsState] | None = None
    ) -> ActionResult:
        # Started with the intake alone, the SDK applies no type hints (they are matched
        # only when the counts agree): the intake arrives as JSON data.
        intake = WageArrearsIntake.model_validate(intake)
        if not self._begin(carry):
            await self._open(intake)
        await self._serve(intake)
        return action_result(self.state)

    async def _open(self, intake: WageArrearsIntake) -> None:
        case_id = workflow.info().workflow_id
        region = await workflow.execute_activity_method(
            ReadModelActivities.load_region_settings,
            intake.county_code,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY_FOREVER,
        )
        opened_at = workflow.now()
        settle_due = await compute_due(rules.settle_due_request(opened_at))
        self._state, notes = transitions.case_opened(case_id, intake, region, opened_at, settle_due)
        self._state.law_as_written = workflow.patched(LAW_AS_WRITTEN)
        if workflow.patched(WA12_WA4_CLOCKS):
            wa12_name, wa12_request = rules.wa12_clock(self._state)
            wa12_due = await compute_due(wa12_request)
            campaign = await workflow.execute_activity_method(
                CalendarActivities.campaign_dues,
                CampaignRequest(opened_at=opened_at),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=RETRY_FOREVER,
            )
            transitions.clocks_started(self._state, wa12_name, wa12_request, wa12_due, campaign)
        self._changed(notes)

    def _is_closed(self) -> bool:
        return self.state.status is CaseStatus.closed

    def _snapshot(self, now: datetime) -> CaseSnapshot:
        return snapshot(self.state, now)

    async def _on_deadline(
        self, deadline: Deadline, what: Literal["warn", "due"]
    ) -> list[Notification]:
        if what == "warn":
            return transitions.deadline_warned(self.state, deadline)
        return transitions.deadline_passed(self.state, deadline, workflow.now())

    def _check(self, name: str, state: WageArrearsState, cmd: Command) -> None:
        rules.check(name, state, cmd, workflow.now())
        if name == "refer_to_mediation":
            # The handler opens the dispute case with this file: it must be valid before the
            # update is accepted, or the handler could only fail.
            referral.check_dispute_intake(state, cmd)

    async def _apply(self, name: str, cmd: Command) -> list[Notification]:
        request = rules.due_request_for(name, self.state, cmd, workflow.now())
        due = await compute_due(request) if request is not None else None
        notes = transitions.apply(name, self.state, cmd, workflow.now(), request, due)
        if name == "refer_to_mediation" and workflow.patched(START_DISPUTE_CASE):
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
        if not workflow.patched(PROJECT_WATCH_PAYMENTS):
            return
        payment = next(p for p in self.state.payments if p.payment_id == cmd.payment_id)
        worker = self.state.intake.workers[payment.worker_no - 1]
        await workflow.get_external_workflow_handle(project.watch_id).signal(
            project_links.CASE_PAYMENT_SIGNAL,
            project_links.CasePayment(
                case_id=self.state.case_id, id_number=worker.id_number, amount=payment.amount
            ),
        )

    def _result(self) -> ActionResult:
        return action_result(self.state)

    async def _start_dispute(self, cmd: Command) -> None:
        """MA-1: the referral opens a dispute case as this case's child, linked both ways; it
        outlives this case if this one closes first."""
        dispute_id = await workflow.execute_activity_method(
            ReadModelActivities.allocate_case_id,
            "dispute",
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY_FOREVER,
        )
        await workflow.start_child_workflow(
            DisputeWorkflow.run,
            referral.dispute_intake(self.state, cmd),
            id=dispute_id,
            parent_close_policy=ParentClosePolicy.ABANDON,
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
        await workflow.wait_condition(lambda: self._state is not None)
        async with self._lock:
            if not transitions.from_watch(self.state, claims.project_id):
                workflow.logger.warning("project claims from a project that opened no case here")
                return
            notes = transitions.project_claims_joined(self.state, claims, workflow.now())
            self._changed(notes)

    @workflow.signal(name=project_links.PROJECT_PAYMENT_SIGNAL)
    async def project_payment(self, paid: project_links.ProjectPayment) -> None:
        """PW-4: the project's bank batch paid a worker of this case: recorded and confirmed
        here with the batch as evidence (WA-5), by the general contractor (WA-8)."""
        await workflow.wait_condition(lambda: self._state is not None)
        async with self._lock:
            if not transitions.from_watch(self.state, paid.project_id):
                workflow.logger.warning("a project payment from a project that opened no case")
                return
            notes = transitions.project_paid(self.state, paid, workflow.now())
            self._changed(notes)

    @workflow.query
    def view(self) -> WageArrearsView:
        return view(self.state)

    @workflow.update
    async def wait_opened(self) -> ActionResult:
        """Returns once the case is open and in the read model (the API's create waits on it)."""
        await workflow.wait_condition(lambda: self._state is not None and self._flushed >= 1)
        return action_result(self.state)

    # Human actions: one update each, so the event history names every action and its actor.

    @workflow.update
    async def triage(self, cmd: Triage) -> ActionResult:
        return await self._act("triage", cmd)

    @triage.validator
    def _check_triage(self, cmd: Triage) -> None:
        self._validate("triage", cmd)

    @workflow.update
    async def record_payment(self, cmd: RecordPayment) -> ActionResult:
        return await self._act("record_payment", cmd)

    @record_payment.validator
    def _check_record_payment(self, cmd: RecordPayment) -> None:
        self._validate("record_payment", cmd)

    @workflow.update
    async def confirm_payment(self, cmd: ConfirmPayment) -> ActionResult:
        return await self._act("confirm_payment", cmd)

    @confirm_payment.validator
    def _check_confirm_payment(self, cmd: ConfirmPayment) -> None:
        self._validate("confirm_payment", cmd)

    @workflow.update
    async def issue_order_to_pay(self, cmd: IssueOrderToPay) -> ActionResult:
        return await self._act("issue_order_to_pay", cmd)

    @issue_order_to_pay.validator
    def _check_issue_order_to_pay(self, cmd: IssueOrderToPay) -> None:
        self._validate("issue_order_to_pay", cmd)

    @workflow.update
    async def draw_guarantee_deposit(self, cmd: DrawGuaranteeDeposit) -> ActionResult:
        return await self._act("draw_guarantee_deposit", cmd)

    @draw_guarantee_deposit.validator
    def _check_draw_guarantee_deposit(self, cmd: DrawGuaranteeDeposit) -> None:
        self._validate("draw_guarantee_deposit", cmd)

    @workflow.update
    async def contractor_pays(self, cmd: ContractorPays) -> ActionResult:
        return await self._act("contractor_pays", cmd)

    @contractor_pays.validator
    def _check_contractor_pays(self, cmd: ContractorPays) -> None:
        self._validate("contractor_pays", cmd)

    @workflow.update
    async def emergency_advance(self, cmd: EmergencyAdvance) -> ActionResult:
        return await self._act("emergency_advance", cmd)

    @emergency_advance.validator
    def _check_emergency_advance(self, cmd: EmergencyAdvance) -> None:
        self._validate("emergency_advance", cmd)

    @workflow.update
    async def refer_to_mediation(self, cmd: ReferToMediation) -> ActionResult:
        return await self._act("refer_to_mediation", cmd)

    @refer_to_mediation.validator
    def _check_refer_to_mediation(self, cmd: ReferToMediation) -> None:
        self._validate("refer_to_mediation", cmd)

    @workflow.update
    async def refer_to_police(self, cmd: ReferToPolice) -> ActionResult:
        return await self._act("refer_to_police", cmd)

    @refer_to_police.validator
    def _check_refer_to_police(self, cmd: ReferToPolice) -> None:
        self._validate("refer_to_police", cmd)

    @workflow.update
    async def record_police_outcome(self, cmd: RecordPoliceOutcome) -> ActionResult:
        return await self._act("record_police_outcome", cmd)

    @record_police_outcome.validator
    def _check_record_police_outcome(self, cmd: RecordPoliceOutcome) -> None:
        self._validate("record_police_outcome", cmd)

    @workflow.update
    async def list_on_punishment_list(self, cmd: ListOnPunishmentList) -> ActionResult:
        return await self._act("list_on_punishment_list", cmd)

    @list_on_punishment_list.validator
    def _check_list_on_punishment_list(self, cmd: ListOnPunishmentList) -> None:
        self._validate("list_on_punishment_list", cmd)

    @workflow.update
    async def apply_for_removal(self, cmd: ApplyForRemoval) -> ActionResult:
        return await self._act("apply_for_removal", cmd)

    @apply_for_removal.validator
    def _check_apply_for_removal(self, cmd: ApplyForRemoval) -> None:
        self._validate("apply_for_removal", cmd)

    @workflow.update
    async def decide_removal(self, cmd: DecideRemoval) -> ActionResult:
        return await self._act("decide_removal", cmd)

    @decide_removal.validator
    def _check_decide_removal(self, cmd: DecideRemoval) -> None:
        self._validate("decide_removal", cmd)

    @workflow.update
    async def close(self, cmd: CloseCase) -> ActionResult:
        return await self._act("close", cmd)

    @close.validator
    def _check_close(self, cmd: CloseCase) -> None:
        self._validate("close", cmd)

    @workflow.update
    async def decide_complaint(self, cmd: DecideComplaint) -> ActionResult:
        return await self._act("decide_complaint", cmd)

    @decide_complaint.validator
    def _check_decide_complaint(self, cmd: DecideComplaint) -> None:
        self._validate("decide_complaint", cmd)

    @workflow.update
    async def extend_deadline(self, cmd: ExtendDeadline) -> ActionResult:
        return await self._act("extend_deadline", cmd)

    @extend_deadline.validator
    def _check_extend_deadline(self, cmd: ExtendDeadline) -> None:
        self._validate("extend_deadline", cmd)

    @workflow.update
    async def pause_deadline(self, cmd: PauseDeadline) -> ActionResult:
        return await self._act("pause_deadline", cmd)

    @pause_deadline.validator
    def _check_pause_deadline(self, cmd: PauseDeadline) -> None:
        self._validate("pause_deadline", cmd)

    @workflow.update
    async def resume_deadline(self, cmd: ResumeDeadline) -> ActionResult:
        return await self._act("resume_deadline", cmd)

    @resume_deadline.validator
    def _check_resume_deadline(self, cmd: ResumeDeadline) -> None:
        self._validate("resume_deadline", cmd)

    @workflow.update
    async def attach_file(self, cmd: AttachFile) -> ActionResult:
        return await self._act("attach_file", cmd)

    @attach_file.validator
    def _check_attach_file(self, cmd: AttachFile) -> None:
        self._validate("attach_file", cmd)

    # The system's own update, sent when an operator loads an official holiday schedule.

    @workflow.update
    async def recompute_deadlines(self, cmd: RecomputeDeadlines) -> RecomputeResult:
        return await self._recompute_deadlines(cmd)

    @recompute_deadlines.validator
    def _check_recompute_deadlines(self, cmd: RecomputeDeadlines) -> None:
        self._check_running()
