"""What a request body must be before any route sees it: at most 1 MiB of UTF-8 JSON.

Every body the API takes is JSON (intakes, actions, calendar schedules), except a case file's
upload: multipart form data up to the file size limit (`MAX_FILE_BYTES`) and a little more for
the form around it; the route checks the file itself; and the worker's window's plain forms
(`/my/...`, application/x-www-form-urlencoded, at most 64 KiB, checked like a query
string). Checking here, once, gives each kind of bad body its own status and message in the
one error shape, instead of a route's generic 422 or an encoding error deep in a Temporal
payload or a SQL driver:

- larger than the limit: 413 `body_too_large` (from Content-Length when it is sent, else while
  reading, never buffering more than the limit);
- a content type other than JSON: 415 `unsupported_media_type`;
- not UTF-8: 422 `invalid_encoding`; not JSON: 422 `invalid_json`, with where it broke;
- text no store can keep (lone surrogates such as "\\ud800", NUL characters): 422
  `invalid_text`, in the body or in the query string.

Two parameter bounds live here too: `MAX_OFFSET` for list offsets and `Instant` for instants
in query strings; past them a value overflows in the database or in the conversion to UTC.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl

from pydantic import AfterValidator
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body

MAX_BODY_BYTES = 1024 * 1024
# Lists page at most this deep: a larger offset overflows SQLite's (and PostgreSQL's) integers.
MAX_OFFSET = 1_000_000_000
_WITH_BODY = {"POST", "PUT", "PATCH"}
# The form around an uploaded file: its boundaries, headers and the reason field.
FORM_OVERHEAD_BYTES = 64 * 1024
UPLOAD_PATH = re.compile(r"^/api/v1/cases/[^/]+/files$")
# The worker's window posts plain HTML forms (api/routers/public.py).
FORM_PATH = re.compile(r"^/my/")
FORM_MEDIA = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024


def _instant(value: datetime) -> datetime:
    # A naive value is left to the route, which says it needs a time zone.
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant is outside years 1 to 9999 once in UTC") from None


# A query parameter naming an instant: in UTC, or a 422 (year 1 at +23:59 is no instant).
Instant = Annotated[datetime, AfterValidator(_instant)]


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _storable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_text(value: Any, where: str) -> None:
    if isinstance(value, str):
        if not _storable(value):
            raise BadRequest(
                422,
                "invalid_text",
                f"{where} holds text that cannot be stored (a NUL character or an unpaired "
                "surrogate such as \\ud800)",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where)
            _check_text(item, where)
    elif isinstance(value, list):
        for item in value:
            _check_text(item, where)


def check_body(body: bytes, content_type: str | None) -> None:
    """Refuses a body that is not storable UTF-8 JSON; an empty body is left to the route."""
    if not body:
        return
    if content_type is None or not _is_json(content_type):
        raise BadRequest(
            415,
            "unsupported_media_type",
            f"the body must be JSON sent as Content-Type: application/json, not "
            f"{content_type or 'no content type'}",
        )
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadRequest(
            422, "invalid_encoding", f"the body is not valid UTF-8 (byte {err.start})"
        ) from None
    try:
        parsed = json.loads(decoded)
    except json.JSONDecodeError as err:
        raise BadRequest(
            422,
            "invalid_json",
            f"the body is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}",
        ) from None
    except RecursionError:
        raise BadRequest(422, "invalid_json", "the body is nested too deeply") from None
    _check_text(parsed, "the body")


def check_query(query_string: bytes) -> None:
    try:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(422, "invalid_encoding", "the query string is not valid UTF-8") from None
    for key, value in pairs:
        _check_text(key, "the query string")
        _check_text(value, "the query string")


class RequestLimits:
    """Pure ASGI, so the body is read once, bounded, and handed on unchanged."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_file_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_file_bytes + FORM_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_query(scope.get("query_string", b""))
            if scope["method"] not in _WITH_BODY:
                await self.app(scope, receive, send)
                return
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            if UPLOAD_PATH.match(scope["path"]):
                await self._upload(scope, receive, send, headers)
                return
            if FORM_PATH.match(scope["path"]):
                await self._form(scope, receive, send, headers)
                return
            self._check_length(headers.get("content-length"))
            body = await self._read(receive)
            check_body(body, headers.get("content-type"))
        except BadRequest as bad:
            response = JSONResponse(error_body(bad.code, bad.message), status_code=bad.status)
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _upload(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]
    ) -> None:
        """A case file: multipart form data, bounded by the file size limit; an empty body
        is left to the route."""
        self._check_length(headers.get("content-length"), self.max_upload_bytes)
        body = await self._read(receive, self.max_upload_bytes)
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if body and media != "multipart/form-data":
            raise BadRequest(
                415,
                "unsupported_media_type",
                "a file is uploaded as multipart/form-data (a `file` part and a `reason`)",
            )
        await self.app(scope, _replay(body, receive), send)

    async def _form(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]
    ) -> None:
        """A worker's window form: URL-encoded UTF-8, storable text, small."""
        self._check_length(headers.get("content-length"), MAX_FORM_BYTES)
        body = await self._read(receive, MAX_FORM_BYTES)
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if body and media != FORM_MEDIA:
            raise BadRequest(415, "unsupported_media_type", f"a form is sent as {FORM_MEDIA}")
        check_query(body)
        await self.app(scope, _replay(body, receive), send)

    def _too_large(self, limit: int) -> BadRequest:
        return BadRequest(413, "body_too_large", f"the body is larger than {limit} bytes")

    def _check_length(self, declared: str | None, limit: int | None = None) -> None:
        limit = limit or self.max_body_bytes
        if declared is not None and declared.strip().isdigit():
            if int(declared) > limit:
                raise self._too_large(limit)

    async def _read(self, receive: Receive, limit: int | None = None) -> bytes:
        limit = limit or self.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise self._too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # After the body, the app only waits to hear of a disconnect.
        return await receive()

    return replayed
