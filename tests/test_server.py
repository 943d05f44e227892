"""The server's scheduled jobs, as its lifespan starts them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.jobs import run_due
from bot.messages import Inbound
from bot.runtime import Runtime
from bot.server import scheduled_jobs
from bot.settings import Settings
from bot.storage.models import Worker, utcnow


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path, retention_days=30)


async def test_retention_runs_with_the_configured_period(runtime: Runtime) -> None:
    jobs = scheduled_jobs(runtime)
    assert [job.name for job in jobs] == ["flag_overdue", "retention"]
    await runtime.engine.handle(Inbound("web", "idle-worker", "halo"))
    soon = utcnow() + timedelta(days=29)
    assert await run_due(runtime.sessions, jobs, soon) == ["flag_overdue", "retention"]
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Worker))).all()  # within 30 days: kept
    later = utcnow() + timedelta(days=31)
    assert "retention" in await run_due(runtime.sessions, jobs, later)
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Worker))).all() == []
