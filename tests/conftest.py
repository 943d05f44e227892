"""Shared fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cases import Directory
from bot.dialogue.flows import FlowLibrary
from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.nlu.types import NluBackend
from bot.runtime import Runtime, build
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.crypto import Cipher
from tests.fakes import ScriptedNlu, TinyContent

# Empty disables the PostgreSQL half (a laptop without it); CI and ./dev test always have it.
POSTGRES_URL = os.environ.get(
    "HELPLINE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
TEST_KEY = Fernet.generate_key().decode()


@pytest.fixture
def cipher() -> Cipher:
    return Cipher([TEST_KEY])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/helpline.db"
        return
    if not POSTGRES_URL:
        pytest.skip("HELPLINE_TEST_POSTGRES_URL is empty")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(POSTGRES_URL)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield f"{POSTGRES_URL}?search_path={schema}"
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def trained_nlu(tmp_path_factory: pytest.TempPathFactory) -> tuple[NluBackend, float]:
    """The embedded NLU trained once for the whole run, from the project's own nlu_data/."""
    from bot.runtime import build_nlu
    from bot.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("nlu"), encryption_keys=TEST_KEY)
    return build_nlu(settings)


@pytest.fixture
def nlu() -> ScriptedNlu:
    return ScriptedNlu()


@pytest.fixture(scope="session")
def flow_library() -> FlowLibrary:
    """The shipped complaint flows, read once per run (runtimes built by tests share them)."""
    return FlowLibrary.load(PROJECT_ROOT)


@pytest.fixture(scope="session")
def directory() -> Directory:
    """The shipped organisations, queues and routing, read once per run."""
    return Directory.load(PROJECT_ROOT)


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path) -> Settings:
    """What `runtime` is built from; channel tests add their stubs' settings."""
    return Settings(database_url=database_url, data_dir=tmp_path)


@pytest.fixture
def build_options() -> dict[str, Any]:
    """More parts for `runtime` (channel tests: a clock, the outbox's backoff)."""
    return {}


@pytest.fixture
def policy() -> Policy:
    """The dialogue of `runtime`: the tiny content set, no complaint flows."""
    return Policy(TinyContent(), threshold=0.5)


@pytest.fixture
async def runtime(
    runtime_settings: Settings,
    build_options: dict[str, Any],
    cipher: Cipher,
    nlu: NluBackend,
    policy: Policy,
    flow_library: FlowLibrary,
    directory: Directory,
) -> AsyncIterator[Runtime]:
    """The runtime on a real database with a scripted NLU and a tiny content set."""
    built = await build(
        runtime_settings,
        cipher=cipher,
        nlu=(nlu, 0.5),
        policy=policy,
        flows=flow_library,
        directory=directory,
        detect_language=lambda text: "id",
        **build_options,
    )
    yield built
    await built.close()


@pytest.fixture
def engine(runtime: Runtime) -> Engine:
    return runtime.engine
