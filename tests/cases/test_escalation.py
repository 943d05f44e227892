"""Urgency that travels: a case that turns urgent after it opened (danger written later, an
officer's flag, or an urgent case whose country becomes known) is shared with the mission of
the worker's country, the officers on duty at every organisation holding it are notified, and
if nobody takes it up in time the supervisors are told. Every step is in the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.cases import Actor, DeskError, PermissionDenied, flag_unclaimed, referrals, unclaimed_job
from bot.jobs import run_due
from bot.storage.models import AuditEntry, Case, CaseAccess, Staff, StaffNotification
from tests.cases.conftest import World

WITHIN = timedelta(minutes=15)


async def _audit(world: World, case_id: int) -> list[tuple[str, dict[str, Any]]]:
    async with world.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
        )
        return [(row.action, row.data) for row in rows]


async def _notified(world: World, kind: str) -> list[int]:
    async with world.sessions() as session:
        rows = await session.scalars(
            select(StaffNotification.staff_id).where(StaffNotification.kind == kind)
        )
        return sorted(rows.all())


async def _shared(world: World, case_id: int) -> dict[str, str]:
    async with world.sessions() as session:
        rows = await session.scalars(select(CaseAccess).where(CaseAccess.case_id == case_id))
        return {row.organisation: row.reason for row in rows}


async def _claim(world: World, actor: Actor, case_id: int) -> None:
    async with world.sessions.begin() as session:
        await world.desk.claim(session, actor, await session.get_one(Case, case_id))


async def _bridged(world: World, user: str = "w1") -> tuple[Actor, Case]:
    """A worker in Malaysia asked for a person; Ani of Migrant CARE holds the chat."""
    ani = await world.staff("ani")
    await world.say(user, "halo, saya kerja di malaysia")
    await world.say(user, "saya mau bicara dengan orang")
    case = await world.case()
    assert (case.organisation, case.country, case.priority) == ("migrantcare", "MY", "normal")
    await _claim(world, ani, case.id)
    return ani, case


async def test_danger_written_in_a_bridged_chat_reaches_the_mission(world: World) -> None:
    ani, case = await _bridged(world)
    kbri = await world.staff("budi", organisation="kbri-kuala-lumpur")
    kbri_off = await world.staff("cici", organisation="kbri-kuala-lumpur")
    async with world.sessions.begin() as session:
        (await session.get_one(Staff, kbri_off.id)).on_duty = False
    bp3mi = await world.staff("dedi", organisation="bp3mi-jatim")

    replies = await world.say("w1", "tolong, saya sedang dipukul majikan")
    assert replies[0].text.startswith("EMERGENCY")  # at once, though an officer holds the chat

    case = await world.case()
    assert case.priority == "urgent" and case.urgent_at == world.clock.now
    assert case.organisation == "migrantcare"  # it stays where it is, and is shared
    assert await _shared(world, case.id) == {"kbri-kuala-lumpur": "urgent"}
    # Officers on duty at both organisations, and the officer holding the chat.
    assert await _notified(world, "urgent") == sorted([ani.id, kbri.id])
    assert bp3mi.id not in await _notified(world, "urgent")
    steps = await _audit(world, case.id)
    actions = [action for action, _ in steps]
    assert actions[actions.index("escalated") :] == ["escalated", "shared", "alerted"]
    assert ("shared", {"organisation": "kbri-kuala-lumpur", "reason": "urgent"}) in steps
    [alerted] = [data for action, data in steps if action == "alerted"]
    assert alerted["organisations"] == ["migrantcare", "kbri-kuala-lumpur"]

    # Danger written again: no second share, no second alert.
    await world.say("w1", "saya sedang dipukul lagi")
    assert await _notified(world, "urgent") == sorted([ani.id, kbri.id])


async def test_the_mission_may_read_and_note_the_shared_case(world: World) -> None:
    _ani, case = await _bridged(world)
    kbri = await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.say("w1", "saya sedang dipukul majikan")
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.view(session, kbri, row)
        await world.desk.note(session, kbri, row, "Kami hubungi besok pagi")
        with pytest.raises(PermissionDenied):
            await world.desk.reply(session, kbri, row, "Halo")


async def test_an_officer_flags_a_case_urgent_from_the_dashboard(world: World) -> None:
    ani, case = await _bridged(world)
    kbri = await world.staff("budi", organisation="kbri-kuala-lumpur")
    async with world.sessions.begin() as session:
        await world.desk.flag_urgent(session, ani, await session.get_one(Case, case.id))
    case = await world.case()
    assert case.priority == "urgent"
    assert await _shared(world, case.id) == {"kbri-kuala-lumpur": "urgent"}
    assert kbri.id in await _notified(world, "urgent")
    assert ("escalated", {"by": "officer"}) in await _audit(world, case.id)
    async with world.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "escalated"))
        assert entry is not None and entry.staff_id == ani.id
    async with world.sessions.begin() as session:
        with pytest.raises(DeskError):
            await world.desk.flag_urgent(session, ani, await session.get_one(Case, case.id))


async def test_an_urgent_case_already_at_the_mission_is_not_shared_with_it(world: World) -> None:
    await world.say("w4", "saya sedang dipukul majikan di malaysia")
    case = await world.case()
    assert case.organisation == "kbri-kuala-lumpur" and case.urgent_at is not None
    assert await _shared(world, case.id) == {}


async def test_an_urgent_case_without_a_country_reaches_the_mission_once_it_is_known(
    world: World,
) -> None:
    kbri = await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.say("w5", "saya sedang dipukul majikan")
    case = await world.case()
    assert (case.organisation, case.country) == ("kemlu", None)
    assert await _notified(world, "urgent") == []

    await world.say("w5", "malaysia")
    case = await world.case()
    assert case.country == "MY" and case.organisation == "kemlu"
    assert await _shared(world, case.id) == {"kbri-kuala-lumpur": "urgent"}
    assert await _notified(world, "urgent") == [kbri.id]
    actions = [action for action, _ in await _audit(world, case.id)]
    assert actions[-3:] == ["country_known", "shared", "alerted"]


async def test_a_case_that_is_not_urgent_keeps_its_country_only(world: World) -> None:
    await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.say("w6", "orang")
    await world.say("w6", "malaysia")
    case = await world.case()
    assert case.country == "MY" and case.priority == "normal"
    assert await _shared(world, case.id) == {}
    assert await _notified(world, "urgent") == []


async def test_supervisors_are_told_when_nobody_takes_up_an_urgent_case(world: World) -> None:
    _ani, case = await _bridged(world)
    sari = await world.staff("sari", role="supervisor")
    kbri_boss = await world.staff("bambang", role="supervisor", organisation="kbri-kuala-lumpur")
    await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.say("w1", "saya sedang dipukul majikan")
    job = unclaimed_job(world.desk.alerts, WITHIN)
    start = world.clock.now

    assert await run_due(world.sessions, [job], start + timedelta(minutes=14)) == ["flag_unclaimed"]
    assert await _notified(world, "unclaimed") == []
    later = start + timedelta(minutes=16)
    assert await run_due(world.sessions, [job], later) == ["flag_unclaimed"]
    assert await _notified(world, "unclaimed") == sorted([sari.id, kbri_boss.id])
    # Once only.
    assert await run_due(world.sessions, [job], later + timedelta(minutes=5)) == ["flag_unclaimed"]
    assert await _notified(world, "unclaimed") == sorted([sari.id, kbri_boss.id])
    case = await world.case()
    assert case.unclaimed_alerted_at == later
    kinds = [d.get("kind") for action, d in await _audit(world, case.id) if action == "alerted"]
    assert kinds == ["urgent", "unclaimed"]


async def test_an_urgent_case_taken_up_in_time_alerts_no_supervisor(world: World) -> None:
    ani, case = await _bridged(world)
    await world.staff("sari", role="supervisor")
    await world.say("w1", "saya sedang dipukul majikan")
    world.clock.now += timedelta(minutes=5)
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.reply(session, ani, row, "Ibu di mana sekarang? Apakah aman menelepon?")
    async with world.sessions.begin() as session:
        later = world.clock.now + timedelta(minutes=30)
        assert await flag_unclaimed(session, world.desk.alerts, later, WITHIN) == 0
    assert await _notified(world, "unclaimed") == []
    assert (await world.case()).urgent_taken_at == world.clock.now


async def test_an_urgent_case_referred_alerts_only_where_it_arrives(world: World) -> None:
    ani, case = await _bridged(world)
    await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.say("w1", "saya sedang dipukul majikan")
    before = await _notified(world, "urgent")
    sbmi = await world.staff("eka", organisation="sbmi")
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        referral = await referrals.refer(world.desk, session, ani, row, "sbmi-paralegal")
    assert await _notified(world, "urgent") == before  # referred, not yet theirs
    async with world.sessions.begin() as session:
        await referrals.accept(world.desk, session, sbmi, await session.merge(referral))
    assert await _notified(world, "urgent") == sorted([*before, sbmi.id])
