"""Storage guarantees of the engine: stored first, repeats recognised, order kept, crashes resumed."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from bot.engine import INLINE_CHARS, Engine
from bot.messages import Inbound
from bot.nlu.types import NluResult
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.storage.models import Conversation, Event, Message, VisibleMessage, Worker
from tests.fakes import ScriptedNlu


async def _count(engine: Engine, *where: object) -> int:
    async with engine.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Message).where(*where)) or 0


async def test_inbound_and_replies_are_stored(engine: Engine) -> None:
    replies = await engine.handle(Inbound("web", "w1", "halo", channel_message_id="m1"))
    assert replies
    async with engine.sessions() as session:
        rows = (await session.scalars(select(Message).order_by(Message.id))).all()
    assert [r.direction for r in rows] == ["in"] + ["out"] * len(replies)
    assert rows[0].status == "processed" and rows[0].intent == "greet"
    assert all(r.in_reply_to == rows[0].id for r in rows[1:])
    assert [r.text for r in rows[1:]] == [r.text for r in replies]


async def test_text_and_user_id_are_encrypted_at_rest(engine: Engine) -> None:
    await engine.handle(Inbound("whatsapp", "whatsapp:+60123456789", "gaji saya rahasia"))
    async with engine.sessions() as session:
        raw_text = (await session.execute(text("SELECT text FROM messages"))).scalars().first()
        raw_user = (await session.execute(text("SELECT channel_user_id FROM workers"))).scalar_one()
        worker = (await session.scalars(select(Worker))).one()
    assert "rahasia" not in raw_text and "+60123456789" not in raw_user
    assert "+60123456789" not in worker.channel_user_hash
    assert worker.channel_user_id == "whatsapp:+60123456789"


async def test_a_repeated_delivery_is_answered_once(engine: Engine, nlu: ScriptedNlu) -> None:
    first = await engine.handle(Inbound("telegram", "u", "halo", channel_message_id="42"))
    again = await engine.handle(Inbound("telegram", "u", "halo", channel_message_id="42"))
    assert again == first
    assert nlu.calls == ["halo"]
    assert await _count(engine, Message.direction == "in") == 1
    assert await _count(engine, Message.direction == "out") == len(first)


async def test_same_message_id_from_two_workers_is_two_messages(engine: Engine) -> None:
    await engine.handle(Inbound("web", "a", "halo", channel_message_id="1"))
    await engine.handle(Inbound("web", "b", "halo", channel_message_id="1"))
    assert await _count(engine, Message.direction == "in") == 2


async def test_concurrent_repeats_are_stored_once(engine: Engine, nlu: ScriptedNlu) -> None:
    inbound = Inbound("telegram", "u", "gaji", channel_message_id="7")
    results = await asyncio.gather(*(engine.handle(inbound) for _ in range(5)))
    assert all(r == results[0] for r in results)
    assert nlu.calls == ["gaji"]
    assert await _count(engine, Message.direction == "in") == 1


async def test_later_message_processes_earlier_ones_first(engine: Engine, nlu: ScriptedNlu) -> None:
    await engine.store(Inbound("telegram", "u", "halo", channel_message_id="1"))
    replies = await engine.handle(Inbound("telegram", "u", "gaji", channel_message_id="2"))
    assert nlu.calls == ["halo", "gaji"]
    assert "[wages_unpaid" in replies[0].text


async def test_workers_in_parallel_each_in_order(engine: Engine, nlu: ScriptedNlu) -> None:
    async def conversation(user: str) -> None:
        for n, words in enumerate(["halo", "gaji", "taiwan"]):
            await engine.handle(Inbound("web", user, words, channel_message_id=f"{user}-{n}"))

    await asyncio.gather(*(conversation(f"w{i}") for i in range(4)))
    async with engine.sessions() as session:
        workers = (await session.scalars(select(Worker))).all()
        states = (await session.scalars(select(Conversation))).all()
    assert len(workers) == 4
    assert {w.country for w in workers} == {"TW"}
    # Each answered the wage question for Taiwan once the country came.
    assert all(s.state["last_intent"] == "wages_unpaid" for s in states)


async def test_state_survives_a_new_engine(
    runtime: Runtime, runtime_settings: Settings, nlu: ScriptedNlu
) -> None:
    await runtime.engine.handle(Inbound("web", "u", "gaji"))  # asks for the country
    # Another process on the same database: its own database engine, same keys and dialogue.
    other = await build(
        runtime_settings,
        migrate=False,
        cipher=runtime.cipher,
        nlu=(nlu, 0.5),
        policy=runtime.engine.policy,
        flows=runtime.flows,
        directory=runtime.desk.directory,
        detect_language=runtime.engine.detect_language,
    )
    try:
        replies = await other.engine.handle(Inbound("web", "u", "2"))  # "2" = Taiwan
    finally:
        await other.close()
    assert replies[0].text.startswith("Noted") or "Taiwan" in replies[0].text
    assert any("[wages_unpaid/id/TW]" in r.text for r in replies)


async def test_delete_my_data_forgets_messages(engine: Engine) -> None:
    await engine.handle(Inbound("web", "u", "gaji taiwan"))
    await engine.handle(Inbound("web", "u", "hapus data saya"))
    replies = await engine.handle(Inbound("web", "u", "ya"))
    assert replies
    async with engine.sessions() as session:
        inbound = await session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
        worker = (await session.scalars(select(Worker))).one()
        kinds = (await session.scalars(select(Event.kind))).all()
    assert inbound == 0
    assert worker.country is None
    assert kinds == ["delete_my_data"]


async def _visible(engine: Engine) -> list[tuple[str, int | None, bool]]:
    async with engine.sessions() as session:
        rows = (await session.scalars(select(VisibleMessage).order_by(VisibleMessage.id))).all()
    return [(r.visible_id, r.message_id, r.deleted_at is not None) for r in rows]


async def test_what_shows_in_the_workers_chat_is_kept_once_and_outlives_forgetting(
    engine: Engine,
) -> None:
    first = Inbound("telegram", "u", "halo", channel_message_id="1001", visible_id="71")
    await engine.handle(first)
    await engine.handle(first)  # a repeat
    # An edit comes as a new update of the same message.
    await engine.handle(
        Inbound("telegram", "u", "halo lagi", channel_message_id="1002", visible_id="71")
    )
    await engine.handle(Inbound("web", "w", "halo", channel_message_id="c1"))  # nothing to delete
    visible = await _visible(engine)
    assert [(v, deleted) for v, _, deleted in visible] == [("71", False)]
    assert visible[0][1] is not None

    # "Delete my data" erases the messages; the screen can still be cleared afterwards.
    await engine.handle(
        Inbound("telegram", "u", "hapus", channel_message_id="1003", visible_id="72")
    )
    await engine.handle(Inbound("telegram", "u", "ya", channel_message_id="1004", visible_id="73"))
    assert await _count(engine, Message.direction == "in", Message.channel == "telegram") == 0
    assert [(v, m) for v, m, _ in await _visible(engine)] == [
        ("71", None),
        ("72", None),
        ("73", None),
    ]


async def test_writers_of_one_process_take_turns_on_sqlite(runtime: Runtime) -> None:
    """SQLite has one writer: this process's writers queue for it in order, none is turned
    away, even with SQLite's own waiting (the busy handler) switched off."""
    if runtime.database.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has row locks, not one writer")

    def no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.close()

    await runtime.database.dispose()
    event.listen(runtime.database.sync_engine, "connect", no_busy_wait)
    said = [Inbound("web", f"w{n}", "halo", channel_message_id="1") for n in range(12)]
    answered = await asyncio.gather(*(runtime.engine.handle(s) for s in said))
    assert all(answered)
    assert await _count(runtime.engine, Message.status == "processed") == 12


