"""The case desk: opening cases and what staff do with them, each step checked and audited.

    case = await desk.open_case(session, worker_id, source="complaint", category="wages_unpaid",
                                country="MY", priority_hint=None, record={...})
    await desk.claim(session, actor, case)
    await desk.reply(session, actor, case, "Halo ...")

Every method works inside the caller's transaction; live updates go out once it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import notify
from bot.cases.alerts import Alerts
from bot.cases.audit import audit
from bot.cases.directory import Directory, Queue
from bot.cases.live import Live
from bot.cases.permissions import CASE_ROLES, Action, Actor, CaseScope, PermissionDenied, can
from bot.cases.references import new_reference
from bot.cases.retention import strip_case
from bot.cases.routing import CaseFacts, is_urgent, route
from bot.cases.status import OUTCOMES, SETTABLE, SOURCES, Outcome, Priority, Source, Status
from bot.i18n import N_, LocalisedError
from bot.storage.models import (
    Case,
    CaseAccess,
    CaseMessage,
    CaseNote,
    Message,
    Staff,
    utcnow,
)

MAX_TEXT = 4000


class DeskError(LocalisedError):
    """A request the desk cannot carry out (unknown queue, empty text); safe to show staff."""


class Desk:
    def __init__(
        self,
        directory: Directory,
        live: Live | None = None,
        alerts: Alerts | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.directory = directory
        self.live = live or Live()
        self.alerts = alerts or Alerts(directory, self.live)
        self.clock = clock

    # Opening -------------------------------------------------------------------------------

    async def open_case(
        self,
        session: AsyncSession,
        worker_id: int,
        *,
        source: Source,
        category: str | None = None,
        country: str | None = None,
        priority_hint: str | None = None,
        record: Mapping[str, Any] | None = None,
        choice: str | None = None,
    ) -> Case:
        """A new case, routed to a queue by routing.yml, with a reference the desk draws.

        `record` is the structured complaint (its keys safe_now, detained and death can make a
        case urgent; it keeps the reference too); `choice` an organisation id."""
        if source not in SOURCES:
            raise DeskError(N_("unknown source {source}"), source=repr(source))
        urgent = is_urgent(
            self.directory.routing,
            source=source,
            category=category,
            priority_hint=priority_hint,
            record=record,
        )
        province = (record or {}).get("province")
        facts = CaseFacts(
            source,
            category,
            country,
            urgent,
            choice,
            province if isinstance(province, str) else None,
        )
        routed = route(self.directory, facts)
        now = self.clock()
        reference = await _unused_reference(session)
        case = Case(
            reference=reference,
            worker_id=worker_id,
            source=source,
            category=category,
            country=country,
            priority=Priority.URGENT if urgent else Priority.NORMAL,
            status=Status.NEW,
            organisation=routed.queue.organisation,
            queue=routed.queue.id,
            routed_by=routed.explained[:120],
            record={"reference": reference, **record} if record else None,
            created_at=now,
            updated_at=now,
            queued_at=now,
        )
        session.add(case)
        await session.flush()
        audit(
            session,
            "opened",
            staff_id=None,
            case_id=case.id,
            source=source,
            queue=case.queue,
            priority=case.priority,
            rule=case.routed_by,
        )
        if urgent:
            case.urgent_at = now
            await self._urgent_travels(session, case)
        self.live.after_commit(session, f"org:{case.organisation}", f"worker:{worker_id}")
        return case

    async def escalate(self, session: AsyncSession, case: Case) -> None:
        """The worker wrote of danger on an open case: it becomes urgent and travels."""
        if case.priority == Priority.URGENT:
            # Already urgent: a mission learned of since (the country is known now) hears of it.
            await self._share_with_mission(session, case, alert=True)
            self._changed(session, case)
            return
        self._make_urgent(case)
        audit(session, "escalated", staff_id=None, case_id=case.id, by="worker")
        await self._urgent_travels(session, case)
        self._changed(session, case)

    async def flag_urgent(self, session: AsyncSession, actor: Actor, case: Case) -> None:
        """An officer marks the case urgent from the dashboard: it travels as the worker's would."""
        await self.require(session, actor, Action.FLAG_URGENT, case)
        if case.priority == Priority.URGENT:
            raise DeskError(N_("the case is urgent already"))
        self._make_urgent(case)
        audit(session, "escalated", staff_id=actor.id, case_id=case.id, by="officer")
        await self._urgent_travels(session, case)
        self._changed(session, case)

    async def country_known(self, session: AsyncSession, case: Case, country: str) -> None:
        """The worker said where they work after the case opened (an urgent case at the
        ministry's desk, say): the case keeps it, and an urgent one reaches that mission."""
        if case.country is not None or case.status == Status.CLOSED:
            return
        case.country = country
        case.updated_at = self.clock()
        audit(session, "country_known", staff_id=None, case_id=case.id, country=country)
        if case.priority == Priority.URGENT:
            await self._share_with_mission(session, case, alert=True)
        self._changed(session, case)

    def _make_urgent(self, case: Case) -> None:
        now = self.clock()
        case.priority = Priority.URGENT
        case.urgent_at, case.urgent_taken_at, case.unclaimed_alerted_at = now, None, None
        case.updated_at = now

    async def _urgent_travels(self, session: AsyncSession, case: Case) -> None:
        """To the mission of the worker's country, and to the officers on duty wherever it is."""
        await self._share_with_mission(session, case, alert=False)
        await self.alerts.urgent(session, case)

    async def _share_with_mission(self, session: AsyncSession, case: Case, *, alert: bool) -> None:
        mission = self.directory.mission_for(case.country)
        if mission is None or mission.id == case.organisation:
            return
        if await session.get(CaseAccess, (case.id, mission.id)) is not None:
            return
        session.add(CaseAccess(case_id=case.id, organisation=mission.id, reason="urgent"))
        await session.flush()
        audit(
            session,
            "shared",
            staff_id=None,
            case_id=case.id,
            organisation=mission.id,
            reason="urgent",
        )
        self.live.after_commit(session, f"org:{mission.id}")
        if alert:
            await self.alerts.urgent(session, case, [mission.id])

    def _taken_up(self, case: Case) -> None:
        """An officer claimed or answered: an urgent case is in someone's hands."""
        if case.priority == Priority.URGENT and case.urgent_taken_at is None:
            case.urgent_taken_at = self.clock()

    # Reading -------------------------------------------------------------------------------

    async def scope(self, session: AsyncSession, case: Case) -> CaseScope:
        shared = await session.scalars(
            select(CaseAccess.organisation).where(CaseAccess.case_id == case.id)
        )
        return CaseScope.of(case, shared.all())

    async def require(
        self, session: AsyncSession, actor: Actor, action: Action, case: Case
    ) -> None:
        if not can(actor, action, await self.scope(session, case)):
            audit(session, "denied", staff_id=actor.id, case_id=case.id, attempted=str(action))
            raise PermissionDenied(str(action))

    async def view(
        self, session: AsyncSession, actor: Actor, case: Case, what: str = "case"
    ) -> None:
        await self.require(session, actor, Action.VIEW, case)
        audit(session, "viewed", staff_id=actor.id, case_id=case.id, what=what)

    # Officers' actions ---------------------------------------------------------------------

    async def claim(self, session: AsyncSession, actor: Actor, case: Case) -> None:
        await self.require(session, actor, Action.CLAIM, case)
        previous = case.assigned_to
        case.assigned_to = actor.id
        case.chat_held_by = actor.id
        if case.status == Status.NEW:
            case.status = Status.IN_PROGRESS
        case.updated_at = self.clock()
        self._taken_up(case)
        audit(
            session,
            "claimed",
            staff_id=actor.id,
            case_id=case.id,
            previous=previous,
            by_organisation=actor.organisation,
        )
        if case.worker_id is not None:
            lang = await notify.worker_language(session, case.worker_id)
            org = self.directory.organisation_name(case.organisation, lang)
            await notify.send_to_worker(
                session, case.worker_id, notify.officer_joined(lang, org, case.reference)
            )
        self._changed(session, case)

    async def assign(
        self, session: AsyncSession, actor: Actor, case: Case, staff_id: int | None
    ) -> None:
        """A supervisor gives the case to an officer of its organisation (None: back to queue)."""
        await self.require(session, actor, Action.ASSIGN, case)
        if staff_id is not None:
            target = await session.get(Staff, staff_id)
            if (
                target is None
                or not target.active
                or target.organisation != case.organisation
                or target.role not in CASE_ROLES
            ):
                raise DeskError(N_("that person cannot take cases of this organisation"))
        case.assigned_to = staff_id
        if case.chat_held_by is not None and case.chat_held_by != staff_id:
            case.chat_held_by = staff_id  # the new assignee answers from now on
        if staff_id is None and case.status == Status.IN_PROGRESS:
            case.status = Status.NEW
            case.queued_at = self.clock()
        case.updated_at = self.clock()
        audit(
            session,
            "assigned",
            staff_id=actor.id,
            case_id=case.id,
            to=staff_id,
            by_organisation=actor.organisation,
        )
        if staff_id is not None:
            await self.alerts.assigned(session, case, staff_id)
        self._changed(session, case)

    async def reply(
        self,
        session: AsyncSession,
        actor: Actor,
        case: Case,
        text: str,
        *,
        service: str | None = None,
    ) -> Message:
        """The officer's words to the worker, on the worker's channel; they now hold the chat.
        `service`: the entry of the service directory the words came from, for the audit."""
        await self.require(session, actor, Action.REPLY, case)
        text = _text(text)
        if case.worker_id is None:
            raise DeskError(N_("the worker's details were deleted; they cannot be written to"))
        now = self.clock()
        if case.assigned_to is None:
            case.assigned_to = actor.id
        case.chat_held_by = actor.id
        if case.status == Status.NEW:
            case.status = Status.IN_PROGRESS
        case.first_human_reply_at = case.first_human_reply_at or now
        case.updated_at = now
        self._taken_up(case)
        message = await notify.send_to_worker(session, case.worker_id, text, origin="officer")
        session.add(CaseMessage(message_id=message.id, case_id=case.id, staff_id=actor.id))
        details: dict[str, object] = {"service": service} if service else {}
        audit(
            session,
            "replied",
            staff_id=actor.id,
            case_id=case.id,
            message_id=message.id,
            **details,
        )
        self._changed(session, case)
        return message

    async def note(
        self, session: AsyncSession, actor: Actor, case: Case, text: str, *, shared: bool = False
    ) -> CaseNote:
        """Internal (only the author's organisation reads it) unless `shared` with every
        organisation that holds the case."""
        await self.require(session, actor, Action.NOTE, case)
        note = self.add_note(session, actor, case, "note", text, shared=shared)
        await session.flush()
        audit(
            session,
            "noted",
            staff_id=actor.id,
            case_id=case.id,
            note_id=note.id,
            by_organisation=actor.organisation,
            shared=shared,
        )
        self._changed(session, case)
        return note

    def add_note(
        self, session: AsyncSession, actor: Actor, case: Case, kind: str, text: str, *, shared: bool
    ) -> CaseNote:
        note = CaseNote(
            case_id=case.id,
            staff_id=actor.id,
            kind=kind,
            text=_text(text),
            organisation=actor.organisation,
            shared=shared,
            created_at=self.clock(),
        )
        session.add(note)
        return note

    async def transfer(
        self, session: AsyncSession, actor: Actor, case: Case, queue_id: str, note: str = ""
    ) -> None:
        """To another queue of the case's organisation (another organisation: a referral,
        bot/cases/referrals.py, which that organisation accepts or declines)."""
        await self.require(session, actor, Action.TRANSFER, case)
        target = self.directory.queues.get(queue_id)
        if target is None:
            raise DeskError(N_("unknown queue {queue}"), queue=repr(queue_id))
        if target.id == case.queue:
            raise DeskError(N_("the case is in that queue already"))
        if target.organisation != case.organisation:
            raise DeskError(
                N_("a case goes to another organisation by referral, which they accept")
            )
        source_queue = case.queue
        if note.strip():
            self.add_note(session, actor, case, "transfer", note, shared=False)
        await self.move(session, case, target)
        audit(
            session,
            "transferred",
            staff_id=actor.id,
            case_id=case.id,
            from_queue=source_queue,
            to_queue=target.id,
            by_organisation=actor.organisation,
        )

    async def move(self, session: AsyncSession, case: Case, target: Queue) -> None:
        """Into `target`'s queue, unassigned; an organisation it leaves can still follow it."""
        source_org = case.organisation
        moved = target.organisation != source_org
        if moved:
            await _grant(session, case.id, source_org, "transfer")
            await session.execute(
                delete(CaseAccess).where(
                    CaseAccess.case_id == case.id, CaseAccess.organisation == target.organisation
                )
            )
        now = self.clock()
        case.organisation, case.queue = target.organisation, target.id
        case.assigned_to = case.chat_held_by = None
        case.status, case.queued_at, case.overdue_at, case.updated_at = Status.NEW, now, None, now
        if moved and case.worker_id is not None:
            lang = await notify.worker_language(session, case.worker_id)
            org = self.directory.organisation_name(target.organisation, lang)
            await notify.send_to_worker(
                session, case.worker_id, notify.case_moved(lang, org, case.reference)
            )
        if case.priority == Priority.URGENT:
            # The organisation it reached hears of it; those that held it knew already.
            await self.alerts.urgent(session, case, [target.organisation])
        self.live.after_commit(session, f"org:{source_org}")
        self._changed(session, case)

    async def release(self, session: AsyncSession, actor: Actor, case: Case) -> None:
        """Back to its queue for someone else to claim; the bot answers until they do."""
        await self.require(session, actor, Action.RELEASE, case)
        if case.assigned_to is None:
            return
        previous = case.assigned_to
        now = self.clock()
        case.assigned_to = None
        if case.chat_held_by is not None:
            case.chat_held_by = None
            if case.worker_id is not None:
                lang = await notify.worker_language(session, case.worker_id)
                await notify.send_to_worker(session, case.worker_id, notify.bot_again(lang))
        if case.status == Status.IN_PROGRESS:
            case.status = Status.NEW
        case.queued_at = case.updated_at = now
        audit(
            session,
            "released",
            staff_id=actor.id,
            case_id=case.id,
            previous=previous,
            by_organisation=actor.organisation,
        )
        self._changed(session, case)

    async def share(
        self, session: AsyncSession, actor: Actor, case: Case, organisation: str, note: str = ""
    ) -> None:
        """Let another organisation read the case and add notes, without moving it."""
        await self.require(session, actor, Action.SHARE, case)
        if organisation not in self.directory.organisations:
            raise DeskError(
                N_("unknown organisation {organisation}"), organisation=repr(organisation)
            )
        if organisation == case.organisation:
            raise DeskError(N_("the case belongs to that organisation already"))
        await _grant(session, case.id, organisation, "share")
        if note.strip():
            self.add_note(session, actor, case, "share", note, shared=True)
        audit(
            session,
            "shared",
            staff_id=actor.id,
            case_id=case.id,
            organisation=organisation,
            by_organisation=actor.organisation,
        )
        self.live.after_commit(session, f"org:{organisation}")
        self._changed(session, case)

    async def set_status(
        self, session: AsyncSession, actor: Actor, case: Case, status: str
    ) -> None:
        await self.require(session, actor, Action.STATUS, case)
        if status not in SETTABLE:
            raise DeskError(
                N_("unknown status {status} (close a case with an outcome)"), status=repr(status)
            )
        previous, case.status, case.updated_at = case.status, status, self.clock()
        audit(session, "status", staff_id=actor.id, case_id=case.id, previous=previous, to=status)
        self._changed(session, case)

    async def close(
        self, session: AsyncSession, actor: Actor, case: Case, outcome: str, note: str = ""
    ) -> None:
        await self.require(session, actor, Action.CLOSE, case)
        if outcome not in OUTCOMES:
            raise DeskError(N_("unknown outcome {outcome}"), outcome=repr(outcome))
        now = self.clock()
        case.status = Status.CLOSED
        case.outcome, case.closed_at, case.updated_at = outcome, now, now
        case.chat_held_by = None
        if note.strip():
            self.add_note(session, actor, case, "close", note, shared=False)
        audit(
            session,
            "closed",
            staff_id=actor.id,
            case_id=case.id,
            outcome=outcome,
            by_organisation=actor.organisation,
        )
        if case.worker_id is not None:
            lang = await notify.worker_language(session, case.worker_id)
            await notify.send_to_worker(
                session, case.worker_id, notify.case_closed(lang, case.reference)
            )
        self._changed(session, case)

    async def hand_back(self, session: AsyncSession, actor: Actor, case: Case) -> None:
        """The bot answers the worker again; the case stays open and assigned."""
        await self.require(session, actor, Action.HAND_BACK, case)
        if case.chat_held_by is None:
            return
        case.chat_held_by = None
        case.updated_at = self.clock()
        audit(
            session,
            "handed_back",
            staff_id=actor.id,
            case_id=case.id,
            by_organisation=actor.organisation,
        )
        if case.worker_id is not None:
            lang = await notify.worker_language(session, case.worker_id)
            await notify.send_to_worker(session, case.worker_id, notify.bot_again(lang))
        self._changed(session, case)

    # The worker's side -----------------------------------------------------------------------

    async def worker_wrote(self, session: AsyncSession, case: Case) -> None:
        """A new message on an open case: an officer waiting for the worker has their answer."""
        if case.status == Status.WAITING:
            case.status = Status.IN_PROGRESS
            audit(
                session,
                "status",
                staff_id=None,
                case_id=case.id,
                previous=Status.WAITING,
                to=Status.IN_PROGRESS,
            )
        case.updated_at = self.clock()
        self._changed(session, case)

    async def forget_worker(self, session: AsyncSession, worker_id: int) -> None:
        """The worker asked to be forgotten: their records, notes and the reasons given for
        declining their referrals go; counts stay."""
        now = self.clock()
        cases = (await session.scalars(select(Case).where(Case.worker_id == worker_id))).all()
        for case in cases:
            await strip_case(session, case)
            if case.status != Status.CLOSED:
                case.status, case.outcome, case.closed_at = Status.CLOSED, Outcome.DATA_DELETED, now
            case.updated_at = now
            audit(session, "data_deleted", staff_id=None, case_id=case.id)
            self.live.after_commit(session, f"case:{case.id}", f"org:{case.organisation}")

    def _changed(self, session: AsyncSession, case: Case) -> None:
        topics = [f"case:{case.id}", f"org:{case.organisation}"]
        if case.worker_id is not None:
            topics.append(f"worker:{case.worker_id}")
        self.live.after_commit(session, *topics)


async def _unused_reference(session: AsyncSession) -> str:
    while True:
        reference = new_reference()
        if await session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            return reference


async def _grant(session: AsyncSession, case_id: int, organisation: str, reason: str) -> None:
    if await session.get(CaseAccess, (case_id, organisation)) is None:
        session.add(CaseAccess(case_id=case_id, organisation=organisation, reason=reason))


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise DeskError(N_("the text is empty"))
    if len(text) > MAX_TEXT:
        raise DeskError(N_("the text is longer than {n} characters"), n=MAX_TEXT)
    return text
