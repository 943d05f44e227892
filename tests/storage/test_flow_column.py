"""Flow progress in its own encrypted column: the engine no longer seals it by hand, and rows
written before migration 0005 (the sealed string inside `state`) still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection
from sqlalchemy.exc import StatementError

from bot.storage import db
from bot.storage.crypto import Cipher, CryptoError
from bot.storage.models import Conversation

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PROGRESS = {"progress": {"flow": "wages_unpaid", "slots": {"name": "Ani Susanti"}}}

workers = sa.table(
    "workers",
    sa.column("id", sa.Integer()),
    sa.column("channel", sa.String()),
    sa.column("channel_user_hash", sa.String()),
    sa.column("channel_user_id", sa.Text()),
    sa.column("language_chosen", sa.Boolean()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("last_seen_at", sa.DateTime(timezone=True)),
)
conversations = sa.table(
    "conversations",
    sa.column("id", sa.Integer()),
    sa.column("worker_id", sa.Integer()),
    sa.column("state", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _migrate(connection: Connection, revision: str, *, down: bool = False) -> None:
    config = db.alembic_config()
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, revision)


async def test_progress_sealed_in_the_state_moves_to_its_column_and_back(
    empty_database_url: str, cipher: Cipher
) -> None:
    engine = db.create_engine(empty_database_url, cipher=cipher)
    sealed = cipher.encrypt(json.dumps(PROGRESS))  # what the engine stored before 0005
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, "0004")
            await connection.execute(
                sa.insert(workers).values(
                    id=1,
                    channel="web",
                    channel_user_hash="h",
                    channel_user_id=cipher.encrypt("ani"),
                    language_chosen=False,
                    created_at=NOW,
                    last_seen_at=NOW,
                )
            )
            await connection.execute(
                sa.insert(conversations).values(
                    id=1,
                    worker_id=1,
                    state={"awaiting": "flow", "flow": sealed},
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            await connection.run_sync(_migrate, "0005")
        async with db.session_factory(engine)() as session:
            conversation = await session.get_one(Conversation, 1)
            assert conversation.flow == PROGRESS
            assert conversation.state == {"awaiting": "flow"}
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, "0004", down=True)
            state = await connection.scalar(sa.select(conversations.c.state))
        assert state == {"awaiting": "flow", "flow": sealed}
    finally:
        await engine.dispose()


async def test_an_engine_without_a_cipher_refuses_encrypted_columns(database_url: str) -> None:
    engine = db.create_engine(database_url)
    try:
        await db.migrate(engine)
        async with db.session_factory(engine).begin() as session:
            session.add(Conversation(worker_id=None, state={}, flow=PROGRESS))
            with pytest.raises(StatementError) as refused:
                await session.flush()
            assert isinstance(refused.value.orig, CryptoError)
    finally:
        await engine.dispose()


async def test_two_engines_keep_their_own_keys(database_url: str, cipher: Cipher) -> None:
    """No process-wide cipher: each database engine encrypts with the keys it was given."""
    from cryptography.fernet import Fernet

    other = Cipher([Fernet.generate_key().decode()])
    ours, theirs = (
        db.create_engine(database_url, cipher=cipher),
        db.create_engine(database_url, cipher=other),
    )
    try:
        await db.migrate(ours)
        async with ours.begin() as connection:
            await connection.execute(
                sa.insert(workers).values(
                    id=1,
                    channel="web",
                    channel_user_hash="h",
                    channel_user_id=cipher.encrypt("ani"),
                    language_chosen=False,
                    created_at=NOW,
                    last_seen_at=NOW,
                )
            )
        async with db.session_factory(ours).begin() as session:
            session.add(Conversation(worker_id=1, state={}, flow=PROGRESS))
        async with db.session_factory(ours)() as session:
            assert (await session.scalar(sa.select(Conversation.flow))) == PROGRESS
        async with db.session_factory(theirs)() as session:
            with pytest.raises(CryptoError):
                await session.scalar(sa.select(Conversation.flow))
    finally:
        await ours.dispose()
        await theirs.dispose()
