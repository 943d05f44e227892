"""Inputs past the limits: bodies refused before parsing, values the database could not keep
acknowledged and ignored or cleaned, never a 5xx that a channel would deliver again forever.

Every test runs on SQLite and PostgreSQL: PostgreSQL is the one that refuses NUL characters,
over-long ids and integers past 64 bits."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from bot.channels.telegram import MAX_REQUEST_BYTES as TELEGRAM_MAX
from bot.channels.whatsapp import MAX_REQUEST_BYTES as TWILIO_MAX
from bot.dialogue.reading import READ_CHARS
from bot.messages import ChannelKind
from bot.storage.models import Message
from tests.channels.fixtures import PUBLIC_URL, TELEGRAM_SECRET, Helpline
from tests.channels.stubs import TelegramStub, TwilioStub
from tests.channels.test_whatsapp import inbound
from tests.fakes import ScriptedNlu

CHAT = 55501
LONG_NOTE = "Pesan Anda sangat panjang"


async def _raw_telegram(helpline: Helpline, body: bytes) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    response = await helpline.client.post("/webhooks/telegram", content=body, headers=headers)
    return response.status_code


def _telegram_json(update: dict[str, Any]) -> bytes:
    return json.dumps(update).encode()  # ASCII: a lone surrogate travels as "\ud800"


async def _signed_twilio(helpline: Helpline, params: dict[str, str], path: str) -> int:
    signature = helpline.validator.compute_signature(PUBLIC_URL + path, params)
    response = await helpline.client.post(
        path, data=params, headers={"X-Twilio-Signature": signature}
    )
    return response.status_code


# Finding 1: bodies bounded before parsing --------------------------------------------------


async def test_a_1_mb_whatsapp_body_is_refused_unread(helpline: Helpline) -> None:
    params = inbound("x" * 1_000_000)
    signature = helpline.validator.compute_signature(PUBLIC_URL + "/webhooks/twilio", params)
    body = "&".join(f"{k}={v}" for k, v in params.items()).encode()
    headers = {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    tracemalloc.start()
    try:
        response = await helpline.client.post("/webhooks/twilio", content=body, headers=headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    assert peak < len(body) // 4  # never read, let alone parsed
    await helpline.settle()
    assert await helpline.inbound() == []


async def test_a_body_without_a_length_is_cut_off_at_the_limit(helpline: Helpline) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"Body=" + b"x" * 16_384

    headers = {
        "X-Twilio-Signature": "c2lnbmF0dXJl",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    response = await helpline.client.post("/webhooks/twilio", content=chunks(), headers=headers)
    assert response.status_code == 413
    secret = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    response = await helpline.client.post("/webhooks/telegram", content=chunks(), headers=secret)
    assert response.status_code == 413


async def test_a_1_mb_telegram_update_is_refused(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    update = telegram_stub.text_update(CHAT, "x" * TELEGRAM_MAX)
    assert await _raw_telegram(helpline, _telegram_json(update)) == 413
    assert await helpline.inbound() == []


async def test_a_long_whatsapp_message_within_the_limit_is_kept_whole_and_answered(
    helpline: Helpline, twilio_stub: TwilioStub, nlu: ScriptedNlu
) -> None:
    text = "gaji saya belum dibayar, majikan bilang nanti. " * (TWILIO_MAX // 60)
    text = text.strip()
    assert await _signed_twilio(helpline, inbound(text), "/webhooks/twilio") == 200
    await helpline.settle()
    (stored,) = await helpline.inbound()
    assert stored.text == text and stored.status == "processed"
    assert max(len(t) for t in nlu.calls) <= READ_CHARS[ChannelKind.WHATSAPP]
    bodies = [s["Body"] for s in twilio_stub.sent.items]
    assert any("[wages_unpaid" in b for b in bodies)
    assert LONG_NOTE in bodies[-1]


async def test_a_100_kb_chat_message_is_refused_politely(helpline: Helpline) -> None:
    body = {"user_id": "u1", "client_message_id": "c1", "text": "gaji " * 20_000}
    headers = await helpline.chat_headers()
    response = await helpline.client.post("/chat/api/messages", json=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert await helpline.inbound() == []


# Finding 6: malformed input is acknowledged and ignored, or cleaned --------------------------


async def test_a_lone_surrogate_in_chat_text_is_cleaned(helpline: Helpline) -> None:
    body = (
        b'{"user_id": "u1", "client_message_id": "c1", "text": "gaji \\ud800 blm\\u0000 dibayar"}'
    )
    headers = {**await helpline.chat_headers(), "Content-Type": "application/json"}
    response = await helpline.client.post("/chat/api/messages", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["replies"]
    (stored,) = await helpline.inbound()
    assert stored.text == "gaji \ufffd blm dibayar"


async def test_a_lone_surrogate_in_telegram_text_is_cleaned_and_answered(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    update = telegram_stub.text_update(CHAT, "gaji \ud800 blm\x00 dibayar")
    assert await _raw_telegram(helpline, _telegram_json(update)) == 200
    await helpline.settle()
    (stored,) = await helpline.inbound()
    assert stored.text == "gaji \ufffd blm dibayar" and stored.status == "processed"
    assert telegram_stub.sent.items


async def test_unreadable_telegram_updates_are_acknowledged_and_ignored(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    no_chat = telegram_stub.text_update(CHAT, "halo")
    del no_chat["message"]["chat"]
    huge_id = telegram_stub.text_update(CHAT, "halo")
    huge_id["update_id"] = 10**200
    no_sender = telegram_stub.button_update(CHAT, "/intent:greet")
    del no_sender["callback_query"]["from"]
    no_member = {"update_id": 999_001, "my_chat_member": {"date": 1}}
    text_not_text = telegram_stub.text_update(CHAT, "halo")
    text_not_text["message"]["text"] = {"not": "text"}
    for update in (no_chat, huge_id, no_sender, no_member, text_not_text):
        assert await _raw_telegram(helpline, _telegram_json(update)) == 200, update
    for body in (b"", b"[]", b"null", b"{", b"[" * 100_000, b"\xff\xfe"):
        assert await _raw_telegram(helpline, body) == 400, body
    await helpline.settle()
    assert await helpline.inbound() == []


async def test_whatsapp_ids_the_database_could_not_keep_are_ignored(
    helpline: Helpline,
) -> None:
    for sid in ("SM" + "1" * 200, "SM1\x002", "SM\ud7ff\u2028"):
        assert await _signed_twilio(helpline, inbound("halo", sid=sid), "/webhooks/twilio") == 200
    await helpline.settle()
    assert await helpline.inbound() == []
    # A form in another encoding than Twilio's: refused before its signature is read.
    response = await helpline.client.post(
        "/webhooks/twilio", files={"Body": ("a.txt", b"halo")}, data={"From": "whatsapp:+1"}
    )
    assert response.status_code == 415


async def test_status_callbacks_with_values_past_the_limits_are_acknowledged(
    helpline: Helpline,
) -> None:
    await _signed_twilio(helpline, inbound("halo"), "/webhooks/twilio")
    await helpline.settle()
    for query, fields in (
        ("?m=" + "9" * 40, {}),
        ("?m=-1", {}),
        ("?m=%00", {}),
        ("", {"MessageSid": "SM" + "2" * 300}),
        ("", {"MessageSid": "SM\x00"}),
        ("", {"MessageSid": "SM1", "ErrorCode": "9" * 400, "MessageStatus": "x" * 400}),
    ):
        params = {"MessageStatus": "delivered", **fields}
        path = "/webhooks/twilio/status" + query
        assert await _signed_twilio(helpline, params, path) == 204, (query, fields)
    async with helpline.engine.sessions() as session:
        statuses = (await session.scalars(select(Message.status))).all()
    assert "delivered" not in statuses  # none of them named one of ours
