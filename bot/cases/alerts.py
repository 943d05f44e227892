"""Telling staff: urgent cases to the officers on duty at every organisation holding them,
urgent cases nobody took up and overdue ones to supervisors; in the dashboard, and in Telegram
staff chats (an organisation's in organisations.yml, the helpline's HELPLINE_TELEGRAM_STAFF_CHAT)."""

from __future__ import annotations

from collections.abc import Iterable
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
from bot.cases.status import Priority, Status
from bot.jobs import Job
from bot.storage.models import Case, CaseAccess, Staff, StaffNotification

log = structlog.get_logger(__name__)


class NoticeKind(StrEnum):
    """What a staff notification is about (stored in staff_notifications.kind)."""

    URGENT = "urgent"
    OVERDUE = "overdue"
    ASSIGNED = "assigned"
    UNCLAIMED = "unclaimed"  # urgent, and nobody took it up in time: to supervisors
    REFERRED = "referred"  # a case referred to the organisation, waiting for its answer
    ACCEPTED = "accepted"  # the referral one made was accepted
    DECLINED = "declined"  # ... or declined
    UNANSWERED = "unanswered"  # a message the bot could not process (bot/retry.py)


class StaffChatQueue(Protocol):
    """Where texts for staff group chats go (bot.cases.staff_chat.StaffMessages)."""

    def queue(
        self, session: AsyncSession, chat_id: str, text: str, case_id: int | None = None
    ) -> None: ...


