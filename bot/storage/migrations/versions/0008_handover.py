"""Working between organisations: referrals that the receiving organisation accepts or
declines, notes shared with the organisations holding a case, and daily digests sent.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("case_notes") as batch:
        batch.add_column(sa.Column("organisation", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Notes written so far: the author's organisation; those written for the organisation a
    # case was transferred or shared to were meant for them, so they stay shared.
    op.execute(
        "UPDATE case_notes SET organisation = (SELECT staff.organisation FROM staff"
        " WHERE staff.id = case_notes.staff_id)"
    )
    op.execute(
        "UPDATE case_notes SET organisation = (SELECT cases.organisation FROM cases"
        " WHERE cases.id = case_notes.case_id) WHERE organisation IS NULL"
    )
    op.execute("UPDATE case_notes SET shared = true WHERE kind IN ('transfer', 'share')")
    op.create_table(
        "referrals",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("from_organisation", sa.String(64), nullable=False),
        sa.Column("to_organisation", sa.String(64), nullable=False),
        sa.Column("to_queue", sa.String(64), nullable=False),
        sa.Column("referred_by", BIG_ID, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("previous_status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", BIG_ID, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["referred_by"], ["staff.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by"], ["staff.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_referrals_case_id", "referrals", ["case_id"])
    op.create_index("ix_referrals_to_status", "referrals", ["to_organisation", "status"])
    op.create_table(
        "digest_runs",
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation", "day"),
    )


def downgrade() -> None:
    op.drop_table("digest_runs")
    op.drop_index("ix_referrals_to_status", table_name="referrals")
    op.drop_index("ix_referrals_case_id", table_name="referrals")
    op.drop_table("referrals")
    with op.batch_alter_table("case_notes") as batch:
        batch.drop_column("shared")
        batch.drop_column("organisation")
