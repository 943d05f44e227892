"""An engine on a real database with a scripted NLU and a tiny content set, for storage rules."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.storage import db
from bot.storage.crypto import Cipher
from tests.fakes import ScriptedNlu, TinyContent


@pytest.fixture
def nlu() -> ScriptedNlu:
    return ScriptedNlu()


@pytest.fixture
async def engine(database_url: str, cipher: Cipher, nlu: ScriptedNlu) -> AsyncIterator[Engine]:
    database = db.create_engine(database_url)
    await db.migrate(database)
    policy = Policy(TinyContent(), threshold=0.5)
    yield Engine(db.session_factory(database), nlu, policy, cipher, lambda text: "id")
    await database.dispose()
