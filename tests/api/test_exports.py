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
