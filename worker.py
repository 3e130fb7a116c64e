"""The worker process: builds clients and activity objects, registers everything, runs."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import structlog
from temporalio.client import Client
from temporalio.common import VersioningBehavior
from temporalio.worker import (
    Interceptor,
    Worker,
    WorkerDeploymentConfig,
    WorkerDeploymentVersion,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.calendar import CalendarActivities
from activities.calendar_sweep import CalendarSweepActivities
from activities.delivery import DeliveryActivities
from activities.delivery_start import DeliveryStarter
from activities.projects import ProjectActivities
from activities.read_model import ReadModelActivities
from activities.reconcile import ReconcileActivities
from core.logging import configure_logging
from core.schedules import ensure_reconcile_schedule
from core.settings import Settings, get_settings
from core.temporal import connect, data_converter
from store.db import create_schema, engine_for
from workflows.calendar_sweep import CalendarSweepWorkflow
from workflows.catalog import CASE_WORKFLOWS
from workflows.delivery import DeliveryWorkflow
from workflows.reconcile import ReconcileWorkflow

# Every case kind's workflow (workflows/catalog.py), then the system's own.
WORKFLOWS: list[type] = [
    *CASE_WORKFLOWS.values(),
    ReconcileWorkflow,
    DeliveryWorkflow,
    CalendarSweepWorkflow,
]

log = structlog.get_logger("worker")

# Our packages that workflow code imports, imported once and shared by every run's sandbox
# instead of executed again for each new run. None holds state a run could change (constants,
# classes fixed when defined, pure functions; a case's state lives on its workflow instance),
# and none reaches the clock, randomness or I/O except through `workflow.*` or an activity.
# The workflow modules are among them: a new run otherwise executes its workflow's module
# again, building the class and its handlers anew, most of the cost of starting a run (what
# they import is passed through already, `imports_passed_through`). The sandbox stays on:
# every other module is still imported per run with its restrictions, and the replay tests
# keep the SDK's default sandbox, which loads each workflow module per run.
PASSED_THROUGH = ("workflows", "domain", "activities", "core.search_attributes")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    )


def worker_client(client: Client, settings: Settings) -> Client:
    """The same connection with the worker's converter: what the API did not seal is refused
    as a typed error when a handler reads it, never decoded (a forged update or signal)."""
    config = client.config()
    config["data_converter"] = data_converter(settings, worker=True)
    return Client(**config)


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """Worker Versioning when the settings name a deployment and a build: every workflow
    auto-upgrades (cases outlive any release; `workflow.patched()` keeps changed code
    replaying), so a case started under one build goes on under the next once that build is
    the deployment's current version (docs/production-scale.md)."""
    if not settings.worker_deployment_name or not settings.worker_build_id:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(
            deployment_name=settings.worker_deployment_name,
            build_id=settings.worker_build_id,
        ),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


def build_worker(
    client: Client,
    settings: Settings,
    task_queue: str | None = None,
    interceptors: Sequence[Interceptor] = (),
) -> Worker:
    engine = engine_for(settings)
    create_schema(engine)
    queue = task_queue or settings.task_queue
    # Built inside the running loop: the outbox activity's thread starts deliveries on it.
    starter = DeliveryStarter(client, queue, asyncio.get_running_loop())
    read_model = ReadModelActivities(engine, deliver=starter)
    calendar = CalendarActivities(engine)
    reconcile = ReconcileActivities(client, engine, queue)
    delivery = DeliveryActivities(engine, settings, client)
    sweep = CalendarSweepActivities(client, engine)
    projects = ProjectActivities(engine)
    return Worker(
        worker_client(client, settings),
        task_queue=queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        activities=[
            read_model.load_region_settings,
            read_model.sync_case,
            read_model.write_notifications,
            read_model.keep_case,
            read_model.keep_notifications,
            read_model.allocate_case_id,
            calendar.compute_due,
            calendar.campaign_dues,
            reconcile.mark_ended_cases,
            delivery.plan_delivery,
            delivery.send_email,
            delivery.send_webhook,
            delivery.send_sms,
            delivery.record_gave_up,
            sweep.stale_batch,
            sweep.recompute_batch,
            projects.sync_project,
        ],
        # The SQL and calendar activities are blocking; they run on threads.
        activity_executor=ThreadPoolExecutor(max_workers=16),
        deployment_config=deployment_config(settings),
        interceptors=interceptors,
    )


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    client = await connect(settings)
    worker = build_worker(client, settings)
    await ensure_reconcile_schedule(client, settings.task_queue)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info(
        "worker started", task_queue=settings.task_queue, namespace=settings.temporal_namespace
    )
    async with worker:
        await stop.wait()
    log.info("worker stopped")


if __name__ == "__main__":
    asyncio.run(main())
    # The worker has drained and stopped; leave without interpreter finalisation, where the
    # SDK's native threads can race the teardown of the Python runtime.
    logging.shutdown()
    os._exit(0)
