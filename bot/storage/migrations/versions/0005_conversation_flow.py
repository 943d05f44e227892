"""A complaint in progress in a column of its own (encrypted JSON), out of the dialogue state.

The engine used to keep it, encrypted by hand, as a string under `state["flow"]`. That string
is already what the encrypted column stores (the Fernet token of the JSON), so rows move over
as they are, without the keys.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:30:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
conversations = sa.table(
    "conversations",
    sa.column("id", BIG_ID),
    sa.column("state", sa.JSON()),
    sa.column("flow", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flow", sa.Text(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(conversations.c.id, conversations.c.state)).all()
    for row_id, state in rows:
        if not isinstance(state, dict) or "flow" not in state:
            continue
        rest: dict[str, Any] = {k: v for k, v in state.items() if k != "flow"}
        sealed = state["flow"] if isinstance(state["flow"], str) else None
        connection.execute(
            sa.update(conversations)
            .where(conversations.c.id == row_id)
            .values(state=rest, flow=sealed)
        )


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(conversations.c.id, conversations.c.state, conversations.c.flow).where(
            conversations.c.flow.is_not(None)
        )
    ).all()
    for row_id, state, sealed in rows:
        connection.execute(
            sa.update(conversations)
            .where(conversations.c.id == row_id)
            .values(state={**(state or {}), "flow": sealed})
        )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("flow")
