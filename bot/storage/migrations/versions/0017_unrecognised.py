"""Learning from use: messages the bot did not understand, scrubbed (bot/learning).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unrecognised",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("guess", sa.String(64), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column(
            "labelled_by",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("staff.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_unrecognised_status_fingerprint", "unrecognised", ["status", "fingerprint"])
    op.create_index("ix_unrecognised_created_at", "unrecognised", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_unrecognised_created_at", "unrecognised")
    op.drop_index("ix_unrecognised_status_fingerprint", "unrecognised")
    op.drop_table("unrecognised")
