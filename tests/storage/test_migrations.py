"""The migrations, on SQLite and PostgreSQL: every one runs up and down, and the newest schema
is exactly what the models describe. (Other tests start from a copy of a database migrated
once per run; this is where the migrations themselves are proven.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import db
from bot.storage.models import Base, Worker

REVISIONS = [r.revision for r in ScriptDirectory.from_config(db.alembic_config()).walk_revisions()]


def _run(connection: Connection, verb: str, target: str) -> None:
    config = db.alembic_config()
    config.attributes["connection"] = connection
    getattr(command, verb)(config, target)


def _state(connection: Connection) -> tuple[str | None, set[str]]:
    """The revision, and the schema as table names and "table.column" names."""
    version = MigrationContext.configure(connection).get_current_revision()
    schema = inspect(connection)
    tables = set(schema.get_table_names())
    columns = {f"{t}.{c['name']}" for t in tables for c in schema.get_columns(t)}
    return version, tables | columns


def _ours(names: set[str]) -> set[str]:
    """Without Alembic's own bookkeeping table."""
    return {n for n in names if n.split(".")[0] != "alembic_version"}


def _diffs(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def _step(engine: AsyncEngine, verb: str, target: str) -> tuple[str | None, set[str]]:
    async with engine.begin() as connection:
        await connection.run_sync(_run, verb, target)
    async with engine.connect() as connection:
        return await connection.run_sync(_state)


async def test_every_migration_runs_up_and_down_and_the_models_agree(
    empty_database_url: str,
) -> None:
    engine = db.create_engine(empty_database_url)
    models = set(Base.metadata.tables)
    try:
        # One step at a time: each upgrade lands on its revision, each downgrade undoes it.
        seen: list[set[str]] = []
        for revision in reversed(REVISIONS):
            version, tables = await _step(engine, "upgrade", revision)
            assert version == revision
            seen.append(_ours(tables))
        assert {name for name in seen[-1] if "." not in name} == models
        # Every step adds tables or columns and drops none.
        assert all(a < b for a, b in zip(seen, seen[1:], strict=False)), seen
        for revision, tables in zip(REVISIONS[1:], reversed(seen[:-1]), strict=True):
            version, now = await _step(engine, "downgrade", revision)
            assert (version, _ours(now)) == (revision, tables)
        version, tables = await _step(engine, "downgrade", "base")
        assert version is None and not _ours(tables)

        await _step(engine, "upgrade", "head")
        async with engine.connect() as connection:
            assert await connection.run_sync(_diffs) == []
    finally:
        await engine.dispose()


async def test_the_template_copy_is_at_the_newest_migration(database_url: str) -> None:
    engine = db.create_engine(database_url)
    try:
        async with engine.connect() as connection:
            version, tables = await connection.run_sync(_state)
            assert await connection.run_sync(_diffs) == []
        assert version == REVISIONS[0]
        assert {n for n in _ours(tables) if "." not in n} == set(Base.metadata.tables)
    finally:
        await engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("empty_database_url", ["postgres"], indirect=True)
async def test_search_path_keeps_the_tables_in_their_own_schema(empty_database_url: str) -> None:
    """`?search_path=schema` (README) migrates into, and reads and writes, that schema only."""
    schema = f"helpline_{uuid.uuid4().hex[:8]}"
    plain = db.create_engine(empty_database_url)
    scoped = db.create_engine(f"{empty_database_url}?search_path={schema}")
    try:
        async with plain.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        await db.migrate(scoped)
        await db.migrate(scoped)  # a second start finds nothing to do
        async with scoped.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO workers (channel, channel_user_hash, channel_user_id,"
                    " language_chosen, created_at, last_seen_at)"
                    " VALUES ('web', 'h', 'sealed', false, now(), now())"
                )
            )
        async with scoped.connect() as connection:
            assert await connection.run_sync(_diffs) == []
        async with plain.connect() as connection:
            tables = await connection.run_sync(
                lambda sync: {
                    s: set(inspect(sync).get_table_names(schema=s)) for s in ("public", schema)
                }
            )
            count = await connection.scalar(text(f'SELECT count(*) FROM "{schema}".workers'))
        assert tables["public"] == set()
        assert tables[schema] == set(Base.metadata.tables) | {"alembic_version"}
        assert count == 1
        async with scoped.connect() as connection:
            assert await connection.scalar(select(Worker.channel)) == "web"
    finally:
        await scoped.dispose()
        await plain.dispose()


def test_the_heads_are_read_without_alembic_as_alembic_reads_them() -> None:
    heads = ScriptDirectory.from_config(db.alembic_config()).get_heads()
    assert db.head_revisions() == frozenset(heads)


async def test_a_start_with_nothing_to_migrate_leaves_alembic_alone(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.create_engine(empty_database_url)
    upgrades: list[str] = []
    real = db._upgrade

    def counted(connection: Connection) -> None:
        upgrades.append("upgrade")
        real(connection)

    monkeypatch.setattr(db, "_upgrade", counted)
    try:
        await db.migrate(engine)  # an empty database: Alembic creates everything
        await db.migrate(engine)  # at the head: nothing to do
        assert upgrades == ["upgrade"]
        await _step(engine, "downgrade", REVISIONS[1])  # one migration behind
        await db.migrate(engine)
        assert upgrades == ["upgrade", "upgrade"]
        async with engine.connect() as connection:
            version, _ = await connection.run_sync(_state)
        assert version == REVISIONS[0]
    finally:
        await engine.dispose()
