"""The loop that sends stored outbound messages through the channels, paced and retried.

A process claims no more messages than it sends at once (`concurrency`) and renews their
leases while it sends; each is marked sent in its own transaction as soon as the channel
accepted it, and its place in the pool is claimed again at once. So a process killed mid-send leaves at most `concurrency` messages the channel
may have accepted unmarked (sent again once their lease runs out, seconds later), and every
other message waits for no lease at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import and_, case, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics.instruments import Metrics
from bot.outbox import store
from bot.outbox.types import (
    Kind,
    Outgoing,
    OutsideWindow,
    PermanentError,
    RetryLater,
    Sender,
    SendError,
    Sent,
    Template,
    TemporaryError,
)
from bot.storage.db import writing
from bot.storage.models import Origin, SendPace, utcnow

log = structlog.get_logger(__name__)

# Outbound rows whose origin is an instruction to the channel rather than a text to send.
_KINDS: dict[str, Kind] = {Origin.REOPEN: Kind.REOPEN, Origin.CLEAR_CHAT: Kind.CLEAR_CHAT}


def _template(stored: dict[str, Any] | None) -> Template | None:
    if not stored or not stored.get("sid"):
        return None
    variables = stored.get("variables") or {}
    return Template(str(stored["sid"]), tuple((str(k), str(v)) for k, v in variables.items()))


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt n+1 after n failed ones: base * 2^(n-1), capped, with jitter."""

    base: float = 2.0
    cap: float = 900.0
    jitter: float = 0.2

    def delay(self, attempts: int) -> float:
        delay = min(self.cap, self.base * 2.0 ** max(0, attempts - 1))
        return float(delay * (1 + random.uniform(-self.jitter, self.jitter)))


class Pacer:
    """At most `per_second` sends in this process; none at all while the channel asks us to wait
    (SharedPacer below: across processes).

    `clock` (seconds) and `sleep` are replaceable so that tests can move time on.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / per_second
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    @property
    def paused(self) -> bool:
        return self.clock() < self._paused_until

    async def acquire(self, slot: float | None = None) -> None:
        """Wait for this send's turn. `slot`: a shared pacer's slot reserved with the claim."""
        async with self._lock:
            wait = max(self._next, self._paused_until) - self.clock()
            if wait > 0:
                await self.sleep(wait)
            self._next = max(self.clock(), self._next) + self.interval

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)


class SharedPacer(Pacer):
    """A Pacer whose slots and pauses are one row of `send_pace`, shared by every process.

    A channel's limit is the bot's or the account's, not a process's: Telegram takes about
    30 messages a second from one bot, however many processes send for it. Each send takes
    the next free slot with one conditional UPDATE (the later of the row's next slot, now and
    the end of a pause, plus the interval), then waits for it; a 429 pauses the row for all.
    If the database cannot be asked, this process paces alone until it can.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channel: str,
        per_second: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(per_second, clock=clock, sleep=sleep)
        self.sessions = sessions
        self.channel = channel
        self._row_ready = False  # the channel's row exists: no insert before each send
        self._asking: list[asyncio.Future[float | None]] = []

    async def acquire(self, slot: float | None = None) -> None:
        if slot is not None:  # reserved in the claim's transaction; a pause since then holds
            wait = max(slot, self._paused_until) - self.clock()
            if wait > 0:
                await self.sleep(wait)
            return
        await self._acquire()

    async def reserve(self, session: AsyncSession, count: int) -> list[float]:
        """`count` slots taken in the caller's transaction (the claim's, so that a send costs
        no transaction of its own); each is then passed to `acquire`."""
        try:
            first, paused_until = await self._reserve_in(session, self.clock(), count)
        except BaseException:
            self._row_ready = False  # the transaction is rolled back
            raise
        self._paused_until = max(self._paused_until, paused_until)
        return [first + n * self.interval for n in range(count)]

    async def _acquire(self) -> None:
        # Sends that ask while a reservation is under way wait for it, then take their slots
        # together in the next one: one UPDATE for all of them.
        slot: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        self._asking.append(slot)
        try:
            async with self._lock:
                if not slot.done():
                    await self._reserve_for_all()
        except BaseException:
            if not slot.done():
                slot.cancel()
            with contextlib.suppress(ValueError):
                self._asking.remove(slot)
            raise
        start = slot.result()
        if start is None:  # the database could not be asked: this process paces alone
            await super().acquire()
            return
        wait = start - self.clock()
        if wait > 0:
            await self.sleep(wait)

    async def _reserve_for_all(self) -> None:
        asking = [s for s in self._asking if not s.done()]
        self._asking.clear()
        try:
            first, paused_until = await self._reserve(self.clock(), len(asking))
        except SQLAlchemyError as exc:
            self._row_ready = False
            log.warning("outbox.pace_unshared", channel=self.channel, error=type(exc).__name__)
            for slot in asking:
                if not slot.done():
                    slot.set_result(None)
            return
        except BaseException:
            # Cancelled: the others ask again, each in its turn.
            self._asking[:0] = [s for s in asking if not s.done()]
            raise
        self._paused_until = max(self._paused_until, paused_until)
        for n, slot in enumerate(asking):
            if not slot.done():
                slot.set_result(first + n * self.interval)

    async def pause(self, seconds: float) -> None:
        await super().pause(seconds)
        until = self._paused_until
        try:
            async with writing(self.sessions), self.sessions.begin() as session:
                await self._ensure_row(session)
                await session.execute(
                    update(SendPace)
                    .where(SendPace.channel == self.channel, SendPace.paused_until < until)
                    .values(paused_until=until)
                )
        except SQLAlchemyError as exc:
            log.warning("outbox.pace_unshared", channel=self.channel, error=type(exc).__name__)

    async def _reserve(self, now: float, count: int = 1) -> tuple[float, float]:
        """The start of the first of `count` consecutive slots, and the channel's pause
        (seconds since the epoch)."""
        async with writing(self.sessions), self.sessions.begin() as session:
            return await self._reserve_in(session, now, count)

    async def _reserve_in(
        self, session: AsyncSession, now: float, count: int
    ) -> tuple[float, float]:
        start = case(
            (
                and_(SendPace.next_at >= now, SendPace.next_at >= SendPace.paused_until),
                SendPace.next_at,
            ),
            (SendPace.paused_until >= now, SendPace.paused_until),
            else_=now,
        )
        await self._ensure_row(session)
        row = (
            await session.execute(
                update(SendPace)
                .where(SendPace.channel == self.channel)
                .values(next_at=start + count * self.interval)
                .returning(SendPace.next_at, SendPace.paused_until)
                .execution_options(synchronize_session=False)
            )
        ).one()
        return float(row.next_at) - count * self.interval, float(row.paused_until)

    async def _ensure_row(self, session: AsyncSession) -> None:
        if self._row_ready:
            return
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(SendPace)
            .values(channel=self.channel, next_at=0.0, paused_until=0.0)
            .on_conflict_do_nothing()
        )
        self._row_ready = True


