"""Indexes for the SLA board and the case lists (BENCHMARKS.md §3); the single-column
indexes they make redundant go.

Revision ID: 0002
Revises: 0001
Created: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_county_status",
        "cases",
        ["county_code", "status", "priority", "next_due_at", "opened_at"],
    )
    op.drop_index("ix_cases_county_code", table_name="cases")
    op.create_index(
        "ix_deadlines_board",
        "deadlines",
        ["state", "paused", "due_at", "warn_at", "county_code", "case_id"],
    )
    op.create_index(
        "ix_deadlines_county_board",
        "deadlines",
        ["county_code", "state", "paused", "due_at", "warn_at", "case_id"],
    )
    op.create_index(
        "ix_deadlines_order",
        "deadlines",
        [sa.literal_column("priority DESC"), "due_at", "case_id", "name"],
    )
    op.drop_index("ix_deadlines_county_code", table_name="deadlines")
    op.drop_index("ix_deadlines_state", table_name="deadlines")


def downgrade() -> None:
    op.create_index("ix_deadlines_state", "deadlines", ["state"])
    op.create_index("ix_deadlines_county_code", "deadlines", ["county_code"])
    op.drop_index("ix_deadlines_order", table_name="deadlines")
    op.drop_index("ix_deadlines_county_board", table_name="deadlines")
    op.drop_index("ix_deadlines_board", table_name="deadlines")
    op.create_index("ix_cases_county_code", "cases", ["county_code"])
    op.drop_index("ix_cases_county_status", table_name="cases")
