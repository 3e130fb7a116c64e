"""Every refusal the domain raises has its Chinese (`message_zh`), with the case's own words
for the values it names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from api import refusal_messages
from api.errors import error_body

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = {"ActionNotAllowed", "InvalidActionInput", "Forbidden"}


def _sample(node: ast.expr) -> str | None:
    """The sentence a raise gives, with `x1`, `x2`… for the values an f-string puts in."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts, n = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                n += 1
                parts.append(f"x{n}")
        return "".join(parts)
    return None


def _refusals() -> list[tuple[str, str]]:
    """Every refusal sentence of the domain: the literal a refusal is raised with, or, where
    a check raises the sentence it was given, each literal passed as its `refusal=` (or
    assigned to a `refusal` it passes on)."""
    found = []
    for path in sorted(ROOT.glob("domain/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "refusal" for t in node.targets)
                and (sample := _sample(node.value)) is not None
            ):
                found.append((sample, where))
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "refusal" and not isinstance(keyword.value, ast.Name):
                        sample = _sample(keyword.value)
                        assert sample is not None, f"{where}: not a literal sentence"
                        found.append((sample, where))
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", "") in REFUSALS
                and node.exc.args
            ):
                arg = node.exc.args[0]
                if isinstance(arg, ast.Name) and arg.id == "refusal":
                    continue  # a factory's: its sentences are the `refusal=` literals
                sample = _sample(arg)
                assert sample is not None, f"{where}: not a literal sentence"
                found.append((sample, where))
    return found


def test_every_refusal_of_the_domain_has_its_chinese() -> None:
    refusals = _refusals()
    assert len(refusals) > 80  # the scan found them
    missing = [(s, where) for s, where in refusals if refusal_messages.chinese(s) is None]
    assert not missing


@pytest.mark.parametrize(
    ("message", "zh"),
    [
        (
            "the payment exceeds what worker 1 is still owed (3000.00)",
            "支付金额超过第1名劳动者尚欠的工资（3000.00）",
        ),
        ("the settle deadline is already paused", "「清偿时限」时限已中止计时"),
        ("the settle deadline is met", "「清偿时限」时限已完成"),
        (
            "record_payment is for the roles: inspector, mediator",
            "「登记付款」只能由以下角色办理：劳动监察员、调解员",
        ),
        ("WA-6: an order to pay is already running", "WA-6：责令限期支付正在执行中"),
    ],
)
def test_a_refusal_in_chinese_names_things_with_the_pages_words(message: str, zh: str) -> None:
    assert refusal_messages.chinese(message) == zh


def test_message_zh_is_the_refusal_own_chinese_else_the_code_sentence() -> None:
    refused = error_body("action_not_allowed", "WA-7: the wage guarantee deposit was already drawn")
    assert refused["error"]["message_zh"] == "WA-7：工资保证金已动用"
    other = error_body("action_not_allowed", "some sentence of tomorrow")
    assert other["error"]["message_zh"] == "案件当前状态不允许此操作"
    assert error_body("no_such_code", "x")["error"]["message_zh"] is None


def test_every_deadline_has_its_name_on_the_pages() -> None:
    import json

    from domain.insurance.rules import STEP_NAMES
    from domain.wage_arrears import rules as wa

    labels = json.loads((ROOT / "api/static/i18n.json").read_text("utf-8"))
    names = set(STEP_NAMES.values()) | {
        wa.SETTLE,
        wa.ORDER_TO_PAY,
        wa.DEPOSIT_PAYOUT,
        wa.COMPLAINT_ACCEPTANCE,
        wa.INVESTIGATION,
    }
    # Dispute clocks are named where they start (domain/dispute/transitions.py).
    text = (ROOT / "domain/dispute/transitions.py").read_text("utf-8")
    text += (ROOT / "domain/dispute/rules.py").read_text("utf-8")
    names |= {
        n
        for n in (
            "mediation",
            "acceptance",
            "service",
            "defence",
            "award",
            "suit",
            "worker_suit",
            "employer_revocation",
            "performance",
            "enforcement",
            "payment_order_issue",
            "payment_order_response",
        )
        if f'"{n}"' in text
    }
    assert len(names) > 15
    for lang in ("zh", "en"):
        assert not [n for n in sorted(names) if f"dl_{n}" not in labels[lang]]
