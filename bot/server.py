"""The process that serves the web app: builds the runtime inside the server's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from starlette.applications import Starlette

from bot.cases import watch_overdue
from bot.channels.service import Channels
from bot.dashboard import PATH as DASHBOARD
from bot.dashboard import dashboard
from bot.dialogue.flows import watch_flows
from bot.messages import Inbound, Reply
from bot.runtime import Runtime, build, configure_cipher
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


def create_server_app(settings: Settings, *, base_url: str | None = None) -> Starlette:
    """`base_url` (http://host:port) is where `helpline run` listens, for the printed links."""
    started = _Started()
    # The dashboard's cookies are signed with keys derived from the encryption keys.
    cipher = configure_cipher(settings)
    base_url = settings.public_url or base_url or f"http://{settings.host}:{settings.port}"
    # Telegram and WhatsApp, each on when its settings are present (webhooks, outbox, polling).
    channels = Channels(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started.runtime = await build(settings)
        resumed = await started.runtime.engine.resume()
        if resumed:
            log.info("resumed.unprocessed", workers=resumed)
        await channels.start(started.runtime.engine)
        await _announce_first_login(started.runtime, base_url)
        desk = started.runtime.desk
        overdue = asyncio.create_task(watch_overdue(started.runtime.sessions, desk.alerts))
        # Editors' changes to flows/complaints/ take effect without a restart (each process).
        reload = asyncio.create_task(watch_flows(settings.content_dir, started.runtime.flows))
        try:
            yield
        finally:
            desk.live.close()
            for task in (overdue, reload):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await channels.stop()
            await started.runtime.close()

    officers = dashboard(
        started.get,
        session_secret=cipher.lookup_hash("dashboard session cookie"),
        csrf_secret=cipher.lookup_hash("dashboard csrf cookie"),
        https_only=base_url.startswith("https://"),
    )
    return create_app(
        started,
        health_check=started.health,
        extra_routes=[*channels.routes(), officers],
        lifespan=lifespan,
    )


async def _announce_first_login(runtime: Runtime, base_url: str) -> None:
    """No administrator yet: print a one-time setup link (there is no default password)."""
    from bot.staff import setup_link_token

    async with runtime.sessions.begin() as session:
        token = await setup_link_token(session)
    if token is not None:
        print(
            "\nNo administrator yet. Create the first one within 24 hours with this one-time "
            f"link:\n  {base_url}{DASHBOARD}/setup?token={token}\n"
            "(Each start prints a new link; only the newest works.)\n",
            file=sys.stderr,
            flush=True,
        )
