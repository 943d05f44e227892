"""The supervisors' daily digest: what it counts and lists, the Telegram text without personal
data, and its sending once a day at each organisation's local hour, once across processes."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import Actor, digest, referrals
from bot.cases.digest import DigestSchedule, digest_job, send_due, telegram_text
from bot.jobs import run_due
from bot.runtime import Runtime
from bot.settings import Settings
from bot.storage import db
from bot.storage.models import Case, DigestRun
from tests.cases.conftest import World
from tests.channels.fixtures import channel_settings, stubs, telegram_stub
from tests.channels.stubs import TelegramStub

__all__ = ["stubs", "telegram_stub"]  # fixtures used here

# 07:00 in Jakarta on the Tuesday after the world's Monday.
JAKARTA_SEVEN = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
CHAT = "-1001234567"


class StaffChat:
    """Records what the digest job queues for the staff chat (which sends and retries it:
    tests/channels/test_staff_chat.py; the whole way through Telegram: the last test here)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def queue(
        self, session: AsyncSession, chat_id: str, text: str, case_id: int | None = None
    ) -> None:
        self.sent.append((chat_id, text))


async def _open(world: World, user: str, text: str = "orang", **fields: Any) -> Case:
    await world.say(user, text)
    case = await world.case()
    if fields:
        async with world.sessions.begin() as session:
            row = await session.get_one(Case, case.id)
            for key, value in fields.items():
                setattr(row, key, value)
    return await world.case(case.reference)


async def _three_cases(world: World) -> tuple[Case, Case, Case, Actor]:
    """Migrant CARE: one claimed, one waiting 5 hours (past 240 minutes), one just now."""
    ani = await world.staff("ani")
    start = world.clock.now
    world.clock.now = start - timedelta(hours=5)
    late = await _open(world, "w-late", category="wages_unpaid", record={"employer": "Mrs Secret"})
    world.clock.now = start - timedelta(hours=1)
    claimed = await _open(world, "w-claimed")
    async with world.sessions.begin() as session:
        await world.desk.claim(session, ani, await session.get_one(Case, claimed.id))
    world.clock.now = start
    fresh = await _open(world, "w-fresh", text="gaji saya belum dibayar orang")
    return late, claimed, fresh, ani


async def test_the_digest_counts_open_overdue_unclaimed_and_referred_cases(
    world: World,
) -> None:
    late, claimed, fresh, ani = await _three_cases(world)
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, claimed.id)
        await referrals.refer(world.desk, session, ani, row, "kbri-kl-protection")
    async with world.sessions() as session:
        ours = await digest.build(session, world.desk.directory, "migrantcare", world.clock.now)
        theirs = await digest.build(
            session, world.desk.directory, "kbri-kuala-lumpur", world.clock.now
        )
    assert ours.open == 3 and ours.referred == 0
    assert [w.reference for w in ours.unclaimed] == [late.reference, fresh.reference]
    assert [w.reference for w in ours.overdue] == [late.reference]
    assert ours.unclaimed[0].waited == timedelta(hours=5)
    assert dict(ours.by_category) == {"wages_unpaid": 1, None: 2}
    assert theirs.open == 0 and theirs.referred == 1 and not theirs.empty
    del budi

    text = telegram_text(ours, world.desk.directory, "en", "https://helpline.example.org")
    assert "Daily digest of Migrant CARE, Monday, November 23, 2026" in text
    assert "Open cases: 3. Not claimed: 2. Past the time limit: 1." in text
    assert f"• {late.reference} · wages unpaid · waiting 5 hr" in text
    assert f"• {fresh.reference} · no category · waiting 0 min" in text
    assert claimed.reference not in text  # claimed: neither late nor waiting
    assert text.endswith("https://helpline.example.org/dashboard/digest")
    # References, counts, categories and waiting times only: nothing a worker wrote or is.
    assert "Secret" not in text and "gaji" not in text and "Ani" not in text
    indonesian = telegram_text(ours, world.desk.directory, "id")
    assert "Ringkasan harian Migrant CARE" in indonesian and "Senin" in indonesian


