"""A supervisor reads the reports page in Debian's Chromium: charts drawn as SVG by the server
(no script needed), filters, the figures in Indonesian, and the CSV download."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from starlette.applications import Starlette

from bot.dashboard import dashboard
from bot.dialogue.policy import Policy
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.staff import create_staff
from bot.storage.crypto import Cipher
from tests.cases.conftest import KeywordNlu
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.test_browser import DESKTOP, PHONE
from tests.fakes import TinyContent
from tests.live import serve_in_thread
from tests.reports import seed
from tests.reports.seed import SECRETS, Spec

pytestmark = pytest.mark.browser

NOVEMBER = "from=2026-11&to=2026-11"


def make_app(url: str, cipher: Cipher, data_dir: Path) -> Starlette:
    built: list[Runtime] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await build(
            Settings(database_url=url, data_dir=data_dir),
            cipher=cipher,
            nlu=(KeywordNlu(), 0.5),
            policy=Policy(TinyContent(), threshold=0.5),
            detect_language=lambda text: "id",
        )
        built.append(runtime)
        async with runtime.sessions.begin() as session:
            await create_staff(
                session,
                username="sari",
                display_name="Sari",
                role="supervisor",
                organisation="migrantcare",
                known_organisations={"migrantcare"},
                password=PASSWORD,
            )
            specs = [Spec(first_reply=20.0 * (i + 1), intents=("wages_unpaid",)) for i in range(9)]
            specs += [Spec(category="document_withheld", country="HK") for _ in range(6)]
            specs += [Spec(category="abuse_violence", country="SA") for _ in range(2)]
            await seed.cases(session, specs)
        yield
        await runtime.close()

    return Starlette(
        routes=[dashboard(lambda: built[0], session_secret="s" * 32, csrf_secret="c" * 32)],
        lifespan=lifespan,
    )


@pytest.fixture
def server(tmp_path: Path, cipher: Cipher) -> Iterator[str]:
    with serve_in_thread(
        make_app(f"sqlite+aiosqlite:///{tmp_path}/reports.db", cipher, tmp_path)
    ) as url:
        yield url


def _sign_in(page: Page, base: str) -> None:
    """Signs in with the desk in its default language, Indonesian."""
    page.goto(f"{base}/dashboard/login")
    page.get_by_label("Nama pengguna").fill("sari")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("h1")).to_have_text("Migrant CARE")


@pytest.mark.parametrize("name", ["phone", "desktop"])
def test_a_supervisor_reads_the_charts_and_filters(
    browser: Browser, server: str, tmp_path: Path, name: str
) -> None:
    phone = name == "phone"
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        java_script_enabled=False,  # the page needs none
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    _sign_in(page, server)
    page.get_by_role("link", name="Laporan").first.click()
    page.goto(f"{server}/dashboard/reports?{NOVEMBER}")
    expect(page.locator("h1")).to_have_text("Migrant CARE: laporan")

    # The category chart: an SVG image named by its title, drawn with one bar per shown figure.
    chart = page.get_by_role("img", name="Kasus menurut kategori")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 30
    if phone:
        assert box["width"] <= PHONE["width"]  # scaled to the screen, not cut off
    bars = chart.locator("rect")
    expect(bars).to_have_count(1)  # wages (9); documents hidden ("x"), abuse "<5": no bars
    bar = bars.first.bounding_box()
    assert bar is not None and bar["width"] > 50
    expect(chart.locator("text.bar-value")).to_have_text(["9", "<5", "x"])
    expect(chart.locator("desc")).to_have_text(
        "Gaji tidak dibayar atau dipotong: 9; Kekerasan atau penganiayaan: <5; Dokumen ditahan: x"
    )
    table = page.locator("#cases-category table")
    expect(table.locator("tbody tr").first).to_have_text("Gaji tidak dibayar atau dipotong9")
    expect(page.locator("#timing-first_reply")).to_contain_text("1 jam 40 menit")  # median
    folder = Path(os.environ.get("HELPLINE_DASHBOARD_SCREENSHOTS", tmp_path))
    page.screenshot(path=folder / f"reports-{name}.png", full_page=True)

    # Filters, without script: Hong Kong only.
    page.locator("select[name=country]").select_option("HK")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(
        f"{server}/dashboard/reports?scope=organisation&from=2026-11&to=2026-11&country=HK&category="
    )
    expect(page.locator("#cases-category tbody tr")).to_have_text(["Dokumen ditahan6"])

    # The CSV of what is shown.
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh CSV").click()
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert "cases.category,document_withheld,Dokumen ditahan,6,," in text
    for secret in SECRETS:
        assert secret.lower() not in text.lower()
        assert secret.lower() not in page.content().lower()
    assert problems == []
    context.close()
