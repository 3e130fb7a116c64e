"""The wage-arrears case kind, as the registry (domain/kinds.py) lists it."""

from __future__ import annotations

from domain.case_kind import CaseKind
from domain.common import Role
from domain.wage_arrears import rules, view
from domain.wage_arrears.models import CaseStatus, WageArrearsIntake, WageArrearsState


def _counties(intake: WageArrearsIntake) -> tuple[str, ...]:
    return (intake.county_code,)


def _is_closed(state: WageArrearsState) -> bool:
    return state.status is CaseStatus.closed


WAGE_ARREARS = CaseKind(
    name=view.KIND,
    prefix="WA",
    actions=rules.ACTIONS,
    opened_by=rules.OPENED_BY,
    # The officers who work with the workers see them in full.
    full_personal_data=frozenset({Role.mediator, Role.inspector}),
    intake=WageArrearsIntake,
    view=view.WageArrearsView,
    result=view.WageArrearsActionResult,
    counties=_counties,
    view_of=view.view,
    result_of=view.action_result,
    snapshot=view.snapshot,
    is_closed=_is_closed,
)
