"""Test databases: one migrated template per test run, a copy of it per test.

Several runs may share one PostgreSQL server (helpers, CI): every database a run makes is
named `helpline_t_<epoch>_<pid>_<random>_...`, so names never collide, and a run drops what it
made when it ends. Databases left by a run that crashed are dropped by a later run once they
are a day old (a live run is never that old).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import threading
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from bot.storage import db

T = TypeVar("T")

PREFIX = "helpline_t_"
STALE_SECONDS = 24 * 3600
_STAMPED = re.compile(rf"^{PREFIX}(\d+)_")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine to the end in a thread of its own, so that it works from synchronous
    fixtures whether or not the test's event loop is running."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as e:
            error.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


async def migrate_url(url: str) -> None:
    engine = db.create_engine(url)
    try:
        await db.migrate(engine)
    finally:
        await engine.dispose()  # a template must have no open connection when it is copied


def no_fsync_for_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """A commit need not wait for the disk (as on PostgreSQL, see _made): in WAL mode,
    synchronous=NORMAL still keeps the file whole, and a test's database never outlives a crash.
    Listens on every engine's "connect"; other drivers are left alone."""
    if "sqlite" in type(dbapi_connection).__module__:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def quoted(name: str) -> str:
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    return f'"{name}"'


class PostgresServer:
    """CREATE and DROP DATABASE on the server named by a SQLAlchemy URL, through its `postgres`
    maintenance database, from an event loop in a thread of its own (tests' loops come and go).

    Dropping a test's database does not hold up the next test: drops queue on a second
    connection, and stop() waits for them."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self._base = parsed.set(query={})
        self.admin_dsn = (
            parsed.set(drivername="postgresql", database="postgres", query={})
        ).render_as_string(hide_password=False)
        self.tag = f"{PREFIX}{int(time.time())}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._numbers = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._create: Any = None
        self._drop: Any = None
        self._drops: list[Future[None]] = []
        self._dropping = asyncio.Lock()
        self._creating = asyncio.Lock()
        self._next: Future[str] | None = None
        self._alive: set[str] = set()  # made and not yet dropped
        self.template = f"{self.tag}_tmpl"
        self._started = False

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def url(self, name: str) -> str:
        return self._base.set(database=name).render_as_string(hide_password=False)

    def start(self) -> None:
        self._thread.start()
        self._started = True
        self._call(self._open())
        self._call(migrate_url(self.url(self.template)))

    async def _open(self) -> None:
        self._create = await asyncpg.connect(self.admin_dsn)
        self._drop = await asyncpg.connect(self.admin_dsn)
        await self._drop_stale()
        await self._create.execute(f"CREATE DATABASE {quoted(self.template)}")

    async def _drop_stale(self) -> None:
        rows = await self._create.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", PREFIX
        )
        now = time.time()
        for row in rows:
            stamp = _STAMPED.match(row["datname"])
            if stamp and now - int(stamp.group(1)) > STALE_SECONDS:
                # Another old run may be dropping it too.
                with contextlib.suppress(asyncpg.PostgresError):
                    await self._create.execute(
                        f"DROP DATABASE IF EXISTS {quoted(row['datname'])} WITH (FORCE)"
                    )

    def create(self, *, migrated: bool) -> str:
        """A new database: a copy of the migrated template, or an empty one. The next copy is
        made in the background while the test runs."""
        if not migrated:
            return self._call(self._made("template0"))  # template0 takes no connections
        ready = self._next or self._make_next()
        self._next = None
        name = ready.result()
        self._next = self._make_next()
        return name

    def _make_next(self) -> Future[str]:
        return asyncio.run_coroutine_threadsafe(self._made(self.template), self._loop)

    async def _made(self, template: str) -> str:
        name = f"{self.tag}_{next(self._numbers)}"
        # WAL_LOG: no checkpoint, which on a busy shared server takes longer than the copy.
        sql = f"CREATE DATABASE {quoted(name)} TEMPLATE {quoted(template)} STRATEGY WAL_LOG"
        async with self._creating:  # one statement at a time on a connection
            await self._create.execute(sql)
            self._alive.add(name)
            # A commit need not wait for the disk: a test database never outlives a crash.
            await self._create.execute(
                f"ALTER DATABASE {quoted(name)} SET synchronous_commit = off"
            )
        return name

    def drop(self, name: str) -> None:
        """Drops a test's database in the background (connections left open are ended)."""
        self._alive.discard(name)
        self._drops.append(asyncio.run_coroutine_threadsafe(self._dropped(name), self._loop))

    async def _dropped(self, name: str) -> None:
        async with self._dropping:  # one statement at a time on a connection
            await self._drop.execute(f"DROP DATABASE IF EXISTS {quoted(name)} WITH (FORCE)")

    def stop(self) -> None:
        if not self._started:
            return
        try:
            if self._next is not None:
                self._next.result()
            for name in sorted(self._alive):
                self.drop(name)
            for future in self._drops:
                future.result()
            if self._create is not None:
                self._call(
                    self._create.execute(
                        f"DROP DATABASE IF EXISTS {quoted(self.template)} WITH (FORCE)"
                    )
                )
        finally:
            for connection in (self._create, self._drop):
                if connection is not None:
                    self._call(connection.close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()
