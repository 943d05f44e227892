"""The engine: an inbound message in, replies out, and everything stored.

Every inbound message is stored before it is processed; repeats of a channel's delivery are
recognised by the channel's message id. A worker's messages are processed one at a time, in
the order received, under a lock on their conversation row, so several processes can share
one database. A crash between storing and processing loses nothing: the retry sweeper
(bot/retry.py) processes what was left, and parks a message that keeps failing (`park`).

Understanding a message is CPU work, bounded by reading only the beginning of a very long
one (bot/dialogue/reading.py). It runs in threads, off the event loop, and before the
conversation's lock is taken: a long message delays neither other workers' webhooks and
replies nor their turn at the database.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from sqlalchemy import Select, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialogue import context
from bot.dialogue.cases import CaseContext
from bot.dialogue.commands import parse_command
from bot.dialogue.decision import AttachmentRef, Decision, ForgetMe, Turn
from bot.dialogue.policy import Policy
from bot.dialogue.reading import MAX_CLAUSES, danger_in_rest, read
from bot.dialogue.state import DialogueState, Profile
from bot.i18n import normalise_language, translator
from bot.learning.store import Recorder
from bot.messages import ANSWERED_IN_PLACE, Action, Inbound, QuickReply, Reply
from bot.metrics.instruments import Metrics
from bot.nlu.types import NluBackend, NluError, NluResult
from bot.storage.crypto import Cipher
from bot.storage.models import (
    Conversation,
    Direction,
    Event,
    Message,
    MessageStatus,
    Origin,
    VisibleMessage,
    Worker,
    utcnow,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Followup:
    """What the case desk adds after a decision: its replies (a case's reference, when the
    officers will answer), and the reference of the case each event opened, by position."""

    replies: tuple[Reply, ...] = ()
    opened: Mapping[int, str] = field(default_factory=dict)


class EngineHooks(Protocol):
    """What the case desk (bot/cases) adds to processing; the engine knows no case rules."""

    async def context(self, session: AsyncSession, worker_id: int) -> CaseContext:
        """Before deciding: whether an officer holds the chat, and the worker's cases."""
        ...

    async def after_decision(
        self, session: AsyncSession, worker_id: int, message: Message, decision: Decision
    ) -> Followup:
        """In the message's transaction, before its events are stored: more replies, if any."""
        ...

    async def after_parked(
        self, session: AsyncSession, worker_id: int, message: Message, lang: str
    ) -> Followup:
        """A message that could not be processed was set aside: staff take it over."""
        ...


class NoHooks:
    async def context(self, session: AsyncSession, worker_id: int) -> CaseContext:
        return CaseContext()

    async def after_decision(
        self, session: AsyncSession, worker_id: int, message: Message, decision: Decision
    ) -> Followup:
        return Followup()

    async def after_parked(
        self, session: AsyncSession, worker_id: int, message: Message, lang: str
    ) -> Followup:
        return Followup()


