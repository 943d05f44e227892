"""An officer in Debian's Chromium: signs in, claims a case, replies, and sees the worker's
answer arrive live; on a phone (390x844) and a desktop (1280x800).

Sync Playwright in a plain test; the server runs uvicorn with its own event loop in a thread,
and builds its database and engine in the app's lifespan, inside that loop.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.cases import Desk
from bot.dashboard import dashboard
from bot.dialogue.flows import FlowLibrary
from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.messages import Inbound
from bot.runtime import build
from bot.settings import Settings
from bot.staff import create_staff
from bot.storage.crypto import Cipher
from bot.storage.models import Message
from tests.cases.conftest import KeywordNlu
from tests.dashboard.conftest import PASSWORD
from tests.fakes import TinyContent
from tests.live import serve_in_thread

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


@dataclass
class Helpline:
    sessions: async_sessionmaker[AsyncSession] | None = None
    desk: Desk | None = None
    engine: Engine | None = None
    flows: FlowLibrary | None = None


def make_app(url: str, cipher: Cipher, data_dir: Path) -> Starlette:
    """The dashboard, plus two test-only routes standing in for the worker's channel."""
    state = Helpline()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await build(
            Settings(database_url=url, data_dir=data_dir),
            cipher=cipher,
            nlu=(KeywordNlu(), 0.5),
            policy=Policy(TinyContent(), threshold=0.5),
            detect_language=lambda text: "id",
        )
        state.sessions, state.desk, state.engine = runtime.sessions, runtime.desk, runtime.engine
        state.flows = runtime.flows
        async with state.sessions.begin() as session:
            for username, organisation in (("ani", "migrantcare"), ("budi", "kbri-kuala-lumpur")):
                staff = await create_staff(
                    session,
                    username=username,
                    display_name=username.title(),
                    role="officer",
                    organisation=organisation,
                    known_organisations={"migrantcare", "kbri-kuala-lumpur"},
                    password=PASSWORD,
                )
                staff.on_duty = True
        yield
        await runtime.close()

    async def worker_says(request: Request) -> JSONResponse:
        body = await request.json()
        assert state.engine is not None
        replies = await state.engine.handle(Inbound("telegram", body["user"], body["text"]))
        return JSONResponse({"replies": [r.text for r in replies]})

    async def outbox(request: Request) -> JSONResponse:
        assert state.sessions is not None
        async with state.sessions() as session:
            rows = (await session.scalars(select(Message).where(Message.origin == "officer"))).all()
        return JSONResponse(
            [{"text": m.text, "status": m.status, "channel": m.channel} for m in rows]
        )

    return Starlette(
        routes=[
            Route("/test/worker", worker_says, methods=["POST"]),
            Route("/test/outbox", outbox, methods=["GET"]),
            dashboard(lambda: state, session_secret="s" * 32, csrf_secret="c" * 32),  # type: ignore[arg-type, return-value]
        ],
        lifespan=lifespan,
    )


@pytest.fixture
def server(tmp_path: Path, cipher: Cipher) -> Iterator[str]:
    with serve_in_thread(
        make_app(f"sqlite+aiosqlite:///{tmp_path}/browser.db", cipher, tmp_path)
    ) as url:
        yield url


