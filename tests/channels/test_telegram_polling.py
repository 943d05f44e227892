"""Long polling (a laptop without a public address), with the background loops running."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.service import Channels
from bot.engine import Engine
from tests.channels.fixtures import Clock, channel_settings
from tests.channels.stubs import TelegramStub

CHAT = 55504


@pytest.fixture
async def polling(
    engine: Engine, telegram_stub: TelegramStub, clock: Clock
) -> AsyncIterator[Channels]:
    settings = channel_settings(telegram_stub, public_url=None, telegram_mode=None)
    assert settings.effective_telegram_mode == "polling"
    channels = Channels(settings, engine)
    assert channels.routes() == []  # no webhook route without a public address
    channels.telegram.poll_seconds = 1  # keeps the stub's long poll short at the end
    await channels.start()
    try:
        yield channels
    finally:
        await channels.stop()


async def test_polling_answers_and_stores_once(
    polling: Channels, telegram_stub: TelegramStub, engine: Engine
) -> None:
    first = telegram_stub.text_update(CHAT, "halo")
    telegram_stub.push_update(first)
    sent = await telegram_stub.sent.wait_for(2)
    assert all(s["chat_id"] == CHAT for s in sent)
    assert any(m == "deleteWebhook" for m, _ in telegram_stub.calls)

    # Telegram delivers an update again when the offset was not confirmed (a restart).
    telegram_stub.push_update(first)
    telegram_stub.push_update(telegram_stub.text_update(CHAT, "gaji"))
    await telegram_stub.sent.wait_for(4)
    async with engine.sessions() as session:
        from sqlalchemy import func, select

        from bot.storage.models import Message

        inbound = await session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    assert inbound == 2
    offsets = [int(p.get("offset") or 0) for m, p in telegram_stub.calls if m == "getUpdates"]
    assert offsets == sorted(offsets)  # the offset only moves forward, after storing
