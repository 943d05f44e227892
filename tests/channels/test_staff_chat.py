"""The helpline's Telegram staff group (HELPLINE_TELEGRAM_STAFF_CHAT) hears of urgent cases
through the Bot API stub: only the reference, category, country and the dashboard link, and a
text Telegram refused at first is sent again by the job."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.jobs import run_due
from bot.messages import Inbound
from bot.runtime import Runtime
from bot.settings import Settings
from bot.storage.models import Case, StaffChatMessage
from tests.channels.fixtures import PUBLIC_URL, Clock, Helpline, channel_settings
from tests.channels.stubs import TelegramStub, TwilioStub
from tests.waiting import eventually, until

STAFF_CHAT = "-1001234567890"


@pytest.fixture
def runtime_settings(
    database_url: str, tmp_path: Path, telegram_stub: TelegramStub, twilio_stub: TwilioStub
) -> Settings:
    return channel_settings(
        telegram_stub,
        twilio_stub,
        database_url=database_url,
        data_dir=tmp_path,
        telegram_staff_chat=STAFF_CHAT,
    )


def _staff_texts(stub: TelegramStub) -> list[str]:
    return [str(s["text"]) for s in stub.sent.items if s["chat_id"] == int(STAFF_CHAT)]


async def _rows(runtime: Runtime) -> list[StaffChatMessage]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(StaffChatMessage))).all())


async def test_an_urgent_case_reaches_the_staff_group(
    helpline: Helpline, runtime: Runtime, telegram_stub: TelegramStub
) -> None:
    await runtime.engine.handle(Inbound("telegram", "4242", "saya sedang dipukul di taiwan"))
    await eventually(lambda: _staff_texts(telegram_stub), what="the staff group's message")
    [text] = _staff_texts(telegram_stub)
    async with runtime.sessions() as session:
        case = await session.scalar(select(Case))
    assert case is not None and case.priority == "urgent"
    assert case.reference in text and "TW" in text
    assert f"{PUBLIC_URL}/dashboard/cases/{case.reference}" in text
    assert "dipukul" not in text and "4242" not in text  # nothing the worker wrote, no ids

    async def recorded() -> bool:
        [row] = await _rows(runtime)
        return row.case_id == case.id and row.status == "sent" and row.sent_at is not None

    await until(recorded, what="the text recorded as sent")


async def test_a_refused_send_is_retried_by_the_job(
    helpline: Helpline, runtime: Runtime, telegram_stub: TelegramStub, clock: Clock
) -> None:
    telegram_stub.fail("sendMessage", 502, "Bad Gateway")
    await runtime.engine.handle(Inbound("telegram", "4343", "saya sedang dipukul di taiwan"))

    async def pending() -> bool:
        rows = await _rows(runtime)
        return bool(rows) and rows[0].status == "pending" and rows[0].attempts == 1

    await until(pending, what="the first attempt failed")
    assert _staff_texts(telegram_stub) == []

    job = runtime.staff_chat.job()
    await run_due(runtime.sessions, [job], clock.now)  # not due again yet: nothing sent
    assert _staff_texts(telegram_stub) == []
    clock.advance(minutes=1)
    await run_due(runtime.sessions, [job], clock.now + job.every)
    await eventually(lambda: _staff_texts(telegram_stub), what="the retried message")
    assert len(_staff_texts(telegram_stub)) == 1

    async def sent() -> bool:
        rows = await _rows(runtime)
        return rows[0].status == "sent" and rows[0].attempts == 2

    await until(sent, what="the second attempt recorded")
