"""A fake receiver for the web tests; `chat_engine` is the one the browser test talks to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from bot.messages import CLEAR_CHAT_NOTE, Action, Inbound, QuickReply, Reply
from bot.web import ChatReceiver, create_app

MENU = (QuickReply("Hak saya", "rights"), QuickReply("Lapor masalah", "report"))
ANSWERS = {
    "rights": "Hak Anda:\n1. Gaji dibayar penuh.\n2. Paspor dipegang sendiri.",
    "report": "Ceritakan masalah Anda.",
}


class EchoReceiver:
    """Echoes text, offers a menu, answers its payloads; remembers every inbound."""

    def __init__(self) -> None:
        self.inbounds: list[Inbound] = []
        self.organisations: list[str | None] = []

    async def answer(self, inbound: Inbound, *, organisation: str | None = None) -> list[Reply]:
        self.inbounds.append(inbound)
        self.organisations.append(organisation)
        if inbound.text == "hapus chat":
            return [Reply(CLEAR_CHAT_NOTE, action=Action.CLEAR_CHAT)]
        if inbound.text in ANSWERS:
            return [Reply(ANSWERS[inbound.text], quick_replies=(QuickReply("Menu", "menu"),))]
        return [Reply(f"Anda menulis: {inbound.text}"), Reply("Pilih:", quick_replies=MENU)]


@pytest.fixture
def echo_engine() -> EchoReceiver:
    return EchoReceiver()


@pytest.fixture
def chat_engine(echo_engine: EchoReceiver) -> ChatReceiver:
    """The engine behind the browser's conversation test; swap in the real one here.

    It must reply to "halo" with at least one quick reply.
    """
    return echo_engine


@pytest.fixture
def chat_app(chat_engine: ChatReceiver) -> Starlette:
    """The app the browser's conversation test serves with uvicorn, in uvicorn's own thread
    and event loop: set up anything async (a database) in a lifespan passed here."""
    return create_app(chat_engine)


@asynccontextmanager
async def serve(
    app: Starlette, base_url: str = "http://testserver"
) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client with the app's lifespan running (Starlette's TestClient, without
    the httpx2 package, warns). An https `base_url` sends Secure cookies back."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=base_url) as client,
    ):
        yield client


@pytest.fixture
async def client(echo_engine: EchoReceiver) -> AsyncIterator[httpx.AsyncClient]:
    """A browser that opened the chat page, and so holds the conversation cookie it was given."""
    async with serve(create_app(echo_engine)) as client:
        assert (await client.get("/chat")).status_code == 200
        yield client
