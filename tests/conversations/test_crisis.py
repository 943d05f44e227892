"""Crisis conversations through the real engine: trained NLU, real content, real database."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.runtime import Runtime
from bot.storage.models import Case

from .conftest import Say, joined


async def test_a_worker_in_taiwan_who_wants_to_die_gets_the_crisis_lines_and_a_person(
    worker: Callable[[str], Say], runtime: Runtime
) -> None:
    say = worker("lina")
    await say("sy kerja di taiwan")
    replies = await say("sy udh capek hidup kak, rasanya pengen mati aja")
    text = joined(replies)
    assert "tidak sendirian" in text and "1925" in text and "healing119.id" in text
    assert any(q.payload == "/intent:talk_to_human" for r in replies for q in r.quick_replies)
    async with runtime.engine.sessions() as session:
        case = (await session.scalars(select(Case))).one()
    assert case.category == "self_harm" and case.priority == "urgent"
    assert case.queue == "kdei-taipei-protection"
    assert case.reference in text


async def test_everyday_danger_wording_gets_the_emergency_reply(
    worker: Callable[[str], Say],
) -> None:
    say = worker("maya")
    first = (await say("gaji blm dibayar, hp diambil, gk boleh keluar rumah"))[0].text
    assert first.startswith("🚨")
    english = worker("nina")
    assert (await english("they sold me to another boss"))[0].text.startswith("🚨")


async def test_a_lookalike_gets_its_ordinary_answer(worker: Callable[[str], Say]) -> None:
    say = worker("rani")
    text = joined(await say("sy takut gaji gk dibayar"))
    assert "🚨" not in text and "sendirian" not in text
