"""A crash anywhere between receiving and sending loses nothing and sends nothing twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.channels.service import Channels
from bot.engine import Engine
from bot.messages import Inbound
from bot.outbox import Outbox, enqueue
from bot.outbox import store as outbox_store
from bot.storage.models import Message, Worker
from tests.channels.fixtures import Clock, Helpline, channel_settings
from tests.channels.stubs import StubError, TelegramStub, TwilioStub
from tests.conftest import TEST_KEY
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
CHAT = 55503
LONG = " ".join(f"kata{i:04d}" for i in range(1100))


async def _statuses(engine: Engine) -> list[str]:
    async with engine.sessions() as session:
        rows = await session.scalars(
            select(Message.status).where(Message.direction == "out").order_by(Message.id)
        )
        return list(rows.all())


async def test_claimed_then_crashed_is_sent_once_after_the_lease(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
    await helpline.channels.receiver.idle()
    # A sender claims the first reply, then dies before calling Telegram.
    claimed = await outbox_store.claim(
        helpline.engine.sessions, ["telegram"], now=clock(), lease=timedelta(seconds=60), limit=5
    )
    assert len(claimed) == 1
    assert await _statuses(helpline.engine) == ["sending", "pending"]
    # Another sender finds nothing to do while the lease holds, and keeps the order.
    assert await helpline.outbox.run_once() == 0
    clock.advance(seconds=61)
    await helpline.settle()
    assert await _statuses(helpline.engine) == ["sent", "sent"]
    texts = [s["text"] for s in telegram_stub.sent.items]
    assert len(texts) == 2 and texts[0] == claimed[0].text
    rows = await helpline.outbound()
    assert rows[0].attempts == 2  # the lost attempt is counted


async def test_a_crash_after_storing_and_before_processing(
    engine: Engine, telegram_stub: TelegramStub, twilio_stub: TwilioStub, clock: Clock
) -> None:
    # The process stored the update and died: Telegram got its 200 and will not resend.
    await engine.store(Inbound("telegram", str(CHAT), "halo", channel_message_id="9001"))
    channels = Channels(channel_settings(telegram_stub, twilio_stub), engine, clock=clock)
    await channels.start(run_loops=False)
    try:
        # The new process's sweep finds it (a few seconds on: it was not being processed).
        clock.advance(seconds=5)
        assert await channels.retrier.run_once() == 1
        assert channels.outbox is not None
        while await channels.outbox.run_once():
            pass
    finally:
        await channels.stop()
    assert await _statuses(engine) == ["sent", "sent"]
    assert len(telegram_stub.sent) == 2


async def test_a_long_message_resumes_after_its_last_sent_part(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
    await helpline.settle()
    async with helpline.engine.sessions.begin() as session:
        worker_id = await session.scalar(select(Worker.id))
        assert worker_id is not None
        message_id = (await enqueue(session, worker_id, LONG)).id
    before = len(telegram_stub.sent)
    # Part one goes, part two meets a server error: the retry starts at part two.
    calls = 0
    original = telegram_stub._sendMessage

    async def count_then_fail(params: dict[str, object]) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise StubError(500, "Internal Server Error")
        return await original(params)

    telegram_stub._sendMessage = count_then_fail  # type: ignore[method-assign]
    await helpline.outbox.run_once()
    async with helpline.engine.sessions() as session:
        row = await session.get_one(Message, message_id)
    assert (row.status, row.parts_sent) == ("pending", 1)
    clock.advance(seconds=1)
    await helpline.settle()
    parts = [s["text"] for s in telegram_stub.sent.items[before:]]
    assert len(parts) == 3  # part one once, then parts two and three
    assert " ".join(parts) == LONG


async def test_a_killed_sender_process_loses_nothing_and_sends_nothing_twice(
    engine: Engine, database_url: str, telegram_stub: TelegramStub, clock: Clock
) -> None:
    for text in ("pertama", "kedua", "ketiga"):
        await engine.store(Inbound("telegram", str(CHAT), text, channel_message_id=text))
    worker_id, _ = await engine.store(Inbound("telegram", str(CHAT), "x", channel_message_id="x"))
    async with engine.sessions.begin() as session:
        for text in ("satu", "dua", "tiga"):
            await enqueue(session, worker_id, text)
    telegram_stub.hold = True
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.outbox.sender_process",
        database_url,
        telegram_stub.url,
        TEST_KEY,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        # The process has claimed "satu" and is inside the call to Telegram: kill it there.
        await asyncio.wait_for(telegram_stub.arrived.wait(), 30)
        assert await _statuses(engine) == ["sending", "pending", "pending"]
        process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(process.wait(), 10) == -signal.SIGKILL
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    telegram_stub.hold = False
    telegram_stub.release.set()
    assert len(telegram_stub.sent) == 0

    # A new sender, once the dead one's lease has run out, sends each message once, in order.
    from bot.channels.telegram import TelegramSender, build_bot, close_bot
    from tests.channels.fixtures import TELEGRAM_TOKEN

    bot = build_bot(TELEGRAM_TOKEN, telegram_stub.url)
    clock.now = datetime.now(UTC) + timedelta(seconds=31)
    outbox = Outbox(engine.sessions, {"telegram": TelegramSender(bot)}, clock=clock)
    try:
        while await outbox.run_once():
            pass
    finally:
        await close_bot(bot)
    assert [s["text"] for s in telegram_stub.sent.items] == ["satu", "dua", "tiga"]
    assert await _statuses(engine) == ["sent", "sent", "sent"]


async def _pending_for_workers(engine: Engine, count: int) -> None:
    """One reply waiting for each of `count` workers."""
    for n in range(count):
        worker_id, _ = await engine.store(
            Inbound("telegram", str(CHAT + n), "halo", channel_message_id=f"in-{n}")
        )
        async with engine.sessions.begin() as session:
            await enqueue(session, worker_id, f"balasan {n}")


async def _count_sending(engine: Engine) -> int:
    return (await _statuses(engine)).count("sending")


async def test_a_sender_claims_no_more_than_it_sends_at_once(
    engine: Engine, telegram_stub: TelegramStub, clock: Clock
) -> None:
    from bot.channels.telegram import TelegramSender, build_bot, close_bot
    from tests.channels.fixtures import TELEGRAM_TOKEN

    await _pending_for_workers(engine, 12)
    telegram_stub.hold = True
    bot = build_bot(TELEGRAM_TOKEN, telegram_stub.url)
    outbox = Outbox(engine.sessions, {"telegram": TelegramSender(bot)}, clock=clock, concurrency=4)
    try:
        sending = asyncio.ensure_future(outbox.run_once())
        await eventually(lambda: telegram_stub.waiting == 4, what="four sends in flight")
        # The other eight are not claimed: another process may send them right away.
        assert await _count_sending(engine) == 4
        telegram_stub.release.set()
        assert await sending == 4
        while await outbox.run_once():
            pass
    finally:
        telegram_stub.release.set()
        await close_bot(bot)
    texts = [s["text"] for s in telegram_stub.sent.items]
    assert sorted(texts) == sorted(f"balasan {n}" for n in range(12))


async def test_leases_are_renewed_while_a_send_takes_long(
    engine: Engine, telegram_stub: TelegramStub, clock: Clock
) -> None:
    from bot.channels.telegram import TelegramSender, build_bot, close_bot
    from tests.channels.fixtures import TELEGRAM_TOKEN

    await _pending_for_workers(engine, 1)
    telegram_stub.hold = True
    bot = build_bot(TELEGRAM_TOKEN, telegram_stub.url)
    senders = {"telegram": TelegramSender(bot)}
    slow = Outbox(engine.sessions, senders, clock=clock, renew_every=0.01)
    other = Outbox(engine.sessions, senders, clock=clock)
    try:
        sending = asyncio.ensure_future(slow.run_once())
        await asyncio.wait_for(telegram_stub.arrived.wait(), 10)
        clock.advance(seconds=60)  # far past the 10-second lease it claimed with

        async def lease_until() -> datetime | None:
            async with engine.sessions() as session:
                return await session.scalar(
                    select(Message.lease_until).where(Message.direction == "out")
                )

        for _ in range(1000):  # the renewal runs every 10 ms
            until = await lease_until()
            if until is not None and until > clock():
                break
            await asyncio.sleep(0.01)
        assert until is not None and until > clock()
        assert await other.run_once() == 0  # still held by the slow sender
        telegram_stub.release.set()
        assert await sending == 1
    finally:
        telegram_stub.release.set()
        await close_bot(bot)
    assert [s["text"] for s in telegram_stub.sent.items] == ["balasan 0"]


async def test_a_killed_sender_leaves_only_its_sends_in_flight_for_later(
    engine: Engine, database_url: str, telegram_stub: TelegramStub, clock: Clock
) -> None:
    await _pending_for_workers(engine, 12)
    telegram_stub.hold = True
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.outbox.sender_process",
        database_url,
        telegram_stub.url,
        TEST_KEY,
        "4",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await eventually(lambda: telegram_stub.waiting == 4, seconds=30, what="four in flight")
        process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(process.wait(), 10) == -signal.SIGKILL
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    telegram_stub.hold = False
    telegram_stub.release.set()

    from bot.channels.telegram import TelegramSender, build_bot, close_bot
    from tests.channels.fixtures import TELEGRAM_TOKEN

    bot = build_bot(TELEGRAM_TOKEN, telegram_stub.url)
    clock.now = datetime.now(UTC)
    outbox = Outbox(engine.sessions, {"telegram": TelegramSender(bot)}, clock=clock)
    try:
        # At once: everything the dead process had not taken.
        while await outbox.run_once():
            pass
        assert len(telegram_stub.sent) == 8
        # Its four, once their lease has run out.
        clock.advance(seconds=31)
        while await outbox.run_once():
            pass
    finally:
        await close_bot(bot)
    texts = [s["text"] for s in telegram_stub.sent.items]
    assert sorted(texts) == sorted(f"balasan {n}" for n in range(12))


async def test_a_running_sender_sends_everything_in_order_marking_as_it_claims(
    engine: Engine, telegram_stub: TelegramStub, clock: Clock
) -> None:
    """`Outbox.run`: what was accepted is marked sent in the next claim's transaction, with
    the shared pacer's slots; a small pool turns over many times, and nothing is left."""
    from bot.channels.telegram import TelegramSender, build_bot, close_bot
    from bot.outbox import SharedPacer
    from tests.channels.fixtures import TELEGRAM_TOKEN

    await _pending_for_workers(engine, 10)
    async with engine.sessions.begin() as session:
        for worker_id in (await session.scalars(select(Worker.id).order_by(Worker.id))).all():
            await enqueue(session, worker_id, f"lagi {worker_id}")
    bot = build_bot(TELEGRAM_TOKEN, telegram_stub.url)
    pacer = SharedPacer(engine.sessions, "telegram", 1000.0)
    outbox = Outbox(
        engine.sessions,
        {"telegram": TelegramSender(bot)},
        pacers={"telegram": pacer},
        clock=clock,
        concurrency=2,
    )
    running = asyncio.ensure_future(outbox.run())
    try:
        await telegram_stub.sent.wait_for(20)
        for _ in range(1000):
            if await _statuses(engine) == ["sent"] * 20:
                break
            await asyncio.sleep(0.01)
        assert await _statuses(engine) == ["sent"] * 20
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await close_bot(bot)
    by_chat: dict[int, list[str]] = {}
    for item in telegram_stub.sent.items:
        by_chat.setdefault(int(item["chat_id"]), []).append(item["text"])
    assert all(texts[0].startswith("balasan") for texts in by_chat.values())
    assert all(len(texts) == 2 and texts[1].startswith("lagi") for texts in by_chat.values())
