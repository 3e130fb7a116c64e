"""What each agency action and each step deadline does to a transfer case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.calendar import at_noon
from domain.common import Command, Role
from domain.deadlines import Deadline, DeadlineState
from domain.effects import Effects, by_command
from domain.files import AttachFile, attach_file
from domain.insurance import amounts, rules
from domain.insurance.models import (
    CloseTransfer,
    CompleteTransfer,
    ConfirmReceipt,
    DocumentsReceived,
    IssueAcceptanceLetter,
    RejectForMissingDocuments,
    SendTransfer,
    TransferEvent,
    TransferIntake,
    TransferKind,
    TransferStage,
    TransferState,
)
from domain.notifications import Notification, notify
from domain.regions import RegionSettings


def _notify(
    state: TransferState,
    kind: str,
    key: str,
    role: Role | None,
    county: str | None = None,
    **params: str,
) -> Notification:
    note = notify(
        state.case_id, county or state.intake.to_agency.county_code, kind, key, role, **params
    )
    return note


def _tell_worker(
    state: TransferState, step: str, key: str | None = None, **params: str
) -> Notification:
    """The worker hears of every step (through the outbox; the message holds no personal data).

    `key` tells apart steps that can happen more than once in a case (a second rejection)."""
    note = _notify(state, "worker_notified", key or step, None, step=step, **params)
    return note.model_copy(update={"recipient": "worker"})


def _event(
    state: TransferState, kind: str, at: datetime, cmd: Command | None, **details: str
) -> None:
    state.events.append(
        TransferEvent(
            kind=kind,
            at=at,
            actor_id=cmd.actor.id if cmd else None,
            county_code=cmd.actor.county_code if cmd else None,
            reason=cmd.reason if cmd else "",
            details=details,
        )
    )


def _end_step(state: TransferState, outcome: DeadlineState, at: datetime, why: str) -> None:
    for deadline in state.deadlines:
        if deadline.pending:
            deadline.close(outcome, at, reason=why)


def _move_to(state: TransferState, stage: TransferStage, at: datetime) -> Effects:
    state.stage = stage
    spec = rules.step_clock(state, stage, at)
    return Effects(start=[spec] if spec else [])


def case_opened(
    case_id: str, intake: TransferIntake, region: RegionSettings, opened_at: datetime
) -> tuple[TransferState, Effects]:
    first = (
        TransferStage.applied if intake.kind is TransferKind.pension else TransferStage.transfer_out
    )
    state = TransferState(
        case_id=case_id, intake=intake, region=region, stage=first, opened_at=opened_at
    )
    if intake.kind is TransferKind.pension:
        # SI-2: what moves is fixed by the history now, and checked on receipt.
        state.amounts = amounts.transfer_amounts(intake.contributions, intake.individual_account)
    else:
        assert intake.old_coverage_ended_on and intake.new_coverage_starts_on
        state.continuity = amounts.continuity(
            intake.old_coverage_ended_on,
            intake.new_coverage_starts_on,
            region.medical_waiting_period_months,
        )
    effects = _move_to(state, first, opened_at)
    effects.notes.append(_tell_worker(state, "applied"))
    return state, effects


def _letter(state: TransferState, cmd: Command, now: datetime) -> Effects:
    _end_step(state, DeadlineState.met, now, "acceptance letter issued")
    assert isinstance(cmd, IssueAcceptanceLetter)
    received_on = cmd.received_on
    details = {"received_on": received_on.isoformat()} if received_on else {}
    _event(state, "acceptance_letter_issued", now, cmd, **details)
    # SI-1: the old agency's 15 working days run from its receipt of the letter.
    start = at_noon(received_on) if received_on is not None else now
    effects = _move_to(state, TransferStage.letter_issued, start)
    effects.notes.append(_tell_worker(state, "acceptance_letter_issued"))
    return effects


def _sent(state: TransferState, cmd: Command, now: datetime) -> Effects:
    _end_step(state, DeadlineState.met, now, "transferred")
    details = (
        {
            "individual_account": str(state.amounts.individual_account),
            "pooled_funds": str(state.amounts.pooled_funds),
        }
        if state.amounts
        else {}
    )
    _event(state, "transfer_sent", now, cmd, **details)
    effects = _move_to(state, TransferStage.funds_sent, now)
    effects.notes.append(_tell_worker(state, "transfer_sent"))
    return effects


def _received(state: TransferState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, ConfirmReceipt)
    _end_step(state, DeadlineState.met, now, "received")
    details = {"received_on": cmd.received_on.isoformat()} if cmd.received_on else {}
    _event(
        state,
        "transfer_received",
        now,
        cmd,
        individual_account=str(cmd.individual_account),
        pooled_funds=str(cmd.pooled_funds),
        **details,
    )
    if state.intake.kind is TransferKind.medical:
        # SI-3: the transfer-in completes the medical transfer.
        return _completed(state, cmd, now)
    # SI-1: the new agency's 15 working days run from its receipt of the funds.
    start = at_noon(cmd.received_on) if cmd.received_on is not None else now
    effects = _move_to(state, TransferStage.received, start)
    effects.notes.append(_tell_worker(state, "transfer_received"))
    return effects


def _completed(state: TransferState, cmd: Command, now: datetime) -> Effects:
    _end_step(state, DeadlineState.met, now, "completed")
    state.stage = TransferStage.completed
    state.closed_at = now
    _event(state, "transfer_completed", now, cmd)
    params = {}
    if state.continuity is not None:
        params = {
            "continuous": str(state.continuity.continuous).lower(),
            "waiting_period_months": str(state.continuity.waiting_period_months),
        }
    return Effects(notes=[_tell_worker(state, "completed", **params)])


def _rejected(state: TransferState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, RejectForMissingDocuments)
    # SI-5: back to the worker; this step's clock stops and restarts when documents arrive.
    _end_step(state, DeadlineState.cancelled, now, "returned for missing documents (SI-5)")
    state.waiting_step = state.stage
    state.stage = TransferStage.awaiting_documents
    _event(state, "returned_for_documents", now, cmd, missing=", ".join(cmd.missing))
    returns = sum(1 for e in state.events if e.kind == "returned_for_documents")
    # The first return keeps the key it always had, so outbox rows already written match.
    key = "documents_missing" if returns == 1 else f"documents_missing:{returns}"
    note = _tell_worker(state, "documents_missing", key, missing=", ".join(cmd.missing))
    return Effects(notes=[note])


def _documents(state: TransferState, cmd: Command, now: datetime) -> Effects:
    assert state.waiting_step is not None
    step, state.waiting_step = state.waiting_step, None
    _event(state, "documents_received", now, cmd)
    return _move_to(state, step, now)


def _closed(state: TransferState, cmd: Command, now: datetime) -> Effects:
    assert isinstance(cmd, CloseTransfer)
    _end_step(state, DeadlineState.cancelled, now, f"closed: {cmd.outcome}")
    state.stage = TransferStage.closed
    state.closed_at = now
    _event(state, "closed", now, cmd, outcome=cmd.outcome)
    return Effects(notes=[_tell_worker(state, "closed", outcome=cmd.outcome)])


_HANDLERS: dict[type[Command], Callable[[TransferState, Command, datetime], Effects]] = {
    IssueAcceptanceLetter: _letter,
    SendTransfer: _sent,
    ConfirmReceipt: _received,
    CompleteTransfer: _completed,
    RejectForMissingDocuments: _rejected,
    DocumentsReceived: _documents,
    CloseTransfer: _closed,
    AttachFile: attach_file,
}


apply = by_command(_HANDLERS)


def deadline_warned(state: TransferState, deadline: Deadline) -> list[Notification]:
    deadline.warned = True
    side = rules.owing_side(state) or "new"
    return [
        _notify(
            state,
            "deadline_due_soon",
            f"{deadline.name}:{deadline.due_at.isoformat()}",
            Role.agency_clerk,
            rules.agency_county(state, side),
            deadline=deadline.name,
            rule=deadline.rule,
        )
    ]


def deadline_passed(state: TransferState, deadline: Deadline, now: datetime) -> Effects:
    """SI-6: an overdue agency step escalates to the supervising level and stays a breach; the
    step itself goes on."""
    deadline.close(DeadlineState.breached, now, reason=f"{deadline.rule} step overdue")
    state.escalated = True
    side = rules.owing_side(state) or "new"
    county = rules.agency_county(state, side)
    _event(state, "step_overdue", now, None, step=deadline.name, agency=side)
    return Effects(
        notes=[
            _notify(
                state,
                "deadline_breached",
                f"{deadline.name}:{deadline.due_at.isoformat()}",
                Role.agency_clerk,
                county,
                deadline=deadline.name,
                rule=deadline.rule,
            ),
            _notify(
                state,
                "step_overdue_escalated",
                f"{deadline.name}:{deadline.due_at.isoformat()}",
                Role.supervisor,
                county,
                deadline=deadline.name,
                rule="SI-6",
                agency=side,
            ),
        ]
    )
