"""Files and locations workers send, fetched with the channel's credentials and kept encrypted.

Each attachment of a stored inbound message gets an `evidence` row ("pending"); a collector
fetches it (retrying network trouble), stores the bytes encrypted with their SHA-256, and marks
it "stored", or "failed" with a reason. Rows are made from the stored message, so a crash
between storing the message and fetching its files loses nothing: `collect_missing()` at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog
from sqlalchemy import exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messages import Attachment
from bot.storage.models import Direction, Evidence, EvidenceStatus, Message, utcnow

log = structlog.get_logger(__name__)

MAX_BYTES = 25 * 1024 * 1024  # above the channels' own limits (WhatsApp 16 MB, Telegram 20 MB)


@dataclass(frozen=True, slots=True)
class Media:
    data: bytes
    content_type: str | None


class FetchError(Exception):
    """A file that could not be fetched; `temporary` ones are tried again."""

    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason[:255]
        self.temporary = temporary


class Fetcher(Protocol):
    """A channel's way to download what a worker sent. Library errors become FetchError."""

    async def fetch(self, attachment: Attachment) -> Media: ...


class EvidenceCollector:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        fetchers: Mapping[str, Fetcher],
        *,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 6,
        retry_base: float = 5.0,
        poll_interval: float = 5.0,
    ) -> None:
        self.sessions = sessions
        self.fetchers = dict(fetchers)
        self.clock = clock
        self.lease = lease
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.poll_interval = poll_interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def collect(self, message_id: int) -> int:
        """Make the evidence rows for a stored inbound message (once); returns how many."""
        async with self.sessions.begin() as session:
            message = await session.get(Message, message_id)
            if message is None or not message.attachments:
                return 0
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            for position, raw in enumerate(message.attachments):
                attachment = _attachment(raw)
                values: dict[str, Any] = dict(
                    message_id=message.id,
                    worker_id=message.worker_id,
                    channel=message.channel,
                    position=position,
                    kind=attachment.kind,
                    content_type=attachment.content_type,
                    status=EvidenceStatus.PENDING,
                    attempts=0,
                    created_at=self.clock(),
                )
                if attachment.kind == "location" and attachment.url:
                    # Nothing to fetch: the place itself is the evidence (a geo: URI).
                    data = attachment.url.encode()
                    values.update(
                        status=EvidenceStatus.STORED,
                        content_type="text/uri-list",
                        data=data,
                        size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                        stored_at=self.clock(),
                    )
                await session.execute(insert(Evidence).values(**values).on_conflict_do_nothing())
            return len(message.attachments)

    async def collect_missing(self) -> int:
        """Rows for inbound messages stored with attachments but never collected (a crash)."""
        async with self.sessions() as session:
            ids = (
                await session.scalars(
                    select(Message.id).where(
                        Message.direction == Direction.IN,
                        Message.attachments.is_not(None),
                        ~exists().where(Evidence.message_id == Message.id),
                    )
                )
            ).all()
        for message_id in ids:
            await self.collect(message_id)
        return len(ids)

    async def run(self) -> None:
        """Fetch until cancelled."""
        while True:
            self._wake.clear()
            try:
                count = await self.run_once()
            except Exception as exc:
                log.error("evidence.error", error=type(exc).__name__)
                count = 0
            if count:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def run_once(self, limit: int = 10) -> int:
        claimed = await self._claim(limit)
        await asyncio.gather(*(self._fetch(row, raw) for row, raw in claimed))
        return len(claimed)

    async def _claim(self, limit: int) -> list[tuple[Evidence, dict[str, Any]]]:
        now = self.clock()
        if not self.fetchers:
            return []
        due = (
            (Evidence.status == EvidenceStatus.PENDING)
            & or_(Evidence.next_attempt_at.is_(None), Evidence.next_attempt_at <= now)
            & or_(Evidence.lease_until.is_(None), Evidence.lease_until < now)
        )
        async with self.sessions.begin() as session:
            candidates = (
                select(Evidence.id)
                .where(due, Evidence.channel.in_(sorted(self.fetchers)))
                .order_by(Evidence.id)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
            ids = (
                await session.scalars(
                    update(Evidence)
                    .where(Evidence.id.in_(candidates.scalar_subquery()), due)
                    .values(lease_until=now + self.lease, attempts=Evidence.attempts + 1)
                    .returning(Evidence.id)
                    .execution_options(synchronize_session=False)
                )
            ).all()
            if not ids:
                return []
            rows = (await session.scalars(select(Evidence).where(Evidence.id.in_(ids)))).all()
            messages = {
                m.id: m.attachments or []
                for m in await session.scalars(
                    select(Message).where(Message.id.in_({r.message_id for r in rows}))
                )
            }
        return [
            (row, messages[row.message_id][row.position])
            for row in rows
            if row.position < len(messages.get(row.message_id, []))
        ]

    async def _fetch(self, row: Evidence, raw: dict[str, Any]) -> None:
        attachment = _attachment(raw)
        try:
            media = await self.fetchers[row.channel].fetch(attachment)
            if len(media.data) > MAX_BYTES:
                raise FetchError("too large", temporary=False)
        except FetchError as exc:
            await self._failed(row, exc)
            return
        except Exception as exc:
            log.error("evidence.unexpected", evidence_id=row.id, error=type(exc).__name__)
            await self._failed(row, FetchError(type(exc).__name__, temporary=True))
            return
        async with self.sessions.begin() as session:
            await session.execute(
                update(Evidence)
                .where(Evidence.id == row.id)
                .values(
                    status=EvidenceStatus.STORED,
                    data=media.data,
                    size=len(media.data),
                    sha256=hashlib.sha256(media.data).hexdigest(),
                    content_type=media.content_type or row.content_type,
                    stored_at=self.clock(),
                    lease_until=None,
                    error=None,
                )
            )
        log.info("evidence.stored", evidence_id=row.id, kind=row.kind, size=len(media.data))

    async def _failed(self, row: Evidence, exc: FetchError) -> None:
        final = not exc.temporary or row.attempts >= self.max_attempts
        values: dict[str, Any] = {"lease_until": None, "error": exc.reason}
        if final:
            values["status"] = EvidenceStatus.FAILED
        else:
            delay = self.retry_base * 2 ** (row.attempts - 1)
            values["next_attempt_at"] = self.clock() + timedelta(seconds=delay)
        async with self.sessions.begin() as session:
            await session.execute(update(Evidence).where(Evidence.id == row.id).values(**values))
        log.warning("evidence.fetch_failed", evidence_id=row.id, reason=exc.reason, final=final)


async def stored(sessions: async_sessionmaker[AsyncSession], message_id: int) -> list[Evidence]:
    """The evidence of one inbound message, in the order it was sent (for cases and officers)."""
    async with sessions() as session:
        return list(
            (
                await session.scalars(
                    select(Evidence)
                    .where(Evidence.message_id == message_id)
                    .order_by(Evidence.position)
                )
            ).all()
        )


def _attachment(raw: dict[str, Any]) -> Attachment:
    return Attachment(
        kind=str(raw.get("kind", "document")),
        url=raw.get("url"),
        content_type=raw.get("content_type"),
        file_id=raw.get("file_id"),
        caption=raw.get("caption"),
    )
