"""The record a case kind declares once, in its own folder (`domain/<kind>/kind.py`).

Everything outside the kind that needs to know it (the API, access control, case numbers,
the presenters, the rebuild of the read model, the workflows' shared glue) reads this record
through the registry (domain/kinds.py), so a new kind is its folder plus one registry line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any, get_type_hints

from pydantic import BaseModel

from domain.actions import CASEWORKERS, ActionSpec
from domain.common import Role
from domain.deadlines import Deadline
from domain.snapshot import CaseSnapshot


@dataclass(frozen=True)
class CaseKind:
    # The kind's name in the API, the read model and the search attributes.
    name: str
    # A case id's prefix (WA-2026-000001), also the prefix of the kind's rule ids.
    prefix: str
    # Its human actions: who takes each, in which county, what it needs (domain/actions.py).
    actions: Mapping[str, ActionSpec[Any]]
    # The roles that open a case of this kind, in a county they are bound to.
    opened_by: frozenset[Role]
    # The roles that work with the people of the case and see their personal data unmasked.
    full_personal_data: frozenset[Role]
    intake: type[BaseModel]
    view: type[BaseModel]
    result: type[BaseModel]
    # The counties of a case opened with this intake: its own first (where it is opened and
    # its region's settings come from), then the others that see it.
    counties: Callable[[Any], tuple[str, ...]]
    # What the workflow answers and writes, from its state.
    view_of: Callable[[Any], BaseModel]
    result_of: Callable[[Any], BaseModel]
    snapshot: Callable[[Any, datetime], CaseSnapshot]
    is_closed: Callable[[Any], bool]
    # What an operator reads for each of its deadlines in the Temporal UI (no personal data).
    deadline_labels: Mapping[str, str]

    @classmethod
    def declared(
        cls,
        prefix: str,
        rules: ModuleType,
        view: ModuleType,
        *,
        is_closed: Callable[[Any], bool],
        deadline_labels: Mapping[str, str],
        counties: Callable[[Any], tuple[str, ...]] | None = None,
        full_personal_data: frozenset[Role] = CASEWORKERS,
    ) -> CaseKind:
        """The record of a kind laid out as the three are: `rules.ACTIONS` and
        `rules.OPENED_BY`; `view.KIND`, `view.view`, `view.action_result` and
        `view.snapshot`, whose annotations name the view, the result and the state (whose
        `intake` field names the intake). A case is in its intake's `county_code` unless
        `counties` says otherwise; the bureau's caseworkers see its people in full unless
        `full_personal_data` says otherwise."""
        shown = get_type_hints(view.view)
        state = shown["state"]
        return cls(
            name=view.KIND,
            prefix=prefix,
            actions=rules.ACTIONS,
            opened_by=rules.OPENED_BY,
            full_personal_data=full_personal_data,
            intake=state.model_fields["intake"].annotation,
            view=shown["return"],
            result=get_type_hints(view.action_result)["return"],
            counties=counties or _own_county,
            view_of=view.view,
            result_of=view.action_result,
            snapshot=view.snapshot,
            is_closed=is_closed,
            deadline_labels=deadline_labels,
        )

    def county_of(self, intake: Any) -> str:
        """The case's own county."""
        return self.counties(intake)[0]

    def rule_ids(self) -> list[str]:
        """The rules its actions apply, in the order RULES.md numbers them."""
        ids = {r.strip() for spec in self.actions.values() for r in spec.rule.split(",")}
        return sorted(
            ids - {""},
            key=lambda r: (r.split("-")[0] != self.prefix, r.split("-")[0], int(r.split("-")[1])),
        )

    def summary(self, intake: Any) -> str:
        """The case workflow's static summary in the Temporal UI: its kind, its counties and
        its rules; never personal data (the UI shows it unencrypted)."""
        counties = "/".join(self.counties(intake))
        return f"{self.name} · {counties} · {', '.join(self.rule_ids())}"

    def timer_summary(self, deadline: Deadline) -> str:
        """The summary of the timer a case sleeps on until `deadline`'s next wake-up, e.g.
        "WA-1 清偿时限" (its warning: "WA-1 清偿时限 预警")."""
        label = self.deadline_labels.get(deadline.name, deadline.name)
        warning = deadline.next_wakeup() != deadline.due_at
        return f"{deadline.rule} {label}{' 预警' if warning else ''}"


def _own_county(intake: Any) -> tuple[str, ...]:
    return (str(intake.county_code),)
