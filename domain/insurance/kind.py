"""The social-insurance transfer case kind, as the registry (domain/kinds.py) lists it."""

from __future__ import annotations

from domain.case_kind import CaseKind
from domain.common import Role
from domain.insurance import rules, view
from domain.insurance.models import TransferIntake, TransferStage, TransferState


def _counties(intake: TransferIntake) -> tuple[str, ...]:
    """SI-1, SI-3: the new agency's county, where the worker applies and the case is opened;
    the old agency's clerks see it too, to send the funds."""
    own = intake.to_agency.county_code
    return (own, *sorted({intake.from_agency.county_code} - {own}))


def _is_closed(state: TransferState) -> bool:
    return state.stage in (TransferStage.completed, TransferStage.closed)


INSURANCE_TRANSFER = CaseKind(
    name=view.KIND,
    prefix="SI",
    actions=rules.ACTIONS,
    opened_by=rules.OPENED_BY,
    # The agencies' clerks work with the worker; the bureau's officers see them masked.
    full_personal_data=frozenset({Role.agency_clerk}),
    intake=TransferIntake,
    view=view.TransferView,
    result=view.TransferActionResult,
    counties=_counties,
    view_of=view.view,
    result_of=view.action_result,
    snapshot=view.snapshot,
    is_closed=_is_closed,
    deadline_labels={
        "acceptance_letter": "出具接收函",
        "transfer": "转出",
        "transfer_out": "转出",
        "receipt": "转入",
        "completion": "办结",
    },
)
