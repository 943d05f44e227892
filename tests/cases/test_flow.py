"""From a worker's message to a case, a claim, a two-way chat, a transfer, a close and the
worker's status question, through the engine and the desk on a real database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.cases import referrals
from bot.storage.models import AuditEntry, Case, CaseAccess, CaseMessage, Message, Referral
from tests.cases.conftest import World


async def _outbox(world: World) -> list[Message]:
    async with world.sessions() as session:
        rows = await session.scalars(
            select(Message)
            .where(Message.direction == "out", Message.status == "pending")
            .order_by(Message.id)
        )
        return list(rows.all())


async def _actions(world: World, case_id: int) -> list[str]:
    async with world.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
        )
        return list(rows.all())


async def test_talk_to_human_opens_one_case_with_a_reference(world: World) -> None:
    replies = await world.say("w1", "saya mau bicara dengan orang")
    case = await world.case()
    assert case.source == "talk_to_human" and case.status == "new" and case.priority == "normal"
    assert case.queue == "migrantcare-casework" and case.organisation == "migrantcare"
    assert any(case.reference in r.text for r in replies)
    # Asking again while the case is open does not open another.
    await world.say("w1", "tolong orang")
    assert (await world.case()).id == case.id


async def test_out_of_hours_the_worker_is_told_when_to_expect_a_reply(world: World) -> None:
    world.clock.now += timedelta(days=5)  # Saturday: Migrant CARE's case work is closed
    replies = await world.say("w1", "orang")
    [later] = [r.text for r in replies if "darurat" in r.text and "Migrant CARE" in r.text]
    assert "Senin" in later and "08.00" in later  # next Monday, 08:00 Jakarta time


async def test_danger_opens_an_urgent_case_and_the_emergency_reply_still_comes(
    world: World,
) -> None:
    replies = await world.say("w2", "saya sedang dipukul majikan di malaysia")
    assert replies[0].text.startswith("EMERGENCY")
    case = await world.case()
    assert case.source == "emergency" and case.priority == "urgent"
    assert case.queue == "kbri-kl-protection"


async def test_danger_on_an_open_case_makes_it_urgent(world: World) -> None:
    await world.say("w3", "orang")
    await world.say("w3", "darurat")
    case = await world.case()
    assert case.priority == "urgent" and "escalated" in await _actions(world, case.id)


async def test_the_whole_path(world: World) -> None:
    officer = await world.staff("ani")
    other_org = await world.staff("budi", organisation="kbri-kuala-lumpur")

    # The worker asks for a person: a case waits in Migrant CARE's queue.
    await world.say("worker", "halo")
    await world.say("worker", "mau bicara dengan orang")
    case = await world.case()

    # An officer claims it: the worker is told a person joined; the bot goes quiet.
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.claim(session, officer, row)
    outbox = await _outbox(world)
    assert "Migrant CARE" in outbox[-1].text and case.reference in outbox[-1].text
    assert await world.say("worker", "halo, gaji saya belum dibayar") == []

    # The officer replies: the text waits in the outbox for the worker's channel.
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        message = await world.desk.reply(session, officer, row, "Halo, saya Ani. Sejak kapan?")
    [sent] = [m for m in await _outbox(world) if m.id == message.id]
    assert sent.origin == "officer" and sent.channel == "telegram"
    async with world.sessions() as session:
        link = await session.get_one(CaseMessage, message.id)
        assert link.staff_id == officer.id
    case = await world.case()
    assert case.first_human_reply_at is not None and case.status == "in_progress"

    # The worker answers: stored, no bot reply; danger still gets the emergency reply.
    assert await world.say("worker", "sejak 3 bulan") == []
    emergency = await world.say("worker", "darurat, saya dikunci")
    assert emergency and emergency[0].text.startswith("EMERGENCY")

    # Referred to the embassy, which accepts: the worker is told, the bot answers until
    # someone claims it.
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        referral = await referrals.refer(
            world.desk, session, officer, row, "kbri-kl-protection", "Paspor ditahan"
        )
    assert (await world.case()).status == "referred"
    async with world.sessions.begin() as session:
        row = await session.get_one(Referral, referral.id)
        await referrals.accept(world.desk, session, other_org, row)
    case = await world.case()
    assert (case.organisation, case.status, case.assigned_to, case.chat_held_by) == (
        "kbri-kuala-lumpur",
        "new",
        None,
        None,
    )
    assert "KBRI Kuala Lumpur" in (await _outbox(world))[-1].text
    async with world.sessions() as session:
        access = await session.get(CaseAccess, (case.id, "migrantcare"))
        assert access is not None and access.reason == "transfer"
    assert await world.say("worker", "halo")  # the bot answers again

    # The embassy's officer claims and closes it with an outcome.
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.claim(session, other_org, row)
        await world.desk.close(session, other_org, row, "resolved", "Paspor dikembalikan")
    case = await world.case()
    assert case.status == "closed" and case.outcome == "resolved" and case.closed_at
    assert case.reference in (await _outbox(world))[-1].text

    # The worker asks for the status by reference, in any spelling.
    spelled = case.reference.lower().replace("-", " ")
    [status] = await world.say("worker", f"kasus {spelled} bagaimana?")
    assert case.reference in status.text and "ditutup" in status.text

    actions = await _actions(world, case.id)
    for action in ("opened", "claimed", "replied", "referred", "referral_accepted", "closed"):
        assert action in actions


async def test_status_without_a_reference_lists_the_workers_cases(world: World) -> None:
    await world.say("w5", "orang")
    case = await world.case()
    [reply] = await world.say("w5", "status kasus saya?")
    assert case.reference in reply.text and "petugas" in reply.text


async def test_another_workers_reference_reveals_nothing(world: World) -> None:
    await world.say("w6", "orang")
    theirs = await world.case()
    replies = await world.say("w7", f"status {theirs.reference}")
    text = "\n".join(r.text for r in replies)
    # Issue 12: the reference the worker wrote is said to be not found in this chat, the same
    # words as for a reference that does not exist: neither its status nor its organisation.
    assert f"{theirs.reference} tidak ada di chat ini" in text
    assert f"Kasus {theirs.reference} (" not in text and "menunggu petugas" not in text
    made_up = await world.say("w7", "status HL-2S5BD8")
    assert made_up[0].text.replace("HL-2S5BD8", theirs.reference) == replies[0].text


async def test_hand_back_lets_the_bot_answer_again(world: World) -> None:
    officer = await world.staff("citra")
    await world.say("w8", "orang")
    case = await world.case()
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.claim(session, officer, row)
    assert await world.say("w8", "halo") == []
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.hand_back(session, officer, row)
    assert await world.say("w8", "halo")
    assert (await world.case()).status == "in_progress"  # still open, still assigned


async def test_forgetting_the_worker_clears_their_case_records(world: World) -> None:
    await world.say("w9", "orang")
    async with world.sessions.begin() as session:
        case = await world.desk.open_case(
            session,
            (await world.case()).worker_id or 0,
            source="complaint",
            category="wages_unpaid",
            country="MY",
            record={"employer": "X"},
        )
    await world.say("w9", "hapus data saya")
    await world.say("w9", "ya")
    async with world.sessions() as session:
        rows = (await session.scalars(select(Case))).all()
    assert rows and all(c.record is None and c.worker_id is None for c in rows)
    assert all(c.status == "closed" and c.outcome == "data_deleted" for c in rows)
    assert case.reference in {c.reference for c in rows}  # the counts stay


async def test_complaint_event_opens_a_routed_case(world: World) -> None:
    """Issue 3's complaint flow emits ComplaintSubmitted; the desk opens the case, draws its
    reference and confirms it to the worker."""
    from bot.dialogue.decision import ComplaintSubmitted, Decision
    from bot.dialogue.state import DialogueState, Profile

    await world.say("w10", "halo")
    async with world.sessions.begin() as session:
        worker_id = (await session.scalar(select(Message.worker_id).limit(1))) or 0
        record = {"employer": "PT X", "safe_now": False, "passport_held": True}
        decision = Decision(
            (),
            DialogueState(),
            Profile("en"),
            events=(ComplaintSubmitted("document_withheld", "HK", record),),
        )
        message = await session.scalar(select(Message).limit(1))
        assert message is not None
        followup = await world.engine.hooks.after_decision(session, worker_id, message.id, decision)
    case = await world.case()
    assert case.priority == "urgent" and case.queue == "kjri-hk-protection"
    assert case.record == {"reference": case.reference, **record}
    assert followup.opened == {0: case.reference}
    confirmation = followup.replies[0].text
    assert case.reference in confirmation and "reference number" in confirmation
