"""Notes: internal ones are read only by the author's organisation; shared ones by every
organisation that holds the case (its owner, and those it was referred, transferred or
shared to)."""

from __future__ import annotations

from sqlalchemy import select

from bot.cases import Actor, queries, referrals
from bot.storage.models import AuditEntry, Case
from tests.cases.conftest import World


async def _texts(world: World, case_id: int, reader: Actor) -> list[str]:
    async with world.sessions() as session:
        case = await session.get_one(Case, case_id)
        return [note.text for note, _ in await queries.notes(session, case, reader.organisation)]


async def _note(world: World, actor: Actor, case_id: int, text: str, shared: bool) -> None:
    async with world.sessions.begin() as session:
        case = await session.get_one(Case, case_id)
        await world.desk.note(session, actor, case, text, shared=shared)


async def test_internal_notes_stay_in_their_organisation(world: World) -> None:
    ani = await world.staff("ani")
    rina = await world.staff("rina")  # Ani's colleague
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    cici = await world.staff("cici", organisation="sbmi")
    await world.say("w1", "orang")
    case = await world.case()
    async with world.sessions.begin() as session:
        await world.desk.claim(session, ani, await session.get_one(Case, case.id))

    await _note(world, ani, case.id, "MC internal: suspect the agency", shared=False)
    await _note(world, ani, case.id, "MC shared: passport held since May", shared=True)
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        referral = await referrals.refer(
            world.desk, session, ani, row, "kbri-kl-protection", "Referral note"
        )
        await world.desk.share(session, ani, row, "sbmi", "Share note")
    await _note(world, budi, case.id, "KBRI internal: call the employer?", shared=False)
    await _note(world, budi, case.id, "KBRI shared: we know this agency", shared=True)

    assert await _texts(world, case.id, ani) == [
        "MC internal: suspect the agency",
        "MC shared: passport held since May",
        "Referral note",
        "Share note",
        "KBRI shared: we know this agency",
    ]
    assert await _texts(world, case.id, rina) == await _texts(world, case.id, ani)
    shared = [
        "MC shared: passport held since May",
        "Referral note",
        "Share note",
        "KBRI shared: we know this agency",
    ]
    assert await _texts(world, case.id, budi) == shared[:3] + [
        "KBRI internal: call the employer?",
        shared[3],
    ]
    assert await _texts(world, case.id, cici) == shared
    # Nobody without an organisation reads any note.
    assert await _texts(world, case.id, Actor(99, "admin", None)) == []

    # After accepting, the embassy holds the case: its internal notes stay its own.
    async with world.sessions.begin() as session:
        await referrals.accept(world.desk, session, budi, referral)
    assert "KBRI internal: call the employer?" not in await _texts(world, case.id, ani)
    assert "MC internal: suspect the agency" not in await _texts(world, case.id, budi)

    # The audit log says which notes were shared, never what they say.
    async with world.sessions() as session:
        noted = (
            await session.scalars(select(AuditEntry.data).where(AuditEntry.action == "noted"))
        ).all()
    assert [d["shared"] for d in noted] == [False, True, False, True]
    assert [d["by_organisation"] for d in noted] == [
        "migrantcare",
        "migrantcare",
        "kbri-kuala-lumpur",
        "kbri-kuala-lumpur",
    ]
    assert not any("agency" in str(d) for d in noted)