class _InProcessNlu(ScriptedNlu):
    """An NLU that answers in process, as the embedded one does; records the thread used."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[int] = []

    def parse_sync(self, text: str) -> NluResult:
        self.threads.append(threading.get_ident())
        return self.answer(text)

    async def parse(self, text: str) -> NluResult:
        raise AssertionError("an in-process NLU is called without its async wrapper")


async def test_a_chat_message_is_understood_without_a_thread_a_long_one_in_one(
    engine: Engine,
) -> None:
    nlu = engine.nlu = _InProcessNlu()
    loop_thread = threading.get_ident()
    said = "gaji blm dibayar 2 bln trs paspor dipegang agen"
    await engine.handle(Inbound("web", "w", said, channel_message_id="1"))
    # The whole message and each of its two parts, all on the event loop's thread.
    assert nlu.calls == [said, "gaji blm dibayar 2 bln", "paspor dipegang agen"]
    assert nlu.threads == [loop_thread] * 3
    nlu.threads.clear()
    long = "gaji saya belum dibayar " * (INLINE_CHARS // 20)
    await engine.handle(Inbound("web", "w", long, channel_message_id="2"))
    assert nlu.threads and all(t != loop_thread for t in nlu.threads)
    assert len(set(nlu.threads)) == 1  # one hop to a thread for everything
