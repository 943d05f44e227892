"""What the worker is told about their case, and the one way an officer's text reaches them.

`send_to_worker` hands an outbound message to the outbox (bot/outbox), which sends it on the
worker's own channel.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime, format_time
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.directory import Queue
from bot.i18n import locale, normalise_language, translator
from bot.outbox import enqueue
from bot.storage.models import Message, Worker, utcnow


async def send_to_worker(
    session: AsyncSession, worker_id: int, text: str, *, origin: str | None = None
) -> Message:
    """Queue `text` for the worker on their channel; origin "officer" for an officer's words.

    The outbox sends it (on WhatsApp past the 24-hour window it waits for the worker)."""
    return await enqueue(session, worker_id, text, origin=origin, now=utcnow())


async def worker_language(session: AsyncSession, worker_id: int) -> str:
    worker = await session.get_one(Worker, worker_id)
    return normalise_language(worker.language)


def case_opened(lang: str, reference: str) -> str:
    _ = translator(lang).gettext
    return _(
        "Your case number is {reference}. Keep it: you can ask about your case with it at any time."
    ).format(reference=reference)


def complaint_received(lang: str, reference: str) -> str:
    """The confirmation of a complaint sent from a flow, with the case's reference."""
    _ = translator(lang).gettext
    return _(
        "Thank you. Your report has been sent to the officers.\n"
        "Your reference number is {reference}. Keep it: you can ask about your report with it "
        "at any time. An officer will answer you here."
    ).format(reference=reference)


def out_of_hours(lang: str, queue: Queue, organisation: str, now: datetime) -> str | None:
    """When officers will answer, if they are not at work now; None if they are."""
    if queue.hours is None or queue.hours.is_open(now):
        return None
    _ = translator(lang).gettext
    opens = queue.hours.next_open(now)
    city = queue.hours.timezone.rsplit("/", 1)[-1].replace("_", " ")
    day = format_datetime(opens, "EEEE d MMMM", locale=locale(lang))
    when = f"{day}, {format_time(opens, 'short', locale=locale(lang))}"
    return _(
        "The officers of {organisation} are not at work now. They will answer you from "
        '{when} ({city} time). If you are in danger now, write "darurat" or "emergency".'
    ).format(organisation=organisation, when=when, city=city)


def officer_joined(lang: str, organisation: str, reference: str) -> str:
    _ = translator(lang).gettext
    return _(
        "An officer from {organisation} has joined and will answer you here (case {reference})."
    ).format(organisation=organisation, reference=reference)


def case_moved(lang: str, organisation: str, reference: str) -> str:
    _ = translator(lang).gettext
    return _(
        "Your case {reference} has been passed to {organisation}, who can help with it. "
        "They will answer you here."
    ).format(organisation=organisation, reference=reference)


def case_closed(lang: str, reference: str) -> str:
    _ = translator(lang).gettext
    return _(
        "Your case {reference} is now closed. Thank you for writing to us. "
        "If you need help again, write at any time."
    ).format(reference=reference)


def bot_again(lang: str) -> str:
    _ = translator(lang).gettext
    return _(
        'The officer has finished this chat; the helpline\'s assistant answers again. Write "menu" '
        "for the menu, or ask for a person at any time."
    )
