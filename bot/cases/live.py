"""Live updates: who should look again, told once the change is committed.

Topics are strings: "worker:<id>" (a message in or out), "case:<id>" (the case changed),
"org:<id>" (an organisation's queues changed), "staff:<id>" (a notification). Subscribers
are told which topic moved and read the database themselves, so a lost wake-up costs only
the fallback poll. On PostgreSQL the committed topics also go to every other process serving
the database, and theirs come here (`bus`, bot/cases/live_bus.py); on SQLite they stay in
this process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

_PENDING = "live.pending"
_TASKS = "live.tasks"


class Bus(Protocol):
    """Carries committed topics to the other processes (bot.cases.live_bus.PostgresBus)."""

    def send(self, topics: Iterable[str]) -> None: ...
    async def close(self, within: float = 2.0) -> None: ...


class Live:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[str]]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self.closing = asyncio.Event()  # set on shutdown: open streams end
        self.bus: Bus | None = None

    def publish(self, *topics: str) -> None:
        for topic in topics:
            for queue in self._subscribers.get(topic, ()):
                queue.put_nowait(topic)

    @asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[asyncio.Queue[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        for topic in topics:
            self._subscribers.setdefault(topic, set()).add(queue)
        try:
            yield queue
        finally:
            for topic in topics:
                subscribers = self._subscribers.get(topic)
                if subscribers is not None:
                    subscribers.discard(queue)
                    if not subscribers:
                        del self._subscribers[topic]

    def after_commit(
        self,
        session: AsyncSession,
        *topics: str,
        task: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Publish `topics` (and start `task`) when the session's transaction commits."""
        info = session.sync_session.info
        pending: set[str] | None = info.get(_PENDING)
        if pending is None:
            pending = info[_PENDING] = set()
            info[_TASKS] = []
            event.listen(session.sync_session, "after_commit", self._committed, once=True)
            event.listen(session.sync_session, "after_rollback", _forget, once=True)
        pending.update(topics)
        if task is not None:
            info[_TASKS].append(task)

    def _committed(self, sync_session: Any) -> None:
        topics: set[str] = sync_session.info.pop(_PENDING, set())
        tasks: list[Callable[[], Awaitable[None]]] = sync_session.info.pop(_TASKS, [])
        self.publish(*sorted(topics))
        if self.bus is not None and topics:
            self.bus.send(topics)
        for make in tasks:
            # Network calls (a staff chat) happen after the transaction, never inside it.
            running = asyncio.get_running_loop().create_task(_quietly(make))
            self._background.add(running)
            running.add_done_callback(self._background.discard)

    def close(self) -> None:
        self.closing.set()

    async def drain(self, within: float = 5.0) -> None:
        """Wait for the tasks started after commits (a staff chat send), so that none holds a
        database connection when the engine is disposed; any still running after `within`
        are cancelled. Then the bus sends what is left and closes."""
        if self._background:
            _done, pending = await asyncio.wait(set(self._background), timeout=within)
            for task in pending:
                task.cancel()
        if self.bus is not None:
            await self.bus.close()


def _forget(sync_session: Any) -> None:
    sync_session.info.pop(_PENDING, None)
    sync_session.info.pop(_TASKS, None)


async def _quietly(make: Callable[[], Awaitable[None]]) -> None:
    import structlog

    try:
        await make()
    except Exception:
        structlog.get_logger(__name__).exception("live.task_failed")
