"""Every answer carries the security headers; the pages' policy allows no inline script or
style; the login page sends nobody to another origin."""

from __future__ import annotations

import re
import tempfile
from urllib.parse import quote

import httpx
import pytest

from api.main import create_app
from api.routers.pages import safe_next
from api.security_headers import CONTENT_SECURITY_POLICY
from core.settings import Settings
from store.db import make_engine

ESCAPES = [
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example/board",
    "javascript:alert(1)",
    "evil.example",
    "",
]


async def _get(path: str) -> httpx.Response:
    # No page here reads the database; a file that is never opened will do.
    settings = Settings(database_url=f"sqlite:///{tempfile.gettempdir()}/no-read-model.db")
    app = create_app(settings)
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        return await http.get(path)


@pytest.mark.parametrize(
    "path",
    [
        "/board",
        "/login",
        "/dashboard",
        "/static/app.css",
        "/health",
        "/api/v1/cases",
        "/my",
        "/my/complaint",
        "/static/my.css",
    ],
)
async def test_pages_and_api_answers_carry_the_security_headers(path: str) -> None:
    response = await _get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy


async def test_the_openapi_pages_keep_working_without_the_pages_policy() -> None:
    # FastAPI's Swagger UI has an inline script and loads its assets from a CDN.
    docs = await _get("/docs")
    assert docs.status_code == 200
    # Offline: the page's assets come from this origin, never a CDN.
    assert "cdn" not in docs.text and "/static-offline-docs/swagger-ui-bundle.js" in docs.text
    assert "script-src 'self' 'unsafe-inline'" in docs.headers["Content-Security-Policy"]
    redoc = await _get("/redoc")
    assert "cdn" not in redoc.text and "/static-offline-docs/redoc.standalone.js" in redoc.text
    asset = await _get("/static-offline-docs/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    assert docs.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_pages_have_no_inline_script_style_or_handler() -> None:
    for path in ("/board", "/login", "/dashboard", "/board/cases/WA-2026-000001", *WINDOW):
        html = (await _get(path)).text
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        for attrs, body in scripts:
            # Scripts come from files; the one inline block is data (JSON), never run.
            assert "src=" in attrs or 'type="application/json"' in attrs, (path, attrs)
            assert not body.strip() or 'type="application/json"' in attrs
        assert "<style" not in html and not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert "http://" not in html and "https://" not in html, path


@pytest.mark.parametrize("escape", ESCAPES)
async def test_login_next_falls_back_to_the_board_for_anything_but_a_path_here(
    escape: str,
) -> None:
    assert safe_next(escape) == "/board"
    html = (await _get(f"/login?next={quote(escape, safe='')}")).text
    assert 'data-next="/board"' in html


async def test_login_next_keeps_a_path_of_this_site() -> None:
    target = "/board/cases/WA-2026-000001?lang=en"
    html = (await _get(f"/login?next={quote(target, safe='')}")).text
    assert 'data-next="/board/cases/WA-2026-000001?lang=en"' in html


WINDOW = ("/my", "/my/complaint", "/my/mobile")


async def test_the_workers_window_runs_no_script_and_keeps_nothing_in_the_cache() -> None:
    """The worker's window (docs/worker-window.md) is plain HTML forms posting to itself."""
    for path in WINDOW:
        response = await _get(path)
        assert response.status_code == 200
        assert "<script" not in response.text, path
        assert response.headers["Cache-Control"] == "no-store"
        for action in re.findall(r'<form[^>]*action="([^"]+)"', response.text):
            assert action.startswith("/my/"), (path, action)
