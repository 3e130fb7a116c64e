"""One settings class for every process, read from the environment (and `.env`).

The defaults describe the embedded stack: a Temporal dev server on loopback,
persisted under `./var/`, and a SQLite read model beside it. Production points
`TEMPORAL_ADDRESS` and `DATABASE_URL` elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    temporal_address: str = Field(
        default="127.0.0.1:7233", description="host:port of the Temporal frontend"
    )
    temporal_namespace: str = "default"
    task_queue: str = "labour-cases"

    database_url: str = Field(
        default="sqlite:///var/cases.db", description="SQLAlchemy URL of the read model"
    )

    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"

    # Admin endpoints (the official calendar) until roles exist: off unless set.
    admin_api_enabled: bool = False

    api_host: str = "127.0.0.1"
    api_port: int = 8000

    # Embedded stack only.
    var_dir: Path = Path("var")
    temporal_ui_port: int = 8233


@lru_cache
def get_settings() -> Settings:
    return Settings()
