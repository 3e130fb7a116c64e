"""The project payroll watch, as the registry (domain/kinds.py) lists it (PW rules)."""

from __future__ import annotations

from domain.actions import roles
from domain.case_kind import CaseKind
from domain.common import Role
from domain.project_watch import rules, view
from domain.project_watch.models import ProjectStatus

PROJECT_WATCH = CaseKind.declared(
    "PW",
    rules,
    view,
    # PW-6: the watch ends when the works are completed and every worker is paid in full.
    is_closed=lambda state: state.status is ProjectStatus.ended,
    # The inspectors watch the roster; the supervisor sees the workers masked.
    full_personal_data=roles(Role.inspector),
    # The watch keeps no deadline ledger (its clock is the months': domain/project_watch/
    # clock.py); its timers' summaries name these.
    deadline_labels={
        "funding_due": "人工费用拨付周期",
        "pay_due": "工资支付日",
        "grace_due": "欠薪宽限期",
    },
)