async def test_the_digest_goes_once_a_day_at_the_local_hour(world: World) -> None:
    late, _, _, _ = await _three_cases(world)
    chat = StaffChat()
    job = digest_job(world.desk.directory, chat, DigestSchedule(hour=7, fallback_chat=CHAT))
    sessions = world.sessions

    assert await run_due(sessions, [job], JAKARTA_SEVEN - timedelta(minutes=1)) == [job.name]
    assert chat.sent == []  # 06:59 in Jakarta: not yet
    assert await run_due(sessions, [job], JAKARTA_SEVEN + timedelta(minutes=4)) == [job.name]
    [(chat_id, text)] = chat.sent  # Migrant CARE's; organisations with nothing open: none
    assert chat_id == CHAT and late.reference in text and "Migrant CARE" in text
    for minutes in (10, 60, 16 * 60):  # later that day: already sent
        await run_due(sessions, [job], JAKARTA_SEVEN + timedelta(minutes=minutes))
    assert len(chat.sent) == 1
    await run_due(sessions, [job], JAKARTA_SEVEN + timedelta(days=1, minutes=1))
    assert len(chat.sent) == 2  # the next morning
    async with sessions() as session:
        runs = (
            await session.scalars(
                select(DigestRun.day).where(DigestRun.organisation == "migrantcare")
            )
        ).all()
    assert sorted(str(d) for d in runs) == ["2026-11-24", "2026-11-25"]


async def test_each_organisation_has_its_own_hour_zone_and_chat(world: World) -> None:
    await world.staff("budi", organisation="kbri-kuala-lumpur")
    await _open(world, "w-my", text="saya sedang dipukul di malaysia")  # to KBRI Kuala Lumpur
    await _open(world, "w-id")  # Migrant CARE
    directory = world.desk.directory
    embassy = dataclasses.replace(
        directory.organisations["kbri-kuala-lumpur"], staff_chat="-100777", digest_hour=9
    )
    ngo = directory.organisations["migrantcare"]  # no chat of its own: the fallback
    chat = StaffChat()
    schedule = DigestSchedule(hour=7, fallback_chat=CHAT)

    async def at(moment: datetime) -> int:
        async with world.sessions.begin() as session:
            return await send_due(session, directory, chat, schedule, moment, [embassy, ngo])

    assert await at(JAKARTA_SEVEN) == 1  # 07:00 Jakarta; 08:00 in Kuala Lumpur
    assert await at(JAKARTA_SEVEN + timedelta(minutes=59)) == 0
    assert await at(JAKARTA_SEVEN + timedelta(hours=1)) == 1  # 09:00 in Kuala Lumpur
    assert [c for c, _ in chat.sent] == [CHAT, "-100777"]
    assert "KBRI Kuala Lumpur" in chat.sent[1][1] and "(mendesak)" in chat.sent[1][1]


async def test_processes_racing_at_the_digest_hour_send_it_once(
    world: World, database_url: str
) -> None:
    await _open(world, "w-id")
    chat = StaffChat()
    job = digest_job(world.desk.directory, chat, DigestSchedule(hour=7, fallback_chat=CHAT))
    await run_due(world.sessions, [job], JAKARTA_SEVEN - timedelta(hours=1))  # first run
    engines = [db.create_engine(database_url) for _ in range(4)]
    try:
        ran = await asyncio.gather(
            *(
                run_due(db.session_factory(engine), [job], JAKARTA_SEVEN + timedelta(minutes=5))
                for engine in engines
            )
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sorted(map(len, ran)) == [0, 0, 0, 1]
    assert len(chat.sent) == 1


# Through Telegram: the runtime's staff chat posts to the Bot API (a local stub) ------------


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path, telegram_stub: TelegramStub) -> Settings:
    return channel_settings(
        telegram_stub, database_url=database_url, data_dir=tmp_path, telegram_staff_chat=CHAT
    )


@pytest.fixture
async def telegram_world(world: World, runtime: Runtime) -> AsyncIterator[World]:
    yield world


async def test_the_digest_reaches_the_telegram_staff_chat(
    telegram_world: World, runtime: Runtime, telegram_stub: TelegramStub
) -> None:
    world = telegram_world
    late = await _open(world, "w-late", category="wages_unpaid", record={"phone": "+60123"})
    settings = runtime.settings
    schedule = DigestSchedule(
        hour=settings.digest_hour,
        fallback_chat=settings.telegram_staff_chat,
        language=settings.default_language,
    )
    job = digest_job(world.desk.directory, runtime.staff_chat, schedule)
    await run_due(world.sessions, [job], JAKARTA_SEVEN)
    [message] = await telegram_stub.sent.wait_for(1)
    assert message["chat_id"] == int(CHAT)
    assert "Ringkasan harian Migrant CARE" in message["text"]
    assert late.reference in message["text"] and "+60123" not in message["text"]
