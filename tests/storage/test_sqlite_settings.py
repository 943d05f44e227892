"""The settings each SQLite connection of the server gets."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.storage.db import SQLITE_CACHE_KIB, create_engine


async def test_each_connection_has_a_small_page_cache_and_wal(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    try:
        async with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                cache = (await connection.execute(text("PRAGMA cache_size"))).scalar_one()
                assert cache == -SQLITE_CACHE_KIB  # KiB; SQLite's default is 2 MiB
                mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
                assert mode == "wal"
    finally:
        await engine.dispose()
