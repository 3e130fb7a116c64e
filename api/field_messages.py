"""Each validation error in Chinese, for the pages to show beside the field (`msg_zh`).

Pydantic words its errors in English; a mediator filling in a form reads Chinese. The
sentence comes from the error's type (with the limits pydantic reports in `ctx`) or, for the
domain's own checks (`ValueError` raised by a validator), from the English sentence the
domain raised, so both stay declared once: the domain's message and the code that checks
it. A message with no translation falls back to a general Chinese sentence, never to
English; `tests/api/test_field_messages.py` fails when a domain check has no entry here.
"""

from __future__ import annotations

from typing import Any, Final

from domain import identity

# The domain's own validators' sentences (pydantic prefixes them with "Value error, ").
VALUE_ERRORS: Final[dict[str, str]] = {
    identity.RESIDENT_ID_LENGTH_ERROR: "居民身份证号码应为18位",
    identity.RESIDENT_ID_FORMAT_ERROR: "居民身份证号码应为17位数字加1位数字或X",
    identity.RESIDENT_ID_CHECK_ERROR: "居民身份证号码校验位不正确",
    identity.RESIDENT_ID_BIRTH_DATE_ERROR: "居民身份证号码中的出生日期无效",
    identity.CREDIT_CODE_LENGTH_ERROR: "统一社会信用代码应为18位",
    identity.CREDIT_CODE_CHARACTER_ERROR: "统一社会信用代码含有无效字符",
    identity.CREDIT_CODE_CHECK_ERROR: "统一社会信用代码校验位不正确",
    identity.MOBILE_ERROR: "手机号码应为以1开头的11位数字",
    "a bank card number is 16 to 19 digits": "银行卡号应为16至19位数字",
    "the bank card number's check digit is wrong": "银行卡号校验位不正确",
    "the dedicated wage account is opened within 30 days of the contract (PW-1)": (
        "农民工工资专用账户须在施工合同签订之日起30日内开立（PW-1）"
    ),
    "the same worker appears twice in the roster": "花名册上同一工人重复填写",
    "a rostered worker's subcontractor is not one of the project's": (
        "花名册上工人所属分包单位不属于本项目"
    ),
    "opened_by must belong to the project's county": "立项人须属于项目所在区县",
    "instants must carry a time zone": "时间须带时区",
    "give either days or to": "请填写天数或截止日期，二者只填其一",
    "to must carry a time zone": "截止时间须带时区",
    "a fixed deadline is not counted in days": "固定日期的时限不能按天数延长",
    "clue_number is required when source is platform_clue (WA-13)": (
        "来源为全国欠薪线索平台时须填写线索编号（WA-13）"
    ),
    "clue_number is only for source platform_clue": "只有来源为全国欠薪线索平台时才填写线索编号",
    "the same worker appears twice in workers": "同一名劳动者重复填写",
    "opened_by must belong to the case's county": "立案人须属于案件所在区县",
    "evidence_ref is required when confirming with evidence": "凭证据确认时须填写证据编号",
    "the old and new agencies must be in different regions": (
        "转出地和转入地经办机构须在不同统筹地区"
    ),
    "the application is opened by the new region's agency": "转移申请由转入地经办机构受理",
    "each contribution year appears once": "每个缴费年度只能填写一次",
    "a pension transfer needs the contribution history (SI-2)": (
        "养老保险转移须填写缴费记录（SI-2）"
    ),
    "a medical transfer needs old_coverage_ended_on and new_coverage_starts_on (SI-4)": (
        "医疗保险转移须填写原参保终止日和新参保开始日（SI-4）"
    ),
    "hearing_at must carry a time zone": "开庭时间须带时区",
    "claims are required for changed claims and counterclaims": (
        "变更仲裁请求或提出反请求时须填写请求事项"
    ),
    "the instant is outside years 1 to 9999 once in UTC": "时间超出可记录的范围",
}

# By pydantic's error type; `{name}` placeholders are filled from the error's `ctx`.
TYPE_MESSAGES: Final[dict[str, str]] = {
    "missing": "此项必填",
    "extra_forbidden": "不接受此字段",
    "string_type": "须为文字",
    "string_too_short": "至少{min_length}个字符",
    "string_too_long": "最多{max_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "too_short": "至少{min_length}项",
    "too_long": "最多{max_length}项",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "decimal_max_places": "最多{decimal_places}位小数",
    "decimal_max_digits": "最多{max_digits}位数字",
    "decimal_whole_digits": "整数部分最多{whole_digits}位",
    "greater_than": "须大于{gt}",
    "greater_than_equal": "须不小于{ge}",
    "less_than": "须小于{lt}",
    "less_than_equal": "须不大于{le}",
    "bool_parsing": "须为是或否",
    "bool_type": "须为是或否",
    "date_parsing": "日期格式应为 年-月-日",
    "date_from_datetime_parsing": "日期格式应为 年-月-日",
    "date_from_datetime_inexact": "只填日期，不填时间",
    "date_type": "须为日期",
    "datetime_parsing": "时间格式应为 年-月-日 时:分",
    "datetime_from_date_parsing": "时间格式应为 年-月-日 时:分",
    "datetime_type": "须为时间",
    "timezone_aware": "时间须带时区",
    "enum": "须为给出的选项之一",
    "literal_error": "须为给出的选项之一",
    "json_invalid": "不是有效的JSON",
    "json_type": "不是有效的JSON",
    "model_type": "格式不正确",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "list_type": "须为列表",
    "uuid_parsing": "须为有效的编号",
    "union_tag_invalid": "须为给出的选项之一",
    "union_tag_not_found": "缺少类型字段",
    # The API's own checks (api/access.py, api/routers/*.py).
    "actor_from_token": "操作人由登录身份确定，不能在请求中填写",
    "request_from_api": "请求编号由系统填写，不能在请求中填写",
    "base64": "不是有效的Base64编码",
    "case_scope": "不属于本案",
    "value": "与请求正文不一致",
    "wrong_year": "日期不在所载年度内",
    "duplicate": "日期重复",
    "holiday_and_workday": "同一天不能既是节假日又是调休工作日",
    "makeup_on_weekday": "调休工作日只能在周末",
}

FALLBACK: Final = "此项填写有误"
_VALUE_ERROR_PREFIX: Final = "Value error, "


def chinese(error: dict[str, Any]) -> str:
    """The Chinese sentence for one pydantic error dict (its `type`, `msg`, `ctx`)."""
    kind = str(error.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        said = str(error.get("msg", "")).removeprefix(_VALUE_ERROR_PREFIX)
        said = said.removeprefix("Assertion failed, ")
        return VALUE_ERRORS.get(said, FALLBACK)
    template = TYPE_MESSAGES.get(kind)
    if template is None:
        return FALLBACK
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return FALLBACK
