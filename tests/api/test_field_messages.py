"""Each 422's details carry the field's error in Chinese (`msg_zh`), from the error's type or
the domain's own sentence; no domain check is left without a translation."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import AfterValidator, BaseModel, Field

from api import field_messages
from api.errors import error_body, install_error_handlers
from domain.identity import normalise_mobile, normalise_resident_id

ROOT = Path(__file__).resolve().parents[2]


def _raised_messages() -> list[tuple[str, str]]:
    """Every literal (or module constant) sentence a `raise ValueError(...)` in domain/ or
    api/ gives pydantic, with where it is raised."""
    found = []
    for path in sorted([*ROOT.glob("domain/**/*.py"), *ROOT.glob("api/**/*.py")]):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", "") == "ValueError"
                and node.exc.args
            ):
                continue
            arg = node.exc.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((arg.value, f"{module}:{node.lineno}"))
            elif isinstance(arg, ast.Name) and arg.id.isupper():
                value = getattr(importlib.import_module(module), arg.id)
                found.append((value, f"{module}:{node.lineno}"))
    return found


# Raised outside any pydantic model (a programming error, not a user's input).
NOT_INPUT = {"concurrency must be at least 1"}


def test_every_domain_check_has_its_chinese_sentence() -> None:
    messages = _raised_messages()
    assert len(messages) > 15  # the scan found the checks
    missing = [
        (m, where)
        for m, where in messages
        if m not in field_messages.VALUE_ERRORS and m not in NOT_INPUT
    ]
    assert not missing


ResidentId = Annotated[str, AfterValidator(normalise_resident_id)]
Mobile = Annotated[str, AfterValidator(normalise_mobile)]


class Worker(BaseModel):
    name: str = Field(min_length=1, max_length=5)
    id_number: ResidentId
    mobile: Mobile
    months: int = Field(ge=1)


app = FastAPI()
install_error_handlers(app)


@app.post("/w")
def take(worker: Worker) -> dict[str, str]:
    return {"ok": "yes"}


def _details(body: dict[str, Any]) -> dict[str, str]:
    response = TestClient(app).post("/w", json=body)
    assert response.status_code == 422
    return {d["loc"][-1]: d["msg_zh"] for d in response.json()["error"]["details"]}


def test_a_422_says_each_field_in_chinese() -> None:
    details = _details(
        {
            "name": "王小明先生您好",
            "id_number": "110101199003074511",
            "mobile": "2381234",
            "months": 0,
        }
    )
    assert details == {
        "name": "最多5个字符",
        "id_number": "居民身份证号码校验位不正确",
        "mobile": "手机号码应为以1开头的11位数字",
        "months": "须不小于1",
    }


def test_a_missing_field_and_a_wrong_type() -> None:
    details = _details({"name": "王", "id_number": "11010119900307451X", "months": "three"})
    assert details["mobile"] == "此项必填"
    assert details["months"] == "须为整数"


@pytest.mark.parametrize(
    "detail",
    [
        {"type": "something_new", "msg": "whatever"},
        {"type": "value_error", "msg": "Value error, a sentence nobody translated"},
        {"type": "string_too_long", "msg": "x", "ctx": {}},
    ],
)
def test_an_untranslated_error_falls_back_to_chinese_never_english(detail: dict[str, Any]) -> None:
    assert field_messages.chinese(detail) == field_messages.FALLBACK


def test_the_api_own_details_gain_msg_zh() -> None:
    body = error_body(
        "invalid_input",
        "x",
        [{"loc": ["body", "actor"], "msg": "not accepted", "type": "actor_from_token"}],
    )
    assert body["error"]["details"][0]["msg_zh"].startswith("操作人由登录身份确定")
