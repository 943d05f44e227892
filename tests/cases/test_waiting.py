"""Nobody waits in silence: while an officer holds the chat, a worker whose message had no
human answer for a few minutes is told once that it reached the officer and when to expect an
answer; again only after a longer silence; never when the officer answered; and danger still
gets the emergency reply at once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from bot.cases import Actor, waiting_job
from bot.cases.directory import Hours, Queue
from bot.cases.waiting import waiting_notice, worker_zone
from bot.jobs import Job, run_due
from bot.messages import Inbound
from bot.storage.models import AuditEntry, Case, Message, utcnow
from tests.cases.conftest import World

AFTER = timedelta(minutes=3)
REPEAT = timedelta(minutes=60)
# Migrant CARE's case work: Monday to Friday, 08:00-17:00 Jakarta time.
CASEWORK = Queue(
    "q",
    "Case work",
    "migrantcare",
    timedelta(hours=4),
    Hours("Asia/Jakarta", ("mon", "tue", "wed", "thu", "fri"), time(8), time(17)),
)


def _job(world: World) -> Job:
    return waiting_job(world.desk.directory, world.desk.live, after=AFTER, repeat=REPEAT)


async def _notices(world: World) -> list[Message]:
    async with world.sessions() as session:
        rows = await session.scalars(
            select(Message).where(Message.origin == "waiting").order_by(Message.id)
        )
        return list(rows.all())


async def _held(world: World, user: str = "w1") -> tuple[Actor, Case]:
    """A worker in Malaysia asked for a person; Ani of Migrant CARE claimed the case."""
    ani = await world.staff("ani")
    await world.say(user, "halo, saya kerja di malaysia")
    await world.say(user, "saya mau bicara dengan orang")
    case = await world.case()
    async with world.sessions.begin() as session:
        await world.desk.claim(session, ani, await session.get_one(Case, case.id))
    return ani, case


async def _say_at(world: World, user: str, text: str, at: datetime) -> None:
    """The worker writes at `at` (the job's clock is ahead of the real one in these tests)."""
    assert await world.engine.handle(Inbound("telegram", user, text, received_at=at)) == []


async def _run(world: World, at: datetime) -> None:
    """The job as the server runs it, at `at` (each run a minute apart at least)."""
    await run_due(world.sessions, [_job(world)], at)


async def test_a_waiting_worker_is_told_once_that_the_officer_has_the_message(
    world: World,
) -> None:
    _ani, case = await _held(world)
    assert await world.say("w1", "halo, ada petugas?") == []  # the bot is quiet
    wrote = utcnow()
    await _run(world, wrote + timedelta(minutes=2))
    assert await _notices(world) == []  # not yet

    await _run(world, wrote + timedelta(minutes=4))
    [notice] = await _notices(world)
    assert notice.status == "pending" and notice.channel == "telegram"  # through the outbox
    assert "Migrant CARE" in notice.text and "darurat" in notice.text
    async with world.sessions() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "waiting_notice")
        )
        assert entry is not None and entry.case_id == case.id

    # More messages, more minutes: not one notice per message.
    await _say_at(world, "w1", "halo??", wrote + timedelta(minutes=5))
    await _say_at(world, "w1", "pak, bu?", wrote + timedelta(minutes=8))
    await _run(world, wrote + timedelta(minutes=10))
    await _run(world, wrote + timedelta(minutes=30))
    assert len(await _notices(world)) == 1

    # After a longer silence, and only because they wrote again: one more.
    await _run(world, wrote + timedelta(minutes=66))
    assert len(await _notices(world)) == 2
    await _run(world, wrote + timedelta(minutes=140))
    assert len(await _notices(world)) == 2  # nothing new written since


async def test_no_notice_when_the_officer_answered(world: World) -> None:
    ani, case = await _held(world)
    await world.say("w1", "halo, ada petugas?")
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.reply(session, ani, row, "Halo, saya Ani. Ada yang bisa saya bantu?")
    await _run(world, utcnow() + timedelta(minutes=10))
    assert await _notices(world) == []


async def test_no_notice_when_nobody_holds_the_chat(world: World) -> None:
    await world.say("w2", "saya mau bicara dengan orang")
    replies = await world.say("w2", "halo, ada petugas?")
    assert replies  # the bot answers when no officer holds the chat
    await _run(world, utcnow() + timedelta(minutes=10))
    assert await _notices(world) == []


async def test_the_officer_joining_counts_as_an_answer(world: World) -> None:
    await world.say("w3", "saya mau bicara dengan orang")
    wrote = utcnow()
    ani = await world.staff("ani")
    case = await world.case()
    async with world.sessions.begin() as session:
        await world.desk.claim(session, ani, await session.get_one(Case, case.id))
    # The request for a person was answered by the officer's joining: nothing is waiting.
    await _run(world, wrote + timedelta(minutes=10))
    assert await _notices(world) == []


async def test_an_emergency_still_gets_the_emergency_reply_at_once(world: World) -> None:
    await _held(world)
    replies = await world.say("w1", "tolong, saya sedang dipukul majikan")
    assert replies and replies[0].text.startswith("EMERGENCY MY")


async def test_the_notice_gives_the_hours_in_the_workers_time() -> None:
    monday_noon_jakarta = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    text = waiting_notice("id", "Migrant CARE", CASEWORK, "MY", monday_noon_jakarta)
    # 17:00 in Jakarta is 18:00 in Kuala Lumpur.
    assert "Migrant CARE" in text and "18.00" in text and "waktu Anda" in text
    saturday = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
    text = waiting_notice("en", "Migrant CARE", CASEWORK, "HK", saturday)
    # Monday 08:00 in Jakarta is Monday 09:00 in Hong Kong.
    assert "Monday 30 November, 9:00" in text and "your time" in text
    # A country with several time zones: the organisation's, named.
    text = waiting_notice("en", "Migrant CARE", CASEWORK, "US", saturday)
    assert "8:00" in text and "Jakarta time" in text
    around_the_clock = Queue("k", "Protection", "kemlu", timedelta(hours=1))
    text = waiting_notice("en", "Kemlu", around_the_clock, "MY", saturday)
    assert "as soon as they can" in text


def test_a_country_with_one_time_has_a_zone() -> None:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    zone = worker_zone("MY", now)
    assert zone is not None and now.astimezone(zone).utcoffset() == timedelta(hours=8)
    assert worker_zone("US", now) is None and worker_zone(None, now) is None
