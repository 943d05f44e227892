"""SQLite's one-hop cursor (bot/storage/sqlite_hops.py) under SQLAlchemy: the same results as
aiosqlite's own cursor, in one call on the connection's thread a statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.storage.db import create_engine
from bot.storage.sqlite_hops import OneHopConnection


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hops.db'}"


async def test_statements_give_rows_counts_and_ids(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as db:
            driver = (await db.get_raw_connection()).driver_connection
            assert isinstance(driver, OneHopConnection)
            await db.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
            inserted = await db.execute(text("INSERT INTO t (name) VALUES ('siti')"))
            assert inserted.lastrowid == 1
            assert inserted.rowcount == 1
            await db.execute(
                text("INSERT INTO t (name) VALUES (:name)"), [{"name": "ani"}, {"name": "dewi"}]
            )
            returned = await db.execute(
                text("INSERT INTO t (name) VALUES ('rina') RETURNING id, name")
            )
            assert returned.all() == [(4, "rina")]
            rows = await db.execute(text("SELECT id, name FROM t ORDER BY id"))
            assert list(rows.keys()) == ["id", "name"]
            assert rows.all() == [(1, "siti"), (2, "ani"), (3, "dewi"), (4, "rina")]
            many = await db.execute(text("SELECT name FROM t ORDER BY id"))
            assert many.fetchmany(3) == [("siti",), ("ani",), ("dewi",)]
            assert many.fetchone() == ("rina",)
            assert many.fetchone() is None
            updated = await db.execute(text("UPDATE t SET name = name || '!' WHERE id > 2"))
            assert updated.rowcount == 2
            assert (await db.execute(text("SELECT count(*) FROM t WHERE id > 99"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_errors_are_sqlalchemys_and_the_transaction_rolls_back(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as db:
            await db.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
            await db.execute(text("INSERT INTO t (name) VALUES ('siti')"))
        with pytest.raises(IntegrityError):
            async with engine.begin() as db:
                await db.execute(text("INSERT INTO t (name) VALUES ('ani')"))
                await db.execute(text("INSERT INTO t (name) VALUES ('siti')"))
        with pytest.raises(OperationalError):
            async with engine.begin() as db:
                await db.execute(text("SELECT nothing FROM nowhere"))
        async with engine.connect() as db:
            assert (await db.execute(text("SELECT name FROM t"))).scalars().all() == ["siti"]
    finally:
        await engine.dispose()


async def test_a_statement_is_one_call_on_the_connections_thread(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = OneHopConnection._execute

    async def counted(self: OneHopConnection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    engine = create_engine(url)
    try:
        async with engine.begin() as db:
            await db.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
        monkeypatch.setattr(OneHopConnection, "_execute", counted)
        async with engine.begin() as db:
            calls.clear()
            await db.execute(text("INSERT INTO t (name) VALUES ('siti') RETURNING id"))
            await db.execute(text("SELECT name FROM t"))
            assert calls == ["_run", "_run"]  # aiosqlite's cursor: 4 a statement
    finally:
        await engine.dispose()
