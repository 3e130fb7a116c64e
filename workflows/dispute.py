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
    from domain.carry import CaseCarry
    from domain.dispute import transitions
    from domain.dispute.kind import DISPUTE
    from domain.dispute.models import DisputeIntake, DisputeState, RecordAward
    from domain.dispute.view import DisputeActionResult, outcome_report
    from workflows import patches
    from workflows.case_base import CaseWorkflow
    from workflows.patches import LAW_AS_WRITTEN

# The signal a dispute sends to the wage-arrears case that referred it.
DISPUTE_OUTCOME_SIGNAL = "dispute_outcome"


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
        self._state.law_as_written = patches.patched(LAW_AS_WRITTEN)
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

    # Each action of ACTIONS has its update from the base; this one loads the region first.

    @workflow.update
    async def record_award(self, cmd: RecordAward) -> DisputeActionResult:
        if self.state.law_as_written:
            # MA-8: judged against the local minimum wage in force on the day it is recorded.
            self.state.region = await self._region(self.state.intake)
        return await self._act("record_award", cmd)

    @record_award.validator
    def _check_record_award(self, cmd: RecordAward) -> None:
        self._validate("record_award", cmd)
