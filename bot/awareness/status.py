"""What the dashboard shows of each awareness message: when, where, and how far it went."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.awareness.consent import WITHDRAWN
from bot.awareness.content import Notice
from bot.awareness.job import NO_TEMPLATE
from bot.storage.models import AwarenessDelivery, Message, MessageStatus

SENT = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)
FAILED = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)


@dataclass
class Progress:
    notice: Notice
    state: str  # "scheduled" | "sending" | "sent" | "expired"
    # queued, sent, failed (of the queued); no_template; withdrawn (opted out before sending)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return (
            self.counts.get("queued", 0) - self.counts.get("sent", 0) - self.counts.get("failed", 0)
        )


async def progress(
    session: AsyncSession, notices: Sequence[Notice], now: datetime
) -> list[Progress]:
    """Every message with its counts, newest first."""
    rows = await session.execute(
        select(
            AwarenessDelivery.awareness_id,
            AwarenessDelivery.status,
            Message.status,
            func.count(),
        )
        .outerjoin(Message, Message.id == AwarenessDelivery.message_id)
        .group_by(AwarenessDelivery.awareness_id, AwarenessDelivery.status, Message.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for awareness_id, delivery, message, n in rows:
        per = counts.setdefault(awareness_id, {})
        if delivery == NO_TEMPLATE:
            keys = ["no_template"]
        elif delivery == WITHDRAWN:
            keys = ["withdrawn"]
        else:
            keys = ["queued"]
            if message in SENT:
                keys.append("sent")
            elif message in FAILED:
                keys.append("failed")
        for key in keys:
            per[key] = per.get(key, 0) + int(n)
    found = []
    for notice in sorted(notices, key=lambda n: n.send_after, reverse=True):
        got = counts.get(notice.id, {})
        found.append(Progress(notice, _state(notice, got, now), got))
    return found


def _state(notice: Notice, counts: dict[str, int], now: datetime) -> str:
    if now < notice.send_after:
        return "scheduled"
    unsent = counts.get("queued", 0) - counts.get("sent", 0) - counts.get("failed", 0)
    if now >= notice.expires:
        return "expired" if unsent else "sent"
    return "sending"
