"""The dispute case kind, as the registry (domain/kinds.py) lists it."""

from __future__ import annotations

from domain.case_kind import CaseKind
from domain.dispute import rules, view
from domain.dispute.models import DisputeStage

DISPUTE = CaseKind.declared(
    "MA",
    rules,
    view,
    is_closed=lambda state: state.stage is DisputeStage.closed,
    deadline_labels={
        rules.MEDIATION: "调解期限",
        rules.PERFORMANCE: "调解协议履行",
        rules.PAYMENT_ORDER_ISSUE: "支付令签发",
        rules.PAYMENT_ORDER_RESPONSE: "支付令异议期",
        rules.ACCEPTANCE: "仲裁受理",
        rules.SERVICE: "答辩书副本送达",
        rules.DEFENCE: "答辩期",
        rules.AWARD: "仲裁裁决期限",
        rules.WORKER_SUIT: "劳动者起诉期",
        rules.EMPLOYER_REVOCATION: "申请撤销裁决期",
        rules.SUIT: "起诉期",
        rules.ENFORCEMENT: "申请强制执行期",
    },
)
