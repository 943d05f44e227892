"""What the web chat page and the terminal read between their own messages: what officers and
the case desk sent, and who answers now (an officer, or the bot again).

Read from the database, so that a message stored by any process reaches the page served by
any other; `changed(worker_id)` wakes a reader in this process at once (bot.cases.live),
readers poll for the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cases.directory import Directory
from bot.cases.live import Live
from bot.cases.presence import Holder, chat_holder
from bot.outbox import pull
from bot.outbox.pull import Fetched
from bot.storage.crypto import Cipher
from bot.storage.models import Worker, utcnow


@dataclass(frozen=True, slots=True)
class Mail:
    messages: tuple[Fetched, ...]
    holder: Holder | None  # None: the bot answers
    last_id: int  # read on from here


class Mailbox:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: Cipher,
        directory: Directory,
        live: Live,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.directory = directory
        self.live = live
        self.clock = clock

    @property
    def closing(self) -> asyncio.Event:
        """Set when the server shuts down: readers stop."""
        return self.live.closing

    async def worker_id(self, channel: str, user_id: str) -> int | None:
        """The worker behind a channel's user id, once they have written."""
        async with self.sessions() as session:
            return await session.scalar(
                select(Worker.id).where(
                    Worker.channel == channel,
                    Worker.channel_user_hash == self.cipher.lookup_hash(user_id),
                )
            )

    async def read(self, worker_id: int, after: int | None) -> Mail:
        """Messages after message `after` (None: from where a new reader starts), now delivered."""
        async with self.sessions.begin() as session:
            if after is None:
                after = await pull.resume_point(session, worker_id)
            messages = await pull.since(session, worker_id, after, now=self.clock())
            holder = await chat_holder(session, worker_id, self.directory)
        last = messages[-1].id if messages else after
        return Mail(tuple(messages), holder, last)

    @asynccontextmanager
    async def changes(self, worker_id: int) -> AsyncIterator[asyncio.Queue[str]]:
        """Told when this process stored something for the worker (others are polled for)."""
        async with self.live.subscribe(f"worker:{worker_id}") as woken:
            yield woken
