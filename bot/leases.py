"""Leases: one process at a time does what a row of `leases` names, until the lease expires.

Claimed and renewed by one conditional UPDATE (the row is free, expired, or already ours), so
of several processes only one holds it, on SQLite and on PostgreSQL alike; a process that
dies simply stops renewing, and another takes over once `expires_at` passed. Holders are
random ids (`new_holder()`), never anything personal.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import Lease

_FREE = datetime(1970, 1, 1, tzinfo=UTC)


def new_holder() -> str:
    """A holder's id: random, one per thing that claims (a process's Telegram channel)."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Held:
    holder: str | None
    expires_at: datetime
    value: str | None


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    holder: str,
    *,
    now: datetime,
    ttl: timedelta,
) -> bool:
    """Take or renew the lease `name` for `ttl`; True if `holder` now holds it."""
    async with sessions.begin() as session:
        taken = await session.execute(
            update(Lease)
            .where(
                Lease.name == name,
                or_(Lease.holder == holder, Lease.holder.is_(None), Lease.expires_at <= now),
            )
            .values(holder=holder, expires_at=now + ttl, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return True
        if await session.get(Lease, name) is not None:
            return False
        try:  # the first claim anywhere
            async with session.begin_nested():
                session.add(Lease(name=name, holder=holder, expires_at=now + ttl, updated_at=now))
        except IntegrityError:
            return False  # another process made the row first, and holds it
    return True


async def release(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    holder: str,
    *,
    now: datetime,
    value: str | None = None,
) -> None:
    """Give the lease up at once (another process may take it now); `value` records what
    the holder did, when given."""
    values: dict[str, object] = {"holder": None, "expires_at": _FREE, "updated_at": now}
    if value is not None:
        values["value"] = value
    async with sessions.begin() as session:
        await session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def read(sessions: async_sessionmaker[AsyncSession], name: str) -> Held | None:
    async with sessions() as session:
        row = (
            await session.execute(
                select(Lease.holder, Lease.expires_at, Lease.value).where(Lease.name == name)
            )
        ).first()
    return None if row is None else Held(row.holder, row.expires_at, row.value)
