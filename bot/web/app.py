"""The one web app: every incoming request (chat page, health, later webhooks and dashboard)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import Lifespan

from bot.web.chat import ChatOptions, ChatReceiver, chat_routes
from bot.web.chat_stream import ChatMailbox, stream_routes
from bot.web.health import HealthCheck, health_route
from bot.web.widget import widget_route

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"


def create_app(
    receiver: ChatReceiver,
    *,
    chat: ChatOptions | None = None,
    mailbox: ChatMailbox | None = None,
    health_check: HealthCheck | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    lifespan: Lifespan[Starlette] | None = None,
    debug: bool = False,
) -> Starlette:
    """Our routes come first, so that a catch-all mount in extra_routes cannot hide them.

    `chat`: the web chat's identity key, who may embed it, the partners; `mailbox`: what
    officers sent the worker (without one the page receives only answers)."""
    chat = chat or ChatOptions()
    routes: list[BaseRoute] = [
        Route("/", _to_chat, methods=["GET"], name="home"),
        health_route(health_check),
        *chat_routes(receiver, _templates(), chat),
        *stream_routes(mailbox, chat),
        widget_route(),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        *extra_routes,
    ]
    return Starlette(debug=debug, routes=routes, lifespan=lifespan)


async def _to_chat(request: Request) -> Response:
    # Keep ?lang= so that a shared link opens in the language it was shared in.
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{request.scope.get('root_path', '')}/chat{query}", status_code=307)


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    versions = {p.name: _digest(p) for p in STATIC_DIR.iterdir() if p.is_file()}

    def asset(request: Request, name: str) -> str:
        # The content hash in the URL lets phones cache the files until they change.
        return f"{request.scope.get('root_path', '')}/static/{name}?v={versions[name]}"

    env.globals["asset"] = asset
    return Jinja2Templates(env=env)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
