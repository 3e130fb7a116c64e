"""The people and organisations a case is about, as every case kind records them.

Their identifiers are normalised on the way in (domain/identity.py), so the same person or
employer is the same value in every kind; names, ID numbers and mobiles are personal data
(masked by the API, never in logs or search attributes).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from domain.common import StrictModel
from domain.identity import (
    normalise_bank_card,
    normalise_credit_code,
    normalise_mobile,
    normalise_resident_id,
)

CreditCode = Annotated[str, AfterValidator(normalise_credit_code)]
ResidentId = Annotated[str, AfterValidator(normalise_resident_id)]
Mobile = Annotated[str, AfterValidator(normalise_mobile)]
# PW-1, PW-3: the worker's own bank card, into which the wages are paid.
BankCard = Annotated[str, AfterValidator(normalise_bank_card)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Employer(StrictModel):
    name: Name
    credit_code: CreditCode


class Claimant(StrictModel):
    """A worker who claims, in a dispute or a transfer."""

    name: Annotated[str, Field(min_length=1, max_length=50)]
    id_number: ResidentId
    mobile: Mobile


# How a notice reached the person it is served on (送达方式): the same for every kind.
ServiceManner = Literal["direct", "mail", "left_at_premises", "electronic", "public_notice"]
