"""Referrals between organisations: the receiving organisation, and only it, accepts a case
into its queue or declines it with a reason that the referring organisation reads."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cases import Actor, DeskError, PermissionDenied, referrals
from bot.cases.referrals import ReferralStatus
from bot.storage.models import (
    AuditEntry,
    Case,
    CaseAccess,
    Message,
    Referral,
    StaffNotification,
)
from tests.cases.conftest import World

EMBASSY_QUEUE = "kbri-kl-protection"


async def _claimed_case(world: World, officer: Actor, user: str = "w1") -> Case:
    await world.say(user, "orang")  # Migrant CARE's case work
    case = await world.case()
    async with world.sessions.begin() as session:
        await world.desk.claim(session, officer, await session.get_one(Case, case.id))
    return await world.case(case.reference)


async def _refer(world: World, actor: Actor, case: Case, note: str = "") -> Referral:
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        return await referrals.refer(world.desk, session, actor, row, EMBASSY_QUEUE, note)


async def _accept(world: World, actor: Actor, referral_id: int) -> None:
    async with world.sessions.begin() as session:
        row = await session.get_one(Referral, referral_id)
        await referrals.accept(world.desk, session, actor, row)


async def _decline(world: World, actor: Actor, referral_id: int, reason: str) -> None:
    async with world.sessions.begin() as session:
        row = await session.get_one(Referral, referral_id)
        await referrals.decline(world.desk, session, actor, row, reason)


async def _access(world: World, case: Case) -> dict[str, str]:
    async with world.sessions() as session:
        rows = await session.scalars(select(CaseAccess).where(CaseAccess.case_id == case.id))
        return {a.organisation: a.reason for a in rows.all()}


async def _notices(world: World, kind: str) -> list[int]:
    async with world.sessions() as session:
        rows = await session.scalars(
            select(StaffNotification.staff_id).where(StaffNotification.kind == kind)
        )
        return sorted(rows.all())


async def _actions(world: World, case: Case) -> list[tuple[str, int | None]]:
    async with world.sessions() as session:
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.staff_id)
            .where(AuditEntry.case_id == case.id)
            .order_by(AuditEntry.id)
        )
        return [(a, s) for a, s in rows.all()]


async def test_a_referred_case_stays_with_the_referrer_until_it_is_answered(
    world: World,
) -> None:
    ani = await world.staff("ani")
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    sari = await world.staff("sari", role="supervisor", organisation="kbri-kuala-lumpur")
    case = await _claimed_case(world, ani)

    referral = await _refer(world, ani, case, "Paspor ditahan majikan")
    case = await world.case(case.reference)
    assert (case.organisation, case.status, case.assigned_to) == ("migrantcare", "referred", ani.id)
    assert await _access(world, case) == {"kbri-kuala-lumpur": "referral"}  # to decide
    assert await _notices(world, "referred") == sorted([budi.id, sari.id])
    async with world.sessions() as session:
        [(waiting, _)] = await referrals.waiting(session, to="kbri-kuala-lumpur")
        assert waiting.id == referral.id and waiting.from_organisation == "migrantcare"
        assert await referrals.waiting(session, to="migrantcare") == []
        [(sent, _)] = await referrals.waiting(session, by="migrantcare")
        assert sent.id == referral.id
    # The referrer still answers the worker meanwhile; the embassy may read, not work, it.
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.reply(session, ani, row, "Kami minta bantuan KBRI")
        await world.desk.view(session, budi, row)
        with pytest.raises(PermissionDenied):
            await world.desk.claim(session, budi, row)
    # One referral waits at a time.
    with pytest.raises(DeskError, match="already waiting"):
        await _refer(world, ani, case)


async def test_only_the_receiving_organisation_accepts_or_declines(world: World) -> None:
    ani = await world.staff("ani")
    sari = await world.staff("sari", role="supervisor")  # the referrer's own supervisor
    cici = await world.staff("cici", organisation="sbmi")  # a third organisation
    editor = await world.staff("edi", role="editor", organisation=None)
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    case = await _claimed_case(world, ani)
    referral = await _refer(world, ani, case)

    for outsider in (ani, sari, cici, editor):
        # As the dashboard does: the refusal is committed, with its audit entry.
        async with world.sessions.begin() as session:
            row = await session.get_one(Referral, referral.id)
            with pytest.raises(PermissionDenied):
                await referrals.accept(world.desk, session, outsider, row)
            with pytest.raises(PermissionDenied):
                await referrals.decline(world.desk, session, outsider, row, "bukan kami")
    case = await world.case(case.reference)
    assert (case.organisation, case.status) == ("migrantcare", "referred")
    # Each refusal is in the audit log.
    denied = [s for a, s in await _actions(world, case) if a == "denied"]
    assert sorted(denied) == sorted([p.id for p in (ani, sari, cici, editor)] * 2)

    await _accept(world, budi, referral.id)
    assert (await world.case(case.reference)).organisation == "kbri-kuala-lumpur"


async def test_declining_returns_the_case_with_the_reason_and_it_can_be_referred_again(
    world: World,
) -> None:
    ani = await world.staff("ani")
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    case = await _claimed_case(world, ani)
    first = await _refer(world, ani, case, "Mohon bantu")

    with pytest.raises(DeskError, match="say why"):
        await _decline(world, budi, first.id, "   ")
    await _decline(world, budi, first.id, "Majikan di Johor: hubungi KJRI Johor Bahru dulu")
    case = await world.case(case.reference)
    # Back as it was: Migrant CARE's, still Ani's, in progress; the embassy no longer reads it.
    assert (case.organisation, case.status, case.assigned_to) == (
        "migrantcare",
        "in_progress",
        ani.id,
    )
    assert await _access(world, case) == {}
    async with world.sessions() as session:
        declined = await session.get_one(Referral, first.id)
        assert declined.status == ReferralStatus.DECLINED and declined.decided_by == budi.id
        assert declined.reason == "Majikan di Johor: hubungi KJRI Johor Bahru dulu"
        with pytest.raises(PermissionDenied):
            await world.desk.view(session, budi, await session.get_one(Case, case.id))
    assert await _notices(world, "declined") == [ani.id]
    with pytest.raises(DeskError, match="answered already"):
        await _accept(world, budi, first.id)

    # Referred again, and accepted: the embassy's queue, unassigned; the worker is told.
    second = await _refer(world, ani, case, "Sudah dicek: majikan di KL")
    await _accept(world, budi, second.id)
    case = await world.case(case.reference)
    assert (case.organisation, case.queue, case.status, case.assigned_to, case.chat_held_by) == (
        "kbri-kuala-lumpur",
        EMBASSY_QUEUE,
        "new",
        None,
        None,
    )
    assert await _access(world, case) == {"migrantcare": "transfer"}  # follows it still
    assert await _notices(world, "accepted") == [ani.id]
    async with world.sessions() as session:
        last = await session.scalar(
            select(Message).where(Message.direction == "out").order_by(Message.id.desc())
        )
        assert last is not None and "KBRI Kuala Lumpur" in last.text
        assert case.reference in last.text
    actions = [a for a, _ in await _actions(world, case)]
    assert [a for a in actions if a.startswith("referr")] == [
        "referred",
        "referral_declined",
        "referred",
        "referral_accepted",
    ]
    async with world.sessions() as session:
        data = (
            await session.scalars(
                select(AuditEntry.data).where(AuditEntry.action == "referral_declined")
            )
        ).one()
    assert "Johor" not in str(data)  # the reason is on the referral, not in the audit log


async def test_a_case_shared_before_stays_shared_when_its_referral_is_declined(
    world: World,
) -> None:
    ani = await world.staff("ani")
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    case = await _claimed_case(world, ani)
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.share(session, ani, row, "kbri-kuala-lumpur")
    referral = await _refer(world, ani, case)
    await _decline(world, budi, referral.id, "Kami ikuti saja")
    assert await _access(world, case) == {"kbri-kuala-lumpur": "share"}


async def test_the_referrer_withdraws_a_waiting_referral(world: World) -> None:
    ani = await world.staff("ani")
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    case = await _claimed_case(world, ani)
    referral = await _refer(world, ani, case)
    async with world.sessions.begin() as session:
        await referrals.withdraw(world.desk, session, ani, await session.get_one(Case, case.id))
    case = await world.case(case.reference)
    assert case.status == "in_progress" and await _access(world, case) == {}
    with pytest.raises(DeskError, match="answered already"):
        await _accept(world, budi, referral.id)


async def test_a_queue_of_the_same_organisation_is_a_transfer_not_a_referral(
    world: World,
) -> None:
    ani = await world.staff("ani")
    case = await _claimed_case(world, ani)
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        with pytest.raises(DeskError, match="transfer"):
            await referrals.refer(world.desk, session, ani, row, "migrantcare-urgent")
        with pytest.raises(DeskError, match="referral"):
            await world.desk.transfer(session, ani, row, EMBASSY_QUEUE)
        await world.desk.transfer(session, ani, row, "migrantcare-urgent")
    case = await world.case(case.reference)
    assert (case.queue, case.assigned_to) == ("migrantcare-urgent", None)


async def test_a_closed_case_cannot_be_accepted(world: World) -> None:
    ani = await world.staff("ani")
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    case = await _claimed_case(world, ani)
    referral = await _refer(world, ani, case)
    async with world.sessions.begin() as session:
        await world.desk.close(session, ani, await session.get_one(Case, case.id), "resolved")
    with pytest.raises(DeskError, match="closed"):
        await _accept(world, budi, referral.id)
    async with world.sessions() as session:
        assert await referrals.waiting(session, to="kbri-kuala-lumpur") == []


async def test_a_forgotten_worker_takes_the_reasons_given_about_them(world: World) -> None:
    ani = await world.staff("ani")
    budi = await world.staff("budi", organisation="kbri-kuala-lumpur")
    case = await _claimed_case(world, ani, user="w-forget")
    referral = await _decline_after_refer(world, ani, budi, case, "Ibu Siti sudah pulang")
    async with world.sessions.begin() as session:
        await world.desk.forget_worker(session, case.worker_id or 0)
    async with world.sessions() as session:
        row = await session.get_one(Referral, referral.id)
        assert row.status == ReferralStatus.DECLINED and row.reason is None  # counts stay


async def _decline_after_refer(
    world: World, ani: Actor, budi: Actor, case: Case, reason: str
) -> Referral:
    referral = await _refer(world, ani, case)
    await _decline(world, budi, referral.id, reason)
    return referral
