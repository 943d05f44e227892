"""Delivery guarantees: paced on 429, retried on 5xx and network errors, failed visibly, in order."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import select

from bot.channels.telegram import TelegramSender, build_bot, close_bot
from bot.outbox import Backoff, Outbox, enqueue
from bot.outbox.types import Outgoing, Sent
from bot.settings import Settings
from bot.storage.models import Message, Worker
from tests.channels.fixtures import TELEGRAM_TOKEN, Clock, Helpline
from tests.channels.stubs import TelegramStub, TwilioStub
from tests.waiting import eventually, until

CHAT = 55502


async def _worker_id(helpline: Helpline, channel: str = "telegram") -> int:
    async with helpline.engine.sessions() as session:
        worker_id = await session.scalar(select(Worker.id).where(Worker.channel == channel))
    assert worker_id is not None
    return worker_id


async def _officer(helpline: Helpline, worker_id: int, text: str) -> int:
    async with helpline.engine.sessions.begin() as session:
        return (await enqueue(session, worker_id, text)).id


async def _row(helpline: Helpline, message_id: int) -> Message:
    async with helpline.engine.sessions() as session:
        return await session.get_one(Message, message_id)


async def test_telegram_429_is_obeyed(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    telegram_stub.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
    await helpline.settle()
    first = (await helpline.outbound())[0]
    assert first.status == "pending" and first.attempts == 0  # paced, not a failure
    assert first.next_attempt_at is not None
    assert (first.next_attempt_at - clock()).total_seconds() >= 0.99
    assert first.error == "telegram 429"
    assert len(telegram_stub.sent) == 0
    assert helpline.outbox.pacers["telegram"].paused  # every Telegram send waits, not just this
    assert await helpline.outbox.run_once() == 0  # not before the time Telegram named

    clock.advance(seconds=1)
    await helpline.settle()
    assert all(m.status == "sent" for m in await helpline.outbound())
    assert len(telegram_stub.sent) == len(await helpline.outbound())
    # /metrics counts what this process's outbox saw.
    registry = helpline.outbox.metrics.registry
    paced = {"channel": "telegram", "outcome": "paced"}
    assert registry.get_sample_value("helpline_send_failures_total", paced) == 1
    sent = registry.get_sample_value("helpline_messages_sent_total", {"channel": "telegram"})
    assert sent == len(await helpline.outbound())


async def test_telegram_500_is_retried_with_backoff_then_failed_visibly(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
    await helpline.settle()
    worker_id = await _worker_id(helpline)
    for _ in range(3):
        telegram_stub.fail("sendMessage", 500, "Internal Server Error")
    message_id = await _officer(helpline, worker_id, "Ibu Siti, kami sudah menghubungi agensi.")
    await helpline.outbox.run_once()
    row = await _row(helpline, message_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.error is not None and "Internal Server Error" in row.error
    delay = (row.next_attempt_at - clock()).total_seconds()  # type: ignore[operator]
    assert delay == 1.0  # Backoff(base=1): 1, 2, 4 ...
    assert await helpline.outbox.run_once() == 0

    clock.advance(seconds=1)
    await helpline.outbox.run_once()
    row = await _row(helpline, message_id)
    assert (row.status, row.attempts) == ("pending", 2)
    assert (row.next_attempt_at - clock()).total_seconds() == 2.0  # type: ignore[operator]

    clock.advance(seconds=2)
    await helpline.outbox.run_once()  # the third and last attempt (max_attempts=3)
    row = await _row(helpline, message_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert "Internal Server Error" in (row.error or "")
    clock.advance(seconds=60)
    assert await helpline.outbox.run_once() == 0
    assert all(s["text"] != row.text for s in telegram_stub.sent.items)


async def test_a_refusal_fails_at_once(helpline: Helpline, telegram_stub: TelegramStub) -> None:
    await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
    await helpline.settle()
    telegram_stub.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    message_id = await _officer(helpline, await _worker_id(helpline), "halo lagi")
    await helpline.settle()
    row = await _row(helpline, message_id)
    assert row.status == "failed" and row.attempts == 1
    assert row.error == "telegram 403: Forbidden: bot was blocked by the user"
    failed = {"channel": "telegram", "outcome": "failed"}
    assert (
        helpline.outbox.metrics.registry.get_sample_value("helpline_send_failures_total", failed)
        == 1
    )


async def test_twilio_429_and_500(
    helpline: Helpline, twilio_stub: TwilioStub, clock: Clock
) -> None:
    from tests.channels.test_whatsapp import say

    await say(helpline, "halo")
    worker_id = await _worker_id(helpline, "whatsapp")
    twilio_stub.fail(429, 20429, "Too Many Requests", headers={"Retry-After": "1"})
    twilio_stub.fail(500, 20500, "Internal Server Error")
    message_id = await _officer(helpline, worker_id, "Kami sedang memeriksa kasus Anda.")
    await helpline.outbox.run_once()
    row = await _row(helpline, message_id)
    assert (row.status, row.attempts, row.error) == ("pending", 0, "twilio 429 code 20429")
    assert (row.next_attempt_at - clock()).total_seconds() == 1.0  # type: ignore[operator]

    clock.advance(seconds=1)
    await helpline.outbox.run_once()
    row = await _row(helpline, message_id)
    assert (row.status, row.attempts, row.error) == ("pending", 1, "twilio 500 code 20500")

    clock.advance(seconds=1)
    await helpline.outbox.run_once()
    row = await _row(helpline, message_id)
    assert row.status == "sent" and row.channel_message_id
    assert [r["Body"] for r in twilio_stub.requests].count(row.text) == 3
    assert [s["Body"] for s in twilio_stub.sent.items].count(row.text) == 1


async def test_network_errors_are_retried(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
    await helpline.settle()
    message_id = await _officer(helpline, await _worker_id(helpline), "tes")
    nowhere = build_bot(TELEGRAM_TOKEN, "http://127.0.0.1:9")  # nothing listens there
    cut_off = Outbox(
        helpline.engine.sessions,
        {"telegram": TelegramSender(nowhere)},
        clock=clock,
        backoff=Backoff(base=1.0, jitter=0.0),
    )
    try:
        await cut_off.run_once()
    finally:
        await close_bot(nowhere)
    row = await _row(helpline, message_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert (row.error or "").startswith("telegram network")
    clock.advance(seconds=2)
    await helpline.outbox.run_once()
    assert (await _row(helpline, message_id)).status == "sent"


async def test_one_workers_messages_keep_their_order_while_others_go_on(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    await helpline.telegram(telegram_stub.text_update(1001, "halo"))
    await helpline.telegram(telegram_stub.text_update(1002, "halo"))
    await helpline.settle()
    async with helpline.engine.sessions() as session:
        a, b = (await session.scalars(select(Worker.id).order_by(Worker.id))).all()
    telegram_stub.fail("sendMessage", 502, "Bad Gateway")
    a1 = await _officer(helpline, a, "A1")
    a2 = await _officer(helpline, a, "A2")
    b1 = await _officer(helpline, b, "B1")
    b2 = await _officer(helpline, b, "B2")
    await helpline.outbox.run_once()  # A1 fails once, B1 goes
    assert (await _row(helpline, a1)).status == "pending"
    await helpline.outbox.run_once()  # B2 goes; A2 waits behind A1's backoff
    assert (await _row(helpline, b2)).status == "sent"
    assert (await _row(helpline, a2)).status == "pending"
    clock.advance(seconds=1)
    await helpline.settle()
    order = [s["text"] for s in telegram_stub.sent.items if s["text"] in ("A1", "A2", "B1", "B2")]
    assert order.index("A1") < order.index("A2") and order.index("B1") < order.index("B2")
    assert sorted(order) == ["A1", "A2", "B1", "B2"]
    assert (await _row(helpline, b1)).status == "sent"


async def test_two_senders_never_send_one_message_twice(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    for chat in range(2001, 2006):
        await helpline.telegram(telegram_stub.text_update(chat, "halo"))
    await helpline.channels.receiver.idle()
    outbox = helpline.outbox
    other = Outbox(outbox.sessions, outbox.senders, clock=clock)

    async def drain(box: Outbox) -> None:
        while await box.run_once():
            pass

    await asyncio.gather(drain(outbox), drain(other), drain(outbox), drain(other))
    rows = await helpline.outbound()
    assert all(m.status == "sent" for m in rows)
    assert len(telegram_stub.sent) == len(rows)


class _SlowForOne:
    """A channel that answers at once, except for the text `slow`: that waits for `release`."""

    def __init__(self, slow: str) -> None:
        self.slow = slow
        self.release = asyncio.Event()
        self.sent: list[str] = []

    async def send(self, message: Outgoing) -> Sent:
        if message.text == self.slow:
            await self.release.wait()
        self.sent.append(message.text)
        return Sent(f"c{message.id}")


async def test_a_slow_send_holds_only_its_own_place_in_the_pool(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    for chat in range(3001, 3005):
        await helpline.telegram(telegram_stub.text_update(chat, "halo"))
    await helpline.settle()
    async with helpline.engine.sessions() as session:
        workers = (await session.scalars(select(Worker.id).order_by(Worker.id))).all()
    channel = _SlowForOne("W0")
    for n, worker_id in enumerate(workers):
        await _officer(helpline, worker_id, f"W{n}")
    outbox = Outbox(helpline.engine.sessions, {"telegram": channel}, clock=clock, concurrency=2)
    running = asyncio.ensure_future(outbox.run())
    try:
        # W0 holds one place; the other place sends W1, W2 and W3 one after another.
        await eventually(
            lambda: {"W1", "W2", "W3"} <= set(channel.sent), seconds=20, what="others sent"
        )
        assert "W0" not in channel.sent
        assert (await _row(helpline, await _id_of(helpline, "W0"))).status == "sending"
        channel.release.set()

        async def all_sent() -> bool:
            rows = [m for m in await helpline.outbound() if m.text.startswith("W")]
            return [m.status for m in rows] == ["sent"] * 4

        await until(all_sent, seconds=20, what="all four sent")
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert sorted(channel.sent) == ["W0", "W1", "W2", "W3"]  # each once


async def _id_of(helpline: Helpline, text: str) -> int:
    return next(m.id for m in await helpline.outbound() if m.text == text)


class TestWhatsAppsPace:
    @pytest.fixture
    def runtime_settings(self, runtime_settings: Settings) -> Settings:
        return runtime_settings.model_copy(update={"whatsapp_per_second": 7})

    async def test_is_the_senders_throughput_setting(self, helpline: Helpline) -> None:
        pacers = helpline.outbox.pacers
        assert pacers["whatsapp"].interval == pytest.approx(1 / 7)  # type: ignore[attr-defined]
        assert pacers["telegram"].interval == pytest.approx(1 / 25)  # type: ignore[attr-defined]
