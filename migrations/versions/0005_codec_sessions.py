"""Codec sessions: the Temporal UI's cookie, a hashed random id with an expiry, tied to the
bearer token it was opened with.

Revision ID: 0005
Revises: 0003
Created: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "codec_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_codec_sessions_token_id", "codec_sessions", ["token_id"])
    op.create_index("ix_codec_sessions_expires_at", "codec_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_codec_sessions_expires_at", table_name="codec_sessions")
    op.drop_index("ix_codec_sessions_token_id", table_name="codec_sessions")
    op.drop_table("codec_sessions")
