"""No outbound message waits for a sender that does not exist: every channel a worker can write
from has one (checked when the channels are built), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.messages import ChannelKind
from bot.outbox import enqueue
from bot.outbox.registry import MissingSender, senders_for_every_channel
from bot.runtime import Runtime
from bot.settings import Settings
from bot.storage.models import Message, MessageStatus, Worker


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path) -> Settings:
    """As `helpline run` starts on a laptop: neither Telegram nor WhatsApp configured."""
    return Settings(database_url=database_url, data_dir=tmp_path)


def test_a_channel_without_a_sender_stops_the_start() -> None:
    with pytest.raises(MissingSender, match="console"):
        senders_for_every_channel({kind: object() for kind in ChannelKind if kind != "console"})  # type: ignore[misc]


@pytest.mark.parametrize("channel", list(ChannelKind))
async def test_no_outbound_message_of_any_channel_stays_pending(
    runtime: Runtime, channel: ChannelKind
) -> None:
    """Built as `helpline run` builds it, with Telegram and WhatsApp not configured."""
    assert set(runtime.channels.outbox.senders) == set(ChannelKind)
    async with runtime.sessions.begin() as session:
        worker = Worker(
            channel=channel, channel_user_hash=f"h-{channel}", channel_user_id=f"u-{channel}"
        )
        session.add(worker)
        await session.flush()
        message = await enqueue(session, worker.id, "Halo dari petugas")
    assert await runtime.channels.outbox.run_once() == 1
    async with runtime.sessions() as session:
        row = await session.scalar(select(Message).where(Message.id == message.id))
    assert row is not None
    if channel in (ChannelKind.WEB, ChannelKind.CONSOLE):
        # Stored for the page or the terminal, which fetch it (bot/outbox/pull.py).
        assert row.status == MessageStatus.SENT
    else:
        # Not configured in this process: retried with backoff, then failed, never silent.
        assert row.status == MessageStatus.PENDING and row.next_attempt_at is not None
        assert row.error == f"{channel}_not_configured"
