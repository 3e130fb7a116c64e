"""What a project watch and its wage-arrears case tell each other (PW-4, PW-5): signals
between the two workflows, by workflow id, so a run that continued as new still hears them."""

from __future__ import annotations

from decimal import Decimal

from domain.common import StrictModel

# Project -> case: a further breach joins the open case; a bank batch paid a worker in it.
PROJECT_CLAIMS_SIGNAL = "project_claims"
PROJECT_PAYMENT_SIGNAL = "project_payment"
# Case -> project: a payment confirmed in the case.
CASE_PAYMENT_SIGNAL = "case_payment"


class ProjectClaim(StrictModel):
    name: str
    id_number: str
    mobile: str
    amount: Decimal
    months: int


class ProjectClaims(StrictModel):
    project_id: str
    months: list[str]
    claims: list[ProjectClaim]


class ProjectPayment(StrictModel):
    project_id: str
    batch_id: str
    id_number: str
    amount: Decimal
    paid_on: str


class CasePayment(StrictModel):
    case_id: str
    id_number: str
    amount: Decimal
