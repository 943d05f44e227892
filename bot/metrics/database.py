"""The shared state, read from the database when /metrics is scraped: every process reports
the same numbers (take `max()` across processes, not `sum()`).

Prometheus calls a collector synchronously, and the database is asynchronous: the endpoint
awaits `refresh()` first, which reads at most once per `ttl`, and `collect()` yields that
snapshot. A short cache keeps many processes scraped every few seconds from loading the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cases.status import Status
from bot.storage.models import Case, Direction, Message, MessageStatus, utcnow

# Seconds from a case's opening to an officer's first reply.
FIRST_REPLY_BUCKETS = (60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600)
FIRST_REPLY_WINDOW = timedelta(days=7)
_OUTBOX = (MessageStatus.PENDING, MessageStatus.SENDING)
_INBOX = (MessageStatus.RECEIVED, MessageStatus.PARKED)


@dataclass(frozen=True)
class Snapshot:
    outbox: dict[str, int] = field(default_factory=dict)  # channel: messages waiting to go
    retrying: dict[str, int] = field(default_factory=dict)  # channel: of those, failed before
    held: dict[str, int] = field(default_factory=dict)  # channel: waiting for the worker
    inbox: dict[tuple[str, str], int] = field(default_factory=dict)  # (channel, status)
    cases: dict[tuple[str, str], int] = field(default_factory=dict)  # (queue, status): open
    first_replies: tuple[float, ...] = ()  # seconds, cases first answered within the window


class DatabaseCollector(Collector):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        ttl: float = 10.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self.clock = clock
        self._snapshot = Snapshot()
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._lock:  # concurrent scrapes share one read
            if self._read_at is not None and time.monotonic() - self._read_at < self.ttl:
                return
            async with self.sessions() as session:
                self._snapshot = await read(session, self.clock())
            self._read_at = time.monotonic()

    def collect(self) -> Iterator[Metric]:
        s = self._snapshot
        outbox = GaugeMetricFamily(
            "helpline_outbox_depth",
            "Messages to workers waiting to be sent, by channel.",
            labels=["channel"],
        )
        retrying = GaugeMetricFamily(
            "helpline_outbox_retrying",
            "Messages to workers waiting to be sent again after a failed attempt, by channel.",
            labels=["channel"],
        )
        held = GaugeMetricFamily(
            "helpline_outbox_held",
            "Messages to workers held until the worker writes (outside the channel's window).",
            labels=["channel"],
        )
        for family, counts in ((outbox, s.outbox), (retrying, s.retrying), (held, s.held)):
            for channel, count in sorted(counts.items()):
                family.add_metric([channel], count)
        inbox = GaugeMetricFamily(
            "helpline_inbound_unprocessed",
            "Messages from workers not processed yet (received) or set aside (parked).",
            labels=["channel", "status"],
        )
        for (channel, status), count in sorted(s.inbox.items()):
            inbox.add_metric([channel, status], count)
        cases = GaugeMetricFamily(
            "helpline_cases_open",
            "Open cases by queue and status; status 'new' is waiting for an officer to take it.",
            labels=["queue", "status"],
        )
        for (queue, status), count in sorted(s.cases.items()):
            cases.add_metric([queue, status], count)
        yield from (outbox, retrying, held, inbox, cases)
        yield first_reply_histogram(s.first_replies)


def first_reply_histogram(seconds: tuple[float, ...]) -> Metric:
    family = GaugeHistogramMetricFamily(
        "helpline_first_human_reply_seconds",
        "Time from a case's opening to an officer's first reply, over the cases first "
        f"answered in the last {FIRST_REPLY_WINDOW.days} days.",
    )
    buckets = [(str(float(b)), sum(1 for s in seconds if s <= b)) for b in FIRST_REPLY_BUCKETS]
    buckets.append(("+Inf", len(seconds)))
    family.add_metric([], buckets, gsum_value=sum(seconds))
    return family


async def read(session: AsyncSession, now: datetime) -> Snapshot:
    """The shared state, in a few grouped queries that the existing indexes serve."""
    outbox: dict[str, int] = {}
    retrying: dict[str, int] = {}
    held: dict[str, int] = {}
    rows = await session.execute(
        select(
            Message.channel,
            Message.status,
            func.count(),
            func.sum(case((Message.attempts > 0, 1), else_=0)),
        )
        .where(Message.direction == Direction.OUT)
        .where(Message.status.in_([*_OUTBOX, MessageStatus.HELD]))
        .group_by(Message.channel, Message.status)
    )
    for channel, status, count, failed_before in rows.all():
        if status == MessageStatus.HELD:
            held[channel] = held.get(channel, 0) + count
            continue
        outbox[channel] = outbox.get(channel, 0) + count
        retrying[channel] = retrying.get(channel, 0) + int(failed_before or 0)
    inbox = await session.execute(
        select(Message.channel, Message.status, func.count())
        .where(Message.direction == Direction.IN, Message.status.in_(_INBOX))
        .group_by(Message.channel, Message.status)
    )
    cases = await session.execute(
        select(Case.queue, Case.status, func.count())
        .where(Case.status != Status.CLOSED)
        .group_by(Case.queue, Case.status)
    )
    replies = await session.execute(
        select(Case.created_at, Case.first_human_reply_at).where(
            Case.first_human_reply_at >= now - FIRST_REPLY_WINDOW
        )
    )
    return Snapshot(
        outbox=outbox,
        retrying=retrying,
        held=held,
        inbox={(c, s): n for c, s, n in inbox.all()},
        cases={(q, s): n for q, s, n in cases.all()},
        first_replies=tuple(
            max(0.0, (answered - opened).total_seconds())
            for opened, answered in replies.all()
            if answered is not None
        ),
    )
