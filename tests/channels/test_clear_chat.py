"""'Delete this chat' on Telegram and WhatsApp: what leaves the worker's screen, what we keep."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.storage.models import Case, Event, Message, VisibleMessage
from tests.channels.fixtures import Clock, Helpline
from tests.channels.stubs import TelegramStub, TwilioStub
from tests.channels.test_whatsapp import say as whatsapp_say

CHAT = 55601


@pytest.fixture(autouse=True)
def telegram_time(telegram_stub: TelegramStub, clock: Clock) -> None:
    """Telegram's message dates follow the test's clock, as the outbox's do."""
    telegram_stub.now = lambda: clock().timestamp()


async def tg(helpline: Helpline, update: dict[str, Any]) -> None:
    assert await helpline.telegram(update) == 200
    await helpline.settle()


def _buttons(sent: dict[str, Any]) -> list[tuple[str, str]]:
    markup = sent["reply_markup"] or {}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def _delete_calls(stub: TelegramStub) -> list[list[int]]:
    calls = []
    for method, params in stub.calls:
        if method == "deleteMessages":
            ids = params["message_ids"]
            calls.append(json.loads(ids) if isinstance(ids, str) else ids)
        elif method == "deleteMessage":
            calls.append([int(params["message_id"])])
    return calls


async def _count(helpline: Helpline, model: Any, *where: Any) -> int:
    async with helpline.engine.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def _start_a_case(helpline: Helpline, stub: TelegramStub) -> None:
    await tg(helpline, stub.text_update(CHAT, "halo"))
    await tg(helpline, stub.button_update(CHAT, "/intent:talk_to_human"))
    assert await _count(helpline, Case) == 1


