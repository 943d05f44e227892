"""Migrations create exactly what the models describe: the case desk's tables (0003) and the
channels' visible message ids (0004)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.storage import db
from bot.storage.models import Base

TABLES = {
    "staff",
    "staff_sessions",
    "staff_tokens",
    "cases",
    "case_access",
    "case_notes",
    "case_messages",
    "audit_log",
    "staff_notifications",
    "visible_messages",
}


def _table(diff: Any) -> str | None:
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return _table(diff[0])
    for item in diff[1:]:
        name = getattr(item, "name", None) if not isinstance(item, str) else None
        table = getattr(item, "table", None)
        if table is not None:
            return str(table.name)
        if name and diff[0].endswith("_table"):
            return str(name)
    strings = [x for x in diff[1:] if isinstance(x, str)]
    return strings[0] if strings else None


async def test_models_and_migration_agree(database_url: str) -> None:
    engine = db.create_engine(database_url)
    try:
        await db.migrate(engine)
        async with engine.connect() as connection:
            diffs = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    ours = [d for d in diffs if _table(d) in TABLES]
    assert ours == []
