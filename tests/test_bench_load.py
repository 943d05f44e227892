"""The building blocks of bench/load.py, run quickly so that `--smoke` cannot rot (no timing
is asserted: the benchmark's figures are its own business)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.conversations import load
from bench.load import (
    THEMES,
    Plan,
    Result,
    Sent,
    Stubs,
    _generate,
    bare_app,
    driver_floor_app,
    floor_app,
    from_database,
)
from bot.messages import Inbound
from bot.runtime import Runtime
from tests.live import serve


async def test_the_generator_drives_the_bare_endpoint() -> None:
    async with serve(bare_app()) as url:
        sent = await _generate(Plan(0, (url,), "", ("web",), 2, 0.3, 1, bare=True))
    assert sent
    assert all(s.error is None and s.answered is not None for s in sent)


@pytest.mark.parametrize("build", [floor_app, driver_floor_app])
async def test_the_storage_floor_stores_and_answers_each_message(
    build: Any, tmp_path: Path
) -> None:
    app = build(f"sqlite+aiosqlite:///{tmp_path / 'floor.db'}")
    async with serve(app, lifespan="on") as url, httpx.AsyncClient(base_url=url) as client:
        replies = []
        for n in range(3):
            sent = await client.post(
                "/chat/api/messages",
                json={"text": f"gaji {n}", "client_message_id": str(n)},
                headers={"Authorization": "Bearer siti"},
            )
            replies.append(sent.json()["replies"][0]["text"])
        other = await client.post(
            "/chat/api/messages",
            json={"text": "paspor", "client_message_id": "x"},
            headers={"Authorization": "Bearer ani"},
        )
    assert replies == ["ok 1", "ok 2", "ok 3"]  # the worker's state carried between messages
    assert other.json()["replies"][0]["text"] == "ok 1"
    with sqlite3.connect(tmp_path / "floor.db") as db:
        rows = db.execute("SELECT direction, processed, body FROM floor_messages").fetchall()
    assert sorted((d, p) for d, p, _ in rows) == [("in", 1)] * 4 + [("out", 1)] * 4
    assert not any("gaji" in body for _, _, body in rows)  # stored encrypted, as the helpline


async def test_a_webhook_worker_waits_for_its_reply_at_the_stubs() -> None:
    stubs = Stubs()
    async with serve(stubs.app) as url, httpx.AsyncClient(base_url=url) as client:
        stubs.telegram.url = url
        send = f"/bot{stubs.telegram.token}/sendMessage"
        assert (await client.post(send, json={"chat_id": 42, "text": "halo"})).status_code == 200
        waited = await client.get("/bench/replies", params={"address": "42", "after": "0"})
        assert waited.json() == {"count": 1}
    assert stubs.received == 1


def test_every_weighted_theme_is_in_the_corpus() -> None:
    assert set(THEMES) <= {c.theme for c in load()}


async def test_replies_are_timed_from_the_database(runtime: Runtime) -> None:
    at = time.time()
    await runtime.engine.handle(Inbound("web", "bench", "halo", channel_message_id="m1"))
    result = Result("helpline", 1.0, [Sent("web", "m1", at, answered=time.time())])
    await from_database(runtime.settings.effective_database_url, result, stubs_received=0)
    assert result.stored[("web", "m1")] >= at - 1
    assert (result.lost, result.twice) == (0, 0)
    assert "lost 0 sent twice 0" in result.line(100.0)
