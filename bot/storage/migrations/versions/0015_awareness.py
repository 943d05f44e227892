"""Awareness messages: workers' opt-in, one delivery row per message and worker, templates.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("workers") as batch_op:
        batch_op.add_column(sa.Column("awareness_since", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("template", sa.JSON(), nullable=True))
    op.create_table(
        "awareness_deliveries",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("awareness_id", sa.String(length=64), nullable=False),
        sa.Column("worker_id", BIG_ID, nullable=False),
        sa.Column("message_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("awareness_id", "worker_id"),
    )
    with op.batch_alter_table("awareness_deliveries") as batch_op:
        batch_op.create_index("ix_awareness_deliveries_awareness", ["awareness_id", "status"])


def downgrade() -> None:
    with op.batch_alter_table("awareness_deliveries") as batch_op:
        batch_op.drop_index("ix_awareness_deliveries_awareness")
    op.drop_table("awareness_deliveries")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("template")
    with op.batch_alter_table("workers") as batch_op:
        batch_op.drop_column("awareness_since")
