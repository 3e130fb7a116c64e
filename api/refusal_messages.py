"""A refusal's sentence in Chinese, for `message_zh`: the domain says why in English (its
rules are written and tested in English, beside the law's ids), the pages speak Chinese.

Each entry pairs the domain's sentence, with `{}` where its f-string puts a value, with its
Chinese, `{0}`, `{1}`… naming those values in order. A value that names something of the
case (a deadline, a stage, a role, a field) is said with the pages' own label for it
(api/static/i18n.json), so both languages use one word for one thing. A sentence with no
entry gets no specific translation: `message_zh` then falls back to the error code's
sentence, still Chinese. `tests/api/test_refusal_messages.py` fails when a refusal raised
in `domain/` has no entry.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Final

LABELS: Final = Path(__file__).resolve().parent / "static" / "i18n.json"

ENTRIES: Final[tuple[tuple[str, str], ...]] = (
    # domain/actions.py: who may act
    ("{} is for the roles: {}", "「{0}」只能由以下角色办理：{1}"),
    ("{} is taken in county {}; the actor belongs to {}", "「{0}」由{1}办理，操作人属于{2}"),
    # domain/deadlines.py: extend, pause, resume
    ("no deadline of that name in this case (deadlines: {})", "本案没有这个时限（本案时限：{0}）"),
    ("the {} deadline is {}", "「{0}」时限{1}"),
    ("the {} deadline is paused: resume it first", "「{0}」时限已中止计时，请先恢复计时"),
    ("{}: the {} deadline cannot be extended", "{0}：「{1}」时限不能延长"),
    (
        "{}: the {} deadline was already extended {} time(s), the most allowed",
        "{0}：「{1}」时限已延长{2}次，已达上限",
    ),
    ("{}: an extension of the {} deadline is at most {} days", "{0}：「{1}」时限最多延长{2}天"),
    ("{}: the {} deadline cannot be paused", "{0}：「{1}」时限不能中止计时"),
    ("the {} deadline is already paused", "「{0}」时限已中止计时"),
    ("the {} deadline is not paused", "「{0}」时限没有中止计时"),
    ("{}: the {} deadline cannot restart", "{0}：「{1}」时限不能重新起算"),
    ("an extension must move the deadline later", "延长后的期限须晚于原期限"),
    ("{}: this extension needs an approver", "{0}：延长时限须有批准人"),
    ("the approver must be someone other than the actor", "批准人不能是操作人本人"),
    ("{}: this extension is approved by the {} (approver_capacity {})", "{0}：延长须由{1}批准"),
    ("{}: the {} approves as a supervisor", "{0}：{1}须以督导身份批准"),
    ("{}: the {} must be of the case's county", "{0}：{1}须属于案件所在区县"),
    # domain/dispute/rules.py
    ("MA-4, MA-7, MA-9: no right to sue is open now", "MA-4、MA-7、MA-9：目前不能起诉"),
    ("the case is closed", "案件已结案"),
    ("MA-2: the payment order was already recorded", "MA-2：支付令已登记"),
    (
        "MA-2: no payment order is waiting for the employer's answer",
        "MA-2：没有等待用人单位答复的支付令",
    ),
    (
        "MA-5: the respondent was not served, or the defence is in",
        "MA-5：尚未向被申请人送达，或答辩书已提交",
    ),
    ("MA-5: the respondent was already served", "MA-5：已向被申请人送达"),
    ("MA-9: the award's receipt was already recorded", "MA-9：裁决书送达已登记"),
    ("MA-9: no window to sue is open", "MA-9：起诉期限不在进行中"),
    (
        "MA-9: the worker sued; the employer may not apply to revoke",
        "MA-9：劳动者已起诉，用人单位不能申请撤销裁决",
    ),
    ("MA-9: no revocation window is open", "MA-9：申请撤销裁决的期限不在进行中"),
    (
        "MA-10: no effective award or order is waiting for enforcement",
        "MA-10：没有待执行的生效裁决或支付令",
    ),
    ("MA-10: enforcement was already applied for", "MA-10：已申请强制执行"),
    ("MA-2: the performance date is in the past", "MA-2：履行期限已过"),
    ("MA-6: the hearing notice must be served 5 days before", "MA-6：开庭通知须在开庭5日前送达"),
    ("the hearing must be in the future", "开庭时间须在今后"),
    ("{} is before {} ({})", "「{0}」早于{1}（{2}）"),
    ("{} is in the future", "「{0}」晚于今天"),
    ("accepted_on must be after the performance date ({})", "受理日期须晚于履行期限（{0}）"),
    (
        "MA-9: a party's receipt was already recorded; name the other",
        "MA-9：一方当事人的送达已登记，请选择另一方",
    ),
    ("MA-9: the {}'s receipt was already recorded", "MA-9：{0}的送达已登记"),
    ("only in {}; the case is in {}", "只能在「{0}」阶段办理，案件现处于「{1}」"),
    ("no running deadline of this case may {}", "本案没有可以{0}的进行中时限"),
    (
        "MA-9: the employer may sue only against a non-final award",
        "MA-9：用人单位只能对非终局裁决起诉",
    ),
    # domain/insurance/rules.py
    ("the transfer is {}", "转移接续已「{0}」"),
    ("SI-5: the case is already back with the worker", "SI-5：材料已退回劳动者"),
    ("no agency step is running", "没有进行中的经办环节"),
    ("received_on is in the future", "收到日期晚于今天"),
    ("received_on is before {} ({})", "收到日期早于{0}（{1}）"),
    ("SI-2: the amounts received do not match: {}", "SI-2：到账金额不符：{0}"),
    ("only when the transfer is {}; it is {}", "只能在「{0}」时办理，现为「{1}」"),
    # domain/wage_arrears/referral.py
    (
        "the dispute case cannot be opened from this case: invalid {}",
        "不能由本案移交调解：{0}填写有误",
    ),
    # domain/wage_arrears/rules.py
    (
        "the case is settled: every worker is paid in full",
        "案件已清偿：每名劳动者的工资均已足额支付",
    ),
    (
        "{}: only after an order to pay by a deadline was missed (WA-6)",
        "{0}：只能在责令限期支付逾期未履行后办理（WA-6）",
    ),
    ("the case is already triaged", "案件已分类"),
    ("the case has escalated; triage is over", "案件已升级，不能再分类"),
    ("no recorded payment is waiting for confirmation", "没有待确认的支付记录"),
    ("WA-6: an order to pay is already running", "WA-6：责令限期支付正在执行中"),
    (
        "WA-7: the case has no construction project with a wage deposit",
        "WA-7：本案没有缴存工资保证金的工程项目",
    ),
    ("WA-7: the wage guarantee deposit was already drawn", "WA-7：工资保证金已动用"),
    (
        "WA-8: the case has no construction project with a general contractor",
        "WA-8：本案没有施工总承包单位",
    ),
    ("WA-8: the general contractor is already paying", "WA-8：施工总承包单位已在先行清偿"),
    ("the case was already referred to mediation", "案件已移交调解"),
    ("WA-10: the case is already with the police", "WA-10：案件已移送公安机关"),
    (
        "WA-10: the unpaid amounts do not reach the province's threshold",
        "WA-10：欠薪数额未达到本省立案标准",
    ),
    ("the case is not with the police", "案件未移送公安机关"),
    (
        "WA-11: the employer is already on the joint-punishment list",
        "WA-11：用人单位已列入失信联合惩戒对象名单",
    ),
    (
        "WA-11: the employer is not on the joint-punishment list",
        "WA-11：用人单位未列入失信联合惩戒对象名单",
    ),
    ("WA-11: the employer was already removed from the list", "WA-11：用人单位已移出名单"),
    (
        "WA-11: an application for early removal awaits its decision",
        "WA-11：提前移出名单的申请正在等待决定",
    ),
    (
        "WA-11: early removal only after every worker is paid in full",
        "WA-11：每名劳动者的工资均足额支付后才能申请提前移出",
    ),
    (
        "WA-11: no application for early removal awaits a decision",
        "WA-11：没有等待决定的提前移出申请",
    ),
    ("WA-12: no complaint is waiting for a decision to accept it", "WA-12：没有等待受理决定的投诉"),
    ("no running deadline of this case may be extended", "本案没有可以延长的进行中时限"),
    ("no running deadline of this case may be paused", "本案没有可以中止计时的进行中时限"),
    ("no deadline of this case is paused", "本案没有中止计时的时限"),
    (
        "WA-3: the case meets a major criterion and cannot be general",
        "WA-3：案件符合重大问题标准，不能定为一般问题",
    ),
    ("applied_on is in the future", "申请日期晚于今天"),
    (
        "WA-11: early removal may be applied for from {}, 6 months after paying in full on {}",
        "WA-11：{1}足额支付，6个月后即{0}起方可申请提前移出",
    ),
    (
        "WA-12 (LSSR Art.20): the violation ended on {}, more than 2 years before it was "
        "reported on {}: the complaint is refused in writing",
        "WA-12（劳动保障监察条例第二十条）：违法行为于{0}终了，至{1}投诉时已超过2年，依法书面不予受理",
    ),
    (
        "worker_no is not a worker of this case (workers 1 to {})",
        "本案没有这名劳动者（序号1至{0}）",
    ),
    (
        "the payment exceeds what worker {} is still owed ({})",
        "支付金额超过第{0}名劳动者尚欠的工资（{1}）",
    ),
    ("paid_on is in the future", "支付日期晚于今天"),
    ("{}: record the {} step before its payments", "{0}：请先登记「{1}」，再登记其支付"),
    (
        "payment_id is not a payment of this case (payments: {})",
        "本案没有这笔支付（本案支付：{0}）",
    ),
    ("payment {} is already {}", "第{0}笔支付已{1}"),
    ("the amount exceeds what is still owed ({})", "金额超过尚欠工资总额（{0}）"),
    ("WA-7: the deposit holds only {}", "WA-7：工资保证金余额只有{0}"),
    (
        "WA-11: the amounts do not reach the criminal threshold and no mass or extreme "
        "incident was recorded",
        "WA-11：欠薪数额未达到刑事立案标准，也未登记群体性或极端事件",
    ),
    (
        "WA-5: the case is not settled: some wages are unpaid or unconfirmed",
        "WA-5：案件尚未清偿：仍有工资未支付或未确认",
    ),
    ("WA-2: a major case needs a resolution_deadline", "WA-2：重大问题须设定解决期限"),
    ("resolution_deadline must carry a time zone", "解决期限须带时区"),
    ("WA-2: resolution_deadline must be in the future", "WA-2：解决期限须在今后"),
    (
        "WA-1: a general case's deadline is fixed; omit resolution_deadline",
        "WA-1：一般问题的时限是法定的，不填解决期限",
    ),
    ("{}: only {} is left of what the {} step gave", "{0}：「{2}」所给款项只剩{1}"),
    ("WA-13: closing a platform clue needs clue_reply", "WA-13：办结平台线索须填写回复"),
    (
        "WA-13: a transferred case answers the platform 'transferred'",
        "WA-13：已移送的案件须回复平台「已移送」",
    ),
    ("clue_reply is only for platform clues", "只有平台线索才填写回复"),
    ("WA-6: no order to pay is running", "WA-6：没有正在执行的责令限期支付"),
    ("WA-6: the order to pay was already served", "WA-6：责令限期支付指令书已送达"),
    # domain/project_watch/rules.py
    ("the watch of this project has ended", "本项目的工资监控已结束"),
    ("the works are completed: the roster takes no one new", "工程已竣工，花名册不再增加人员"),
    ("the worker is not on the project's roster (PW-1)", "该工人不在项目实名制花名册上（PW-1）"),
    ("the worker is on the roster already", "该工人已在花名册上"),
    ("the subcontractor is not one of the project's", "该分包单位不属于本项目"),
    (
        "a project's roster holds at most {} workers at once; watch the section as a project "
        "of its own",
        "一个项目的花名册同时最多{0}人，请将标段作为单独项目监控",
    ),
    ("the end date is before the worker started", "离场日期早于进场日期"),
    ("the month {} is not open on this project", "本项目{0}月份不在监控中"),
    ("a worker appears twice on the wage sheet", "工资支付表上同一工人出现两次"),
    ("the works cannot be completed before the contract", "竣工日期不能早于施工合同签订日期"),
    (
        "a payment went to a card not the worker's on the roster",
        "工资未发放至花名册登记的本人银行卡",
    ),
    # domain/notices.py: which notice a case can print now
    ("WA-6: no order to pay was issued in this case", "WA-6：本案尚未责令限期支付"),
    ("MA-2: no mediation agreement was reached in this case", "MA-2：本案没有达成调解协议"),
    ("MA-4: the arbitration application is not decided yet", "MA-4：仲裁申请尚未作出受理决定"),
    ("MA-6: no hearing is scheduled in this case", "MA-6：本案尚未安排开庭"),
    ("SI-1: the acceptance letter is a pension transfer's", "SI-1：联系函只用于养老保险转移"),
    ("SI-1: the acceptance letter was not issued yet", "SI-1：尚未出具联系函"),
    (
        "SI-3: the medical transfer notice is a medical transfer's",
        "SI-3：医保转移接续通知只用于医疗保险转移",
    ),
    ("a {} case has no {} notice", "{0}没有「{1}」文书"),
    ("the case is closed: it takes no more files", "案件已结案，不能再添加文件"),
)

# The events a legal date may not precede (CAL-3), as the refusals name them.
PHRASES: Final[dict[str, str]] = {
    "the application": "申请之日",
    "the funds were sent": "基金转出之日",
    "the court accepted the application": "法院受理之日",
    "the application was accepted": "受理之日",
    "the respondent was served": "送达被申请人之日",
    "the award was made": "裁决作出之日",
    "the award": "裁决之日",
}

# The pages' label prefixes a value may be named by, in the order tried.
_LABEL_PREFIXES: Final = (
    "dl_",
    "status_",
    "state_",
    "role_",
    "field_",
    "action_",
    "enum_",
    "kind_",
)


@cache
def _labels() -> dict[str, str]:
    labels: dict[str, str] = json.loads(LABELS.read_text("utf-8"))["zh"]
    return labels


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    # The most literal words first: "the {} deadline is already paused" before "the {}
    # deadline is {}".
    ordered = sorted(ENTRIES, key=lambda entry: -len(entry[0].replace("{}", "")))
    return tuple(
        (re.compile("^" + "(.+?)".join(map(re.escape, english.split("{}"))) + "$", re.S), zh)
        for english, zh in ordered
    )


def _label(value: str) -> str:
    """A value of the sentence in the pages' word for it: each item of a list too."""
    if value in PHRASES:
        return PHRASES[value]
    labels = _labels()
    for separator, joiner in ((", ", "、"), (" or ", "或")):
        if separator in value:
            return joiner.join(_label(part) for part in value.split(separator))
    for prefix in _LABEL_PREFIXES:
        if prefix + value in labels:
            return labels[prefix + value]
    return value


def chinese(message: str) -> str | None:
    """The refusal's Chinese, or None for a sentence this table does not know."""
    for pattern, zh in _compiled():
        match = pattern.match(message)
        if match:
            return zh.format(*(_label(v.strip("'")) for v in match.groups()))
    return None
