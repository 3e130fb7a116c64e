"""The embedded Temporal UI, read-only: a proxy in front of the dev server's own UI.

The dev server's UI offers Terminate, Reset, Signal and Update on every workflow, and its
frontend has no authorizer. Payload sealing already refuses forged updates and signals, but
a reset or a termination needs no payload. So the embedded stack runs the UI on an internal
loopback port and serves it through this proxy, which passes only reads (GET, HEAD) and tells
the UI that write actions are disabled (`DisableWriteActions` in its settings), so it shows no
such buttons. A production cluster restricts writes with its authorizer instead
(docs/security.md).

    python -m devstack.ui_proxy UPSTREAM_URL HOST PORT
"""

from __future__ import annotations

import json
import sys

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

READS = frozenset({"GET", "HEAD"})
SETTINGS_PATH = "/api/v1/settings"
# Hop-by-hop headers, and the length that changes when the settings are rewritten.
_DROPPED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
)


def build_app(upstream: str, client: httpx.AsyncClient | None = None) -> Starlette:
    http = client or httpx.AsyncClient(base_url=upstream, timeout=30.0, trust_env=False)

    async def proxy(request: Request) -> Response:
        if request.method not in READS:
            return JSONResponse(
                {
                    "error": {
                        "code": "read_only",
                        "message": "the embedded Temporal UI is read-only: cases change only "
                        "through the API",
                        "details": [],
                    }
                },
                status_code=403,
            )
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in _DROPPED and k.lower() != "host"
        }
        upstream_request = http.build_request(
            request.method, request.url.path, params=request.query_params, headers=headers
        )
        answer = await http.send(upstream_request, stream=True)
        out_headers = {k: v for k, v in answer.headers.items() if k.lower() not in _DROPPED}
        if request.url.path == SETTINGS_PATH and answer.status_code == 200:
            body = await answer.aread()
            await answer.aclose()
            return Response(_read_only(body), answer.status_code, out_headers)
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            headers=out_headers,
            background=BackgroundTask(answer.aclose),
        )

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", proxy, methods=methods)])


def _read_only(body: bytes) -> bytes:
    try:
        settings = json.loads(body)
    except ValueError:
        return body
    if isinstance(settings, dict):
        settings["DisableWriteActions"] = True
        return json.dumps(settings).encode()
    return body


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    upstream, host, port = argv
    uvicorn.run(build_app(upstream), host=host, port=int(port), log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