class Engine:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        nlu: NluBackend,
        policy: Policy,
        cipher: Cipher,
        detect_language: Callable[[str], str | None],
        hooks: EngineHooks | None = None,
        *,
        metrics: Metrics | None = None,
        learning: Recorder | None = None,
    ) -> None:
        self.sessions = sessions
        self.nlu = nlu
        self.policy = policy
        self.cipher = cipher
        self.detect_language = detect_language
        self.hooks: EngineHooks = hooks or NoHooks()
        self.metrics = metrics or Metrics()
        self.learning = learning  # keeps what was not understood, scrubbed (bot/learning)
        self._turns: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def handle(self, inbound: Inbound) -> list[Reply]:
        worker_id, message_id = await self.store(inbound)
        processed = await self.process_pending(worker_id, until=message_id)
        if message_id in processed:
            return processed[message_id]
        # A repeat, or processed meanwhile by another process: the replies already made.
        return await self._replies_to(message_id)

    async def store(self, inbound: Inbound) -> tuple[int, int]:
        """Store the inbound message (once) and return (worker id, message id)."""
        user_hash = self.cipher.lookup_hash(inbound.user_id)
        async with self.sessions.begin() as session:
            insert = _insert_for(session)
            find = (
                select(Worker.id, Conversation.id)
                .outerjoin(Conversation, Conversation.worker_id == Worker.id)
                .where(Worker.channel == inbound.channel, Worker.channel_user_hash == user_hash)
            )
            # A returning worker (most messages) and their conversation: one statement.
            found = (await session.execute(find)).first()
            if found is None:
                await session.execute(
                    insert(Worker)
                    .values(
                        channel=inbound.channel,
                        channel_user_hash=user_hash,
                        channel_user_id=inbound.user_id,
                        created_at=utcnow(),
                        last_seen_at=utcnow(),
                        language_chosen=False,
                    )
                    .on_conflict_do_nothing()
                )
                found = (await session.execute(find)).first()
                assert found is not None  # inserted or found just above
            worker_id, conversation_id = found
            if conversation_id is None:
                await session.execute(
                    insert(Conversation)
                    .values(worker_id=worker_id, state={}, created_at=utcnow(), updated_at=utcnow())
                    .on_conflict_do_nothing()
                )
            values = dict(
                worker_id=worker_id,
                direction=Direction.IN,
                channel=inbound.channel,
                channel_message_id=inbound.channel_message_id,
                text=inbound.text,
                attachments=[_attachment_json(a) for a in inbound.attachments] or None,
                status=MessageStatus.RECEIVED,
                received_at=inbound.received_at or datetime.now(UTC),
                created_at=utcnow(),
            )
            # Two processes may receive the same delivery at once: the unique key decides.
            stored = False
            message_id = await session.scalar(
                insert(Message).values(**values).on_conflict_do_nothing().returning(Message.id)
            )
            if message_id is None:
                message_id = await session.scalar(
                    select(Message.id).where(
                        Message.worker_id == worker_id,
                        Message.direction == Direction.IN,
                        Message.channel_message_id == inbound.channel_message_id,
                    )
                )
                log.info("inbound.repeat", message_id=message_id, channel=inbound.channel)
            else:
                log.info("inbound.stored", message_id=message_id, channel=inbound.channel)
                stored = True
                if inbound.visible_id is not None:
                    # An edit shows under the id of the message it changed: kept once.
                    await session.execute(
                        insert(VisibleMessage)
                        .values(
                            worker_id=worker_id,
                            message_id=message_id,
                            visible_id=inbound.visible_id,
                            sent_at=values["received_at"],
                        )
                        .on_conflict_do_nothing()
                    )
            assert message_id is not None  # inserted, or the row that made the insert conflict
        if stored:
            self.metrics.received.labels(channel=inbound.channel).inc()
        return worker_id, message_id

    async def process_pending(
        self, worker_id: int, *, until: int | None = None
    ) -> dict[int, list[Reply]]:
        """Process the worker's unprocessed messages in order; replies by inbound message id.

        `until`: stop once that message is processed (later ones have callers of their own)."""
        # In one process a worker's turns wait here, before any work: a delivery repeated at
        # once is understood once. Across processes the conversation's lock decides.
        turns = self._turns.setdefault(worker_id, asyncio.Lock())
        async with turns:
            return await self._process_pending(worker_id, until)

    async def _process_pending(self, worker_id: int, until: int | None) -> dict[int, list[Reply]]:
        done: dict[int, list[Reply]] = {}
        while (processed := await self.process_next(worker_id)) is not None:
            message_id, replies = processed
            done[message_id] = replies
            if until is not None and message_id >= until:
                break
        return done

    async def process_next(self, worker_id: int) -> tuple[int, list[Reply]] | None:
        """Process the worker's oldest unprocessed message: its id and replies; None if none."""
        # Understood before the lock, which understanding does not need: on SQLite the lock is
        # the whole database's.
        async with self.sessions() as session:
            waiting = await session.scalar(_next_received(worker_id))
        if waiting is None:
            return None
        started = time.perf_counter()
        turn = await self._understand(waiting)
        async with self.sessions.begin() as session:
            await _lock_conversation(session, worker_id)
            message = await session.scalar(_next_received(worker_id))
            if message is None:
                return None
            if message.id != turn.message_id:
                # Another process answered the one understood meanwhile: this one now.
                turn = await self._understand(message)
            replies = await self._process(session, worker_id, message, turn)
        self.metrics.processing.observe(time.perf_counter() - started)
        return message.id, replies

    async def park(self, worker_id: int, message_id: int, reason: str) -> bool:
        """Set aside a message that keeps failing: the worker is told, staff take it over, and
        the worker's later messages are answered. False if it was processed meanwhile."""
        async with self.sessions.begin() as session:
            await _lock_conversation(session, worker_id)
            message = await session.get(Message, message_id)
            if message is None or message.status != MessageStatus.RECEIVED:
                return False
            worker = await session.get_one(Worker, worker_id)
            message.status = MessageStatus.PARKED
            message.error = reason[:255]
            message.next_attempt_at = None
            lang = normalise_language(worker.language)
            _ = translator(lang).gettext
            sorry = _(
                "Sorry, we could not read your last message because of a problem on our side. "
                "A person from our team will look at it and answer you here."
            )
            followup = await self.hooks.after_parked(session, worker_id, message, lang)
            _store_replies(session, message, [Reply(sorry), *followup.replies], lang)
        log.error("inbound.parked", message_id=message_id, attempts=message.attempts, reason=reason)
        return True

    async def _process(
        self, session: AsyncSession, worker_id: int, message: Message, turn: Turn
    ) -> list[Reply]:
        started = time.perf_counter()
        loaded = (
            await session.execute(
                select(Worker, Conversation)
                .join(Conversation, Conversation.worker_id == Worker.id)
                .where(Worker.id == worker_id)
            )
        ).one()  # the conversation is created with the worker
        worker, conversation = loaded
        turn = replace(turn, cases=await self.hooks.context(session, worker_id))
        profile = Profile(worker.language, worker.language_chosen, worker.country)
        state = DialogueState.from_json({**conversation.state, "flow": conversation.flow})
        decision = await asyncio.to_thread(self.policy.decide, turn, profile, state)

        message.status = MessageStatus.PROCESSED
        message.intent = decision.intent
        message.confidence = decision.confidence
        message.language = decision.profile.language
        worker.last_seen_at = utcnow()
        forget = any(isinstance(event, ForgetMe) for event in decision.events)
        if forget:
            await session.flush()
            await self._forget(session, worker_id)
        worker.language = decision.profile.language
        worker.language_chosen = decision.profile.language_chosen
        worker.country = decision.profile.country
        # A complaint in progress holds what the worker told us: its own, encrypted column.
        remembered = decision.state.to_json()
        conversation.flow = remembered.pop("flow", None)
        conversation.state = remembered
        followup = await self.hooks.after_decision(session, worker_id, message, decision)
        for position, event in enumerate(decision.events):
            # What the event says may be kept (a complaint's record goes to its case only),
            # and the case it opened.
            data = event.stored()
            if position in followup.opened:
                data["reference"] = followup.opened[position]
            session.add(Event(worker_id=worker_id, kind=str(event.kind), data=data))
        if decision.unrecognised and self.learning is not None and turn.nlu is not None:
            best = turn.nlu.ranking[0] if turn.nlu.ranking else turn.nlu.intent
            self.learning.record(
                session,
                turn.text,
                language=decision.profile.language,
                reason=decision.unrecognised,
                guess=best.name,
                confidence=best.confidence,
            )
        replies = [*decision.replies, *followup.replies]
        _store_replies(session, message, replies, decision.profile.language, in_reply_to=not forget)
        log.info(
            "inbound.processed",
            message_id=message.id,
            intent=decision.intent,
            confidence=decision.confidence,
            replies=len(replies),
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return replies

    async def _understand(self, message: Message) -> Turn:
        """What the message says, from its text alone (no conversation state, no lock)."""
        reading = read(message.text, message.channel)
        text = reading.text
        has_attachments = bool(message.attachments)
        # The policy has no clock: "now" is when the message arrived (expiry of a flow).
        turn = Turn(
            text,
            None,
            None,
            has_attachments,
            now=message.received_at or utcnow(),
            message_id=message.id,
            attachments=tuple(
                AttachmentRef(position, str(a.get("kind", "document")))
                for position, a in enumerate(message.attachments or ())
            ),
            cut=reading.cut,
        )
        if reading.cut:
            log.info("inbound.long", message_id=message.id, chars=len(message.text))
            turn = replace(turn, danger_in_rest=await asyncio.to_thread(danger_in_rest, reading))
        if parse_command(text) is not None or not text.strip():
            return turn
        parts = context.clauses(text)[:MAX_CLAUSES]
        understood: tuple[NluResult, ...] = ()
        try:
            nlu = await self.nlu.parse(text)
            if len(parts) > 1:  # each part alone too: several problems in one message
                understood = tuple([await self.nlu.parse(part) for part in parts])
        except NluError:
            # Without understanding the dialogue still answers: the not-understood reply.
            log.warning("nlu.unavailable", message_id=message.id)
            nlu = None
        language = await asyncio.to_thread(self.detect_language, text)
        return replace(turn, nlu=nlu, detected_language=language, clauses=understood)

    async def _forget(self, session: AsyncSession, worker_id: int) -> None:
        """The worker asked to be forgotten: their messages, events and details go."""
        await session.execute(delete(Event).where(Event.worker_id == worker_id))
        await session.execute(
            update(Message).where(Message.worker_id == worker_id).values(in_reply_to=None)
        )
        await session.execute(delete(Message).where(Message.worker_id == worker_id))

    async def _replies_to(self, message_id: int) -> list[Reply]:
        async with self.sessions() as session:
            rows = (
                await session.scalars(
                    select(Message).where(Message.in_reply_to == message_id).order_by(Message.id)
                )
            ).all()
        return [
            Reply(
                row.text,
                tuple(QuickReply(q["title"], q["payload"]) for q in row.quick_replies or ()),
                _action(row.origin),
                private=row.origin == Origin.PRIVATE,
            )
            for row in rows
        ]


def _next_received(worker_id: int) -> Select[Message]:
    """The worker's oldest message not yet processed."""
    return (
        select(Message)
        .where(
            Message.worker_id == worker_id,
            Message.direction == Direction.IN,
            Message.status == MessageStatus.RECEIVED,
        )
        .order_by(Message.id)
        .limit(1)
    )


async def _lock_conversation(session: AsyncSession, worker_id: int) -> None:
    """Taking the conversation row first serialises one worker's messages across processes:
    a row lock on PostgreSQL, the write lock on SQLite."""
    await session.execute(
        update(Conversation).where(Conversation.worker_id == worker_id).values(updated_at=utcnow())
    )


def _store_replies(
    session: AsyncSession,
    message: Message,
    replies: list[Reply],
    language: str | None,
    *,
    in_reply_to: bool = True,
) -> None:
    """The replies to an inbound message, queued for its channel (or answered in place)."""
    status = MessageStatus.SENT if message.channel in ANSWERED_IN_PLACE else MessageStatus.PENDING
    for reply in replies:
        session.add(
            Message(
                worker_id=message.worker_id,
                direction=Direction.OUT,
                channel=message.channel,
                text=reply.text,
                quick_replies=[
                    {"title": q.title, "payload": q.payload} for q in reply.quick_replies
                ]
                or None,
                status=status,
                in_reply_to=message.id if in_reply_to else None,
                language=language,
                origin=_origin(reply),
            )
        )


def _origin(reply: Reply) -> str | None:
    if reply.action is not None:  # an instruction to the channel, carried out by the outbox
        return reply.action.value
    return Origin.PRIVATE if reply.private else None


def _action(origin: str | None) -> Action | None:
    try:
        return Action(origin) if origin else None
    except ValueError:  # "officer", "reopen": who wrote it, not an instruction
        return None


def _insert_for(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _attachment_json(attachment: Any) -> dict[str, Any]:
    return {k: getattr(attachment, k) for k in attachment.__slots__ if getattr(attachment, k)}
