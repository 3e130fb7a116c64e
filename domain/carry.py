"""What a case carries into its next run when it continues as new: its whole state and the
idempotency keys of the actions it applied lately, so a retry still gets its first outcome."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from domain.common import StrictModel

S = TypeVar("S", bound=BaseModel)

# Idempotency keys a case remembers (and carries into its next run): a retry comes within
# minutes, long before this many later actions.
KEPT_REQUESTS = 1000
# A case continues as new past this many events, or when the server suggests it, well below
# Temporal's hard limit (51 200 events) at which it would be terminated. Read by the workflows
# at run time (a constant in production; tests lower it).
MAX_HISTORY_EVENTS = 10_000


class SeenRequest(StrictModel):
    """An action applied under an idempotency key, and what it answered."""

    key: str
    action: str
    fingerprint: str
    result: dict[str, Any]


class CaseCarry(StrictModel, Generic[S]):
    state: S
    requests: list[SeenRequest] = Field(default_factory=list)
