from __future__ import annotations

import asyncio

import pytest

from bot.web import create_app, health
from tests.web.conftest import EchoReceiver, serve


async def get_health(check: health.HealthCheck | None) -> tuple[int, object]:
    async with serve(create_app(EchoReceiver(), health_check=check)) as client:
        response = await client.get("/health")
    assert response.headers["cache-control"] == "no-store"
    return response.status_code, response.json()


async def test_health_without_a_check_is_ok() -> None:
    assert await get_health(None) == (200, {"status": "ok"})


async def test_health_shows_what_the_check_reports() -> None:
    async def check() -> dict[str, object]:
        return {"database": "reachable"}

    assert await get_health(check) == (200, {"database": "reachable", "status": "ok"})


async def test_health_is_503_when_the_check_raises() -> None:
    async def check() -> dict[str, object]:
        raise ConnectionError("database down")

    assert await get_health(check) == (503, {"status": "error"})


async def test_health_is_503_when_the_check_says_not_ok() -> None:
    async def check() -> dict[str, object]:
        return {"status": "degraded", "database": "unreachable"}

    assert await get_health(check) == (503, {"status": "error", "database": "unreachable"})


async def test_health_is_503_when_the_check_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "TIMEOUT_SECONDS", 0.01)

    async def check() -> dict[str, object]:
        await asyncio.Event().wait()  # never set: the check hangs until it is cancelled
        return {}

    assert await get_health(check) == (503, {"status": "error"})
