"""The whole handoff in Debian's Chromium, on the server `helpline run` serves: a worker on the
web chat asks for a person, an officer claims the case in the dashboard and replies, and the
reply appears on the worker's page without the worker sending anything; then the bot is back.

Sync Playwright in a plain test; uvicorn runs in a thread with its own event loop, where the
app's lifespan builds the runtime (SQLite) and starts what `helpline run` starts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from bot.dialogue.policy import Policy
from bot.runtime import build
from bot.server import create_server_app
from bot.settings import Settings
from bot.staff import create_staff
from bot.storage.crypto import Cipher
from tests.cases.conftest import KeywordNlu
from tests.dashboard.conftest import PASSWORD
from tests.fakes import TinyContent
from tests.live import serve_in_thread

pytestmark = pytest.mark.browser

REPLY = "Hello, this is Rina. Are you safe now?"


class Server:
    """The server app, made inside uvicorn's event loop once the runtime is built."""

    def __init__(self) -> None:
        self.app: Starlette | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


def make_app(url: str, cipher: Cipher, data_dir: Path) -> Starlette:
    server = Server()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await build(
            Settings(database_url=url, data_dir=data_dir),
            cipher=cipher,
            nlu=(KeywordNlu(), 0.5),
            policy=Policy(TinyContent(), threshold=0.5),
            detect_language=lambda text: "en",
        )
        async with runtime.sessions.begin() as session:
            staff = await create_staff(
                session,
                username="rina",
                display_name="Rina",
                role="officer",
                organisation="migrantcare",
                known_organisations=set(runtime.desk.directory.organisations),
                password=PASSWORD,
            )
            staff.on_duty = True
        server.app = create_server_app(runtime)
        async with server.app.router.lifespan_context(server.app):
            yield

    return Starlette(routes=[Mount("", app=server)], lifespan=lifespan)


@pytest.fixture
def server(tmp_path: Path, cipher: Cipher) -> Iterator[str]:
    with serve_in_thread(
        make_app(f"sqlite+aiosqlite:///{tmp_path}/handoff.db", cipher, tmp_path)
    ) as url:
        yield url


def _page(browser: Browser, *, phone: bool) -> tuple[Page, list[str]]:
    context = (
        browser.new_context(
            viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="en"
        )
        if phone
        else browser.new_context(viewport={"width": 1280, "height": 800}, locale="en")
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("HELPLINE_HANDOFF_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png")


def test_an_officers_reply_appears_on_the_workers_page_without_asking(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    worker, worker_errors = _page(browser, phone=True)
    posts: list[str] = []

    def count(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/chat/api/messages"):
            posts.append(request.url)

    worker.on("request", count)
    worker.goto(f"{server}/chat?lang=en")
    worker.locator("#message-text").fill("I want to talk to a person")
    worker.locator("#message-text").press("Enter")
    # The case number; outside the organisation's hours a note of when officers answer
    # follows it (the test runs at any hour).
    expect(worker.locator(".msg.bot", has_text="HL-")).to_have_count(1)
    assert len(posts) == 1

    officer, officer_errors = _page(browser, phone=False)
    # The officer works in the desk's default language, Indonesian.
    officer.goto(f"{server}/dashboard/")
    officer.get_by_label("Nama pengguna").fill("rina")
    officer.get_by_label("Kata sandi").fill(PASSWORD)
    officer.get_by_role("button", name="Masuk").click()
    officer.locator(".queue", has_text="Penanganan kasus").locator("a").click()
    officer.locator(".case-row").first.locator("a").click()
    expect(officer.locator("#thread")).to_contain_text("I want to talk to a person")
    officer.get_by_role("button", name="Ambil dan jawab").click()
    expect(officer.locator(".case-head")).to_contain_text("Rina memegang chat")
    officer.locator("#reply-text").fill(REPLY)
    officer.get_by_role("button", name="Kirim ke pekerja").click()
    expect(officer.locator("#reply-text")).to_have_value("")

    # The worker did nothing: the reply and who joined arrive on their page by themselves.
    expect(worker.locator(".msg.officer")).to_have_text(REPLY, timeout=10_000)
    expect(worker.locator("#presence")).to_have_text("Rina from Migrant CARE is answering you.")
    expect(worker.locator(".msg.system").first).to_have_text(
        "Rina from Migrant CARE joined the chat."
    )
    assert len(posts) == 1
    _shot(worker, tmp_path, "worker-officer-joined")
    expect(officer.locator("#stuck-messages")).to_have_count(0)

    # A reload catches up from where the tab was, without showing anything twice.
    worker.reload()
    expect(worker.locator(".msg.officer")).to_have_count(1)

    officer.get_by_role("button", name="Kembalikan ke bot").click()
    expect(worker.locator(".msg.system").last).to_have_text(
        "The helpline's assistant answers you again.", timeout=10_000
    )
    expect(worker.locator("#presence")).to_be_hidden()
    _shot(worker, tmp_path, "worker-bot-back")
    _shot(officer, tmp_path, "officer-case")

    officer.context.close()
    worker.context.close()
    assert worker_errors == [] and officer_errors == []
