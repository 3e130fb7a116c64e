"""The worker's window (docs/worker-window.md): public pages under /my, for a phone.

Server-rendered Chinese pages without any script, posting plain forms. A worker follows
their case with the case number and a one-time code texted to their mobile (PUB-1, PUB-2),
sees their own part only (PUB-3, domain/worker_window.py), and each access is recorded in the
case's history as the worker (PUB-4); or files a wage complaint (PUB-5). Rate limits per
address, per mobile and per case number (PUB-6). No case data ever enters a URL: the case
number and the mobile are posted, the challenge and the session live in cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from pydantic import ValidationError
from sqlmodel import Session
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities.case_parties import CaseParties, case_parties
from activities.delivery_start import start_delivery
from activities.read_model import ReadModelActivities
from api import gateway
from api.errors import ApiError
from core import one_time_codes as otc
from core.settings import Settings
from domain import identity, kinds
from domain.common import CST, Actor, RequestStamp, Role
from domain.notifications import Notification
from domain.regions import TAIYUAN_COUNTIES
from domain.wage_arrears.models import WageArrearsIntake
from domain.worker_window import WorkerAccess, WorkerAccessResult, WorkerActor, worker_page
from store import public as store
from store.case_numbers import CaseNumberTaken, IdempotencyKeyReused, claim_case_id
from store.tables import CaseRecord

from .pages import HERE

log = structlog.get_logger("api.public")
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix="/my", tags=["worker's window"], include_in_schema=False)

CHALLENGE_COOKIE = "lce_my_code"
SESSION_COOKIE = "lce_my"
# PUB-5: the online desk that opens a worker's own complaint: no person, the bureau's window.
ONLINE_DESK = "online"
SECTORS = ("建筑业", "制造业", "餐饮住宿", "批发零售", "交通运输", "家政服务", "其他")
SAME_ANSWER = "如果案件编号和手机号码与案件登记的一致，验证码已经发到这个手机上，5分钟内有效。"

CaseNumberField = Annotated[str, Form(max_length=40)]
MobileField = Annotated[str, Form(max_length=20)]


# Rate limits (PUB-6): what each subject may ask for, counted in RATE_LIMIT_STORAGE.


@dataclass
class PublicLimits:
    limiter: SlidingWindowCounterRateLimiter
    per_address: list[RateLimitItem]
    per_mobile: list[RateLimitItem]
    per_case: list[RateLimitItem]

    @classmethod
    def of(cls, settings: Settings) -> PublicLimits:
        return cls(
            SlidingWindowCounterRateLimiter(storage_from_string(settings.rate_limit_storage)),
            parse_many(settings.public_limit_per_address),
            parse_many(settings.public_limit_per_mobile),
            parse_many(settings.public_limit_per_case),
        )

    def allow(self, purpose: str, subjects: list[tuple[str, str]]) -> bool:
        """Counts one request against each subject (`address`, `mobile`, `case`); False if
        any is over its limit. Mobiles and case numbers are counted by their HMAC."""
        limits = {"address": self.per_address, "mobile": self.per_mobile, "case": self.per_case}
        allowed = True
        for kind, key in subjects:
            for limit in limits[kind]:
                if not self.limiter.hit(limit, f"public-{purpose}-{kind}", key):
                    allowed = False
        return allowed


def _limits(request: Request) -> PublicLimits:
    found: PublicLimits | None = getattr(request.app.state, "public_limits", None)
    if found is None:
        found = PublicLimits.of(request.app.state.settings)
        request.app.state.public_limits = found
    return found


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _key(request: Request) -> bytes:
    return otc.secret(request.app.state.settings)


# Pages.


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {"agency_phone": settings.public_agency_phone, **context},
        status_code=status,
    )
    # Nothing of a worker's case is kept by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path="/my",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    return _page(request, "my_start.html", signed_in=bool(request.cookies.get(SESSION_COOKIE)))


def _case_id(case_number: str, errors: dict[str, str]) -> str:
    """The posted case number as a case id; an error under `case_number` if it is not one."""
    case_id = case_number.strip().upper()
    if kinds.of_case(case_id) is None:
        errors["case_number"] = "案件编号的格式是 WA-2026-000123 这样的：两个字母、年份、六位数字。"
    return case_id


def _mobile(mobile: str, errors: dict[str, str]) -> str:
    """The posted mobile, normalised; an error under `mobile` (and "") if it is not one."""
    try:
        return identity.normalise_mobile(mobile)
    except ValueError:
        errors["mobile"] = "手机号码应为11位数字，以1开头。"
        return ""


def _allow_case_request(request: Request, purpose: str, case_id: str, mobile: str) -> bool:
    """Counts a request about a case against its address, mobile and case number (PUB-6)."""
    key = _key(request)
    subjects = [
        ("address", _address(request)),
        ("mobile", otc.subject_hash(key, mobile)),
        ("case", otc.subject_hash(key, case_id)),
    ]
    return _limits(request).allow(purpose, subjects)


# PUB-1: a one-time code, the same answer whether or not the case exists.


@router.post("/code", response_class=HTMLResponse)
async def ask_for_code(
    request: Request,
    background: BackgroundTasks,
    case_number: CaseNumberField = "",
    mobile: MobileField = "",
) -> Response:
    errors: dict[str, str] = {}
    case_id = _case_id(case_number, errors)
    number = _mobile(mobile, errors)
    if errors:
        return _page(request, "my_start.html", 422, errors=errors, case_number=case_number[:40])
    if not _allow_case_request(request, "code", case_id, number):
        return _page(request, "my_message.html", 429, title="请求太频繁", message="请稍后再试。")
    key = _key(request)
    engine = request.app.state.engine
    mobile_hash = otc.mobile_hash(key, number)
    until = await run_in_threadpool(store.locked_until, engine, case_id, mobile_hash)
    if until is not None:
        return _locked(request, until)
    challenge = secrets.token_urlsafe(32)
    seed = store.hashed(challenge)
    code_hash = otc.code_hash(key, seed, otc.code_for(key, seed))
    await run_in_threadpool(
        store.open_challenge, engine, challenge, case_id, mobile_hash, code_hash
    )
    # Whether the case exists and the mobile is on file is found out after the answer, so
    # neither the answer nor its timing tells (PUB-1).
    background.add_task(_send_code, request.app, challenge, case_id, number)
    response = _see_other("/my/code")
    _set_cookie(request, response, CHALLENGE_COOKIE, challenge, int(store.CODE_TTL.total_seconds()))
    return response


def _locked(request: Request, until: datetime) -> HTMLResponse:
    minutes = max(1, int((until - datetime.now(UTC)).total_seconds() // 60) + 1)
    return _page(
        request,
        "my_message.html",
        429,
        title="已锁定",
        message=f"验证码输错次数太多，已锁定。请{minutes}分钟后再试，或拨打电话咨询。",
    )


async def _send_code(app: Any, challenge: str, case_id: str, mobile: str) -> None:
    """Texts the code to the mobile if it is one of the case's workers' (through the
    delivery workflow and the SMS channel: Temporal does the sending and the retries)."""
    try:
        case = await _known_case(app, case_id)
        if case is None:
            return
        # PUB-7: the mobile on file is the intake's, or the new one staff confirmed; a new
        # number still waiting for staff gets no code.
        confirmed = await run_in_threadpool(store.confirmed_mobiles, case.engine, case_id)
        on_file = otc.mobiles_on_file(case.settings, case.parties.mobiles, confirmed)
        worker_no = next((n for n, m in sorted(on_file.items()) if m == mobile), None)
        if worker_no is None:
            return
        seed = store.hashed(challenge)
        await run_in_threadpool(store.bind_worker, case.engine, challenge, worker_no)
        note = await case.notify(
            "access_code", seed[:32], {"challenge": seed, "worker_no": str(worker_no)}
        )
        await start_delivery(app.state.temporal, case.settings.task_queue, note)
    except Exception as exc:  # the worker sees the same page; the log says what failed
        log.warning("access code not sent", case_id=case_id, error=type(exc).__name__)


@dataclass(frozen=True)
class _KnownCase:
    """A case a background task of the window was asked about: its read-model row and its
    parties (from its workflow), with the app's engine and settings."""

    engine: Any
    settings: Settings
    row: CaseRecord
    parties: CaseParties

    async def notify(self, kind: str, key: str, params: dict[str, str]) -> Notification:
        """Writes a notification about the case, of `kind`, to the outbox (no personal data)."""
        note = Notification(
            key=f"{self.row.case_id}:{kind}:{key}",
            case_id=self.row.case_id,
            kind=kind,
            county_code=self.row.county_code,
            params=params,
        )
        await run_in_threadpool(ReadModelActivities(self.engine).write_notifications, [note])
        return note


