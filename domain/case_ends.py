"""A case whose workflow ended without the case being closed: an operator terminated or
cancelled it, it failed, or it ran past a timeout. Such a case is not open, whatever its last
state said: nobody can act on it and none of its clocks will fire again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from domain.common import StrictModel


class AbnormalEnd(StrEnum):
    """The read model's status of such a case, named after Temporal's execution status."""

    terminated = "terminated"
    failed = "failed"
    timed_out = "timed_out"
    canceled = "canceled"

    @classmethod
    def of(cls, execution_status: str | None) -> AbnormalEnd | None:
        """The end that a Temporal execution status (its enum name: TERMINATED, TIMED_OUT...)
        is, None for a running, completed or continued-as-new run."""
        try:
            return cls((execution_status or "").lower())
        except ValueError:
            return None


ABNORMAL_ENDS: frozenset[str] = frozenset(end.value for end in AbnormalEnd)


@dataclass(frozen=True)
class CaseEnded:
    """How and when a case's workflow ended abnormally."""

    end: AbnormalEnd
    at: datetime | None


class ReconcileEndedCases(StrictModel):
    """Marks the cases whose workflow ended abnormally within `lookback` of now.

    The window is much longer than the schedule's interval: runs that a stopped worker
    missed, and visibility that lags behind, are caught by the next run; marking is
    idempotent, so seeing a case again changes nothing.
    """

    lookback: timedelta = Field(default=timedelta(hours=24), gt=timedelta(0))


class EndedCasesReconciled(StrictModel):
    # Case ids only: never personal data.
    listed: int = 0
    marked: list[str] = Field(default_factory=list)
