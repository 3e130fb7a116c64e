"""The audit trail's CSV never hands a spreadsheet a formula (api/exports.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from api.exports import history_csv
from api.schemas import CaseHistory, HistoryEntry

FORMULAS = ["=1+1", "+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "|calc", "%0A"]


def test_formula_cells_are_exported_as_text() -> None:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    timeline = CaseHistory(
        case_id="WA-2026-000001",
        events=[
            HistoryEntry(event_id=i, time=at, kind="human", what="close", reason=reason)
            for i, reason in enumerate([*FORMULAS, "-3000.00", "paid in full"], start=1)
        ],
    )
    rows = list(csv.DictReader(io.StringIO(history_csv(timeline))))
    reasons = [row["reason"] for row in rows]
    assert reasons[: len(FORMULAS)] == ["'" + r.replace("|", "\\|") for r in FORMULAS]
    # Numbers and plain text stay as they are.
    assert reasons[len(FORMULAS) :] == ["-3000.00", "paid in full"]


def test_each_time_is_given_in_china_standard_time_too() -> None:
    # 23:30 UTC on 4 January is 07:30 on 5 January in Beijing.
    at = datetime(2026, 1, 4, 23, 30, tzinfo=UTC)
    timeline = CaseHistory(
        case_id="WA-2026-000001",
        events=[HistoryEntry(event_id=1, time=at, kind="human", what="close", reason="结案")],
    )
    row = next(csv.DictReader(io.StringIO(history_csv(timeline))))
    assert row["time"] == "2026-01-04T23:30:00+00:00"
    assert row["time_cst"] == "2026-01-05 07:30:00"
