"""The process that serves the web app: builds the runtime inside the server's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from starlette.applications import Starlette

from bot.channels.service import Channels
from bot.messages import Inbound, Reply
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.web.app import create_app

log = structlog.get_logger(__name__)


class _Started:
    """Hands the routes the runtime once the lifespan has built it."""

    runtime: Runtime | None = None

    def get(self) -> Runtime:
        if self.runtime is None:
            raise RuntimeError("the helpline is still starting")
        return self.runtime

    async def handle(self, inbound: Inbound) -> list[Reply]:
        return await self.get().engine.handle(inbound)

    async def health(self) -> dict[str, object]:
        return await self.get().health()


def create_server_app(settings: Settings) -> Starlette:
    started = _Started()
    # Telegram and WhatsApp, each on when its settings are present (webhooks, outbox, polling).
    channels = Channels(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started.runtime = await build(settings)
        resumed = await started.runtime.engine.resume()
        if resumed:
            log.info("resumed.unprocessed", workers=resumed)
        await channels.start(started.runtime.engine)
        try:
            yield
        finally:
            await channels.stop()
            await started.runtime.close()

    return create_app(
        started, health_check=started.health, extra_routes=channels.routes(), lifespan=lifespan
    )
