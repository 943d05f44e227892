"""The page of awareness messages: editors and admins see each with its status and counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update
from starlette.applications import Starlette

from bot.awareness.content import load
from bot.awareness.job import queue_due
from bot.dashboard import dashboard
from bot.storage.models import Message, Worker, utcnow
from tests.awareness.conftest import TEMPLATES, content_root, write_notice
from tests.cases.conftest import World
from tests.dashboard.conftest import Deps, post, sign_in


def _row(page: str, name: str) -> str:
    return page.split(f'data-awareness="{name}"')[1].split("</tr>")[0]


async def test_editors_see_each_message_with_its_counts(world: World, tmp_path: Path) -> None:
    root = content_root(tmp_path)
    write_notice(root, "scam", whatsapp=TEMPLATES)
    write_notice(root, "no-wa")
    soon = (utcnow() + timedelta(days=3)).date().isoformat()
    write_notice(root, "later", send_after=soon, expires="2030-01-01")
    now = utcnow()
    async with world.sessions.begin() as session:
        workers = [
            Worker(
                channel=channel,
                channel_user_hash=f"h{n}",
                channel_user_id=f"u{n}",
                language="id",
                awareness_since=now,
            )
            for n, channel in enumerate(("telegram", "telegram", "whatsapp"))
        ]
        session.add_all(workers)
        await session.flush()
        notices, _ = load(root)
        await queue_due(session, notices, now, limits={"telegram": 9, "whatsapp": 9, "web": 9})
        await session.execute(
            update(Message).where(Message.worker_id == workers[0].id).values(status="sent")
        )
    await world.staff("eka", role="editor", organisation=None)
    deps = Deps(world.sessions, world.desk, world.flows)
    app = Starlette(
        routes=[
            dashboard(
                lambda: deps, session_secret="s" * 32, csrf_secret="c" * 32, content_root=root
            )
        ]
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        assert (await sign_in(c, "eka")).status_code == 303
        page = (await c.get("/dashboard/awareness")).text
        scam = _row(page, "scam")
        assert "sedang dikirim" in scam  # "sending": the desk speaks Indonesian by default
        assert '<td class="queued">3</td>' in scam and '<td class="sent">1</td>' in scam
        no_wa = _row(page, "no-wa")
        assert '<td class="queued">2</td>' in no_wa
        assert '<td class="no-template">1 ⚠' in no_wa
        assert "terjadwal" in _row(page, "later")
        chosen = await post(c, "/dashboard/language", lang="en", next="/dashboard/awareness")
        assert chosen.status_code == 303
        page = (await c.get("/dashboard/awareness")).text
        assert "sending" in _row(page, "scam") and "scheduled" in _row(page, "later")
        assert "Not sent on WhatsApp (no template)" in page
