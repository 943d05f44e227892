"""The editors' pages: the content overview and one file's page, the preview chat over a
draft (never the real database or flows/), publishing (audited, reloaded), and who may."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.dashboard.web import Editing
from bot.storage.models import AuditEntry, ContentPublication, Message, Worker
from tests.cases.conftest import KeywordNlu, World
from tests.dashboard.conftest import Client, make_app, post

WAGES = "flows/answers/wages_unpaid.yml"
# Checking a draft reads every file for seconds and its sandbox has a database of its own:
# these run on SQLite only; publishing (the one that writes the helpline's tables) on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
MARKER = "PRATINJAU-123"


def _transcript(html: str) -> str:
    found = re.search(r'<ol class="transcript" id="transcript">(.*?)</ol>', html, re.S)
    assert found is not None
    return found.group(1)


def _said(html: str) -> str:
    found = re.search(r'name="said" value="([^"]*)"', html)
    assert found is not None
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"')


async def _count(world: World, model: type) -> int:
    async with world.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@SQLITE_ONLY
async def test_the_content_page_lists_every_file_with_its_figures(
    world: World, client: Client, content_root: Path
) -> None:
    await world.staff("eka", "editor", None)
    menu = content_root / "flows/menu.yml"
    menu.write_text(
        menu.read_text().replace("{id: Ingin pulang, en: Going home}", "{id: Ingin pulang}")
    )
    wages = content_root / WAGES
    wages.write_text(wages.read_text().replace("reviewed: 2026-12-01", "reviewed: 2025-01-15"))
    c = await client("eka")
    page = await c.get("/dashboard/content")
    assert page.status_code == 200
    rows = dict(re.findall(r'<tr data-path="([^"]+)"[^>]*>(.*?)</tr>', page.text, re.S))
    assert {
        "flows/answers/wages_unpaid.yml",
        "flows/complaints/common.yml",
        "flows/menu.yml",
        "flows/canned_replies.yml",
        "flows/countries/MY.yml",
        "flows/snippets.yml",
    } <= set(rows)
    assert "89%" in rows["flows/menu.yml"]  # 8 of the 9 menu labels in both languages
    assert "100%" in rows["flows/canned_replies.yml"]
    assert "2025-01-15" in rows[WAGES] and 'class="tag late"' in rows[WAGES]
    assert 'class="tag late"' not in rows["flows/answers/abuse_violence.yml"]
    # The check's problem, with its line (the menu label without English fails the schema).
    assert "menu.yml:" in rows["flows/menu.yml"] and "error" in rows["flows/menu.yml"]

    detail = await c.get("/dashboard/content/file", params={"path": "flows/menu.yml"})
    assert detail.status_code == 200
    assert "Gaji tidak dibayar / dipotong" in detail.text and "Wages unpaid or cut" in detail.text
    assert "items.repatriation.label" in detail.text and "missing" in detail.text
    sources = await c.get("/dashboard/content/file", params={"path": WAGES})
    assert "UU No. 18 Tahun 2017" in sources.text and "review due" in sources.text
    gone = await c.get("/dashboard/content/file", params={"path": "flows/../README.md"})
    assert gone.status_code == 404


@SQLITE_ONLY
async def test_the_preview_chats_with_the_draft_and_touches_nothing_real(
    world: World, client: Client, content_root: Path
) -> None:
    await world.staff("eka", "editor", None)
    c = await client("eka")
    published = (content_root / WAGES).read_text()
    draft = published.replace("Gaji adalah hak Anda.", f"Gaji adalah hak Anda. {MARKER}")
    workers, messages = await _count(world, Worker), await _count(world, Message)
    first = await post(
        c, "/dashboard/content/preview", path=WAGES, draft=draft, do="say", message="gaji malaysia"
    )
    assert first.status_code == 200, first.text
    assert MARKER in _transcript(first.text)  # the draft's answer, not the published one
    assert "No problems." in first.text
    said = _said(first.text)
    assert json.loads(said) == ["gaji malaysia"]
    second = await post(
        c,
        "/dashboard/content/preview",
        path=WAGES,
        draft=draft,
        do="say",
        message="halo",
        said=said,
    )
    assert json.loads(_said(second.text)) == ["gaji malaysia", "halo"]
    assert _transcript(second.text).count(MARKER) == 1
    # Nothing written: not the published file, not the helpline's database.
    assert (content_root / WAGES).read_text() == published
    assert (await _count(world, Worker), await _count(world, Message)) == (workers, messages)
    assert await _count(world, ContentPublication) == 0


@SQLITE_ONLY
async def test_a_new_process_replays_the_conversation(
    world: World, client: Client, content_root: Path
) -> None:
    await world.staff("eka", "editor", None)
    draft = (content_root / WAGES).read_text().replace("Simpan bukti", f"{MARKER} Simpan bukti")
    other = make_app(world, content_root)  # another process: no sandbox of this draft
    import httpx

    from tests.dashboard.conftest import sign_in

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other), base_url="http://testserver"
    ) as c:
        assert (await sign_in(c, "eka")).status_code == 303
        page = await post(
            c,
            "/dashboard/content/preview",
            path=WAGES,
            draft=draft,
            do="say",
            message="halo",
            said=json.dumps(["gaji malaysia"]),
        )
    assert json.loads(_said(page.text)) == ["gaji malaysia", "halo"]
    assert MARKER in _transcript(page.text)


@SQLITE_ONLY
async def test_a_broken_draft_shows_its_lines_and_cannot_be_published(
    world: World, client: Client, content_root: Path
) -> None:
    await world.staff("eka", "editor", None)
    c = await client("eka")
    published = (content_root / WAGES).read_text()
    draft = published.replace("intent: wages_unpaid", "intent: wages_unpaid\ntext: [unclosed")
    checked = await post(
        c, "/dashboard/content/preview", path=WAGES, draft=draft, do="say", message="gaji"
    )
    assert checked.status_code == 200
    assert re.search(r"flows/answers/wages_unpaid.yml:\d+</code>\s*YAML error", checked.text)
    assert 'class="transcript"' in checked.text and '<li class="bot">' not in checked.text
    refused = await post(c, "/dashboard/content/publish", path=WAGES, draft=draft)
    assert refused.status_code == 400
    assert "Not published" in refused.text
    assert (content_root / WAGES).read_text() == published
    assert await _count(world, ContentPublication) == 0


async def test_publishing_writes_the_file_records_who_and_reloads(
    world: World, content_root: Path
) -> None:
    reloads: list[int] = []
    app = make_app(
        world,
        content_root,
        Editing(understanding=lambda: (KeywordNlu(), 0.5), reload=lambda: reloads.append(1)),
    )
    editor = await world.staff("eka", "editor", None)
    import httpx

    from tests.dashboard.conftest import sign_in

    draft = (content_root / WAGES).read_text().replace("Simpan bukti", f"{MARKER} Simpan bukti")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        await c.post("/dashboard/language", data={"csrftoken": "", "lang": "en"})
        assert (await sign_in(c, "eka")).status_code == 303
        done = await post(c, "/dashboard/content/publish", path=WAGES, draft=draft)
        assert done.status_code == 303, done.text
        assert done.headers["location"].startswith("/dashboard/content/file?path=")
        page = await c.get(done.headers["location"])
        assert MARKER in page.text  # the file's page shows the new text
    assert (content_root / WAGES).read_text() == draft
    assert reloads == [1]
    async with world.sessions() as session:
        publication = (await session.scalars(select(ContentPublication))).one()
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "content_published")
        )
    assert (publication.path, publication.published_by, publication.text) == (
        WAGES,
        editor.id,
        draft,
    )
    assert entry is not None and entry.staff_id == editor.id
    assert entry.data == {"path": WAGES, "sha256": publication.sha256, "version": publication.id}


@pytest.mark.parametrize("role", ["officer", "supervisor", "admin"])
async def test_only_editors_preview_and_publish(
    world: World, client: Client, content_root: Path, role: str
) -> None:
    await world.staff("someone", role, "migrantcare" if role != "admin" else None)
    c = await client("someone")
    published = (content_root / WAGES).read_text()
    draft = published.replace("Simpan bukti", "Simpan")
    assert (await post(c, "/dashboard/content/publish", path=WAGES, draft=draft)).status_code == 404
    assert (await post(c, "/dashboard/content/preview", path=WAGES, draft=draft)).status_code == 404
    assert (content_root / WAGES).read_text() == published
    assert await _count(world, ContentPublication) == 0


async def test_publishing_can_be_off(world: World, content_root: Path) -> None:
    import httpx

    from tests.dashboard.conftest import sign_in

    app: Starlette = make_app(world, content_root, Editing(publishing=False))
    await world.staff("eka", "editor", None)
    published = (content_root / WAGES).read_text()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        assert (await sign_in(c, "eka")).status_code == 303
        page = await c.get("/dashboard/content/preview", params={"path": WAGES})
        assert 'id="publish"' not in page.text
        refused = await post(c, "/dashboard/content/publish", path=WAGES, draft=published + "#\n")
    assert refused.status_code == 400
    assert (content_root / WAGES).read_text() == published
