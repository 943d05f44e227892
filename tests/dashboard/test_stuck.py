"""The case page warns the officer when a message to the worker did not get out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.storage.models import Message, MessageStatus, utcnow
from tests.cases.conftest import World
from tests.dashboard.conftest import Client, post

WARNING = 'id="stuck-messages"'


async def test_a_reply_stuck_for_more_than_a_minute_is_shown_on_the_case(
    world: World, client: Client
) -> None:
    await world.staff("ani")
    await world.say("worker", "mau bicara dengan orang")
    case = await world.case()
    ani = await client("ani")
    assert (await post(ani, f"/dashboard/cases/{case.reference}/claim")).status_code == 303
    await post(ani, f"/dashboard/cases/{case.reference}/reply", text="Halo")
    page = f"/dashboard/cases/{case.reference}"
    # Just queued (Telegram sends within seconds): no warning yet.
    assert WARNING not in (await ani.get(page)).text

    async with world.sessions.begin() as session:
        await session.execute(
            update(Message)
            .where(Message.origin == "officer")
            .values(created_at=utcnow() - timedelta(minutes=2))
        )
    assert WARNING in (await ani.get(page)).text

    async with world.sessions.begin() as session:
        await session.execute(
            update(Message).where(Message.direction == "out").values(status=MessageStatus.SENT)
        )
    assert WARNING not in (await ani.get(page)).text

    async with world.sessions.begin() as session:
        await session.execute(
            update(Message)
            .where(Message.origin == "officer")
            .values(status=MessageStatus.FAILED, error="blocked")
        )
    assert WARNING in (await ani.get(page)).text
