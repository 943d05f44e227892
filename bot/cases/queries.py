"""Every query the dashboard and the command line make: queues, case lists, a case's
conversation, staff, notifications and reports. Views check permissions, call one of these
and render what it returns; the desk (bot/cases/desk.py) makes the changes to cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy import case as when
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer
from sqlalchemy.sql.elements import ColumnElement

from bot.cases.directory import NO_CATEGORY, Directory
from bot.cases.permissions import CASE_ROLES, Actor
from bot.cases.references import PREFIX, normalise
from bot.cases.status import SOURCES, Priority, Source, Status
from bot.storage.models import (
    Case,
    CaseAccess,
    CaseMessage,
    CaseNote,
    Evidence,
    Message,
    Origin,
    Staff,
    StaffNotification,
    Worker,
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
                    when(
                        (and_(Case.assigned_to.is_(None), Case.priority == Priority.URGENT), 1),
                        else_=0,
                    )
                ),
                func.sum(when((Case.overdue_at.is_not(None), 1), else_=0)),
                func.min(when((Case.assigned_to.is_(None), Case.queued_at), else_=None)),
            )
            .where(Case.organisation == organisation, Case.status != Status.CLOSED)
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


@dataclass(frozen=True)
class CaseFilter:
    """Which of the cases an actor may see a list shows (every field narrows it)."""

    queue: str | None = None
    mine: bool = False
    shared: bool = False
    closed: bool = False
    status: str | None = None
    category: str | None = None  # an intent, a source ("talk_to_human") or "none"
    country: str | None = None
    reference: str | None = None  # all or part of a reference, as an officer types it


def _filtered(actor: Actor, where: CaseFilter) -> Select[Case]:
    query = select(Case).where(visible(actor))
    if where.queue is not None:
        query = query.where(Case.queue == where.queue)
    if where.mine:
        query = query.where(Case.assigned_to == actor.id)
    if where.shared:
        query = query.where(Case.organisation != actor.organisation)
    if where.status is not None:
        query = query.where(Case.status == where.status)
    else:
        closed = where.closed
        query = query.where(
            Case.status == Status.CLOSED if closed else Case.status != Status.CLOSED
        )
    if where.category == NO_CATEGORY:
        query = query.where(Case.category.is_(None), Case.source == Source.COMPLAINT)
    elif where.category in SOURCES:
        query = query.where(Case.category.is_(None), Case.source == where.category)
    elif where.category is not None:
        query = query.where(Case.category == where.category)
    if where.country is not None:
        query = query.where(Case.country == where.country)
    if where.reference:
        term = normalise(where.reference).removeprefix(f"{PREFIX}-")
        query = query.where(Case.reference.contains(term, autoescape=True))
    return query


async def case_list(
    session: AsyncSession,
    actor: Actor,
    *,
    queue: str | None = None,
    mine: bool = False,
    shared: bool = False,
    closed: bool = False,
    where: CaseFilter | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[Case]:
    """The cases `actor` may see: unassigned first, urgent on top, then the longest waiting."""
    where = where or CaseFilter(queue=queue, mine=mine, shared=shared, closed=closed)
    query = _filtered(actor, where).order_by(
        Case.assigned_to.is_not(None), Case.priority != Priority.URGENT, Case.queued_at, Case.id
    )
    return list((await session.scalars(query.offset(offset).limit(limit))).all())


async def count_cases(session: AsyncSession, actor: Actor, where: CaseFilter) -> int:
    query = _filtered(actor, where).with_only_columns(func.count(), maintain_column_froms=True)
    return int(await session.scalar(query) or 0)


async def case_facets(session: AsyncSession, actor: Actor) -> tuple[list[str], list[str]]:
    """The categories (or sources) and countries of the cases `actor` may see, for filters."""
    rows = (
        await session.execute(
            select(Case.category, Case.source, Case.country).where(visible(actor)).distinct()
        )
    ).all()
    categories = {category or source for category, source, _country in rows}
    countries = {country for _category, _source, country in rows if country}
    return sorted(categories), sorted(countries)


async def worker_languages(session: AsyncSession, cases: list[Case]) -> dict[int, str]:
    """The language each case's worker writes (by worker id), for lists."""
    ids = {c.worker_id for c in cases if c.worker_id is not None}
    if not ids:
        return {}
    rows = await session.execute(select(Worker.id, Worker.language).where(Worker.id.in_(ids)))
    return {i: lang for i, lang in rows.all() if lang}


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
    # The worker's data summary (Reply.private): it lists every organisation's cases, so
    # officers see that it went out, never its text.
    private: bool = False


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
        elif message.origin == Origin.OFFICER:
            author = officer or "officer"
        else:
            author = "bot"
        private = message.origin == Origin.PRIVATE
        lines.append(
            Line(
                message.id,
                message.direction,
                author,
                "" if private else message.text,
                message.attachments or [],
                message.created_at,
                message.status,
                private,
            )
        )
    return lines


