"""The board's kept counts (store/board.py): settled deadlines per county, kind, rule,
provisional flag and state, filled here from the rows already written and kept in step by
every later write of deadline rows.

Revision ID: 0011
Revises: 0008
Created: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "board_counts",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_code", "kind", "rule", "provisional", "state"),
    )
    # The same recount as store/board.py's `recount`, in SQL: every state but pending.
    op.execute(
        "INSERT INTO board_counts (county_code, kind, rule, provisional, state, count) "
        "SELECT county_code, kind, rule, provisional, state, count(*) FROM deadlines "
        "WHERE state IN ('met', 'breached', 'cancelled', 'abandoned') "
        "GROUP BY county_code, kind, rule, provisional, state"
    )


def downgrade() -> None:
    op.drop_table("board_counts")
