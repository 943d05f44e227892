"""Builds the running helpline from validated settings: one place that wires the parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.cases import CaseHooks, Desk, Directory, Live
from bot.content import Content
from bot.dialogue.flows import FlowLibrary, FlowRunner
from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.nlu.types import NluBackend
from bot.settings import Settings
from bot.storage import db
from bot.storage.crypto import Cipher, keys_from_setting, set_cipher


@dataclass
class Runtime:
    settings: Settings
    database: AsyncEngine
    content: Content
    nlu: NluBackend
    engine: Engine
    sessions: async_sessionmaker[AsyncSession]
    desk: Desk  # cases, queues and the live updates the dashboard shows
    flows: FlowLibrary  # complaint flows; the server reloads them when editors change them

    async def health(self) -> dict[str, object]:
        await db.ping(self.database)
        return {"database": self.database.dialect.name, "nlu": self.settings.nlu_backend}

    async def close(self) -> None:
        await self.database.dispose()


def configure_cipher(settings: Settings) -> Cipher:
    keys = keys_from_setting(
        settings.encryption_keys, settings.data_dir, allow_generate=settings.env != "production"
    )
    cipher = Cipher(keys)
    set_cipher(cipher)
    return cipher


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


async def build(
    settings: Settings, *, migrate: bool = True, nlu: tuple[NluBackend, float] | None = None
) -> Runtime:
    """Everything the helpline runs on; `nlu` lets tests share one trained model."""
    from bot.nlu.language import detect_language

    cipher = configure_cipher(settings)
    content = Content.load(settings.content_dir)
    directory = Directory.load(settings.content_dir)
    backend, threshold = nlu or build_nlu(settings)
    database = db.create_engine(settings.effective_database_url)
    if migrate:
        await db.migrate(database)
    flows = FlowLibrary.load(settings.content_dir)
    runner = FlowRunner(flows, expiry=timedelta(hours=settings.flow_expiry_hours))
    policy = Policy(
        content, threshold=threshold, flows=runner, default_language=settings.default_language
    )
    sessions = db.session_factory(database)
    desk = Desk(directory, Live())
    engine = Engine(sessions, backend, policy, cipher, detect_language, CaseHooks(desk))
    return Runtime(settings, database, content, backend, engine, sessions, desk, flows)
