"""A long message costs bounded work, off the event loop, and holds up no other worker."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from sqlalchemy import select

from bot.cases import CaseHooks
from bot.dialogue.policy import Policy
from bot.dialogue.reading import MAX_CLAUSES, READ_CHARS
from bot.engine import Engine
from bot.messages import ChannelKind, Inbound
from bot.retry import Retrier
from bot.runtime import Runtime
from bot.storage.crypto import Cipher
from bot.storage.models import Message, utcnow
from tests.fakes import ScriptedNlu

STORY = "gaji saya belum dibayar tiga bulan, majikan bilang nanti saja. "
LONG_NOTE = "Pesan Anda sangat panjang"


def _story(chars: int) -> str:
    return (STORY * (chars // len(STORY) + 1))[:chars]


async def _stored_text(engine: Engine) -> str:
    async with engine.sessions() as session:
        message = await session.scalar(select(Message).where(Message.direction == "in"))
    assert message is not None
    return message.text


async def test_a_long_message_is_understood_by_its_beginning_and_kept_whole(
    engine: Engine, nlu: ScriptedNlu
) -> None:
    text = _story(100_000)
    replies = await engine.handle(Inbound(ChannelKind.WHATSAPP, "w", text, "m1"))
    # The classifier saw a bounded text, and a bounded number of clauses.
    assert max(len(t) for t in nlu.calls) <= READ_CHARS[ChannelKind.WHATSAPP]
    assert len(nlu.calls) <= 1 + MAX_CLAUSES
    assert await _stored_text(engine) == text
    assert "[wages_unpaid" in replies[0].text
    assert LONG_NOTE in replies[-1].text  # told, never silently


async def test_danger_at_the_end_of_a_long_message_gets_the_emergency_reply(
    engine: Engine,
) -> None:
    text = _story(100_000) + ". tolong, majikan kunci saya di kamar"
    replies = await engine.handle(Inbound(ChannelKind.WHATSAPP, "w", text, "m1"))
    assert replies[0].text.startswith("EMERGENCY")
    assert not any(LONG_NOTE in r.text for r in replies)


async def test_a_message_of_usual_length_gets_no_note(engine: Engine) -> None:
    replies = await engine.handle(Inbound(ChannelKind.WHATSAPP, "w", _story(4000), "m1"))
    assert "[wages_unpaid" in replies[0].text
    assert not any(LONG_NOTE in r.text for r in replies)


async def test_a_long_message_does_not_hold_another_workers_reply(
    runtime: Runtime, nlu: ScriptedNlu, policy: Policy, cipher: Cipher
) -> None:
    """While one worker's long message is being understood, another worker is answered.

    The understanding of the long message waits (in its thread) until the other worker's reply
    exists. Were it on the event loop, or under a lock the other worker needs, the other reply
    could never come: the wait would time out and the test fail, without timing anything."""
    understanding = threading.Event()
    other_answered = threading.Event()
    waited: list[bool] = []

    def detect_language(text: str) -> str:
        if len(text) > 1000:
            understanding.set()
            waited.append(other_answered.wait(timeout=10))
        return "id"

    engine = Engine(runtime.sessions, nlu, policy, cipher, detect_language, CaseHooks(runtime.desk))
    long = asyncio.ensure_future(engine.handle(Inbound(ChannelKind.WEB, "a", _story(4000), "1")))
    assert await asyncio.to_thread(understanding.wait, 10)
    other = await engine.handle(Inbound(ChannelKind.WEB, "b", "halo", "2"))
    other_answered.set()
    assert other and "[wages_unpaid" in (await long)[0].text
    assert waited == [True]


async def test_a_1_mb_message_left_unprocessed_is_answered_at_the_next_start(
    engine: Engine, nlu: ScriptedNlu
) -> None:
    """Stored before the limits existed (or by the terminal), then the process died: the next
    start processes it with bounded work instead of dying on it again."""
    text = _story(1_000_000)
    await engine.store(Inbound(ChannelKind.WHATSAPP, "w", text, "m1"))
    # The next start's sweep (bot/retry.py) takes it up once its grace has passed.
    later = lambda: utcnow() + timedelta(minutes=1)  # noqa: E731
    assert await Retrier(engine, clock=later).run_once() == 1
    assert max(len(t) for t in nlu.calls) <= READ_CHARS[ChannelKind.WHATSAPP]
    async with engine.sessions() as session:
        message = await session.scalar(select(Message).where(Message.direction == "in"))
        replies = (
            await session.scalars(select(Message.text).where(Message.direction == "out"))
        ).all()
    assert message is not None and message.status == "processed" and message.text == text
    assert LONG_NOTE in replies[-1]
