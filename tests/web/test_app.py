from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.web import create_app
from tests.web.conftest import EchoEngine


def test_root_redirects_to_chat_keeping_the_language(client: TestClient) -> None:
    response = client.get("/?lang=en", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/chat?lang=en"


def test_extra_routes_and_lifespan_are_wired_in() -> None:
    events: list[str] = []

    async def webhook(request: Request) -> Response:
        return PlainTextResponse("hooked")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("start")
        yield
        events.append("stop")

    app = create_app(
        EchoEngine(), extra_routes=[Route("/telegram", webhook, methods=["POST"])], lifespan=lifespan
    )
    with TestClient(app) as client:
        assert client.post("/telegram").text == "hooked"
        assert client.get("/health").json() == {"status": "ok"}
    assert events == ["start", "stop"]


def test_static_files_are_served(client: TestClient) -> None:
    for name, kind in (("chat.js", "javascript"), ("chat.css", "text/css")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert kind in response.headers["content-type"]
