"""Visible messages: the channel's ids of what shows in a worker's chat, for "delete this chat".

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "visible_messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("worker_id", BIG_ID, nullable=False),
        sa.Column("message_id", BIG_ID, nullable=True),
        sa.Column("visible_id", sa.String(length=128), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("worker_id", "visible_id"),
    )
    with op.batch_alter_table("visible_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visible_messages_worker", ["worker_id", "deleted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("visible_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_visible_messages_worker")
    op.drop_table("visible_messages")
