"""One JSON error shape for every failure: {"error": {"code", "message", "message_zh",
"details"}}. `message_zh` is the Chinese the pages show: the refusal's own sentence where the
domain's message has one (api/refusal_messages.py), else the code's sentence (`refused_<code>`
in api/static/i18n.json), else null. Each detail of a 422 carries its field's `loc`,
pydantic's `msg` and `type`, and `msg_zh` (api/field_messages.py)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import RPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from api import field_messages, refusal_messages

log = structlog.get_logger("api")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers


LABELS = Path(__file__).resolve().parent / "static" / "i18n.json"
_PREFIX = "refused_"


@cache
def chinese_messages() -> dict[str, str]:
    """Each error code's Chinese sentence, from the pages' own labels."""
    labels: dict[str, str] = json.loads(LABELS.read_text("utf-8"))["zh"]
    return {
        key.removeprefix(_PREFIX): text
        for key, text in labels.items()
        if key.startswith(_PREFIX) and not key.removeprefix(_PREFIX).isdigit()
    }


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "message_zh": refusal_messages.chinese(message) or chinese_messages().get(code),
            "details": [
                {**d, "msg_zh": d.get("msg_zh") or field_messages.chinese(d)} for d in details or []
            ],
        }
    }


def validation_details(errors: list[Any]) -> list[dict[str, Any]]:
    # The submitted values are left out: they may be ID or phone numbers.
    return [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "msg": err.get("msg", ""),
            # Computed here, while pydantic's `ctx` (the limits) is still at hand.
            "msg_zh": field_messages.chinese(err),
            "type": err.get("type", ""),
        }
        for err in errors
    ]


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details),
        status_code=exc.status,
        headers=exc.headers,
    )


async def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    return JSONResponse(
        error_body(
            "invalid_input", "the request is malformed", validation_details(list(exc.errors()))
        ),
        status_code=422,
    )


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)


async def _pool_timeout(_: Request, exc: Exception) -> JSONResponse:
    # Every pooled connection was busy for DB_POOL_TIMEOUT seconds: the database is the
    # bottleneck right now, so say so at once and let the client retry, rather than a 500.
    log.warning("database pool exhausted", error_type=type(exc).__name__)
    return JSONResponse(
        error_body("database_busy", "the read model is overloaded; retry shortly"),
        status_code=503,
        headers={"Retry-After": "1"},
    )


# Seconds a client should wait before retrying when a dependency is down.
RETRY_AFTER_SECONDS = 5
# Temporal's answers that mean "not reachable now", as opposed to a refusal.
_TEMPORAL_DOWN = frozenset({RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED})


def _unavailable(code: str, message: str) -> JSONResponse:
    return JSONResponse(
        error_body(code, message),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _database_down(exc: DBAPIError) -> bool:
    # OperationalError: refused or dropped connections, a server shutting down, SQLite's
    # "database is locked"; connection_invalidated: the driver saw the connection die.
    return isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if not _database_down(exc):
        return await _unexpected(request, exc)
    # The driver's message may quote SQL parameters (a token prefix, a name): type only.
    log.warning("database unavailable", error_type=type(exc.orig).__name__)
    return _unavailable("database_unavailable", "the read model is unavailable; retry shortly")


async def _temporal_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RPCError)
    if exc.status not in _TEMPORAL_DOWN:
        return await _unexpected(request, exc)
    log.warning("temporal unavailable", rpc_status=exc.status.name)
    return _unavailable("temporal_unavailable", "the case engine did not answer; retry shortly")


async def _temporal_timeout(_: Request, exc: Exception) -> JSONResponse:
    # The SDK gave up waiting for Temporal's answer (an overloaded server: an update not
    # accepted within its RPC timeout). What was asked may still happen; every create and
    # action is idempotent, so the client retries with the same key.
    log.warning("temporal did not answer in time", error_type=type(exc).__name__)
    return _unavailable("temporal_unavailable", "the case engine did not answer; retry shortly")


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", error_type=type(exc).__name__)
    return JSONResponse(error_body("internal_error", "internal error"), status_code=500)


class ErrorInfo(BaseModel):
    code: str
    message: str
    message_zh: str | None = None
    details: list[dict[str, Any]]


class ErrorBody(BaseModel):
    """The one error shape, as the OpenAPI document shows it."""

    error: ErrorInfo


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# Every operation's error answers, so clients (and the schema fuzzing in CI) see the shape
# actually sent; "default" also keeps FastAPI from documenting its own 422 shape instead.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: _documented("the body is larger than the limit"),
    415: _documented("the body is not JSON"),
    422: _documented("malformed input: invalid JSON or text, or fields wrong or unknown"),
    "default": _documented("any other error: 401, 403, 404, 409, 503, ..."),
}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(PoolTimeoutError, _pool_timeout)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(RPCError, _temporal_error)
    app.add_exception_handler(RPCTimeoutOrCancelledError, _temporal_timeout)
    app.add_exception_handler(Exception, _unexpected)
