"""Request bodies that open a case: the intake without `opened_by`, which is the caller.

Each body is its domain intake minus `opened_by` (so the OpenAPI document shows exactly what
to send, and a body naming an opener is refused as an unknown field); the dependency checks
the caller may open such a case in its county (api/access.py) and returns the domain intake
with the caller as its opener, validated by the domain's own rules.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends
from pydantic import BaseModel, ValidationError, create_model

from api.access import User, opener
from api.errors import ApiError, validation_details
from domain import kinds
from domain.common import StrictModel
from domain.dispute.models import DisputeIntake
from domain.insurance.models import TransferIntake
from domain.wage_arrears.models import WageArrearsIntake

M = TypeVar("M", bound=BaseModel)


def _without_opener(model: type[BaseModel], name: str) -> type[StrictModel]:
    fields: dict[str, Any] = {
        field: (info.annotation, info)
        for field, info in model.model_fields.items()
        if field != "opened_by"
    }
    body: type[StrictModel] = create_model(name, __base__=StrictModel, **fields)
    body.__doc__ = f"{model.__doc__ or name} The opener is the caller (bearer token)."
    return body


WageArrearsIntakeIn = _without_opener(WageArrearsIntake, "WageArrearsIntakeIn")
DisputeIntakeIn = _without_opener(DisputeIntake, "DisputeIntakeIn")
TransferIntakeIn = _without_opener(TransferIntake, "TransferIntakeIn")


def _opened(model: type[M], kind: str, body: BaseModel, user: Any) -> M:
    # The county the case is opened in, by the kind's own rule (a transfer: the new agency's).
    actor = opener(user, kind, kinds.named(kind).county_of(body))
    try:
        return model.model_validate({**dict(body), "opened_by": actor})
    except ValidationError as err:
        details = validation_details(err.errors())
        for detail in details:
            detail["loc"] = ["body", *detail["loc"]]
        raise ApiError(422, "invalid_input", "the request is malformed", details) from None


def wage_arrears_intake(body: WageArrearsIntakeIn, user: User) -> WageArrearsIntake:  # type: ignore[valid-type]
    return _opened(WageArrearsIntake, "wage_arrears", body, user)


def dispute_intake(body: DisputeIntakeIn, user: User) -> DisputeIntake:  # type: ignore[valid-type]
    return _opened(DisputeIntake, "dispute", body, user)


def transfer_intake(body: TransferIntakeIn, user: User) -> TransferIntake:  # type: ignore[valid-type]
    # SI-1: the worker applies at the new region's agency.
    return _opened(TransferIntake, "insurance_transfer", body, user)


WageArrearsIntakeDep = Annotated[WageArrearsIntake, Depends(wage_arrears_intake)]
DisputeIntakeDep = Annotated[DisputeIntake, Depends(dispute_intake)]
TransferIntakeDep = Annotated[TransferIntake, Depends(transfer_intake)]
