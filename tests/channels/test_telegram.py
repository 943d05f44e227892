"""Telegram end to end: PTB against the local Bot API stub, through the real engine and policy."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, text

from bot.evidence import stored
from bot.storage.models import Event, Message
from tests.channels.fixtures import TELEGRAM_TOKEN, Helpline
from tests.channels.stubs import TelegramStub

CHAT = 55501


def _buttons(sent: dict[str, object]) -> list[tuple[str, str]]:
    markup = sent["reply_markup"] or {}
    assert isinstance(markup, dict)
    return [
        (b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row
    ]


async def test_a_whole_conversation(helpline: Helpline, telegram_stub: TelegramStub) -> None:
    assert await helpline.telegram(telegram_stub.text_update(CHAT, "/start ngo_42")) == 200
    await helpline.settle()
    menu = telegram_stub.sent.items[-1]
    assert menu["chat_id"] == CHAT
    assert ("1. Gaji", "/intent:wages_unpaid") in _buttons(menu)

    # A button press: its payload reaches the engine, and the press is acknowledged.
    press = telegram_stub.button_update(CHAT, "/intent:wages_unpaid")
    assert await helpline.telegram(press) == 200
    await helpline.settle()
    assert telegram_stub.answered == [press["callback_query"]["id"]]
    question = telegram_stub.sent.items[-1]
    assert "Taiwan" in question["text"]
    assert ("Taiwan", "/country:TW") in _buttons(question)

    await helpline.telegram(telegram_stub.button_update(CHAT, "/country:TW"))
    await helpline.settle()
    texts = [s["text"] for s in telegram_stub.sent.items]
    assert any("[wages_unpaid/id/TW]" in t for t in texts)

    await helpline.telegram(telegram_stub.button_update(CHAT, "/intent:talk_to_human"))
    await helpline.settle()

    outbound = await helpline.outbound()
    assert outbound and all(m.status == "sent" for m in outbound)
    assert len(telegram_stub.sent) == len(outbound)  # each reply sent exactly once
    async with helpline.engine.sessions() as session:
        kinds = (await session.scalars(select(Event.kind))).all()
        referral = await session.scalar(select(Event.data).where(Event.kind == "referral"))
    assert "handoff_requested" in kinds
    assert referral == {"channel": "telegram", "code": "ngo_42"}


async def test_a_repeated_update_is_answered_once(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    update = telegram_stub.text_update(CHAT, "halo")
    assert await helpline.telegram(update) == 200
    assert await helpline.telegram(update) == 200
    await helpline.settle()
    assert await helpline.telegram(update) == 200  # again, after it was answered
    await helpline.settle()
    assert len(await helpline.inbound()) == 1
    sent = len(telegram_stub.sent)
    assert sent == len(await helpline.outbound()) > 0


async def test_a_wrong_secret_is_refused_and_nothing_stored(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    update = telegram_stub.text_update(CHAT, "halo")
    assert await helpline.telegram(update, secret="wrong") == 403
    assert await helpline.telegram(update, secret="") == 403
    await helpline.settle()
    assert await helpline.inbound() == []
    assert len(telegram_stub.sent) == 0


async def test_media_and_locations_are_kept_encrypted_as_evidence(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    photo = b"\xff\xd8\xff\xe0 photo of a payslip"
    telegram_stub.add_file("PHOTO1", photo)
    telegram_stub.add_file("VOICE1", b"OggS voice note")
    telegram_stub.add_file("DOC1", b"%PDF-1.7 contract")
    await helpline.telegram(telegram_stub.photo_update(CHAT, "PHOTO1", caption="slip gaji"))
    await helpline.telegram(telegram_stub.voice_update(CHAT, "VOICE1"))
    await helpline.telegram(telegram_stub.document_update(CHAT, "DOC1"))
    await helpline.telegram(telegram_stub.location_update(CHAT, 25.03, 121.56))
    await helpline.settle()

    messages = await helpline.inbound()
    assert [m.text for m in messages] == ["slip gaji", "", "", ""]
    found = [e for m in messages for e in await stored(helpline.engine.sessions, m.id)]
    assert [(e.kind, e.status) for e in found] == [
        ("photo", "stored"),
        ("voice", "stored"),
        ("document", "stored"),
        ("location", "stored"),
    ]
    assert found[0].data == photo and found[0].content_type == "image/jpeg"
    assert found[2].content_type == "application/pdf"
    assert found[3].data == b"geo:25.03,121.56"
    async with helpline.engine.sessions() as session:
        raw = (await session.execute(text("SELECT data FROM evidence"))).scalars().all()
    assert all(photo not in bytes(r) and b"geo:" not in bytes(r) for r in raw)
    # The bot thanked for the file-only messages.
    assert len(telegram_stub.sent) >= 3


async def test_a_missing_file_fails_visibly(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    await helpline.telegram(telegram_stub.photo_update(CHAT, "GONE"))
    await helpline.settle()
    (message,) = await helpline.inbound()
    (evidence,) = await stored(helpline.engine.sessions, message.id)
    assert evidence.status == "failed" and evidence.error and "400" in evidence.error


async def test_groups_and_channels_are_declined_politely(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    assert await helpline.telegram(telegram_stub.group_update(-100777, "halo semua")) == 200
    assert await helpline.telegram(telegram_stub.added_to_group_update(-100888)) == 200
    await helpline.settle()
    assert await helpline.inbound() == []
    assert [s["chat_id"] for s in telegram_stub.sent.items] == [-100888]
    assert "private" in telegram_stub.sent.items[0]["text"]
    assert telegram_stub.left == [-100888]


async def test_an_edited_message_is_answered_as_a_new_one(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    await helpline.telegram(telegram_stub.text_update(CHAT, "hlao"))
    await helpline.settle()
    before = len(telegram_stub.sent)
    await helpline.telegram(telegram_stub.edited_update(CHAT, "halo"))
    await helpline.settle()
    assert [m.text for m in await helpline.inbound()] == ["hlao", "halo"]
    assert len(telegram_stub.sent) > before


async def test_the_webhook_is_registered_with_the_secret(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    await helpline.settle()
    await helpline.channels.telegram.idle()
    runner = helpline.channels.telegram._runner
    await runner
    assert telegram_stub.webhook["url"] == "https://helpline.example.org/webhooks/telegram"
    assert telegram_stub.webhook["secret_token"] == "s3cret-token"


async def test_long_replies_go_out_in_parts(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    from bot.outbox import enqueue

    await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
    await helpline.settle()
    before = len(telegram_stub.sent)
    async with helpline.engine.sessions.begin() as session:
        worker_id = await session.scalar(select(Message.worker_id).limit(1))
        assert worker_id is not None
        await enqueue(session, worker_id, ("kata " * 1000).strip())
    await helpline.settle()
    parts = telegram_stub.sent.items[before:]
    assert len(parts) == 2 and all(len(p["text"]) <= 4096 for p in parts)


async def test_forgetting_deletes_the_evidence_too(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    telegram_stub.add_file("PHOTO2", b"\xff\xd8 bukti")
    await helpline.telegram(telegram_stub.photo_update(CHAT, "PHOTO2"))
    await helpline.settle()
    await helpline.telegram(telegram_stub.text_update(CHAT, "hapus data saya"))
    await helpline.settle()
    await helpline.telegram(telegram_stub.button_update(CHAT, "/intent:affirm"))
    await helpline.settle()
    async with helpline.engine.sessions() as session:
        left = (await session.execute(text("SELECT count(*) FROM evidence"))).scalar_one()
    assert left == 0
    assert (
        "deleted" in telegram_stub.sent.items[-1]["text"]
        or "hapus" in telegram_stub.sent.items[-1]["text"]
    )


async def test_logs_carry_neither_messages_nor_tokens(
    helpline: Helpline,
    telegram_stub: TelegramStub,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_words = "gaji saya ditahan majikan Lim"
    telegram_stub.fail("sendMessage", 400, "Bad Request: chat not found")
    chat = 880011223344
    await helpline.telegram(telegram_stub.text_update(chat, secret_words))
    await helpline.settle()
    captured = capsys.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert "inbound.stored" in logged and "outbox.failed" in logged
    assert secret_words not in logged
    assert TELEGRAM_TOKEN not in logged and str(chat) not in logged
