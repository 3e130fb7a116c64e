"""The wage-arrears case kind, as the registry (domain/kinds.py) lists it."""

from __future__ import annotations

from domain.case_kind import CaseKind
from domain.wage_arrears import rules, view
from domain.wage_arrears.models import CaseStatus

WAGE_ARREARS = CaseKind.declared(
    "WA",
    rules,
    view,
    is_closed=lambda state: state.status is CaseStatus.closed,
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