async def _known_case(app: Any, case_id: str) -> _KnownCase | None:
    """None if there is no such case."""
    row = await run_in_threadpool(_case_row, app.state.engine, case_id)
    if row is None:
        return None
    parties = await case_parties(app.state.temporal, case_id)
    return _KnownCase(app.state.engine, app.state.settings, row, parties)


def _case_row(engine: Any, case_id: str) -> CaseRecord | None:
    with Session(engine) as session:
        row = session.get(CaseRecord, case_id)
        if row is not None:
            session.expunge(row)
        return row


@router.get("/code", response_class=HTMLResponse)
def code_page(request: Request) -> Response:
    if not request.cookies.get(CHALLENGE_COOKIE):
        return _see_other("/my")
    return _page(request, "my_code.html", hint=SAME_ANSWER)


@router.post("/verify", response_class=HTMLResponse)
async def verify_code(request: Request, code: Annotated[str, Form(max_length=20)] = "") -> Response:
    challenge_id = request.cookies.get(CHALLENGE_COOKIE, "")
    engine = request.app.state.engine
    challenge = await run_in_threadpool(store.get_challenge, engine, challenge_id)
    now = datetime.now(UTC)
    if challenge is None or challenge.used:
        return _see_other("/my")
    until = await run_in_threadpool(
        store.locked_until, engine, challenge.case_id, challenge.mobile_hash
    )
    if until is not None:
        return _locked(request, until)
    if challenge.expires_at <= now:
        return _page(
            request, "my_message.html", 410, title="验证码已过期", message="请重新获取验证码。"
        )
    entered = "".join(ch for ch in code if ch.isdigit())
    key = _key(request)
    right = otc.matches(key, store.hashed(challenge_id), challenge.code_hash, entered)
    # A code for a case or mobile that is not on file is never right (none was sent).
    if not right or challenge.worker_no is None:
        left = await run_in_threadpool(store.wrong_try, engine, challenge_id)
        if left == 0:
            return _locked(request, now + store.LOCK_FOR)
        return _page(
            request,
            "my_code.html",
            422,
            hint=SAME_ANSWER,
            error=f"验证码不对，还可以再试{left}次。",
        )
    if not await run_in_threadpool(store.use_challenge, engine, challenge_id):
        return _see_other("/my")
    session_id, _ = await run_in_threadpool(
        store.open_session, engine, challenge.case_id, challenge.worker_no
    )
    response = _see_other("/my/case")
    response.delete_cookie(CHALLENGE_COOKIE, path="/my")
    _set_cookie(
        request, response, SESSION_COOKIE, session_id, int(store.SESSION_TTL.total_seconds())
    )
    return response


