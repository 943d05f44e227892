"""Live updates across processes on PostgreSQL: NOTIFY what was committed, LISTEN for the rest.

Each process keeps one connection of its own (not from the pool) that LISTENs on one channel,
`helpline_live`, and sends this process's committed topics with `pg_notify`, batched into
payloads under PostgreSQL's 8,000 bytes: "<origin> <topic> <topic> ...". What another process
committed wakes the local subscribers as a change made here would; a process's own
notifications come back to it too and are skipped by their origin (its subscribers were told
at commit). If the connection drops, it is made again with backoff; the streams' fallback poll
covers the gap, and subscribers read the database themselves, so a lost or repeated wake-up
is harmless. SQLite has no such bus: its updates stay inside the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

import structlog

log = structlog.get_logger(__name__)

CHANNEL = "helpline_live"  # with `_<schema>` when the tables are in a schema of their own
MAX_PAYLOAD_BYTES = 7900  # PostgreSQL refuses payloads of 8,000 bytes and more
KEEPALIVE_SECONDS = 15.0  # an idle connection is checked this often (a half-open socket)


class Subscribers(Protocol):
    def publish(self, *topics: str) -> None: ...


class Connection(Protocol):
    """The part of asyncpg.Connection used here."""

    async def add_listener(self, channel: str, callback: Callable[..., Any]) -> None: ...
    def add_termination_listener(self, callback: Callable[..., Any]) -> None: ...
    async def execute(self, query: str, *args: object) -> str: ...
    def is_closed(self) -> bool: ...
    async def close(self) -> None: ...
    def terminate(self) -> None: ...


def payloads(origin: str, topics: Iterable[str]) -> list[str]:
    """The topics in as few payloads as fit, each "<origin> <topic> ..." under the limit."""
    out: list[str] = []
    current = origin
    for topic in topics:
        if len(current.encode()) + 1 + len(topic.encode()) > MAX_PAYLOAD_BYTES:
            out.append(current)
            current = origin
        current += " " + topic
    if current != origin:
        out.append(current)
    return out


class PostgresBus:
    """The LISTEN/NOTIFY side of bot.cases.live.Live for one process."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[Connection]],
        subscribers: Subscribers,
        *,
        channel: str = CHANNEL,
        keepalive: float = KEEPALIVE_SECONDS,
        backoff_cap: float = 30.0,
    ) -> None:
        self.connect = connect
        self.channel = channel
        self.subscribers = subscribers
        self.origin = secrets.token_hex(6)  # per bus: two runtimes in one process hear each other
        self.keepalive = keepalive
        self.backoff_cap = backoff_cap
        self.listening = asyncio.Event()  # set while the connection LISTENs
        self.heard = 0  # notifications from other processes
        self.sent = 0  # payloads sent
        self.count: Callable[[str], None] = lambda direction: None  # "heard" | "sent" (metrics)
        self._pending: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connection: Connection | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def send(self, topics: Iterable[str]) -> None:
        """Tell the other processes (soon, from the bus's own task) that `topics` moved."""
        self._pending.update(topics)
        self._wake.set()

    async def close(self, within: float = 2.0) -> None:
        """Send what is pending (for at most `within` seconds), then stop listening."""
        if self._task is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self._pending and self.listening.is_set() and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    def _heard(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        origin, _, rest = payload.partition(" ")
        if origin == self.origin:
            return  # ours: the subscribers here were told at commit
        self.heard += 1
        self.count("heard")
        self.subscribers.publish(*rest.split())

    async def _run(self) -> None:
        failures = 0
        while True:
            connection: Connection | None = None
            try:
                connection = await self.connect()
                await self._listen(connection, reconnected=failures > 0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Counted from the last time it listened: a drop after hours retries at once.
                failures = 1 if self.listening.is_set() else failures + 1
                log.warning("live.listen_failed", error=type(exc).__name__, failures=failures)
            finally:
                self.listening.clear()
                self._connection = None
                if connection is not None:
                    await _close(connection)
            await asyncio.sleep(min(self.backoff_cap, 0.25 * 2 ** min(failures, 10)))

    async def _listen(self, connection: Connection, *, reconnected: bool) -> None:
        connection.add_termination_listener(lambda *_: self._wake.set())
        await connection.add_listener(self.channel, self._heard)
        self._connection = connection
        self.listening.set()
        if reconnected:
            log.info("live.listening_again")
        while True:
            if connection.is_closed():
                raise ConnectionError("the listening connection closed")
            if not self._pending:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.keepalive)
                except TimeoutError:
                    await connection.execute("SELECT 1")  # finds a dead socket
                    continue
            self._wake.clear()
            if connection.is_closed():
                raise ConnectionError("the listening connection closed")
            topics, self._pending = self._pending, set()
            try:
                for payload in payloads(self.origin, sorted(topics)):
                    await connection.execute("SELECT pg_notify($1, $2)", self.channel, payload)
                    self.sent += 1
                    self.count("sent")
            except BaseException:
                self._pending |= topics  # sent again once listening again; harmless if twice
                raise


async def _close(connection: Connection) -> None:
    if connection.is_closed():
        return
    try:
        await asyncio.wait_for(connection.close(), 2.0)
    except Exception:
        connection.terminate()
    except BaseException:
        connection.terminate()
        raise


def channel_for(url: str) -> str:
    """Helplines in different schemas of one database (`?search_path=`) do not hear each other."""
    from sqlalchemy.engine import make_url

    schema = make_url(url).query.get("search_path")
    if not schema:
        return CHANNEL
    return f"{CHANNEL}_{hashlib.sha256(str(schema).encode()).hexdigest()[:16]}"


def asyncpg_connector(url: Any, dialect: Any) -> Callable[[], Awaitable[Connection]]:
    """Opens a connection of its own to the database of a SQLAlchemy engine's `url`."""
    import asyncpg

    args, kwargs = dialect.create_connect_args(url)
    kwargs.pop("prepared_statement_cache_size", None)

    async def connect() -> Connection:
        connection: Connection = await asyncpg.connect(*args, timeout=10, **kwargs)
        return connection

    return connect
