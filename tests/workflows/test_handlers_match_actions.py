"""Each case kind's human actions are its workflow's updates, one for one: an action the API
offers always has its update, and no update takes an action the kind does not declare (and
so does not authorise)."""

from __future__ import annotations

import pytest
from temporalio.workflow import _Definition

from domain import kinds
from workflows.catalog import CASE_WORKFLOWS

# The system's own updates, not human actions.
SYSTEM_UPDATES = {"wait_opened", "recompute_deadlines", "worker_access"}


def test_every_kind_in_the_registry_has_its_workflow() -> None:
    assert set(CASE_WORKFLOWS) == set(kinds.NAMES)
    for name, workflow in CASE_WORKFLOWS.items():
        assert workflow.case_kind is kinds.named(name)


@pytest.mark.parametrize("kind", kinds.NAMES)
def test_every_action_has_its_update_and_every_update_its_action(kind: str) -> None:
    definition = _Definition.from_class(CASE_WORKFLOWS[kind])
    assert definition is not None
    updates = set(definition.updates) - SYSTEM_UPDATES
    assert updates == set(kinds.named(kind).actions)
    assert SYSTEM_UPDATES <= set(definition.updates)
    assert set(definition.queries) == {"view"}


@pytest.mark.parametrize("kind", kinds.NAMES)
def test_each_update_decodes_its_action_s_own_command(kind: str) -> None:
    definition = _Definition.from_class(CASE_WORKFLOWS[kind])
    assert definition is not None
    record = kinds.named(kind)
    for name, spec in record.actions.items():
        update = definition.updates[name]
        assert update.arg_types == [spec.command], name
        assert update.ret_type is record.result, name
    assert definition.queries["view"].ret_type is record.view
