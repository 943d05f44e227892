"""Telling staff: new urgent cases to the organisation's officers on duty, overdue cases to its
supervisors; in the dashboard, and in a Telegram staff chat if organisations.yml names one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.audit import audit
from bot.cases.directory import Directory
from bot.cases.live import Live
from bot.cases.permissions import CASE_ROLES, Role
from bot.cases.status import Status
from bot.jobs import Job
from bot.storage.models import Case, Staff, StaffNotification

log = structlog.get_logger(__name__)


class NoticeKind(StrEnum):
    """What a staff notification is about (stored in staff_notifications.kind)."""

    URGENT = "urgent"
    OVERDUE = "overdue"
    ASSIGNED = "assigned"
    UNANSWERED = "unanswered"  # a message the bot could not process (bot/retry.py)


class StaffChat(Protocol):
    """Sends a text to a staff group chat (Telegram); errors are the sender's to log."""

    async def send(self, chat_id: str, text: str) -> None: ...


class Alerts:
    def __init__(
        self,
        directory: Directory,
        live: Live,
        staff_chat: StaffChat | None = None,
        dashboard_url: str | None = None,
    ) -> None:
        self.directory = directory
        self.live = live
        self.staff_chat = staff_chat
        self.dashboard_url = dashboard_url

    async def urgent(self, session: AsyncSession, case: Case) -> None:
        """A new urgent case (or one just made urgent, or just moved here)."""
        staff = await _staff(session, case.organisation, CASE_ROLES, on_duty=True)
        await self._notify(session, case, NoticeKind.URGENT, staff)
        org = self.directory.organisations.get(case.organisation)
        if org is not None and org.staff_chat and self.staff_chat is not None:
            text = (
                f"Urgent case {case.reference} in {self.directory.queue_name(case.queue)}"
                f" ({case.category or 'no category'}, {case.country or 'country unknown'})."
            )
            if self.dashboard_url:
                text += f" {self.dashboard_url}/dashboard/cases/{case.reference}"
            self.live.after_commit(session, task=_send(self.staff_chat, org.staff_chat, text))

    async def unanswered(self, session: AsyncSession, case: Case) -> None:
        """A worker's message the bot could not process waits on this case for a person."""
        staff = await _staff(session, case.organisation, CASE_ROLES, on_duty=True)
        if case.assigned_to is not None and case.assigned_to not in staff:
            staff.append(case.assigned_to)
        await self._notify(session, case, NoticeKind.UNANSWERED, staff)
        org = self.directory.organisations.get(case.organisation)
        if org is not None and org.staff_chat and self.staff_chat is not None:
            text = f"Case {case.reference}: a message the bot could not process waits for a person."
            if self.dashboard_url:
                text += f" {self.dashboard_url}/dashboard/cases/{case.reference}"
            self.live.after_commit(session, task=_send(self.staff_chat, org.staff_chat, text))

    async def overdue(self, session: AsyncSession, case: Case) -> None:
        staff = await _staff(session, case.organisation, (Role.SUPERVISOR,), on_duty=False)
        await self._notify(session, case, NoticeKind.OVERDUE, staff)

    async def assigned(self, session: AsyncSession, case: Case, staff_id: int) -> None:
        await self._notify(session, case, NoticeKind.ASSIGNED, [staff_id])

    async def _notify(
        self, session: AsyncSession, case: Case, kind: NoticeKind, staff_ids: Iterable[int]
    ) -> None:
        topics = [f"org:{case.organisation}"]
        for staff_id in staff_ids:
            session.add(StaffNotification(staff_id=staff_id, case_id=case.id, kind=kind))
            topics.append(f"staff:{staff_id}")
        self.live.after_commit(session, *topics)


async def flag_overdue(session: AsyncSession, alerts: Alerts, now: datetime) -> int:
    """Flag the cases that waited for an officer past their queue's time limit; how many."""
    waiting = (
        await session.scalars(
            select(Case).where(
                Case.status == Status.NEW, Case.assigned_to.is_(None), Case.overdue_at.is_(None)
            )
        )
    ).all()
    flagged = 0
    for case in waiting:
        queue = alerts.directory.queues.get(case.queue)
        if queue is None or now - case.queued_at < queue.time_limit:
            continue
        case.overdue_at = now
        audit(session, "flagged_overdue", staff_id=None, case_id=case.id, queue=case.queue)
        await alerts.overdue(session, case)
        flagged += 1
    return flagged


async def _staff(
    session: AsyncSession, organisation: str, roles: tuple[Role, ...], *, on_duty: bool
) -> list[int]:
    query = select(Staff.id).where(
        Staff.organisation == organisation, Staff.role.in_(roles), Staff.active.is_(True)
    )
    if on_duty:
        query = query.where(Staff.on_duty.is_(True))
    return list((await session.scalars(query)).all())


def _send(chat: StaffChat, chat_id: str, text: str) -> Callable[[], Awaitable[None]]:
    async def send() -> None:
        await chat.send(chat_id, text)
        log.info("staff_chat.sent")

    return send


def overdue_job(alerts: Alerts, every: timedelta = timedelta(minutes=1)) -> Job:
    """Flags overdue cases once a minute, in one process of however many serve the database."""

    async def work(session: AsyncSession, now: datetime) -> int:
        return await flag_overdue(session, alerts, now)

    return Job("flag_overdue", every, work)
