from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.web import create_app
from tests.web.conftest import EchoReceiver, serve


async def test_root_redirects_to_chat_keeping_the_language(client: httpx.AsyncClient) -> None:
    response = await client.get("/?lang=en")
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/chat?lang=en"


async def test_extra_routes_and_lifespan_are_wired_in() -> None:
    events: list[str] = []

    async def webhook(request: Request) -> Response:
        return PlainTextResponse("hooked")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("start")
        yield
        events.append("stop")

    app = create_app(
        EchoReceiver(),
        extra_routes=[Route("/telegram", webhook, methods=["POST"])],
        lifespan=lifespan,
    )
    async with serve(app) as client:
        assert (await client.post("/telegram")).text == "hooked"
        assert (await client.get("/health")).json() == {"status": "ok"}
    assert events == ["start", "stop"]


async def test_static_files_are_served(client: httpx.AsyncClient) -> None:
    for name, kind in (("chat.js", "javascript"), ("chat.css", "text/css")):
        response = await client.get(f"/static/{name}")
        assert response.status_code == 200
        assert kind in response.headers["content-type"]
