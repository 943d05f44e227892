"""Sign-in throttling: every attempt counted in the database before its password is checked,
per address and per account, shared by processes; an attacker slowed, the owner not locked out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from bot.storage import db
from bot.storage.models import AuditEntry
from tests.cases.conftest import World
from tests.dashboard.conftest import make_app, sign_in

WRONG = "not the password at all"
Browser = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def browser(app: Starlette) -> AsyncIterator[Browser]:
    """browser(address) -> a signed-out client whose requests come from that address."""
    opened: list[httpx.AsyncClient] = []

    def make(address: str, on: Starlette = app) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=on, client=(address, 40000))
        c = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        opened.append(c)
        return c

    yield make
    for c in opened:
        await c.aclose()


async def _checked(world: World) -> int:
    """How many passwords were checked and found wrong."""
    async with world.sessions() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    return actions.count("login_failed")


async def test_thirty_wrong_passwords_at_once_are_not_all_checked(
    world: World, browser: Browser
) -> None:
    await world.staff("ani")
    attacker = browser("198.51.100.7")
    await attacker.get("/dashboard/login")
    answers = await asyncio.gather(*(sign_in(attacker, "ani", WRONG) for _ in range(30)))
    codes = [a.status_code for a in answers]
    assert codes.count(401) == 5 and codes.count(429) == 25
    assert await _checked(world) == 5
    assert all(int(a.headers["retry-after"]) >= 1 for a in answers if a.status_code == 429)


async def test_the_owner_signs_in_from_another_address_during_an_attack(
    world: World, browser: Browser
) -> None:
    await world.staff("ani")
    attackers = [browser(f"198.51.100.{i}") for i in range(1, 7)]
    for attacker in attackers:  # the account's free attempts used up from several addresses
        for _ in range(2):
            await sign_in(attacker, "ani", WRONG)
    assert (await sign_in(attackers[0], "ani", WRONG)).status_code == 429
    owner = browser("203.0.113.20")
    assert (await sign_in(owner, "ani")).status_code == 303


async def test_the_owner_waits_seconds_not_minutes_after_mistyping(
    world: World, browser: Browser
) -> None:
    await world.staff("ani")
    owner = browser("203.0.113.20")
    for _ in range(5):
        assert (await sign_in(owner, "ani", WRONG)).status_code == 401
    refused = await sign_in(owner, "ani")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    world.clock.now += timedelta(seconds=1)
    assert (await sign_in(owner, "ani")).status_code == 303
    # Signed in: the mistakes are forgotten.
    assert (await sign_in(owner, "ani", WRONG)).status_code == 401


async def test_two_processes_share_the_count(
    world: World, browser: Browser, database_url: str
) -> None:
    await world.staff("ani")
    other_engine = db.create_engine(database_url)
    try:
        other = make_app(
            World(db.session_factory(other_engine), world.desk, world.engine, world.clock)
        )
        here = browser("198.51.100.7")
        there = browser("198.51.100.7", other)
        for c in (here, there, here, there, here):
            assert (await sign_in(c, "ani", WRONG)).status_code == 401
        assert (await sign_in(there, "ani", WRONG)).status_code == 429
        assert (await sign_in(here, "ani", WRONG)).status_code == 429
    finally:
        await other_engine.dispose()
