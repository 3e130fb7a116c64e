"""Security headers on every answer: the pages may run only their own files.

- `Content-Security-Policy`: scripts, styles, images and API calls from this origin only,
  no inline script or style, no plugins, never inside a frame (`frame-ancestors 'none'`).
  The pages keep every script and style in `api/static/`; their labels travel in a JSON data
  block, which no browser runs. The OpenAPI pages (/docs, /redoc) are FastAPI's own, whose
  inline start-up script needs `'unsafe-inline'`: they get a policy of their own, with their
  assets from this origin too (swagger-ui and ReDoc ship in the fastapi-offline package).
- `X-Frame-Options: DENY` for browsers that predate frame-ancestors.
- `X-Content-Type-Options: nosniff` on everything, JSON included: a JSON answer is never
  run as a script or styled as HTML.
- `Referrer-Policy: same-origin`: a case page's URL (its case id) never leaves the site.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# FastAPI's documentation pages, which need their inline start-up script.
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = (
            DOCS_CONTENT_SECURITY_POLICY
            if scope.get("path") in DOCS_PATHS
            else CONTENT_SECURITY_POLICY
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