async def notes(
    session: AsyncSession, case: Case, reader: str | None
) -> list[tuple[CaseNote, str]]:
    """The notes organisation `reader` may read: its own, and those shared with every
    organisation that holds the case. Another organisation's internal notes never leave here."""
    rows = await session.execute(
        select(CaseNote, Staff.display_name)
        .outerjoin(Staff, Staff.id == CaseNote.staff_id)
        .where(CaseNote.case_id == case.id, note_readable_by(reader))
        .order_by(CaseNote.id)
    )
    return [(note, name or "—") for note, name in rows.all()]


def note_readable_by(reader: str | None) -> ColumnElement[bool]:
    if reader is None:
        return CaseNote.id.is_(None)  # matches nothing
    return or_(CaseNote.shared.is_(True), CaseNote.organisation == reader)


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
            Staff.role.in_(CASE_ROLES),
        )
        .order_by(Staff.display_name)
    )
    return list(rows.all())


async def worker(session: AsyncSession, case: Case) -> Worker | None:
    """The worker a case is about; None once they asked to be forgotten."""
    return await session.get(Worker, case.worker_id) if case.worker_id is not None else None


async def evidence_file(session: AsyncSession, case: Case, evidence_id: int) -> Evidence | None:
    """One stored file the case's worker sent, with its bytes; None if it is not theirs."""
    item = await session.get(Evidence, evidence_id)
    if item is None or item.worker_id != case.worker_id or item.data is None:
        return None
    return item


# Staff ---------------------------------------------------------------------------------------


async def staff_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(ids)))
    return {i: n for i, n in rows.all()}


async def all_staff(session: AsyncSession) -> list[Staff]:
    rows = await session.scalars(select(Staff).order_by(Staff.organisation, Staff.username))
    return list(rows.all())


async def active_staff_counts(session: AsyncSession) -> dict[str | None, int]:
    """How many active accounts each organisation has (None: editors and administrators)."""
    rows = await session.execute(
        select(Staff.organisation, func.count())
        .where(Staff.active.is_(True))
        .group_by(Staff.organisation)
    )
    return {organisation: int(n) for organisation, n in rows.all()}


# Notifications -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """An unread notification, with the reference of the case it is about."""

    id: int
    kind: str  # a bot.cases.alerts.NoticeKind
    created_at: datetime
    reference: str


async def unread_notices(session: AsyncSession, staff_id: int, limit: int = 20) -> list[Notice]:
    """The newest first."""
    rows = await session.execute(
        select(
            StaffNotification.id,
            StaffNotification.kind,
            StaffNotification.created_at,
            Case.reference,
        )
        .join(Case, Case.id == StaffNotification.case_id)
        .where(StaffNotification.staff_id == staff_id, StaffNotification.read_at.is_(None))
        .order_by(StaffNotification.id.desc())
        .limit(limit)
    )
    return [Notice(*row) for row in rows.all()]


async def unread_count(session: AsyncSession, staff_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(StaffNotification)
        .where(StaffNotification.staff_id == staff_id, StaffNotification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_notices_read(session: AsyncSession, staff_id: int, now: datetime) -> None:
    await session.execute(
        update(StaffNotification)
        .where(StaffNotification.staff_id == staff_id, StaffNotification.read_at.is_(None))
        .values(read_at=now)
    )


def _aware(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes from aggregate functions.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
