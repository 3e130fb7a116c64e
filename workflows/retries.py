"""How the workflows retry their activities: each try waits twice as long as the one before,
up to a cap, and an error no retry can mend ends the tries at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from temporalio.common import RetryPolicy

# Bad input stays bad however often it is sent: the activity's business errors.
BUSINESS_ERRORS = ("ValueError", "ValidationError")


def doubling(
    first: timedelta,
    most: timedelta,
    attempts: int = 0,
    never: Sequence[str] | None = BUSINESS_ERRORS,
) -> RetryPolicy:
    """Tries again `first` after a failure, then twice as long each time up to `most`; at
    most `attempts` tries (0: until one succeeds); the errors `never` are not retried."""
    return RetryPolicy(
        initial_interval=first,
        backoff_coefficient=2.0,
        maximum_interval=most,
        maximum_attempts=attempts,
        non_retryable_error_types=list(never) if never is not None else None,
    )
