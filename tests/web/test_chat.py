from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest

from bot.messages import Inbound, Reply
from bot.web import create_app
from bot.web.chat import MAX_TEXT_CHARS
from tests.web.conftest import EchoReceiver, serve

API = "/chat/api/messages"


def message(**changes: object) -> dict[str, object]:
    return {"text": "halo", "client_message_id": "m-1", **changes}


def page_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="chat-config">(.*?)</script>', html)
    assert found is not None
    config: dict[str, Any] = json.loads(found.group(1))
    return config


# The page


async def test_chat_page_defaults_to_indonesian(client: httpx.AsyncClient) -> None:
    response = await client.get("/chat")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="id">' in response.text


@pytest.mark.parametrize(
    ("url", "accept", "lang"),
    [
        ("/chat?lang=en", "id", "en"),
        ("/chat", "en-US,en;q=0.9", "en"),
        ("/chat?lang=id", "en", "id"),
    ],
)
async def test_chat_page_language(
    client: httpx.AsyncClient, url: str, accept: str, lang: str
) -> None:
    response = await client.get(url, headers={"Accept-Language": accept})
    assert f'<html lang="{lang}">' in response.text
    assert response.headers["vary"] == "Accept-Language"


async def test_chat_page_loads_only_its_own_scripts(client: httpx.AsyncClient) -> None:
    response = await client.get("/chat")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert re.search(r'<script src="/static/chat\.js\?v=\w+" defer>', response.text)
    assert re.search(r'<link rel="stylesheet" href="/static/chat\.css\?v=\w+">', response.text)
    config = page_config(response.text)
    assert config["api"] == API
    assert set(config["strings"]) == {
        "offline",
        "too_long",
        "failed",
        "no_session",
        "joined",
        "answering",
        "bot_back",
    }


async def test_chat_page_has_the_composer(client: httpx.AsyncClient) -> None:
    html = (await client.get("/chat")).text
    assert f'maxlength="{MAX_TEXT_CHARS}"' in html
    assert 'id="message-text"' in html and 'class="send"' in html


async def test_chat_page_formats_the_limit_for_the_language(client: httpx.AsyncClient) -> None:
    for lang, limit in (("id", "4.000"), ("en", "4,000")):
        strings = page_config((await client.get(f"/chat?lang={lang}")).text)["strings"]
        assert limit in strings["too_long"]


# The API


