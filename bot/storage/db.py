"""Database engine, sessions and migrations (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import contextvars
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage.crypto import Cipher, attach_cipher
from bot.storage.sqlite_hops import connect_one_hop

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_engine(url: str, *, cipher: Cipher | None = None, **kwargs: Any) -> AsyncEngine:
    """An engine for `url`; `cipher` encrypts its encrypted columns (without one they refuse)."""
    engine = _create_engine(url, **kwargs)
    if cipher is not None:
        attach_cipher(engine.sync_engine.dialect, cipher)
    return engine


def _create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
        engine = create_async_engine(url, **kwargs)
        if engine.dialect.driver == "aiosqlite":
            event.listen(engine.sync_engine, "do_connect", connect_one_hop)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # `?search_path=name` puts the tables in a schema of their own (tests, shared servers).
    search_path = parsed.query.get("search_path")
    if search_path:
        url = parsed.difference_update_query(["search_path"]).render_as_string(hide_password=False)
        server_settings = kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})
        server_settings["search_path"] = str(search_path)
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)
    return engine


# Every connection is pinged before use (as `pool_pre_ping`: the server may have closed it,
# restarted, terminated, an idle timeout), except in `unpinged()` blocks, whose callers recover
# from a lost connection themselves: there a connection back in the pool for less than this is
# used at once, which saves a round trip on every transaction under load. One that died within
# these seconds fails its first statement: SQLAlchemy then invalidates it and every connection
# of the pool older than it, and the caller retries (a webhook's store once at once, an
# attempt within a second, bot/retry.py).
PING_AFTER_IDLE = 2.0
_IDLE_SINCE = "helpline_idle_since"
_UNPINGED: contextvars.ContextVar[bool] = contextvars.ContextVar("unpinged", default=False)


@contextlib.contextmanager
def unpinged() -> Iterator[None]:
    """Connections checked out inside are pinged only if idle over `PING_AFTER_IDLE`."""
    token = _UNPINGED.set(True)
    try:
        yield
    finally:
        _UNPINGED.reset(token)


def ping_when_idle(engine: AsyncEngine, after: float | None = None) -> None:
    """`pool_pre_ping`, but in `unpinged()` only for connections idle more than `after` seconds
    (`PING_AFTER_IDLE`)."""
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    @event.listens_for(sync_engine, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        limit = PING_AFTER_IDLE if after is None else after
        if since is not None and _UNPINGED.get() and time.monotonic() - since <= limit:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if not dialect.is_disconnect(exc, dbapi_connection, None):
                raise
            # The pool discards it and checks out another (a new one if need be).
            raise DisconnectionError("connection closed while idle") from exc
        record.info[_IDLE_SINCE] = time.monotonic()


SQLITE_CACHE_KIB = 512  # each connection's page cache


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one process writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Each connection keeps a page cache of its own, 2 MiB by default, in the server's memory;
    # the pool holds several. Half a MiB keeps the hot pages (the indexes' upper levels, recent
    # rows); the rest comes from the kernel's page cache. After 1,000 web chat messages the
    # server held 3 MiB less.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()
    # The transaction the driver opens before a write takes the write lock at once: a writer
    # waits at its start, never half-way with a snapshot it then cannot write on.
    dbapi_connection.isolation_level = "IMMEDIATE"


# SQLite has one writer. Writers of one process queue here, in order, for the write lock,
# rather than each sleeping in SQLite's busy handler (which backs off up to 100 ms a try and
# made the p99 of a loaded process seconds); other processes still meet the busy handler.
# One lock per engine and event loop (tests run several loops).
_WRITE_LOCKS: weakref.WeakKeyDictionary[Any, weakref.WeakKeyDictionary[Any, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


@contextlib.asynccontextmanager
async def writing(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Around a transaction that writes: on SQLite, this process's writers take turns."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        yield
        return
    locks = _WRITE_LOCKS.setdefault(bind.sync_engine, weakref.WeakKeyDictionary())
    lock = locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        yield


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head_revisions() -> frozenset[str]:
    """The newest migrations, read from the `revision` and `down_revision` lines of the files
    in versions/ without importing Alembic (a start that has nothing to migrate never does)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                values[target.id] = ast.literal_eval(value)
        revisions.add(str(values["revision"]))
        down = values.get("down_revision")
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(d) for d in down)
    return frozenset(revisions - parents)


def _at_head(connection: Connection) -> bool:
    if not inspect(connection).has_table("alembic_version"):
        return False
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return frozenset(found) == head_revisions()


def _upgrade(connection: Connection) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration; safe to run from several processes at start."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # One process migrates at a time; the others wait, then find nothing to do.
            await connection.execute(text("SELECT pg_advisory_xact_lock(7253418)"))
        if not await connection.run_sync(_at_head):
            await connection.run_sync(_upgrade)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