class Outbox:
    """Claims due messages from the database and hands each to its channel's sender."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        senders: Mapping[str, Sender],
        *,
        pacers: Mapping[str, Pacer] | None = None,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = timedelta(seconds=10),
        renew_every: float | None = None,
        max_attempts: int = 8,
        backoff: Backoff = Backoff(),
        concurrency: int = 8,
        poll_interval: float = 1.0,
        max_pause: float = 3600.0,
        metrics: Metrics | None = None,
    ) -> None:
        """`renew_every`: seconds between renewals of the leases held (a third of the lease)."""
        self.sessions = sessions
        self.senders = dict(senders)
        self.pacers = dict(pacers or {})
        self.clock = clock
        self.lease = lease
        self.renew_every = renew_every or lease.total_seconds() / 3
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.max_pause = max_pause
        self.metrics = metrics or Metrics()
        self._wake = asyncio.Event()
        self._marks = _Marks(sessions)

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Send until cancelled: a steady pool of `concurrency` sends, each freed place
        claimed again at once (not after the slowest of a batch)."""
        held: set[int] = set()
        sending: set[asyncio.Task[None]] = set()
        renewing = asyncio.ensure_future(self._renew(held, forever=True))
        failures = 0
        self._marks.loop(self._wake)
        try:
            while True:
                self._wake.clear()
                # What the channels accepted is marked sent in the claim's transaction, and
                # the places it held are claimed again.
                accepted = self._marks.take()
                # (More than `concurrency` tasks for a moment: those marked are still ending.)
                free = max(0, self.concurrency - len(sending) + len(accepted))
                count = 0
                if free > 0 or accepted:
                    try:
                        claimed = await self._claim(free, [done for done, _ in accepted])
                        failures = 0
                    except Exception as exc:
                        # The database is away, say: keep trying, a little slower each time.
                        _Marks.settle(accepted, exc)
                        failures += 1
                        log.error("outbox.error", error=type(exc).__name__)
                        await asyncio.sleep(min(30.0, self.poll_interval * 2**failures))
                        continue
                    except BaseException:
                        for _, recorded in accepted:  # not known to be recorded
                            recorded.cancel()
                        raise
                    _Marks.settle(accepted)
                    count = len(claimed)
                    held.update(message.id for message, _ in claimed)
                    for message, slot in claimed:
                        task = asyncio.ensure_future(self._deliver(message, held, slot))
                        sending.add(task)
                        task.add_done_callback(sending.discard)
                        task.add_done_callback(lambda _: self._wake.set())
                if count and len(sending) - len(accepted) < self.concurrency:
                    continue  # there may be more
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)
        finally:
            renewing.cancel()
            for task in list(sending):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(renewing, *sending, return_exceptions=True)
            await self._marks.aclose()

    async def run_once(self) -> int:
        """Claim what can be sent at once and send it; returns how many were claimed."""
        claimed = await self._claim(self.concurrency)
        if not claimed:
            return 0
        held = {message.id for message, _ in claimed}
        renewing = asyncio.ensure_future(self._renew(held))
        try:
            # At most one message per worker: these are different workers, sent in parallel.
            await asyncio.gather(*(self._deliver(message, held, slot) for message, slot in claimed))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        return len(claimed)

    async def _claim(
        self, limit: int, sent: list[store.Done] | None = None
    ) -> list[tuple[store.Claimed, float | None]]:
        """Claimed messages, each with its send's slot where the channel's pacer is shared
        (reserved in the claim's transaction)."""
        # A channel that asked us to wait (429) is not claimed from: its messages would sit
        # claimed while their leases ran out.
        ready = [
            c for c in sorted(self.senders) if not (c in self.pacers and self.pacers[c].paused)
        ]
        slots: dict[int, float] = {}

        async def reserve(session: AsyncSession, claimed: list[store.Claimed]) -> None:
            for channel in sorted({message.channel for message in claimed}):
                pacer = self.pacers.get(channel)
                if not isinstance(pacer, SharedPacer):
                    continue
                ids = [message.id for message in claimed if message.channel == channel]
                slots.update(zip(ids, await pacer.reserve(session, len(ids)), strict=True))

        claimed = await store.claim(
            self.sessions,
            ready,
            now=self.clock(),
            lease=self.lease,
            limit=limit,
            within=reserve if self.pacers else None,
            sent=sent or (),
        )
        return [(message, slots.get(message.id)) for message in claimed]

    async def _renew(self, held: set[int], *, forever: bool = False) -> None:
        """Keep the leases of the messages being sent, so no other process takes them."""
        while held or forever:
            await asyncio.sleep(self.renew_every)
            if not held:
                continue
            try:
                await store.renew(self.sessions, sorted(held), until=self.clock() + self.lease)
            except Exception as exc:  # the database is away: the next renewal may do
                log.warning("outbox.renew_failed", error=type(exc).__name__)

    async def _deliver(self, claimed: store.Claimed, held: set[int], slot: float | None) -> None:
        try:
            await self._send(claimed, slot)
        finally:
            held.discard(claimed.id)

    async def _send(self, claimed: store.Claimed, slot: float | None = None) -> None:
        now = self.clock()
        # A template (the invitation back, an awareness message) is what a closed window allows.
        templated = claimed.origin == Origin.REOPEN or claimed.template is not None
        if not templated and store.window_closed(claimed.channel, claimed.last_inbound_at, now):
            async with writing(self.sessions), self.sessions.begin() as session:
                await store.hold(session, claimed.id, now=now)
            log.info("outbox.held", message_id=claimed.id, channel=claimed.channel)
            self.wake()  # the invitation is due now
            return
        sender = self.senders[claimed.channel]
        pacer = self.pacers.get(claimed.channel)
        if pacer is not None:
            await pacer.acquire(slot)

        async def part_sent(index: int, channel_id: str) -> None:
            await store.record_part(
                self.sessions, claimed.id, claimed.worker_id, index, channel_id, now=self.clock()
            )

        kind = _KINDS.get(claimed.origin or "", Kind.MESSAGE)
        outgoing = Outgoing(
            id=claimed.id,
            channel=claimed.channel,
            to=claimed.to,
            text=claimed.text,
            quick_replies=claimed.quick_replies,
            kind=kind,
            first_part=claimed.parts_sent,
            part_sent=part_sent,
            language=claimed.language,
            # Read now, not when it was queued: everything sent before it is in the chat.
            visible=(
                await store.still_visible(self.sessions, claimed.worker_id)
                if kind == Kind.CLEAR_CHAT
                else ()
            ),
            template=_template(claimed.template),
        )
        try:
            sent = await sender.send(outgoing)
        except RetryLater as exc:
            self._count(claimed, "paced")
            await self._paced(claimed, exc, pacer)
        except OutsideWindow:
            self._count(claimed, "held")
            async with writing(self.sessions), self.sessions.begin() as session:
                await store.hold(session, claimed.id, now=self.clock())
            log.info("outbox.held", message_id=claimed.id, channel=claimed.channel)
        except PermanentError as exc:
            await self._failed(claimed, exc.reason)
        except TemporaryError as exc:
            await self._retry(claimed, exc)
        except SendError as exc:
            await self._retry(claimed, exc)
        except Exception as exc:
            # A bug or an error the adapter did not convert: retried, and visible in the logs.
            log.error("outbox.unexpected", message_id=claimed.id, error=type(exc).__name__)
            await self._retry(claimed, SendError(f"unexpected {type(exc).__name__}"))
        else:
            await self._sent(claimed, sent)
            self.metrics.sent.labels(channel=claimed.channel).inc()

    def _count(self, claimed: store.Claimed, outcome: str) -> None:
        self.metrics.send_failures.labels(channel=claimed.channel, outcome=outcome).inc()

    async def _sent(self, claimed: store.Claimed, sent: Sent) -> None:
        done = store.Done(
            claimed.id, claimed.worker_id, sent.channel_message_id, self.clock(), sent.cleared
        )
        await self._marks.record(done)
        log.info(
            "outbox.sent", message_id=claimed.id, channel=claimed.channel, attempts=claimed.attempts
        )

    async def _paced(self, claimed: store.Claimed, exc: RetryLater, pacer: Pacer | None) -> None:
        seconds = exc.seconds if exc.seconds is not None else self.backoff.delay(claimed.attempts)
        seconds = min(max(seconds, 0.0), self.max_pause)
        if pacer is not None:
            await pacer.pause(seconds)
        at = self.clock() + timedelta(seconds=seconds)
        await store.mark_retry(self.sessions, claimed.id, at=at, reason=exc.reason, refund=True)
        log.warning("outbox.paced", message_id=claimed.id, channel=claimed.channel, seconds=seconds)

    async def _retry(self, claimed: store.Claimed, exc: SendError) -> None:
        if claimed.attempts >= self.max_attempts:
            await self._failed(claimed, exc.reason)
            return
        self._count(claimed, "retry")
        at = self.clock() + timedelta(seconds=self.backoff.delay(claimed.attempts))
        await store.mark_retry(self.sessions, claimed.id, at=at, reason=exc.reason)
        log.warning(
            "outbox.retry",
            message_id=claimed.id,
            channel=claimed.channel,
            attempts=claimed.attempts,
            reason=exc.reason,
        )

    async def _failed(self, claimed: store.Claimed, reason: str) -> None:
        self._count(claimed, "failed")
        await store.mark_failed(self.sessions, claimed.id, reason=reason, now=self.clock())
        log.error(
            "outbox.failed",
            message_id=claimed.id,
            channel=claimed.channel,
            attempts=claimed.attempts,
            reason=reason,
        )


