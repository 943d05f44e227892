"""New urgent cases notify the organisation's officers on duty (and its staff chat); a case
waiting past its queue's time limit is flagged once and its supervisors are told."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.cases import Alerts, Desk, StaffMessages, flag_overdue
from bot.storage.models import Case, Staff, StaffNotification
from tests.cases.conftest import World
from tests.waiting import eventually


class StaffChat:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat_id: str, text: str) -> None:
        self.sent.append((chat_id, text))


async def _notified(world: World, kind: str) -> list[int]:
    async with world.sessions() as session:
        rows = await session.scalars(
            select(StaffNotification.staff_id).where(StaffNotification.kind == kind)
        )
        return sorted(rows.all())


async def test_urgent_cases_notify_officers_on_duty_and_the_staff_chat(world: World) -> None:
    on_duty = await world.staff("budi", organisation="kbri-kuala-lumpur")
    off_duty = await world.staff("cici", organisation="kbri-kuala-lumpur")
    async with world.sessions.begin() as session:
        (await session.get_one(Staff, off_duty.id)).on_duty = False
    elsewhere = await world.staff("ani")
    chat = StaffChat()
    directory = world.desk.directory
    org = directory.organisations["kbri-kuala-lumpur"]
    directory.organisations["kbri-kuala-lumpur"] = type(org)(
        **{**org.__dict__, "staff_chat": "-100123"}
    )
    try:
        queue = StaffMessages(world.sessions, world.desk.live, chat, clock=world.clock)
        world.desk.alerts = Alerts(directory, world.desk.live, queue, "https://helpline.example")
        await world.say("w1", "saya sedang dipukul di malaysia")
    finally:
        directory.organisations["kbri-kuala-lumpur"] = org
    case = await world.case()
    assert await _notified(world, "urgent") == [on_duty.id]
    assert elsewhere.id not in await _notified(world, "urgent")
    # The staff chat is sent after the commit, in the background.
    await eventually(lambda: chat.sent, what="the staff chat's message")
    [(chat_id, text)] = chat.sent
    assert chat_id == "-100123" and case.reference in text
    assert "dipukul" not in text  # no words of the worker's


async def test_waiting_past_the_time_limit_is_flagged_once(world: World) -> None:
    supervisor = await world.staff("sari", role="supervisor")
    await world.staff("ani")
    await world.say("w2", "orang")
    desk: Desk = world.desk
    async with world.sessions.begin() as session:
        assert await flag_overdue(session, desk.alerts, world.clock.now) == 0
    later = world.clock.now + timedelta(minutes=241)  # Migrant CARE's case work: 240 minutes
    async with world.sessions.begin() as session:
        assert await flag_overdue(session, desk.alerts, later) == 1
    async with world.sessions.begin() as session:
        assert await flag_overdue(session, desk.alerts, later) == 0
    assert await _notified(world, "overdue") == [supervisor.id]
    async with world.sessions() as session:
        case = await session.scalar(select(Case))
        assert case is not None and case.overdue_at == later
