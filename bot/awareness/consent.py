"""A worker's consent to awareness messages: kept on their row, every change audited.

The worker row is per channel, so the consent is for that channel; the audit entry says
which, when, and the message that asked (ids only, never what was written).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AuditEntry, Worker

OPT_IN = "awareness_opt_in"
OPT_OUT = "awareness_opt_out"


def record(
    session: AsyncSession,
    worker: Worker,
    subscribed: bool,
    *,
    at: datetime,
    message_id: int | None,
) -> bool:
    """Set the worker's consent; True if it changed (and an audit entry was added)."""
    if subscribed == (worker.awareness_since is not None):
        return False
    worker.awareness_since = at if subscribed else None
    session.add(
        AuditEntry(
            at=at,
            staff_id=None,
            case_id=None,
            action=OPT_IN if subscribed else OPT_OUT,
            data={"worker_id": worker.id, "channel": worker.channel, "message_id": message_id},
        )
    )
    return True
