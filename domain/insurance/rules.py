"""Decisions of a social-insurance transfer (SI rules): who acts at each step, and its clock.

Each step belongs to one agency: the new region's (acceptance letter, receipt, completion)
or the old region's (transfer). Only that agency's clerks act on it (SI-1, SI-3).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from domain import actions
from domain.actions import ActionSpec, roles
from domain.common import ActionNotAllowed, Command, InvalidActionInput, Role, cst_date
from domain.deadlines import DeadlineBasis, DeadlineSpec, DueRequest
from domain.files import AttachFile
from domain.input_dates import last_event_day, not_before, not_future
from domain.insurance.amounts import difference
from domain.insurance.models import (
    Amounts,
    CloseTransfer,
    CompleteTransfer,
    ConfirmReceipt,
    DocumentsReceived,
    IssueAcceptanceLetter,
    RejectForMissingDocuments,
    SendTransfer,
    TransferKind,
    TransferStage,
    TransferState,
)

Side = Literal["old", "new"]

# (rule, working days, the agency that owes the step). A pension's funds in transit have no
# clock: the new agency's 15 days run from their receipt.
STEPS: dict[tuple[TransferKind, TransferStage], tuple[str, int, Side]] = {
    # SI-1: acceptance letter, transfer, completion: 15 working days each.
    (TransferKind.pension, TransferStage.applied): ("SI-1", 15, "new"),
    (TransferKind.pension, TransferStage.letter_issued): ("SI-1", 15, "old"),
    (TransferKind.pension, TransferStage.received): ("SI-1", 15, "new"),
    # SI-3: transfer-out 10 working days, transfer-in 5.
    (TransferKind.medical, TransferStage.transfer_out): ("SI-3", 10, "old"),
    (TransferKind.medical, TransferStage.funds_sent): ("SI-3", 5, "new"),
}
STEP_NAMES = {
    TransferStage.applied: "acceptance_letter",
    TransferStage.letter_issued: "transfer",
    TransferStage.transfer_out: "transfer_out",
    TransferStage.funds_sent: "receipt",
    TransferStage.received: "completion",
}


def step_clock(state: TransferState, stage: TransferStage, start: datetime) -> DeadlineSpec | None:
    """The clock of the step `stage` names, counted in working days (CAL-1)."""
    step = STEPS.get((state.intake.kind, stage))
    if step is None:
        return None
    rule, days, _ = step
    request = DueRequest(start_at=start, basis=DeadlineBasis.working_days, days=days)
    return DeadlineSpec(name=STEP_NAMES[stage], rule=rule, request=request, warn_before_days=2)


def owing_side(state: TransferState) -> Side | None:
    stage = state.waiting_step if state.stage is TransferStage.awaiting_documents else state.stage
    if stage is TransferStage.funds_sent:
        return "new"
    step = STEPS.get((state.intake.kind, stage)) if stage else None
    return step[2] if step else None


def agency_county(state: TransferState, side: Side) -> str:
    agency = state.intake.from_agency if side == "old" else state.intake.to_agency
    return agency.county_code


# The county of each action's actor (SI-1, SI-3): the new agency's, the old one's, or that of
# the agency whose step is running.


def new_agency(state: TransferState) -> str:
    return agency_county(state, "new")


def old_agency(state: TransferState) -> str:
    return agency_county(state, "old")


def owing_agency(state: TransferState) -> str:
    return agency_county(state, owing_side(state) or "new")


def _open(state: TransferState) -> None:
    if state.stage in (TransferStage.completed, TransferStage.closed):
        raise ActionNotAllowed(f"the transfer is {state.stage.value}")


def _stage(*stages: TransferStage) -> Callable[[TransferState], None]:
    def check(state: TransferState) -> None:
        _open(state)
        if state.stage not in stages:
            raise ActionNotAllowed(
                f"only when the transfer is {' or '.join(s.value for s in stages)}; "
                f"it is {state.stage.value}"
            )

    return check


def _state_reject(state: TransferState) -> None:
    _open(state)
    if state.stage is TransferStage.awaiting_documents:
        raise ActionNotAllowed("SI-5: the case is already back with the worker")
    if owing_side(state) is None:
        raise ActionNotAllowed("no agency step is running")


def _check_received_on(day: date | None, after: date, what: str, now: datetime) -> None:
    """SI-1: a date of receipt is neither in the future nor before what it follows."""
    if day is None:
        return
    not_future("received_on", day, now)
    not_before("received_on", day, after, what)


def _input_letter(state: TransferState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, IssueAcceptanceLetter)
    _check_received_on(cmd.received_on, cst_date(state.opened_at), "the application", now)


def _input_receipt(state: TransferState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ConfirmReceipt)
    sent = last_event_day(state.events, "transfer_sent") or cst_date(state.opened_at)
    _check_received_on(cmd.received_on, sent, "the funds were sent", now)
    if state.intake.kind is TransferKind.medical or state.amounts is None:
        return
    received = Amounts(individual_account=cmd.individual_account, pooled_funds=cmd.pooled_funds)
    # SI-2: the receiving agency confirms exactly what the history says moves.
    diff = difference(state.amounts, received)
    if diff:
        shown = ", ".join(f"{item} differs by {amount}" for item, amount in diff.items())
        raise InvalidActionInput(f"SI-2: the amounts received do not match: {shown}")


CLERKS = roles(Role.agency_clerk)
# SI-1: the worker applies at the new region's agency, whose clerk opens the case.
OPENED_BY = CLERKS

ACTIONS: dict[str, ActionSpec[TransferState]] = actions.table(
    ActionSpec(
        "issue_acceptance_letter",
        IssueAcceptanceLetter,
        CLERKS,
        "SI-1",
        _stage(TransferStage.applied),
        _input_letter,
        new_agency,
    ),
    ActionSpec(
        "send_transfer",
        SendTransfer,
        CLERKS,
        "SI-1, SI-3",
        _stage(TransferStage.letter_issued, TransferStage.transfer_out),
        county=old_agency,
    ),
    ActionSpec(
        "confirm_receipt",
        ConfirmReceipt,
        CLERKS,
        "SI-1, SI-2, SI-3",
        _stage(TransferStage.funds_sent),
        _input_receipt,
        new_agency,
    ),
    ActionSpec(
        "complete_transfer",
        CompleteTransfer,
        CLERKS,
        "SI-1",
        _stage(TransferStage.received),
        county=new_agency,
    ),
    ActionSpec(
        "reject_for_missing_documents",
        RejectForMissingDocuments,
        CLERKS,
        "SI-5",
        _state_reject,
        county=owing_agency,
    ),
    ActionSpec(
        "documents_received",
        DocumentsReceived,
        CLERKS,
        "SI-5",
        _stage(TransferStage.awaiting_documents),
        county=owing_agency,
    ),
    ActionSpec(
        "close",
        CloseTransfer,
        roles(Role.supervisor, Role.agency_clerk),
        "SI-1",
        _open,
        county=new_agency,
    ),
    ActionSpec("attach_file", AttachFile, CLERKS, "", _open, county=owing_agency),
)


# SI-1, SI-3: a step is taken, and awaited, by the clerks of the agency that owes it.
check, available_actions, awaited_by = actions.bound(ACTIONS)
