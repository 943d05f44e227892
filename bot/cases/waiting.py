"""Nobody waits in silence: while an officer holds a worker's chat the bot is quiet, so a worker
whose message has had no human answer for a few minutes is told, once, that it reached the
officer and when to expect an answer (the organisation's hours, in the worker's own time).

Another notice comes only after a longer silence, and only if they wrote again since. A job
(bot/jobs.py) looks once a minute, in one process of however many serve the database; the
notice goes out through the outbox like every reply. The emergency reply never waits for this:
danger is answered at once by the dialogue, officer or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.core import get_global
from babel.dates import format_datetime, format_time
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.audit import audit
from bot.cases.directory import Directory, Queue
from bot.cases.live import Live
from bot.cases.status import Status
from bot.i18n import locale, normalise_language, translator
from bot.jobs import Job
from bot.outbox import enqueue
from bot.storage.models import Case, Direction, Message, Origin, Worker


def worker_zone(country: str | None, now: datetime) -> ZoneInfo | None:
    """The time zone of the worker's country, if the whole country keeps one time (CLDR's
    zones of the territory, as Babel has them)."""
    if country is None:
        return None
    names: Sequence[str] = get_global("territory_zones").get(country.upper(), ())
    zones = [ZoneInfo(name) for name in names]
    if not zones or len({now.astimezone(zone).utcoffset() for zone in zones}) != 1:
        return None
    return zones[0]


def waiting_notice(
    lang: str, organisation: str, queue: Queue, country: str | None, now: datetime
) -> str:
    """The notice, in the worker's language, with the hours in the worker's time zone (or the
    organisation's, named, when the worker's is not known)."""
    _ = translator(lang).gettext
    parts = [
        _("Your message has reached the officer from {organisation}.").format(
            organisation=organisation
        )
    ]
    hours = queue.hours
    if hours is None:
        parts.append(_("They will answer you here as soon as they can."))
    else:
        zone = worker_zone(country, now)
        if zone is not None:
            place = _("your time")
        else:
            zone = ZoneInfo(hours.timezone)
            city = hours.timezone.rsplit("/", 1)[-1].replace("_", " ")
            place = _("{city} time").format(city=city)
        closes = hours.closes(now)
        if closes is not None:
            parts.append(
                _(
                    "They are helping other workers too and will answer you here as soon as "
                    "they can. They work until {time} ({place})."
                ).format(
                    time=format_time(closes.astimezone(zone), "short", locale=locale(lang)),
                    place=place,
                )
            )
        else:
            opens = hours.next_open(now).astimezone(zone)
            day = format_datetime(opens, "EEEE d MMMM", locale=locale(lang))
            when = f"{day}, {format_time(opens, 'short', locale=locale(lang))}"
            parts.append(
                _(
                    "They are not at work now. They will answer you here from {when} ({place})."
                ).format(when=when, place=place)
            )
    parts.append(
        _(
            'You do not need to write again. If you are in danger now, write "darurat" or "emergency".'
        )
    )
    return " ".join(parts)


async def send_waiting_notices(
    session: AsyncSession,
    directory: Directory,
    live: Live,
    now: datetime,
    *,
    after: timedelta,
    repeat: timedelta,
) -> int:
    """Tell each worker waiting for an officer's answer past `after` (once; again past
    `repeat`); returns how many were told."""
    held = (
        await session.scalars(
            select(Case)
            .where(
                Case.status != Status.CLOSED,
                Case.chat_held_by.is_not(None),
                Case.worker_id.is_not(None),
            )
            .order_by(Case.id)
        )
    ).all()
    told: set[int] = set()
    for case in held:
        worker_id = case.worker_id
        if worker_id is None or worker_id in told:
            continue
        if not await _due(session, case, worker_id, now, after, repeat):
            continue
        worker = await session.get_one(Worker, worker_id)
        lang = normalise_language(worker.language)
        queue = directory.queues.get(case.queue)
        if queue is None:
            continue
        organisation = directory.organisation_name(case.organisation)
        text = waiting_notice(lang, organisation, queue, worker.country, now)
        await enqueue(session, worker_id, text, origin=Origin.WAITING, now=now)
        audit(session, "waiting_notice", staff_id=None, case_id=case.id)
        live.after_commit(session, f"worker:{worker_id}", f"case:{case.id}")
        told.add(worker_id)
    return len(told)


async def _due(
    session: AsyncSession,
    case: Case,
    worker_id: int,
    now: datetime,
    after: timedelta,
    repeat: timedelta,
) -> bool:
    out = and_(Message.worker_id == worker_id, Message.direction == Direction.OUT)
    # A human answer: an officer's words, or the desk's notice of what an officer did (joined,
    # moved the case); the bot's replies answer a message (in_reply_to), notices do not.
    human = or_(
        Message.origin == Origin.OFFICER,
        and_(Message.origin.is_(None), Message.in_reply_to.is_(None)),
    )
    answered = await session.scalar(select(func.max(Message.created_at)).where(out, human))
    noticed = await session.scalar(
        select(func.max(Message.created_at)).where(out, Message.origin == Origin.WAITING)
    )
    since = max(t for t in (_aware(answered), _aware(noticed), case.created_at) if t is not None)
    first = _aware(
        await session.scalar(
            select(func.min(Message.received_at)).where(
                Message.worker_id == worker_id,
                Message.direction == Direction.IN,
                Message.received_at > since,
            )
        )
    )
    if first is None or now - first < after:
        return False
    noticed_at, answered_at = _aware(noticed), _aware(answered)
    noticed_last = noticed_at is not None and (answered_at is None or noticed_at > answered_at)
    return not (noticed_last and noticed_at is not None and now - noticed_at < repeat)


def _aware(value: datetime | str | None) -> datetime | None:
    """func.max() on SQLite returns the stored text, not a datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def waiting_job(
    directory: Directory,
    live: Live,
    *,
    after: timedelta,
    repeat: timedelta,
    every: timedelta = timedelta(minutes=1),
) -> Job:
    """HELPLINE_WAITING_NOTICE_MINUTES and _REPEAT_MINUTES: `after` and `repeat`."""

    async def work(session: AsyncSession, now: datetime) -> int:
        return await send_waiting_notices(session, directory, live, now, after=after, repeat=repeat)

    return Job("waiting_notice", every, work)
