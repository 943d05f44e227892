"""The channels of one process, built from settings: webhook routes, outbox, evidence, polling.

Built by `bot.runtime.build` with everything else; routes answer 503 until `start()`, so
Telegram and Twilio simply deliver again. `clock` and `sleep` are the outbox's, the pacers'
and the adapters' time (tests move it on instead of sleeping).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from starlette.routing import BaseRoute

from bot.channels import quiet_library_logs
from bot.channels.inbound import InboundEngine, Receiver
from bot.evidence import EvidenceCollector, Fetcher
from bot.messages import ChannelKind
from bot.metrics.instruments import Metrics
from bot.outbox import Outbox, Pacer, Sender, SharedPacer
from bot.outbox.pull import PullSender
from bot.outbox.registry import ChannelOff, senders_for_every_channel
from bot.retry import Retrier, RetryPolicy
from bot.settings import Settings
from bot.storage.models import utcnow

if TYPE_CHECKING:  # imported when a channel is on: PTB and Twilio load slowly
    from bot.channels.telegram import TelegramChannel
    from bot.channels.whatsapp import WhatsAppChannel

log = structlog.get_logger(__name__)


class Channels:
    def __init__(
        self,
        settings: Settings,
        engine: InboundEngine,
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        outbox_options: dict[str, Any] | None = None,
        retry_policy: RetryPolicy | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        quiet_library_logs()
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self.outbox_options = outbox_options or {}
        self.engine_sessions = engine.sessions
        self.telegram: TelegramChannel | None = None
        self.whatsapp: WhatsAppChannel | None = None
        if settings.telegram_enabled:
            from bot.channels.telegram import TelegramChannel

            assert settings.telegram_token is not None
            secret = settings.telegram_secret
            self.telegram = TelegramChannel(
                settings.telegram_token.get_secret_value(),
                mode=settings.effective_telegram_mode,
                public_url=settings.public_url,
                secret=secret.get_secret_value() if secret else None,
                api_url=settings.telegram_api_url,
                clock=clock,
                sessions=engine.sessions,
            )
        if settings.whatsapp_enabled:
            from bot.channels.whatsapp import WhatsAppChannel

            assert settings.twilio_account_sid and settings.twilio_auth_token
            assert settings.twilio_whatsapp_from and settings.public_url
            self.whatsapp = WhatsAppChannel(
                settings.twilio_account_sid,
                settings.twilio_auth_token.get_secret_value(),
                settings.twilio_whatsapp_from,
                public_url=settings.public_url,
                template_sid=settings.twilio_template_sid,
                api_url=settings.twilio_api_url,
                clock=clock,
            )
        # The web chat page and the terminal fetch what was sent to them (bot/outbox/pull.py).
        senders: dict[str, Sender] = {
            ChannelKind.WEB: PullSender(),
            ChannelKind.CONSOLE: PullSender(),
            ChannelKind.TELEGRAM: ChannelOff(ChannelKind.TELEGRAM),
            ChannelKind.WHATSAPP: ChannelOff(ChannelKind.WHATSAPP),
        }
        fetchers: dict[str, Fetcher] = {}
        pacers: dict[str, Pacer] = {}
        if self.telegram is not None:
            from bot.channels import telegram

            senders[ChannelKind.TELEGRAM] = self.telegram.sender
            fetchers[ChannelKind.TELEGRAM] = self.telegram.files
            pacers[ChannelKind.TELEGRAM] = self._pacer(ChannelKind.TELEGRAM, telegram.PER_SECOND)
        if self.whatsapp is not None:
            senders[ChannelKind.WHATSAPP] = self.whatsapp.sender
            fetchers[ChannelKind.WHATSAPP] = self.whatsapp.files
            pacers[ChannelKind.WHATSAPP] = self._pacer(
                ChannelKind.WHATSAPP, self.settings.whatsapp_per_second
            )
        self.outbox = Outbox(
            engine.sessions,
            senders_for_every_channel(senders),
            pacers=pacers,
            clock=clock,
            metrics=metrics,
            **{"concurrency": settings.send_concurrency, **self.outbox_options},
        )
        self.evidence = EvidenceCollector(engine.sessions, fetchers, clock=clock)
        self.retrier = Retrier(
            engine, policy=retry_policy or RetryPolicy(), clock=clock, after=self.outbox.wake
        )
        self.receiver = Receiver(engine, self.outbox, self.evidence, self.retrier)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def enabled(self) -> list[str]:
        on = {ChannelKind.TELEGRAM: self.telegram, ChannelKind.WHATSAPP: self.whatsapp}
        return [kind.value for kind, adapter in on.items() if adapter is not None]

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        if self.telegram is not None:
            routes += self.telegram.routes()
        if self.whatsapp is not None:
            routes += self.whatsapp.routes()
        return routes

    async def start(self, *, run_loops: bool = True) -> None:
        """Start sending, fetching and receiving.

        `run_loops=False` leaves the outbox and evidence loops to the caller (`run_once()`).
        """
        missing = await self.evidence.collect_missing()
        if missing:
            log.info("evidence.resumed", messages=missing)
        if run_loops:  # every channel's messages, the web chat's too
            self._tasks.append(asyncio.ensure_future(self.retrier.run()))
            self._tasks.append(asyncio.ensure_future(self.outbox.run()))
            self._tasks.append(asyncio.ensure_future(self.evidence.run()))
        if self.telegram is not None:
            await self.telegram.start(self.receiver)
        if self.whatsapp is not None:
            await self.whatsapp.start(self.receiver)
        log.info("channels.started", channels=self.enabled)

    def _pacer(self, channel: str, per_second: float) -> Pacer:
        """The channel's limit is the bot's or the account's: shared by every process."""
        return SharedPacer(
            self.engine_sessions,
            channel,
            per_second,
            clock=lambda: self.clock().timestamp(),
            sleep=self.sleep,
        )

    async def stop(self) -> None:
        # Finish answering what was received, stop sending, then close the channels' clients.
        if self.receiver is not None:
            await self.receiver.aclose()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.telegram is not None:
            await self.telegram.stop()
        if self.whatsapp is not None:
            await self.whatsapp.stop()
