"""Retention: closed cases lose the worker's personal data a set time after closing
(HELPLINE_RETENTION_DAYS), and so do workers who have nothing left with us.

What goes: the complaint's answers (names, passport and phone numbers, what happened, the
list of files), officers' notes, the link to the worker; a worker with no case still kept and
no message within the period goes whole (their channel id, which is a phone number on
WhatsApp, every message and evidence file, the dialogue state); a worker who still writes
keeps only messages younger than the period, unless a case is still kept (its officers need
the conversation behind it); the scrubbed messages kept for editors to label (bot/learning)
go after the same period. What stays, for reports: each case's category, country, source,
priority, organisation, queue, dates and outcome, and the audit log (never personal data).

A scheduled job (bot/jobs.py) runs it once across processes, a batch per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.audit import audit
from bot.cases.status import Status
from bot.jobs import Job
from bot.learning.store import delete_older_than
from bot.storage.models import Case, CaseNote, Message, Referral, Worker

BATCH = 500  # of cases, workers and messages per run: transactions stay short


@dataclass(frozen=True)
class Removed:
    """What one run removed: counts only."""

    cases: int = 0
    workers: int = 0
    messages: int = 0
    unrecognised: int = 0  # scrubbed messages kept for editors (bot/learning)

    def __bool__(self) -> bool:
        return bool(self.cases or self.workers or self.messages or self.unrecognised)


async def strip_case(session: AsyncSession, case: Case) -> None:
    """The case keeps its counts and loses what is personal: the answers, the notes, the
    worker. (Also used when a worker asks to be forgotten.)"""
    await session.execute(delete(CaseNote).where(CaseNote.case_id == case.id))
    # A declined referral's reason is free text about the worker.
    await session.execute(update(Referral).where(Referral.case_id == case.id).values(reason=None))
    case.record = None
    case.worker_id = None
    case.chat_held_by = None


async def apply_retention(
    session: AsyncSession, now: datetime, retention: timedelta, batch: int = BATCH
) -> Removed:
    """One run: closed cases past the period, then idle workers, then old messages."""
    cutoff = now - retention
    cases = (
        await session.scalars(
            select(Case)
            .where(
                Case.status == Status.CLOSED,
                Case.closed_at < cutoff,
                Case.anonymised_at.is_(None),
            )
            .order_by(Case.id)
            .limit(batch)
        )
    ).all()
    for case in cases:
        await strip_case(session, case)
        case.anonymised_at = now
        audit(session, "anonymised", staff_id=None, case_id=case.id)
    await session.flush()

    # Every case a worker still has is kept (open, or closed within the period): anonymised
    # ones no longer point to them.
    kept = exists().where(Case.worker_id == Worker.id)
    idle = (
        await session.scalars(
            select(Worker.id)
            .where(Worker.last_seen_at < cutoff, ~kept)
            .order_by(Worker.id)
            .limit(batch)
        )
    ).all()
    if idle:
        # Their conversation, messages, evidence and screen ids go with them (ON DELETE
        # CASCADE); events keep no personal data and lose the link.
        await session.execute(
            delete(Worker).where(Worker.id.in_(idle)).execution_options(synchronize_session=False)
        )

    kept_for_message = exists().where(Case.worker_id == Message.worker_id)
    old = (
        await session.scalars(
            select(Message.id)
            .where(Message.created_at < cutoff, ~kept_for_message)
            .order_by(Message.id)
            .limit(batch)
        )
    ).all()
    if old:
        await session.execute(
            update(Message)
            .where(Message.in_reply_to.in_(old))
            .values(in_reply_to=None)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            delete(Message).where(Message.id.in_(old)).execution_options(synchronize_session=False)
        )

    # Scrubbed as they are, the messages kept for editors go after the same period.
    unrecognised = await delete_older_than(session, cutoff)
    removed = Removed(len(cases), len(idle), len(old), unrecognised)
    if removed:
        audit(
            session,
            "retention",
            staff_id=None,
            cases=removed.cases,
            workers=removed.workers,
            messages=removed.messages,
            unrecognised=removed.unrecognised,
            days=retention.days,
        )
    return removed


def retention_job(retention: timedelta, every: timedelta = timedelta(hours=1)) -> Job:
    """Applies the retention period every hour, in one process of however many there are."""

    async def work(session: AsyncSession, now: datetime) -> Removed:
        return await apply_retention(session, now, retention)

    return Job("retention", every, work)
