"""Sign-in attempts counted in the database, per address and per account, shared by processes.

Every attempt is counted before the password is checked, by one conditional UPDATE that also
decides whether it may go ahead, so attempts sent in parallel are counted one by one. An
address has a few free attempts, then waits longer after each (1 s, 2 s, 4 s, ... up to 15
minutes): an attacker is slowed, and other addresses are not touched. An account has more free
attempts and then short waits (up to a minute), which apply only to addresses that have tried
before: the owner, signing in from an address with no attempts, always has their password
checked. A success forgets the address's and the account's attempts; attempts are forgotten an
hour after the last one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import LoginThrottle

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    """`free` attempts, then each waits base * 2^(n - free) seconds, at most `cap`."""

    free: int
    base: float
    cap: float

    def wait(self, attempts: int) -> float:
        if attempts < self.free:
            return 0.0
        return min(self.cap, self.base * 2.0 ** (attempts - self.free))


ADDRESS = Limit(free=5, base=1.0, cap=15 * 60.0)
ACCOUNT = Limit(free=10, base=1.0, cap=60.0)


@dataclass(frozen=True)
class Admission:
    allowed: bool
    wait: float = 0.0  # seconds until the next attempt may go (when refused)


class Throttle:
    """`key` keys the hashes the table holds (addresses and usernames are not stored)."""

    def __init__(self, key: str, address: Limit = ADDRESS, account: Limit = ACCOUNT) -> None:
        self._key = key.encode()
        self.address = address
        self.account = account

    async def admit(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        username: str,
        address: str,
        now: datetime,
    ) -> Admission:
        """Count this attempt and say whether its password may be checked."""
        async with sessions() as session:
            by_address = await _claim(session, self._hash("address", address), self.address, now)
            if not by_address.allowed:
                await session.commit()
                return Admission(False, by_address.wait)
            first_from_here = by_address.attempts == 1
            by_account = await _claim(session, self._hash("account", username), self.account, now)
            if by_account.allowed or first_from_here:
                await session.commit()
                return Admission(True)
            # Not counted against the address either: no password was checked.
            await session.rollback()
            return Admission(False, by_account.wait)

    async def succeeded(
        self, sessions: async_sessionmaker[AsyncSession], *, username: str, address: str
    ) -> None:
        async with sessions.begin() as session:
            keys = [self._hash("address", address), self._hash("account", username)]
            await session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))

    def _hash(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class _Claim:
    allowed: bool
    attempts: int = 0
    wait: float = 0.0


async def _claim(session: AsyncSession, key: str, limit: Limit, now: datetime) -> _Claim:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(LoginThrottle)
        .values(key=key, attempts=0, not_before=None, updated_at=now)
        .on_conflict_do_nothing()
    )
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.updated_at < now - WINDOW)
        .values(attempts=0, not_before=None)
    )
    # Counted and admitted in one statement: parallel attempts each see the last one's count
    # (a row lock on PostgreSQL, the write lock on SQLite).
    counted = await session.scalar(
        update(LoginThrottle)
        .where(
            LoginThrottle.key == key,
            or_(
                LoginThrottle.attempts < limit.free,
                LoginThrottle.not_before.is_(None),
                LoginThrottle.not_before <= now,
            ),
        )
        .values(attempts=LoginThrottle.attempts + 1, updated_at=now)
        .returning(LoginThrottle.attempts)
        .execution_options(synchronize_session=False)
    )
    if counted is None:
        not_before = await session.scalar(
            select(LoginThrottle.not_before).where(LoginThrottle.key == key)
        )
        wait = (not_before - now).total_seconds() if not_before is not None else 1.0
        return _Claim(False, wait=max(1.0, math.ceil(wait)))
    wait = limit.wait(counted)
    if wait:
        await session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(not_before=now + timedelta(seconds=wait))
        )
    return _Claim(True, attempts=counted)
