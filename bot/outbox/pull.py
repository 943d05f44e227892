"""Channels whose own client fetches what was sent (the web chat page, the terminal).

Nothing can be pushed to them: the outbox's `PullSender` marks a message sent ("stored for the
worker's client"), and the client reads it with `since(...)`, which marks what it hands over
delivered. A reply to a worker's own message comes back in place (the chat request's answer)
and is stored sent at once; everything else, an officer's words and news of the case, is what
these clients fetch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import QuickReply
from bot.outbox.types import Outgoing, Sent
from bot.storage.models import Direction, Message, MessageStatus, Origin

# At most this many messages per fetch; the client asks again from the last one.
LIMIT = 100
_WAITING = (MessageStatus.PENDING, MessageStatus.SENDING)
_DELIVERED = (MessageStatus.DELIVERED, MessageStatus.READ)


class PullSender:
    """The outbox's sender for a channel the worker's client fetches from: nothing to send."""

    async def send(self, message: Outgoing) -> Sent:
        return Sent(channel_message_id=None)


@dataclass(frozen=True, slots=True)
class Fetched:
    id: int
    text: str
    officer: bool  # an officer's own words, rather than the helpline's
    quick_replies: tuple[QuickReply, ...] = ()


def _fetchable() -> ColumnElement[bool]:
    """Outbound messages the client fetches: not answers given in place, not instructions.

    Answers given in place are stored "sent" without a send time and point at the message they
    answer (after "delete my data" they point at nothing, hence the send time)."""
    return and_(
        Message.direction == Direction.OUT,
        Message.in_reply_to.is_(None),
        or_(Message.origin.is_(None), Message.origin == Origin.OFFICER),
        or_(
            Message.status.in_((*_WAITING, *_DELIVERED)),
            and_(Message.status == MessageStatus.SENT, Message.sent_at.is_not(None)),
        ),
    )


async def resume_point(session: AsyncSession, worker_id: int) -> int:
    """Where a client that knows nothing yet starts: before the oldest message it has not
    fetched, or after the newest one (a new tab shows what arrived while none was open)."""
    unfetched = await session.scalar(
        select(func.min(Message.id)).where(
            Message.worker_id == worker_id,
            _fetchable(),
            Message.status.not_in(_DELIVERED),
        )
    )
    if unfetched is not None:
        return int(unfetched) - 1
    newest = await session.scalar(
        select(func.max(Message.id)).where(Message.worker_id == worker_id)
    )
    return int(newest or 0)


async def since(
    session: AsyncSession, worker_id: int, after: int, *, now: datetime, limit: int = LIMIT
) -> list[Fetched]:
    """The worker's fetchable messages after message `after`, oldest first, now delivered."""
    rows = (
        await session.scalars(
            select(Message)
            .where(Message.worker_id == worker_id, Message.id > after, _fetchable())
            .order_by(Message.id)
            .limit(limit)
        )
    ).all()
    await _delivered(session, [m.id for m in rows if m.status not in _DELIVERED], now)
    return [
        Fetched(
            m.id,
            m.text,
            m.origin == Origin.OFFICER,
            tuple(QuickReply(q["title"], q["payload"]) for q in m.quick_replies or ()),
        )
        for m in rows
    ]


async def _delivered(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    if not ids:
        return
    await session.execute(
        update(Message)
        .where(Message.id.in_(ids), Message.status.not_in(_DELIVERED))
        .values(
            status=MessageStatus.DELIVERED,
            status_at=now,
            sent_at=func.coalesce(Message.sent_at, now),
            lease_until=None,
            error=None,
        )
    )
