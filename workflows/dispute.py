"""The dispute case (MA rules): mediation → arbitration → court and enforcement.

Opened directly (a worker applies for mediation or arbitration) or by a wage-arrears case's
referral to mediation, in which case it is that case's child workflow and reports its
outcomes back to it by signal, so both histories show the link.
"""

from __future__ import annotations

from typing import Any, ClassVar

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.carry import CaseCarry
    from domain.dispute import transitions
    from domain.dispute.kind import DISPUTE
    from domain.dispute.models import (
        ApplyEnforcement,
        ApplyForArbitration,
        ApplyPaymentOrder,
        ApplyRevocation,
        ChangeClaims,
        CloseDispute,
        DecideAcceptance,
        DisputeIntake,
        DisputeState,
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
    from domain.dispute.view import (
        DisputeActionResult,
        outcome_report,
    )
    from workflows.case_base import CaseWorkflow
    from workflows.deadlines import ACTIVITY_TIMEOUT, RETRY_FOREVER

# The signal a dispute sends to the wage-arrears case that referred it.
DISPUTE_OUTCOME_SIGNAL = "dispute_outcome"
# Cases opened before day 15 of mediation stopped applying for arbitration by itself (MA-1),
# before the enforcement window rolled past rest days (MA-10, CAL-3), and before an award was
# judged against the minimum wage of its day (MA-8), replay and carry on as they ran.
LAW_AS_WRITTEN = "law-as-written"


@workflow.defn
class DisputeWorkflow(CaseWorkflow[DisputeState, DisputeActionResult]):
    transitions: ClassVar[Any] = transitions
    case_kind = DISPUTE

    @workflow.run
    async def run(
        self, intake: DisputeIntake, carry: CaseCarry[DisputeState] | None = None
    ) -> DisputeActionResult:
        return await self._run(intake, carry)

    async def _open(self, intake: DisputeIntake) -> None:
        region = await self._region(intake)
        case_id = workflow.info().workflow_id
        self._state, effects = transitions.case_opened(case_id, intake, region, workflow.now())
        self._state.law_as_written = workflow.patched(LAW_AS_WRITTEN)
        await self._take(effects, intake.opened_by.id)

    async def _report(self, outcome: str) -> None:
        linked = self.state.intake.linked_case_id
        if not linked:
            return
        handle = workflow.get_external_workflow_handle(linked)
        try:
            await handle.signal(
                DISPUTE_OUTCOME_SIGNAL, outcome_report(self.state, outcome, workflow.now())
            )
        except ApplicationError as err:
            # The wage-arrears case has ended (closed by its officers or transferred); the
            # dispute goes on, and its own history keeps the outcome.
            workflow.logger.info("linked case no longer running: %s", err.message)

    # Human actions: one update each, so the event history names every action and its actor.

    @workflow.update
    async def record_mediation_session(self, cmd: RecordMediationSession) -> DisputeActionResult:
        return await self._act("record_mediation_session", cmd)

    @record_mediation_session.validator
    def _check_record_mediation_session(self, cmd: RecordMediationSession) -> None:
        self._validate("record_mediation_session", cmd)

    @workflow.update
    async def record_agreement(self, cmd: RecordAgreement) -> DisputeActionResult:
        return await self._act("record_agreement", cmd)

    @record_agreement.validator
    def _check_record_agreement(self, cmd: RecordAgreement) -> None:
        self._validate("record_agreement", cmd)

    @workflow.update
    async def record_mediation_failure(self, cmd: RecordMediationFailure) -> DisputeActionResult:
        return await self._act("record_mediation_failure", cmd)

    @record_mediation_failure.validator
    def _check_record_mediation_failure(self, cmd: RecordMediationFailure) -> None:
        self._validate("record_mediation_failure", cmd)

    @workflow.update
    async def record_performance(self, cmd: RecordPerformance) -> DisputeActionResult:
        return await self._act("record_performance", cmd)

    @record_performance.validator
    def _check_record_performance(self, cmd: RecordPerformance) -> None:
        self._validate("record_performance", cmd)

    @workflow.update
    async def apply_payment_order(self, cmd: ApplyPaymentOrder) -> DisputeActionResult:
        return await self._act("apply_payment_order", cmd)

    @apply_payment_order.validator
    def _check_apply_payment_order(self, cmd: ApplyPaymentOrder) -> None:
        self._validate("apply_payment_order", cmd)

    @workflow.update
    async def record_payment_order(self, cmd: RecordPaymentOrder) -> DisputeActionResult:
        return await self._act("record_payment_order", cmd)

    @record_payment_order.validator
    def _check_record_payment_order(self, cmd: RecordPaymentOrder) -> None:
        self._validate("record_payment_order", cmd)

    @workflow.update
    async def record_payment_order_objection(
        self, cmd: RecordPaymentOrderObjection
    ) -> DisputeActionResult:
        return await self._act("record_payment_order_objection", cmd)

    @record_payment_order_objection.validator
    def _check_record_payment_order_objection(self, cmd: RecordPaymentOrderObjection) -> None:
        self._validate("record_payment_order_objection", cmd)

    @workflow.update
    async def apply_for_arbitration(self, cmd: ApplyForArbitration) -> DisputeActionResult:
        return await self._act("apply_for_arbitration", cmd)

    @apply_for_arbitration.validator
    def _check_apply_for_arbitration(self, cmd: ApplyForArbitration) -> None:
        self._validate("apply_for_arbitration", cmd)

    @workflow.update
    async def decide_acceptance(self, cmd: DecideAcceptance) -> DisputeActionResult:
        return await self._act("decide_acceptance", cmd)

    @decide_acceptance.validator
    def _check_decide_acceptance(self, cmd: DecideAcceptance) -> None:
        self._validate("decide_acceptance", cmd)

    @workflow.update
    async def record_service(self, cmd: RecordService) -> DisputeActionResult:
        return await self._act("record_service", cmd)

    @record_service.validator
    def _check_record_service(self, cmd: RecordService) -> None:
        self._validate("record_service", cmd)

    @workflow.update
    async def record_defence(self, cmd: RecordDefence) -> DisputeActionResult:
        return await self._act("record_defence", cmd)

    @record_defence.validator
    def _check_record_defence(self, cmd: RecordDefence) -> None:
        self._validate("record_defence", cmd)

    @workflow.update
    async def schedule_hearing(self, cmd: ScheduleHearing) -> DisputeActionResult:
        return await self._act("schedule_hearing", cmd)

    @schedule_hearing.validator
    def _check_schedule_hearing(self, cmd: ScheduleHearing) -> None:
        self._validate("schedule_hearing", cmd)

    @workflow.update
    async def change_claims(self, cmd: ChangeClaims) -> DisputeActionResult:
        return await self._act("change_claims", cmd)

    @change_claims.validator
    def _check_change_claims(self, cmd: ChangeClaims) -> None:
        self._validate("change_claims", cmd)

    @workflow.update
    async def record_award(self, cmd: RecordAward) -> DisputeActionResult:
        if self.state.law_as_written:
            # MA-8: judged against the local minimum wage in force on the day it is recorded.
            self.state.region = await workflow.execute_activity_method(
                ReadModelActivities.load_region_settings,
                self.state.intake.county_code,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=RETRY_FOREVER,
            )
        return await self._act("record_award", cmd)

    @record_award.validator
    def _check_record_award(self, cmd: RecordAward) -> None:
        self._validate("record_award", cmd)

    @workflow.update
    async def record_award_received(self, cmd: RecordAwardReceived) -> DisputeActionResult:
        return await self._act("record_award_received", cmd)

    @record_award_received.validator
    def _check_record_award_received(self, cmd: RecordAwardReceived) -> None:
        self._validate("record_award_received", cmd)

    @workflow.update
    async def record_suit(self, cmd: RecordSuit) -> DisputeActionResult:
        return await self._act("record_suit", cmd)

    @record_suit.validator
    def _check_record_suit(self, cmd: RecordSuit) -> None:
        self._validate("record_suit", cmd)

    @workflow.update
    async def apply_revocation(self, cmd: ApplyRevocation) -> DisputeActionResult:
        return await self._act("apply_revocation", cmd)

    @apply_revocation.validator
    def _check_apply_revocation(self, cmd: ApplyRevocation) -> None:
        self._validate("apply_revocation", cmd)

    @workflow.update
    async def record_judgment(self, cmd: RecordJudgment) -> DisputeActionResult:
        return await self._act("record_judgment", cmd)

    @record_judgment.validator
    def _check_record_judgment(self, cmd: RecordJudgment) -> None:
        self._validate("record_judgment", cmd)

    @workflow.update
    async def apply_enforcement(self, cmd: ApplyEnforcement) -> DisputeActionResult:
        return await self._act("apply_enforcement", cmd)

    @apply_enforcement.validator
    def _check_apply_enforcement(self, cmd: ApplyEnforcement) -> None:
        self._validate("apply_enforcement", cmd)

    @workflow.update
    async def close(self, cmd: CloseDispute) -> DisputeActionResult:
        return await self._act("close", cmd)

    @close.validator
    def _check_close(self, cmd: CloseDispute) -> None:
        self._validate("close", cmd)
