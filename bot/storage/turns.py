"""The statements of a worker's message on its way through the engine, built once.

Core statements on the tables, with bound parameters, so that SQLAlchemy compiles each once
and finds it in its cache afterwards; each group runs as one synchronous function inside the
transaction (`run_sync`: one switch into the driver's world, not one per statement). The
engine decides what a message means; this module only reads and writes its rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Insert,
    ScalarSelect,
    Select,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.models import (
    Conversation,
    Direction,
    Event,
    Message,
    MessageStatus,
    VisibleMessage,
    Worker,
    utcnow,
)

workers = cast(Table, Worker.__table__)
conversations = cast(Table, Conversation.__table__)
messages = cast(Table, Message.__table__)
events = cast(Table, Event.__table__)
visible = cast(Table, VisibleMessage.__table__)


@dataclass(frozen=True, slots=True)
class Waiting:
    """An inbound message not yet processed: what understanding it needs."""

    id: int
    channel: str
    text: str
    attachments: list[dict[str, Any]] | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class Loaded:
    """Under the conversation's lock: the worker's oldest waiting message, their profile and
    the dialogue's state."""

    waiting: int | None
    language: str | None
    language_chosen: bool
    country: str | None
    subscribed: bool  # to awareness messages
    state: dict[str, Any]
    flow: dict[str, Any] | None
    more: bool = False  # another message of theirs waits behind this one


@dataclass(frozen=True, slots=True)
class Stored:
    worker_id: int
    message_id: int
    new: bool  # False: a repeat of a delivery stored before
    first: bool  # no earlier message of the worker's waited to be processed
    claimed: bool = False  # stored with a first attempt's claim (`Lease`)
    held: bool = False  # messages to the worker wait for them to write (status HELD)


