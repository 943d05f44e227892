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
from starlette.routing import BaseRoute

from bot.awareness.job import awareness_job
from bot.cases import overdue_job, retention_job, unclaimed_job, waiting_job
from bot.cases.digest import DigestSchedule, digest_job
from bot.dashboard import PATH as DASHBOARD
from bot.dashboard import dashboard
from bot.dashboard.web import Editing
from bot.dialogue.flows import watch_flows
from bot.jobs import Job, run_forever
from bot.metrics.endpoint import metrics_route
from bot.runtime import Runtime, build, watch_publications
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.chat import ChatOptions
from bot.web.identity import Identity
from bot.web.security import HSTS, SecurityHeaders

log = structlog.get_logger(__name__)
# How long a stop waits for open requests (event streams stay open) before cancelling them.
SHUTDOWN_SECONDS = 10


def create_server_app(runtime: Runtime, *, base_url: str | None = None) -> Starlette:
    """The web app over a built runtime; its lifespan starts and stops the runtime's work.

    `base_url` (http://host:port) is where `helpline run` listens, for the printed links.
    """
    settings = runtime.settings
    base_url = settings.public_url or base_url or f"http://{settings.host}:{settings.port}"

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # What a crash left unprocessed is taken up by the channels' retry sweep (bot/retry.py),
        # in the background: a message that keeps failing never holds up the start.
        await runtime.channels.start()
        await _announce_first_login(runtime, base_url)
        # Scheduled jobs run once across every process serving the database (bot/jobs.py).
        jobs = asyncio.create_task(run_forever(runtime.sessions, scheduled(runtime, base_url)))
        # Editors' changes to flows/complaints/ take effect without a restart (each process).
        reload = asyncio.create_task(watch_flows(settings.content_dir, runtime.flows))
        # What editors publish from the dashboard, in whichever process: each reloads.
        published = asyncio.create_task(watch_publications(runtime))
        try:
            yield
        finally:
            for task in (jobs, reload, published):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await runtime.close()

    # Production is served over HTTPS (behind a TLS proxy when the app itself listens on
    # plain HTTP): cookies only ever travel encrypted, and browsers are told to stay on HTTPS.
    production = settings.env == "production"
    # The dashboard's cookies are signed with keys derived from the encryption keys.
    officers = dashboard(
        lambda: runtime,
        session_secret=runtime.cipher.lookup_hash("dashboard session cookie"),
        csrf_secret=runtime.cipher.lookup_hash("dashboard csrf cookie"),
        https_only=production or base_url.startswith("https://"),
        report_min_cell=settings.report_min_cell,
        content_root=settings.content_dir,
        editing=Editing(
            publishing=settings.content_publishing == "files",
            review_days=settings.content_review_days,
            understanding=lambda: (runtime.nlu, runtime.engine.policy.threshold),
            reload=runtime.reload_content,
        ),
    )
    directory = runtime.desk.directory
    chat = ChatOptions(
        # Conversation tokens are signed with a key derived from the encryption keys, the same
        # in every process serving the database.
        identity=Identity(
            runtime.cipher.lookup_hash("web chat identity"), secure=settings.secure_cookies
        ),
        frame_origins=settings.web_chat_origin_list,
        organisations={o.id: o.name for o in directory.organisations.values()},
    )
    app = create_app(
        runtime.channels.receiver,
        chat=chat,
        mailbox=runtime.mailbox,
        health_check=runtime.health,
        extra_routes=[*runtime.channels.routes(), _metrics(runtime), officers],
        lifespan=lifespan,
    )
    if production:
        app.add_middleware(SecurityHeaders, headers=HSTS)
    return app


def _metrics(runtime: Runtime) -> BaseRoute:
    token = runtime.settings.metrics_token
    return metrics_route(
        runtime.metrics,
        runtime.shared_metrics,
        token=token.get_secret_value() if token else None,
    )


def scheduled(runtime: Runtime, base_url: str | None = None) -> list[Job]:
    """Every job on a schedule (bot/jobs.py), with the timers the settings give."""
    settings, desk = runtime.settings, runtime.desk
    digests = DigestSchedule(
        hour=settings.digest_hour,
        fallback_chat=settings.telegram_staff_chat,
        language=settings.default_language,
        dashboard_url=base_url,
    )
    return [
        overdue_job(desk.alerts),
        unclaimed_job(desk.alerts, timedelta(minutes=settings.urgent_claim_minutes)),
        waiting_job(
            desk.directory,
            desk.live,
            after=timedelta(minutes=settings.waiting_notice_minutes),
            repeat=timedelta(minutes=settings.waiting_notice_repeat_minutes),
        ),
        runtime.staff_chat.job(),
        digest_job(desk.directory, runtime.staff_chat, digests),
        retention_job(timedelta(days=settings.retention_days)),
        awareness_job(settings.content_dir),
    ]


async def serve(settings: Settings, *, host: str, port: int) -> None:
    """Build the runtime in this event loop, then serve the app until stopped."""
    import uvicorn

    from bot.memory import limit_arenas, release_free_memory

    limit_arenas()  # before the runtime starts its threads
    runtime = await build(settings)
    app = create_server_app(runtime, base_url=f"http://{host}:{port}")
    release_free_memory()  # what building left freed (parsed YAML, the unpickled model's bytes)
    # log_config=None: uvicorn's records go to the root logger bot/logs.py set up (JSON in
    # production), not to uvicorn's own text handlers.
    # An open event stream never ends by itself: past 10 s a stop cancels what is still open,
    # as Kubernetes and compose (30 s, 10 s) send SIGKILL soon after SIGTERM.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        log_config=None,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await runtime.close()  # also when the server never started (the port was taken)


async def _announce_first_login(runtime: Runtime, base_url: str) -> None:
    """No administrator yet: print a one-time setup link (there is no default password).

    In production the link is not printed: logs are collected, and whoever reads them must not
    become administrator. The log says how to make one instead (`helpline user add`)."""
    from bot.staff import setup_link_token
    from bot.staff.accounts import needs_setup

    if runtime.settings.env == "production":
        async with runtime.sessions() as session:
            if await needs_setup(session):
                log.warning("staff.no_administrator", hint="helpline user add NAME --role admin")
        return
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
