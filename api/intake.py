"""Request bodies that open a case: the intake without `opened_by`, which is the caller.

Each body is its domain intake minus `opened_by` (so the OpenAPI document shows exactly what
to send, and a body naming an opener is refused as an unknown field); the dependency checks
the caller may open such a case in its county (api/access.py) and returns the domain intake
with the caller as its opener, validated by the domain's own rules.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from pydantic import BaseModel, ValidationError, create_model

from api.access import User, opener
from api.errors import ApiError, validation_details
from domain import kinds
from domain.case_kind import CaseKind
from domain.common import StrictModel
from domain.wage_arrears.models import CaseSource

MONITORING = CaseSource.monitoring.value


def _without_opener(model: type[BaseModel], name: str) -> type[StrictModel]:
    fields: dict[str, Any] = {
        field: (info.annotation, info)
        for field, info in model.model_fields.items()
        # The opener is the caller; `channel` is the worker's window's own (PUB-5).
        if field not in ("opened_by", "channel")
    }
    body: type[StrictModel] = create_model(name, __base__=StrictModel, **fields)
    body.__doc__ = f"{model.__doc__ or name} The opener is the caller (bearer token)."
    return body


# Each kind's body, named after its intake (`WageArrearsIntakeIn`, ...).
BODIES: dict[str, type[StrictModel]] = {
    kind.name: _without_opener(kind.intake, f"{kind.intake.__name__}In") for kind in kinds.KINDS
}


def _opened(kind: CaseKind, body: BaseModel, user: Any) -> BaseModel:
    # The county the case is opened in, by the kind's own rule (a transfer: the new agency's,
    # where the worker applies, SI-1).
    actor = opener(user, kind.name, kind.county_of(body))
    if getattr(body, "source", None) == MONITORING:
        # PW-4: only a project's payroll watch opens a case from monitoring, never a person.
        raise ApiError(
            422,
            "invalid_input",
            "a case from monitoring is opened by a project's payroll watch",
            [{"loc": ["body", "source"], "msg": "not accepted", "type": "value"}],
        )
    try:
        return kind.intake.model_validate({**dict(body), "opened_by": actor})
    except ValidationError as err:
        details = validation_details(err.errors())
        for detail in details:
            detail["loc"] = ["body", *detail["loc"]]
        raise ApiError(422, "invalid_input", "the request is malformed", details) from None


def intake_dependency(kind: CaseKind) -> Any:
    """The create route's parameter: the kind's intake, with the caller as its opener."""

    def opened(body: Any, user: Any) -> BaseModel:
        return _opened(kind, body, user)

    opened.__name__ = f"{kind.name}_intake"
    # FastAPI reads these: the body's model (its OpenAPI schema) and the caller.
    opened.__annotations__ = {"body": BODIES[kind.name], "user": User, "return": kind.intake}
    return Annotated[kind.intake, Depends(opened)]
