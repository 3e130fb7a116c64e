"""The social-insurance transfer case (SI rules): pension or medical, agency by agency.

Each step has a working-day clock owed by one agency; an overdue step escalates to the
supervising level and stays a breach (SI-6); a rejection for missing documents returns the
case to the worker and the step's clock starts again when they arrive (SI-5).
"""

from __future__ import annotations

from typing import Any, ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.carry import CaseCarry
    from domain.insurance import transitions
    from domain.insurance.kind import INSURANCE_TRANSFER
    from domain.insurance.models import TransferIntake, TransferState
    from domain.insurance.view import TransferActionResult
    from workflows.case_base import CaseWorkflow


@workflow.defn
class InsuranceTransferWorkflow(CaseWorkflow[TransferState, TransferActionResult]):
    transitions: ClassVar[Any] = transitions
    case_kind = INSURANCE_TRANSFER

    @workflow.run
    async def run(
        self, intake: TransferIntake, carry: CaseCarry[TransferState] | None = None
    ) -> TransferActionResult:
        return await self._run(intake, carry)
