"""What every channel does with a message that arrived: store it, then answer it.

The one entry point of every channel adapter into storage: adapters translate the channel's
format and call the receiver (a message, a delivery status, the options last offered).
The webhook (or poll) returns as soon as the message is stored, so the channel's delivery is
acknowledged only once nothing can be lost. Processing follows in a task (bot/retry.py: a
failure is retried with backoff, a crash before it is made good by every process's sweep).
Channels that answer in place (the web chat's request, the terminal) call `answer`, which
stores and then processes at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, Protocol

import structlog
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import Within
from bot.evidence import EvidenceCollector
from bot.messages import Inbound, QuickReply, Reply
from bot.outbox import Outbox, release_held
from bot.outbox.store import acknowledge, latest_options, record_status
from bot.retry import Retrier
from bot.storage.crypto import Cipher
from bot.storage.db import unpinged, writing
from bot.storage.models import Event
from bot.storage.turns import Claimed, Lease, Stored, Waiting

log = structlog.get_logger(__name__)


class InboundEngine(Protocol):
    sessions: async_sessionmaker[AsyncSession]
    cipher: Cipher

    async def handle(self, inbound: Inbound) -> list[Reply]: ...
    async def store(self, inbound: Inbound) -> tuple[int, int]: ...
    async def accept(
        self, inbound: Inbound, *, within: Within | None = None, lease: Lease | None = None
    ) -> tuple[int, int, Claimed | None]: ...
    async def process_claimed(
        self, worker_id: int, waiting: Waiting | None, lease: Lease
    ) -> tuple[int, Claimed | None] | None: ...
    async def park(self, worker_id: int, message_id: int, reason: str) -> bool: ...


class Receiver:
    def __init__(
        self,
        engine: InboundEngine,
        outbox: Outbox | None = None,
        evidence: EvidenceCollector | None = None,
        retrier: Retrier | None = None,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.evidence = evidence
        self.retrier = retrier or Retrier(engine, after=self._wake_outbox)
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.engine.sessions

    async def receive(
        self, inbound: Inbound, *, referral: str | None = None, unanswered: bool = False
    ) -> int:
        """Store the message (once) and schedule its processing; returns the message id.

        `unanswered`: stored but not answered by the bot (the button of WhatsApp's template).
        """
        released = 0

        async def within(session: AsyncSession, stored: Stored) -> None:
            # The worker wrote: what waited for them goes out before the replies to this.
            nonlocal released
            if stored.held:
                released = await release_held(session, stored.worker_id)
            if referral:
                await _note_referral(session, stored.worker_id, inbound.channel, referral)

        # In the transaction that stores the message: one commit, not two. The message, if it
        # is the worker's next, is stored claimed for the attempt that follows (bot/retry.py).
        try:
            with unpinged():  # a connection lost is retried here
                worker_id, message_id, claimed = await self.engine.accept(
                    inbound, within=within, lease=None if unanswered else self.retrier.lease()
                )
        except DBAPIError as exc:
            # A connection the server had closed (the pool pings only connections idle a
            # while, bot/storage/db.py): once more on a new one. Stored once whatever happened
            # to the first try's commit: the channel's message id recognises a repeat.
            if not exc.connection_invalidated or inbound.channel_message_id is None:
                raise
            log.warning("inbound.store_retried", error=type(exc).__name__)
            worker_id, message_id, claimed = await self.engine.accept(
                inbound, within=within, lease=None if unanswered else self.retrier.lease()
            )
        if released:
            log.info("outbox.released", worker_id=worker_id, messages=released)
        if inbound.attachments and self.evidence is not None:
            await self.evidence.collect(message_id)
            self.evidence.wake()
        if unanswered and await acknowledge(self.sessions, message_id):
            self._wake_outbox()
            return message_id
        self._spawn(self.retrier.attempt(worker_id, claimed))
        return message_id

    async def answer(self, inbound: Inbound, *, organisation: str | None = None) -> list[Reply]:
        """For channels that answer in place (the web chat, the terminal): store the message
        (once), process it now, and return the replies to it (a repeat gets the same ones).

        `organisation`: the partner whose site the worker came from (the web chat's widget),
        noted as their referral before the message is processed, so a case it opens goes there."""
        if organisation is not None:
            worker_id, _ = await self.engine.store(inbound)
            async with writing(self.sessions), self.sessions.begin() as session:
                await _note_referral(
                    session, worker_id, inbound.channel, organisation, organisation=organisation
                )
        replies = await self.engine.handle(inbound)
        self._wake_outbox()  # what the decision queued for other channels (staff alerts)
        return replies

    async def options_sent(
        self, channel: str, user_id: str
    ) -> tuple[str, tuple[QuickReply, ...]] | None:
        """The text and options of the last message sent to this worker, if it offered options."""
        return await latest_options(self.sessions, channel, self.engine.cipher.lookup_hash(user_id))

    async def delivery_status(
        self,
        *,
        message_id: int | None,
        channel_message_id: str | None,
        status: str,
        error: str | None,
        now: datetime,
        window_closed: bool = False,
    ) -> bool:
        """A channel's report on a message sent (never backwards); False if it is not ours.

        `window_closed`: the channel refused it for its messaging window; it waits, held.
        """
        async with writing(self.sessions), self.sessions.begin() as session:
            found = await record_status(
                session,
                message_id=message_id,
                channel_message_id=channel_message_id,
                status=status,
                error=error,
                now=now,
                window_error=window_closed,
            )
        if window_closed:
            self._wake_outbox()
        return found

    def _wake_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        self._idle.clear()

        def done(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            if not self._tasks:
                self._idle.set()

        task.add_done_callback(done)

    async def idle(self) -> None:
        """Wait until every message received so far has been processed (tests, shutdown)."""
        await self._idle.wait()

    async def aclose(self, grace: float = 10.0) -> None:
        try:
            await asyncio.wait_for(self.idle(), grace)
        except TimeoutError:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def _note_referral(
    session: AsyncSession,
    worker_id: int,
    channel: str,
    code: str,
    *,
    organisation: str | None = None,
) -> None:
    """A deep link's code (a campaign, an NGO), or the partner organisation whose site the
    worker came from: noted once per worker and code."""
    known = await session.scalars(
        select(Event.data).where(Event.worker_id == worker_id, Event.kind == "referral")
    )
    if any(data.get("code") == code for data in known):
        return
    data = {"channel": channel, "code": code}
    if organisation is not None:
        data["organisation"] = organisation
    session.add(Event(worker_id=worker_id, kind="referral", data=data))
