"""The scheduled job that queues due awareness messages into the outbox, once per worker.

Each run (bot/jobs.py, once across processes) takes every message of flows/awareness/ that is
due (send_after <= now < expires) and, for every worker who opted in on a channel, in the
message's countries, inserts one `awareness_deliveries` row per (message, worker) before the
outbound message: the unique key makes a second run, or a second process, insert nothing.

- Language: the worker's (Indonesian when unknown).
- WhatsApp: only as the approved template (ContentSid) of the worker's language, which
  WhatsApp lets through outside the 24-hour window. Without one: a "no_template" row, nothing
  sent, counted on the dashboard and logged; once editors add the template (while the message
  is due), those workers get it.
- Web chat: the page cannot be reached once closed, so only workers seen in the last
  `web_active` get it; the others get it the next time they write while it is still current.
- Pacing: a run queues at most a share (`SHARE`) of what a channel takes in a run's time
  (its outbox limit per second x the job's interval); the rest goes on the next runs, so a
  large list never crowds out the answers to workers who write now. The outbox's pacer keeps
  each channel under its limit as for every other message.

Files are read at each run: an editor's change takes effect without a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.awareness.content import Notice, load
from bot.i18n import normalise_language, translator
from bot.jobs import Job
from bot.messages import ChannelKind
from bot.storage.models import (
    AwarenessDelivery,
    Direction,
    Message,
    MessageStatus,
    Origin,
    Worker,
)

log = structlog.get_logger(__name__)

QUEUED = "queued"
NO_TEMPLATE = "no_template"
EVERY = timedelta(minutes=1)
WEB_ACTIVE = timedelta(minutes=30)
# A quarter of a channel's sending: the rest stays for conversations.
SHARE = 0.25
# Sends a second per channel (the outbox's pacers: bot/channels/telegram.py, whatsapp.py).
CHANNEL_RATE: dict[str, float] = {
    ChannelKind.TELEGRAM: 25.0,
    ChannelKind.WHATSAPP: 50.0,
    ChannelKind.WEB: 25.0,
}
CHANNELS = (ChannelKind.TELEGRAM, ChannelKind.WHATSAPP, ChannelKind.WEB)


def budget(every: timedelta, share: float = SHARE) -> dict[str, int]:
    """How many messages a run may queue per channel."""
    return {
        channel: max(1, int(rate * every.total_seconds() * share))
        for channel, rate in CHANNEL_RATE.items()
    }


@dataclass
class Queued:
    """What a run did, per message id: {"telegram": 3, "no_template": 1, ...}."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, notice: str, key: str) -> None:
        per = self.counts.setdefault(notice, {})
        per[key] = per.get(key, 0) + 1

    def __bool__(self) -> bool:
        return bool(self.counts)


async def queue_due(
    session: AsyncSession,
    notices: Sequence[Notice],
    now: datetime,
    *,
    limits: dict[str, int],
    web_active: timedelta = WEB_ACTIVE,
) -> Queued:
    """Queue every due notice for the subscribed workers who have not had it, within `limits`."""
    done = Queued()
    left = dict(limits)
    for notice in sorted((n for n in notices if n.due(now)), key=lambda n: (n.send_after, n.id)):
        for channel in CHANNELS:
            if left.get(channel, 0) <= 0:
                continue
            for worker in await _recipients(
                session, notice, channel, now, left[channel], web_active
            ):
                outcome = await _deliver(session, notice, worker, now)
                if outcome is not None:
                    done.add(notice.id, outcome)
                    left[channel] -= 1
    return done


async def _recipients(
    session: AsyncSession,
    notice: Notice,
    channel: str,
    now: datetime,
    limit: int,
    web_active: timedelta,
) -> Sequence[Worker]:
    had = exists().where(
        AwarenessDelivery.awareness_id == notice.id, AwarenessDelivery.worker_id == Worker.id
    )
    if channel == ChannelKind.WHATSAPP and notice.whatsapp:
        # Skipped for want of a template that editors have added since: their turn now.
        had = had.where(
            ~(
                (AwarenessDelivery.status == NO_TEMPLATE)
                & AwarenessDelivery.language.in_(sorted(notice.whatsapp))
            )
        )
    query = select(Worker).where(
        Worker.channel == channel, Worker.awareness_since.is_not(None), ~had
    )
    if notice.countries is not None:
        query = query.where(Worker.country.in_(sorted(notice.countries)))
    if channel == ChannelKind.WEB:
        query = query.where(Worker.last_seen_at >= now - web_active)
    return (await session.scalars(query.order_by(Worker.id).limit(limit))).all()


async def _deliver(
    session: AsyncSession, notice: Notice, worker: Worker, now: datetime
) -> str | None:
    """One worker's copy: the delivery row first (None: another run has it), then the message."""
    lang = normalise_language(worker.language)
    template = notice.template_for(lang) if worker.channel == ChannelKind.WHATSAPP else None
    skipped = worker.channel == ChannelKind.WHATSAPP and template is None
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    delivery_id = await session.scalar(
        insert(AwarenessDelivery)
        .values(
            awareness_id=notice.id,
            worker_id=worker.id,
            status=NO_TEMPLATE if skipped else QUEUED,
            channel=worker.channel,
            language=lang,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(AwarenessDelivery.id)
    )
    if delivery_id is None and template is not None:
        # Skipped before, and the template is here now: taken over by one run only.
        delivery_id = await session.scalar(
            update(AwarenessDelivery)
            .where(
                AwarenessDelivery.awareness_id == notice.id,
                AwarenessDelivery.worker_id == worker.id,
                AwarenessDelivery.status == NO_TEMPLATE,
            )
            .values(status=QUEUED, language=lang, created_at=now)
            .returning(AwarenessDelivery.id)
        )
    if delivery_id is None:
        return None
    if skipped:
        log.warning("awareness.no_template", awareness=notice.id, language=lang)
        return NO_TEMPLATE
    message = Message(
        worker_id=worker.id,
        direction=Direction.OUT,
        channel=worker.channel,
        text=_text(notice, lang),
        status=MessageStatus.PENDING,
        origin=Origin.AWARENESS,
        language=lang,
        template=template.stored() if template is not None else None,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    await session.execute(
        update(AwarenessDelivery)
        .where(AwarenessDelivery.id == delivery_id)
        .values(message_id=message.id)
    )
    return str(worker.channel)


def _text(notice: Notice, lang: str) -> str:
    """The editors' text and how to stop (a WhatsApp template carries its own words)."""
    _ = translator(lang).gettext
    stop = _("To stop these tips and warnings, write STOP INFO.")
    return f"{notice.text_for(lang)}\n\n{stop}"


def awareness_job(
    root: Path,
    *,
    every: timedelta = EVERY,
    web_active: timedelta = WEB_ACTIVE,
    limits: dict[str, int] | None = None,
    notices: Callable[[], Sequence[Notice]] | None = None,
) -> Job:
    """The job for `scheduled()` (bot/server.py): the messages under root/flows/awareness/."""
    per_run = limits or budget(every)

    def current() -> Sequence[Notice]:
        found, problems = load(root)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            # The valid messages still go; `helpline check` names the broken ones.
            log.error("awareness.invalid", problems=len(errors))
        return found

    async def work(session: AsyncSession, now: datetime) -> dict[str, dict[str, int]] | None:
        done = await queue_due(
            session, (notices or current)(), now, limits=per_run, web_active=web_active
        )
        return done.counts or None

    return Job("awareness", every, work)
