"""The OpenAPI document as clients need it: short operation ids, and each action typed.

At run time every action goes through one route, `POST /api/v1/cases/{case_id}/actions/
{action}`, whose body is checked after the caller's access (so an outsider gets its 404
before any 422) by the case kind's own command model. A generated client needs more: the
document lists one operation per action name instead, `POST .../actions/record_payment`
with operation id `record_payment` and the body's schema (the command without `actor` and
`request`, which the API stamps). An action name that more than one kind has (`close`,
`extend_deadline`) takes any of those kinds' bodies (`anyOf`), since the case id says
which. The paths are the real route's, so what the document says is what the API serves.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, create_model
from pydantic.json_schema import models_json_schema

from domain import kinds
from domain.common import StrictModel

ACTION_PATH = "/api/v1/cases/{case_id}/actions/{action}"
# Set by the API, never by the caller (api/access.py refuses them in a body).
STAMPED = ("actor", "request")
_REF = "#/components/schemas/{model}"


def operation_id(route: APIRoute) -> str:
    """The route's function name: `create_wage_arrears_case`, not FastAPI's path-long id."""
    return route.name


def _title(kind: str, action: str) -> str:
    words = (kind + "_" + action).split("_")
    return "".join(w.capitalize() for w in words) + "Body"


def action_bodies() -> dict[str, list[type[BaseModel]]]:
    """Each action name's body models, one per kind that has the action."""
    bodies: dict[str, list[type[BaseModel]]] = {}
    for kind in kinds.KINDS:
        for name, spec in kind.actions.items():
            fields: dict[str, Any] = {
                field: (info.annotation, info)
                for field, info in spec.command.model_fields.items()
                if field not in STAMPED
            }
            body: type[BaseModel] = create_model(
                _title(kind.name, name), __base__=StrictModel, **fields
            )
            body.__doc__ = spec.command.__doc__
            bodies.setdefault(name, []).append(body)
    return bodies


def _merge(schemas: dict[str, Any], defs: dict[str, Any]) -> None:
    for name, schema in defs.items():
        known = schemas.get(name)
        if known is not None and known != schema:
            # Two models of one name and different shapes would make one of them a lie.
            raise ValueError(f"two different schemas are both named {name}")
        schemas[name] = schema


def typed_actions(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the generic action operation replaced by one per action name."""
    generic = document["paths"].pop(ACTION_PATH)["post"]
    bodies = action_bodies()
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (m, "validation") for ms in bodies.values() for m in ms
    ]
    refs, top = models_json_schema(models, ref_template=_REF)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _merge(schemas, top.get("$defs", {}))
    prefix = ACTION_PATH.removesuffix("{action}")
    for name in sorted(bodies):
        shapes = [refs[(m, "validation")] for m in bodies[name]]
        op = copy.deepcopy(generic)
        op["operationId"] = name
        op["summary"] = name.replace("_", " ").capitalize()
        op["parameters"] = [p for p in op.get("parameters", []) if p.get("name") != "action"]
        # anyOf, not oneOf: a body may fit two kinds' models (`close` has the same fields).
        schema = shapes[0] if len(shapes) == 1 else {"anyOf": shapes}
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
        document["paths"][prefix + name] = {"post": op}
    return document


def install(app: FastAPI) -> None:
    """Builds the document once, on first request, with the actions typed."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = typed_actions(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
