"""The registry of case kinds: one line per kind, each record built in the kind's folder.

A case id's prefix names its kind (WA-… wage arrears, MA-… dispute, SI-… insurance
transfer, PW-… project payroll watch). Only the kind -> workflow class map lives elsewhere,
at the edge that talks to Temporal (workflows/catalog.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from domain.case_kind import CaseKind
from domain.dispute.kind import DISPUTE
from domain.insurance.kind import INSURANCE_TRANSFER
from domain.project_watch.kind import PROJECT_WATCH
from domain.wage_arrears.kind import WAGE_ARREARS

KINDS: tuple[CaseKind, ...] = (WAGE_ARREARS, DISPUTE, INSURANCE_TRANSFER, PROJECT_WATCH)

BY_NAME = {kind.name: kind for kind in KINDS}
BY_PREFIX = {kind.prefix: kind for kind in KINDS}
NAMES = tuple(BY_NAME)
CASE_ID = re.compile(r"^([A-Z]{2})-(\d{4})-(\d{6})$")

if TYPE_CHECKING:
    KindName = str
else:
    # A query parameter naming a kind: one of the registry's names.
    KindName = Literal[NAMES]


def named(name: str) -> CaseKind:
    return BY_NAME[name]


def of_case(case_id: str) -> CaseKind | None:
    """The kind a case id names by its prefix; None for a malformed or unknown id."""
    match = CASE_ID.match(case_id)
    return BY_PREFIX.get(match.group(1)) if match else None
