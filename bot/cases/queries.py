"""Reading cases for the dashboard and the command line: queues, lists, a case's conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer
from sqlalchemy.sql.elements import ColumnElement

from bot.cases.directory import Directory
from bot.cases.permissions import Actor
from bot.cases.references import normalise
from bot.storage.models import (
    Case,
    CaseAccess,
    CaseMessage,
    CaseNote,
    Evidence,
    Message,
    Staff,
)

CONVERSATION_LIMIT = 500


def visible(actor: Actor) -> ColumnElement[bool]:
    """The cases a staff member may see at all (permissions.can decides each action)."""
    if not actor.works_cases:
        return Case.id.is_(None)  # matches nothing
    shared = select(CaseAccess.case_id).where(CaseAccess.organisation == actor.organisation)
    return or_(Case.organisation == actor.organisation, Case.id.in_(shared))


@dataclass(frozen=True)
class QueueSummary:
    id: str
    name: str
    open: int
    unassigned: int
    urgent: int  # urgent and unassigned
    overdue: int
    oldest_waiting: datetime | None


async def queue_summaries(
    session: AsyncSession, directory: Directory, organisation: str
) -> list[QueueSummary]:
    rows = (
        await session.execute(
            select(
                Case.queue,
                func.count(),
                func.sum(when((Case.assigned_to.is_(None), 1), else_=0)),
                func.sum(
                    when((and_(Case.assigned_to.is_(None), Case.priority == "urgent"), 1), else_=0)
                ),
                func.sum(when((Case.overdue_at.is_not(None), 1), else_=0)),
                func.min(when((Case.assigned_to.is_(None), Case.queued_at), else_=None)),
            )
            .where(Case.organisation == organisation, Case.status != "closed")
            .group_by(Case.queue)
        )
    ).all()
    by_queue = {row[0]: row for row in rows}
    org = directory.organisations.get(organisation)
    summaries = []
    for queue in org.queues if org else ():
        row = by_queue.get(queue.id)
        summaries.append(
            QueueSummary(
                queue.id,
                queue.name,
                int(row[1]) if row else 0,
                int(row[2] or 0) if row else 0,
                int(row[3] or 0) if row else 0,
                int(row[4] or 0) if row else 0,
                _aware(row[5]) if row else None,
            )
        )
    return summaries


def case_list(
    actor: Actor,
    *,
    queue: str | None = None,
    mine: bool = False,
    shared: bool = False,
    closed: bool = False,
) -> Select[Case]:
    """Unassigned first, urgent on top, then the longest waiting."""
    query = select(Case).where(visible(actor))
    if queue is not None:
        query = query.where(Case.queue == queue)
    if mine:
        query = query.where(Case.assigned_to == actor.id)
    if shared:
        query = query.where(Case.organisation != actor.organisation)
    query = query.where(Case.status == "closed" if closed else Case.status != "closed")
    return query.order_by(
        Case.assigned_to.is_not(None), Case.priority != "urgent", Case.queued_at, Case.id
    ).limit(200)


async def find_case(session: AsyncSession, reference: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.reference == normalise(reference)))


@dataclass(frozen=True)
class Line:
    """One message of the conversation as an officer reads it."""

    id: int
    direction: str  # "in" | "out"
    author: str  # "worker" | "bot" | the officer's name
    text: str
    attachments: list[dict[str, str]]
    at: datetime
    status: str


async def conversation(session: AsyncSession, case: Case, after_id: int = 0) -> list[Line]:
    if case.worker_id is None:
        return []
    rows = (
        await session.execute(
            select(Message, Staff.display_name)
            .outerjoin(CaseMessage, CaseMessage.message_id == Message.id)
            .outerjoin(Staff, Staff.id == CaseMessage.staff_id)
            .where(Message.worker_id == case.worker_id, Message.id > after_id)
            .order_by(Message.id.desc())
            .limit(CONVERSATION_LIMIT)
        )
    ).all()
    lines = []
    for message, officer in reversed(rows):
        if message.direction == "in":
            author = "worker"
        elif message.origin == "officer":
            author = officer or "officer"
        else:
            author = "bot"
        lines.append(
            Line(
                message.id,
                message.direction,
                author,
                message.text,
                message.attachments or [],
                message.created_at,
                message.status,
            )
        )
    return lines


async def notes(session: AsyncSession, case: Case) -> list[tuple[CaseNote, str]]:
    rows = await session.execute(
        select(CaseNote, Staff.display_name)
        .outerjoin(Staff, Staff.id == CaseNote.staff_id)
        .where(CaseNote.case_id == case.id)
        .order_by(CaseNote.id)
    )
    return [(note, name or "—") for note, name in rows.all()]


async def evidence(session: AsyncSession, case: Case) -> list[Evidence]:
    if case.worker_id is None:
        return []
    rows = await session.scalars(
        select(Evidence)
        .where(Evidence.worker_id == case.worker_id)
        .order_by(Evidence.id)
        .options(defer(Evidence.data))  # the files themselves only when one is opened
    )
    return list(rows.all())


async def shared_with(session: AsyncSession, case: Case) -> list[CaseAccess]:
    rows = await session.scalars(select(CaseAccess).where(CaseAccess.case_id == case.id))
    return list(rows.all())


async def colleagues(session: AsyncSession, organisation: str) -> list[Staff]:
    rows = await session.scalars(
        select(Staff)
        .where(
            Staff.organisation == organisation,
            Staff.active.is_(True),
            Staff.role.in_(("officer", "supervisor")),
        )
        .order_by(Staff.display_name)
    )
    return list(rows.all())


def _aware(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes from aggregate functions.
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
