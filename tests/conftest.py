"""Shared fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.nlu.types import NluBackend
from bot.storage import db
from bot.storage.crypto import Cipher, set_cipher
from tests.fakes import ScriptedNlu, TinyContent

# Empty disables the PostgreSQL half (a laptop without it); CI and ./dev test always have it.
POSTGRES_URL = os.environ.get(
    "HELPLINE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
TEST_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def cipher() -> Cipher:
    c = Cipher([TEST_KEY])
    set_cipher(c)
    return c


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


@pytest.fixture
async def engine(database_url: str, cipher: Cipher, nlu: ScriptedNlu) -> AsyncIterator[Engine]:
    """An engine on a real database with a scripted NLU and a tiny content set."""
    database = db.create_engine(database_url)
    await db.migrate(database)
    policy = Policy(TinyContent(), threshold=0.5)
    yield Engine(db.session_factory(database), nlu, policy, cipher, lambda text: "id")
    await database.dispose()
