"""The one map from a case kind to its workflow class, for the edges that talk to Temporal
(the worker, the API's gateway, the rebuild). Everything else about a kind is in its
registry record (domain/kinds.py)."""

from __future__ import annotations

from workflows.case_base import CaseWorkflow
from workflows.dispute import DisputeWorkflow
from workflows.insurance_transfer import InsuranceTransferWorkflow
from workflows.project_watch import ProjectWatchWorkflow
from workflows.wage_arrears import WageArrearsWorkflow

CASE_WORKFLOWS: dict[str, type[CaseWorkflow]] = {  # type: ignore[type-arg]
    workflow.case_kind.name: workflow
    for workflow in (
        WageArrearsWorkflow,
        DisputeWorkflow,
        InsuranceTransferWorkflow,
        ProjectWatchWorkflow,
    )
}
# Temporal's workflow type name (the class name) -> the kind's name.
KIND_OF_WORKFLOW_TYPE = {workflow.__name__: name for name, workflow in CASE_WORKFLOWS.items()}
