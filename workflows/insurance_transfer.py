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
    from domain.insurance.models import (
        CloseTransfer,
        CompleteTransfer,
        ConfirmReceipt,
        DocumentsReceived,
        IssueAcceptanceLetter,
        RejectForMissingDocuments,
        SendTransfer,
        TransferIntake,
        TransferState,
    )
    from domain.insurance.view import (
        TransferActionResult,
    )
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

    async def _open(self, intake: TransferIntake) -> None:
        region = await self._region(intake)
        case_id = workflow.info().workflow_id
        self._state, effects = transitions.case_opened(case_id, intake, region, workflow.now())
        await self._take(effects, intake.opened_by.id)

    # Agency actions: one update each, so the event history names every action and its actor.

    @workflow.update
    async def issue_acceptance_letter(self, cmd: IssueAcceptanceLetter) -> TransferActionResult:
        return await self._act("issue_acceptance_letter", cmd)

    @issue_acceptance_letter.validator
    def _check_issue_acceptance_letter(self, cmd: IssueAcceptanceLetter) -> None:
        self._validate("issue_acceptance_letter", cmd)

    @workflow.update
    async def send_transfer(self, cmd: SendTransfer) -> TransferActionResult:
        return await self._act("send_transfer", cmd)

    @send_transfer.validator
    def _check_send_transfer(self, cmd: SendTransfer) -> None:
        self._validate("send_transfer", cmd)

    @workflow.update
    async def confirm_receipt(self, cmd: ConfirmReceipt) -> TransferActionResult:
        return await self._act("confirm_receipt", cmd)

    @confirm_receipt.validator
    def _check_confirm_receipt(self, cmd: ConfirmReceipt) -> None:
        self._validate("confirm_receipt", cmd)

    @workflow.update
    async def complete_transfer(self, cmd: CompleteTransfer) -> TransferActionResult:
        return await self._act("complete_transfer", cmd)

    @complete_transfer.validator
    def _check_complete_transfer(self, cmd: CompleteTransfer) -> None:
        self._validate("complete_transfer", cmd)

    @workflow.update
    async def reject_for_missing_documents(
        self, cmd: RejectForMissingDocuments
    ) -> TransferActionResult:
        return await self._act("reject_for_missing_documents", cmd)

    @reject_for_missing_documents.validator
    def _check_reject_for_missing_documents(self, cmd: RejectForMissingDocuments) -> None:
        self._validate("reject_for_missing_documents", cmd)

    @workflow.update
    async def documents_received(self, cmd: DocumentsReceived) -> TransferActionResult:
        return await self._act("documents_received", cmd)

    @documents_received.validator
    def _check_documents_received(self, cmd: DocumentsReceived) -> None:
        self._validate("documents_received", cmd)

    @workflow.update
    async def close(self, cmd: CloseTransfer) -> TransferActionResult:
        return await self._act("close", cmd)

    @close.validator
    def _check_close(self, cmd: CloseTransfer) -> None:
        self._validate("close", cmd)
