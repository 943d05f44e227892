"""The web chat on the real runtime (SQLite and PostgreSQL): an officer's words reach the page
without the worker asking, a reconnect catches up, the JSON API reads since a message, and
only the holder of the server's token reads or writes the conversation."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from bot.cases import Actor
from bot.messages import ChannelKind
from bot.runtime import Runtime
from bot.storage.models import Case, Event, Message, MessageStatus
from bot.web import create_app
from bot.web.chat import ChatOptions
from bot.web.identity import COOKIE, Identity
from tests.cases import conftest as cases_fixtures
from tests.cases.conftest import World
from tests.sse import read_stream
from tests.web.conftest import serve

world = cases_fixtures.world
nlu = cases_fixtures.nlu
clock = cases_fixtures.clock
build_options = cases_fixtures.build_options

_NUMBERS = itertools.count()
API = "/chat/api/messages"
EVENTS = "/chat/api/events"


@pytest.fixture
def app(runtime: Runtime, world: World) -> Starlette:
    directory = runtime.desk.directory
    options = ChatOptions(
        identity=Identity("k" * 64),
        organisations={o.id: o.name for o in directory.organisations.values()},
    )
    return create_app(runtime.channels.receiver, chat=options, mailbox=runtime.mailbox)


@pytest.fixture
async def worker(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A worker's browser that opened /chat (and holds the cookie it was given)."""
    async with serve(app) as client:
        assert (await client.get("/chat?lang=en")).status_code == 200
        yield client


async def say(client: httpx.AsyncClient, text: str) -> dict[str, Any]:
    message_id = f"m{next(_NUMBERS)}"
    response = await client.post(API, json={"text": text, "client_message_id": message_id})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def claim_and_reply(world: World, officer: Actor, *texts: str) -> list[int]:
    ids = []
    async with world.sessions.begin() as session:
        case = await session.scalar(select(Case).order_by(Case.id.desc()))
        assert case is not None
        await world.desk.claim(session, officer, case)
        for text in texts:
            ids.append((await world.desk.reply(session, officer, case, text)).id)
    return ids


async def read_events(
    app: Starlette,
    client: httpx.AsyncClient,
    path: str,
    want: int,
    headers: dict[str, str] | None = None,
) -> list[tuple[str, str | None, Any]]:
    """(event, id, data) from the page's stream, straight from the ASGI app, until `want`."""
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    events = await read_stream(app, path, cookie, want, 30, headers)
    return [(event.name, event.id, json.loads(event.data)) for event in events]


async def status_of(world: World, message_id: int) -> str:
    async with world.sessions() as session:
        status = await session.scalar(select(Message.status).where(Message.id == message_id))
        assert status is not None
        return status


async def test_an_officers_reply_reaches_the_open_page_live(
    app: Starlette, worker: httpx.AsyncClient, world: World
) -> None:
    await say(worker, "I want to talk to a person (orang)")
    officer = await world.staff("rina")
    # The page is open and waiting before the officer does anything.
    reading = asyncio.ensure_future(read_events(app, worker, f"{EVENTS}?lang=en", want=4))
    await asyncio.sleep(0.05)
    [reply_id] = await claim_and_reply(world, officer, "Halo, saya Rina. Apa masalahnya?")
    events = await reading
    presence = [data for name, _, data in events if name == "presence"]
    messages = [(event_id, data) for name, event_id, data in events if name == "message"]
    assert presence[0] == {"officer": None}
    assert presence[-1] == {"officer": "Rina from Migrant CARE"}
    joined, reply = messages
    assert joined[1]["from"] == "helpline" and "Migrant CARE" in joined[1]["text"]
    assert reply == (
        str(reply_id),
        {
            "id": reply_id,
            "from": "officer",
            "text": "Halo, saya Rina. Apa masalahnya?",
            "quick_replies": [],
        },
    )
    assert await status_of(world, reply_id) == MessageStatus.DELIVERED


async def test_a_reconnect_catches_up_from_the_last_event_id(
    app: Starlette, worker: httpx.AsyncClient, world: World
) -> None:
    await say(worker, "orang")
    officer = await world.staff("rina")
    first, second = await claim_and_reply(world, officer, "Pertama", "Kedua")
    # A new page (no id yet) gets what nobody read: the "joined" notice and both replies.
    fresh = await read_events(app, worker, EVENTS, want=4)
    assert [data["text"] for name, _, data in fresh if name == "message"][1:] == [
        "Pertama",
        "Kedua",
    ]
    # The browser reconnects with the id of the last event it got: only what followed.
    again = await read_events(app, worker, EVENTS, want=2, headers={"Last-Event-ID": str(first)})
    assert [(name, event_id) for name, event_id, _ in again] == [
        ("message", str(second)),
        ("presence", None),
    ]
    # ?since= does the same for a page that reloaded.
    since = await read_events(app, worker, f"{EVENTS}?since={second}", want=1)
    assert [name for name, _, _ in since] == ["presence"]


async def test_the_api_reads_a_workers_new_messages_since_a_given_one(
    worker: httpx.AsyncClient, world: World
) -> None:
    assert (await worker.get(API, params={"since": 0})).json() == {
        "messages": [],
        "officer": None,
        "last_id": 0,
    }
    await say(worker, "orang")
    officer = await world.staff("rina")
    first, second = await claim_and_reply(world, officer, "Pertama", "Kedua")
    body = (await worker.get(API, params={"since": first, "lang": "en"})).json()
    assert body == {
        "messages": [{"id": second, "from": "officer", "text": "Kedua", "quick_replies": []}],
        "officer": "Rina from Migrant CARE",
        "last_id": second,
    }
    assert (await worker.get(API, params={"since": second})).json()["messages"] == []
    assert (await worker.get(API, params={"since": "-1"})).status_code == 422
    assert (await worker.get(API, params={"since": "x"})).json()["error"] == "invalid_field"


