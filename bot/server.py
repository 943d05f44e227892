"""The process that serves the web app: builds the runtime, then serves it in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from starlette.applications import Starlette

from bot.cases import overdue_job, retention_job
from bot.dashboard import PATH as DASHBOARD
from bot.dashboard import dashboard
from bot.dialogue.flows import watch_flows
from bot.jobs import Job, run_forever
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.web.app import create_app

log = structlog.get_logger(__name__)


def create_server_app(runtime: Runtime, *, base_url: str | None = None) -> Starlette:
    """The web app over a built runtime; its lifespan starts and stops the runtime's work.

    `base_url` (http://host:port) is where `helpline run` listens, for the printed links.
    """
    settings = runtime.settings
    base_url = settings.public_url or base_url or f"http://{settings.host}:{settings.port}"

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        resumed = await runtime.engine.resume()
        if resumed:
            log.info("resumed.unprocessed", workers=resumed)
        await runtime.channels.start()
        await _announce_first_login(runtime, base_url)
        # Scheduled jobs run once across every process serving the database (bot/jobs.py).
        jobs = asyncio.create_task(run_forever(runtime.sessions, scheduled_jobs(runtime)))
        # Editors' changes to flows/complaints/ take effect without a restart (each process).
        reload = asyncio.create_task(watch_flows(settings.content_dir, runtime.flows))
        try:
            yield
        finally:
            for task in (jobs, reload):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await runtime.close()

    # The dashboard's cookies are signed with keys derived from the encryption keys.
    officers = dashboard(
        lambda: runtime,
        session_secret=runtime.cipher.lookup_hash("dashboard session cookie"),
        csrf_secret=runtime.cipher.lookup_hash("dashboard csrf cookie"),
        https_only=base_url.startswith("https://"),
    )
    return create_app(
        runtime.channels.receiver,
        health_check=runtime.health,
        extra_routes=[*runtime.channels.routes(), officers],
        lifespan=lifespan,
    )


def scheduled_jobs(runtime: Runtime) -> list[Job]:
    """What runs on a schedule, once across every process serving the database."""
    retention = timedelta(days=runtime.settings.retention_days)
    return [overdue_job(runtime.desk.alerts), retention_job(retention)]


async def serve(settings: Settings, *, host: str, port: int) -> None:
    """Build the runtime in this event loop, then serve the app until stopped."""
    import uvicorn

    runtime = await build(settings)
    app = create_server_app(runtime, base_url=f"http://{host}:{port}")
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    try:
        await uvicorn.Server(config).serve()
    finally:
        await runtime.close()  # also when the server never started (the port was taken)


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
