"""One-time links: the random token goes to the person, only its hash is stored.

A link is used up by one conditional UPDATE (still unused, not expired): of several requests
racing with one link, only one changes the row, so only one goes on (an account created twice,
a password set twice). Use it first in the transaction that acts on it: a rollback gives it back.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import StaffToken, utcnow


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    session: AsyncSession, purpose: str, staff_id: int | None, ttl: timedelta
) -> str:
    """A new link token; earlier unused ones for the same purpose and person stop working."""
    now = utcnow()
    await session.execute(
        update(StaffToken)
        .where(
            StaffToken.purpose == purpose,
            StaffToken.staff_id.is_(None) if staff_id is None else StaffToken.staff_id == staff_id,
            StaffToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        StaffToken(
            token_hash=token_hash(token),
            purpose=purpose,
            staff_id=staff_id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def peek_token(session: AsyncSession, token: str, purpose: str) -> StaffToken | None:
    """The token's row if it is valid, without using it up."""
    row = await session.scalar(
        select(StaffToken).where(
            StaffToken.token_hash == token_hash(token), StaffToken.purpose == purpose
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


@dataclass(frozen=True)
class UsedToken:
    id: int
    staff_id: int | None


async def use_token(session: AsyncSession, token: str, purpose: str) -> UsedToken | None:
    """Use the link up, if it is still valid; None if it is not (or another request won it)."""
    now = utcnow()
    used = await session.execute(
        update(StaffToken)
        .where(
            StaffToken.token_hash == token_hash(token),
            StaffToken.purpose == purpose,
            StaffToken.used_at.is_(None),
            StaffToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(StaffToken.id, StaffToken.staff_id)
        .execution_options(synchronize_session=False)
    )
    row = used.first()
    return UsedToken(row.id, row.staff_id) if row is not None else None
