"""Signed-in browsers. The cookie (signed by Starlette's SessionMiddleware) holds a random
token; the table holds its hash, so signing out or disabling an account ends it at once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.staff.tokens import token_hash
from bot.storage.models import Staff, StaffSession, utcnow

LIFETIME = timedelta(hours=12)  # one shift
IDLE = timedelta(hours=2)
_TOUCH_EVERY = timedelta(minutes=1)


async def start_session(session: AsyncSession, staff: Staff) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            staff_id=staff.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
        )
    )
    staff.last_login_at = now
    return token


async def load_session(session: AsyncSession, token: str) -> Staff | None:
    """The signed-in, active staff member, or None (expired, idle, signed out, disabled)."""
    row = await session.scalar(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token))
    )
    now = utcnow()
    if row is None:
        return None
    if row.expires_at <= now or now - row.last_seen_at > IDLE:
        await session.delete(row)
        return None
    staff = await session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
    return staff


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))


async def end_all_sessions(session: AsyncSession, staff_id: int) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
