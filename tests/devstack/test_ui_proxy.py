"""The embedded Temporal UI is read-only: reads pass, every write is refused before it
reaches the dev server, and the UI is told to hide its write actions."""

from __future__ import annotations

import json

import httpx
import pytest

from devstack.ui_proxy import build_app

UPSTREAM = "http://ui.internal"


def upstream() -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v1/settings":
            return httpx.Response(200, json={"DisableWriteActions": False, "Codec": {}})
        # Streamed, as an answer over the network is.
        return httpx.Response(200, stream=httpx.ByteStream(f"page {request.url.path}".encode()))

    return httpx.AsyncClient(base_url=UPSTREAM, transport=httpx.MockTransport(answer)), seen


async def proxied() -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    client, seen = upstream()
    app = build_app(UPSTREAM, client)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ui"), seen


async def test_reads_pass_through() -> None:
    ui, seen = await proxied()
    answer = await ui.get("/namespaces/default/workflows", params={"query": "CaseKind='x'"})
    assert answer.status_code == 200 and answer.text == "page /namespaces/default/workflows"
    assert seen[0].url.params["query"] == "CaseKind='x'"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/namespaces/default/workflows/WA-2026-000001/terminate",
        "/api/v1/namespaces/default/workflows/WA-2026-000001/reset",
        "/api/v1/namespaces/default/workflows/WA-2026-000001/signal/dispute_outcome",
        "/api/v1/namespaces/default/workflows/WA-2026-000001/update/close",
    ],
)
async def test_writes_are_refused_and_never_reach_the_server(path: str) -> None:
    ui, seen = await proxied()
    answer = await ui.post(path, json={"reason": "from the UI"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "read_only"
    assert seen == []


async def test_the_ui_is_told_to_hide_its_write_actions() -> None:
    ui, _ = await proxied()
    settings = json.loads((await ui.get("/api/v1/settings")).content)
    assert settings["DisableWriteActions"] is True and "Codec" in settings