async def test_answers_given_in_place_are_not_fetched_again(
    worker: httpx.AsyncClient, world: World
) -> None:
    answered = await say(worker, "halo")
    assert answered["replies"]
    assert (await worker.get(API, params={"since": 0})).json()["messages"] == []


async def test_the_page_and_its_cookie_carry_a_token_the_server_made(
    app: Starlette, worker: httpx.AsyncClient
) -> None:
    first = worker.cookies[COOKIE]
    random, mac = first.split(".")
    assert len(random) >= 22 and len(mac) == 22  # >= 128 random bits, and the server's MAC
    async with serve(app) as other:
        response = await other.get("/chat")
        header = response.headers["set-cookie"]
        assert other.cookies[COOKIE] != first
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/chat" in header
    assert "Secure" not in header  # development over plain http
    # A reload keeps the conversation.
    await worker.get("/chat")
    assert worker.cookies[COOKIE] == first


async def test_a_conversation_id_the_client_chose_is_refused_or_ignored(
    app: Starlette, worker: httpx.AsyncClient, world: World
) -> None:
    await say(worker, "orang")
    officer = await world.staff("rina")
    [reply] = await claim_and_reply(world, officer, "Rahasia untuk pekerja ini")
    async with world.sessions() as session:
        victim = await session.scalar(select(Message.worker_id).where(Message.id == reply))
    token = worker.cookies[COOKIE]
    random = token.split(".")[0]
    async with serve(app) as attacker:
        # No token, a made-up one, another's id with a forged MAC: refused everywhere.
        for cookie in (None, "made-up", f"{random}.{'A' * 22}", random):
            attacker.cookies.clear()
            if cookie is not None:
                attacker.cookies.set(COOKIE, cookie, path="/chat")
            post = await attacker.post(API, json={"text": "halo", "client_message_id": "a1"})
            assert (post.status_code, post.json()["error"]) == (401, "no_session")
            assert (await attacker.get(API, params={"since": 0})).status_code == 401
            assert (await attacker.get(EVENTS)).status_code == 401
        # With a token of its own, naming the victim in the body changes nothing.
        await attacker.get("/chat")
        response = await attacker.post(
            API, json={"text": "halo", "client_message_id": "a2", "user_id": f"web-{random}"}
        )
        assert response.status_code == 200
        assert (await attacker.get(API, params={"since": 0})).json()["messages"] == []
    async with world.sessions() as session:
        workers = (await session.scalars(select(Message.worker_id).distinct())).all()
    assert len(workers) == 2 and victim in workers


async def test_an_api_client_gets_a_token_and_sends_it_as_a_bearer(
    app: Starlette, world: World
) -> None:
    async with serve(app) as client:
        token = (await client.post("/chat/api/session")).json()["token"]
        client.cookies.clear()
        headers = {"Authorization": f"Bearer {token}"}
        response = await client.post(
            API, json={"text": "halo", "client_message_id": "b1"}, headers=headers
        )
        assert response.status_code == 200
        assert (await client.get(API, headers=headers)).status_code == 200


async def test_quick_exit_makes_the_browser_forget_the_token(worker: httpx.AsyncClient) -> None:
    response = await worker.post("/chat/api/leave", json={})
    assert response.status_code == 204
    assert 'helpline_chat=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]


async def test_the_widgets_organisation_becomes_the_referral_and_routes_the_case(
    app: Starlette, world: World
) -> None:
    async with serve(app, "https://testserver") as client:
        page = await client.get("/chat?embed=1&organisation=sbmi")
        assert '"organisation": "sbmi"' in page.text
        # In a partner's frame only SameSite=None; Secure cookies reach the helpline.
        cookie = page.headers["set-cookie"]
        assert "SameSite=none" in cookie and "Secure" in cookie and "Partitioned" in cookie
        response = await client.post(
            API, json={"text": "orang", "client_message_id": "r1", "organisation": "sbmi"}
        )
        assert response.status_code == 200
        unknown = await client.post(
            API, json={"text": "orang", "client_message_id": "r2", "organisation": "nobody"}
        )
        assert (unknown.status_code, unknown.json()["field"]) == (422, "organisation")
        # An organisation that does not exist is not offered to the page either.
        assert '"organisation": null' in (await client.get("/chat?organisation=nobody")).text
    case = await world.case()
    assert (case.organisation, case.queue) == ("sbmi", "sbmi-paralegal")
    async with world.sessions() as session:
        [referral] = (
            await session.scalars(select(Event.data).where(Event.kind == "referral"))
        ).all()
    assert referral == {"channel": ChannelKind.WEB, "code": "sbmi", "organisation": "sbmi"}


async def test_a_partner_without_a_routing_rule_gets_its_first_queue(
    app: Starlette, world: World
) -> None:
    async with serve(app, "https://testserver") as client:
        await client.get("/chat?embed=1&organisation=jbmi")
        body = {"text": "orang", "client_message_id": "j1", "organisation": "jbmi"}
        assert (await client.post(API, json=body)).status_code == 200
    case = await world.case()
    assert (case.organisation, case.queue) == ("jbmi", "jbmi-paralegal")
    assert case.routed_by == "chosen organisation: jbmi"