class Alerts:
    def __init__(
        self,
        directory: Directory,
        live: Live,
        staff_chat: StaffChatQueue | None = None,
        dashboard_url: str | None = None,
        helpline_chat: str | None = None,
    ) -> None:
        self.directory = directory
        self.live = live
        self.staff_chat = staff_chat
        self.dashboard_url = dashboard_url
        self.helpline_chat = helpline_chat  # HELPLINE_TELEGRAM_STAFF_CHAT: every urgent case

    async def urgent(
        self, session: AsyncSession, case: Case, organisations: Iterable[str] | None = None
    ) -> None:
        """An urgent case (new, just made urgent, moved or shared): the officers on duty at
        `organisations` (default: every one holding the case) and whoever holds its chat."""
        orgs = list(organisations) if organisations is not None else await holders(session, case)
        staff: set[int] = set()
        for org in orgs:
            staff.update(await _staff(session, org, CASE_ROLES, on_duty=True))
        if case.chat_held_by is not None:
            staff.add(case.chat_held_by)
        await self._notify(session, case, NoticeKind.URGENT, sorted(staff), orgs)
        chats = [
            self.directory.organisations[o].staff_chat
            for o in orgs
            if o in self.directory.organisations
        ]
        text = (
            f"Urgent case {case.reference} in {self.directory.queue_name(case.queue)}"
            f" ({case.category or 'no category'}, {case.country or 'country unknown'})."
        )
        self._to_chats(session, case, [*chats, self.helpline_chat], text)
        audit(
            session,
            "alerted",
            staff_id=None,
            case_id=case.id,
            kind=NoticeKind.URGENT,
            organisations=orgs,
            staff=sorted(staff),
        )

    async def unclaimed(self, session: AsyncSession, case: Case, waited: timedelta) -> None:
        """Nobody took up an urgent case in time: the supervisors of every organisation
        holding it, and the staff chats."""
        orgs = await holders(session, case)
        staff: set[int] = set()
        for org in orgs:
            staff.update(await _staff(session, org, (Role.SUPERVISOR,), on_duty=False))
        await self._notify(session, case, NoticeKind.UNCLAIMED, sorted(staff), orgs)
        minutes = int(waited.total_seconds() // 60)
        text = (
            f"Nobody has taken up urgent case {case.reference} for {minutes} minutes"
            f" ({case.category or 'no category'}, {case.country or 'country unknown'})."
        )
        chats = [
            self.directory.organisations[o].staff_chat
            for o in orgs
            if o in self.directory.organisations
        ]
        self._to_chats(session, case, [*chats, self.helpline_chat], text)
        audit(
            session,
            "alerted",
            staff_id=None,
            case_id=case.id,
            kind=NoticeKind.UNCLAIMED,
            organisations=orgs,
            staff=sorted(staff),
        )

    async def unanswered(self, session: AsyncSession, case: Case) -> None:
        """A worker's message the bot could not process waits on this case for a person."""
        staff = await _staff(session, case.organisation, CASE_ROLES, on_duty=True)
        if case.assigned_to is not None and case.assigned_to not in staff:
            staff.append(case.assigned_to)
        await self._notify(session, case, NoticeKind.UNANSWERED, staff)
        org = self.directory.organisations.get(case.organisation)
        text = f"Case {case.reference}: a message the bot could not process waits for a person."
        self._to_chats(session, case, [org.staff_chat if org else None], text)

    async def overdue(self, session: AsyncSession, case: Case) -> None:
        staff = await _staff(session, case.organisation, (Role.SUPERVISOR,), on_duty=False)
        await self._notify(session, case, NoticeKind.OVERDUE, staff)

    async def assigned(self, session: AsyncSession, case: Case, staff_id: int) -> None:
        await self._notify(session, case, NoticeKind.ASSIGNED, [staff_id])

    async def _notify(
        self,
        session: AsyncSession,
        case: Case,
        kind: NoticeKind,
        staff_ids: Iterable[int],
        organisations: Iterable[str] = (),
    ) -> None:
        topics = [f"org:{case.organisation}", *(f"org:{o}" for o in organisations)]
        for staff_id in staff_ids:
            session.add(StaffNotification(staff_id=staff_id, case_id=case.id, kind=kind))
            topics.append(f"staff:{staff_id}")
        self.live.after_commit(session, *topics)

    def _to_chats(
        self, session: AsyncSession, case: Case, chats: Iterable[str | None], text: str
    ) -> None:
        """Only the reference, category, country and link: the chat is outside the helpline."""
        if self.staff_chat is None:
            return
        if self.dashboard_url:
            text += f" {self.dashboard_url}/dashboard/cases/{case.reference}"
        for chat_id in dict.fromkeys(c for c in chats if c):
            self.staff_chat.queue(session, chat_id, text, case.id)


async def holders(session: AsyncSession, case: Case) -> list[str]:
    """The organisations holding a case: its own, then those it is shared with."""
    shared = await session.scalars(
        select(CaseAccess.organisation)
        .where(CaseAccess.case_id == case.id)
        .order_by(CaseAccess.granted_at, CaseAccess.organisation)
    )
    return list(dict.fromkeys([case.organisation, *shared.all()]))


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


async def flag_unclaimed(
    session: AsyncSession, alerts: Alerts, now: datetime, within: timedelta
) -> int:
    """Tell supervisors of the urgent cases nobody claimed or answered `within` of becoming
    urgent (each once); returns how many."""
    cases = (
        await session.scalars(
            select(Case).where(
                Case.priority == Priority.URGENT,
                Case.status != Status.CLOSED,
                Case.urgent_at.is_not(None),
                Case.urgent_at <= now - within,
                Case.urgent_taken_at.is_(None),
                Case.unclaimed_alerted_at.is_(None),
            )
        )
    ).all()
    for case in cases:
        case.unclaimed_alerted_at = now
        await alerts.unclaimed(session, case, now - (case.urgent_at or now))
    return len(cases)


async def _staff(
    session: AsyncSession, organisation: str, roles: tuple[Role, ...], *, on_duty: bool
) -> list[int]:
    query = select(Staff.id).where(
        Staff.organisation == organisation, Staff.role.in_(roles), Staff.active.is_(True)
    )
    if on_duty:
        query = query.where(Staff.on_duty.is_(True))
    return list((await session.scalars(query)).all())


def unclaimed_job(
    alerts: Alerts, within: timedelta, every: timedelta = timedelta(minutes=1)
) -> Job:
    """Urgent cases nobody took up in time reach the supervisors (HELPLINE_URGENT_CLAIM_MINUTES)."""

    async def work(session: AsyncSession, now: datetime) -> int:
        return await flag_unclaimed(session, alerts, now, within)

    return Job("flag_unclaimed", every, work)


def overdue_job(alerts: Alerts, every: timedelta = timedelta(minutes=1)) -> Job:
    """Flags overdue cases once a minute, in one process of however many serve the database."""

    async def work(session: AsyncSession, now: datetime) -> int:
        return await flag_overdue(session, alerts, now)

    return Job("flag_overdue", every, work)
