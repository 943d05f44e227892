"""Urgency that travels: when a case became urgent, was taken up, or its supervisors were told;
texts for staff group chats, kept until sent.

Revision ID: 0007
Revises: 0009
Create Date: 2026-12-02 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CASE_TIMES = ("urgent_at", "urgent_taken_at", "unclaimed_alerted_at")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for name in CASE_TIMES:
            batch.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "staff_chat_messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("case_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_staff_chat_messages_status", "staff_chat_messages", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_staff_chat_messages_status", table_name="staff_chat_messages")
    op.drop_table("staff_chat_messages")
    with op.batch_alter_table("cases") as batch:
        for name in reversed(CASE_TIMES):
            batch.drop_column(name)