async def test_message_reaches_the_engine_as_a_web_inbound(
    client: httpx.AsyncClient, echo_engine: EchoReceiver
) -> None:
    response = await client.post(API, json=message(text="  gaji belum dibayar\n"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["replies"][0] == {
        "text": "Anda menulis: gaji belum dibayar",
        "quick_replies": [],
    }
    [inbound] = echo_engine.inbounds
    assert isinstance(inbound, Inbound)
    assert (inbound.channel, inbound.text, inbound.channel_message_id) == (
        "web",
        "gaji belum dibayar",
        "m-1",
    )
    assert inbound.user_id.startswith("web-")  # the server's, from the page's cookie
    assert inbound.received_at is not None


async def test_quick_replies_are_sent_as_title_and_payload(client: httpx.AsyncClient) -> None:
    replies = (await client.post(API, json=message())).json()["replies"]
    assert replies[1] == {
        "text": "Pilih:",
        "quick_replies": [
            {"title": "Hak saya", "payload": "rights"},
            {"title": "Lapor masalah", "payload": "report"},
        ],
    }
    answer = (await client.post(API, json=message(text="rights", client_message_id="m-2"))).json()
    assert answer["replies"][0]["text"].startswith("Hak Anda:\n1.")


async def test_reply_text_is_passed_on_unchanged_as_json() -> None:
    class Markup:
        async def answer(self, inbound: Inbound, **_: object) -> list[Reply]:
            return [Reply('<script>alert("x")</script> & <b>\nbold</b>')]

    async with serve(create_app(Markup())) as client:
        await client.get("/chat")
        response = await client.post(API, json=message())
    assert response.headers["content-type"] == "application/json"
    assert response.json()["replies"][0]["text"] == '<script>alert("x")</script> & <b>\nbold</b>'


async def test_text_of_exactly_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(API, json=message(text="a" * MAX_TEXT_CHARS))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (message(text=""), 422, "empty_text", "text"),
        (message(text=" \n\t "), 422, "empty_text", "text"),
        (message(text="a" * (MAX_TEXT_CHARS + 1)), 422, "text_too_long", "text"),
        (message(text="😀" * (MAX_TEXT_CHARS + 1)), 422, "text_too_long", "text"),
        (message(text=None), 422, "invalid_field", "text"),
        (message(text=["halo"]), 422, "invalid_field", "text"),
        ({"client_message_id": "m-1"}, 422, "invalid_field", "text"),
        ({"text": "halo"}, 422, "invalid_field", "client_message_id"),
        (message(client_message_id=""), 422, "invalid_field", "client_message_id"),
        (message(client_message_id="a b<script>"), 422, "invalid_field", "client_message_id"),
        (message(client_message_id="x" * 129), 422, "invalid_field", "client_message_id"),
        (message(organisation="no-such-ngo"), 422, "unknown_organisation", "organisation"),
        (message(organisation=42), 422, "unknown_organisation", "organisation"),
        (["halo"], 400, "bad_json", None),
        ("halo", 400, "bad_json", None),
    ],
)
async def test_bad_messages_are_refused_with_a_clear_error(
    client: httpx.AsyncClient,
    echo_engine: EchoReceiver,
    body: object,
    status: int,
    code: str,
    field: str | None,
) -> None:
    response = await client.post(API, json=body)
    assert response.status_code == status
    error = response.json()
    assert error["error"] == code
    assert error["message"]
    assert error.get("field") == field
    assert echo_engine.inbounds == []


@pytest.mark.parametrize("content", [b"{not json", b"", b'{"text": "\xff"}'])
async def test_invalid_json_is_a_400(client: httpx.AsyncClient, content: bytes) -> None:
    response = await client.post(API, content=content, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]) == (400, "bad_json")


async def test_other_content_types_are_refused(client: httpx.AsyncClient) -> None:
    form = {"text": "halo", "client_message_id": "m"}
    response = await client.post(API, data=form)
    assert (response.status_code, response.json()["error"]) == (415, "unsupported_media_type")


async def test_oversized_bodies_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(API, json=message(padding="x" * 100_000))
    assert (response.status_code, response.json()["error"]) == (413, "too_large")


async def test_other_methods_on_the_api_are_not_allowed(client: httpx.AsyncClient) -> None:
    assert (await client.put(API, json=message())).status_code == 405


async def test_engine_failure_is_a_500_without_the_text_in_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        async def answer(self, inbound: Inbound, **_: object) -> list[Reply]:
            raise RuntimeError("storage is down")

    caplog.set_level(logging.DEBUG)
    async with serve(create_app(Broken())) as client:
        await client.get("/chat")
        response = await client.post(API, json=message(text="majikan memukul saya"))
    assert (response.status_code, response.json()["error"]) == (500, "engine_error")
    assert caplog.records, "the failure should be logged"
    assert "majikan" not in caplog.text


async def test_message_text_is_never_logged(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.post(API, json=message(text="paspor saya ditahan"))
    await client.post(API, json=message(text="x" * (MAX_TEXT_CHARS + 1) + "paspor"))
    assert "paspor" not in caplog.text


async def test_delete_this_chat_reaches_the_page_as_an_action(client: httpx.AsyncClient) -> None:
    response = await client.post(API, json=message(text="hapus chat"))
    [reply] = response.json()["replies"]
    assert reply["action"] == "clear_chat"
    config = page_config((await client.get("/chat")).text)
    assert config["exit"].startswith("https://") and "helpline" not in config["exit"]