# PUB-2, PUB-3, PUB-4: the worker's own part of the case.


@router.get("/case", response_class=HTMLResponse)
async def case_page(request: Request) -> Response:
    engine = request.app.state.engine
    session = await run_in_threadpool(
        store.get_session, engine, request.cookies.get(SESSION_COOKIE, "")
    )
    if session is None:
        response = _see_other("/my")
        response.delete_cookie(SESSION_COOKIE, path="/my")
        return response
    client = request.app.state.temporal
    try:
        view: Any = await gateway.get_view(client, session.case_id)
        if not session.view_recorded:
            await _record_view(client, session.case_id, session.id_hash, session.worker_no, view)
            await run_in_threadpool(store.mark_view_recorded, engine, session.id_hash)
    except ApiError as err:
        return _page(
            request,
            "my_message.html",
            503 if err.status >= 500 else 409,
            title="暂时无法查询",
            message="系统正忙，请稍后再试。",
        )
    kind = gateway.kind_of(session.case_id).name
    page = worker_page(kind, view, session.worker_no)
    expires = session.expires_at.astimezone(CST).strftime("%H:%M")
    return _page(request, "my_case.html", page=page, expires=expires)


def _county_of(kind: str, view: Any) -> str:
    intake = view.state.intake
    return str(intake.to_agency.county_code if kind == "insurance_transfer" else intake.county_code)


async def _record_view(
    client: Any, case_id: str, session_hash: str, worker_no: int, view: Any
) -> None:
    """PUB-4: the view, in the case's history as the worker, once per session; a closed
    case's history takes no more entries (its workflow has ended)."""
    kind = gateway.kind_of(case_id).name
    if view.state.closed_at is not None:
        return
    short = session_hash[:16]
    access = WorkerAccess(
        actor=WorkerActor.of(worker_no, _county_of(kind, view)),
        session=short,
        request=RequestStamp(case_id=case_id, key=f"worker-access:{short}"),
    )
    handle = client.get_workflow_handle(case_id)
    try:
        await handle.execute_update(
            "worker_access",
            access,
            id=f"worker_access:{short}",
            result_type=WorkerAccessResult,
            rpc_timeout=gateway.RPC_TIMEOUT,
        )
    except WorkflowUpdateFailedError:
        return  # the case closed meanwhile
    except RPCError as err:
        raise ApiError(503, "temporal_unavailable", "the case engine did not answer") from err


