"""Live updates across processes on PostgreSQL (bot/cases/live_bus.py): two runtimes on one
database stand for two processes; what one commits wakes the other's subscribers and streams,
once, also after the listening connection was cut."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from bot.cases.live_bus import MAX_PAYLOAD_BYTES, PostgresBus, channel_for, payloads
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.storage.crypto import Cipher
from bot.storage.models import Case
from bot.web import chat_stream, create_app
from bot.web.chat import ChatOptions
from bot.web.identity import Identity
from tests.cases.conftest import Clock, KeywordNlu, World
from tests.sse import read_stream
from tests.web.conftest import serve

ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def test_topics_go_in_payloads_under_postgresqls_limit() -> None:
    topics = [f"worker:{n}" for n in range(3000)]  # about 36 kB
    sent = payloads("abc123", topics)
    assert len(sent) > 1
    assert all(len(p.encode()) <= MAX_PAYLOAD_BYTES < 8000 for p in sent)
    assert all(p.startswith("abc123 ") for p in sent)
    assert [t for p in sent for t in p.split()[1:]] == topics
    assert payloads("abc123", []) == []


@pytest.fixture
async def other(
    runtime: Runtime, cipher: Cipher, nlu: KeywordNlu, tmp_path: Path
) -> AsyncIterator[Runtime]:
    """A second process on the runtime's database."""
    settings = Settings(database_url=runtime.settings.database_url, data_dir=tmp_path / "other")
    built = await build(
        settings,
        migrate=False,
        cipher=cipher,
        nlu=(nlu, 0.5),
        policy=runtime.engine.policy,
        flows=runtime.flows,
        directory=runtime.desk.directory,
        detect_language=lambda text: "id",
    )
    yield built
    await built.close()


def bus_of(runtime: Runtime) -> PostgresBus:
    bus = runtime.desk.live.bus
    assert isinstance(bus, PostgresBus)
    return bus


async def listening(*runtimes: Runtime) -> None:
    for runtime in runtimes:
        await asyncio.wait_for(bus_of(runtime).listening.wait(), 10)


async def commit_topics(runtime: Runtime, *topics: str) -> None:
    async with runtime.sessions.begin() as session:
        runtime.desk.live.after_commit(session, *topics)


async def woken(queue: asyncio.Queue[str], within: float = 5.0) -> list[str]:
    """The first topic within `within`, and any that came with it."""
    got = [await asyncio.wait_for(queue.get(), within)]
    await asyncio.sleep(0.3)  # a repeat (an echo) would come in this time
    while not queue.empty():
        got.append(queue.get_nowait())
    return got


@ON_POSTGRES
async def test_a_commit_in_one_process_wakes_the_others_subscribers_once(
    runtime: Runtime, other: Runtime
) -> None:
    await listening(runtime, other)
    async with (
        runtime.desk.live.subscribe("worker:1") as here,
        other.desk.live.subscribe("worker:1") as there,
    ):
        await commit_topics(runtime, "worker:1", "case:9")
        assert await woken(here) == ["worker:1"]  # at commit, and not again from its own NOTIFY
        assert await woken(there) == ["worker:1"]
        # A rolled back transaction tells nobody.
        async with runtime.sessions() as session:
            runtime.desk.live.after_commit(session, "worker:1")
            await session.rollback()
        await asyncio.sleep(0.5)
        assert here.empty() and there.empty()
    assert bus_of(other).heard == 1 and bus_of(runtime).heard == 0


@ON_POSTGRES
async def test_the_listener_connects_again_after_its_connection_was_cut(
    runtime: Runtime, other: Runtime
) -> None:
    await listening(runtime, other)
    bus = bus_of(other)
    connection: Any = bus._connection
    pid = connection.get_server_pid()
    async with runtime.sessions() as session:
        from sqlalchemy import text

        await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await asyncio.wait_for(_until(lambda: not bus.listening.is_set()), 5)
    await listening(other)
    assert bus._connection is not None and bus._connection.get_server_pid() != pid
    async with other.desk.live.subscribe("org:migrantcare") as there:
        await commit_topics(runtime, "org:migrantcare")
        assert await woken(there) == ["org:migrantcare"]


async def _until(condition: Any) -> None:
    while not condition():  # noqa: ASYNC110
        await asyncio.sleep(0.02)


def chat_app(runtime: Runtime) -> Starlette:
    options = ChatOptions(identity=Identity("k" * 64))
    return create_app(runtime.channels.receiver, chat=options, mailbox=runtime.mailbox)


@ON_POSTGRES
async def test_a_web_chat_stream_shows_an_officers_reply_sent_by_another_process(
    runtime: Runtime, other: Runtime, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only a wake-up can bring the reply in time: the stream's own poll is far off.
    monkeypatch.setattr(chat_stream, "POLL_SECONDS", 60.0)
    await listening(runtime, other)
    here = chat_app(runtime)
    world = World(other.sessions, other.desk, other.engine, clock, other.flows)
    async with serve(here) as page:
        assert (await page.get("/chat")).status_code == 200
        said = await page.post(
            "/chat/api/messages", json={"text": "orang", "client_message_id": "m1"}
        )
        assert said.status_code == 200
        cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
        reading = asyncio.ensure_future(read_stream(here, "/chat/api/events", cookie, 4, 20))
        await asyncio.sleep(0.3)  # the stream has read what there was, and waits
        officer = await world.staff("rina")
        async with other.sessions.begin() as session:
            case = await session.scalar(select(Case).order_by(Case.id.desc()))
            assert case is not None
            await other.desk.claim(session, officer, case)
            await other.desk.reply(session, officer, case, "Halo, saya Rina.")
        events = await asyncio.wait_for(reading, 10)
    texts = [json.loads(e.data)["text"] for e in events if e.name == "message"]
    assert texts[-1] == "Halo, saya Rina."
    assert bus_of(runtime).heard >= 1


def test_helplines_in_different_schemas_use_different_channels() -> None:
    base = "postgresql+asyncpg://postgres@127.0.0.1:5432/shared"
    assert channel_for(base) == "helpline_live"
    one, two = channel_for(base + "?search_path=one"), channel_for(base + "?search_path=two")
    assert len({one, two, "helpline_live"}) == 3 and one.startswith("helpline_live_")
