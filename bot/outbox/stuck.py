"""Outbound messages that did not get through: what the case page warns the officer about."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Direction, Message, MessageStatus

# Sending takes seconds; a message still unsent after this is stuck.
PATIENCE = timedelta(minutes=1)
_UNSENT = (MessageStatus.PENDING, MessageStatus.SENDING)
_FAILED = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)


async def stuck_count(
    session: AsyncSession, worker_id: int, *, now: datetime, patience: timedelta = PATIENCE
) -> int:
    """How many messages to the worker are unsent or failed, and were queued before
    `now - patience`."""
    count = await session.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            Message.worker_id == worker_id,
            Message.direction == Direction.OUT,
            Message.created_at <= now - patience,
            Message.status.in_((*_UNSENT, *_FAILED)),
        )
    )
    return int(count or 0)
