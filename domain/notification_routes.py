"""Who is told of each notification kind, by which channels, in which words.

One table, read by the inbox (which staff see a notification), the delivery planner (who is
emailed, which group chats and which workers get a message) and the pages (the sentence).
The workflows only say what happened (`domain/notifications.py`); this table decides who
hears of it, so a kind the workflows write without a recipient still reaches someone.

Personal data never enters a message: notification params hold none, SMS bodies carry the
case number and what to do, and group chats get the case number, county, rule and due time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.common import CST, Role
from domain.notifications import Notification
from domain.regions import TAIYUAN_COUNTIES


class Channel(StrEnum):
    inbox = "inbox"
    email = "email"
    webhook = "webhook"
    sms = "sms"


@dataclass(frozen=True)
class Route:
    """One row: a kind, the rule it serves, its recipients, channels and words."""

    kind: str
    rule: str
    # Staff of these roles in the notification's county (its inbox, and email if they have an
    # address). `written` adds the role the workflow named (a deadline's owner differs by case
    # kind: the inspector of an arrears case, the mediator of a dispute, the agency's clerk).
    roles: frozenset[Role] = frozenset()
    written: bool = False
    # The user who opened the case, by name: they are responsible for it.
    opener: bool = False
    # Staff recipients are emailed (the inbox always has it).
    email: bool = False
    # The county's group chats and webhook subscribers.
    webhook: bool = False
    # The case's workers, by SMS: the worker must act or know.
    workers: bool = False
    # Only the worker the notification names (`params["worker_no"]`), not every worker.
    one_worker: bool = False
    # The worker asked for this message (a one-time code): an SMS opt-out does not stop it,
    # and it carries no opt-out sentence.
    requested: bool = False
    zh: str = ""
    en: str = ""
    # Plain Chinese, the case number and what to do; never a name or ID number.
    sms: str = ""


_S = Role.supervisor
_I = Role.inspector
_M = Role.mediator
_C = Role.agency_clerk
_OPT_OUT = "如不愿再收到短信，请告知承办人员。"


def _r(kind: str, rule: str, zh: str, en: str, **kw: object) -> Route:
    return Route(kind=kind, rule=rule, zh=zh, en=en, **kw)  # type: ignore[arg-type]


def _alarm(kind: str, rule: str, zh: str, en: str, *roles: Role, **kw: object) -> Route:
    """A breach or an escalation: its staff are emailed too, and the county's group chats
    and webhook subscribers hear of it."""
    return _r(kind, rule, zh, en, roles=frozenset(roles), email=True, webhook=True, **kw)


ROUTES: dict[str, Route] = {
    r.kind: r
    for r in (
        # Deadlines (every case kind): the owner named by the workflow.
        _r(
            "deadline_due_soon",
            "WA-1, MA-1, SI-1",
            "案件 {case_id} 的时限“{deadline}”（{rule}）即将到期：{due}",
            "Case {case_id}: deadline {deadline} ({rule}) is due soon: {due}",
            written=True,
            email=True,
        ),
        _alarm(
            "deadline_breached",
            "WA-1, MA-1, SI-6",
            "案件 {case_id} 的时限“{deadline}”（{rule}）已超时：{due}",
            "Case {case_id}: deadline {deadline} ({rule}) was breached: {due}",
            written=True,
        ),
        # WA
        _alarm(
            "triage_needed",
            "WA-2, WA-3",
            "重大欠薪案件 {case_id} 待研判，请设定解决时限",
            "Major arrears case {case_id} needs triage and a resolution deadline",
            _S,
        ),
        # The law as written (issue-driven rules): each kind told to whoever must act on it.
        _r(
            "right_to_arbitrate",
            "MA-1",
            "案件 {case_id} 调解已满15日未达成协议，当事人可申请仲裁",
            "Case {case_id}: 15 days of mediation without agreement; either party may apply "
            "for arbitration",
            written=True,
            opener=True,
            email=True,
            workers=True,
            sms="案件{case_id}调解已满15日未达成协议，您可以向劳动人事争议仲裁委员会申请仲裁。"
            "如需帮助，请联系承办人员。",
        ),
        _r(
            "violation_time_barred",
            "WA-12",
            "案件 {case_id} 反映的违法行为结束已逾2年，依法不再查处，请书面告知",
            "Case {case_id}: the violation ended more than 2 years before it was reported; "
            "refuse in writing",
            written=True,
            opener=True,
        ),
        _r(
            "removal_applied",
            "WA-11",
            "案件 {case_id} 的用人单位申请提前移出失信联合惩戒名单，待审核",
            "Case {case_id}: the employer applies for early removal from the punishment list",
            written=True,
            email=True,
        ),
        _r(
            "punishment_list_removal",
            "WA-11",
            "案件 {case_id} 的用人单位提前移出失信联合惩戒名单的申请已有决定",
            "Case {case_id}: the application for early removal from the punishment list is decided",
            roles=frozenset({_S, _I}),
            opener=True,
        ),
        _alarm(
            "case_escalated",
            "WA-1, WA-2",
            "案件 {case_id} 未在时限内清偿（{rule}），已升级督办",
            "Case {case_id} was not settled in time ({rule}) and is escalated",
            _I,
            _S,
        ),
        _r(
            "complaint_accepted",
            "WA-12",
            "投诉案件 {case_id} 已受理",
            "Complaint {case_id} was accepted",
            roles=frozenset({_I}),
            opener=True,
            workers=True,
            sms="您反映的欠薪问题已受理，案件编号{case_id}。我们将尽快处理，"
            "请保持电话畅通，并保存好工资欠条、考勤等材料。",
        ),
        # The worker's window (docs/worker-window.md).
        _r(
            "complaint_filed",
            "WA-12, PUB-5",
            "网上投诉 {case_id} 已提交，待受理（5个工作日内）",
            "Online complaint {case_id} was filed and awaits acceptance (within 5 WD)",
            roles=frozenset({_I}),
            workers=True,
            sms="您的欠薪投诉已提交，案件编号{case_id}。我们将在5个工作日内决定是否受理。"
            "凭案件编号和本手机号可查询进度：{query_link}",
        ),
        _r(
            "mobile_change_requested",
            "PUB-7",
            "案件 {case_id} 的第{worker_no}名劳动者申请更换手机号码，请核实后确认",
            "Case {case_id}: worker {worker_no} asks to be reached at a new mobile; check and "
            "confirm",
            roles=frozenset({_I, _M, _C}),
        ),
        _r(
            "access_code",
            "PUB-1",
            "案件 {case_id}：已按劳动者的请求发送查询验证码",
            "Case {case_id}: a query code was texted to the worker who asked for it",
            workers=True,
            one_worker=True,
            requested=True,
            sms="您查询案件{case_id}的验证码是{code}，5分钟内有效。"
            "工作人员不会向您索要验证码，请勿告诉他人。",
        ),
        # PW: the project payroll watch, to the county's inspectors.
        _alarm(
            "project_funding_late",
            "PW-2",
            "项目 {case_id}（{project}）{month} 人工费用未按月拨付至工资专用账户",
            "Project {case_id} ({project}): no labour-cost funding into the wage account for "
            "{month}",
            _I,
        ),
        _alarm(
            "project_payroll_breached",
            "PW-3",
            "项目 {case_id}（{project}）{month} 工资未按期足额发放：{workers} 人，{amount} 元",
            "Project {case_id} ({project}): wages of {month} not paid in full by the pay "
            "date: {workers} workers, {amount} CNY",
            _I,
        ),
        _alarm(
            "project_case_opened",
            "PW-4",
            "项目 {case_id} {month} 欠薪超过宽限期，已立欠薪案件 {linked_case_id}：{workers} 人，"
            "{amount} 元",
            "Project {case_id}: wages of {month} unpaid past the grace period; wage-arrears "
            "case {linked_case_id} opened for {workers} workers, {amount} CNY",
            _I,
        ),
        _r(
            "project_case_joined",
            "PW-4",
            "项目 {case_id} {month} 欠薪并入欠薪案件 {linked_case_id}：{workers} 人，{amount} 元",
            "Project {case_id}: wages of {month} unpaid, joined to case {linked_case_id}: "
            "{workers} workers, {amount} CNY",
            roles=frozenset({_I}),
            email=True,
        ),
        _alarm(
            "project_high_risk",
            "PW-4",
            "项目 {case_id}（{project}）连续两次拨付或发放违规，列为高风险",
            "Project {case_id} ({project}): two funding or payroll breaches in a row; high risk",
            _S,
            _I,
        ),
        _r(
            "project_breach_joined",
            "PW-4",
            "案件 {case_id} 并入所属项目 {months} 新的欠薪：{workers} 人",
            "Case {case_id}: the project's unpaid wages of {months} joined: {workers} workers",
            roles=frozenset({_I}),
        ),
        _r(
            "case_settled",
            "WA-5",
            "案件 {case_id} 的欠薪已全部清偿并确认",
            "Case {case_id}: every worker's wages are paid and confirmed",
            roles=frozenset({_I}),
            opener=True,
            workers=True,
            sms="案件{case_id}的欠薪已全部清偿并确认。如实际未收到工资，请尽快联系承办人员。",
        ),
        _r(
            "order_to_pay_issued",
            "WA-6",
            "案件 {case_id} 已下达限期支付令，期限 {due}",
            "Case {case_id}: order to pay issued, due {due}",
            roles=frozenset({_I, _S}),
            opener=True,
        ),
        _r(
            "guarantee_deposit_notice",
            "WA-7",
            "案件 {case_id} 已动用工资保证金，银行应在5个工作日内支付",
            "Case {case_id}: the wage guarantee deposit is drawn; the bank pays within 5 WD",
            roles=frozenset({_I, _S}),
        ),
        _alarm(
            "deposit_payout_overdue",
            "WA-7",
            "案件 {case_id} 的工资保证金未在5个工作日内支付",
            "Case {case_id}: the guarantee deposit was not paid out within 5 WD",
            _S,
        ),
        _r(
            "contractor_pays_recorded",
            "WA-8",
            "案件 {case_id}：已由总承包单位先行清偿",
            "Case {case_id}: the general contractor pays first",
            roles=frozenset({_I}),
            opener=True,
        ),
        _r(
            "emergency_advance_recorded",
            "WA-9",
            "案件 {case_id}：已动用应急周转金垫付",
            "Case {case_id}: the county's emergency fund advanced wages",
            roles=frozenset({_I, _S}),
        ),
        _r(
            "mediation_recorded",
            "WA-5",
            "案件 {case_id} 已转调解",
            "Case {case_id} was referred to mediation",
            roles=frozenset({_M}),
            opener=True,
        ),
        _r(
            "police_recorded",
            "WA-10",
            "案件 {case_id} 已移送公安机关",
            "Case {case_id} was referred to the police",
            roles=frozenset({_S}),
            opener=True,
        ),
        _r(
            "punishment_list_entry",
            "WA-11",
            "案件 {case_id} 的用人单位已列入失信联合惩戒名单，至 {listed_until}",
            "Case {case_id}: the employer is on the joint-punishment list until {listed_until}",
            roles=frozenset({_S}),
        ),
        _r(
            "clue_platform_reply",
            "WA-13",
            "案件 {case_id} 需回复全国根治欠薪线索平台（线索 {clue_number}：{reply}）",
            "Case {case_id}: answer the national clue platform (clue {clue_number}: {reply})",
            roles=frozenset({_I}),
            opener=True,
        ),
        _alarm(
            "campaign_deadline_breached",
            "WA-4",
            "案件 {case_id} 未在专项行动时点“{deadline}”前清零",
            "Case {case_id} missed the campaign date {deadline}",
            _S,
        ),
        _alarm(
            "statutory_deadline_breached",
            "WA-12",
            "案件 {case_id} 的法定期限“{deadline}”（{rule}）已超时",
            "Case {case_id}: statutory period {deadline} ({rule}) was breached",
            _S,
        ),
        _r(
            "case_closed",
            "WA-13, MA-10",
            "案件 {case_id} 已结案（{outcome}）",
            "Case {case_id} is closed ({outcome})",
            opener=True,
            workers=True,
            sms="案件{case_id}已结案。如对处理结果有疑问，请联系承办人员。",
        ),
        # MA
        _r(
            "dispute_opened",
            "MA-1",
            "劳动争议案件 {case_id} 已立案调解（来自 {linked_case_id}）",
            "Dispute {case_id} opened for mediation (from {linked_case_id})",
            roles=frozenset({_M}),
            email=True,
        ),
        _r(
            "limitation_expired",
            "MA-3",
            "案件 {case_id}：仲裁时效已于 {expires_on} 届满",
            "Case {case_id}: the limitation period ended on {expires_on}",
            roles=frozenset({_M}),
            opener=True,
        ),
        _r(
            "dispute_to_court",
            "MA-2, MA-9",
            "案件 {case_id} 已转入诉讼",
            "Case {case_id} goes to court",
            roles=frozenset({_M}),
            opener=True,
            workers=True,
            sms="案件{case_id}已转入法院诉讼程序。请留意法院通知，按时参加诉讼。",
        ),
        _r(
            "right_to_sue",
            "MA-4, MA-7",
            "案件 {case_id}（{rule}）：劳动者可以直接向法院起诉",
            "Case {case_id} ({rule}): the worker may now sue in court",
            roles=frozenset({_M}),
            opener=True,
            workers=True,
            email=True,
            sms="案件{case_id}：您现在可以直接向人民法院起诉。需要帮助请联系承办人员或法律援助机构。",
        ),
        _r(
            "award_made",
            "MA-8, MA-9",
            "案件 {case_id} 已作出仲裁裁决",
            "Case {case_id}: the arbitration award is made",
            roles=frozenset({_M}),
            opener=True,
            workers=True,
            sms="案件{case_id}已作出仲裁裁决。请在收到裁决书后15日内决定是否起诉；"
            "裁决生效后用人单位不履行的，可申请强制执行。",
        ),
        _r(
            "revocation_applied",
            "MA-9",
            "案件 {case_id}：用人单位已申请撤销裁决",
            "Case {case_id}: the employer applied to revoke the award",
            roles=frozenset({_M}),
            opener=True,
        ),
        _r(
            "agreement_unperformed",
            "MA-2",
            "案件 {case_id}：调解协议到期未履行",
            "Case {case_id}: the mediation agreement was not performed in time",
            roles=frozenset({_M}),
            opener=True,
            workers=True,
            email=True,
            sms="案件{case_id}的调解协议到期未履行。您可以申请支付令或劳动仲裁，请联系承办人员。",
        ),
        # SI
        _r(
            "worker_notified",
            "SI-1, SI-5",
            "案件 {case_id}：已告知劳动者“{step}”",
            "Case {case_id}: the worker was told: {step}",
            opener=True,
            workers=True,
            sms="社保关系转移案件{case_id}：{step_zh}{missing_zh}",
        ),
        _alarm(
            "step_overdue_escalated",
            "SI-6",
            "转移接续案件 {case_id} 的经办环节“{deadline}”逾期，已报上级督办",
            "Transfer {case_id}: step {deadline} is overdue and escalated",
            _S,
        ),
    )
}

# What the worker is told at each step of a transfer (SI-1, SI-3, SI-5).
TRANSFER_STEPS_ZH = {
    "applied": "您的转移申请已受理，我们将在15个工作日内向转出地发出联系函。",
    "acceptance_letter_issued": "联系函已发出，正在等待转出地办理。",
    "transfer_sent": "转出地已转出关系和资金。",
    "transfer_received": "转入地已收到关系和资金，正在办理。",
    "completed": "转移接续已办结。",
    "documents_missing": "材料不全，请补齐以下材料后交回经办机构：",
    "closed": "案件已结束。",
}

FALLBACK = Route(
    kind="*",
    rule="",
    roles=frozenset({_S}),
    zh="案件 {case_id}：{kind}",
    en="Case {case_id}: {kind}",
)


def route(kind: str) -> Route:
    """Every kind reaches someone: one the table does not know goes to the supervisors."""
    return ROUTES.get(kind, FALLBACK)


def kinds_for(role: Role) -> frozenset[str]:
    """The kinds whose inbox entries every user of `role` in the county sees."""
    return frozenset(k for k, r in ROUTES.items() if role in r.roles)


def written_kinds() -> frozenset[str]:
    """The kinds whose inbox entries go to the role the workflow wrote on them."""
    return frozenset(k for k, r in ROUTES.items() if r.written)


def unknown_kinds_for(role: Role) -> bool:
    return role in FALLBACK.roles


def due_of(note: Notification) -> datetime | None:
    """The due time of a deadline notification, from its key (`case:kind:name:iso`)."""
    parts = note.key.split(":", 3)
    if len(parts) < 4:
        return None
    try:
        return datetime.fromisoformat(parts[3])
    except ValueError:
        return None


def _cst(moment: datetime | None) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M") if moment else ""


def _values(note: Notification) -> defaultdict[str, str]:
    values: defaultdict[str, str] = defaultdict(str, note.params)
    values["case_id"] = note.case_id
    values["kind"] = note.kind
    values["county"] = TAIYUAN_COUNTIES.get(note.county_code, note.county_code)
    if "due" not in note.params:
        values["due"] = _cst(due_of(note))
    values["step_zh"] = TRANSFER_STEPS_ZH.get(note.params.get("step", ""), "")
    missing = note.params.get("missing", "")
    values["missing_zh"] = f"{missing}。" if missing else ""
    return values


def sentence(note: Notification, lang: str = "zh") -> str:
    """The inbox entry, email subject and body: a sentence in Chinese, or English."""
    r = route(note.kind)
    return (r.en if lang == "en" else r.zh).format_map(_values(note))


def sms_text(note: Notification, code: str = "", query_link: str = "") -> str:
    """The worker's SMS: plain Chinese, the case number, what to do, how to stop them.

    `code` is a one-time code the sending activity derives (never in the params, PUB-1);
    `query_link` is the worker's window's address."""
    r = route(note.kind)
    values = _values(note)
    values["code"] = code
    values["query_link"] = query_link
    text = r.sms.format_map(values)
    return text if r.requested else text + _OPT_OUT


def group_message(note: Notification) -> dict[str, str]:
    """What a group chat or webhook subscriber gets: case number, county, rule, due time."""
    r = route(note.kind)
    rule = note.params.get("rule") or r.rule
    due = _values(note)["due"]
    text = f"【{note.kind}】案件 {note.case_id} · {_values(note)['county']} · {rule}"
    if due:
        text += f" · 到期 {due}"
    return {
        "case_id": note.case_id,
        "county_code": note.county_code,
        "kind": note.kind,
        "rule": rule,
        "due": due,
        "text": text,
    }
