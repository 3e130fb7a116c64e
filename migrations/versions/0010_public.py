"""The worker's window: one-time code challenges, workers' sessions, workers' requests for a
new mobile, and how a case came in.

Revision ID: 0010
Revises: 0009
Created: 2027-02-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_challenges",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("mobile_hash", sa.String(length=64), nullable=False),
        sa.Column("worker_no", sa.Integer(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_public_challenges_case_id", "public_challenges", ["case_id"])
    op.create_index("ix_public_challenges_mobile_hash", "public_challenges", ["mobile_hash"])
    op.create_index("ix_public_challenges_expires_at", "public_challenges", ["expires_at"])
    op.create_table(
        "public_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("worker_no", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("view_recorded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_public_sessions_expires_at", "public_sessions", ["expires_at"])
    op.create_table(
        "worker_mobile_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("worker_no", sa.Integer(), nullable=False),
        sa.Column("mobile_sealed", sa.String(length=1000), nullable=False),
        sa.Column("mobile_hash", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_worker_mobile_changes_case_id", "worker_mobile_changes", ["case_id"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("channel")
    op.drop_index("ix_worker_mobile_changes_case_id", table_name="worker_mobile_changes")
    op.drop_table("worker_mobile_changes")
    op.drop_index("ix_public_sessions_expires_at", table_name="public_sessions")
    op.drop_table("public_sessions")
    op.drop_index("ix_public_challenges_expires_at", table_name="public_challenges")
    op.drop_index("ix_public_challenges_mobile_hash", table_name="public_challenges")
    op.drop_index("ix_public_challenges_case_id", table_name="public_challenges")
    op.drop_table("public_challenges")
