"""The FastAPI application: `uvicorn --factory api.main:create_app`."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from api import openapi_doc
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.limits import RequestLimits
from api.rate_limits import RateLimits
from api.routers import (
    actions,
    admin_regions,
    admin_users,
    approvers,
    cases,
    contacts,
    deliveries,
    files,
    mobile_changes,
    notices,
    notifications,
    pages,
    projects,
    public,
    sla,
    stats,
)
from api.routers import calendar as calendar_routes
from api.routers import codec as codec_routes
from api.security_headers import SecurityHeaders
from core.logging import configure_logging
from core.settings import Settings, get_settings
from core.temporal import connect
from store.db import create_schema, engine_for
from store.files import file_store

log = structlog.get_logger("api")
_CASE_PATH = re.compile(r"^/api/v1/(?:cases|projects)/([A-Z]{2}-\d{4}-\d{6})(?:/|$)")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_format, settings.log_level)
        engine = engine_for(settings)
        create_schema(engine)
        app.state.settings = settings
        app.state.engine = engine
        app.state.files = file_store(settings)
        app.state.temporal = await connect(settings)
        log.info(
            "api started", temporal=settings.temporal_address, namespace=settings.temporal_namespace
        )
        yield
        engine.dispose()

    # FastAPI itself, with /docs and /redoc served from the package's own copies of
    # swagger-ui and ReDoc instead of a CDN (an offline bureau network still has them).
    app = FastAPIOffline(
        title="Labour-rights case engine",
        version="0.1.0",
        description="Wage-arrears cases on durable Temporal workflows.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        generate_unique_id_function=openapi_doc.operation_id,
    )
    openapi_doc.install(app)
    install_error_handlers(app)
    # Added before the request log, so the log (outer) records the bodies it refuses too.
    app.add_middleware(RequestLimits, max_file_bytes=settings.max_file_bytes)
    # Outside the body checks and every route, inside the request log: a flood is refused
    # before it reaches the token lookup, and its 429s are still logged.
    app.add_middleware(RateLimits, settings=settings)
    app.include_router(cases.router)
    app.include_router(projects.router)
    app.include_router(files.router)
    app.include_router(notices.router)
    app.include_router(actions.router)
    app.include_router(sla.router)
    app.include_router(calendar_routes.router)
    app.include_router(admin_users.router)
    app.include_router(admin_regions.router)
    app.include_router(stats.router)
    app.include_router(notifications.router)
    app.include_router(contacts.router)
    app.include_router(mobile_changes.router)
    app.include_router(deliveries.router)
    app.include_router(approvers.router)
    # The pages for people: shells whose scripts call the JSON API with the user's token.
    app.include_router(pages.router)
    # The worker's window: public pages for a phone, plain forms, no script.
    app.include_router(public.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        structlog.contextvars.clear_contextvars()
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id[:64])
        if match := _CASE_PATH.match(request.url.path):
            structlog.contextvars.bind_contextvars(case_id=match.group(1))
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id[:64]
        # The path holds case ids only, never personal data; the query string is left out.
        log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response

    # On every answer, the rate limiter's and the error handlers' included.
    app.add_middleware(SecurityHeaders)
    # The Temporal UI's codec endpoint, with CORS for the UI's origin (outermost middleware).
    codec_routes.install(app, settings)
    return app
