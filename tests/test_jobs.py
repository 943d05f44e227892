"""Scheduled jobs run once across processes: a due job is claimed by one transaction, a failed
run is tried again, and a job not yet due waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import Job, run_due
from bot.storage import db
from bot.storage.models import ScheduledJob

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(database_url)
    yield db.session_factory(engine)
    await engine.dispose()


def counting(runs: list[datetime], every: timedelta = timedelta(minutes=5)) -> Job:
    async def work(session: AsyncSession, now: datetime) -> int:
        runs.append(now)
        return len(runs)

    return Job("count", every, work)


async def test_a_job_runs_when_due_and_not_before(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    runs: list[datetime] = []
    job = counting(runs)
    assert await run_due(sessions, [job], NOW) == ["count"]  # first run anywhere
    assert await run_due(sessions, [job], NOW + timedelta(minutes=4)) == []
    assert await run_due(sessions, [job], NOW + timedelta(minutes=5)) == ["count"]
    assert runs == [NOW, NOW + timedelta(minutes=5)]


async def test_a_failed_run_is_tried_again_on_the_next_tick(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    attempts: list[datetime] = []

    async def flaky(session: AsyncSession, now: datetime) -> None:
        attempts.append(now)
        if len(attempts) == 2:
            raise RuntimeError("database went away")

    job = Job("flaky", timedelta(minutes=5), flaky)
    await run_due(sessions, [job], NOW)
    later = NOW + timedelta(minutes=5)
    assert await run_due(sessions, [job], later) == []  # failed: the claim rolled back
    assert await run_due(sessions, [job], later + timedelta(seconds=15)) == ["flaky"]
    assert len(attempts) == 3
    async with sessions() as session:
        assert (await session.get_one(ScheduledJob, "flaky")).runs == 2  # the failed one not


async def test_processes_racing_for_a_due_job_run_it_once(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    runs: list[datetime] = []
    job = counting(runs)
    await run_due(sessions, [job], NOW)
    # Each "process" has an engine of its own; all wake up at once when the job is due.
    engines = [db.create_engine(database_url) for _ in range(4)]
    try:
        later = NOW + timedelta(minutes=5)
        ran = await asyncio.gather(
            *(run_due(db.session_factory(engine), [job], later) for engine in engines)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sorted(map(len, ran)) == [0, 0, 0, 1]
    assert len(runs) == 2
    async with sessions() as session:  # the row counts the runs (one per due time)
        row = await session.get_one(ScheduledJob, "count")
    assert row.runs == 2
