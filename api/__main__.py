"""Runs the API with uvicorn, logging through the project's pipeline from the first line:
`API_WORKERS` processes on one listening socket (api/serve.py)."""

from __future__ import annotations

from api.serve import serve
from core.logging import configure_logging
from core.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    serve(settings.api_host, settings.api_port, settings.api_workers)


if __name__ == "__main__":
    main()