def _page(browser: Browser, viewport: ViewportSize, phone: bool) -> tuple[Page, list[str]]:
    context = browser.new_context(
        viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return page, errors


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("HELPLINE_DASHBOARD_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def _worker(base: str, text: str, user: str = "worker-1") -> list[str]:
    response = httpx.post(f"{base}/test/worker", json={"user": user, "text": text}, timeout=10)
    response.raise_for_status()
    replies: list[str] = response.json()["replies"]
    return replies


def _sign_in(page: Page, base: str, username: str) -> None:
    """Signs in with the desk in English (chosen on the sign-in page: Indonesian is default)."""
    page.goto(f"{base}/dashboard/")
    expect(page).to_have_url(f"{base}/dashboard/login?next=/dashboard/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text(
        "Migrant CARE" if username == "ani" else "KBRI Kuala Lumpur"
    )


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_officer_claims_replies_and_sees_the_answer_live(
    browser: Browser, server: str, tmp_path: Path, name: str, viewport: ViewportSize
) -> None:
    page, errors = _page(browser, viewport, phone=name == "phone")
    replies = _worker(server, "halo, saya mau bicara dengan orang")
    [reference] = {m for r in replies for m in re.findall(r"HL-[0-9A-Z]{6}", r)}
    _worker(server, "saya sedang dipukul majikan di malaysia", user="worker-2")  # KBRI, urgent

    _sign_in(page, server, "ani")
    queue = page.locator(".queue", has_text="Case work")
    expect(queue).to_contain_text("1 waiting")
    _shot(page, tmp_path, f"{name}-queues")

    queue.locator("a").click()
    row = page.locator(".case-row", has_text=reference)
    expect(row).to_contain_text("Unassigned")
    row.locator("a").click()
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator("#thread")).to_contain_text("saya mau bicara dengan orang")

    page.get_by_role("button", name="Claim and answer").click()
    expect(page.locator(".case-head")).to_contain_text("Ani holds the chat")
    thread = page.locator("#thread")
    expect(thread).to_contain_text("Seorang petugas dari Migrant CARE")  # the worker was told

    page.locator("#canned").select_option(label="Introduce yourself")
    expect(page.locator("#reply-text")).to_have_value(
        f"Halo, saya Ani dari Migrant CARE. Saya sudah membaca pesan Anda tentang kasus {reference}. Apakah Anda aman sekarang?"
    )
    page.locator("#reply-text").fill("Halo, saya Ani. Apakah Anda aman sekarang?")
    page.get_by_role("button", name="Send to worker").click()
    expect(page.locator("#reply-text")).to_have_value("")
    expect(thread.locator(".line.officer").last).to_contain_text("Apakah Anda aman sekarang?")
    sent = httpx.get(f"{server}/test/outbox").json()
    assert {
        "text": "Halo, saya Ani. Apakah Anda aman sekarang?",
        "status": "pending",
        "channel": "telegram",
    } in sent

    # The worker answers on their channel: the bot stays quiet, the officer sees it live.
    assert _worker(server, "iya bu, saya aman. gaji 3 bulan belum dibayar") == []
    expect(thread.locator(".line.in").last).to_contain_text(
        "gaji 3 bulan belum dibayar", timeout=5000
    )
    _shot(page, tmp_path, f"{name}-case")

    page.context.close()
    assert errors == [], f"errors in the page: {errors}"


def test_an_officer_on_a_phone_works_in_indonesian(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    """Signs in in English, switches to Indonesian in the header, and finds the list, a
    case and its ready answers in Indonesian, with no ids or raw values, on a phone."""
    page, errors = _page(browser, PHONE, phone=True)
    replies = _worker(server, "halo, saya mau bicara dengan orang di malaysia", user="worker-id")
    [reference] = {m for r in replies for m in re.findall(r"HL-[0-9A-Z]{6}", r)}

    _sign_in(page, server, "ani")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".queue", has_text="Penanganan kasus")).to_contain_text("1 menunggu")
    expect(page.get_by_role("link", name="Kasus saya")).to_be_visible()
    _shot(page, tmp_path, "phone-id-queues")

    page.get_by_role("link", name="Semua kasus terbuka").click()
    expect(page.locator("h1")).to_have_text("Semua kasus terbuka")
    row = page.locator(".case-row", has_text=reference)
    expect(row).to_contain_text("Minta bicara dengan petugas · Malaysia · Indonesia")
    expect(row).to_contain_text("Belum ada petugas · menunggu")
    page.get_by_label("Nomor kasus").fill(reference[-4:].lower())
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.locator("#case-count")).to_have_text("1 kasus")
    _shot(page, tmp_path, "phone-id-list")
    _no_sideways_scroll(page)

    page.locator(".case-row a").first.click()
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator(".case-head")).to_contain_text("Bot menjawab pekerja")
    expect(page.locator("#clocks")).to_contain_text("waktu pekerja:")
    page.get_by_role("button", name="Ambil dan jawab").click()
    expect(page.locator(".case-head")).to_contain_text("Ani memegang chat")
    page.locator("#canned").select_option(label="Perkenalkan diri")
    expect(page.locator("#reply-text")).to_have_value(
        f"Halo, saya Ani dari Migrant CARE. Saya sudah membaca pesan Anda tentang kasus {reference}. Apakah Anda aman sekarang?"
    )
    _shot(page, tmp_path, "phone-id-case")
    _no_sideways_scroll(page)
    text = page.locator("main").inner_text()
    for raw in ("talk_to_human", "in_progress", " MY ", "UTC", "Claim", "Conversation"):
        assert raw not in text, raw

    # The choice is the officer's: a new sign-in elsewhere opens in Indonesian.
    other, other_errors = _page(browser, PHONE, phone=True)
    other.goto(f"{server}/dashboard/")
    other.get_by_label("Nama pengguna").fill("ani")
    other.get_by_label("Kata sandi").fill(PASSWORD)
    other.get_by_role("button", name="Masuk").click()
    expect(other.get_by_role("link", name="Kasus saya")).to_be_visible()

    page.context.close()
    other.context.close()
    assert errors == [] and other_errors == [], f"errors in the page: {errors + other_errors}"


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def test_an_urgent_escalation_reaches_the_missions_queue_and_alert(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    """A worker in Malaysia talks with Ani of Migrant CARE, then writes of danger: KBRI's
    officer, watching the dashboard, sees the alert and the case arrive without reloading."""
    _worker(server, "halo, saya kerja di malaysia", user="worker-9")
    replies = _worker(server, "saya mau bicara dengan orang", user="worker-9")
    [reference] = {m for r in replies for m in re.findall(r"HL-[0-9A-Z]{6}", r)}

    ani, errors = _page(browser, DESKTOP, phone=False)
    _sign_in(ani, server, "ani")
    ani.goto(f"{server}/dashboard/cases/{reference}")
    ani.get_by_role("button", name="Claim and answer").click()
    expect(ani.locator(".case-head")).to_contain_text("Ani holds the chat")

    budi, budi_errors = _page(browser, PHONE, phone=True)
    with budi.expect_response(lambda r: "/dashboard/events" in r.url):  # the live stream
        _sign_in(budi, server, "budi")
    expect(budi.locator("body")).not_to_contain_text(reference)

    # Danger in the bridged chat: the emergency reply at once, though Ani holds the chat.
    replies = _worker(server, "tolong, saya sedang dipukul majikan", user="worker-9")
    assert replies and replies[0].startswith("EMERGENCY")

    notice = budi.locator(".notices")
    expect(notice).to_contain_text(f"New urgent case: {reference}", timeout=10_000)
    expect(budi.locator("#unread")).to_have_text("1")
    shared = budi.locator("section", has_text="Shared with KBRI Kuala Lumpur")
    expect(shared.locator(".case-row", has_text=reference)).to_contain_text("Urgent")
    _shot(budi, tmp_path, "mission-urgent-alert")

    notice.get_by_role("link", name=re.compile(reference)).click()
    expect(budi.locator("h1")).to_contain_text(reference)
    expect(budi.locator("h1")).to_contain_text("Urgent")
    expect(budi.locator("#thread")).to_contain_text("saya sedang dipukul majikan")

    # Ani's case page says who else sees it now.
    ani.reload()
    expect(ani.locator("aside")).to_contain_text("KBRI Kuala Lumpur")
    for page in (ani, budi):
        page.context.close()
    assert errors == [] and budi_errors == [], f"errors in the pages: {errors + budi_errors}"


def test_officer_sends_a_service_from_the_directory(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    """Picks a shelter for a worker in Malaysia: the box fills in the worker's language, the
    officer sends it, and it goes to the worker's channel through the outbox."""
    page, errors = _page(browser, DESKTOP, phone=False)
    replies = _worker(server, "sy di malaysia, mau bicara dengan orang", user="worker-svc")
    [reference] = {m for r in replies for m in re.findall(r"HL-[0-9A-Z]{6}", r)}
    _sign_in(page, server, "ani")
    page.goto(f"{server}/dashboard/cases/{reference}")
    page.get_by_role("button", name="Claim and answer").click()
    expect(page.locator(".case-head")).to_contain_text("Ani holds the chat")

    page.locator("#service-pick").select_option(label="KBRI Kuala Lumpur shelter · Malaysia")
    box = page.locator("#reply-text")
    expect(box).to_have_value(re.compile(r"^• Penampungan KBRI Kuala Lumpur: rumah aman di KBRI"))
    expect(box).to_have_value(re.compile(r"\+60 17-668 8032"))
    expect(page.locator("#service-id")).to_have_value("kbri_kl_shelter")
    chosen = box.input_value()
    page.get_by_role("button", name="Send to worker").click()
    expect(box).to_have_value("")
    expect(page.locator("#service-id")).to_have_value("")
    expect(page.locator("#thread .line.officer").last).to_contain_text("rumah aman di KBRI")
    sent = httpx.get(f"{server}/test/outbox").json()
    assert {"text": chosen, "status": "pending", "channel": "telegram"} in sent
    _shot(page, tmp_path, "service-sent")
    page.context.close()
    assert errors == [], f"errors in the page: {errors}"