@dataclass(frozen=True, slots=True)
class Lease:
    """An attempt's claim on a message (bot/retry.py): counted, and kept from other attempts
    until `until`; `now` is the retrier's clock. A message past `max_attempts` is parked."""

    now: datetime
    until: datetime
    max_attempts: int


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message claimed for an attempt: as stored, and its attempts including this one."""

    message: Waiting
    attempts: int
    park: bool = False  # it had its attempts: parked, not processed


def _on_conflict_do_nothing(dialect: str, table: Any) -> Insert:
    build = pg_insert if dialect == "postgresql" else sqlite_insert
    return build(table).on_conflict_do_nothing()


def _messages_of_theirs(direction: str, status: str) -> Select[tuple[int]]:
    """The ids of the worker's (the outer query's) messages in that direction and status."""
    return select(messages.c.id).where(
        messages.c.worker_id == workers.c.id,
        messages.c.direction == direction,
        messages.c.status == status,
    )


def _one_of(ids: Select[tuple[int]], *, offset: int = 0) -> ScalarSelect[Any]:
    """One of those ids (the first, in their order, past `offset`), as a value of the query."""
    if offset:
        ids = ids.offset(offset)
    return ids.limit(1).scalar_subquery()


# And whether a message of theirs waits already (then the new one is not processed first).
_EARLIER_WAITING = _one_of(_messages_of_theirs(Direction.IN, MessageStatus.RECEIVED))
# And whether replies to them are held (a closed WhatsApp window): they go out when they write.
_HELD = _one_of(_messages_of_theirs(Direction.OUT, MessageStatus.HELD))
_FIND_WORKER = (
    select(workers.c.id, conversations.c.id, _EARLIER_WAITING, _HELD)
    .select_from(workers.outerjoin(conversations, conversations.c.worker_id == workers.c.id))
    .where(
        workers.c.channel == bindparam("channel"),
        workers.c.channel_user_hash == bindparam("user_hash"),
    )
)
_INSERT_WORKER = {
    d: _on_conflict_do_nothing(d, workers).returning(workers.c.id) for d in ("postgresql", "sqlite")
}
_INSERT_CONVERSATION = {
    d: _on_conflict_do_nothing(d, conversations) for d in ("postgresql", "sqlite")
}
_INSERT_MESSAGE = {
    d: _on_conflict_do_nothing(d, messages).returning(messages.c.id)
    for d in ("postgresql", "sqlite")
}
_INSERT_VISIBLE = {d: _on_conflict_do_nothing(d, visible) for d in ("postgresql", "sqlite")}
_FIND_REPEAT = select(messages.c.id).where(
    messages.c.worker_id == bindparam("worker_id"),
    messages.c.direction == Direction.IN,
    messages.c.channel_message_id == bindparam("channel_message_id"),
)


def store_inbound(
    connection: Connection,
    *,
    channel: str,
    user_id: str,
    user_hash: str,
    message: Mapping[str, Any],
    visible_id: str | None,
    lease: Lease | None = None,
) -> Stored:
    """The worker (found or created with their conversation) and the message, stored once.

    `lease`: a new message that is the worker's next to process is stored claimed (its first
    attempt counted, in this transaction: no claim of its own to commit)."""
    dialect = connection.dialect.name
    who = {"channel": channel, "user_hash": user_hash}
    # A returning worker (most messages) and their conversation: one statement.
    found: tuple[Any, ...] | None = connection.execute(_FIND_WORKER, who).first()
    if found is None:
        now = utcnow()
        created = connection.execute(
            _INSERT_WORKER[dialect],
            {
                "channel": channel,
                "channel_user_hash": user_hash,
                "channel_user_id": user_id,
                "created_at": now,
                "last_seen_at": now,
                "language_chosen": False,
            },
        ).scalar()
        # Another process created them meanwhile: theirs, as found now.
        if created is not None:
            found = (created, None, None, None)
        else:
            found = connection.execute(_FIND_WORKER, who).first()
        if found is None:
            raise RuntimeError("a worker just stored cannot be found")
    worker_id, conversation_id, earlier, held = found
    if conversation_id is None:
        now = utcnow()
        connection.execute(
            _INSERT_CONVERSATION[dialect],
            {"worker_id": worker_id, "state": {}, "created_at": now, "updated_at": now},
        )
    claimed = lease is not None and earlier is None
    row = {**message, "worker_id": worker_id}
    if claimed:
        assert lease is not None
        row.update(attempts=1, next_attempt_at=lease.until)
    # Two processes may receive the same delivery at once: the unique key decides.
    message_id = connection.execute(_INSERT_MESSAGE[dialect], row).scalar()
    if message_id is None:
        message_id = connection.execute(
            _FIND_REPEAT,
            {"worker_id": worker_id, "channel_message_id": message["channel_message_id"]},
        ).scalar_one()
        return Stored(worker_id, message_id, new=False, first=False, held=held is not None)
    if visible_id is not None:
        # An edit shows under the id of the message it changed: kept once.
        connection.execute(
            _INSERT_VISIBLE[dialect],
            {
                "worker_id": worker_id,
                "message_id": message_id,
                "visible_id": visible_id,
                "sent_at": message["received_at"],
            },
        )
    return Stored(
        worker_id,
        message_id,
        new=True,
        first=earlier is None,
        claimed=claimed,
        held=held is not None,
    )


_WAITING_COLUMNS = (
    messages.c.id,
    messages.c.channel,
    messages.c.text,
    messages.c.attachments,
    messages.c.received_at,
)
_NEXT_WAITING = (
    select(*_WAITING_COLUMNS)
    .where(
        messages.c.worker_id == bindparam("worker_id"),
        messages.c.direction == Direction.IN,
        messages.c.status == MessageStatus.RECEIVED,
    )
    .order_by(messages.c.id)
    .limit(1)
)
_WAITING_BY_ID = select(*_WAITING_COLUMNS).where(messages.c.id == bindparam("message_id"))


def next_waiting(connection: Connection, worker_id: int) -> Waiting | None:
    """The worker's oldest message not yet processed."""
    row = connection.execute(_NEXT_WAITING, {"worker_id": worker_id}).first()
    return Waiting(*row) if row is not None else None


def waiting_by_id(connection: Connection, message_id: int) -> Waiting:
    return Waiting(*connection.execute(_WAITING_BY_ID, {"message_id": message_id}).one())


