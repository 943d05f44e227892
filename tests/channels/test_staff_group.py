"""The bot leaves any group it is added to, except the staff group it posts alerts and
digests to (HELPLINE_TELEGRAM_STAFF_CHAT, or an organisation's staff_chat)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from tests.channels.fixtures import Helpline, channel_settings
from tests.channels.stubs import TelegramStub

STAFF_GROUP = -100888


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path, telegram_stub: TelegramStub) -> Settings:
    return channel_settings(
        telegram_stub,
        database_url=database_url,
        data_dir=tmp_path,
        telegram_staff_chat=str(STAFF_GROUP),
    )


async def test_the_bot_stays_in_the_staff_group_and_leaves_others(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    assert await helpline.telegram(telegram_stub.added_to_group_update(STAFF_GROUP)) == 200
    assert await helpline.telegram(telegram_stub.added_to_group_update(-100999)) == 200
    await helpline.settle()
    assert telegram_stub.left == [-100999]
    assert [s["chat_id"] for s in telegram_stub.sent.items] == [-100999]
