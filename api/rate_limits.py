"""Rate limits per bearer token and per client address, before anything else runs.

Each request counts against its address (RATE_LIMIT_PER_ADDRESS) and, when it carries a
bearer token or a codec session, against that credential (RATE_LIMIT_PER_TOKEN), so neither
one client nor one leaked token can flood the API or the token lookups behind it. Over a
limit: 429 `rate_limited` with Retry-After, in the API's error shape. `/health` is never
limited, so probes keep telling a busy API from a dead one.

The windows and their counters are the `limits` library's (sliding window counters). The
counters live in RATE_LIMIT_STORAGE: in each process's memory by default, so each API
process counts on its own; a shared storage (`redis://...`) counts across processes.
Credentials are counted by their hash, never kept as they are.
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_body
from core.settings import Settings

EXEMPT_PATHS = frozenset({"/health"})
SESSION_COOKIE = "lce_codec"


def _credential(headers: Headers) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    secret = token.strip() if scheme.lower() == "bearer" else ""
    if not secret:
        secret = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE, "")
    if not secret:
        return None
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


class RateLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limiter = SlidingWindowCounterRateLimiter(
            storage_from_string(settings.rate_limit_storage)
        )
        self.per_address = parse_many(settings.rate_limit_per_address)
        self.per_token = parse_many(settings.rate_limit_per_token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        over = self._over("address", address, self.per_address, "this address")
        credential = _credential(Headers(scope=scope))
        if over is None and credential is not None:
            over = self._over("token", credential, self.per_token, "this token")
        if over is None:
            await self.app(scope, receive, send)
            return
        await over(scope, receive, send)

    def _over(
        self, kind: str, key: str, limits: list[RateLimitItem], whose: str
    ) -> JSONResponse | None:
        for limit in limits:
            if self.limiter.hit(limit, kind, key):
                continue
            reset_at = self.limiter.get_window_stats(limit, kind, key).reset_time
            retry = max(1, math.ceil(reset_at - time.time()))
            return JSONResponse(
                error_body(
                    "rate_limited",
                    f"too many requests from {whose} (at most {limit}); retry in {retry} s",
                ),
                status_code=429,
                headers={"Retry-After": str(retry)},
            )
        return None
