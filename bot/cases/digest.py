"""Each organisation's daily digest for its supervisors: open cases, those waiting past their
queue's time limit, those nobody claimed, and referrals waiting for its answer.

The dashboard shows it live (/dashboard/digest); a scheduled job sends it once a day to the
organisation's Telegram staff chat at a local hour. The Telegram text carries references,
counts, categories and waiting times only: never a worker's name, number or words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from babel.dates import format_date, format_timedelta
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.alerts import StaffChatQueue
from bot.cases.directory import Directory, Organisation
from bot.cases.referrals import ReferralStatus
from bot.cases.status import Priority, Status
from bot.i18n import locale, translator
from bot.jobs import Job
from bot.storage.models import Case, DigestRun, Referral

log = structlog.get_logger(__name__)

LISTED = 10  # cases listed per section in the Telegram text; the rest are counted


@dataclass(frozen=True)
class Waiting:
    """A case as the digest lists it."""

    reference: str
    category: str | None
    queue: str
    urgent: bool
    waited: timedelta  # since it entered its queue
    overdue: bool  # waited past its queue's time limit


@dataclass(frozen=True)
class Digest:
    organisation: str
    at: datetime
    open: int
    unclaimed: list[Waiting]  # longest waiting first
    referred: int  # referrals to the organisation waiting for its answer
    by_category: list[tuple[str | None, int]] = field(default_factory=list)  # open cases

    @property
    def overdue(self) -> list[Waiting]:
        return [w for w in self.unclaimed if w.overdue]

    @property
    def empty(self) -> bool:
        return self.open == 0 and self.referred == 0


async def build(
    session: AsyncSession, directory: Directory, organisation: str, now: datetime
) -> Digest:
    cases = (
        await session.scalars(
            select(Case).where(Case.organisation == organisation, Case.status != Status.CLOSED)
        )
    ).all()
    unclaimed = []
    for case in cases:
        if case.assigned_to is not None:
            continue
        queue = directory.queues.get(case.queue)
        waited = now - case.queued_at
        overdue = case.overdue_at is not None or (queue is not None and waited >= queue.time_limit)
        unclaimed.append(
            Waiting(
                case.reference,
                case.category,
                case.queue,
                case.priority == Priority.URGENT,
                waited,
                overdue,
            )
        )
    unclaimed.sort(key=lambda w: (not w.urgent, -w.waited))
    referred = await session.scalar(
        select(func.count())
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .where(
            Referral.to_organisation == organisation,
            Referral.status == ReferralStatus.PENDING,
            Case.status != Status.CLOSED,
        )
    )
    categories = Counter(case.category for case in cases)
    return Digest(
        organisation,
        now,
        len(cases),
        unclaimed,
        int(referred or 0),
        sorted(categories.items(), key=lambda kv: (-kv[1], kv[0] or "")),
    )


def telegram_text(
    digest: Digest, directory: Directory, lang: str, dashboard_url: str | None = None
) -> str:
    """The digest as a staff chat reads it: no personal data."""
    _ = translator(lang).gettext
    org = directory.organisations.get(digest.organisation)
    zone = org.zone if org else ZoneInfo("Asia/Jakarta")
    day = format_date(digest.at.astimezone(zone).date(), "full", locale=locale(lang))
    name = directory.organisation_name(digest.organisation, lang)
    lines = [
        _("Daily digest of {organisation}, {day}").format(organisation=name, day=day),
        _(
            "Open cases: {open}. Not claimed: {unclaimed}. Past the time limit: {overdue}. "
            "Referred to you, waiting for your answer: {referred}."
        ).format(
            open=digest.open,
            unclaimed=len(digest.unclaimed),
            overdue=len(digest.overdue),
            referred=digest.referred,
        ),
    ]
    sections = (
        (_("Past the time limit:"), digest.overdue),
        (_("Not claimed yet:"), [w for w in digest.unclaimed if not w.overdue]),
    )
    for title, cases in sections:
        if not cases:
            continue
        lines += ["", title]
        lines += [_line(w, lang) for w in cases[:LISTED]]
        if len(cases) > LISTED:
            lines.append(_("… and {count} more").format(count=len(cases) - LISTED))
    if digest.by_category:
        counts = ", ".join(f"{_category(c, lang)} {n}" for c, n in digest.by_category)
        lines += ["", _("Open cases by category: {counts}").format(counts=counts)]
    if dashboard_url:
        lines += ["", f"{dashboard_url}/dashboard/digest"]
    return "\n".join(lines)


def _line(waiting: Waiting, lang: str) -> str:
    _ = translator(lang).gettext
    waited = format_timedelta(
        waiting.waited, granularity="minute", threshold=1.5, format="short", locale=locale(lang)
    )
    urgent = " (" + _("urgent") + ")" if waiting.urgent else ""
    text = _("{reference} · {category} · waiting {waited}").format(
        reference=waiting.reference, category=_category(waiting.category, lang), waited=waited
    )
    return f"• {text}{urgent}"


def _category(category: str | None, lang: str) -> str:
    if category is None:
        return translator(lang).gettext("no category")
    return category.replace("_", " ")


# Sending once a day --------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSchedule:
    """Where and when digests go: each organisation's staff chat (or `fallback_chat`), at its
    `digest_hour` (or `hour`) in its own time zone."""

    hour: int = 7
    fallback_chat: str | None = None
    language: str = "id"
    dashboard_url: str | None = None

    def chat_for(self, org: Organisation) -> str | None:
        return org.staff_chat or self.fallback_chat

    def hour_for(self, org: Organisation) -> int:
        return org.digest_hour if org.digest_hour is not None else self.hour


async def send_due(
    session: AsyncSession,
    directory: Directory,
    chat: StaffChatQueue | None,
    schedule: DigestSchedule,
    now: datetime,
    organisations: Sequence[Organisation] | None = None,
) -> int:
    """Each organisation whose local digest hour has come and whose digest for its local day
    was not sent yet: build it and send it. How many were sent.

    Each is recorded in the transaction of the scheduled job, and its text queued for the staff
    chat in the same transaction (bot/cases/staff_chat.py sends it, and retries until it goes)."""
    if chat is None:
        return 0
    sent = 0
    for org in organisations or list(directory.organisations.values()):
        chat_id = schedule.chat_for(org)
        if chat_id is None:
            continue
        local = now.astimezone(org.zone)
        if local.hour < schedule.hour_for(org):
            continue
        if await session.get(DigestRun, (org.id, local.date())) is not None:
            continue
        digest = await build(session, directory, org.id, now)
        session.add(DigestRun(organisation=org.id, day=local.date(), sent_at=now))
        if not digest.empty:  # nothing open: nothing to tell, the day is done
            text = telegram_text(digest, directory, schedule.language, schedule.dashboard_url)
            chat.queue(session, chat_id, text)
            sent += 1
    return sent


def digest_job(
    directory: Directory,
    chat: StaffChatQueue | None,
    schedule: DigestSchedule,
    every: timedelta = timedelta(minutes=5),
) -> Job:
    """Looks every few minutes for organisations whose digest hour has come (one process)."""

    async def work(session: AsyncSession, now: datetime) -> int:
        return await send_due(session, directory, chat, schedule, now)

    return Job("daily_digest", every, work)
