"""Texts for staff group chats (Telegram), stored in the alert's transaction and sent at least once.

`queue()` adds a row with the change that caused it; right after the commit one attempt is
made, and `job()` retries what failed (or what a process that died left behind) with backoff.
A send is claimed with a lease, so of several processes only one sends each text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import structlog
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot.cases.live import Live
from bot.jobs import Job
from bot.outbox.types import PermanentError, RetryLater, SendError
from bot.storage.models import StaffChatMessage, utcnow

log = structlog.get_logger(__name__)


class StaffChat(Protocol):
    """Sends a text to a staff group chat; raises bot.outbox SendError subclasses."""

    async def send(self, chat_id: str, text: str) -> None: ...


class ChatStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Retry:
    """Delay before the next attempt after `attempts` failed ones, and when to give up."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=30)
    max_attempts: int = 10

    def delay(self, attempts: int) -> timedelta:
        delay: timedelta = self.base * 2 ** max(0, attempts - 1)
        return min(self.cap, delay)


class StaffMessages:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        live: Live,
        sender: StaffChat | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = timedelta(seconds=60),
        retry: Retry = Retry(),
    ) -> None:
        self.sessions = sessions
        self.live = live
        self.sender = sender  # None: no staff chat can be reached (Telegram is off)
        self.clock = clock
        self.lease = lease
        self.retry = retry

    def queue(
        self, session: AsyncSession, chat_id: str, text: str, case_id: int | None = None
    ) -> None:
        """Send `text` to the chat once the caller's transaction commits (and until it goes)."""
        if self.sender is None:
            log.warning("staff_chat.off")
            return
        session.add(
            StaffChatMessage(
                chat_id=chat_id,
                text=text,
                case_id=case_id,
                status=ChatStatus.PENDING,
                created_at=self.clock(),
            )
        )
        self.live.after_commit(session, task=self._deliver_now)

    async def _deliver_now(self) -> None:
        await self.deliver()

    async def deliver(self) -> int:
        """Send every text that is due; returns how many were tried."""
        if self.sender is None:
            return 0
        now = self.clock()
        async with self.sessions.begin() as session:
            due = (
                await session.execute(
                    select(StaffChatMessage.id, StaffChatMessage.chat_id, StaffChatMessage.text)
                    .where(_due(now))
                    .order_by(StaffChatMessage.id)
                    .limit(50)
                )
            ).all()
            claimed = []
            for row in due:
                # Conditional: of several processes that saw the row due, one takes it.
                taken = await session.execute(
                    update(StaffChatMessage)
                    .where(StaffChatMessage.id == row.id, _due(now))
                    .values(
                        status=ChatStatus.SENDING,
                        lease_until=now + self.lease,
                        attempts=StaffChatMessage.attempts + 1,
                    )
                    .returning(StaffChatMessage.attempts)
                )
                attempts = taken.scalar()
                if attempts is not None:
                    claimed.append((row, attempts))
        for row, attempts in claimed:
            await self._send(row.id, row.chat_id, row.text, attempts)
        return len(claimed)

    async def _send(self, message_id: int, chat_id: str, text: str, attempts: int) -> None:
        assert self.sender is not None  # deliver() checked
        values: dict[str, object]
        try:
            await self.sender.send(chat_id, text)
        except SendError as exc:
            permanent = isinstance(exc, PermanentError) or attempts >= self.retry.max_attempts
            if permanent:
                values = {"status": ChatStatus.FAILED, "error": exc.reason}
                log.error("staff_chat.failed", message_id=message_id, reason=exc.reason)
            else:
                wait = self.retry.delay(attempts)
                if isinstance(exc, RetryLater) and exc.seconds is not None:
                    wait = max(wait, timedelta(seconds=exc.seconds))
                values = {
                    "status": ChatStatus.PENDING,
                    "next_attempt_at": self.clock() + wait,
                    "error": exc.reason,
                }
                log.warning("staff_chat.retry", message_id=message_id, reason=exc.reason)
        else:
            values = {"status": ChatStatus.SENT, "sent_at": self.clock(), "error": None}
            log.info("staff_chat.sent", message_id=message_id)
        async with self.sessions.begin() as session:
            await session.execute(
                update(StaffChatMessage)
                .where(StaffChatMessage.id == message_id)
                .values(lease_until=None, **values)
            )

    def job(self, every: timedelta = timedelta(seconds=30)) -> Job:
        """Retries failed sends, in one process of however many serve the database."""

        async def work(session: AsyncSession, now: datetime) -> int:
            due = await session.scalar(
                select(func.count()).select_from(StaffChatMessage).where(_due(now))
            )
            if due:
                self.live.after_commit(session, task=self._deliver_now)
            return int(due or 0)

        return Job("staff_chat", every, work)


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            StaffChatMessage.status == ChatStatus.PENDING,
            or_(
                StaffChatMessage.next_attempt_at.is_(None),
                StaffChatMessage.next_attempt_at <= now,
            ),
        ),
        # A process died while sending: its lease ran out.
        and_(StaffChatMessage.status == ChatStatus.SENDING, StaffChatMessage.lease_until < now),
    )
