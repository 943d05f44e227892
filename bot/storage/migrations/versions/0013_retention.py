"""Retention: when a closed case lost its personal data (bot/cases/retention.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_cases_status_closed_at", ["status", "closed_at"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index("ix_cases_status_closed_at")
        batch_op.drop_column("anonymised_at")
