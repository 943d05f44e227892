"""The case desk's part in processing a worker's message (bot.engine.EngineHooks).

Before the dialogue decides: whether an officer holds the chat, and the worker's cases for a
status question. After it decided, in the same transaction: a request for a person or a
danger opens a case (or makes the open one urgent, which shares it with the mission), a
country learned later goes on the worker's open cases, a confirmed complaint opens one (the desk
draws its reference and confirms it to the worker), a request to be forgotten clears the case
records, a question about what is stored gets the answer (bot/cases/privacy.py), and the
dashboard hears of the message.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import intents
from bot.cases import notify
from bot.cases.desk import Desk
from bot.cases.privacy import Privacy
from bot.cases.status import Source, Status
from bot.dialogue.cases import CaseContext, CaseFact
from bot.dialogue.decision import (
    ComplaintSubmitted,
    DataRequested,
    Decision,
    Emergency,
    ForgetMe,
    HandoffRequested,
)
from bot.dialogue.replies import person_or_menu
from bot.engine import Followup
from bot.i18n import normalise_language
from bot.messages import Reply
from bot.settings import DEFAULT_RETENTION_DAYS
from bot.storage.models import Case, Event, Worker

# The events after which a worker may have a case they had not before.
_OPENING = (ComplaintSubmitted, HandoffRequested, Emergency)
_WITHOUT_CASES = "helpline.worker_without_cases"
KNOWN_CASES = 10  # the newest cases the dialogue may tell the worker about
DEFAULT_RETENTION = timedelta(days=DEFAULT_RETENTION_DAYS)


# Built once (SQLAlchemy's compiled cache then hits): asked for every message a worker sends.
_NEWEST_CASES = (
    select(Case.reference, Case.status, Case.organisation)
    .where(Case.worker_id == bindparam("worker_id"))
    .order_by(Case.id.desc())
    .limit(KNOWN_CASES)
)
_HELD_CASE = (
    select(Case.id)
    .where(
        Case.worker_id == bindparam("worker_id"),
        Case.status != Status.CLOSED,
        Case.chat_held_by.is_not(None),
    )
    .limit(1)
)


class CaseHooks:
    def __init__(self, desk: Desk, privacy: Privacy | None = None) -> None:
        self.desk = desk
        self.privacy = privacy or Privacy(desk.directory, None, DEFAULT_RETENTION)

    async def context(self, session: AsyncSession, worker_id: int) -> CaseContext:
        cases = (await session.execute(_NEWEST_CASES, {"worker_id": worker_id})).all()
        # Most workers who write have no case: nothing more to ask the database, now or after
        # the decision (`after_decision` reads this mark of the same transaction).
        session.info[_WITHOUT_CASES] = worker_id if not cases else None
        held = await session.scalar(_HELD_CASE, {"worker_id": worker_id}) if cases else None
        facts = tuple(
            CaseFact(c.reference, c.status, self.desk.directory.organisation_name(c.organisation))
            for c in cases
        )
        return CaseContext(officer_holds=held is not None, cases=facts)

    async def after_decision(
        self, session: AsyncSession, worker_id: int, message_id: int, decision: Decision
    ) -> Followup:
        lang = normalise_language(decision.profile.language)
        replies: list[Reply] = []
        opened: dict[int, str] = {}
        country = decision.profile.country
        without_cases = session.info.pop(_WITHOUT_CASES, None) == worker_id
        if (
            country is not None
            and not without_cases
            and not any(isinstance(e, ForgetMe) for e in decision.events)
        ):
            # Where the worker works, learned after a case opened: an urgent one reaches
            # that country's mission (before any danger in this message makes one urgent).
            for case in await _open_cases(session, worker_id):
                await self.desk.country_known(session, case, country)
        for position, event in enumerate(decision.events):
            match event:
                case ForgetMe():
                    await self.desk.forget_worker(session, worker_id)
                    return Followup(tuple(replies), opened)
                case DataRequested():
                    replies.append(await self.privacy.summary(session, worker_id, lang))
                case ComplaintSubmitted():
                    case = await self._complaint(session, worker_id, event)
                    replies.append(
                        Reply(notify.complaint_received(lang, case.reference), person_or_menu(lang))
                    )
                    replies += self._out_of_hours(case, lang)
                    opened[position] = case.reference
                case HandoffRequested() | Emergency():
                    new = await self._person(session, worker_id, event)
                    if new is not None:
                        replies.append(Reply(notify.case_opened(lang, new.reference)))
                        if isinstance(event, HandoffRequested):
                            replies += self._out_of_hours(new, lang)
                        opened[position] = new.reference
        if not without_cases or any(isinstance(e, _OPENING) for e in decision.events):
            for case in await _open_cases(session, worker_id):
                await self.desk.worker_wrote(session, case)
        self.desk.live.after_commit(session, f"worker:{worker_id}")
        return Followup(tuple(replies), opened)

    async def after_parked(
        self, session: AsyncSession, worker_id: int, message_id: int, lang: str
    ) -> Followup:
        """A message the bot could not process: a person answers it, on the worker's open case
        or a new one, and the officers on duty are told."""
        open_cases = await _open_cases(session, worker_id)
        replies: tuple[Reply, ...] = ()
        if open_cases:
            case = open_cases[0]
            await self.desk.worker_wrote(session, case)
        else:
            worker = await session.get_one(Worker, worker_id)
            case = await self.desk.open_case(
                session, worker_id, source=Source.TALK_TO_HUMAN, country=worker.country
            )
            replies = (Reply(notify.case_opened(lang, case.reference)),)
        await self.desk.alerts.unanswered(session, case)
        self.desk.live.after_commit(session, f"worker:{worker_id}")
        return Followup(replies)

    async def _person(
        self, session: AsyncSession, worker_id: int, event: HandoffRequested | Emergency
    ) -> Case | None:
        """A request for a person, or danger: one open case per worker, urgent in danger.
        None: the open case serves (made urgent in danger)."""
        open_cases = await _open_cases(session, worker_id)
        if open_cases:
            if isinstance(event, Emergency):
                await self.desk.escalate(session, open_cases[0])
            return None
        worker = await session.get_one(Worker, worker_id)
        if isinstance(event, Emergency):
            # A crisis names its own category (self_harm) so that officers see it at once.
            source, category, country = Source.EMERGENCY, event.category, event.country
        else:
            last = event.intent
            source, category = Source.TALK_TO_HUMAN, last if last in intents.RIGHTS else None
            country = None
        return await self.desk.open_case(
            session,
            worker_id,
            source=source,
            category=category,
            country=country or worker.country,
            choice=await self._referred_to(session, worker_id),
        )

    async def _complaint(
        self, session: AsyncSession, worker_id: int, event: ComplaintSubmitted
    ) -> Case:
        return await self.desk.open_case(
            session,
            worker_id,
            source=Source.COMPLAINT,
            category=event.category,
            country=event.country,
            priority_hint=event.priority_hint,
            record=event.record,
            choice=event.choice or await self._referred_to(session, worker_id),
        )

    async def _referred_to(self, session: AsyncSession, worker_id: int) -> str | None:
        """The partner organisation whose site the worker came from (the web chat's widget)."""
        rows = await session.scalars(
            select(Event.data)
            .where(Event.worker_id == worker_id, Event.kind == "referral")
            .order_by(Event.id.desc())
        )
        for data in rows:
            organisation = data.get("organisation")
            if organisation in self.desk.directory.organisations:
                return str(organisation)
        return None

    def _out_of_hours(self, case: Case, lang: str) -> list[Reply]:
        """When the officers will answer, if they are not at work now."""
        queue = self.desk.directory.queues[case.queue]
        org = self.desk.directory.organisation_name(case.organisation, lang)
        later = notify.out_of_hours(lang, queue, org, self.desk.clock())
        return [Reply(later)] if later else []


async def _open_cases(session: AsyncSession, worker_id: int) -> list[Case]:
    rows = await session.scalars(
        select(Case)
        .where(Case.worker_id == worker_id, Case.status != Status.CLOSED)
        .order_by(Case.id.desc())
    )
    return list(rows.all())
