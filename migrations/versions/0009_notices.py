"""Official notices: the document numbers issued per county and year, each to one notice.

Revision ID: 0009
Revises: 0008
Created: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_counters",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_code", "year"),
    )
    op.create_table(
        "issued_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_key", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_key"),
        sa.UniqueConstraint("county_code", "year", "seq"),
    )
    op.create_index("ix_issued_notices_case_id", "issued_notices", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_issued_notices_case_id", table_name="issued_notices")
    op.drop_table("issued_notices")
    op.drop_table("notice_counters")
