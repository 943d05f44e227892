"""What is stored about a worker, told to them when they ask ("data apa yg kalian simpan?").

Read in the transaction of the worker's own message and sent only to them, on their channel
(`Reply.private`: officers reading the conversation see that it went out, not what it says):
their messages (how many, the first and the last), what the bot remembers (language,
country), their cases (reference, topic, status, the organisations that hold them), the
answers of each complaint form and the consent given with it, and how long it is all kept.
Deleting it all ("hapus data saya") is one button away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.directory import Directory
from bot.cases.status import Status
from bot.dialogue.cases import STATUS_TEXT
from bot.dialogue.commands import INTENT_PREFIX, MENU
from bot.dialogue.flows import FlowLibrary
from bot.dialogue.flows.progress import FlowMemory
from bot.dialogue.flows.show import answers
from bot.dialogue.replies import topic_label
from bot.i18n import country_name, format_date, translator
from bot.messages import QuickReply, Reply
from bot.storage.models import (
    Case,
    CaseAccess,
    Conversation,
    Direction,
    Evidence,
    EvidenceStatus,
    Message,
    Worker,
)

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}  # each in its own words
MAX_CASES = 10  # the newest; a worker with more is told how many more there are
# Keys of a complaint record that are the desk's bookkeeping, not the worker's answers.
BOOKKEEPING = frozenset(
    {
        "reference",
        "category",
        "flow",
        "flow_version",
        "language",
        "anonymous",
        "taken_from_earlier_messages",
        "not_known",
        "related_cases",
        "submitted_at",
        "danger_reported",
        "consent",
        "evidence",
    }
)


@dataclass(frozen=True)
class Privacy:
    """What the summary needs besides the database: names of organisations, the flows'
    labels for a complaint's answers, and how long closed cases keep personal data."""

    directory: Directory
    flows: FlowLibrary | None
    retention: timedelta

    async def summary(self, session: AsyncSession, worker_id: int, lang: str) -> Reply:
        _ = translator(lang).gettext
        worker = await session.get_one(Worker, worker_id)
        parts = [_("This is what the helpline keeps about you. Only you see this message.")]
        parts.append(await self._messages(session, worker, lang))
        cases = (
            await session.scalars(
                select(Case).where(Case.worker_id == worker_id).order_by(Case.id.desc())
            )
        ).all()
        unfinished = await _unfinished(session, worker_id)
        if unfinished:
            parts.append(
                _(
                    "An unfinished report with {n} answers is kept too. It is deleted when you "
                    "cancel it, or when it is left unfinished for too long."
                ).format(n=unfinished)
            )
        if cases:
            for case in cases[:MAX_CASES]:
                parts.append(await self._case(session, case, lang))
            if len(cases) > MAX_CASES:
                more = len(cases) - MAX_CASES
                parts.append(_("And {n} older cases.").format(n=more))
        else:
            parts.append(_("You have no case with us."))
        days = self.retention.days
        parts.append(
            _(
                "How long we keep it: when a case is closed, your name, answers, messages and "
                "files are deleted {days} days later; only anonymous numbers stay (topic, "
                "country, dates, organisation, outcome) for reports."
            ).format(days=days)
        )
        parts.append(
            _(
                'You can delete it all now: write "hapus data saya" or tap the button. Your '
                "messages and what you told us are deleted; your cases stay only as anonymous "
                "numbers, and an open case is closed."
            )
        )
        buttons = (
            QuickReply(_("Delete my data"), INTENT_PREFIX + "delete_my_data"),
            QuickReply(_("Menu"), MENU),
        )
        return Reply("\n\n".join(parts), buttons, private=True)

    async def _messages(self, session: AsyncSession, worker: Worker, lang: str) -> str:
        _ = translator(lang).gettext
        ngettext = translator(lang).ngettext
        count, first, last = (
            await session.execute(
                select(func.count(), func.min(Message.created_at), func.max(Message.created_at))
                .select_from(Message)
                .where(Message.worker_id == worker.id, Message.direction == Direction.IN)
            )
        ).one()
        files = await session.scalar(
            select(func.count())
            .select_from(Evidence)
            .where(Evidence.worker_id == worker.id, Evidence.status == EvidenceStatus.STORED)
        )
        lines = [
            ngettext(
                "Your messages: {n} message, from {first} to {last}.",
                "Your messages: {n} messages, from {first} to {last}.",
                count,
            ).format(n=count, first=_day(first, lang), last=_day(last, lang))
            if count
            else _("Your messages: none kept.")
        ]
        if files:
            lines.append(
                ngettext("{n} file you sent.", "{n} files you sent.", files).format(n=files)
            )
        lines.append(
            _(
                "Remembered: your language ({language}) and the country where you work ({country})."
            ).format(
                language=LANGUAGE_NAMES.get(worker.language or "", _("not known")),
                country=country_name(worker.country, lang) if worker.country else _("not known"),
            )
        )
        if worker.awareness_since is not None:
            lines.append(
                _("You asked for tips and warnings on {day}; write STOP INFO to stop them.").format(
                    day=_day(worker.awareness_since, lang)
                )
            )
        return "\n".join(lines)

    async def _case(self, session: AsyncSession, case: Case, lang: str) -> str:
        _ = translator(lang).gettext
        others = (
            await session.scalars(
                select(CaseAccess.organisation)
                .where(CaseAccess.case_id == case.id)
                .order_by(CaseAccess.organisation)
            )
        ).all()
        holders = [self.directory.organisation_name(o) for o in (case.organisation, *others)]
        status = _(STATUS_TEXT.get(case.status, case.status))
        lines = [
            _("Case {reference}: {topic}. Opened {opened}; {status}.").format(
                reference=case.reference,
                topic=_topic(case.category, lang),
                opened=_day(case.created_at, lang),
                status=status,
            ),
            _("Who can read it: {organisations}.").format(organisations=", ".join(holders)),
        ]
        if case.status == Status.CLOSED and case.closed_at is not None:
            lines.append(
                _("Your personal data in it is deleted on {day}.").format(
                    day=_day(case.closed_at + self.retention, lang)
                )
            )
        record = case.record or {}
        rows = self._answers(record, lang)
        if rows:
            lines.append(_("Your answers in the complaint:"))
            lines += [f"- {label}: {value}" for label, value in rows]
        consent = record.get("consent")
        if isinstance(consent, Mapping):
            lines.append(_consent(consent, lang))
        return "\n".join(lines)

    def _answers(self, record: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
        _ = translator(lang).gettext
        ngettext = translator(lang).ngettext
        flow = None
        if self.flows is not None and isinstance(record.get("flow"), str):
            flow = self.flows.get(record["flow"], record.get("flow_version"))
        given = {k: v for k, v in record.items() if k not in BOOKKEEPING}
        rows = answers(flow, given, lang, country_name)
        files = record.get("evidence")
        if isinstance(files, list) and files:
            count = len(files)
            rows.append((_("Files"), ngettext("{n} file", "{n} files", count).format(n=count)))
        return rows


async def _unfinished(session: AsyncSession, worker_id: int) -> int:
    """How many answers a complaint in progress holds (0: none in progress)."""
    flow = await session.scalar(
        select(Conversation.flow).where(Conversation.worker_id == worker_id)
    )
    progress = FlowMemory.from_json(flow).progress
    return len(progress.slots) if progress is not None else 0


def _consent(consent: Mapping[str, Any], lang: str) -> str:
    _ = translator(lang).gettext
    at = consent.get("at")
    when = datetime.fromisoformat(at).astimezone(UTC) if isinstance(at, str) and at else None
    shown = f"{format_date(when, lang, 'long')}, {when:%H:%M} UTC" if when else _("unknown time")
    version = str(consent.get("flow_version") or "?")
    if consent.get("answer") == "anonymous":
        text = _("Consent: you agreed to report without your name on {when} (form version {v}).")
    else:
        text = _("Consent: you agreed on {when} (form version {v}).")
    return text.format(when=shown, v=version)


def _topic(category: str | None, lang: str) -> str:
    _ = translator(lang).gettext
    if category is None:
        return _("talking to a person")
    if category == "self_harm":
        return _("your safety")
    return topic_label(category, lang)


def _day(moment: datetime | None, lang: str) -> str:
    return format_date(moment.astimezone(UTC), lang, "long") if moment is not None else "—"
