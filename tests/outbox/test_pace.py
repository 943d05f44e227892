"""A channel's send rate and its 429 pauses are shared by every process (SharedPacer): two
pacers on one database stand for two processes sending for one bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import SharedPacer
from bot.storage import db

NOW = 1_800_000_000.0


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(database_url)
    yield db.session_factory(engine)
    await engine.dispose()


class Waits:
    """A clock that stands still and a sleep that records how long each send was held."""

    def __init__(self) -> None:
        self.held: list[float] = []

    def clock(self) -> float:
        return NOW

    async def sleep(self, seconds: float) -> None:
        self.held.append(round(seconds, 6))


def pacer(sessions: async_sessionmaker[AsyncSession], waits: Waits) -> SharedPacer:
    return SharedPacer(sessions, "telegram", 20.0, clock=waits.clock, sleep=waits.sleep)


async def test_two_processes_share_one_rate(sessions: async_sessionmaker[AsyncSession]) -> None:
    waits = Waits()
    one, two = pacer(sessions, waits), pacer(sessions, waits)
    await asyncio.gather(*(p.acquire() for _ in range(5) for p in (one, two)))
    # Ten sends at once: the first goes now, each other one slot (1/20 s) after another.
    assert sorted([0.0, *waits.held]) == [round(n * 0.05, 6) for n in range(10)]


async def test_a_pause_one_process_was_asked_for_holds_the_others(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    waits = Waits()
    one, two = pacer(sessions, waits), pacer(sessions, waits)
    await one.pause(30.0)  # Telegram answered one process with 429, retry after 30 s
    assert one.paused and not two.paused
    await two.acquire()
    assert waits.held == [30.0]
    assert two.paused  # and it claims no more for the channel until then
    await two.acquire()
    assert waits.held == [30.0, 30.05]
