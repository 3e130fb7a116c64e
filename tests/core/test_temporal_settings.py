"""Settings → Client.connect arguments for a cluster with mTLS or Temporal Cloud; no network."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from core.settings import Settings
from core.temporal import TemporalSettingsError, connect_arguments, tls_config


def settings(**values: object) -> Settings:
    # Explicit defaults, so TEMPORAL_* variables of the test process cannot leak in.
    base: dict[str, object] = {
        "temporal_tls": False,
        "temporal_tls_client_cert_path": None,
        "temporal_tls_client_key_path": None,
        "temporal_tls_server_ca_cert_path": None,
        "temporal_tls_server_name": None,
        "temporal_api_key": None,
    }
    return Settings(**(base | values))  # type: ignore[arg-type]


@pytest.fixture
def pem(tmp_path: Path) -> dict[str, Path]:
    files = {
        "cert": tmp_path / "client.pem",
        "key": tmp_path / "client.key",
        "ca": tmp_path / "ca.pem",
    }
    for name, path in files.items():
        path.write_bytes(f"-----BEGIN {name.upper()}-----\n".encode())
    return files


def test_embedded_default_is_plaintext_loopback() -> None:
    args = connect_arguments(settings())
    assert args == {
        "target_host": "127.0.0.1:7233",
        "namespace": "default",
        "tls": False,
        "api_key": None,
    }


def test_mtls_reads_certificate_key_ca_and_server_name(pem: dict[str, Path]) -> None:
    args = connect_arguments(
        settings(
            temporal_address="temporal.labour.internal:7233",
            temporal_namespace="labour-prod",
            temporal_tls_client_cert_path=pem["cert"],
            temporal_tls_client_key_path=pem["key"],
            temporal_tls_server_ca_cert_path=pem["ca"],
            temporal_tls_server_name="frontend.temporal.internal",
        )
    )
    tls = args["tls"]
    assert isinstance(tls, TLSConfig)
    assert tls.client_cert == b"-----BEGIN CERT-----\n"
    assert tls.client_private_key == b"-----BEGIN KEY-----\n"
    assert tls.server_root_ca_cert == b"-----BEGIN CA-----\n"
    assert tls.domain == "frontend.temporal.internal"
    assert args["target_host"] == "temporal.labour.internal:7233"
    assert args["namespace"] == "labour-prod"
    assert args["api_key"] is None


def test_mtls_without_ca_trusts_the_system_roots(pem: dict[str, Path]) -> None:
    tls = tls_config(
        settings(temporal_tls_client_cert_path=pem["cert"], temporal_tls_client_key_path=pem["key"])
    )
    assert isinstance(tls, TLSConfig)
    assert tls.server_root_ca_cert is None and tls.domain is None


def test_cloud_api_key_turns_tls_on_without_client_certificate() -> None:
    args = connect_arguments(
        settings(
            temporal_address="ap-northeast-1.aws.api.temporal.io:7233",
            temporal_namespace="labour.a1b2c",
            temporal_api_key="secret-api-key",
        )
    )
    assert args["api_key"] == "secret-api-key"
    tls = args["tls"]
    assert isinstance(tls, TLSConfig)
    assert tls.client_cert is None and tls.client_private_key is None


def test_api_key_is_kept_out_of_settings_repr() -> None:
    assert "secret-api-key" not in repr(settings(temporal_api_key="secret-api-key"))


def test_plain_tls_flag() -> None:
    tls = tls_config(settings(temporal_tls=True))
    assert isinstance(tls, TLSConfig) and tls.client_cert is None


def test_certificate_without_key_is_refused(pem: dict[str, Path]) -> None:
    with pytest.raises(TemporalSettingsError, match="both TEMPORAL_TLS_CLIENT_CERT_PATH"):
        tls_config(settings(temporal_tls_client_cert_path=pem["cert"]))


def test_unreadable_certificate_names_the_setting(tmp_path: Path, pem: dict[str, Path]) -> None:
    with pytest.raises(TemporalSettingsError, match="TEMPORAL_TLS_CLIENT_CERT_PATH .*missing"):
        tls_config(
            settings(
                temporal_tls_client_cert_path=tmp_path / "missing.pem",
                temporal_tls_client_key_path=pem["key"],
            )
        )


def test_environment_names_match_the_temporal_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    # One environment configures both `temporal` (the CLI) and our processes.
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_NAME", "frontend.example")
    monkeypatch.setenv("TEMPORAL_API_KEY", "from-env")
    loaded = Settings()
    assert loaded.temporal_tls_server_name == "frontend.example"
    assert loaded.temporal_api_key is not None
    assert loaded.temporal_api_key.get_secret_value() == "from-env"
