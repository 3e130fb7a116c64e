"""The codec endpoint: supervisors and admins read decrypted payloads in the Temporal UI.

Temporal's remote codec protocol: `POST /codec/decode` takes and answers
`{"payloads": [{"metadata": {key: base64}, "data": base64}]}` (proto3 JSON of Payloads),
with the namespace in `X-Namespace`. The UI calls it from the browser, so its origin gets
CORS here (and only here); the CLI calls it with `--codec-endpoint` and
`--codec-auth "Bearer <token>"`.

The Temporal UI cannot send our bearer tokens, only cookies ("include cross-origin
credentials"): `POST /codec/session`, called with a token, opens a codec session of its own
(store/codec_sessions.py) and puts its random id in an HttpOnly cookie scoped to `/codec`,
which the UI's requests then carry. The id is no token: it reads this codec and nothing
else, for CODEC_SESSION_HOURS, until `DELETE /codec/session` or until the token it was
opened with is revoked.

A payload is decoded only for a caller bound to one of its case's counties: the codec seals
the case id (the workflow id) into each payload's metadata (`case-id`, authenticated with
the ciphertext), and a batch with any payload of another county's case, or of no case, is
refused whole (403), as the API hides such cases (api/access.py).

There is no `/codec/encode`: a payload sealed with the API's key is believed by the workflows
as if the API had sent it, so nothing but the API's own routes seals one (the embedded UI is
read-only and needs no encoding).

Who decoded what is logged (user, namespace, how many payloads), never the payloads.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, FastAPI, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload

from api.access import find_case, sees_case
from api.auth import Principal, bearer, get_current_user, unauthenticated
from api.deps import CurrentUser, EngineDep, SettingsDep, TemporalClientDep
from api.errors import ApiError
from core.codec import CASE_ID_METADATA, ENCODING, EncryptionCodec, PayloadDecryptionError
from core.settings import Settings
from domain.common import Role
from store.codec_sessions import close_session, open_session, session_user

PREFIX = "/codec"
# Decoding shows names, ID numbers and phones in full: the roles that audit cases.
DECODERS = frozenset({Role.supervisor, Role.admin})
SESSION_COOKIE = "lce_codec"

log = structlog.get_logger("api.codec")
router = APIRouter(prefix=PREFIX, tags=["codec"])


class CodecPayload(BaseModel):
    # Unknown fields of newer Payload messages are ignored, as proto3 JSON readers do.
    model_config = ConfigDict(extra="ignore")

    metadata: dict[str, str] = Field(default_factory=dict, description="values in base64")
    data: str = Field(default="", description="base64")


class CodecPayloads(BaseModel):
    payloads: list[CodecPayload]


def _require_decoder(user: Principal) -> Principal:
    if user.role not in DECODERS:
        raise ApiError(403, "forbidden", "reading payloads is for the roles: admin, supervisor")
    return user


async def _operator(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    # The bearer header wins; the session cookie is how the Temporal UI's requests come.
    session_id = request.cookies.get(SESSION_COOKIE)
    if credentials is not None or not session_id:
        return _require_decoder(await get_current_user(request, credentials))
    user = await run_in_threadpool(session_user, request.app.state.engine, session_id)
    if user is None:
        raise unauthenticated(
            "the codec session is unknown, expired or closed: open one with POST /codec/session"
        )
    principal = Principal.of(user)
    structlog.contextvars.bind_contextvars(user_id=principal.user_id, role=principal.role.value)
    return _require_decoder(principal)


def _bearer_operator(user: CurrentUser) -> Principal:
    return _require_decoder(user)


Operator = Annotated[Principal, Depends(_operator)]
BearerOperator = Annotated[Principal, Depends(_bearer_operator)]


def _b64(text: str, where: str) -> bytes:
    # proto3 JSON writers use standard base64; readers also take the URL-safe alphabet and
    # missing padding.
    normalised = text.strip().replace("-", "+").replace("_", "/")
    normalised += "=" * (-len(normalised) % 4)
    try:
        return base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(
            422,
            "invalid_input",
            "payload fields must be base64",
            [{"loc": where.split("."), "msg": "not base64", "type": "base64"}],
        ) from None


def _to_payloads(body: CodecPayloads) -> list[Payload]:
    return [
        Payload(
            metadata={
                key: _b64(value, f"body.payloads.{i}.metadata.{key}")
                for key, value in item.metadata.items()
            },
            data=_b64(item.data, f"body.payloads.{i}.data"),
        )
        for i, item in enumerate(body.payloads)
    ]


def _to_body(payloads: list[Payload]) -> CodecPayloads:
    return CodecPayloads(
        payloads=[
            CodecPayload(
                metadata={k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                data=base64.b64encode(p.data).decode(),
            )
            for p in payloads
        ]
    )


def _refused(index: int, message: str) -> ApiError:
    # The case id is left out: the caller learns nothing of a case they may not see.
    return ApiError(
        403,
        "payload_not_yours",
        f"payload {index}: {message}; nothing was decoded",
        [{"loc": ["body", "payloads", str(index)], "msg": message, "type": "case_scope"}],
    )


async def _check_cases(request: Request, user: Principal, payloads: list[Payload]) -> None:
    """Every payload belongs to a case the caller sees (one of their counties), or 403."""
    seen: dict[str, bool] = {}
    for index, payload in enumerate(payloads):
        if not sealed(payload):
            continue
        case_id = payload.metadata.get(CASE_ID_METADATA, b"").decode("utf-8", errors="replace")
        if not case_id:
            raise _refused(index, "it names no case, so it cannot be checked against your counties")
        if case_id not in seen:
            found = await find_case(request, case_id)
            seen[case_id] = found is not None and sees_case(user, found)
        if not seen[case_id]:
            raise _refused(index, "its case is not in your counties")


def sealed(payload: Payload) -> bool:
    return payload.metadata.get("encoding") == ENCODING


def _codec(client: TemporalClientDep) -> EncryptionCodec:
    # The very codec the API's own client uses: the same keys, from the same settings.
    codec = client.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec)
    return codec


def _check_namespace(settings: Settings, namespace: str | None) -> str:
    if namespace is not None and namespace != settings.temporal_namespace:
        raise ApiError(
            403,
            "namespace_not_served",
            f"this codec serves namespace {settings.temporal_namespace!r} only",
        )
    return settings.temporal_namespace


NamespaceHeader = Annotated[str | None, Header(alias="X-Namespace")]
CodecDep = Annotated[EncryptionCodec, Depends(_codec)]


@router.post("/decode", response_model=CodecPayloads)
async def decode_payloads(
    request: Request,
    body: CodecPayloads,
    user: Operator,
    codec: CodecDep,
    settings: SettingsDep,
    x_namespace: NamespaceHeader = None,
) -> CodecPayloads:
    """Decrypts payloads for the Temporal UI or CLI (supervisors and admins), each only if
    its case (`case-id` in its metadata) is in one of the caller's counties: otherwise, or
    for a payload naming no case, 403 and nothing is decoded."""
    namespace = _check_namespace(settings, x_namespace)
    payloads = _to_payloads(body)
    await _check_cases(request, user, payloads)
    try:
        # What was never sealed (search attributes, which hold no personal data) is shown as
        # it is; everything else is decrypted or refused.
        decoded = [codec.decrypt(p) if sealed(p) else p for p in payloads]
    except PayloadDecryptionError as err:
        raise ApiError(422, "payload_not_decryptable", str(err)) from None
    log.info("payloads decoded", namespace=namespace, count=len(decoded), user_id=user.user_id)
    return _to_body(decoded)


@router.post("/session", status_code=204)
async def open_codec_session(
    request: Request,
    user: BearerOperator,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    engine: EngineDep,
    settings: SettingsDep,
) -> Response:
    """Sets the codec cookie for the Temporal UI in this browser (supervisors and admins):
    call it with your bearer token, e.g. from this page's "Authorize" and "Try it out",
    then tick "include cross-origin credentials" in the UI's codec settings. The cookie
    holds a session of its own, for the codec endpoint only, for CODEC_SESSION_HOURS."""
    assert credentials is not None
    lifetime = timedelta(hours=settings.codec_session_hours)
    opened = await run_in_threadpool(open_session, engine, credentials.credentials, lifetime)
    if opened is None:  # revoked between the two lookups
        raise unauthenticated("the token is malformed, unknown or revoked")
    session_id, _ = opened
    response = Response(status_code=204)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(lifetime.total_seconds()),
        path=PREFIX,
        httponly=True,
        # Sent by a UI on the same site as the API (another port or sub-domain), no other.
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    log.info("codec session opened", user_id=user.user_id)
    return response


@router.delete("/session", status_code=204)
async def close_codec_session(request: Request, engine: EngineDep) -> Response:
    """Ends this browser's codec session and removes its cookie."""
    if session_id := request.cookies.get(SESSION_COOKIE):
        await run_in_threadpool(close_session, engine, session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX, httponly=True, samesite="strict")
    return response


def allowed_origins(settings: Settings) -> list[str]:
    configured = [o.strip() for o in settings.codec_cors_origins.split(",") if o.strip()]
    if configured:
        return configured
    port = settings.temporal_ui_port
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


class _CodecCors:
    """CORS for the codec paths only: the UI's origin gets no say over the rest of the API."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Namespace"],
            # The UI's "include cross-origin credentials" option.
            allow_credentials=True,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        target = self.cors if path.startswith(f"{PREFIX}/") else self.app
        await target(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    """Routes plus their CORS; added last, so a preflight is answered before anything else."""
    app.include_router(router)
    app.add_middleware(_CodecCors, origins=allowed_origins(settings))
