"""The case desk's part in processing a worker's message (bot.engine.EngineHooks).

Before the dialogue decides: whether an officer holds the chat, and the worker's cases for a
status question. After it decided, in the same transaction: a request for a person or a
danger opens a case (or makes the open one urgent), a confirmed complaint opens one, a
request to be forgotten clears the case records, and the dashboard hears of the message.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import intents
from bot.cases import notify
from bot.cases.desk import Desk
from bot.dialogue.cases import CaseContext, CaseFact
from bot.dialogue.policy import Decision
from bot.i18n import normalise_language
from bot.messages import Reply
from bot.storage.models import Case, Message, Worker

# The dialogue's events this module acts on. "complaint_submitted" carries the complaint
# flow's record: {category, country, record, priority_hint, choice, reference}.
HANDOFF = "handoff_requested"
EMERGENCY = "emergency"
COMPLAINT = "complaint_submitted"
FORGET = "delete_my_data"
KNOWN_CASES = 10  # the newest cases the dialogue may tell the worker about


class CaseHooks:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def context(self, session: AsyncSession, worker_id: int) -> CaseContext:
        cases = (
            await session.scalars(
                select(Case)
                .where(Case.worker_id == worker_id)
                .order_by(Case.id.desc())
                .limit(KNOWN_CASES)
            )
        ).all()
        held = await session.scalar(
            select(Case.id)
            .where(
                Case.worker_id == worker_id,
                Case.status != "closed",
                Case.chat_held_by.is_not(None),
            )
            .limit(1)
        )
        facts = tuple(
            CaseFact(c.reference, c.status, self.desk.directory.organisation_name(c.organisation))
            for c in cases
        )
        return CaseContext(officer_holds=held is not None, cases=facts)

    async def after_decision(
        self, session: AsyncSession, worker_id: int, message: Message, decision: Decision
    ) -> list[Reply]:
        lang = normalise_language(decision.profile.language)
        replies: list[Reply] = []
        for kind, data in decision.events:
            if kind == FORGET:
                await self.desk.forget_worker(session, worker_id)
                return replies
            if kind == COMPLAINT:
                replies += await self._complaint(session, worker_id, data, lang)
            elif kind in (HANDOFF, EMERGENCY):
                replies += await self._person(session, worker_id, kind, data, lang)
        for case in await _open_cases(session, worker_id):
            await self.desk.worker_wrote(session, case)
        self.desk.live.after_commit(session, f"worker:{worker_id}")
        return replies

    async def _person(
        self, session: AsyncSession, worker_id: int, kind: str, data: dict[str, Any], lang: str
    ) -> list[Reply]:
        """A request for a person, or danger: one open case per worker, urgent in danger."""
        open_cases = await _open_cases(session, worker_id)
        if open_cases:
            if kind == EMERGENCY:
                await self.desk.escalate(session, open_cases[0])
            return []
        worker = await session.get_one(Worker, worker_id)
        last = data.get("intent")
        case = await self.desk.open_case(
            session,
            worker_id,
            source="emergency" if kind == EMERGENCY else "talk_to_human",
            # A crisis names its own category (self_harm) so that officers see it at once.
            category=data.get("category") or (last if last in intents.RIGHTS else None),
            country=data.get("country") or worker.country,
        )
        return self._opened(case, lang, hours=kind != EMERGENCY)

    async def _complaint(
        self, session: AsyncSession, worker_id: int, data: dict[str, Any], lang: str
    ) -> list[Reply]:
        case = await self.desk.open_case(
            session,
            worker_id,
            source="complaint",
            category=data.get("category"),
            country=data.get("country"),
            priority_hint=data.get("priority_hint"),
            record=data.get("record"),
            reference=data.get("reference"),
            choice=data.get("choice"),
        )
        replies = self._opened(case, lang, hours=True)
        # The complaint flow told the worker a reference it made itself: do not repeat it.
        return replies[1:] if data.get("reference") else replies

    def _opened(self, case: Case, lang: str, *, hours: bool) -> list[Reply]:
        replies = [Reply(notify.case_opened(lang, case.reference))]
        queue = self.desk.directory.queues[case.queue]
        org = self.desk.directory.organisation_name(case.organisation)
        later = notify.out_of_hours(lang, queue, org, self.desk.clock()) if hours else None
        if later:
            replies.append(Reply(later))
        return replies


async def _open_cases(session: AsyncSession, worker_id: int) -> list[Case]:
    rows = await session.scalars(
        select(Case)
        .where(Case.worker_id == worker_id, Case.status != "closed")
        .order_by(Case.id.desc())
    )
    return list(rows.all())
