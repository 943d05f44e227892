"""Builds the running helpline from validated settings: the one place that wires the parts.

The server, every CLI command and the tests call `build(settings, **overrides)`; overrides
swap a part for tests (a scripted NLU, a clock, tiny content) and nothing else differs.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import loadcache
from bot.cases import (
    Alerts,
    CaseHooks,
    Desk,
    Directory,
    DirectoryError,
    Live,
    Privacy,
    StaffMessages,
)
from bot.cases.live_bus import PostgresBus, asyncpg_connector, channel_for
from bot.channels.mailbox import Mailbox
from bot.channels.service import Channels
from bot.content import Content, ContentError, Problem
from bot.content.publishing import content_version
from bot.dialogue.flows import FlowLibrary, FlowRunner
from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.learning.scrub import Scrubber, vocabulary_of
from bot.learning.store import Recorder
from bot.metrics.database import DatabaseCollector
from bot.metrics.instruments import Metrics, TimedNlu
from bot.nlu.data import DataError, load_rasa, training_files
from bot.nlu.types import NluBackend, NluError, NluResult
from bot.settings import Settings
from bot.storage import db
from bot.storage.crypto import Cipher, keys_from_setting
from bot.storage.models import utcnow

log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    settings: Settings
    cipher: Cipher
    database: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    nlu: NluBackend
    flows: FlowLibrary  # complaint flows; the server reloads them when editors change them
    desk: Desk  # cases, queues and the live updates the dashboard shows
    engine: Engine
    channels: Channels  # Telegram and WhatsApp (each on when configured), outbox, evidence
    staff_chat: StaffMessages  # alerts for staff group chats, kept until Telegram took them
    mailbox: Mailbox  # what the web chat page and the terminal read between their messages
    metrics: Metrics  # this process's counters, and the shared state below (`/metrics`)
    shared_metrics: DatabaseCollector

    def reload_content(self) -> list[Problem]:
        """Read flows/ again after a publication: the answers, menu and facts, the complaint
        flows and the officers' ready answers. On any error nothing changes (the last good
        content keeps serving) and the errors are returned."""
        root = self.settings.content_dir
        try:
            content = Content.load(root, cache_dir(self.settings))
            directory = Directory.load(root, cache_dir(self.settings))
        except (ContentError, DirectoryError) as error:
            for problem in error.problems:
                log.warning("content.reload_refused", problem=str(problem))
            return error.problems
        refused = self.flows.reload(root)
        if refused:
            return refused
        self.engine.policy.content = content
        # Organisations, queues and routing need a restart; ready answers do not.
        self.desk.directory = dataclasses.replace(self.desk.directory, canned=directory.canned)
        log.info("content.reloaded")
        return []

    async def health(self) -> dict[str, object]:
        await db.ping(self.database)
        return {"database": self.database.dialect.name, "nlu": self.settings.nlu_backend}

    async def close(self) -> None:
        await self.channels.stop()
        self.desk.live.close()
        await self.desk.live.drain()
        await self.database.dispose()


async def watch_publications(runtime: Runtime, *, interval: float | None = None) -> None:
    """Reload the content whenever an editor published (from any process): polls the
    content's version (the newest publication) every `content_poll_seconds`."""
    interval = interval or runtime.settings.content_poll_seconds
    async with runtime.sessions() as session:
        seen = await content_version(session)
    while True:
        await asyncio.sleep(interval)
        try:
            async with runtime.sessions() as session:
                version = await content_version(session)
            if version > seen:
                seen = version
                await asyncio.to_thread(runtime.reload_content)
        except Exception as error:  # a reload must never take the server down
            log.error("content.reload_failed", error=type(error).__name__)


class _NoNlu:
    """For commands that answer no worker (cases, staff): nothing to load at start."""

    async def parse(self, text: str) -> NluResult:
        raise NluError("this command runs without the NLU")


WITHOUT_NLU: tuple[NluBackend, float] = (_NoNlu(), 1.0)


def build_cipher(settings: Settings) -> Cipher:
    keys = keys_from_setting(
        settings.encryption_keys, settings.data_dir, allow_generate=settings.env != "production"
    )
    lookup = settings.lookup_key.get_secret_value() if settings.lookup_key else None
    return Cipher(keys, lookup_key=lookup)


def nlu_threshold(settings: Settings) -> float:
    """The one confidence below which a message is not understood: the policy applies it
    (bot.dialogue.policy.understood), and so does `helpline parse`."""
    from bot.nlu.classifier import DEFAULT_THRESHOLD

    return settings.nlu_threshold if settings.nlu_threshold is not None else DEFAULT_THRESHOLD


def build_nlu(settings: Settings) -> tuple[NluBackend, float]:
    """The configured NLU backend and the threshold (`nlu_threshold`)."""
    threshold = nlu_threshold(settings)
    if settings.nlu_backend == "rasa":
        from bot.nlu.rasa import RasaNlu

        assert settings.rasa_url is not None  # the settings validator requires it
        return RasaNlu(settings.rasa_url, timeout=settings.rasa_timeout), threshold
    from bot.nlu.embedded import EmbeddedNlu

    nlu = EmbeddedNlu.load_or_train(
        settings.nlu_data_dir, settings.data_dir / "models", threshold=threshold
    )
    return nlu, threshold


