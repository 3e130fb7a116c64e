"""Pages for people: the caller's work, the SLA board, a case page (with the actions the caller
may take), the supervisors' dashboard, and a login page.

The pages are shells: they carry labels and layout, never case data. Their scripts call the
same JSON API with the bearer token the user pasted on the login page, so a page shows exactly
what its user may see, and a 401 sends them back to log in. Chinese by default; `?lang=en`
switches to English (the switch is remembered in the browser).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from domain.dispute.models import DisputeStage
from domain.insurance.models import TransferStage
from domain.regions import TAIYUAN_COUNTIES
from domain.wage_arrears.models import CaseStatus

HERE = Path(__file__).resolve().parent.parent
STATIC_DIR = HERE / "static"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
COUNTIES = tuple(TAIYUAN_COUNTIES)
# What the work list's status filter offers: every kind's states, each once.
STATUSES = tuple(
    dict.fromkeys(s.value for states in (CaseStatus, DisputeStage, TransferStage) for s in states)
)
# How often the SLA board reloads from the API, unless ?refresh= says otherwise.
BOARD_REFRESH_SECONDS = 30
# Where the login page goes when `next` is missing or not a path of this site.
AFTER_LOGIN = "/board"
# A path of this site: one slash, then no slash or backslash (`//host`, `/\host` name
# another host), and no whitespace or control character anywhere (browsers drop a tab or
# a new line inside a URL, so `/<tab>/host` becomes `//host`).
_SAME_ORIGIN_PATH = re.compile(r"/(?![/\\])[^\s\\\x00-\x1f\x7f]*")

Lang = Annotated[Literal["zh", "en"], Query(description="page language; Chinese by default")]
CaseId = Annotated[str, PathParam(pattern=r"^[A-Z]{2}-\d{4}-\d{6}$")]
ProjectId = Annotated[str, PathParam(pattern=r"^PW-\d{4}-\d{6}$")]
router = APIRouter(tags=["pages"], include_in_schema=False)


@cache
def labels() -> dict[str, dict[str, str]]:
    loaded: dict[str, dict[str, str]] = json.loads((STATIC_DIR / "i18n.json").read_text("utf-8"))
    return loaded


def _page(request: Request, template: str, lang: str, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": labels()[lang],
            "labels_json": json.dumps(labels()[lang], ensure_ascii=False),
            "counties": COUNTIES,
            **context,
        },
    )


@router.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/board", status_code=307)


def safe_next(value: str | None) -> str:
    """`value` if it is a path on this site, else the board: a login never sends anyone to
    another origin."""
    if value and len(value) <= 2000 and _SAME_ORIGIN_PATH.fullmatch(value):
        return value
    return AFTER_LOGIN


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    lang: Lang = "zh",
    next: Annotated[str | None, Query(description="where to go after logging in")] = None,
) -> HTMLResponse:
    return _page(request, "login.html", lang, page="login", next_path=safe_next(next))


@router.get("/work", response_class=HTMLResponse)
def work_page(request: Request, lang: Lang = "zh") -> HTMLResponse:
    """The caller's cases: those of their counties, soonest deadline first, filterable."""
    return _page(request, "work.html", lang, page="work", statuses=STATUSES)


@router.get("/board", response_class=HTMLResponse)
def board_page(
    request: Request,
    lang: Lang = "zh",
    refresh: Annotated[int, Query(ge=1, le=3600)] = BOARD_REFRESH_SECONDS,
) -> HTMLResponse:
    return _page(request, "board.html", lang, page="board", refresh=refresh)


@router.get("/board/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: CaseId, lang: Lang = "zh") -> HTMLResponse:
    return _page(request, "case.html", lang, page="case", case_id=case_id)


@router.get("/board/projects/{case_id}", response_class=HTMLResponse)
def project_page(request: Request, case_id: ProjectId, lang: Lang = "zh") -> HTMLResponse:
    """A project's payroll watch: its months as a grid, its roster (PW-1..PW-6)."""
    return _page(request, "project.html", lang, page="project", case_id=case_id)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, lang: Lang = "zh") -> HTMLResponse:
    return _page(request, "dashboard.html", lang, page="dashboard")


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, lang: Lang = "zh") -> HTMLResponse:
    return _page(request, "inbox.html", lang, page="inbox")


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries_page(request: Request, lang: Lang = "zh") -> HTMLResponse:
    """Admins' view of failed deliveries (the API answers admins only)."""
    return _page(request, "deliveries.html", lang, page="deliveries")
