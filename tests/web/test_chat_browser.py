"""The chat page in Debian's Chromium against a real uvicorn server.

Sync Playwright in plain (not async) tests: no event loop runs in the test's thread, and the
server runs its own loop in a background thread.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, Route, ViewportSize, expect
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route as StarletteRoute

from bot.web import create_app
from bot.web.chat import ChatOptions
from tests.live import serve_in_thread
from tests.web.conftest import EchoReceiver

pytestmark = pytest.mark.browser

API = "**/chat/api/messages"
PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture
def serve() -> Iterator[Callable[[Starlette], str]]:
    """Starts the tests' live server for an app; returns the base URL."""
    with contextlib.ExitStack() as servers:
        yield lambda app: servers.enter_context(serve_in_thread(app))


@pytest.fixture
def page(browser: Browser, serve: Callable[[Starlette], str]) -> Iterator[Page]:
    """A phone's tab, closed before the servers stop (an open event stream would hold them)."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="id-ID"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def send(page: Page, text: str) -> dict[str, str]:
    """Types and sends a message with Enter; returns the JSON the page posted."""
    with page.expect_request(API) as request:
        page.locator("#message-text").fill(text)
        page.locator("#message-text").press("Enter")
    return posted(request.value)


def posted(request: Request) -> dict[str, str]:
    body = request.post_data_json
    assert isinstance(body, dict)
    return body


def test_conversation_with_quick_replies_continues_after_reload(
    page: Page,
    serve: Callable[[Starlette], str],
    chat_app: Starlette,
    echo_engine: EchoReceiver,
    tmp_path: Path,
) -> None:
    page.goto(serve(chat_app) + "/chat")
    bot = page.locator(".msg.bot")
    worker = page.locator(".msg.worker")

    first = send(page, "halo")
    expect(worker.last).to_have_text("halo")
    expect(bot.first).not_to_be_empty()
    expect(page.locator("#message-text")).to_have_value("")
    assert first["text"] == "halo"
    assert "user_id" not in first  # the server's cookie says who writes

    button = page.locator(".quick-replies button").first
    title, payload = button.inner_text(), button.get_attribute("data-payload")
    answered = bot.count()
    with page.expect_request(API) as tapped:
        button.tap()
    assert posted(tapped.value)["text"] == payload  # the payload goes, the title shows
    expect(worker.last).to_have_text(title)
    expect(bot.nth(answered)).not_to_be_empty()
    expect(page.locator("#typing")).to_be_hidden()
    shown = bot.count()

    page.screenshot(path=os.environ.get("HELPLINE_CHAT_SCREENSHOT", tmp_path / "chat.png"))

    page.reload()
    expect(bot).to_have_count(shown)  # the tab keeps its transcript
    again = send(page, "terima kasih")
    assert again["client_message_id"] not in (first["client_message_id"], "")
    expect(bot.nth(shown)).not_to_be_empty()
    if echo_engine.inbounds:  # the echo engine behind chat_app: one worker throughout
        assert len({i.user_id for i in echo_engine.inbounds}) == 1


def test_replies_are_shown_as_text_with_their_line_breaks(
    page: Page, serve: Callable[[Starlette], str], echo_engine: EchoReceiver
) -> None:
    page.goto(serve(create_app(echo_engine)) + "/chat?lang=en")
    attack = '<img src=x onerror="window.pwned=1"><b>bold</b>'
    send(page, attack)
    expect(page.locator(".msg.worker").last).to_have_text(attack)
    expect(page.locator(".msg.bot").first).to_have_text(f"Anda menulis: {attack}")
    assert page.locator(".msg img, .msg b").count() == 0
    assert page.evaluate("window.pwned") is None

    page.get_by_role("button", name="Hak saya").click()
    answer = page.locator(".msg.bot").last
    expect(answer).to_contain_text("Hak Anda:")
    assert "\n1. Gaji" in answer.inner_text()  # pre-wrap keeps the line break


def test_a_lost_answer_keeps_the_text_and_retry_reuses_the_message_id(
    page: Page, serve: Callable[[Starlette], str], echo_engine: EchoReceiver
) -> None:
    page.goto(serve(create_app(echo_engine)) + "/chat")
    handled: list[int] = []

    def lose_the_first_answer(route: Route) -> None:
        if handled:
            route.continue_()
            return
        handled.append(route.fetch().status)  # the server handles it, the phone never hears
        route.abort()

    page.route(API, lose_the_first_answer)
    send(page, "gaji saya belum dibayar")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#message-text")).to_have_value("gaji saya belum dibayar")
    expect(page.locator(".msg.worker")).to_have_count(0)

    page.locator("#error .retry").click()
    expect(page.locator(".msg.bot").first).to_have_text("Anda menulis: gaji saya belum dibayar")
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#message-text")).to_have_value("")
    assert handled == [200]
    first, second = echo_engine.inbounds
    assert first.channel_message_id == second.channel_message_id
    assert first.text == second.text


def test_server_unreachable_shows_a_polite_error(
    page: Page, serve: Callable[[Starlette], str], echo_engine: EchoReceiver
) -> None:
    page.goto(serve(create_app(echo_engine)) + "/chat")
    page.route(API, lambda route: route.abort("internetdisconnected"))
    send(page, "tolong")
    expect(page.locator("#error .error-text")).not_to_be_empty()
    expect(page.locator("#error .retry")).to_be_visible()
    expect(page.locator("#message-text")).to_have_value("tolong")
    assert echo_engine.inbounds == []


NEUTRAL = "https://www.google.com/**"


def _neutral_site(page: Page) -> list[str]:
    """The quick exit's destination, answered here: the tests need no network."""
    visits: list[str] = []

    def fulfil(route: Route) -> None:
        visits.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Google</title>")

    page.route(NEUTRAL, fulfil)
    return visits


