"""The one-off `register-search-attributes` command against a real server."""

from __future__ import annotations

import sys

import pytest

from core.temporal import main
from tests.e2e.conftest import Stack, run_outside

pytestmark = pytest.mark.e2e


async def run_command(stack: Stack, **env: str) -> tuple[int, str, str]:
    return await run_outside(
        sys.executable,
        "-m",
        "core.temporal",
        "register-search-attributes",
        TEMPORAL_ADDRESS=stack.settings.temporal_address,
        TEMPORAL_NAMESPACE=stack.settings.temporal_namespace,
        # Registering sends no payloads: it needs no payload key.
        PAYLOAD_KEYS="",
        **env,
    )


async def test_registering_again_is_harmless(stack: Stack) -> None:
    code, out, err = await run_command(stack)
    assert code == 0, err
    # The server may take a moment to list what it registered at start; either way, all are.
    assert "already registered" in out or "registered on" in out


async def test_bad_tls_settings_are_a_clear_error(stack: Stack) -> None:
    code, _, err = await run_command(stack, TEMPORAL_TLS_CLIENT_CERT_PATH="/nonexistent.pem")
    assert code == 1
    assert "TEMPORAL_TLS_CLIENT_KEY_PATH" in err


def test_unknown_arguments_are_refused() -> None:
    assert main(["register", "now"]) == 2
