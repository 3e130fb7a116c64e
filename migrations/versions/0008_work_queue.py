"""The work queue: who each case waits for, and how a wage-arrears case came in.

Rows written before this revision wait for no one until their case's next change writes its
snapshot again (or `manage.py rebuild-read-model` rewrites every row).

Revision ID: 0008
Revises: 0007
Created: 2027-01-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("source", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column("awaiting", sa.String(length=400), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("awaiting")
        batch.drop_column("source")
