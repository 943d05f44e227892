"""The server's scheduled jobs, with the timers the settings give."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cases import Actor
from bot.cases.status import Source
from bot.jobs import run_due
from bot.messages import Inbound
from bot.runtime import Runtime
from bot.server import scheduled
from bot.settings import Settings
from bot.storage.models import Case, Message, Worker, utcnow
from tests.fakes import add_officer


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url, data_dir=tmp_path, waiting_notice_minutes=10, retention_days=30
    )


async def test_every_job_runs_and_the_waiting_notice_follows_its_setting(
    runtime: Runtime,
) -> None:
    jobs = scheduled(runtime)
    names = [
        "flag_overdue",
        "flag_unclaimed",
        "waiting_notice",
        "staff_chat",
        "daily_digest",
        "retention",
        "awareness",
    ]
    assert [job.name for job in jobs] == names
    await runtime.engine.handle(Inbound("telegram", "77", "halo"))
    async with runtime.sessions.begin() as session:
        staff = await add_officer(session)
        officer = Actor(staff.id, staff.role, staff.organisation)
        worker_id = await session.scalar(select(Worker.id))
        assert worker_id is not None
        case = await runtime.desk.open_case(session, worker_id, source=Source.TALK_TO_HUMAN)
        await runtime.desk.claim(session, officer, case)
    await runtime.engine.handle(Inbound("telegram", "77", "halo, ada petugas?"))
    wrote = utcnow()

    assert await run_due(runtime.sessions, jobs, wrote + timedelta(minutes=5)) == names
    later = wrote + timedelta(minutes=11)
    assert "waiting_notice" in await run_due(runtime.sessions, jobs, later)
    async with runtime.sessions() as session:
        notices = (await session.scalars(select(Message).where(Message.origin == "waiting"))).all()
        assert len(notices) == 1
        assert (await session.get_one(Case, case.id)).chat_held_by == officer.id


async def test_retention_runs_with_the_configured_period(runtime: Runtime) -> None:
    jobs = scheduled(runtime)
    await runtime.engine.handle(Inbound("web", "idle-worker", "halo"))
    soon = utcnow() + timedelta(days=29)
    assert "retention" in await run_due(runtime.sessions, jobs, soon)
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Worker))).all()  # within 30 days: kept
    later = utcnow() + timedelta(days=31)
    assert "retention" in await run_due(runtime.sessions, jobs, later)
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Worker))).all() == []
