"""`helpline chat` prints officers' messages as they arrive while it waits for the next line
(the officer replies from another process's dashboard; the terminal reads the database)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.console import Console
from bot.runtime import Runtime
from bot.settings import Settings
from bot.storage.models import Case, Message, MessageStatus
from tests.cases import conftest as cases_fixtures
from tests.cases.conftest import World
from tests.waiting import eventually

world = cases_fixtures.world
nlu = cases_fixtures.nlu
clock = cases_fixtures.clock
build_options = cases_fixtures.build_options


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path)


async def test_officers_messages_are_printed_while_waiting_for_input(
    runtime: Runtime, world: World
) -> None:
    printed: list[str] = []
    console = Console(
        runtime.channels.receiver,
        runtime.mailbox,
        "console-w1",
        write=printed.append,
        lang="en",
        poll=0.01,
    )
    lines = ["mau bicara dengan orang"]
    finished = asyncio.Event()

    async def read_line() -> str | None:
        if lines:
            return lines.pop(0)
        await finished.wait()  # the worker types nothing more: the terminal waits
        return None

    running = asyncio.ensure_future(console.run(read_line))
    await eventually(lambda: "".join(printed), what="the answer to the first line")
    officer = await world.staff("rina")
    async with world.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.status != "closed"))
        assert case is not None
        await world.desk.claim(session, officer, case)
        reply = await world.desk.reply(session, officer, case, "Halo, saya Rina.")
    await eventually(
        lambda: "[Rina from Migrant CARE] Halo, saya Rina." in "".join(printed),
        what="the officer's reply on the terminal",
    )
    output = "".join(printed)
    assert "-- Rina from Migrant CARE joined the chat. --" in output
    assert output.index("joined the chat") < output.index("Halo, saya Rina.")
    finished.set()
    await running
    async with world.sessions() as session:
        status = await session.scalar(select(Message.status).where(Message.id == reply.id))
    assert status == MessageStatus.DELIVERED
