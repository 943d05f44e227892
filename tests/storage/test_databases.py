"""The tests' own PostgreSQL databases: runs that share a server clean up after themselves, and
what a crashed run left is dropped once it is a day old, never sooner."""

from __future__ import annotations

import time

import asyncpg
import pytest

from tests.conftest import POSTGRES_URL
from tests.databases import PREFIX, PostgresServer, run_async

pytestmark = pytest.mark.postgres


async def _names(server: PostgresServer, *sql: str) -> set[str]:
    connection = await asyncpg.connect(server.admin_dsn)
    try:
        for statement in sql:
            await connection.execute(statement)
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", PREFIX
        )
        return {row["datname"] for row in rows}
    finally:
        await connection.close()


def test_a_run_drops_its_own_databases_and_a_crashed_runs_a_day_later(
    postgres_server: PostgresServer,
) -> None:
    now = int(time.time())
    crashed = f"{PREFIX}{now - 25 * 3600}_1_dead00_tmpl"
    recent = f"{PREFIX}{now - 3600}_1_dead00_tmpl"  # perhaps still running
    run_async(_names(postgres_server, *(f'CREATE DATABASE "{n}"' for n in (crashed, recent))))
    try:
        server = PostgresServer(POSTGRES_URL)
        server.start()
        made = {server.template, server.create(migrated=True), server.create(migrated=False)}
        during = run_async(_names(server))
        server.stop()
        after = run_async(_names(postgres_server))
        assert made <= during and crashed not in during and recent in during
        assert not {n for n in after if n.startswith(server.tag)} and recent in after
    finally:
        run_async(_names(postgres_server, f'DROP DATABASE IF EXISTS "{recent}" WITH (FORCE)'))
