"""The social-insurance transfer case (SI rules): pension or medical, agency by agency.

Each step has a working-day clock owed by one agency; an overdue step escalates to the
supervising level and stays a breach (SI-6); a rejection for missing documents returns the
case to the worker and the step's clock starts again when they arrive (SI-5).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.carry import CaseCarry
    from domain.common import Command
    from domain.deadlines import Deadline, RecomputeDeadlines, RecomputeResult
    from domain.files import AttachFile
    from domain.insurance import rules, transitions
    from domain.insurance.models import (
        CloseTransfer,
        CompleteTransfer,
        ConfirmReceipt,
        DocumentsReceived,
        IssueAcceptanceLetter,
        RejectForMissingDocuments,
        SendTransfer,
        TransferIntake,
        TransferStage,
        TransferState,
    )
    from domain.insurance.view import (
        KIND,
        TransferActionResult,
        TransferView,
        action_result,
        snapshot,
        view,
    )
    from domain.notifications import Notification
    from domain.snapshot import CaseSnapshot
    from workflows.case_base import CaseWorkflow
    from workflows.deadlines import ACTIVITY_TIMEOUT, RETRY_FOREVER


@workflow.defn
class InsuranceTransferWorkflow(CaseWorkflow[TransferState, TransferActionResult]):
    kind = KIND
    result_type = TransferActionResult

    @workflow.run
    async def run(
        self, intake: TransferIntake, carry: CaseCarry[TransferState] | None = None
    ) -> TransferActionResult:
        # Started with the intake alone, the SDK applies no type hints (they are matched
        # only when the counts agree): the intake arrives as JSON data.
        intake = TransferIntake.model_validate(intake)
        if not self._begin(carry):
            await self._open(intake)
        await self._serve(intake)
        return action_result(self.state)

    async def _open(self, intake: TransferIntake) -> None:
        region = await workflow.execute_activity_method(
            ReadModelActivities.load_region_settings,
            intake.to_agency.county_code,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY_FOREVER,
        )
        case_id = workflow.info().workflow_id
        self._state, effects = transitions.case_opened(case_id, intake, region, workflow.now())
        await self._take(effects, intake.opened_by.id)

    def _is_closed(self) -> bool:
        return self.state.stage in (TransferStage.completed, TransferStage.closed)

    def _snapshot(self, now: datetime) -> CaseSnapshot:
        return snapshot(self.state, now)

    def _check(self, name: str, state: TransferState, cmd: Command) -> None:
        rules.check(name, state, cmd, workflow.now())

    async def _on_deadline(
        self, deadline: Deadline, what: Literal["warn", "due"]
    ) -> list[Notification]:
        if what == "warn":
            return transitions.deadline_warned(self.state, deadline)
        effects = transitions.deadline_passed(self.state, deadline, workflow.now())
        return await self._take(effects, None, commit=False)

    async def _apply(self, name: str, cmd: Command) -> list[Notification]:
        effects = transitions.apply(name, self.state, cmd, workflow.now())
        return await self._take(effects, cmd.actor.id, commit=False)

    def _result(self) -> TransferActionResult:
        return action_result(self.state)

    @workflow.query
    def view(self) -> TransferView:
        return view(self.state)

    @workflow.update
    async def wait_opened(self) -> TransferActionResult:
        """Returns once the case is open and in the read model (the API's create waits on it)."""
        await workflow.wait_condition(lambda: self._state is not None and self._flushed >= 1)
        return action_result(self.state)

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

    @workflow.update
    async def attach_file(self, cmd: AttachFile) -> TransferActionResult:
        return await self._act("attach_file", cmd)

    @attach_file.validator
    def _check_attach_file(self, cmd: AttachFile) -> None:
        self._validate("attach_file", cmd)

    @workflow.update
    async def recompute_deadlines(self, cmd: RecomputeDeadlines) -> RecomputeResult:
        return await self._recompute_deadlines(cmd)

    @recompute_deadlines.validator
    def _check_recompute_deadlines(self, cmd: RecomputeDeadlines) -> None:
        self._check_running()
