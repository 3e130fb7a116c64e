"""The wage-arrears case kind, as the registry (domain/kinds.py) lists it."""

from __future__ import annotations

from domain.actions import CASEWORKERS
from domain.case_kind import CaseKind
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
    full_personal_data=CASEWORKERS,
    intake=WageArrearsIntake,
    view=view.WageArrearsView,
    result=view.WageArrearsActionResult,
    counties=_counties,
    view_of=view.view,
    result_of=view.action_result,
    snapshot=view.snapshot,
    is_closed=_is_closed,
    deadline_labels={
        rules.SETTLE: "清偿时限",
        rules.ORDER_TO_PAY: "责令限期支付",
        rules.DEPOSIT_PAYOUT: "工资保证金支付",
        rules.COMPLAINT_ACCEPTANCE: "投诉受理",
        rules.INVESTIGATION: "调查处理",
        "campaign_3_months": "三个月内清零",
        "campaign_year_end": "年底前清零",
        "campaign_spring_festival": "春节前清零",
    },
)
