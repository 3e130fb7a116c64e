"""Runs the API with uvicorn, logging through the project's pipeline from the first line."""

from __future__ import annotations

import uvicorn

from core.logging import configure_logging
from core.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        # uvicorn keeps its hands off logging; the request middleware logs each request with
        # its request id and case id.
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
