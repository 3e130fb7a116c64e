# The API's Temporal-facing pieces run against the same worker and time-skipping server as
# the workflow tests.
from tests.workflows.conftest import harness  # noqa: F401
