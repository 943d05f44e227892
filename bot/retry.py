"""Processing an inbound message until it is answered: claimed, retried with backoff, parked.

Every attempt to process a worker's oldest unprocessed message holds a claim on it (attempts
+ 1, `next_attempt_at` a short lease ahead), so of several processes only one works on it at a
time, and an attempt that killed its process is counted too. The claim is one conditional
UPDATE; a webhook's message that is the worker's next is stored claimed (the claim commits
with the message, bot/channels/inbound.py), and the message after it is claimed in the
transaction that processes the one before (bot/engine.py). A failure sets the next attempt
after a backoff; a failure of the database connection (terminated, the server restarting) is
not held against the message and is retried within a second or two. After `max_attempts` the
message is parked (`Engine.park`): the worker is told, staff take it over, and the worker's
later messages go on being answered.

The webhook's own task makes the first attempt (`attempt`); every process sweeps for messages
left behind (`run`): failed ones whose time came, and ones no attempt ever reached (the process
died between storing and processing). Start-up does not wait for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.db import unpinged, writing
from bot.storage.models import Direction, Message, MessageStatus, utcnow
from bot.storage.turns import Claimed, Lease, Waiting, claim_next

log = structlog.get_logger(__name__)


class Processing(Protocol):
    """What the engine offers (bot.engine.Engine)."""

    sessions: async_sessionmaker[AsyncSession]

    async def process_claimed(
        self, worker_id: int, waiting: Waiting | None, lease: Lease
    ) -> tuple[int, Claimed | None] | None: ...
    async def park(self, worker_id: int, message_id: int, reason: str) -> bool: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # then parked
    base: float = 2.0  # seconds before the 2nd attempt; doubled each time
    cap: float = 60.0
    transient: float = 1.0  # seconds before retrying after the database went away
    lease: timedelta = timedelta(seconds=10)  # an attempt's claim; a dead process's runs out
    grace: timedelta = timedelta(seconds=3)  # before the sweep takes a never-tried message
    jitter: float = 0.2

    def delay(self, attempts: int) -> float:
        seconds = min(self.cap, self.base * 2.0 ** max(0, attempts - 1))
        return seconds * (1 + random.uniform(-self.jitter, self.jitter))


def is_transient(exc: BaseException) -> bool:
    """The database connection failed, not the message: retried soon, never parked for it."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError)


class Retrier:
    def __init__(
        self,
        engine: Processing,
        *,
        policy: RetryPolicy = RetryPolicy(),
        clock: Callable[[], datetime] = utcnow,
        poll_interval: float = 1.0,
        batch: int = 50,
        after: Callable[[], None] = lambda: None,
    ) -> None:
        """`after` is called when an attempt ends (the outbox looks for the replies)."""
        self.engine = engine
        self.after = after
        self.sessions = engine.sessions
        self.policy = policy
        self.clock = clock
        self.poll_interval = poll_interval
        self.batch = batch

    def lease(self) -> Lease:
        """The claim an attempt starting now takes (see `Engine.accept`)."""
        now = self.clock()
        return Lease(now, now + self.policy.lease, self.policy.max_attempts)

    async def attempt(self, worker_id: int, claimed: Claimed | None = None) -> None:
        """Process the worker's messages in order, each under a claim; never raises.

        `claimed`: the message just stored, claimed as it was stored (`Engine.accept`)."""
        try:
            await self._attempt(worker_id, claimed)
        finally:
            self.after()

    async def _attempt(self, worker_id: int, claim: Claimed | None) -> None:
        guess = claim.message if claim is not None else None
        while True:
            if claim is None:
                try:
                    with unpinged():  # a connection lost: the sweep comes back to it
                        claim = await self._claim(worker_id)
                except Exception as exc:
                    # The sweep comes back to it.
                    log.error("inbound.claim_failed", worker_id=worker_id, error=type(exc).__name__)
                    return
                if claim is None:
                    return
                guess = claim.message
            if claim.park:
                if not await self._park(worker_id, claim, "too many attempts"):
                    return
                claim = guess = None
                continue
            try:
                # The next message is claimed in the same transaction as this one's outcome.
                # A connection lost is retried within a second (`_failed`).
                with unpinged():
                    processed = await self.engine.process_claimed(worker_id, guess, self.lease())
            except Exception as exc:
                await self._failed(worker_id, claim, exc)
                return
            if processed is None:
                return  # nothing waits: the claimed message was answered elsewhere
            processed_id, following = processed
            if following is not None:
                claim, guess = following, following.message
            elif processed_id == claim.message.id:
                # Nothing else waited, or another attempt holds it: a message stored meanwhile
                # is claimed by its own webhook's attempt (`_claim` waits for the
                # conversation's lock, so it sees this attempt's work committed).
                return
            else:
                # An older message went first (two stored at once, each the first, on
                # PostgreSQL), or another process answered the claimed one: go on under the
                # same claim until nothing waits.
                guess = None

    async def run_once(self) -> int:
        """One sweep: attempt every worker with a message due; how many workers."""
        now = self.clock()
        due = or_(
            Message.next_attempt_at <= now,
            and_(
                Message.next_attempt_at.is_(None),
                Message.created_at <= now - self.policy.grace,
            ),
        )
        async with self.sessions() as session:
            workers = (
                await session.scalars(
                    select(Message.worker_id)
                    .where(
                        Message.direction == Direction.IN,
                        Message.status == MessageStatus.RECEIVED,
                        due,
                    )
                    .distinct()
                    .limit(self.batch)
                )
            ).all()
        for worker_id in workers:
            await self.attempt(worker_id)
        return len(workers)

    async def run(self) -> None:
        """Sweep until cancelled (every process: the claims keep them apart)."""
        while True:
            try:
                await self.run_once()
            except Exception as exc:
                log.error("inbound.sweep_failed", error=type(exc).__name__)
            await asyncio.sleep(self.poll_interval)

    async def _claim(self, worker_id: int) -> Claimed | None:
        lease = self.lease()
        async with writing(self.sessions), self.sessions.begin() as session:
            return await session.run_sync(
                lambda s: claim_next(s.connection(), worker_id, lease, lock=True)
            )

    async def _failed(self, worker_id: int, claim: Claimed, exc: Exception) -> None:
        reason = type(exc).__name__
        transient = is_transient(exc)
        if transient:
            delay, attempts = self.policy.transient, claim.attempts - 1
        else:
            delay, attempts = self.policy.delay(claim.attempts), claim.attempts
        log.error(
            "inbound.process_failed",
            message_id=claim.message.id,
            attempts=attempts,
            error=reason,
            retry_in=round(delay, 1),
        )
        if not transient and attempts >= self.policy.max_attempts:
            await self._park(worker_id, claim, reason)
            return
        with contextlib.suppress(Exception):  # else its lease runs out and the sweep retries
            async with writing(self.sessions), self.sessions.begin() as session:
                await session.execute(
                    update(Message)
                    .where(Message.id == claim.message.id, Message.status == MessageStatus.RECEIVED)
                    .values(
                        attempts=attempts,
                        next_attempt_at=self.clock() + timedelta(seconds=delay),
                        error=reason[:255],
                    )
                )

    async def _park(self, worker_id: int, claim: Claimed, reason: str) -> bool:
        try:
            await self.engine.park(worker_id, claim.message.id, reason)
        except Exception as exc:  # the sweep tries again
            log.error("inbound.park_failed", message_id=claim.message.id, error=type(exc).__name__)
            return False
        return True
