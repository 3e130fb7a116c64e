"""A wage-arrears case referred to mediation opens a dispute case, and hears its outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ValidationError

from domain.common import Command, InvalidActionInput, Role, cst_date
from domain.deadlines import DeadlineState
from domain.dispute.models import ClaimItem, DisputeIntake, DisputeOrigin
from domain.dispute.view import DisputeOutcome
from domain.notifications import Notification, notify
from domain.parties import Claimant
from domain.wage_arrears import accounts
from domain.wage_arrears.models import (
    CaseStatus,
    CloseCase,
    CloseOutcome,
    ClueReply,
    GivenUp,
    LadderStep,
    LinkedCase,
    WageArrearsState,
)
from domain.wage_arrears.rules import close_pending_deadlines


def dispute_intake(state: WageArrearsState, cmd: Command) -> DisputeIntake:
    """The dispute case's file: every worker still owed, with what each is owed now."""
    owed = [n for n in accounts.worker_numbers(state) if accounts.outstanding(state, n) > 0]
    workers = [state.intake.workers[n - 1] for n in owed]
    return DisputeIntake(
        origin=DisputeOrigin.mediation,
        county_code=state.intake.county_code,
        employer=state.intake.employer,
        workers=[Claimant(name=w.name, id_number=w.id_number, mobile=w.mobile) for w in workers],
        migrant_workers=True,
        wage_claim=True,
        claims=[
            ClaimItem(
                description=f"unpaid wages, worker {n}", amount=accounts.outstanding(state, n)
            )
            for n in owed
        ],
        claim_known_on=cst_date(state.opened_at),
        linked_case_id=state.case_id,
        summary=cmd.reason,
        opened_by=cmd.actor,
    )


def check_dispute_intake(state: WageArrearsState, cmd: Command) -> None:
    """Refuses a referral whose dispute file would be invalid (InvalidActionInput)."""
    try:
        dispute_intake(state, cmd)
    except ValidationError as err:
        fields = sorted({".".join(str(part) for part in e["loc"][:1]) for e in err.errors()})
        raise InvalidActionInput(
            f"the dispute case cannot be opened from this case: invalid {', '.join(fields)}"
        ) from None


def dispute_started(state: WageArrearsState, dispute_id: str) -> None:
    state.linked_cases.append(
        LinkedCase(case_id=dispute_id, kind="dispute", relation="referred_to")
    )


def is_referred_dispute(state: WageArrearsState, dispute_id: str) -> bool:
    """MA-1: only the dispute case this case's referral opened reports to it."""
    return any(
        link.case_id == dispute_id and link.kind == "dispute" and link.relation == "referred_to"
        for link in state.linked_cases
    )


def dispute_reported(
    state: WageArrearsState, outcome: DisputeOutcome, now: datetime
) -> tuple[list[Notification], CloseCase | None]:
    """Records a dispute's outcome; returns what to close the case with, if it ends here."""
    for link in state.linked_cases:
        if link.case_id == outcome.dispute_id:
            link.outcome = outcome.outcome
    state.ladder.append(
        LadderStep(
            rung="dispute_outcome",
            rule="MA-2" if outcome.outcome == "performed" else "MA-9",
            at=now,
            actor_id=None,
            reason=f"dispute {outcome.dispute_id}: {outcome.outcome}",
            details={"dispute_id": outcome.dispute_id, "outcome": outcome.outcome},
        )
    )
    notes: list[Notification] = []
    if state.status in (CaseStatus.closed, CaseStatus.settled):
        return notes, None
    if state.law_as_written and outcome.outcome in ("performed", "award_effective"):
        return _owed_changed(state, outcome, now), None
    if outcome.outcome == "performed":
        # The mediation agreement was performed: every worker's wages are paid.
        state.status = CaseStatus.settled
        state.settled_at = now
        for deadline in state.deadlines:
            if deadline.pending:
                deadline.close(DeadlineState.met, now, reason="mediation agreement performed")
        return notes, None
    if outcome.outcome == "litigation":
        # The dispute went to court: the bureau's case ends as transferred.
        system = state.intake.opened_by.model_copy(update={"role": Role.supervisor})
        reply = ClueReply.transferred if state.intake.clue_number else None
        return notes, CloseCase(
            actor=system,
            reason=f"dispute {outcome.dispute_id} went to court",
            outcome=CloseOutcome.transferred,
            clue_reply=reply,
        )
    return notes, None


def _owed_changed(
    state: WageArrearsState, outcome: DisputeOutcome, now: datetime
) -> list[Notification]:
    """WA-5: an agreement or award changes what is owed: the rest is given up by agreement
    (never recovered), and the case settles only once the agreed or awarded amount is paid
    and confirmed here."""
    notes: list[Notification] = []
    if outcome.amount is not None:
        basis: Literal["agreement", "award"] = (
            "agreement" if outcome.outcome == "performed" else "award"
        )
        for worker_no, amount in accounts.share_given_up(state, outcome.amount).items():
            state.given_up.append(
                GivenUp(
                    worker_no=worker_no,
                    amount=amount,
                    dispute_id=outcome.dispute_id,
                    basis=basis,
                    at=now,
                )
            )
        notes.append(
            notify(
                state.case_id,
                state.intake.county_code,
                "dispute_amount_owed",
                f"{outcome.dispute_id}:{outcome.outcome}",
                Role.mediator,
                dispute_id=outcome.dispute_id,
                basis=basis,
                owed=str(accounts.total_owed(state)),
                outstanding=str(accounts.total_outstanding(state)),
            )
        )
    if accounts.fully_paid(state) and any(p.status == "confirmed" for p in state.payments):
        state.status = CaseStatus.settled
        state.settled_at = now
        close_pending_deadlines(
            state, DeadlineState.met, now, f"paid what dispute {outcome.dispute_id} set (WA-5)"
        )
        state.police_referral_active = False
        notes.append(
            notify(
                state.case_id, state.intake.county_code, "case_settled", "settled", Role.inspector
            )
        )
    return notes