# The worker's oldest waiting message, claimed unless another attempt holds it or it waits for
# its next try: one statement, which returns it as stored. Two claims at once: on PostgreSQL
# the second waits for the first's row and then finds its lease; on SQLite writers take turns.
_OLDEST_WAITING_ID = (
    select(messages.c.id)
    .where(
        messages.c.worker_id == bindparam("b_worker_id"),
        messages.c.direction == Direction.IN,
        messages.c.status == MessageStatus.RECEIVED,
    )
    .order_by(messages.c.id)
    .limit(1)
    .scalar_subquery()
)
_CLAIM = (
    update(messages)
    .where(
        messages.c.id == _OLDEST_WAITING_ID,
        messages.c.status == MessageStatus.RECEIVED,
        (messages.c.next_attempt_at.is_(None)) | (messages.c.next_attempt_at <= bindparam("b_now")),
    )
    .values(attempts=messages.c.attempts + 1, next_attempt_at=bindparam("b_until"))
    .returning(*_WAITING_COLUMNS, messages.c.attempts)
)
_UNCOUNT = (
    update(messages)
    .where(messages.c.id == bindparam("b_message_id"))
    .values(attempts=messages.c.attempts - 1)
)


def claim_next(
    connection: Connection, worker_id: int, lease: Lease, *, lock: bool = False
) -> Claimed | None:
    """Claim the worker's oldest waiting message for an attempt; None if there is none, or
    another attempt holds it, or it waits for its next try.

    `lock`: take the conversation's lock first (PostgreSQL), so that a processing transaction
    that holds it has committed, and this claim sees what it did."""
    if lock and connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"b_worker_id": worker_id, "b_now": lease.now})
    row = connection.execute(
        _CLAIM, {"b_worker_id": worker_id, "b_now": lease.now, "b_until": lease.until}
    ).first()
    if row is None:
        return None
    *columns, attempts = row
    message = Waiting(*columns)
    if attempts > lease.max_attempts:
        # It had its attempts: parked by the claimer, and not counted again.
        connection.execute(_UNCOUNT, {"b_message_id": message.id})
        return Claimed(message, attempts - 1, park=True)
    return Claimed(message, attempts)


# Taking the conversation row first serialises one worker's messages across processes: a row
# lock on PostgreSQL, the write lock on SQLite.
_LOCK = (
    update(conversations)
    .where(conversations.c.worker_id == bindparam("b_worker_id"))
    .values(updated_at=bindparam("b_now"))
)
_WAITING_IN_ORDER = _messages_of_theirs(Direction.IN, MessageStatus.RECEIVED).order_by(
    messages.c.id
)
_OLDEST_WAITING = _one_of(_WAITING_IN_ORDER)
# Whether another waits behind it (then the attempt claims it next, bot/retry.py).
_SECOND_WAITING = _one_of(_WAITING_IN_ORDER, offset=1)
_LOAD = (
    select(
        _OLDEST_WAITING,
        _SECOND_WAITING,
        workers.c.language,
        workers.c.language_chosen,
        workers.c.country,
        workers.c.awareness_since.is_not(None),
        conversations.c.state,
        conversations.c.flow,
    )
    .select_from(workers.join(conversations, conversations.c.worker_id == workers.c.id))
    .where(workers.c.id == bindparam("worker_id"))
)


def lock_and_load(connection: Connection, worker_id: int) -> Loaded:
    """Lock the worker's conversation, then read what processing their next message needs."""
    connection.execute(_LOCK, {"b_worker_id": worker_id, "b_now": utcnow()})
    # The conversation is created with the worker.
    waiting, second, language, chosen, country, subscribed, state, flow = connection.execute(
        _LOAD, {"worker_id": worker_id}
    ).one()
    return Loaded(
        waiting,
        language,
        bool(chosen),
        country,
        bool(subscribed),
        state or {},
        flow,
        more=second is not None,
    )


def lock(connection: Connection, worker_id: int) -> None:
    connection.execute(_LOCK, {"b_worker_id": worker_id, "b_now": utcnow()})


