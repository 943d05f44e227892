"""Migration 0004 creates exactly what the VisibleMessage model describes, and goes back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage import db
from bot.storage.models import Base
from tests.cases.test_migration import _table


async def test_visible_messages_table_matches_its_model(database_url: str) -> None:
    engine = db.create_engine(database_url)
    try:
        await db.migrate(engine)
        async with engine.connect() as connection:
            diffs = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    assert "visible_messages" in tables
    assert [d for d in diffs if _table(d) == "visible_messages"] == []
