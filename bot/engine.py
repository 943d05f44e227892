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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.awareness import consent
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
from bot.storage import turns
from bot.storage.crypto import Cipher
from bot.storage.db import writing
from bot.storage.models import (
    Direction,
    Message,
    MessageStatus,
    Origin,
    Worker,
    utcnow,
)

log = structlog.get_logger(__name__)

# Messages up to this long are understood on the event loop (about a millisecond of work);
# longer ones in a thread.
INLINE_CHARS = 1000


@runtime_checkable
class SyncNluBackend(Protocol):
    """An NLU that answers in process (the embedded classifier): called without a thread."""

    def parse_sync(self, text: str) -> NluResult: ...


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
        self, session: AsyncSession, worker_id: int, message_id: int, decision: Decision
    ) -> Followup:
        """In the message's transaction, before its events are stored: more replies, if any."""
        ...

    async def after_parked(
        self, session: AsyncSession, worker_id: int, message_id: int, lang: str
    ) -> Followup:
        """A message that could not be processed was set aside: staff take it over."""
        ...


class NoHooks:
    async def context(self, session: AsyncSession, worker_id: int) -> CaseContext:
        return CaseContext()

    async def after_decision(
        self, session: AsyncSession, worker_id: int, message_id: int, decision: Decision
    ) -> Followup:
        return Followup()

    async def after_parked(
        self, session: AsyncSession, worker_id: int, message_id: int, lang: str
    ) -> Followup:
        return Followup()