def _storage(page: Page, base: str) -> tuple[int, int]:
    """localStorage and sessionStorage entries of the chat's origin, in this same tab."""
    page.goto(base + "/health")  # same origin and tab, and no chat.js to write anything
    return page.evaluate("[localStorage.length, sessionStorage.length]")


def test_quick_exit_leaves_nothing_and_back_does_not_return(
    page: Page, serve: Callable[[Starlette], str], echo_engine: EchoReceiver
) -> None:
    visits = _neutral_site(page)
    base = serve(create_app(echo_engine))
    page.goto(base + "/chat?lang=en")
    page.get_by_role("link", name="ID").click()  # the page again, in Indonesian
    page.wait_for_url("**/chat?lang=id")
    exit_button = page.locator("#quick-exit")
    expect(exit_button).to_be_visible()
    expect(exit_button).to_have_text("Keluar cepat ✕")
    box = exit_button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 36
    send(page, "gaji saya ditahan")
    expect(page.locator(".msg.bot").first).not_to_be_empty()
    assert page.evaluate("[localStorage.length, sessionStorage.length]") == [0, 1]
    assert [c["name"] for c in page.context.cookies()] == ["helpline_chat"]

    exit_button.tap()
    page.wait_for_url(NEUTRAL)
    assert visits == ["https://www.google.com/"]
    page.go_back()  # the chat's entries were replaced: Back leads to none of them
    assert "/chat" not in page.url and "127.0.0.1" not in page.url
    assert _storage(page, base) == [0, 0]
    assert page.context.cookies() == []


def test_escape_three_times_is_a_quick_exit(
    page: Page, serve: Callable[[Starlette], str], echo_engine: EchoReceiver
) -> None:
    _neutral_site(page)
    base = serve(create_app(echo_engine))
    page.goto(base + "/chat?lang=en")
    expect(page.locator("#quick-exit")).to_have_text("Quick exit ✕")
    send(page, "halo")
    expect(page.locator(".msg.bot").first).not_to_be_empty()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert "/chat" in page.url  # twice is not enough: Escape also closes things
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)
    assert _storage(page, base) == [0, 0]


def test_delete_this_chat_empties_the_page_and_its_transcript(
    page: Page, serve: Callable[[Starlette], str], echo_engine: EchoReceiver
) -> None:
    page.goto(serve(create_app(echo_engine)) + "/chat")
    send(page, "gaji saya ditahan")
    expect(page.locator(".msg.bot").first).not_to_be_empty()  # answered: the page is free
    send(page, "hapus chat")
    expect(page.locator(".msg")).to_have_count(0)
    expect(page.locator(".quick-replies")).to_have_count(0)
    expect(page.locator(".intro")).to_be_visible()
    page.reload()
    expect(page.locator(".intro")).to_be_visible()
    expect(page.locator(".msg")).to_have_count(0)
    # The conversation goes on as the same worker (the case is theirs).
    send(page, "halo")
    expect(page.locator(".msg.bot").first).not_to_be_empty()
    assert len({i.user_id for i in echo_engine.inbounds}) == 1


def test_the_widget_on_a_partners_site_opens_a_working_chat(
    page: Page, serve: Callable[[Starlette], str], echo_engine: EchoReceiver
) -> None:
    """A partner's page on another site (localhost) embeds the chat served at 127.0.0.1: the
    frame gets its cookie (SameSite=None; Secure; Partitioned) even where the browser denies a
    third-party frame its storage, and the partner's organisation rides along."""

    class PartnerAndHelpline:
        """The partner's page and the helpline on one port; the helpline made on first use,
        when the port (and so the partner's origin to allow) is known."""

        def __init__(self) -> None:
            self.app: Starlette | None = None

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":
                await Starlette()(scope, receive, send)
                return
            if self.app is None:
                port = scope["server"][1]
                partner = f"""<!doctype html><html lang="en"><body><h1>Partner</h1>
                    <script src="http://127.0.0.1:{port}/chat/widget.js"
                            data-organisation="sbmi" async></script></body></html>"""

                async def partner_page(request: StarletteRequest) -> Response:
                    return HTMLResponse(partner)

                options = ChatOptions(
                    frame_origins=(f"http://localhost:{port}",),
                    organisations={"sbmi": "SBMI"},
                )
                self.app = create_app(
                    echo_engine,
                    chat=options,
                    extra_routes=[StarletteRoute("/partner", partner_page)],
                )
            await self.app(scope, receive, send)

    base = serve(PartnerAndHelpline())  # type: ignore[arg-type]
    page.goto(base.replace("127.0.0.1", "localhost") + "/partner")
    # chat.js opens the stream last: once it asks, the page is ready for typing.
    with page.expect_request("**/chat/api/events**"):
        page.get_by_role("button", name="Chat with the helpline").click()
    frame = page.frame_locator("[data-helpline-widget] iframe")
    frame.locator("#message-text").fill("halo")
    frame.locator("#message-text").press("Enter")
    expect(frame.locator(".msg.bot").first).to_have_text("Anda menulis: halo", timeout=10_000)
    assert echo_engine.organisations == ["sbmi"]
    [cookie] = page.context.cookies()
    assert (cookie["sameSite"], cookie["secure"], cookie["httpOnly"]) == ("None", True, True)
