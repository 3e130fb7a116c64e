"""One settings class for every process, read from the environment (and `.env`).

The defaults describe the embedded stack: a Temporal dev server on loopback,
persisted under `./var/`, and a SQLite read model beside it. Production points
`TEMPORAL_ADDRESS` and `DATABASE_URL` elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    temporal_address: str = Field(
        default="127.0.0.1:7233", description="host:port of the Temporal frontend"
    )
    temporal_namespace: str = "default"
    task_queue: str = "labour-cases"
    # A cluster behind TLS or Temporal Cloud. The names match the `temporal` CLI's own
    # environment variables, so one environment serves the CLI and our processes.
    temporal_tls: bool = Field(
        default=False, description="TLS without a client certificate (implied by the others)"
    )
    temporal_tls_client_cert_path: Path | None = Field(
        default=None, description="mTLS client certificate (PEM)"
    )
    temporal_tls_client_key_path: Path | None = Field(
        default=None, description="mTLS client private key (PEM)"
    )
    temporal_tls_server_ca_cert_path: Path | None = Field(
        default=None, description="CA of the server's certificate, if not a public one"
    )
    temporal_tls_server_name: str | None = Field(
        default=None, description="name to verify the server's certificate against"
    )
    temporal_api_key: SecretStr | None = Field(default=None, description="Temporal Cloud API key")

    # Payload encryption (core/codec.py): `id:base64key` entries, comma-separated, the first
    # encrypts and every one decrypts; or a file of them, one a line. No key, no start.
    payload_keys: SecretStr | None = None
    payload_key_file: Path | None = None

    database_url: str = Field(
        default="sqlite:///var/cases.db", description="SQLAlchemy URL of the read model"
    )
    # The SQL pool of each process: the API's threadpool runs up to 40 sync routes and the
    # worker 16 activities at once. A request that waits longer than the timeout for a
    # connection is answered 503 (database_busy) instead of queueing behind the others.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)

    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Worker Versioning (docs/production-scale.md): the deployment this worker belongs to and
    # its build; both set, the worker polls as that version and case workflows auto-upgrade
    # to the deployment's current version. Empty (the embedded stack, tests): unversioned.
    worker_deployment_name: str = ""
    worker_build_id: str = ""
    # API processes on one listening socket (uvicorn's workers, with TCP_NODELAY: api/serve.py).
    api_workers: int = Field(default=1, ge=1, le=64)
    # Web origins (comma-separated) of the Temporal UI that may call the codec endpoint;
    # empty: the embedded stack's UI on loopback.
    codec_cors_origins: str = ""
    # How long a codec session (the Temporal UI's cookie, POST /codec/session) lives.
    codec_session_hours: float = Field(default=8.0, gt=0, le=24 * 7)
    # Requests each bearer token, and each client address, may make (`limits` notation:
    # "600/minute", "20/second;600/minute"); /health is never limited.
    rate_limit_per_token: str = "1200/minute"
    rate_limit_per_address: str = "3000/minute"
    # Where the counters live: each process's memory, or a storage shared by all API
    # processes (`redis://host:6379`, with the `redis` package installed).
    rate_limit_storage: str = "memory://"

    # Reaching people (docs/pages-and-notifications.md). `maildrop` writes what would be sent to
    # files under `var/maildrop/` (`manage.py maildrop` shows them): no outside service.
    notify_email: Literal["maildrop", "smtp", "off"] = "maildrop"
    maildrop_dir: Path | None = Field(default=None, description="default: VAR_DIR/maildrop")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    # starttls: upgrade a plain connection (port 587); tls: TLS from the start (port 465).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "notifications@labour-cases.invalid"
    smtp_timeout: float = Field(default=20.0, gt=0)
    # SMS to workers: maildrop, aliyun (Alibaba Cloud SMS), tencent (Tencent Cloud SMS),
    # http (a plain HTTP gateway, HMAC-signed), off.
    sms_provider: Literal["maildrop", "aliyun", "tencent", "http", "off"] = "maildrop"
    # The provider's endpoint (empty: its public one) or the gateway's URL.
    sms_endpoint: str = ""
    # Alibaba Cloud AccessKey id / Tencent Cloud SecretId; secret: AccessKey secret / SecretKey
    # / the gateway's HMAC key.
    sms_key_id: str = ""
    sms_key_secret: SecretStr | None = None
    # Tencent Cloud's SmsSdkAppId and region.
    sms_app_id: str = ""
    sms_region: str = "ap-guangzhou"
    # The approved signature and template: the template takes the case number and the text.
    sms_sign_name: str = ""
    sms_template_id: str = ""
    notify_http_timeout: float = Field(default=10.0, gt=0)

    # The worker's window (docs/worker-window.md): the address workers are texted, and the
    # phone the pages give them.
    public_url: str = "http://127.0.0.1:8000"
    public_agency_phone: str = "12333"
    # Requests for a one-time code and complaints, per client address, per mobile and per
    # case number (`limits` notation), counted in RATE_LIMIT_STORAGE.
    public_limit_per_address: str = "30/hour"
    public_limit_per_mobile: str = "5/hour"
    public_limit_per_case: str = "10/hour"

    # Case files (docs/api.md, "Case files"): stored content-addressed by SHA-256, on the local
    # filesystem (default: VAR_DIR/files) or in an S3-compatible object store.
    file_store: Literal["local", "s3"] = "local"
    files_dir: Path | None = Field(default=None, description="default: VAR_DIR/files")
    max_file_bytes: int = Field(default=10 * 1024 * 1024, gt=0, description="per file")
    s3_bucket: str = ""
    # Empty: AWS's own endpoint for the region; else the store's URL (MinIO, OSS, COS, ...).
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    # Empty: boto3's own credential chain (environment, instance role, ...).
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr | None = None
    s3_prefix: str = "case-files/"

    # Embedded stack only.
    var_dir: Path = Path("var")
    temporal_ui_port: int = 8233

    @field_validator(
        "rate_limit_per_token",
        "rate_limit_per_address",
        "public_limit_per_address",
        "public_limit_per_mobile",
        "public_limit_per_case",
    )
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        # A typo stops the process at start, with the variable named, not at the first request.
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                "a rate limit is N/second, N/minute, N/hour or N/day, several joined by ';'"
            ) from None
        return value

    @property
    def maildrop(self) -> Path:
        return self.maildrop_dir or self.var_dir / "maildrop"

    @property
    def files_root(self) -> Path:
        return self.files_dir or self.var_dir / "files"


@lru_cache
def get_settings() -> Settings:
    return Settings()
