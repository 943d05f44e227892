"""An editor in Debian's Chromium: the content page, a file's texts side by side, a draft
chatted with in the preview, a broken draft's lines, publishing; an officer is refused."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from starlette.applications import Starlette

from bot.dashboard import dashboard
from bot.dashboard.web import Editing
from bot.dialogue.policy import Policy
from bot.runtime import Runtime, build
from bot.settings import PROJECT_ROOT, Settings
from bot.staff import create_staff
from bot.storage.crypto import Cipher
from tests.cases.conftest import KeywordNlu
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.test_browser import DESKTOP, PHONE, _page, _shot
from tests.fakes import TinyContent
from tests.live import serve_in_thread

pytestmark = pytest.mark.browser

WAGES = "flows/answers/wages_unpaid.yml"
MARKER = "PRATINJAU-77"


class Holder:
    runtime: Runtime | None = None

    @property
    def sessions(self):  # type: ignore[no-untyped-def]
        assert self.runtime is not None
        return self.runtime.sessions

    @property
    def desk(self):  # type: ignore[no-untyped-def]
        assert self.runtime is not None
        return self.runtime.desk

    flows = None


def make_app(url: str, cipher: Cipher, data_dir: Path, content_root: Path) -> Starlette:
    holder = Holder()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await build(
            Settings(database_url=url, data_dir=data_dir),
            cipher=cipher,
            nlu=(KeywordNlu(), 0.5),
            policy=Policy(TinyContent(), threshold=0.5),
            detect_language=lambda text: "id",
        )
        holder.runtime = runtime
        async with runtime.sessions.begin() as session:
            for username, role, organisation in (
                ("eka", "editor", None),
                ("ani", "officer", "migrantcare"),
            ):
                await create_staff(
                    session,
                    username=username,
                    display_name=username.title(),
                    role=role,
                    organisation=organisation,
                    known_organisations={"migrantcare"},
                    password=PASSWORD,
                )
        yield
        await runtime.close()

    return Starlette(
        routes=[
            dashboard(
                lambda: holder,  # type: ignore[arg-type, return-value]
                session_secret="s" * 32,
                csrf_secret="c" * 32,
                content_root=content_root,
                editing=Editing(understanding=lambda: (KeywordNlu(), 0.5)),
            )
        ],
        lifespan=lifespan,
    )


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "flows", root / "flows")
    return root


@pytest.fixture
def server(tmp_path: Path, cipher: Cipher, content_root: Path) -> Iterator[str]:
    app = make_app(f"sqlite+aiosqlite:///{tmp_path}/editors.db", cipher, tmp_path, content_root)
    with serve_in_thread(app) as url:
        yield url


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/dashboard/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_an_editor_previews_and_publishes_a_draft(
    browser: Browser, server: str, tmp_path: Path, content_root: Path, name: str, viewport: dict
) -> None:
    page, errors = _page(browser, viewport, phone=name == "phone")  # type: ignore[arg-type]
    page.context.set_default_timeout(60_000)  # checking a draft reads every file: seconds
    _sign_in(page, server, "eka")
    expect(page.locator("h1")).to_have_text("Content")
    row = page.locator(f'tr[data-path="{WAGES}"]')
    expect(row).to_contain_text("100%")
    _shot(page, tmp_path, f"{name}-content")

    row.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(WAGES)
    expect(page.locator("#texts")).to_contain_text("Gaji adalah hak Anda")
    expect(page.locator("#texts")).to_contain_text("Your wage is your right")
    expect(page.locator("#sources")).to_contain_text("UU No. 18 Tahun 2017")

    page.get_by_role("link", name="Edit and preview").click()
    draft = page.get_by_label("Draft (YAML)")
    published = (content_root / WAGES).read_text(encoding="utf-8")
    expect(draft).to_have_value(published)
    draft.fill(published.replace("Gaji adalah hak Anda.", f"Gaji adalah hak Anda. {MARKER}"))
    page.get_by_label("Message as a worker").fill("gaji malaysia")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#transcript li.worker")).to_have_text(["gaji malaysia"])
    expect(page.locator("#transcript li.bot", has_text=MARKER)).to_have_count(1)
    expect(page.locator("#draft-problems")).to_contain_text("No problems.")
    _shot(page, tmp_path, f"{name}-preview")
    assert (content_root / WAGES).read_text(encoding="utf-8") == published  # not yet

    # A broken draft: the problem with its line, and no publishing.
    good = page.get_by_label("Draft (YAML)").input_value()
    page.get_by_label("Draft (YAML)").fill(good.replace("reviewed: 2026-12-01", "reviewed: [x"))
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#draft-problems li.error").first).to_contain_text(f"{WAGES}:")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash.error")).to_contain_text("Not published")
    assert (content_root / WAGES).read_text(encoding="utf-8") == published

    page.get_by_label("Draft (YAML)").fill(good)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash")).to_contain_text("Published")
    expect(page.locator("h1")).to_have_text(WAGES)
    expect(page.locator("#texts")).to_contain_text(MARKER)
    expect(page.locator("#published li")).to_have_count(1)
    written = (content_root / WAGES).read_bytes().decode("utf-8")
    assert MARKER in written and "\r" not in written  # the textarea's CRLF is not kept
    assert written == good.replace("\r\n", "\n")
    assert errors == [f"400 {server}/dashboard/content/publish"], errors


def test_an_officer_is_refused_the_content_pages(browser: Browser, server: str) -> None:
    page, _ = _page(browser, DESKTOP, phone=False)
    _sign_in(page, server, "ani")
    expect(page.locator("h1")).to_have_text("Migrant CARE")
    expect(page.get_by_role("link", name="Content")).to_have_count(0)
    page.goto(f"{server}/dashboard/content")
    expect(page.locator("h1")).to_have_text("Not found")
    page.goto(f"{server}/dashboard/content/preview?path={WAGES}")
    expect(page.locator("h1")).to_have_text("Not found")
