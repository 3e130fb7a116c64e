"""The table of who may take which action (docs/security.md) is the declarations' own
(ACTIONS and OPENED_BY beside each case kind's rules), so the documentation cannot drift
from the code."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from domain import kinds
from domain.actions import ActionSpec
from domain.dispute.rules import ACTIONS as DISPUTE_ACTIONS
from domain.insurance.rules import ACTIONS as TRANSFER_ACTIONS
from domain.project_watch.rules import ACTIONS as PROJECT_WATCH_ACTIONS
from domain.wage_arrears.rules import ACTIONS as WAGE_ARREARS_ACTIONS

OPENED_BY = {kind.name: kind.opened_by for kind in kinds.KINDS}
README = Path(__file__).resolve().parents[2] / "docs" / "security.md"
KINDS: tuple[tuple[str, str, Mapping[str, ActionSpec[Any]]], ...] = (
    ("wage arrears", "wage_arrears", WAGE_ARREARS_ACTIONS),
    ("dispute", "dispute", DISPUTE_ACTIONS),
    ("insurance transfer", "insurance_transfer", TRANSFER_ACTIONS),
    ("project payroll watch", "project_watch", PROJECT_WATCH_ACTIONS),
)


def roles_table() -> str:
    """Rows of (case kind, role set, what that set may do), widest role sets first."""
    lines = ["| case kind | roles | may |", "|---|---|---|"]
    for label, kind, actions in KINDS:
        groups: dict[tuple[str, ...], list[str]] = {}
        groups.setdefault(tuple(sorted(r.value for r in OPENED_BY[kind])), []).append(
            "open the case"
        )
        for name, spec in actions.items():
            groups.setdefault(tuple(sorted(r.value for r in spec.roles)), []).append(f"`{name}`")
        for roles, names in sorted(groups.items(), key=lambda kv: (-len(kv[0]), kv[0])):
            lines.append(f"| {label} | {', '.join(roles)} | {', '.join(names)} |")
    return "\n".join(lines)


def test_the_readme_roles_table_is_the_declarations() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- roles table: generated from domain/*/rules.py -->\n")
    end = text.index("<!-- end of roles table -->")
    shown = text[start:end].split("\n", 1)[1].strip()
    assert shown == roles_table(), "regenerate: .venv/bin/python -m tests.api.test_readme_roles"


if __name__ == "__main__":
    print(roles_table())
