"""The audit trail as CSV, for spreadsheets.

Spreadsheets run a cell that starts with `=`, `+`, `-`, `@` (and, in some, `|`, `%`, a tab
or a carriage return) as a formula, so a reason typed by anyone could run on the reader's
machine. `defusedcsv` quotes the formula prefixes (a leading `'`, numbers such as `-3.00`
left alone); tab and carriage return, which it lets through, are quoted here the same way.

Excel and WPS take a CSV without a byte-order mark for the machine's code page (GBK on a
Chinese desktop) and garble every Chinese reason: the download starts with the UTF-8 BOM
(`CSV_BOM`). Each time is there twice: `time` in ISO 8601 with its offset, for programs,
and `time_cst` as the pages show it, for people.
"""

from __future__ import annotations

import io
import json
from typing import Any

from defusedcsv import csv

from api.schemas import CaseHistory, HistoryEntry
from domain.common import CST

_CONTROL_PREFIXES = ("\t", "\r")
CSV_BOM = "\ufeff"

CSV_COLUMNS = [
    "event_id",
    "time",
    "time_cst",
    "kind",
    "what",
    "actor_id",
    "actor_role",
    "actor_county",
    "reason",
    "status_before",
    "status_after",
    "outcome",
    "deadlines_fired",
    "notifications",
    "linked_case_id",
    "details",
]


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_CONTROL_PREFIXES):
        return "'" + value
    return value


def _fired(entry: HistoryEntry) -> str:
    return "; ".join(
        f"{f.get('deadline')} ({f.get('rule')}) {f.get('outcome')}"
        for f in entry.details.get("fired", [])
    )


def history_csv(timeline: CaseHistory) -> str:
    """One row per entry; the details column keeps the rest as JSON."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in timeline.events:
        actor = e.actor or {}
        details = e.details
        row = [
            e.event_id,
            e.time.isoformat(),
            # As the pages show it: China Standard Time, without the offset a spreadsheet
            # would not read as a time.
            e.time.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S"),
            e.kind,
            e.what,
            actor.get("id", "system" if e.kind == "system" else ""),
            actor.get("role", ""),
            actor.get("county_code", ""),
            e.reason or "",
            e.status_before or "",
            e.status_after or "",
            e.outcome or "",
            _fired(e),
            "; ".join(str(k) for k in details.get("kinds", [])),
            details.get("case_id") or details.get("linked_case_id") or "",
            json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        ]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
