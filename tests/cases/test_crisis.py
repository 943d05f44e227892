"""A worker who writes of ending their life: an urgent case that says so, on a real database."""

from __future__ import annotations

from tests.cases.conftest import World


async def test_a_crisis_opens_an_urgent_case_categorised_self_harm(world: World) -> None:
    replies = await world.say("w1", "sy di malaysia, capek hidup pengen mati aja")
    assert replies[0].text == "[self_harm/id/MY]"  # the content's crisis answer comes first
    assert replies[0].quick_replies[0].payload == "/intent:talk_to_human"
    case = await world.case()
    assert case.source == "emergency" and case.category == "self_harm"
    assert case.priority == "urgent" and case.queue == "kbri-kl-protection"
    assert any(case.reference in r.text for r in replies)


async def test_a_crisis_on_an_open_case_makes_it_urgent(world: World) -> None:
    await world.say("w2", "saya mau bicara dengan orang")
    opened = await world.case()
    assert opened.priority == "normal"
    await world.say("w2", "I want to end it all")
    case = await world.case()
    assert case.id == opened.id and case.priority == "urgent"


async def test_asking_for_a_person_after_a_crisis_opens_no_second_case(world: World) -> None:
    await world.say("w3", "mending sy mati")
    first = await world.case()
    await world.say("w3", "/intent:talk_to_human")
    assert (await world.case()).id == first.id
