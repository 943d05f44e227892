"""PostgreSQL connections are pinged before use (bot/storage/db.py), in `unpinged()` blocks only
after being idle a while: one closed by the server meanwhile is replaced unseen; there one
closed just after its last use fails once, and the pool is renewed for the next."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage import db

pytestmark = pytest.mark.postgres


@pytest.fixture
def collected() -> Iterator[None]:
    yield
    gc.collect()


async def _terminate(database_url: str, pid: int) -> None:
    killer = create_async_engine(database_url)
    try:
        async with killer.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await killer.dispose()


async def _pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("unpinged", [False, True])
async def test_a_connection_closed_while_idle_is_replaced_before_it_is_used(
    collected: None, database_url: str, monkeypatch: pytest.MonkeyPatch, unpinged: bool
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # every checkout counts as after a while
    engine = db.create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        first = await _pid(engine)
        await _terminate(database_url, first)
        with db.unpinged() if unpinged else contextlib.nullcontext():
            assert await _pid(engine) != first  # no error: pinged, found dead, replaced
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_outside_unpinged_blocks_a_connection_just_used_is_pinged_too(
    collected: None, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    engine = db.create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        first = await _pid(engine)
        await _terminate(database_url, first)
        assert await _pid(engine) != first
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_in_unpinged_blocks_a_connection_closed_just_after_use_fails_once(
    collected: None, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)  # never pinged in unpinged()
    engine = db.create_engine(database_url, pool_size=2, max_overflow=0)
    try:
        async with engine.connect() as one, engine.connect() as two:  # two in the pool
            pids = [
                int((await c.execute(text("SELECT pg_backend_pid()"))).scalar_one())
                for c in (one, two)
            ]
        for pid in pids:
            await _terminate(database_url, pid)
        with db.unpinged():
            with pytest.raises(DBAPIError) as failed:
                await _pid(engine)
            assert failed.value.connection_invalidated
            # The pool was renewed: the other dead connection is not handed out either.
            assert await _pid(engine) not in pids
            assert await _pid(engine) not in pids
    finally:
        await engine.dispose()
