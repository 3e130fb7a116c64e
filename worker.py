"""The worker process: builds clients and activity objects, registers everything, runs."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from concurrent.futures import ThreadPoolExecutor

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from activities.calendar import CalendarActivities
from activities.delivery import DeliveryActivities
from activities.delivery_start import DeliveryStarter
from activities.read_model import ReadModelActivities
from core.logging import configure_logging
from core.settings import Settings, get_settings
from core.temporal import connect
from store.db import create_schema, engine_for
from workflows.delivery import DeliveryWorkflow
from workflows.dispute import DisputeWorkflow
from workflows.insurance_transfer import InsuranceTransferWorkflow
from workflows.wage_arrears import WageArrearsWorkflow

WORKFLOWS = [WageArrearsWorkflow, DisputeWorkflow, InsuranceTransferWorkflow, DeliveryWorkflow]

log = structlog.get_logger("worker")


def build_worker(client: Client, settings: Settings, task_queue: str | None = None) -> Worker:
    engine = engine_for(settings)
    create_schema(engine)
    queue = task_queue or settings.task_queue
    # Built inside the running loop: the outbox activity's thread starts deliveries on it.
    starter = DeliveryStarter(client, queue, asyncio.get_running_loop())
    read_model = ReadModelActivities(engine, deliver=starter)
    calendar = CalendarActivities(engine)
    delivery = DeliveryActivities(engine, settings, client)
    return Worker(
        client,
        task_queue=queue,
        workflows=WORKFLOWS,
        activities=[
            read_model.load_region_settings,
            read_model.sync_case,
            read_model.write_notifications,
            read_model.allocate_case_id,
            calendar.compute_due,
            calendar.campaign_dues,
            delivery.plan_delivery,
            delivery.send_email,
            delivery.send_webhook,
            delivery.send_sms,
            delivery.record_gave_up,
        ],
        # The SQL and calendar activities are blocking; they run on threads.
        activity_executor=ThreadPoolExecutor(max_workers=16),
    )


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    client = await connect(settings)
    worker = build_worker(client, settings)
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
