"""A worker's consent to awareness messages: kept on their row, every change audited.

The worker row is per channel, so the consent is for that channel; the audit entry says
which, when, and the message that asked (ids only, never what was written). Opting out also
withdraws what was queued for them and not yet handed to the channel: after "STOP INFO"
nothing more arrives.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AuditEntry, AwarenessDelivery, Message, MessageStatus, Origin, Worker

OPT_IN = "awareness_opt_in"
OPT_OUT = "awareness_opt_out"
WITHDRAWN = "withdrawn"  # an awareness_deliveries status: queued, then the worker opted out


async def record(
    session: AsyncSession,
    worker_id: int,
    *,
    was: bool,
    subscribed: bool,
    at: datetime,
    message_id: int | None,
) -> bool:
    """Set the worker's consent (`was`: subscribed before this message); True if it changed
    (and an audit entry was added)."""
    if subscribed == was:
        return False
    channel = await session.scalar(
        update(Worker)
        .where(Worker.id == worker_id)
        .values(awareness_since=at if subscribed else None)
        .returning(Worker.channel)
        .execution_options(synchronize_session=False)
    )
    withdrawn = 0 if subscribed else await _withdraw(session, worker_id)
    data: dict[str, object] = {"worker_id": worker_id, "channel": channel, "message_id": message_id}
    if withdrawn:
        data["withdrawn"] = withdrawn
    session.add(
        AuditEntry(
            at=at,
            staff_id=None,
            case_id=None,
            action=OPT_IN if subscribed else OPT_OUT,
            data=data,
        )
    )
    return True


async def _withdraw(session: AsyncSession, worker_id: int) -> int:
    """Awareness messages still waiting for this worker go (one being sent cannot be stopped)."""
    waiting = (
        await session.scalars(
            select(Message.id).where(
                Message.worker_id == worker_id,
                Message.origin == Origin.AWARENESS,
                Message.status.in_((MessageStatus.PENDING, MessageStatus.HELD)),
            )
        )
    ).all()
    if not waiting:
        return 0
    await session.execute(
        update(AwarenessDelivery)
        .where(AwarenessDelivery.message_id.in_(waiting))
        .values(status=WITHDRAWN, message_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(Message).where(Message.id.in_(waiting)).execution_options(synchronize_session=False)
    )
    return len(waiting)