@cache
def _vocabulary(nlu_data: Path, cache_dir: Path | None = None) -> frozenset[str]:
    """The words the NLU is trained on: the scrubber takes other words for possible names.
    Read once per process (a third of a second), or from `cache_dir` (bot/loadcache.py)."""

    def load() -> frozenset[str]:
        try:
            return frozenset(vocabulary_of(example.text for example in load_rasa(nlu_data)))
        except DataError:
            return (
                frozenset()
            )  # a deployment on a Rasa server may have no nlu_data/: more is masked

    return loadcache.cached(
        cache_dir,
        "vocabulary",
        nlu_data,
        lambda: training_files(nlu_data) if nlu_data.is_dir() else [nlu_data],
        load,
        frozenset,
    )


def cache_dir(settings: Settings) -> Path:
    """Where a start keeps the content, flows, directory and vocabulary it read (parsed and
    checked) for the next start: beside the cached models."""
    return settings.data_dir / "cache"


async def build(
    settings: Settings,
    *,
    migrate: bool = True,
    cipher: Cipher | None = None,
    nlu: tuple[NluBackend, float] | None = None,
    policy: Policy | None = None,
    flows: FlowLibrary | None = None,
    directory: Directory | None = None,
    detect_language: Callable[[str], str | None] | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    outbox_options: dict[str, Any] | None = None,
) -> Runtime:
    """Everything the helpline runs on, each part from `settings` unless given.

    Tests give parts: a trained or scripted `nlu` (backend and threshold), a `policy` over
    tiny content, `flows` and `directory` loaded once per run, `clock` and `sleep` (the
    desk's, outbox's and channels' time), `outbox_options` (backoff, attempts).
    """
    from bot.nlu.language import detect_language as detect_by_text

    if cipher is None:
        cipher = build_cipher(settings)
    database = db.create_engine(settings.effective_database_url, cipher=cipher)
    if migrate:
        await db.migrate(database)
    sessions = db.session_factory(database)

    backend, threshold = nlu or build_nlu(settings)
    if flows is None:
        flows = FlowLibrary.load(settings.content_dir, cache_dir(settings))
    if policy is None:
        expiry = timedelta(hours=settings.flow_expiry_hours)
        runner = FlowRunner(flows, expiry=expiry)
        policy = Policy(
            Content.load(settings.content_dir, cache_dir(settings)),
            threshold=threshold,
            flows=runner,
            default_language=settings.default_language,
        )
    if directory is None:
        directory = Directory.load(settings.content_dir, cache_dir(settings))
    live = Live()
    if database.dialect.name == "postgresql":
        # Live updates reach the dashboards and web chats that other processes serve.
        bus = PostgresBus(
            asyncpg_connector(database.sync_engine.url, database.dialect),
            live,
            channel=channel_for(settings.effective_database_url),
        )
        bus.start()
        live.bus = bus
    staff_chat = StaffMessages(sessions, live, clock=clock)
    alerts = Alerts(
        directory,
        live,
        staff_chat,
        dashboard_url=settings.public_url or f"http://{settings.host}:{settings.port}",
        helpline_chat=settings.telegram_staff_chat,
    )
    desk = Desk(directory, live, alerts, clock=clock)
    language = detect_language or detect_by_text
    privacy = Privacy(directory, flows, timedelta(days=settings.retention_days))
    metrics = Metrics()
    if isinstance(live.bus, PostgresBus):
        live.bus.count = lambda direction: metrics.live_notifications.labels(direction).inc()
    shared_metrics = DatabaseCollector(sessions, clock=clock)
    metrics.registry.register(shared_metrics)
    engine = Engine(
        sessions,
        TimedNlu(backend, metrics),
        policy,
        cipher,
        language,
        CaseHooks(desk, privacy),
        metrics=metrics,
        learning=Recorder(
            Scrubber(_vocabulary(settings.nlu_data_dir, cache_dir(settings))), cipher
        ),
    )
    channels = Channels(
        settings,
        engine,
        clock=clock,
        sleep=sleep,
        outbox_options=outbox_options,
        metrics=metrics,
    )
    if channels.telegram is not None:
        staff_chat.sender = channels.telegram.staff_chat
        channels.telegram.staff_groups = frozenset(
            chat
            for chat in (
                settings.telegram_staff_chat,
                *(org.staff_chat for org in directory.organisations.values()),
            )
            if chat
        )
    mailbox = Mailbox(sessions, cipher, directory, desk.live, clock=clock)
    return Runtime(
        settings,
        cipher,
        database,
        sessions,
        backend,
        flows,
        desk,
        engine,
        channels,
        staff_chat,
        mailbox,
        metrics,
        shared_metrics,
    )
