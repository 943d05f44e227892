"""Fixtures for channel and outbox tests: stubs, the runtime with both channels on, the app, a fake clock.

Imported by tests/channels/conftest.py and tests/outbox/conftest.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from twilio.request_validator import RequestValidator

from bot.channels.service import Channels
from bot.engine import Engine
from bot.outbox import Backoff
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from bot.storage.models import Message
from bot.web.app import create_app
from tests.channels.stubs import TelegramStub, TwilioStub, serve

PUBLIC_URL = "https://helpline.example.org"
TELEGRAM_TOKEN = "123456:TEST-token_abc"
TELEGRAM_SECRET = "s3cret-token"
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "twilio-auth-token"
WHATSAPP_FROM = "whatsapp:+14155238886"
TEMPLATE_SID = "HX" + "2" * 32


class Clock:
    """Now, as the outbox sees it; tests move it on instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        """The pacer's sleep: time moves on at once."""
        self.advance(seconds=seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def stubs() -> AsyncIterator[tuple[TelegramStub, TwilioStub]]:
    """Both fakes on one local server (their paths differ): one start and stop per test."""
    telegram, twilio = TelegramStub(TELEGRAM_TOKEN), TwilioStub(ACCOUNT_SID, AUTH_TOKEN)
    app = Starlette(routes=[*telegram.app.routes, *twilio.app.routes])
    async with serve(app) as url:
        telegram.url = twilio.url = url
        yield telegram, twilio
        telegram.end_polls()


@pytest.fixture
def telegram_stub(stubs: tuple[TelegramStub, TwilioStub]) -> TelegramStub:
    return stubs[0]


@pytest.fixture
def twilio_stub(stubs: tuple[TelegramStub, TwilioStub]) -> TwilioStub:
    return stubs[1]


def channel_settings(
    telegram: TelegramStub | None = None,
    twilio: TwilioStub | None = None,
    **overrides: Any,
) -> Settings:
    values: dict[str, Any] = {"public_url": PUBLIC_URL}
    if telegram is not None:
        values.update(
            telegram_token=TELEGRAM_TOKEN,
            telegram_secret=TELEGRAM_SECRET,
            telegram_mode="webhook",
            telegram_api_url=telegram.url,
        )
    if twilio is not None:
        values.update(
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_whatsapp_from=WHATSAPP_FROM,
            twilio_template_sid=TEMPLATE_SID,
            twilio_api_url=twilio.url,
        )
    values.update(overrides)
    return load_settings(**values)


class Helpline:
    """The web app with both channels, driven step by step: no background loops."""

    def __init__(self, engine: Engine, channels: Channels, client: httpx.AsyncClient) -> None:
        self.engine = engine
        self.channels = channels
        self.client = client
        self.validator = RequestValidator(AUTH_TOKEN)

    @property
    def outbox(self) -> Any:
        return self.channels.outbox

    async def chat_headers(self) -> dict[str, str]:
        """A conversation token from the server, as an API client sends it (a new one each time)."""
        response = await self.client.post("/chat/api/session")
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    async def telegram(self, update: dict[str, Any], secret: str = TELEGRAM_SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        response = await self.client.post("/webhooks/telegram", json=update, headers=headers)
        return response.status_code

    async def twilio(
        self,
        params: dict[str, str],
        *,
        path: str = "/webhooks/twilio",
        signature: str | None = None,
    ) -> httpx.Response:
        url = PUBLIC_URL + path
        if signature is None:
            signature = self.validator.compute_signature(url, params)
        return await self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})

    async def settle(self) -> None:
        """Process what was received, fetch evidence, and send whatever is due now."""
        assert self.channels.receiver and self.channels.evidence and self.channels.outbox
        await self.channels.receiver.idle()
        while await self.channels.evidence.run_once():
            pass
        while await self.channels.outbox.run_once():
            pass
        if self.channels.telegram is not None:
            await self.channels.telegram.idle()

    async def outbound(self) -> list[Message]:
        async with self.engine.sessions() as session:
            return list(
                (
                    await session.scalars(
                        select(Message).where(Message.direction == "out").order_by(Message.id)
                    )
                ).all()
            )

    async def inbound(self) -> list[Message]:
        async with self.engine.sessions() as session:
            return list(
                (
                    await session.scalars(
                        select(Message).where(Message.direction == "in").order_by(Message.id)
                    )
                ).all()
            )


@pytest.fixture
def runtime_settings(
    database_url: str, tmp_path: Path, telegram_stub: TelegramStub, twilio_stub: TwilioStub
) -> Settings:
    """The runtime of channel tests has both channels on, talking to the stubs."""
    return channel_settings(
        telegram_stub, twilio_stub, database_url=database_url, data_dir=tmp_path
    )


@pytest.fixture
def build_options(clock: Clock) -> dict[str, Any]:
    return {
        "clock": clock,
        "sleep": clock.sleep,
        "outbox_options": {"backoff": Backoff(base=1.0, jitter=0.0), "max_attempts": 3},
    }


@pytest.fixture
async def helpline(runtime: Runtime) -> AsyncIterator[Helpline]:
    # The chat API too, through the same receiver as the webhooks.
    app = create_app(runtime.channels.receiver, extra_routes=runtime.channels.routes())
    await runtime.channels.start(run_loops=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield Helpline(runtime.engine, runtime.channels, client)