@router.post("/logout")
async def logout(request: Request) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await run_in_threadpool(store.close_session, request.app.state.engine, session_id)
    response = _see_other("/my")
    response.delete_cookie(SESSION_COOKIE, path="/my")
    return response


# PUB-5: the worker's own wage complaint.

COMPLAINT_FIELDS = (
    "employer_name",
    "credit_code",
    "project_name",
    "county_code",
    "sector",
    "amount",
    "months",
    "worker_name",
    "id_number",
    "mobile",
    "summary",
)


def _complaint_form(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    return _page(
        request,
        "my_complaint.html",
        status,
        counties=TAIYUAN_COUNTIES,
        sectors=SECTORS,
        idempotency_key=context.pop("idempotency_key", None) or secrets.token_urlsafe(18),
        values=context.pop("values", {}),
        errors=context.pop("errors", {}),
        **context,
    )


@router.get("/complaint", response_class=HTMLResponse)
def complaint_page(request: Request) -> HTMLResponse:
    return _complaint_form(request)


_ERRORS_ZH = {
    identity.RESIDENT_ID_LENGTH_ERROR: "身份证号码应为18位。",
    identity.RESIDENT_ID_FORMAT_ERROR: "身份证号码应为17位数字加1位数字或X。",
    identity.RESIDENT_ID_CHECK_ERROR: "身份证号码不正确，请核对。",
    identity.RESIDENT_ID_BIRTH_DATE_ERROR: "身份证号码中的出生日期不正确。",
    identity.CREDIT_CODE_LENGTH_ERROR: "统一社会信用代码应为18位。",
    identity.CREDIT_CODE_CHARACTER_ERROR: "统一社会信用代码含有不应出现的字符。",
    identity.CREDIT_CODE_CHECK_ERROR: "统一社会信用代码不正确，请核对（可在营业执照上找到）。",
    identity.MOBILE_ERROR: "手机号码应为11位数字，以1开头。",
}
_FIELD_OF = {
    ("employer", "name"): "employer_name",
    ("employer", "credit_code"): "credit_code",
    ("project", "name"): "project_name",
    ("county_code",): "county_code",
    ("sector",): "sector",
    ("workers", 0, "name"): "worker_name",
    ("workers", 0, "id_number"): "id_number",
    ("workers", 0, "mobile"): "mobile",
    ("workers", 0, "amount_owed"): "amount",
    ("workers", 0, "months_owed"): "months",
    ("summary",): "summary",
}


def _zh(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return _ERRORS_ZH.get(message, "请检查这一项。")


def complaint_intake(form: dict[str, str]) -> tuple[WageArrearsIntake | None, dict[str, str]]:
    """The intake of an online complaint (source `complaint`, channel `online`), checked by
    the domain's own rules (the same ID, credit-code and mobile checks as the staff API);
    or the errors, in Chinese, by form field."""
    errors: dict[str, str] = {}
    for name in ("employer_name", "credit_code", "worker_name", "id_number", "mobile", "summary"):
        if not form.get(name, "").strip():
            errors[name] = "请填写这一项。"
    amount: Decimal | None = None
    try:
        amount = Decimal(form.get("amount", "").replace(",", "").strip())
        if not amount.is_finite() or amount <= 0:
            raise InvalidOperation
    except InvalidOperation:
        errors["amount"] = "请填写被拖欠的金额（元），例如 8500。"
    months = form.get("months", "").strip()
    if months and not months.isdigit():
        errors["months"] = "月数请填写整数。"
    county = form.get("county_code", "")
    if county not in TAIYUAN_COUNTIES:
        errors["county_code"] = "请选择区县。"
    sector = form.get("sector", "") if form.get("sector") in SECTORS else "其他"
    if errors:
        return None, errors
    project = form.get("project_name", "").strip()
    data: dict[str, Any] = {
        "source": "complaint",
        "channel": "online",
        "county_code": county,
        "employer": {"name": form["employer_name"].strip(), "credit_code": form["credit_code"]},
        "project": {"name": project} if project else None,
        "sector": sector,
        "workers": [
            {
                "name": form["worker_name"].strip(),
                "id_number": form["id_number"],
                "mobile": form["mobile"],
                "amount_owed": str(amount),
                "months_owed": int(months) if months else None,
            }
        ],
        "summary": form["summary"].strip(),
        "opened_by": Actor(id=ONLINE_DESK, role=Role.inspector, county_code=county),
    }
    try:
        return WageArrearsIntake.model_validate(data), {}
    except ValidationError as err:
        for error in err.errors():
            field = _FIELD_OF.get(tuple(error["loc"]), "summary")
            errors.setdefault(field, _zh(dict(error)))
        return None, errors


@router.post("/complaint", response_class=HTMLResponse)
async def file_complaint(request: Request) -> Response:
    raw = await request.form()
    form = {name: str(raw.get(name, ""))[:2000] for name in (*COMPLAINT_FIELDS, "idempotency_key")}
    idempotency_key = form["idempotency_key"][:64]
    values = {k: v for k, v in form.items() if k not in ("id_number", "idempotency_key")}
    intake, errors = complaint_intake(form)
    if intake is None or not idempotency_key:
        return _complaint_form(
            request, 422, values=values, errors=errors, idempotency_key=idempotency_key
        )
    key = _key(request)
    worker = intake.workers[0]
    subjects = [("address", _address(request)), ("mobile", otc.subject_hash(key, worker.mobile))]
    if not _limits(request).allow("complaint", subjects):
        return _page(request, "my_message.html", 429, title="提交太频繁", message="请稍后再试。")
    engine = request.app.state.engine
    settings: Settings = request.app.state.settings
    fingerprint = hashlib.sha256(intake.model_dump_json().encode()).hexdigest()
    try:
        case_id, first = await run_in_threadpool(
            claim_case_id, engine, "wage_arrears", [f"online:{idempotency_key}"], fingerprint
        )
    except (IdempotencyKeyReused, CaseNumberTaken):
        return _page(
            request,
            "my_message.html",
            409,
            title="这份投诉已经提交过",
            message="同一份表格只能提交一次。如需再投诉，请重新打开投诉页面填写。",
        )
    try:
        await gateway.start_case(
            request.app.state.temporal, settings.task_queue, "wage_arrears", case_id, intake
        )
    except (ApiError, RPCError):
        return _page(
            request, "my_message.html", 503, title="暂时无法提交", message="系统正忙，请稍后再试。"
        )
    if first:
        log.info("online complaint filed", case_id=case_id, county_code=intake.county_code)
    return _page(
        request, "my_done.html", case_id=case_id, county=TAIYUAN_COUNTIES[intake.county_code]
    )


# PUB-7: a new mobile, confirmed by staff before any code goes to it.

MOBILE_ANSWER = (
    "已收到。如果案件编号和身份证号码与案件登记的一致，承办人员会与您核实；"
    "核实确认后，验证码和短信才会发到新号码。"
)


@router.get("/mobile", response_class=HTMLResponse)
def mobile_page(request: Request) -> HTMLResponse:
    return _page(request, "my_mobile.html", errors={}, case_number="")


@router.post("/mobile", response_class=HTMLResponse)
async def ask_mobile_change(
    request: Request,
    background: BackgroundTasks,
    case_number: CaseNumberField = "",
    id_number: Annotated[str, Form(max_length=20)] = "",
    mobile: MobileField = "",
) -> Response:
    errors: dict[str, str] = {}
    case_id = _case_id(case_number, errors)
    try:
        resident_id = identity.normalise_resident_id(id_number)
    except ValueError:
        errors["id_number"] = "身份证号码不正确，请核对。"
        resident_id = ""
    number = _mobile(mobile, errors)
    if errors:
        return _page(request, "my_mobile.html", 422, errors=errors, case_number=case_number[:40])
    if not _allow_case_request(request, "mobile", case_id, number):
        return _page(request, "my_message.html", 429, title="请求太频繁", message="请稍后再试。")
    background.add_task(_record_mobile_change, request.app, case_id, resident_id, number)
    return _page(request, "my_message.html", title="新号码待核实", message=MOBILE_ANSWER)


async def _record_mobile_change(app: Any, case_id: str, resident_id: str, mobile: str) -> None:
    """Keeps the request for staff if the ID number is one of the case's workers', and puts
    it in the officers' inboxes (no personal data in the notification)."""
    try:
        case = await _known_case(app, case_id)
        if case is None:
            return
        parties = case.parties
        worker_no = next((n for n, i in parties.id_numbers.items() if i == resident_id), None)
        if worker_no is None or parties.mobiles.get(worker_no) == mobile:
            return
        key = otc.secret(case.settings)
        sealed = otc.seal_mobile(case.settings, case_id, mobile)
        recorded = await run_in_threadpool(
            store.request_mobile_change,
            case.engine,
            case_id,
            worker_no,
            sealed,
            otc.mobile_hash(key, mobile),
        )
        if not recorded:
            return
        await case.notify(
            "mobile_change_requested",
            otc.mobile_hash(key, mobile)[:24],
            {"worker_no": str(worker_no)},
        )
    except Exception as exc:
        log.warning("mobile change not recorded", case_id=case_id, error=type(exc).__name__)