class _Marks:
    """Messages the channels accepted, marked sent together.

    Under `Outbox.run` they are marked in the next claim's transaction (the loop is woken for
    it); otherwise (`run_once`) in a transaction of their own, all that are accepted while the
    one before is written together (group commit, no waiting on purpose). Either way `record`
    returns once its message is committed as sent, so a send's place in the pool (and its
    lease) is given up only then: a process killed before that leaves at most `concurrency`
    messages the channel may have accepted unmarked.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._waiting: list[tuple[store.Done, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None  # the run loop's, while it runs

    def loop(self, wake: asyncio.Event) -> None:
        self._wake = wake

    def take(self) -> list[tuple[store.Done, asyncio.Future[None]]]:
        taken = [(done, recorded) for done, recorded in self._waiting if not recorded.done()]
        self._waiting = []
        return taken

    @staticmethod
    def settle(
        batch: list[tuple[store.Done, asyncio.Future[None]]],
        error: Exception | None = None,
    ) -> None:
        for _, recorded in batch:
            if recorded.done():
                continue
            if error is not None:
                recorded.set_exception(error)
            else:
                recorded.set_result(None)

    async def record(self, done: store.Done) -> None:
        recorded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((done, recorded))
        if self._wake is not None:
            self._wake.set()
        elif self._writing is None or self._writing.done():
            self._writing = asyncio.ensure_future(self._write())
        await recorded

    async def _write(self) -> None:
        while self._waiting:
            batch = self.take()
            try:
                await store.mark_sent(self.sessions, [done for done, _ in batch])
            except Exception as exc:  # the database is away: each send sees it
                self.settle(batch, exc)
            except BaseException:
                for _, recorded in batch:
                    recorded.cancel()
                raise
            else:
                self.settle(batch)

    async def aclose(self) -> None:
        self._wake = None
        if self._writing is not None:
            self._writing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writing
        for _, recorded in self._waiting:
            recorded.cancel()
        self._waiting.clear()
