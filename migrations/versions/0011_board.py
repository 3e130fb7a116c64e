"""The board's kept counts (store/board.py): deadlines per county, further counties that see
the case, kind, rule, provisional flag and state, filled here from the rows already written
(`store.board.recount`) and kept in step by every later write of deadline rows.

Revision ID: 0011
Revises: 0010
Created: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "board_counts",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("seen_by", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_code", "seen_by", "kind", "rule", "provisional", "state"),
    )
    # The board's clock ranges past a warning time, and its order within a county.
    op.create_index(
        "ix_deadlines_warn",
        "deadlines",
        ["state", "paused", "warn_at", "due_at", "county_code", "case_id"],
    )
    op.create_index(
        "ix_deadlines_county_warn",
        "deadlines",
        ["county_code", "state", "paused", "warn_at", "due_at", "case_id"],
    )
    op.create_index(
        "ix_deadlines_county_order",
        "deadlines",
        ["county_code", sa.literal_column("priority DESC"), "due_at", "case_id", "name"],
    )
    # The counts of the rows already there: the same function the application repairs with.
    from store.board import recount

    recount(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_deadlines_county_order", table_name="deadlines")
    op.drop_index("ix_deadlines_county_warn", table_name="deadlines")
    op.drop_index("ix_deadlines_warn", table_name="deadlines")
    op.drop_table("board_counts")
