"""Arbitrary bodies at every webhook and at the chat API: never a 5xx, and the app lives on.

Hypothesis draws raw bytes, arbitrary JSON, and well-formed requests (signed for Twilio, with
the secret for Telegram) whose every value is arbitrary text: lone surrogates, NUL, huge
numbers, ids of any length. After each request whatever was stored has been processed: a
message stuck unprocessed would mean processing crashed on it. Each property runs a bounded,
derandomised set of examples on SQLite and on PostgreSQL, so CI stays quick and repeatable.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.channels.fixtures import ACCOUNT_SID, PUBLIC_URL, TELEGRAM_SECRET, Helpline

FUZZ = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What breaks storage: surrogates, NUL, long runs, separators, numbers past 64 bits.
NASTY = [
    "\ud800",
    "\udfff",
    "\x00",
    "\u2028",
    "🙏🏽",
    "𝕏",
    "%",
    "&=+",
    "\\u0000",
    "9" * 25,
    "x" * 300,
    "/start ",
    "/intent:greet",
    "tolong majikan kunci saya",
]
TEXT = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(NASTY)), max_size=4).map("".join)
FORM_TEXT = TEXT.map(lambda s: s.encode("utf-8", "replace").decode("utf-8"))  # a form is UTF-8
INTEGER = st.one_of(st.integers(), st.integers(min_value=2**62, max_value=2**200))
JSON = st.recursive(
    st.none() | st.booleans() | INTEGER | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


async def _all_processed(helpline: Helpline) -> None:
    await helpline.settle()
    stuck = [m.id for m in await helpline.inbound() if m.status == "received"]
    assert stuck == [], "processing failed on a stored message"
    assert (await helpline.client.get("/health")).status_code == 200


# Twilio -------------------------------------------------------------------------------------

TWILIO_FIELDS = st.fixed_dictionaries(
    {
        "AccountSid": st.just(ACCOUNT_SID) | FORM_TEXT,
        "From": st.just("whatsapp:+886912345678") | FORM_TEXT.map("whatsapp:".__add__),
        "MessageSid": st.just("SM" + "1" * 32) | FORM_TEXT,
        "Body": FORM_TEXT,
    },
    optional={
        "NumMedia": FORM_TEXT | INTEGER.map(str),
        "MediaUrl0": FORM_TEXT,
        "MediaContentType0": FORM_TEXT,
        "Latitude": FORM_TEXT | st.floats().map(str),
        "Longitude": FORM_TEXT | st.floats().map(str),
        "ButtonPayload": FORM_TEXT,
        "SmsMessageSid": FORM_TEXT,
    },
)


@FUZZ
@given(params=TWILIO_FIELDS)
async def test_signed_twilio_messages_of_any_content(
    helpline: Helpline, params: dict[str, str]
) -> None:
    response = await helpline.twilio(params)
    assert response.status_code < 500
    await _all_processed(helpline)


@FUZZ
@given(
    query=st.just("")
    | FORM_TEXT.map(lambda s: "?m=" + quote(s, safe=""))
    | INTEGER.map(lambda i: f"?m={i}"),
    params=st.fixed_dictionaries(
        {},
        optional={
            "MessageSid": FORM_TEXT,
            "MessageStatus": st.sampled_from(["delivered", "read", "failed"]) | FORM_TEXT,
            "ErrorCode": FORM_TEXT | INTEGER.map(str),
            "AccountSid": st.just(ACCOUNT_SID),
        },
    ),
)
async def test_signed_status_callbacks_of_any_content(
    helpline: Helpline, query: str, params: dict[str, str]
) -> None:
    path = "/webhooks/twilio/status" + query
    signature = helpline.validator.compute_signature(PUBLIC_URL + path, params)
    response = await helpline.client.post(
        path, data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code < 500


@FUZZ
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", ""]
    ),
)
async def test_any_bytes_at_the_twilio_webhooks(
    helpline: Helpline, body: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type, "X-Twilio-Signature": "c2lnbmF0dXJl"}
    for path in ("/webhooks/twilio", "/webhooks/twilio/status?m=1"):
        response = await helpline.client.post(path, content=body, headers=headers)
        assert response.status_code < 500


# Telegram -----------------------------------------------------------------------------------

CHAT = st.fixed_dictionaries(
    {"id": st.integers(1, 2**40) | INTEGER | TEXT},
    optional={"type": st.sampled_from(["private", "group", "channel"]) | TEXT},
)
EXTRA = {
    "from": st.fixed_dictionaries({"id": INTEGER, "is_bot": st.booleans()}),
    "text": TEXT | JSON,
    "caption": TEXT,
    "edit_date": INTEGER,
    "location": st.fixed_dictionaries({"latitude": st.floats(), "longitude": st.floats()}),
    "document": st.fixed_dictionaries(
        {"file_id": TEXT, "file_unique_id": TEXT}, optional={"mime_type": TEXT}
    ),
    "contact": st.fixed_dictionaries({"phone_number": TEXT, "first_name": TEXT}),
}
# Mostly what Telegram sends, with arbitrary values; sometimes any part of it missing.
MESSAGE = st.fixed_dictionaries(
    {
        "message_id": st.integers(1, 2**31) | INTEGER,
        "date": st.integers(1_600_000_000, 1_900_000_000) | INTEGER,
        "chat": CHAT,
        "text": TEXT | JSON,
    },
    optional={k: v for k, v in EXTRA.items() if k != "text"},
) | st.fixed_dictionaries(
    {},
    optional={
        "message_id": INTEGER,
        "date": INTEGER,
        "chat": CHAT,
        **EXTRA,
    },
)
UPDATE = st.fixed_dictionaries(
    {"update_id": st.integers(1, 2**31) | INTEGER | TEXT},
    optional={
        "message": MESSAGE,
        "edited_message": MESSAGE,
        "callback_query": st.fixed_dictionaries(
            {"id": TEXT, "chat_instance": TEXT},
            optional={
                "data": TEXT,
                "from": st.fixed_dictionaries({"id": INTEGER, "is_bot": st.booleans()}),
                "message": MESSAGE,
            },
        ),
        "my_chat_member": st.fixed_dictionaries(
            {}, optional={"chat": CHAT, "date": INTEGER, "new_chat_member": JSON}
        ),
    },
)


async def _telegram(helpline: Helpline, body: bytes) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    response = await helpline.client.post("/webhooks/telegram", content=body, headers=headers)
    return response.status_code


@FUZZ
@given(update=UPDATE)
async def test_telegram_updates_of_any_shape(helpline: Helpline, update: dict[str, Any]) -> None:
    assert await _telegram(helpline, json.dumps(update).encode()) < 500
    await _all_processed(helpline)


@FUZZ
@given(body=st.binary(max_size=2000) | JSON.map(lambda v: json.dumps(v).encode()))
async def test_any_body_at_the_telegram_webhook(helpline: Helpline, body: bytes) -> None:
    assert await _telegram(helpline, body) < 500


# The chat API ------------------------------------------------------------------------------

CHAT_MESSAGE = st.fixed_dictionaries(
    {
        "user_id": st.just("u1") | TEXT,
        "client_message_id": st.uuids().map(str) | TEXT,
        "text": TEXT,
    }
) | st.fixed_dictionaries(
    {}, optional={"user_id": TEXT | JSON, "client_message_id": TEXT | JSON, "text": TEXT | JSON}
)


@FUZZ
@given(
    body=CHAT_MESSAGE.map(lambda v: json.dumps(v).encode())
    | JSON.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=2000)
)
async def test_any_body_at_the_chat_api(helpline: Helpline, body: bytes) -> None:
    # With a conversation token from the server: the body is parsed, not refused at the door.
    headers = {**await helpline.chat_headers(), "Content-Type": "application/json"}
    response = await helpline.client.post("/chat/api/messages", content=body, headers=headers)
    assert response.status_code < 500
    await _all_processed(helpline)
