"""The human actions of each case kind, as clients build forms from them: name, rule, roles
and the input's JSON schema, all read from the kind's own declarations (`ACTIONS` in
`domain/*/rules.py`), the same ones the workflow validates with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.deps import CurrentUser
from api.errors import ApiError
from api.intake import BODIES
from api.presenters import DETAILS
from domain import kinds
from domain.actions import ActionSpec

router = APIRouter(prefix="/api/v1/actions", tags=["actions"])

Kind = kinds.KindName
# Set by the API, never by the caller (api/access.py refuses them in a body).
STAMPED = ("actor", "request")


class ActionForm(BaseModel):
    action: str
    rule: str
    roles: list[str]
    input_schema: dict[str, Any]


def _actions(kind: str) -> Mapping[str, ActionSpec[Any]]:
    return kinds.named(kind).actions


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def input_schema(spec: ActionSpec[Any]) -> dict[str, Any]:
    """The command's JSON schema without the fields the API stamps, and without the
    definitions only they used."""
    schema = spec.command.model_json_schema()
    properties = {k: v for k, v in schema.get("properties", {}).items() if k not in STAMPED}
    schema["properties"] = properties
    schema["required"] = [r for r in schema.get("required", []) if r not in STAMPED]
    defs: dict[str, Any] = schema.pop("$defs", {})
    kept: set[str] = set()
    todo = _refs(properties)
    while todo:
        name = todo.pop()
        if name in kept or name not in defs:
            continue
        kept.add(name)
        todo |= _refs(defs[name])
    if kept:
        schema["$defs"] = {name: defs[name] for name in sorted(kept)}
    return schema


def _form(name: str, spec: ActionSpec[Any]) -> ActionForm:
    return ActionForm(
        action=name,
        rule=spec.rule,
        roles=sorted(r.value for r in spec.roles),
        input_schema=input_schema(spec),
    )


@router.get("/{kind}", response_model=list[ActionForm])
def list_action_forms(kind: Kind, user: CurrentUser) -> list[ActionForm]:
    """Every action of the case kind with its input schema (`actor` and `request` are set by
    the API from the token and the Idempotency-Key header)."""
    return [_form(name, spec) for name, spec in _actions(kind).items()]


class IntakeForm(BaseModel):
    kind: str
    path: str = Field(description="where the body is POSTed to open such a case")
    rule: str
    roles: list[str] = Field(description="the roles that may open such a case")
    input_schema: dict[str, Any]


@router.get("/{kind}/intake", response_model=IntakeForm)
def get_intake_form(kind: Kind, user: CurrentUser) -> IntakeForm:
    """What opening a case of the kind takes: the route, the roles that may, and the body's
    JSON schema (the opener is the caller, from the token)."""
    # The kind's create route and its body (the domain intake less the opener), with the
    # rule that says who opens it and where.
    shown = DETAILS[kind]
    return IntakeForm(
        kind=kind,
        path=f"/api/v1/cases/{shown.route}",
        rule=shown.opening_rule,
        roles=sorted(r.value for r in kinds.named(kind).opened_by),
        input_schema=BODIES[kind].model_json_schema(),
    )


@router.get("/{kind}/{action}/schema", response_model=dict[str, Any])
def get_action_schema(
    kind: Kind, action: Annotated[str, Path(max_length=60)], user: CurrentUser
) -> dict[str, Any]:
    """The JSON schema of one action's body, for `POST /api/v1/cases/{id}/actions/{action}`."""
    actions = _actions(kind)
    spec = actions.get(action)
    if spec is None:
        raise ApiError(
            404, "unknown_action", f"no such action; actions: {', '.join(sorted(actions))}"
        )
    return input_schema(spec)
