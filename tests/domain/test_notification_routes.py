"""The routing table: every kind the case workflows write reaches someone, SMS and group
messages hold no personal data, and the sentences are filled in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.common import Role
from domain.notification_routes import ROUTES, group_message, route, sentence, sms_text
from domain.notifications import notify

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
RUNGS = ("contractor_pays", "emergency_advance", "mediation", "police")


def written_kinds() -> set[str]:
    """The kinds the transitions write, read from their source."""
    kinds: set[str] = set()
    for path in DOMAIN.glob("*/transitions.py"):
        text = path.read_text("utf-8")
        kinds |= set(re.findall(r"_notify\(\s*state,\s*\"([a-z_]+)\"", text))
        kinds |= set(re.findall(r"_tell_worker|\"(worker_notified)\"", text)) - {""}
    kinds |= {f"{rung}_recorded" for rung in RUNGS}
    return kinds


def test_every_kind_the_workflows_write_has_a_route_with_recipients() -> None:
    kinds = written_kinds()
    assert {"deadline_breached", "triage_needed", "worker_notified"} <= kinds
    missing = kinds - set(ROUTES)
    assert not missing, missing
    for kind in kinds:
        r = ROUTES[kind]
        assert r.roles or r.written or r.opener or r.workers, kind
        assert r.rule and r.zh and r.en, kind
        if r.workers:
            assert r.sms, kind


def test_an_unknown_kind_still_reaches_the_supervisors() -> None:
    assert Role.supervisor in route("something_new").roles


@pytest.mark.parametrize("kind", sorted(k for k, r in ROUTES.items() if r.workers))
def test_sms_texts_carry_the_case_number_and_no_personal_data(kind: str) -> None:
    note = notify(
        "WA-2026-000001", "140105", kind, "k", None, step="documents_missing", missing="劳动合同"
    )
    text = sms_text(note)
    assert "WA-2026-000001" in text and "{" not in text
    assert not re.search(r"\d{17}[\dXx]|1[3-9]\d{9}", text)
    if not ROUTES[kind].requested:
        assert "承办人员" in text  # how to stop them


def test_group_messages_carry_case_county_rule_and_due_only() -> None:
    note = notify(
        "WA-2026-000001",
        "140105",
        "deadline_breached",
        "settle:2026-11-26T16:00:00+00:00",
        Role.inspector,
        deadline="settle",
        rule="WA-1",
    )
    message = group_message(note)
    assert set(message) == {"case_id", "county_code", "kind", "rule", "due", "text"}
    assert message["due"] == "2026-11-27 00:00" and "小店区" in message["text"]
    assert "WA-1" in sentence(note) and "已超时" in sentence(note)
    assert "breached" in sentence(note, "en")
