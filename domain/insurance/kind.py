"""The social-insurance transfer case kind, as the registry (domain/kinds.py) lists it."""

from __future__ import annotations

from domain.actions import roles
from domain.case_kind import CaseKind
from domain.common import Role
from domain.insurance import rules, view
from domain.insurance.models import TransferIntake, TransferStage


def _counties(intake: TransferIntake) -> tuple[str, ...]:
    """SI-1, SI-3: the new agency's county, where the worker applies and the case is opened;
    the old agency's clerks see it too, to send the funds."""
    own = intake.to_agency.county_code
    return (own, *sorted({intake.from_agency.county_code} - {own}))


INSURANCE_TRANSFER = CaseKind.declared(
    "SI",
    rules,
    view,
    is_closed=lambda state: state.stage in (TransferStage.completed, TransferStage.closed),
    counties=_counties,
    # The agencies' clerks work with the worker; the bureau's officers see them masked.
    full_personal_data=roles(Role.agency_clerk),
    deadline_labels={
        "acceptance_letter": "出具接收函",
        "transfer": "转出",
        "transfer_out": "转出",
        "receipt": "转入",
        "completion": "办结",
    },
)
