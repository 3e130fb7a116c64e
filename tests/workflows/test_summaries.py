"""What the Temporal UI shows of a case: its static summary (kind, counties, rule ids) and a
summary on each timer naming the deadline and its rule ("WA-1 清偿时限"). Both are stored
and shown unencrypted, so neither may hold personal data."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType

from domain import kinds
from domain.wage_arrears.models import WageArrearsIntake
from tests import factories as f
from tests.workflows.conftest import Harness
from tests.workflows.scenarios import _dispute_intake

# A rule id and a fixed label, and nothing else: no digits beyond the rule's number.
TIMER_SUMMARY = re.compile(r"^[A-Z]{2}-\d{1,2} [^\d\s]+( 预警)?$")


def _personal(intake: Any) -> list[str]:
    """Every name, ID number and mobile of the people in an intake."""
    data = intake.model_dump(mode="json")
    people = data.get("workers") or [data.get("worker")]
    return [str(p[field]) for p in people for field in ("name", "id_number", "mobile")]


def test_a_case_s_static_summary_names_its_kind_counties_and_rules_only() -> None:
    intakes = {
        "wage_arrears": WageArrearsIntake.model_validate(f.intake(workers=3)),
        "dispute": _dispute_intake(),
    }
    for name, intake in intakes.items():
        kind = kinds.named(name)
        summary = kind.summary(intake)
        assert summary.startswith(f"{name} · {f.COUNTY} · {kind.prefix}-")
        assert "\n" not in summary
        for value in _personal(intake):
            assert value not in summary
        assert not re.search(r"\d{7,}", summary)  # no ID number or mobile of anyone


def test_every_deadline_of_every_kind_has_a_label_and_its_timer_summary_is_rule_and_label() -> None:
    for kind in kinds.KINDS:
        for label in kind.deadline_labels.values():
            assert TIMER_SUMMARY.match(f"{kind.prefix}-1 {label}"), label


async def test_the_timers_of_a_case_name_their_deadline_and_rule(harness: Harness) -> None:
    """WA-1: a general case sleeps until its settle deadline; the timer says so."""
    handle = await harness.open_case(f.intake())
    await harness.env.sleep(timedelta(days=5))
    history = await handle.fetch_history()
    summaries = []
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_TIMER_STARTED:
            continue
        payload = event.user_metadata.summary
        assert payload.data, "every timer of a case carries a summary"
        summaries.append(await harness.client.data_converter.decode([payload], [str]))
    shown = [s[0] for s in summaries]
    assert "WA-1 清偿时限 预警" in shown or "WA-1 清偿时限" in shown
    for summary in shown:
        assert TIMER_SUMMARY.match(summary), summary
    intake = WageArrearsIntake.model_validate(f.intake())
    for value in _personal(intake):
        assert all(value not in s for s in shown)
