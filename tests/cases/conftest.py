"""A case desk on a real database (SQLite and PostgreSQL), with the engine wired to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cases import Actor, Desk
from bot.dialogue.flows import FlowLibrary
from bot.engine import Engine
from bot.messages import Inbound, Reply
from bot.nlu.types import Entity, IntentScore, NluResult
from bot.runtime import Runtime
from bot.staff import create_staff
from bot.storage.models import Case, Staff

# A Monday, 10:00 in Jakarta: the shipped queues with office hours are open.
OFFICE_HOURS = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


class KeywordNlu:
    KEYWORDS = {
        "orang": "talk_to_human",
        "person": "talk_to_human",
        "gaji": "wages_unpaid",
        "status": "case_status",
        "halo": "greet",
        "hapus": "delete_my_data",
        "ya": "affirm",
    }

    async def parse(self, text: str) -> NluResult:
        words = set(text.lower().replace(",", " ").replace("?", " ").split())
        name = next((i for k, i in self.KEYWORDS.items() if k in words), "out_of_scope")
        entities = (
            (Entity("country", "MY", "malaysia", 0, 8),) if "malaysia" in text.lower() else ()
        )
        score = IntentScore(name, 0.9)
        return NluResult(text, score, (score,), entities)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    desk: Desk
    engine: Engine
    clock: Clock
    flows: FlowLibrary | None = None

    async def say(self, user: str, text: str, channel: str = "telegram") -> list[Reply]:
        return await self.engine.handle(Inbound(channel, user, text, channel_message_id=None))

    async def staff(
        self, username: str, role: str = "officer", organisation: str | None = "migrantcare"
    ) -> Actor:
        async with self.sessions.begin() as session:
            staff = await create_staff(
                session,
                username=username,
                display_name=username.title(),
                role=role,
                organisation=organisation,
                known_organisations=set(self.desk.directory.organisations),
                password="correct horse battery staple",
            )
            staff.on_duty = True
            return Actor(staff.id, staff.role, staff.organisation)

    async def case(self, reference: str | None = None) -> Case:
        async with self.sessions() as session:
            query = select(Case).order_by(Case.id.desc())
            if reference:
                query = query.where(Case.reference == reference)
            case = await session.scalar(query)
            assert case is not None
            return case

    async def staff_row(self, staff_id: int) -> Staff:
        async with self.sessions() as session:
            return await session.get_one(Staff, staff_id)


@pytest.fixture
def nlu() -> KeywordNlu:
    return KeywordNlu()


@pytest.fixture
def clock() -> Clock:
    return Clock(OFFICE_HOURS)


@pytest.fixture
def build_options(clock: Clock) -> dict[str, Any]:
    return {"clock": clock}


@pytest.fixture
def world(runtime: Runtime, clock: Clock) -> World:
    return World(runtime.sessions, runtime.desk, runtime.engine, clock, runtime.flows)
