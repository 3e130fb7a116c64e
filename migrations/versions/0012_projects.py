"""The project payroll watch (PW rules): projects, their months, their rosters.

No personal data: a worker is a number on the project's roster (the names, ID numbers and
mobiles stay in the project's workflow, encrypted).

Revision ID: 0012
Revises: 0011
Created: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("general_contractor", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("risk", sa.String(length=20), nullable=False),
        sa.Column("risk_month", sa.String(length=7), nullable=True),
        sa.Column("risk_amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("breaches_in_a_row", sa.Integer(), nullable=False),
        sa.Column("open_case_id", sa.String(length=40), nullable=True),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.create_index("ix_projects_county_risk", "projects", ["county_code", "risk"])
    op.create_table(
        "project_months",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("funded", sa.Numeric(14, 2), nullable=True),
        sa.Column("funding_late", sa.Boolean(), nullable=False),
        sa.Column("sheet_confirmed", sa.Boolean(), nullable=False),
        sa.Column("paid_in_full", sa.Boolean(), nullable=False),
        sa.Column("breached_workers", sa.Integer(), nullable=False),
        sa.Column("owed", sa.Numeric(14, 2), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=True),
        sa.Column("workers", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("project_id", "month"),
    )
    op.create_table(
        "project_workers",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("worker_no", sa.Integer(), nullable=False),
        sa.Column("subcontractor", sa.String(length=18), nullable=False),
        sa.Column("start_on", sa.String(length=10), nullable=False),
        sa.Column("end_on", sa.String(length=10), nullable=True),
        sa.Column("card_last4", sa.String(length=4), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "worker_no"),
    )


def downgrade() -> None:
    op.drop_table("project_workers")
    op.drop_table("project_months")
    op.drop_index("ix_projects_county_risk", table_name="projects")
    op.drop_table("projects")
