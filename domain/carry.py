"""What a case carries into its next run when it continues as new: its whole state and the
idempotency keys of the actions it applied lately, so a retry still gets its first outcome."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from domain.common import StrictModel

S = TypeVar("S", bound=BaseModel)


class SeenRequest(StrictModel):
    """An action applied under an idempotency key, and what it answered."""

    key: str
    action: str
    fingerprint: str
    result: dict[str, Any]


class CaseCarry(StrictModel, Generic[S]):
    state: S
    requests: list[SeenRequest] = Field(default_factory=list)