async def test_the_chat_leaves_the_screen_and_the_case_stays(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    await _start_a_case(helpline, telegram_stub)
    await tg(helpline, telegram_stub.text_update(CHAT, "hapus chat"))
    question = telegram_stub.sent.items[-1]
    assert "Hapus chat ini dari HP Anda?" in question["text"]
    assert _buttons(question) == [("Ya, hapus chat", "/intent:affirm"), ("Tidak", "/intent:deny")]
    on_screen = set(telegram_stub.chats[CHAT])
    stored = await _count(helpline, Message)
    sent = len(telegram_stub.sent)

    await tg(helpline, telegram_stub.button_update(CHAT, "/intent:affirm"))

    # Everything the worker and the bot wrote is gone from the worker's screen, the question
    # included, and nothing new was said: the empty chat is the answer.
    assert telegram_stub.chats[CHAT] == {}
    assert {m for _, m in telegram_stub.deleted} == on_screen
    assert _delete_calls(telegram_stub) == [sorted(on_screen)]  # one bulk call
    assert len(telegram_stub.sent) == sent
    # Our side keeps the case, the conversation and the record of what happened.
    assert await _count(helpline, Case) == 1
    assert await _count(helpline, Message) == stored + 2  # the press and the clearing
    async with helpline.engine.sessions() as session:
        kinds = set((await session.scalars(select(Event.kind))).all())
    assert "delete_chat" in kinds and "delete_my_data" not in kinds
    assert await _count(helpline, VisibleMessage, VisibleMessage.deleted_at.is_(None)) == 0
    (clearing,) = [m for m in await helpline.outbound() if m.origin == "clear_chat"]
    assert clearing.status == "sent"


async def test_older_messages_are_left_and_the_worker_is_told_how_in_english(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    await tg(helpline, telegram_stub.button_update(CHAT, "/lang:en"))
    await tg(helpline, telegram_stub.text_update(CHAT, "gaji"))
    old = set(telegram_stub.chats[CHAT])
    assert old
    clock.advance(hours=49)

    await tg(helpline, telegram_stub.text_update(CHAT, "delete this chat"))
    question = telegram_stub.sent.items[-1]
    assert "Delete this chat from your phone?" in question["text"]
    assert _buttons(question) == [
        ("Yes, delete the chat", "/intent:affirm"),
        ("No", "/intent:deny"),
    ]
    recent = set(telegram_stub.chats[CHAT]) - old
    await tg(helpline, telegram_stub.text_update(CHAT, "ya"))

    deleted = {m for _, m in telegram_stub.deleted}
    assert recent <= deleted and not deleted & old
    assert not {i for call in _delete_calls(telegram_stub) for i in call} & old  # never tried
    notice = telegram_stub.sent.items[-1]
    assert "older than 2 days" in notice["text"] and "Delete chat" in notice["text"]
    assert "helpline" not in notice["text"].lower()
    # On the screen now: the old messages, and the notice saying how to delete them.
    assert set(telegram_stub.chats[CHAT]) == old | {notice["message_id"]}

    # Asked again later, the notice goes too, and the worker is told again about the rest.
    await tg(helpline, telegram_stub.text_update(CHAT, "hapus chat"))
    await tg(helpline, telegram_stub.button_update(CHAT, "/intent:affirm"))
    assert notice["message_id"] in {m for _, m in telegram_stub.deleted}
    assert "older than 2 days" in telegram_stub.sent.items[-1]["text"]
    assert set(telegram_stub.chats[CHAT]) == old | {telegram_stub.sent.items[-1]["message_id"]}


async def test_a_repeated_yes_deletes_once_and_errors_are_retried(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    await _start_a_case(helpline, telegram_stub)
    await tg(helpline, telegram_stub.text_update(CHAT, "hapus pesan2 ini"))
    on_screen = set(telegram_stub.chats[CHAT])
    telegram_stub.fail("deleteMessages", 502, "Bad Gateway")
    yes = telegram_stub.button_update(CHAT, "/intent:affirm")
    await tg(helpline, yes)
    await tg(helpline, yes)  # Telegram delivers the same update again
    assert telegram_stub.chats[CHAT] != {}  # the first try failed: still on the screen

    clock.advance(seconds=5)  # past the backoff
    await helpline.settle()
    await tg(helpline, yes)
    assert telegram_stub.chats[CHAT] == {}
    assert sorted(m for _, m in telegram_stub.deleted) == sorted(on_screen)  # each once
    clearings = [m for m in await helpline.outbound() if m.origin == "clear_chat"]
    assert len(clearings) == 1 and clearings[0].attempts == 2
    assert await _count(helpline, Case) == 1


async def test_a_refused_bulk_call_falls_back_to_one_by_one(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    await tg(helpline, telegram_stub.text_update(CHAT, "halo"))
    await tg(helpline, telegram_stub.text_update(CHAT, "clear chat"))
    # The worker already deleted one message by hand: "not found" counts as gone.
    gone = min(telegram_stub.chats[CHAT])
    del telegram_stub.chats[CHAT][gone]
    telegram_stub.fail("deleteMessages", 400, "Bad Request: message can't be deleted")
    sent = len(telegram_stub.sent)
    await tg(helpline, telegram_stub.button_update(CHAT, "/intent:affirm"))
    assert telegram_stub.chats[CHAT] == {}
    assert len(telegram_stub.sent) == sent  # all gone: nothing to tell
    assert await _count(helpline, VisibleMessage, VisibleMessage.deleted_at.is_(None)) == 0


async def test_no_keeps_the_chat(helpline: Helpline, telegram_stub: TelegramStub) -> None:
    await tg(helpline, telegram_stub.text_update(CHAT, "hapus chat"))
    await tg(helpline, telegram_stub.button_update(CHAT, "/intent:deny"))
    assert telegram_stub.deleted == []
    assert "tidak ada yang saya hapus" in telegram_stub.sent.items[-1]["text"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", ["WhatsApp tidak mengizinkan", "geser chat ini ke kiri", "Hapus chat"]),
        ("en", ["WhatsApp does not let me", "swipe this chat to the left", "Delete chat"]),
    ],
)
async def test_whatsapp_says_how_to_delete_the_chat_by_hand(
    helpline: Helpline, twilio_stub: TwilioStub, language: str, expected: list[str]
) -> None:
    await whatsapp_say(helpline, f"/lang:{language}")
    await whatsapp_say(helpline, "hapus chat")
    question = twilio_stub.sent.items[-1]["Body"]
    assert "1. " in question and "2. " in question
    await whatsapp_say(helpline, "1")  # yes
    body = twilio_stub.sent.items[-1]["Body"]
    assert all(words in body for words in expected), body
    assert [m.status for m in await helpline.outbound() if m.origin == "clear_chat"] == ["sent"]
