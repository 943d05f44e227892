"""Several processes on one database share one Telegram bot: the webhook is set once per
setting (again only when the setting changed or Telegram lost it), and in polling mode one
process polls while the others stand by, taking over when it dies."""

from __future__ import annotations

import asyncio
from typing import Any

from bot import leases
from bot.channels.service import Channels
from bot.channels.telegram import POLL_LEASE
from bot.engine import Engine
from bot.settings import Settings
from tests.channels.fixtures import channel_settings
from tests.channels.stubs import TelegramStub

CHAT = 55601


def set_calls(stub: TelegramStub) -> list[dict[str, Any]]:
    return [params for method, params in stub.calls if method == "setWebhook"]


async def start(settings: Settings, engine: Engine, processes: int) -> list[Channels]:
    """`processes` starting at once; returns once each has dealt with the webhook."""
    started = [Channels(settings, engine) for _ in range(processes)]
    await asyncio.gather(*(c.start(run_loops=False) for c in started))
    for channels in started:
        assert channels.telegram is not None and channels.telegram._runner is not None
        await asyncio.wait_for(channels.telegram._runner, 10)
    return started


async def stop(started: list[Channels]) -> None:
    for channels in started:
        await channels.stop()


async def test_the_webhook_is_set_once_for_every_process(
    engine: Engine, telegram_stub: TelegramStub, runtime_settings: Settings
) -> None:
    url = "https://helpline.example.org/webhooks/telegram"
    await stop(await start(runtime_settings, engine, 3))
    assert [(c["url"], c["secret_token"]) for c in set_calls(telegram_stub)] == [
        (url, "s3cret-token")
    ]
    # A restart with the same setting asks Telegram and leaves the webhook alone.
    asked = sum(1 for method, _ in telegram_stub.calls if method == "getWebhookInfo")
    await stop(await start(runtime_settings, engine, 2))
    assert len(set_calls(telegram_stub)) == 1
    assert sum(1 for method, _ in telegram_stub.calls if method == "getWebhookInfo") == asked + 2

    # Telegram no longer has it (deleted by hand, or a poller ran): set again, once.
    telegram_stub.webhook = {}
    await stop(await start(runtime_settings, engine, 2))
    assert len(set_calls(telegram_stub)) == 2 and telegram_stub.webhook["url"] == url

    # A new secret is a new setting, though Telegram's URL is the same.
    changed = channel_settings(
        telegram_stub,
        telegram_secret="n3w-secret",
        database_url=runtime_settings.database_url,
        data_dir=runtime_settings.data_dir,
    )
    await stop(await start(changed, engine, 3))
    assert [c["secret_token"] for c in set_calls(telegram_stub)][2:] == ["n3w-secret"]


async def wait_for_holder(engine: Engine, holder: str | None, within: float = 10.0) -> None:
    async def held() -> None:
        while True:
            found = await leases.read(engine.sessions, POLL_LEASE)
            if found is not None and found.holder == holder:
                return
            await asyncio.sleep(0.05)

    await asyncio.wait_for(held(), within)


async def test_one_process_polls_and_another_takes_over_when_it_dies(
    engine: Engine, telegram_stub: TelegramStub, runtime_settings: Settings
) -> None:
    settings = channel_settings(
        telegram_stub,
        public_url=None,
        telegram_mode=None,
        database_url=runtime_settings.database_url,
        data_dir=runtime_settings.data_dir,
    )
    first, second = Channels(settings, engine), Channels(settings, engine)
    for channels in (first, second):
        assert channels.telegram is not None
        channels.telegram.poll_seconds = 1
        channels.telegram.lease_seconds = 4.0  # renewed every 1.3 s, even on a busy machine
    assert first.telegram is not None and second.telegram is not None
    try:
        await first.start()
        await wait_for_holder(engine, first.telegram.holder)
        await second.start()
        telegram_stub.push_update(telegram_stub.text_update(CHAT, "halo"))
        await telegram_stub.sent.wait_for(1)
        await asyncio.sleep(2.0)  # the second stands by through a few of its turns
        await wait_for_holder(engine, first.telegram.holder, within=0.1)

        # The first dies without a word (its lease is not given back): the second polls
        # once the lease ran out, and answers what came meanwhile.
        assert first.telegram._runner is not None
        first.telegram._runner.cancel()
        before = len(telegram_stub.sent)
        telegram_stub.push_update(telegram_stub.text_update(CHAT, "gaji"))
        await wait_for_holder(engine, second.telegram.holder)
        await telegram_stub.sent.wait_for(before + 1, within=10)
        assert telegram_stub.most_polling == 1  # never two long polls at once
    finally:
        await first.stop()
        await second.stop()
    # A process that stops gives the lease back: the next poller need not wait.
    await wait_for_holder(engine, None, within=1)
