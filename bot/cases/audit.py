"""The audit log: every view and change of a case and of an account, with who and when.

Entries carry ids, codes and names of queues or statuses, never what a worker wrote.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AuditEntry, utcnow


def audit(
    session: AsyncSession,
    action: str,
    *,
    staff_id: int | None,
    case_id: int | None = None,
    **data: Any,
) -> None:
    session.add(
        AuditEntry(at=utcnow(), staff_id=staff_id, case_id=case_id, action=action, data=data)
    )
