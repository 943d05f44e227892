"""The dashboard mounted on its own app, on the case desk's test world (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.cases import Desk
from bot.dashboard import dashboard
from bot.dashboard.web import Editing
from bot.dialogue.flows import FlowLibrary
from bot.settings import PROJECT_ROOT
from tests.cases import conftest as cases_fixtures
from tests.cases.conftest import KeywordNlu, World
from tests.sse import read_stream

# The case desk's fixtures, shared: a database with the engine and desk wired to it.
world = cases_fixtures.world
nlu = cases_fixtures.nlu
clock = cases_fixtures.clock
build_options = cases_fixtures.build_options

PASSWORD = "correct horse battery staple"


@dataclass
class Deps:
    sessions: async_sessionmaker[AsyncSession]
    desk: Desk
    flows: FlowLibrary | None = None


def make_app(
    world: World, content_root: Path | None = None, editing: Editing | None = None
) -> Starlette:
    """The dashboard over `world`; editors' pages read and publish `content_root` (a copy of
    flows/: never the project's own), their preview chat understands with KeywordNlu."""
    deps = Deps(world.sessions, world.desk, world.flows)
    options: dict[str, Any] = {}
    if content_root is not None:
        options["content_root"] = content_root
    return Starlette(
        routes=[
            dashboard(
                lambda: deps,
                session_secret="s" * 32,
                csrf_secret="c" * 32,
                editing=editing or Editing(understanding=lambda: (KeywordNlu(), 0.5)),
                **options,
            )
        ]
    )


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """A checkout root holding a copy of the project's flows/, for editors to change."""
    root = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "flows", root / "flows")
    return root


@pytest.fixture
def app(world: World, content_root: Path) -> Starlette:
    return make_app(world, content_root)


class Client(Protocol):
    def __call__(self, username: str | None, lang: str = "en") -> Awaitable[httpx.AsyncClient]: ...


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[Client]:
    """client(username) -> an httpx client signed in as that person (None: signed out), with
    the dashboard in English (most tests read its English texts) or in `lang`."""
    opened: list[httpx.AsyncClient] = []

    async def make(username: str | None, lang: str = "en") -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        opened.append(c)
        if lang != "id":  # Indonesian is the desk's default: nothing to choose
            chosen = await post(c, "/dashboard/language", lang=lang, next="/dashboard/login")
            assert chosen.status_code == 303, chosen.text
        if username is not None:
            response = await sign_in(c, username)
            assert response.status_code == 303, response.text
        return c

    yield make
    for c in opened:
        await c.aclose()


async def csrf(c: httpx.AsyncClient) -> str:
    if "helpline_csrf" not in c.cookies:
        await c.get("/dashboard/login")
    return c.cookies["helpline_csrf"]


async def sign_in(c: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    token = await csrf(c)
    return await c.post(
        "/dashboard/login",
        data={
            "csrftoken": token,
            "username": username,
            "password": password,
            "next": "/dashboard/",
        },
    )


async def post(c: httpx.AsyncClient, path: str, /, **data: str) -> httpx.Response:
    return await c.post(path, data={"csrftoken": await csrf(c), **data})


async def read_events(
    app: Starlette, c: httpx.AsyncClient, path: str, want: int, seconds: float = 5.0
) -> list[tuple[str, str]]:
    """(event, data) from a server-sent event stream of the dashboard, until `want` came."""
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    events = await read_stream(app, path, cookie, want, seconds)
    return [(event.name, event.data) for event in events]


def data(event: tuple[str, str]) -> Any:
    return json.loads(event[1])