# More work in the transaction that stores a message: (session, the message as stored).
Within = Callable[[AsyncSession, turns.Stored], Awaitable[object]]


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
        stored, waiting = await self._store(inbound)
        processed = await self.process_pending(
            stored.worker_id, until=stored.message_id, waiting=waiting
        )
        if stored.message_id in processed:
            return processed[stored.message_id]
        # A repeat, or processed meanwhile by another process: the replies already made.
        return await self._replies_to(stored.message_id)

    async def store(self, inbound: Inbound) -> tuple[int, int]:
        """Store the inbound message (once) and return (worker id, message id)."""
        stored, _ = await self._store(inbound)
        return stored.worker_id, stored.message_id

    async def accept(
        self,
        inbound: Inbound,
        *,
        within: Within | None = None,
        lease: turns.Lease | None = None,
    ) -> tuple[int, int, turns.Claimed | None]:
        """As `store`; `within` does more in the same transaction (given the worker's id).

        `lease`: if the message is new and the worker's next to process, it is stored claimed
        for its first attempt (bot/retry.py) and comes back as stored."""
        stored, waiting = await self._store(inbound, within, lease)
        claimed = turns.Claimed(waiting, 1) if waiting is not None and stored.claimed else None
        return stored.worker_id, stored.message_id, claimed

    async def _store(
        self, inbound: Inbound, within: Within | None = None, lease: turns.Lease | None = None
    ) -> tuple[turns.Stored, turns.Waiting | None]:
        """The message stored (once), and what understanding it needs if it is new."""
        received_at = inbound.received_at or datetime.now(UTC)
        attachments = [_attachment_json(a) for a in inbound.attachments] or None
        values = {
            "direction": Direction.IN,
            "channel": inbound.channel,
            "channel_message_id": inbound.channel_message_id,
            "text": inbound.text,
            "attachments": attachments,
            "status": MessageStatus.RECEIVED,
            "received_at": received_at,
            "created_at": utcnow(),
            "attempts": 0,
            "parts_sent": 0,
        }
        user_hash = self.cipher.lookup_hash(inbound.user_id)
        async with writing(self.sessions), self.sessions.begin() as session:
            stored = await session.run_sync(
                lambda s: turns.store_inbound(
                    s.connection(),
                    channel=inbound.channel,
                    user_id=inbound.user_id,
                    user_hash=user_hash,
                    message=values,
                    visible_id=inbound.visible_id,
                    lease=lease,
                )
            )
            if within is not None:
                await within(session, stored)
        if not stored.new:
            log.info("inbound.repeat", message_id=stored.message_id, channel=inbound.channel)
            return stored, None
        log.info("inbound.stored", message_id=stored.message_id, channel=inbound.channel)
        self.metrics.received.labels(channel=inbound.channel).inc()
        if not stored.first:
            return stored, None
        waiting = turns.Waiting(
            stored.message_id, inbound.channel, inbound.text, attachments, received_at
        )
        return stored, waiting

    async def process_pending(
        self, worker_id: int, *, until: int | None = None, waiting: turns.Waiting | None = None
    ) -> dict[int, list[Reply]]:
        """Process the worker's unprocessed messages in order; replies by inbound message id.

        `until`: stop once that message is processed (later ones have callers of their own).
        `waiting`: the message just stored, as stored (saves reading it back)."""
        # In one process a worker's turns wait here, before any work: a delivery repeated at
        # once is understood once. Across processes the conversation's lock decides.
        lock = self._turns.setdefault(worker_id, asyncio.Lock())
        async with lock:
            return await self._process_pending(worker_id, until, waiting)

    async def _process_pending(
        self, worker_id: int, until: int | None, waiting: turns.Waiting | None
    ) -> dict[int, list[Reply]]:
        done: dict[int, list[Reply]] = {}
        while (processed := await self.process_next(worker_id, waiting)) is not None:
            waiting = None
            message_id, replies = processed
            done[message_id] = replies
            if until is not None and message_id >= until:
                break
        return done

    async def process_next(
        self, worker_id: int, waiting: turns.Waiting | None = None
    ) -> tuple[int, list[Reply]] | None:
        """Process the worker's oldest unprocessed message: its id and replies; None if none.

        `waiting`: a guess at that message (the one just stored); checked under the lock."""
        processed = await self._next(worker_id, waiting, None)
        return None if processed is None else (processed[0], processed[1])

    async def process_claimed(
        self, worker_id: int, waiting: turns.Waiting | None, lease: turns.Lease
    ) -> tuple[int, turns.Claimed | None] | None:
        """As `process_next`, for an attempt holding a claim (bot/retry.py): the id processed,
        and the worker's next waiting message, claimed under `lease` in the same transaction
        (None if there is none, or another attempt holds it)."""
        processed = await self._next(worker_id, waiting, lease)
        return None if processed is None else (processed[0], processed[2])

    async def _next(
        self, worker_id: int, waiting: turns.Waiting | None, lease: turns.Lease | None
    ) -> tuple[int, list[Reply], turns.Claimed | None] | None:
        # Understood before the lock, which understanding does not need: on SQLite the lock is
        # the whole database's.
        if waiting is None:
            async with self.sessions() as session:
                waiting = await session.run_sync(
                    lambda s: turns.next_waiting(s.connection(), worker_id)
                )
            if waiting is None:
                return None
        started = time.perf_counter()
        turn = await self._understand(waiting)
        async with writing(self.sessions), self.sessions.begin() as session:
            loaded = await session.run_sync(
                lambda s: turns.lock_and_load(s.connection(), worker_id)
            )
            if loaded.waiting is None:
                return None
            if loaded.waiting != turn.message_id:
                # An older message, or another process answered the one understood
                # meanwhile: this one now.
                message_id = loaded.waiting
                waiting = await session.run_sync(
                    lambda s: turns.waiting_by_id(s.connection(), message_id)
                )
                turn = await self._understand(waiting)
            replies, claimed = await self._process(session, worker_id, waiting, loaded, turn, lease)
        self.metrics.processing.observe(time.perf_counter() - started)
        return waiting.id, replies, claimed

    async def park(self, worker_id: int, message_id: int, reason: str) -> bool:
        """Set aside a message that keeps failing: the worker is told, staff take it over, and
        the worker's later messages are answered. False if it was processed meanwhile."""
        async with writing(self.sessions), self.sessions.begin() as session:
            await session.run_sync(lambda s: turns.lock(s.connection(), worker_id))
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
            followup = await self.hooks.after_parked(session, worker_id, message_id, lang)
            rows = _reply_rows(
                worker_id, message.channel, message_id, [Reply(sorry), *followup.replies], lang
            )
            await session.run_sync(lambda s: turns.add_events_and_replies(s.connection(), (), rows))
        log.error("inbound.parked", message_id=message_id, attempts=message.attempts, reason=reason)
        return True

    async def _process(
        self,
        session: AsyncSession,
        worker_id: int,
        message: turns.Waiting,
        loaded: turns.Loaded,
        turn: Turn,
        lease: turns.Lease | None = None,
    ) -> tuple[list[Reply], turns.Claimed | None]:
        started = time.perf_counter()
        turn = replace(turn, cases=await self.hooks.context(session, worker_id))
        profile = Profile(
            loaded.language,
            loaded.language_chosen,
            loaded.country,
            subscribed=loaded.subscribed,
        )
        state = DialogueState.from_json({**loaded.state, "flow": loaded.flow})
        if len(turn.text) > INLINE_CHARS:  # its decision too takes longer than a moment
            decision = await asyncio.to_thread(self.policy.decide, turn, profile, state)
        else:
            decision = self.policy.decide(turn, profile, state)

        forget = any(isinstance(event, ForgetMe) for event in decision.events)
        # A complaint in progress holds what the worker told us: its own, encrypted column.
        remembered = decision.state.to_json()
        flow = remembered.pop("flow", None)
        changed = remembered != loaded.state or flow != loaded.flow
        outcome = turns.Outcome(
            worker_id=worker_id,
            message_id=message.id,
            intent=decision.intent,
            confidence=decision.confidence,
            language=decision.profile.language,
            language_chosen=decision.profile.language_chosen,
            country=decision.profile.country,
            state=remembered if changed else None,
            flow=flow,
            forget=forget,
        )
        # Written before the case desk acts: it reads the worker as they are now.
        await session.run_sync(lambda s: turns.record_outcome(s.connection(), outcome))
        # Consent to awareness messages: when, on which channel, and in the audit log.
        await consent.record(
            session,
            worker_id,
            was=loaded.subscribed,
            subscribed=decision.profile.subscribed,
            at=message.received_at or utcnow(),
            message_id=None if forget else message.id,
        )
        followup = await self.hooks.after_decision(session, worker_id, message.id, decision)
        events = []
        for position, event in enumerate(decision.events):
            # What the event says may be kept (a complaint's record goes to its case only),
            # and the case it opened.
            data = event.stored()
            if position in followup.opened:
                data["reference"] = followup.opened[position]
            events.append({"worker_id": worker_id, "kind": str(event.kind), "data": data})
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
        rows = _reply_rows(
            worker_id,
            message.channel,
            message.id,
            replies,
            decision.profile.language,
            in_reply_to=not forget,
        )

        def finish(s: Any) -> turns.Claimed | None:
            connection = s.connection()
            turns.add_events_and_replies(connection, events, rows)
            # The worker's next message, if one waited when the lock was taken: claimed under
            # the lock. One stored since then was stored as not the next (this one waited) and
            # is claimed by its own webhook's attempt, after this transaction commits
            # (bot/retry.py takes the conversation's lock first).
            if lease is None or not loaded.more:
                return None
            return turns.claim_next(connection, worker_id, lease)

        claimed = await session.run_sync(finish)
        log.info(
            "inbound.processed",
            message_id=message.id,
            intent=decision.intent,
            confidence=decision.confidence,
            replies=len(replies),
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return replies, claimed

    async def _understand(self, message: turns.Waiting) -> Turn:
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
        parts = tuple(context.clauses(text)[:MAX_CLAUSES])
        if isinstance(self.nlu, SyncNluBackend):
            # Classifying a chat message and naming its language take about a millisecond:
            # done here, at once, rather than three hops to a thread and back. A long message
            # goes to a thread, in one hop, so it never holds the event loop.
            if len(text) <= INLINE_CHARS:
                found = self._read(self.nlu, text, parts)
            else:
                found = await asyncio.to_thread(self._read, self.nlu, text, parts)
            return replace(turn, nlu=found[0], clauses=found[1], detected_language=found[2])
        understood: tuple[NluResult, ...] = ()
        nlu: NluResult | None
        try:
            nlu = await self.nlu.parse(text)
            if len(parts) > 1:  # each part alone too: several problems in one message
                understood = tuple([await self.nlu.parse(part) for part in parts])
        except NluError:
            # Without understanding the dialogue still answers: the not-understood reply.
            log.warning("nlu.unavailable", message_id=message.id)
            nlu = None
        if len(text) <= INLINE_CHARS:
            language = self.detect_language(text)
        else:
            language = await asyncio.to_thread(self.detect_language, text)
        return replace(turn, nlu=nlu, detected_language=language, clauses=understood)

    def _read(
        self, nlu: SyncNluBackend, text: str, parts: tuple[str, ...]
    ) -> tuple[NluResult | None, tuple[NluResult, ...], str | None]:
        """The message's intent, each of its parts' (several problems in one message), and
        its language."""
        try:
            whole = nlu.parse_sync(text)
            understood = tuple(nlu.parse_sync(part) for part in parts) if len(parts) > 1 else ()
        except NluError:
            # Without understanding the dialogue still answers: the not-understood reply.
            log.warning("nlu.unavailable")
            whole, understood = None, ()
        return whole, understood, self.detect_language(text)

    async def _replies_to(self, message_id: int) -> list[Reply]:
        async with self.sessions() as session:
            rows = await session.run_sync(lambda s: turns.replies_to(s.connection(), message_id))
        return [
            Reply(
                row.text,
                tuple(QuickReply(q["title"], q["payload"]) for q in row.quick_replies or ()),
                _action(row.origin),
                private=row.origin == Origin.PRIVATE,
            )
            for row in rows
        ]


def _reply_rows(
    worker_id: int,
    channel: str,
    message_id: int,
    replies: list[Reply],
    language: str | None,
    *,
    in_reply_to: bool = True,
) -> list[dict[str, Any]]:
    """The replies to an inbound message, queued for its channel (or answered in place)."""
    status = MessageStatus.SENT if channel in ANSWERED_IN_PLACE else MessageStatus.PENDING
    return [
        turns.reply_row(
            worker_id=worker_id,
            channel=channel,
            text=reply.text,
            quick_replies=[{"title": q.title, "payload": q.payload} for q in reply.quick_replies]
            or None,
            status=status,
            in_reply_to=message_id if in_reply_to else None,
            language=language,
            origin=_origin(reply),
        )
        for reply in replies
    ]


def _origin(reply: Reply) -> str | None:
    if reply.action is not None:  # an instruction to the channel, carried out by the outbox
        return reply.action.value
    return Origin.PRIVATE if reply.private else None


def _action(origin: str | None) -> Action | None:
    try:
        return Action(origin) if origin else None
    except ValueError:  # "officer", "reopen": who wrote it, not an instruction
        return None


def _attachment_json(attachment: Any) -> dict[str, Any]:
    return {k: getattr(attachment, k) for k in attachment.__slots__ if getattr(attachment, k)}
