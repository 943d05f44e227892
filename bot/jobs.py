"""Jobs on a schedule that run once across every process serving one database.

Each job has a row in `scheduled_jobs`. A process runs a job only after moving the row's
`due_at` forward with one conditional UPDATE, in the same transaction as the job's work: of
several processes only one sees the row still due, and if the work fails the claim is rolled
back with it, so the job is tried again on the next tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import ScheduledJob, utcnow

log = structlog.get_logger(__name__)

Work = Callable[[AsyncSession, datetime], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    """`work(session, now)` every `every`; what it returns is logged when truthy."""

    name: str
    every: timedelta
    work: Work


async def claim(session: AsyncSession, job: Job, now: datetime) -> bool:
    """Take this run of the job if it is due; True if this transaction now owns it."""
    claimed = await session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == job.name, ScheduledJob.due_at <= now)
        .values(due_at=now + job.every, last_run_at=now, runs=ScheduledJob.runs + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    if await session.get(ScheduledJob, job.name) is not None:
        return False
    try:  # the job's first run anywhere
        async with session.begin_nested():
            await session.execute(
                insert(ScheduledJob).values(
                    name=job.name, due_at=now + job.every, last_run_at=now, runs=1
                )
            )
    except IntegrityError:
        return False  # another process inserted it first, and runs it
    return True


async def run_due(
    sessions: async_sessionmaker[AsyncSession], jobs: Sequence[Job], now: datetime | None = None
) -> list[str]:
    """Runs every due job, each in its own transaction; the names of those this process ran."""
    ran = []
    for job in jobs:
        at = now or utcnow()
        try:
            async with sessions.begin() as session:
                if not await claim(session, job, at):
                    continue
                result = await job.work(session, at)
        except Exception:
            log.exception("job.failed", job=job.name)
            continue
        ran.append(job.name)
        if result:
            log.info("job.ran", job=job.name, result=result)
    return ran


async def run_forever(
    sessions: async_sessionmaker[AsyncSession],
    jobs: Sequence[Job],
    tick: float = 15.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """For the life of the server: every `tick` seconds, the jobs that are due."""
    while True:
        await run_due(sessions, jobs)
        await sleep(tick)