_MARK_PROCESSED = (
    update(messages)
    .where(messages.c.id == bindparam("b_message_id"))
    .values(
        status=MessageStatus.PROCESSED,
        intent=bindparam("b_intent"),
        confidence=bindparam("b_confidence"),
        language=bindparam("b_language"),
    )
)
_UPDATE_WORKER = (
    update(workers)
    .where(workers.c.id == bindparam("b_worker_id"))
    .values(
        language=bindparam("b_language"),
        language_chosen=bindparam("b_language_chosen"),
        country=bindparam("b_country"),
        last_seen_at=bindparam("b_now"),
    )
)
_UPDATE_CONVERSATION = (
    update(conversations)
    .where(conversations.c.worker_id == bindparam("b_worker_id"))
    .values(state=bindparam("b_state"), flow=bindparam("b_flow"), updated_at=bindparam("b_now"))
)
_FORGET = (
    delete(events).where(events.c.worker_id == bindparam("b_worker_id")),
    update(messages)
    .where(messages.c.worker_id == bindparam("b_worker_id"))
    .values(in_reply_to=None),
    delete(messages).where(messages.c.worker_id == bindparam("b_worker_id")),
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What processing a message changes before the case desk acts on it."""

    worker_id: int
    message_id: int
    intent: str | None
    confidence: float | None
    language: str | None
    language_chosen: bool
    country: str | None
    # The dialogue's state as it should be; None where it did not change.
    state: dict[str, Any] | None
    flow: dict[str, Any] | None
    forget: bool  # the worker asked to be forgotten: their messages and events go


def record_outcome(connection: Connection, outcome: Outcome) -> None:
    now = utcnow()
    worker = {"b_worker_id": outcome.worker_id}
    connection.execute(
        _MARK_PROCESSED,
        {
            "b_message_id": outcome.message_id,
            "b_intent": outcome.intent,
            "b_confidence": outcome.confidence,
            "b_language": outcome.language,
        },
    )
    if outcome.forget:
        for statement in _FORGET:
            connection.execute(statement, worker)
    connection.execute(
        _UPDATE_WORKER,
        {
            **worker,
            "b_language": outcome.language,
            "b_language_chosen": outcome.language_chosen,
            "b_country": outcome.country,
            "b_now": now,
        },
    )
    if outcome.state is not None:
        connection.execute(
            _UPDATE_CONVERSATION,
            {**worker, "b_state": outcome.state, "b_flow": outcome.flow, "b_now": now},
        )


_INSERT_EVENT = insert(events)
_INSERT_REPLY = insert(messages)


def add_events_and_replies(
    connection: Connection,
    new_events: Sequence[Mapping[str, Any]],
    replies: Sequence[Mapping[str, Any]],
) -> None:
    """Rows for `events` and outbound `messages` (see `reply_row`), in order."""
    now = utcnow()
    if new_events:
        connection.execute(_INSERT_EVENT, [{**e, "created_at": now} for e in new_events])
    if replies:
        connection.execute(_INSERT_REPLY, [{**r, "created_at": now} for r in replies])


def reply_row(
    *,
    worker_id: int,
    channel: str,
    text: str,
    quick_replies: list[dict[str, str]] | None,
    status: str,
    in_reply_to: int | None,
    language: str | None,
    origin: str | None,
) -> dict[str, Any]:
    # Every key in every row: one executemany needs the same columns in each.
    return {
        "worker_id": worker_id,
        "direction": Direction.OUT,
        "channel": channel,
        "text": text,
        "quick_replies": quick_replies,
        "status": status,
        "in_reply_to": in_reply_to,
        "language": language,
        "origin": origin,
        "attempts": 0,
        "parts_sent": 0,
    }


_REPLIES_TO = (
    select(messages.c.text, messages.c.quick_replies, messages.c.origin)
    .where(messages.c.in_reply_to == bindparam("message_id"))
    .order_by(messages.c.id)
)


def replies_to(connection: Connection, message_id: int) -> list[Any]:
    return list(connection.execute(_REPLIES_TO, {"message_id": message_id}).all())
