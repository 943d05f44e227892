"""A case's timeline: every hand-over, with who, which organisation and when."""

from __future__ import annotations

from bot.cases import referrals
from bot.cases.timeline import Handover, timeline
from bot.storage.models import Case
from tests.cases.conftest import World


async def test_every_hand_over_is_on_the_timeline(world: World) -> None:
    ani = await world.staff("ani")
    sari = await world.staff("sari", role="supervisor")
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.say("w1", "orang")
    case = await world.case()

    async def step(action: str, *args: object) -> None:
        async with world.sessions.begin() as session:
            row = await session.get_one(Case, case.id)
            if action == "refer":
                await referrals.refer(world.desk, session, ani, row, "kbri-kl-protection")
            elif action in ("accept", "decline"):
                pending = await referrals.pending(session, row)
                assert pending is not None
                if action == "accept":
                    await referrals.accept(world.desk, session, budi, pending)
                else:
                    await referrals.decline(
                        world.desk, session, budi, pending, "Bukan wilayah kami"
                    )
            else:
                await getattr(world.desk, action)(session, *args[:1], row, *args[1:])

    await step("claim", ani)
    await step("release", ani)
    await step("assign", sari, ani.id)
    await step("share", ani, "sbmi")
    await step("refer")
    await step("decline")
    await step("refer")
    await step("accept")
    await step("claim", budi)
    await step("hand_back", budi)
    await step("close", budi, "resolved")

    async with world.sessions() as session:
        entries = await timeline(session, await session.get_one(Case, case.id))
    seen = [(e.kind, e.who, e.organisation, e.other) for e in entries]
    assert seen == [
        (Handover.OPENED, None, None, None),
        (Handover.CLAIMED, "Ani", "migrantcare", None),
        (Handover.RELEASED, "Ani", "migrantcare", None),
        (Handover.ASSIGNED, "Sari", "migrantcare", None),
        (Handover.SHARED, "Ani", "migrantcare", "sbmi"),
        (Handover.REFERRED, "Ani", "migrantcare", "kbri-kuala-lumpur"),
        (Handover.DECLINED, "Budi", "kbri-kuala-lumpur", "migrantcare"),
        (Handover.REFERRED, "Ani", "migrantcare", "kbri-kuala-lumpur"),
        (Handover.ACCEPTED, "Budi", "kbri-kuala-lumpur", "migrantcare"),
        (Handover.CLAIMED, "Budi", "kbri-kuala-lumpur", None),
        (Handover.HANDED_BACK, "Budi", "kbri-kuala-lumpur", None),
        (Handover.CLOSED, "Budi", "kbri-kuala-lumpur", None),
    ]
    assert entries[0].queue == "migrantcare-casework"
    assert entries[3].person == "Ani"
    assert entries[5].queue == "kbri-kl-protection"
    assert entries[6].reason == "Bukan wilayah kami"
    assert entries[-1].outcome == "resolved"
    assert all(a.at <= b.at for a, b in zip(entries, entries[1:], strict=False))
